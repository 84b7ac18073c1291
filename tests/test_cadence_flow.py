"""The cadence keeps moving however a touch is handled, in whichever zones."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.config import Settings
from bot.db.models import EmailDraft, FollowUp, Prospect
from bot.domain.model import CallType, Outcome
from bot.services.access import Who
from bot.services.cadences import load_cadence_book
from bot.services.calls import LogCall, NewProspect, log_call
from bot.services.draft_templates import DraftRenderer
from bot.services.drafts import drafts_after_log, mark_sent
from bot.services.due_items import mark_done, quick_log, skip
from bot.services.reps import save_rep_profile

BOOK = load_cadence_book(Settings())
WED = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)


def _log(sf, outcome, *, key, prospect_id=None, call_type=CallType.COLD_CALL, explicit=True,
         now=WED, rep_tz="America/New_York", prospect_tz="America/New_York"):
    new = None if prospect_id else NewProspect("Pat", "Initech", "pat@initech.example",
                                                tz=prospect_tz)
    return log_call(sf, LogCall("T0001", "U0001", rep_tz, call_type, outcome, key,
                                prospect_id=prospect_id, new_prospect=new,
                                call_type_explicit=explicit), BOOK, now)


def _pending(sf):
    with sf() as session:
        return session.scalars(select(FollowUp).where(FollowUp.status == "pending")).all()


def test_done_on_an_email_step_schedules_the_next_step(session_factory):
    _log(session_factory, Outcome.NO_ANSWER, key="a")  # cold outbound: day-1 intro email
    email = _pending(session_factory)[0]
    assert email.channel == "email"
    mark_done(session_factory, BOOK, team_id="T0001", user_id="U0001",
              follow_up_id=email.id, now=WED.replace(day=26))
    [nxt] = _pending(session_factory)
    assert (nxt.channel, nxt.due_on) == ("linkedin", date(2026, 11, 30))  # day 3 = Sat -> Mon


def test_skip_moves_on_and_mark_sent_completes_the_step(session_factory):
    result = _log(session_factory, Outcome.NO_ANSWER, key="a")
    drafts = drafts_after_log(session_factory, DraftRenderer(), result, {}, is_final=False,
                              now=WED, windows=())
    value_add = next(d for d in drafts if d.kind == "intro")  # the step names its draft
    mark_sent(session_factory, BOOK, who=Who.rep("T0001", "U0001"), draft_id=value_add.id,
              now=WED)
    [nxt] = _pending(session_factory)
    assert nxt.channel == "linkedin"  # the intro email step is done, sent a day early
    skip(session_factory, BOOK, team_id="T0001", user_id="U0001", follow_up_id=nxt.id,
         now=WED.replace(day=30))
    [call] = _pending(session_factory)
    assert (call.channel, call.due_on) == ("call", date(2026, 12, 1))  # Call 1, day 4 -> Tue
    with session_factory() as session:
        assert session.scalar(select(EmailDraft.status).where(
            EmailDraft.id == value_add.id)) == "sent"


def test_a_rep_ahead_of_the_prospect_never_gets_the_same_step_back(session_factory):
    save_rep_profile(session_factory, "T0001", "U0001", "Australia/Sydney")
    monday_la = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # Mon noon LA, Tue 7 am Sydney
    result = _log(session_factory, Outcome.NO_ANSWER, key="a", now=monday_la,
                  call_type=CallType.POST_VOICEMAIL, rep_tz="Australia/Sydney",
                  prospect_tz="America/Los_Angeles")
    [first] = _pending(session_factory)
    # The prospect's next business day (Tue 1 Dec in LA), at 4 pm there: Wed 11 am for
    # the rep in Sydney, so never back on the rep's own Tuesday.
    assert first.due_on == date(2026, 12, 1)
    sydney = first.window_start.astimezone(ZoneInfo("Australia/Sydney"))
    assert (sydney.date(), sydney.hour) == (date(2026, 12, 2), 11)
    tuesday_la = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # Wed 7 am in Sydney: it is due
    quick_log(session_factory, BOOK, team_id="T0001", user_id="U0001",
              rep_tz="Australia/Sydney", follow_up_id=first.id, outcome=Outcome.NO_ANSWER,
              now=tuesday_la)
    [nxt] = _pending(session_factory)
    assert nxt.due_on > first.due_on and nxt.step > first.step
    with session_factory() as session:
        assert session.get(FollowUp, first.id).status == "done"
    assert result.prospect.tz == "America/Los_Angeles"


def test_the_offered_call_type_continues_the_running_cadence(session_factory):
    first = _log(session_factory, Outcome.NO_ANSWER, key="a",
                 call_type=CallType.POST_VOICEMAIL)
    pid = first.prospect.id
    _log(session_factory, Outcome.NO_ANSWER, key="b", prospect_id=pid, explicit=False,
         now=WED.replace(day=26))
    with session_factory() as session:
        prospect = session.get(Prospect, pid)
        assert (prospect.cadence, prospect.call_attempts) == ("post_call", 2)
    _log(session_factory, Outcome.CONNECTED, key="c", prospect_id=pid,
         call_type=CallType.POST_DEMO, now=WED.replace(day=27))
    with session_factory() as session:
        prospect = session.get(Prospect, pid)
        assert (prospect.cadence, prospect.call_attempts) == ("post_demo", 0)


def test_a_connected_call_does_not_use_up_an_attempt(session_factory):
    first = _log(session_factory, Outcome.CONNECTED, key="a", call_type=CallType.POST_VOICEMAIL)
    assert first.attempt == 0 and first.next_touch.attempt == 1
    second = _log(session_factory, Outcome.NO_ANSWER, key="b", prospect_id=first.prospect.id,
                  call_type=CallType.POST_VOICEMAIL, now=WED.replace(day=26))
    assert second.attempt == 1 and second.next_touch.attempt == 2


def test_a_conversation_on_a_cold_sequence_moves_to_the_warm_one(session_factory):
    """Playbook: after a conversation, the recap now, then a warm sequence whose next touch
    comes at least 2 business days later (not the cold intro email the next day)."""
    result = _log(session_factory, Outcome.CONNECTED, key="a")  # Wed 25 Nov, cold call
    drafts = drafts_after_log(session_factory, DraftRenderer(), result, {}, is_final=False,
                              now=WED, windows=())
    assert [d.kind for d in drafts] == ["recap", "value_add"]
    [nxt] = _pending(session_factory)
    assert (nxt.channel, nxt.draft) == ("email", "value_add")
    assert nxt.due_on >= date(2026, 11, 27)  # two business days after Wednesday
    with session_factory() as session:
        prospect = session.get(Prospect, result.prospect.id)
        assert (prospect.cadence, prospect.cadence_started_on) == ("warm_post_call", WED.date())
    # A second conversation continues the warm sequence: no restart.
    _log(session_factory, Outcome.CONNECTED, key="b", prospect_id=result.prospect.id,
         explicit=False, now=datetime(2026, 11, 27, 19, tzinfo=UTC))
    with session_factory() as session:
        assert session.get(Prospect, result.prospect.id).cadence_started_on == WED.date()


def test_a_picked_date_wins_over_the_warm_sequence(session_factory):
    result = log_call(session_factory, LogCall(
        "T0001", "U0001", "America/New_York", CallType.SIGNAL_TRIGGERED, Outcome.CONNECTED,
        "a", new_prospect=NewProspect("Pat", tz="America/New_York"),
        next_date=date(2026, 11, 26), suggested_date=date(2026, 11, 30)), BOOK, WED)
    [nxt] = _pending(session_factory)
    assert result.overridden and nxt.due_on == date(2026, 11, 26)
