"""Snoozing a call whose time a sent voicemail email promised warns the rep."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.config import Settings
from bot.db.models import FollowUp
from bot.domain.model import CallType, Outcome
from bot.services.access import Who
from bot.services.cadences import load_cadence_book
from bot.services.calls import LogCall, NewProspect, log_call
from bot.services.draft_templates import DraftRenderer
from bot.services.drafts import drafts_after_log, mark_sent
from bot.services.due_items import snooze
from bot.services.reps import save_rep_profile
from bot.slack.due_list_view import snoozed_note

BOOK = load_cadence_book(Settings())
MON = datetime(2026, 11, 30, 15, tzinfo=UTC)  # Monday 10 am in New York
NY = "America/New_York"


def _voicemail(session_factory):
    save_rep_profile(session_factory, "T0001", "U0001", NY)
    result = log_call(session_factory, LogCall(
        "T0001", "U0001", NY, CallType.POST_VOICEMAIL, Outcome.VOICEMAIL, "k",
        new_prospect=NewProspect("Dana", "Acme", "dana@acme.example", tz=NY)), BOOK, MON)
    drafts = drafts_after_log(session_factory, DraftRenderer(), result, {}, is_final=False,
                              now=MON, windows=BOOK.windows, book=BOOK)
    with session_factory() as session:
        touch = session.scalars(select(FollowUp).where(FollowUp.status == "pending")).one()
    return next(d for d in drafts if d.kind == "voicemail"), touch


def test_snoozing_a_promised_call_warns(session_factory):
    voicemail, touch = _voicemail(session_factory)
    mark_sent(session_factory, BOOK, who=Who.rep("T0001", "U0001"), draft_id=voicemail.id,
              now=MON)
    moved = snooze(session_factory, BOOK, team_id="T0001", user_id="U0001",
                   follow_up_id=touch.id, choice="next_week", now=MON)
    assert moved.promised == touch.window_start
    note = snoozed_note(moved)
    assert "Your voicemail email promised a call" in note and "their time" in note
    promised_day = f"{touch.window_start.astimezone(ZoneInfo(NY)):%A}"
    assert f"promised a call {promised_day} at " in note


def test_no_warning_when_the_email_was_not_sent(session_factory):
    _, touch = _voicemail(session_factory)
    moved = snooze(session_factory, BOOK, team_id="T0001", user_id="U0001",
                   follow_up_id=touch.id, choice="tomorrow", now=MON)
    assert moved.promised is None and "promised" not in snoozed_note(moved)
