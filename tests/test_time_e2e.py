"""The one time model end to end: the window the DM promises is the one the due list and
App Home show, and the modal's suggested date is the day that gets scheduled."""

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.db.models import FollowUp, Prospect
from bot.services.reps import save_rep_profile
from tests.logcall_helpers import log_call, message_text, open_modal, submit

LA, SYDNEY = "America/Los_Angeles", "Australia/Sydney"
MON_9AM_LA = datetime(2026, 1, 5, 17, tzinfo=UTC)  # Tue 6 Jan, 4 am in Sydney
TUE_0831_LA = datetime(2026, 1, 6, 16, 31, tzinfo=UTC)
PROMISE = "Wed 7 Jan, 11 am-12 pm their time (Tue 6 Jan, 4-5 pm yours)"


def _rep_in_la(fake_slack, session_factory):
    fake_slack.add_user("U0003", tz=LA, real_name="Lee Rep")
    save_rep_profile(session_factory, "T0001", "U0003", LA, "Lee Rep")


def test_the_dm_the_due_list_and_app_home_show_the_same_stored_window(
        slack, fake_slack, jobs, clock, session_factory):
    _rep_in_la(fake_slack, session_factory)
    clock.set(MON_9AM_LA)
    _, dm = log_call(slack, fake_slack, user_id="U0003", name="Dana Koala", company="Koala",
                     tz=SYDNEY, outcome="no_answer", call_type="post_voicemail")
    assert PROMISE in message_text(dm)
    with session_factory() as session:
        stored = session.scalars(select(FollowUp)).one()
        assert stored.window_start == datetime(2026, 1, 7, 0, tzinfo=UTC)
    # The first list that carries it is the rep's own Tuesday, and it says the same.
    monday_list = jobs.digest_tick(datetime(2026, 1, 5, 16, 31, tzinfo=UTC))
    assert monday_list.sent == 0  # nothing for Monday: the call is Tuesday for the rep
    clock.set(TUE_0831_LA)
    assert jobs.digest_tick(TUE_0831_LA).sent == 1
    digest = fake_slack.messages_to("U0003")[-1]
    assert "Your follow-ups for Tue 6 Jan" in message_text(digest)
    assert PROMISE in message_text(digest)
    # /followups is the same list, and App Home names the same window.
    answer = slack.slash("/followups", "", user_id="U0003").json()
    assert PROMISE in message_text(answer)
    home = fake_slack.calls_to("views.publish")[-1].params["view"]
    home = home if isinstance(home, dict) else json.loads(home)
    assert any(PROMISE in (block.get("text") or {}).get("text", "")
               for block in home["blocks"])


def test_the_suggested_date_left_unchanged_is_the_day_scheduled(
        slack, fake_slack, clock, session_factory):
    _rep_in_la(fake_slack, session_factory)
    clock.set(MON_9AM_LA)
    log_call(slack, fake_slack, user_id="U0003", name="Dana Koala", company="Koala",
             tz=SYDNEY, outcome="no_answer", call_type="post_voicemail")
    with session_factory() as session:
        prospect_id = session.scalar(select(Prospect.id))
    clock.set(TUE_0831_LA)
    view = open_modal(slack, fake_slack, "Dana Koala, Koala", user_id="U0003")
    picker = next(b for b in view["blocks"] if b.get("block_id") == "next_date")["element"]
    suggested = date.fromisoformat(picker["initial_date"])
    posts = len(fake_slack.calls_to("chat.postMessage"))
    response = submit(slack, view, user_id="U0003", prospect_id=prospect_id,
                      call_type="post_voicemail", outcome="no_answer")
    assert response.status_code == 200
    fake_slack.wait_for("chat.postMessage", posts + 1)
    with session_factory() as session:
        pending = session.scalars(select(FollowUp).where(FollowUp.status == "pending")).one()
    assert pending.window_start.astimezone(ZoneInfo(LA)).date() == suggested
    assert "date set by you" not in message_text(fake_slack.messages_to("U0003")[-1])


def test_a_date_the_rep_picks_is_their_own_day(slack, fake_slack, clock, session_factory):
    _rep_in_la(fake_slack, session_factory)
    clock.set(MON_9AM_LA)
    _, dm = log_call(slack, fake_slack, user_id="U0003", name="Dana Koala", company="Koala",
                     tz=SYDNEY, outcome="no_answer", call_type="post_voicemail",
                     next_date="2026-01-08")
    with session_factory() as session:
        pending = session.scalars(select(FollowUp).where(FollowUp.status == "pending")).one()
    local = pending.window_start.astimezone(ZoneInfo(LA))
    assert local.date() == date(2026, 1, 8) and 8 <= local.hour < 18
    assert "(date set by you)" in message_text(dm)
    assert "Thu 8 Jan" in message_text(dm)
