"""Drafts in the DM after a log: recap, breakup, Edit, Mark as sent, Copy without PUBLIC_URL."""

from sqlalchemy import select

from bot.db.models import EmailDraft, FollowUp, Prospect
from tests.logcall_helpers import log_call, message_text
from tests.slack_requests import SlackSender

FULL_NOTES = {
    "pain_point": "we lose two days a month reconciling invoices by hand",
    "objection": "budget is frozen until Q2",
    "next_step": "a call with their controller next week",
    "resource_promised": "the Northwind case study",
}


def _drafts_in_dm(fake, user="U0001"):
    return [m for m in fake.messages_to(user)
            if any(b.get("block_id") == "draft_text" for b in m.get("blocks", []))]


def _wait_drafts(fake, count, user="U0001"):
    import time

    deadline = time.monotonic() + 30  # a hang guard, not a speed target
    while len(_drafts_in_dm(fake, user)) < count:
        assert time.monotonic() < deadline, "no draft arrived"
        time.sleep(0.02)
    return _drafts_in_dm(fake, user)


def _button(message, action_id):
    for block in message["blocks"]:
        for element in block.get("elements", []) or []:
            if element.get("action_id") == action_id:
                return element
    raise AssertionError(f"no {action_id} button")


def test_connected_log_offers_a_recap_naming_company_and_pain(slack, fake_slack):
    log_call(slack, fake_slack, name="Dana Whitfield", company="Acme Logistics",
             email="dana@acme.example", outcome="connected", **FULL_NOTES)
    draft = _wait_drafts(fake_slack, 1)[0]
    text = message_text(draft)
    subject = next(line for line in text.splitlines() if "Subject:" in line)
    assert "Acme Logistics" in subject
    assert FULL_NOTES["pain_point"] in text
    assert "```" in text  # in a code block, selectable in any client
    for action in ("draft_copy", "draft_edit", "draft_sent", "draft_breakup"):
        _button(draft, action)


def test_thin_notes_say_which_note_would_help(slack, fake_slack):
    log_call(slack, fake_slack, name="Pat", company="Initech", outcome="connected")
    text = message_text(_wait_drafts(fake_slack, 1)[0])
    assert "pain point" in text.lower()


def test_no_answer_offers_no_draft_but_a_breakup_button(slack, fake_slack):
    _, dm = log_call(slack, fake_slack, name="Pat", outcome="no_answer",
                     call_type="post_voicemail")  # next touch is a call: nothing to write
    assert _drafts_in_dm(fake_slack) == []
    _button(dm, "draft_breakup")


def test_breakup_button_drafts_a_breakup_for_any_prospect(slack, fake_slack, session_factory):
    _, dm = log_call(slack, fake_slack, name="Pat", company="Initech", outcome="no_answer",
                     call_type="post_voicemail")
    button = _button(dm, "draft_breakup")
    assert slack.block_action("draft_breakup", value=button["value"], message=dm,
                              channel_id="DU0001").status_code == 200
    draft = _wait_drafts(fake_slack, 1)[0]
    assert "Breakup email" in message_text(draft)
    with session_factory() as session:
        assert session.scalars(select(EmailDraft.template)).all() == ["breakup"]


def test_last_cadence_step_offers_the_breakup_by_default(slack, fake_slack, session_factory,
                                                         clock):
    log_call(slack, fake_slack, name="Pat", company="Initech", outcome="no_answer",
             call_type="post_voicemail")
    with session_factory() as session:
        prospect_id = session.scalar(select(Prospect.id))
    for _ in range(6):  # walk the post-call cadence: each call on the next touch's day
        with session_factory() as session:
            due = session.scalar(select(FollowUp.due_on).where(FollowUp.status == "pending"))
        clock.set(clock.now.replace(year=due.year, month=due.month, day=due.day))
        log_call(slack, fake_slack, prospect_id=prospect_id, outcome="no_answer",
                 call_type="post_voicemail")
    kinds = [message_text(m) for m in _drafts_in_dm(fake_slack)]
    assert kinds and "Breakup email" in kinds[-1]
    assert all("Breakup email" not in k for k in kinds[:-1])


def test_edit_persists_and_updates_the_message(slack, fake_slack, session_factory):
    log_call(slack, fake_slack, name="Pat", company="Initech", outcome="connected",
             call_type="post_voicemail", **FULL_NOTES)
    draft = _wait_drafts(fake_slack, 1)[0]
    value = _button(draft, "draft_edit")["value"]
    slack.block_action("draft_edit", value=value, message=draft, channel_id=draft["channel"])
    edit = fake_slack.wait_for("views.open", 2)[-1].response["view"]
    assert edit["callback_id"] == "draft_edit"
    response = slack.view_submission("draft_edit", {
        "subject": {"value": "Initech: invoices, fixed"},
        "body": {"value": "Hi Pat,\n\nShorter and better. Tuesday or Thursday?\n\nRita"},
    }, view_id=edit["id"])
    assert response.status_code == 200
    update = fake_slack.wait_for("chat.update")[0]
    assert "Shorter and better" in message_text(update.params)
    with session_factory() as session:
        row = session.scalars(select(EmailDraft)).one()
    assert (row.subject, row.body.splitlines()[2]) == (
        "Initech: invoices, fixed", "Shorter and better. Tuesday or Thursday?")


