"""Logging a call on a team-mate's prospect: the team shares prospects, but the open
follow-ups are one rep's. They move only when the caller ticks "Take over"."""

import json

import pytest
from sqlalchemy import select

from bot.db.models import FollowUp, Prospect, Rep
from bot.services.reps import save_rep_profile
from tests.logcall_helpers import form_values, log_call, open_modal, submit
from tests.test_ownership import snapshot

TICKED = {"type": "checkboxes", "selected_options": [
    {"text": {"type": "plain_text", "text": "Take over"}, "value": "yes"}]}


@pytest.fixture
def ritas_prospect(slack, fake_slack, session_factory):
    """Dana Whitfield, Rita's (U0001), with her two open follow-ups; Bob (U0002) is a rep."""
    save_rep_profile(session_factory, "T0001", "U0001", "America/New_York", "Rita Rep")
    save_rep_profile(session_factory, "T0001", "U0002", "Europe/Berlin", "Bob Rep")
    log_call(slack, fake_slack, name="Dana Whitfield", company="Acme", outcome="connected",
             call_type="cold_call")  # a cold outbound cadence: the intro email is next
    with session_factory() as session:
        dana = session.scalars(select(Prospect)).one()
        rita = session.scalar(select(Rep.id).where(Rep.slack_user_id == "U0001"))
        session.add(FollowUp(team_id="T0001", prospect_id=dana.id, rep_id=rita,
                             due_on=dana.created_at.date(), step=9, channel="linkedin",
                             status="pending", idempotency_key="extra"))
        session.commit()
    return dana.id


def _reps(session_factory) -> dict[str, int]:
    with session_factory() as session:
        return dict(session.execute(select(Rep.slack_user_id, Rep.id)).all())


def test_the_modal_names_the_owner_and_changes_nothing_until_ticked(
        ritas_prospect, slack, fake_slack, session_factory):
    before = snapshot(session_factory)
    view = open_modal(slack, fake_slack, user_id="U0002")
    answer = submit(slack, view, user_id="U0002", prospect_id=ritas_prospect,
                    outcome="no_answer", call_type="post_voicemail").json()
    assert answer["response_action"] == "errors"
    assert answer["errors"]["take_over"] == (
        "Dana Whitfield is Rita Rep's prospect with 2 open follow-ups. Tick \"Take over\" "
        "to log this call and move them to you.")
    assert snapshot(session_factory) == before  # Rita's touches are not cancelled
    assert fake_slack.messages_to("U0002") == []


def test_ticking_take_over_moves_the_prospect_and_its_touches(
        ritas_prospect, slack, fake_slack, session_factory):
    reps = _reps(session_factory)
    with session_factory() as session:
        ritas = [f.id for f in session.scalars(select(FollowUp).where(
            FollowUp.status == "pending"))]
    view = open_modal(slack, fake_slack, user_id="U0002")
    values = form_values(view, prospect_id=ritas_prospect, outcome="connected",
                         call_type="cold_call")
    values["take_over"] = {"value": TICKED}
    answer = slack.view_submission("logcall", values, view_id=view["id"], user_id="U0002")
    assert answer.status_code == 200 and answer.text in ("", "null"), answer.text
    fake_slack.wait_for("views.publish", 2)  # Rita's log, then Bob's
    with session_factory() as session:
        dana = session.get(Prospect, ritas_prospect)
        moved = session.scalars(select(FollowUp).where(FollowUp.id.in_(ritas))).all()
        pending = session.scalars(select(FollowUp).where(FollowUp.status == "pending")).all()
    assert dana.owner_rep_id == reps["U0002"]
    assert {f.rep_id for f in moved} == {reps["U0002"]}  # moved, then handled by the plan
    assert pending and {f.rep_id for f in pending} == {reps["U0002"]}


def test_a_prospect_without_open_touches_is_logged_without_the_question(
        ritas_prospect, slack, fake_slack, session_factory):
    with session_factory() as session:
        for follow_up in session.scalars(select(FollowUp)):
            follow_up.status = "done"
        session.commit()
    log_call(slack, fake_slack, user_id="U0002", prospect_id=ritas_prospect,
             outcome="no_answer", call_type="post_voicemail")
    bob = _reps(session_factory)["U0002"]
    with session_factory() as session:
        assert session.get(Prospect, ritas_prospect).owner_rep_id == bob


def test_the_owner_is_named_when_the_modal_opens_on_her_prospect(ritas_prospect, slack,
                                                                 fake_slack):
    view = open_modal(slack, fake_slack, "Dana Whitfield, Acme", user_id="U0002")
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["prospect"]["element"]["initial_option"]["value"] == str(ritas_prospect)
    assert "Rita Rep's prospect with 2 open follow-ups" in \
        blocks["held_by"]["elements"][0]["text"]
    mine = open_modal(slack, fake_slack, "Dana Whitfield, Acme")  # Rita herself: no question
    assert "held_by" not in [b.get("block_id") for b in mine["blocks"]]


def test_a_damaged_prospect_option_is_a_field_error(ritas_prospect, slack, fake_slack,
                                                    session_factory):
    before = snapshot(session_factory)
    view = open_modal(slack, fake_slack, user_id="U0002")
    for raw in ("99999999999", "-1", "1.0", "٧", "x"):
        values = form_values(view, name="Pat", outcome="no_answer")
        values["prospect"]["prospect"]["selected_option"] = {
            "value": raw, "text": {"type": "plain_text", "text": "x"}}
        answer = slack.view_submission("logcall", values, view_id=view["id"],
                                       user_id="U0002").json()
        assert answer["response_action"] == "errors", raw
        assert "isn't a prospect I offered" in answer["errors"]["prospect"], raw
    assert snapshot(session_factory) == before  # no new "Pat" instead of the pick


def test_a_team_mates_breakup_email_leaves_the_owners_cadence_alone(
        ritas_prospect, slack, fake_slack, session_factory):
    with session_factory() as session:
        ritas = sorted(session.execute(select(FollowUp.id, FollowUp.status, FollowUp.rep_id)
                                       .where(FollowUp.status == "pending")).all())
    posts = len(fake_slack.calls_to("chat.postMessage"))
    slack.block_action("draft_breakup", value=json.dumps({"p": ritas_prospect}),
                       user_id="U0002", channel_id="DU0002")
    draft = fake_slack.wait_for("chat.postMessage", posts + 1)[-1]
    sent = next(e for b in draft.params["blocks"] for e in b.get("elements", []) or []
                if e.get("action_id") == "draft_sent")
    updates = len(fake_slack.calls_to("chat.update"))
    message = fake_slack.messages_to("U0002")[-1]
    slack.block_action("draft_sent", value=sent["value"], user_id="U0002", message=message,
                       channel_id=message["channel"])
    fake_slack.wait_for("chat.update", updates + 1)
    bob = _reps(session_factory)["U0002"]
    with session_factory() as session:
        assert sorted(session.execute(select(FollowUp.id, FollowUp.status, FollowUp.rep_id)
                                      .where(FollowUp.rep_id != bob)).all()) == ritas
        [extra] = session.scalars(select(FollowUp).where(FollowUp.rep_id == bob)).all()
    assert (extra.status, extra.purpose) == ("done", "Email sent: breakup")
