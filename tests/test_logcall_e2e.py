"""/logcall end to end: signed requests in, the fake Slack Web API out, a real database."""

from datetime import date

from sqlalchemy import select

from bot.db.models import Call, FollowUp, Prospect, Rep
from tests.logcall_helpers import block_ids, log_call, message_text, open_modal


def _initial(view, block_id):
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return block["element"].get("initial_value")


def test_logcall_acks_fast_and_opens_a_prefilled_modal(slack, fake_slack):
    response = slack.slash("/logcall", "Dana Whitfield, Acme Logistics")
    assert response.status_code == 200
    view = fake_slack.wait_for("views.open")[0].response["view"]  # trigger id still valid
    assert view["title"]["text"] == "Log a call"
    assert _initial(view, "new_name") == "Dana Whitfield"
    assert _initial(view, "new_company") == "Acme Logistics"
    for block in view["blocks"]:
        element = block.get("element", {})
        if element.get("type") == "plain_text_input":
            assert element.get("max_length"), block["block_id"]


def test_new_rep_time_zone_is_fetched_after_opening_and_filled_in(slack, fake_slack,
                                                                  session_factory):
    fake_slack.add_user("U0009", tz="America/Los_Angeles")
    view = open_modal(slack, fake_slack, user_id="U0009")
    assert "new_tz:America/New_York" in block_ids(view)  # DEFAULT_TIMEZONE until known
    update = fake_slack.wait_for("views.update")[0]
    assert update.response["ok"]
    calls = [c.method for c in fake_slack.calls]
    assert calls.index("views.open") < calls.index("users.info")
    assert "new_tz:America/Los_Angeles" in block_ids(update.response["view"])
    with session_factory() as session:
        assert session.scalar(select(Rep.tz).where(Rep.slack_user_id == "U0009")) == \
            "America/Los_Angeles"


def test_full_log_is_stored_and_the_dm_names_the_next_touch(slack, fake_slack, session_factory):
    _, dm = log_call(
        slack, fake_slack, text="Dana Whitfield, Acme Logistics",
        name="Dana Whitfield", company="Acme Logistics", email="dana@acme.example",
        phone="+1 555 0100", tz="America/Chicago", call_type="post_voicemail",
        outcome="no_answer", pain_point="Invoices reconciled by hand",
        next_step="Call back Thursday", resource_promised="Case study")
    with session_factory() as session:
        prospect = session.scalars(select(Prospect)).one()
        call = session.scalars(select(Call)).one()
        follow_up = session.scalars(select(FollowUp)).one()
    assert (prospect.name, prospect.company, prospect.tz) == (
        "Dana Whitfield", "Acme Logistics", "America/Chicago")
    assert call.outcome == "no_answer" and call.pain_point == "Invoices reconciled by hand"
    # Wed 25 Nov + 1 day (post-call cadence) = Thu 26 Nov, a business day.
    assert follow_up.due_on == date(2026, 11, 26) and follow_up.channel == "call"
    text = message_text(dm)
    assert "Dana Whitfield" in text and "Acme Logistics" in text
    assert "Thu 26 Nov, 4-5 pm their time (5-6 pm yours)" in text
    assert "attempt 2 of 6" in text  # the unanswered call itself was attempt 1
    assert "Invoices reconciled by hand" in text


def test_rep_override_of_the_date_wins(slack, fake_slack, session_factory):
    log_call(slack, fake_slack, name="Pat", outcome="connected", next_date="2026-12-03")
    with session_factory() as session:
        assert session.scalars(select(FollowUp.due_on)).one() == date(2026, 12, 3)


def _prospect(session_factory, name="Pat"):
    with session_factory() as session:
        return session.scalars(select(Prospect).where(Prospect.name == name)).one()


def _follow_ups(session_factory, status=None):
    with session_factory() as session:
        query = select(FollowUp).order_by(FollowUp.id)
        if status:
            query = query.where(FollowUp.status == status)
        return session.scalars(query).all()


