"""End to end: the recap a rep receives asks once, about the agreed step; an edit that
adds a competing meeting is flagged in the DM."""

from __future__ import annotations

from tests.logcall_helpers import log_call, message_text
from tests.test_drafts_e2e import _button, _wait_drafts

STEP = "15-minute walkthrough with their ops lead"
NOTES = {"pain_point": "losing six hours a week on manual invoice matching",
         "next_step": STEP}


def test_the_recap_in_the_dm_asks_only_about_the_agreed_step(slack, fake_slack):
    log_call(slack, fake_slack, name="Jordan Lee", company="Acme Logistics",
             email="jordan@acme.example", outcome="connected", call_type="post_demo", **NOTES)
    text = message_text(_wait_drafts(fake_slack, 1)[0])
    assert "Subject: Acme Logistics: losing six hours a week\n" in text
    body = text.split("```")[1]
    assert body.count("?") == 1
    [question] = [line for line in body.splitlines() if "?" in line]
    assert question.startswith(f"The next step we agreed: {STEP}. Would ")
    assert question.endswith(" your time suit you for it?")
    assert "20-minute" not in body and "To confirm what we agreed" not in body
    assert ":mag:" not in text  # no problem found


def test_an_edit_proposing_another_meeting_is_flagged(slack, fake_slack):
    log_call(slack, fake_slack, name="Jordan Lee", company="Acme Logistics",
             email="jordan@acme.example", outcome="connected", call_type="post_demo", **NOTES)
    draft = _wait_drafts(fake_slack, 1)[0]
    slack.block_action("draft_edit", value=_button(draft, "draft_edit")["value"],
                       message=draft, channel_id=draft["channel"])
    edit = fake_slack.wait_for("views.open", 2)[-1].response["view"]
    slack.view_submission("draft_edit", {
        "subject": {"value": "Acme Logistics: invoice matching"},
        "body": {"value": "Hi Jordan,\n\nWould Wednesday or Thursday work for a 20-minute "
                          "follow-up?\n\nSam"},
    }, view_id=edit["id"])
    text = message_text(fake_slack.wait_for("chat.update")[0].params)
    assert "proposes another meeting than the agreed next step" in text