def test_edit_with_an_empty_body_is_a_field_error(slack, fake_slack):
    log_call(slack, fake_slack, name="Pat", company="Initech", outcome="connected")
    draft = _wait_drafts(fake_slack, 1)[0]
    slack.block_action("draft_edit", value=_button(draft, "draft_edit")["value"],
                       message=draft, channel_id=draft["channel"])
    edit = fake_slack.wait_for("views.open", 2)[-1].response["view"]
    answer = slack.view_submission("draft_edit", {"subject": {"value": "Hi"},
                                                  "body": {"value": "  "}},
                                   view_id=edit["id"]).json()
    assert answer["response_action"] == "errors" and "body" in answer["errors"]


def test_mark_as_sent_records_the_touch_once(slack, fake_slack, session_factory):
    log_call(slack, fake_slack, name="Pat", company="Initech", outcome="connected",
             call_type="post_voicemail", **FULL_NOTES)
    draft = _wait_drafts(fake_slack, 1)[0]
    value = _button(draft, "draft_sent")["value"]
    slack.block_action("draft_sent", value=value, message=draft, channel_id=draft["channel"])
    update = fake_slack.wait_for("chat.update")[0]
    assert "Marked as sent" in message_text(update.params)
    slack.block_action("draft_sent", value=value, message=draft, channel_id=draft["channel"])
    note = fake_slack.wait_for("response_url")[-1]
    assert "Already marked as sent" in note.params["text"]
    with session_factory() as session:
        assert session.scalars(select(EmailDraft.status)).one() == "sent"
        done = session.scalars(select(FollowUp).where(FollowUp.status == "done")).all()
    assert [(f.channel, f.purpose) for f in done] == [("email", "Email sent: recap")]


def test_copy_without_public_url_opens_an_editable_text_box(slack, fake_slack):
    log_call(slack, fake_slack, name="Pat", company="Initech", email="pat@initech.example",
             outcome="connected", **FULL_NOTES)
    draft = _wait_drafts(fake_slack, 1)[0]
    copy = _button(draft, "draft_copy")
    assert "url" not in copy
    slack.block_action("draft_copy", value=copy["value"], message=draft,
                       channel_id=draft["channel"])
    view = fake_slack.wait_for("views.open", 2)[-1].response["view"]
    box = next(b for b in view["blocks"] if b.get("block_id") == "copy_text")
    assert box["element"]["initial_value"].startswith("To: pat@initech.example\nSubject: ")
    assert FULL_NOTES["pain_point"] in box["element"]["initial_value"]


def test_template_injection_in_notes_comes_out_verbatim(slack, fake_slack, session_factory):
    log_call(slack, fake_slack, name="Pat", company="Initech", outcome="connected",
             call_type="post_voicemail",
             pain_point="{{ config }} and {% for x in range(3) %}x{% endfor %}")
    _wait_drafts(fake_slack, 1)
    with session_factory() as session:
        body = session.scalars(select(EmailDraft.body)).one()
    assert "{{ config }} and {% for x in range(3) %}x{% endfor %}" in body


def test_with_public_url_copy_is_a_link_to_the_draft_page(start_bot, fake_slack):
    url, _ = start_bot(public=True)
    sender = SlackSender(f"{url}/slack/events", "test-signing-secret", fake=fake_slack)
    log_call(sender, fake_slack, name="Pat", company="Initech", outcome="connected")
    copy = _button(_wait_drafts(fake_slack, 1)[0], "draft_copy")
    assert copy["url"].startswith(f"{url}/drafts/")


def test_a_broken_team_template_falls_back_and_the_rep_is_told(start_bot, fake_slack,
                                                               tmp_path):
    team = tmp_path / "team-templates"
    team.mkdir()
    (team / "recap.body.txt").write_text("Hi {{ prospect.first_name }},\n{{ no_such_thing }}\n")
    url, _ = start_bot(templates_dir=team)
    sender = SlackSender(f"{url}/slack/events", "test-signing-secret", fake=fake_slack)
    log_call(sender, fake_slack, name="Pat", company="Initech", outcome="connected",
             call_type="post_voicemail", **FULL_NOTES)
    text = message_text(_wait_drafts(fake_slack, 1)[0])
    assert "recap.body.txt" in text and "built-in" in text.lower()
    assert FULL_NOTES["pain_point"] in text  # the built-in recap, fully rendered


def test_an_edit_that_breaks_the_rules_is_flagged_in_the_message(slack, fake_slack):
    log_call(slack, fake_slack, name="<!channel> Pat", company="Initech", outcome="connected",
             call_type="post_voicemail", **FULL_NOTES)
    draft = _wait_drafts(fake_slack, 1)[0]
    assert "<!channel>" not in draft["text"]  # the notification text is escaped too
    slack.block_action("draft_edit", value=_button(draft, "draft_edit")["value"],
                       message=draft, channel_id=draft["channel"])
    edit = fake_slack.wait_for("views.open", 2)[-1].response["view"]
    slack.view_submission("draft_edit", {
        "subject": {"value": "Quick question"},
        "body": {"value": "Hi Pat,\n\nJust checking in. Free Tuesday? Or Thursday?\n\nRita"},
    }, view_id=edit["id"])
    text = message_text(fake_slack.wait_for("chat.update")[0].params).lower()
    assert "empty phrase \"just checking in\"" in text and "should name \"initech\"" in text