def test_each_outcome_branches_as_the_playbook_says(slack, fake_slack, session_factory):
    expectations = {
        "connected": ("active", "call"),
        "voicemail": ("active", "call"),
        "no_answer": ("active", "call"),
        "meeting_booked": ("meeting_booked", None),
        "not_interested": ("closed", None),
        "not_now": ("nurture", "call"),
        "wrong_number": ("active", None),  # post-call cadence has only calls
        "do_not_call": ("do_not_call", None),
    }
    for outcome, (status, channel) in expectations.items():
        name = f"P {outcome}"
        _, dm = log_call(slack, fake_slack, name=name, outcome=outcome,
                         call_type="post_voicemail")
        prospect = _prospect(session_factory, name)
        assert prospect.status == status, outcome
        with session_factory() as session:
            pending = session.scalars(select(FollowUp).where(
                FollowUp.prospect_id == prospect.id, FollowUp.status == "pending")).all()
        assert [f.channel for f in pending] == ([channel] if channel else []), outcome
        if outcome == "not_now":
            assert (pending[0].due_on - date(2026, 11, 25)).days >= 60
        if outcome == "wrong_number":
            assert prospect.needs_verified_number
            assert "verified number" in message_text(dm)


def test_later_call_continues_the_cadence_and_counts_attempts(slack, fake_slack, session_factory,
                                                              clock):
    log_call(slack, fake_slack, name="Pat", outcome="no_answer", call_type="post_voicemail")
    prospect = _prospect(session_factory)
    clock.set(clock.now.replace(day=26))  # Thursday, the first follow-up's day
    _, dm = log_call(slack, fake_slack, prospect_id=prospect.id, outcome="voicemail",
                     call_type="post_voicemail")
    follow_ups = _follow_ups(session_factory)
    assert [f.status for f in follow_ups] == ["done", "pending"]
    assert follow_ups[1].due_on == date(2026, 11, 30)  # day 3 = Sat 28 -> Mon 30
    assert "attempt 3 of 6" in message_text(dm)
    assert _prospect(session_factory).call_attempts == 2


def test_meeting_booked_cancels_what_was_pending(slack, fake_slack, session_factory):
    log_call(slack, fake_slack, name="Pat", outcome="no_answer", call_type="post_voicemail")
    prospect = _prospect(session_factory)
    log_call(slack, fake_slack, prospect_id=prospect.id, outcome="meeting_booked",
             call_type="post_voicemail")
    assert [f.status for f in _follow_ups(session_factory)] == ["cancelled"]


def test_team_holiday_calendar_moves_the_touch(slack, fake_slack, session_factory):
    from bot.db.models import Team

    log_call(slack, fake_slack, name="First", outcome="connected")  # creates the team
    with session_factory() as session:
        session.get(Team, "T0001").holiday_country = "US"
        session.commit()
    log_call(slack, fake_slack, name="Pat", outcome="no_answer", call_type="post_voicemail")
    with session_factory() as session:
        prospect_id = session.scalar(select(Prospect.id).where(Prospect.name == "Pat"))
        due = session.scalar(select(FollowUp.due_on).where(FollowUp.prospect_id == prospect_id))
    assert due == date(2026, 11, 27)  # Thu 26 Nov 2026 is Thanksgiving


def test_wrong_number_can_be_cleared_and_calls_resume(slack, fake_slack, session_factory):
    log_call(slack, fake_slack, name="Pat", outcome="no_answer", call_type="post_voicemail")
    with session_factory() as session:
        prospect_id = session.scalar(select(Prospect.id))
    _, dm = log_call(slack, fake_slack, prospect_id=prospect_id, outcome="wrong_number",
                     call_type="post_voicemail")
    assert _follow_ups(session_factory, "pending") == []
    button = next(e for b in dm["blocks"] for e in b.get("elements", []) or []
                  if e.get("action_id") == "prospect_verified")
    slack.block_action("prospect_verified", value=button["value"], message=dm,
                       channel_id=dm["channel"])
    note = fake_slack.wait_for("response_url")[-1].params["text"]
    assert "Calls to Pat can resume" in note
    assert not _prospect(session_factory).needs_verified_number
    [call] = _follow_ups(session_factory, "pending")
    assert call.channel == "call"
