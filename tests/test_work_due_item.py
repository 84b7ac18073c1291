"""Working a due item is one use case that returns plain data
(bot.services.due_items.work_due_item); the rep's reply is built from that data alone
(bot.slack.due_list_view.worked_note). Against a real database."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.db.models import Call, FollowUp
from bot.domain.model import CallType, Outcome
from bot.services.access import Refused
from bot.services.cadences import load_cadence_book
from bot.services.calls import LogCall, NewProspect, log_call
from bot.services.due_items import DueAction, StaleItem, Verb, work_due_item
from bot.services.reps import save_rep_profile
from bot.slack.due_list_view import worked_note

BOOK = load_cadence_book(Settings())
MON = datetime(2026, 11, 30, 15, tzinfo=UTC)  # Monday 10 am in New York
NY = "America/New_York"


def _touch(session_factory, *, name="Dana", call_type=CallType.POST_VOICEMAIL) -> int:
    """A rep (U0001) with one open touch on a new prospect: its id."""
    save_rep_profile(session_factory, "T0001", "U0001", NY)
    log_call(session_factory, LogCall(
        "T0001", "U0001", NY, call_type, Outcome.NO_ANSWER, f"seed-{name}",
        new_prospect=NewProspect(name, "Acme", f"{len(name)}@acme.example", tz=NY)), BOOK, MON)
    with session_factory() as session:
        return session.scalars(select(FollowUp.id).where(FollowUp.status == "pending")).one()


def _state(session_factory):
    with session_factory() as session:
        return (session.scalar(select(func.count(Call.id))),
                sorted(session.execute(select(FollowUp.id, FollowUp.status,
                                              FollowUp.window_start)).all()))


def test_one_click_log_returns_the_call_the_post_log_dm_needs(session_factory):
    touch = _touch(session_factory)
    click = DueAction("T0001", "U0001", touch, Verb.LOG, outcome=Outcome.CONNECTED)
    worked = work_due_item(session_factory, BOOK, click, MON)
    assert (worked.prospect_name, worked.logged.outcome, worked.logged.duplicate) == (
        "Dana", Outcome.CONNECTED, False)
    assert worked.prospect_id == worked.logged.prospect.id
    assert worked.logged.rep_tz == NY  # the rep's stored zone, asked by no one else
    assert worked_note(worked) == ":white_check_mark: Logged connected with Dana."
    with pytest.raises(StaleItem, match="already handled"):
        work_due_item(session_factory, BOOK, replace(click, outcome=Outcome.VOICEMAIL), MON)


def test_log_details_names_the_prospect_and_changes_nothing(session_factory):
    touch = _touch(session_factory)
    before = _state(session_factory)
    worked = work_due_item(session_factory, BOOK,
                           DueAction("T0001", "U0001", touch, Verb.DETAILS), MON)
    assert (worked.prospect_name, worked.logged) == ("Dana", None)
    assert worked.prospect_id is not None
    assert _state(session_factory) == before


def test_snooze_skip_and_done_say_what_moved(session_factory):
    touch = _touch(session_factory)
    snoozed = work_due_item(session_factory, BOOK, DueAction(
        "T0001", "U0001", touch, Verb.SNOOZE, choice="3bd"), MON)
    assert snoozed.snoozed.day == date(2026, 12, 3)  # Mon + 3 of the rep's working days
    assert worked_note(snoozed) == ":zzz: Snoozed Dana to Thu 3 Dec."
    skipped = work_due_item(session_factory, BOOK,
                            DueAction("T0001", "U0001", touch, Verb.SKIP), MON)
    assert skipped.next_day is not None
    assert worked_note(skipped).startswith(":fast_forward: Skipped this step with Dana. "
                                           "Next touch: ")
    with session_factory() as session:
        email = session.scalars(select(FollowUp.id).where(
            FollowUp.status == "pending")).one()
    done = work_due_item(session_factory, BOOK,
                         DueAction("T0001", "U0001", email, Verb.DONE), MON)
    assert worked_note(done) == ":white_check_mark: Done: Dana."


def test_the_note_escapes_the_prospects_name(session_factory):
    touch = _touch(session_factory, name="<Dana & Co>")
    worked = work_due_item(session_factory, BOOK,
                           DueAction("T0001", "U0001", touch, Verb.DONE), MON)
    assert worked_note(worked) == ":white_check_mark: Done: &lt;Dana &amp; Co&gt;."


@pytest.mark.parametrize("click, says", [
    (DueAction("T0001", "U0002", None, Verb.DONE), "belongs to another rep"),
    (DueAction("T0001", "U0001", None, Verb.SNOOZE, choice="someday"), "Unknown snooze"),
    (DueAction("T0001", "U0001", None, Verb.LOG), "names no outcome"),
    (DueAction("T0001", "U0001", 2**31, Verb.SKIP), "isn't one I wrote"),
    (DueAction("T0001", "U0001", 7777, Verb.SKIP), "doesn't exist any more"),
], ids=["another-reps", "unknown-snooze", "no-outcome", "damaged-id", "gone"])
def test_refused_clicks_change_nothing(session_factory, click, says):
    touch = _touch(session_factory)
    save_rep_profile(session_factory, "T0001", "U0002", NY)
    if click.follow_up_id is None:
        click = replace(click, follow_up_id=touch)
    before = _state(session_factory)
    with pytest.raises(Refused, match=says):
        work_due_item(session_factory, BOOK, click, MON)
    assert _state(session_factory) == before
