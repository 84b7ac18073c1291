"""The two use cases around log_call, as plain data on a real database: what the log form
opens with (one service, no Slack), and what follows a log (its drafts, once)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from bot.config import Settings
from bot.db.models import EmailDraft, Prospect, Rep
from bot.domain.model import CallType, Notes, Outcome
from bot.domain.prefill import Prefill
from bot.domain.timing import local_date
from bot.services.cadences import load_cadence_book
from bot.services.calls import LogCall, NewProspect, log_call
from bot.services.draft_templates import DraftRenderer
from bot.services.log_form import FormRequest, after_log, open_log_form
from bot.services.reps import save_rep_profile

BOOK = load_cadence_book(Settings())
WED = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)  # Wednesday afternoon in New York
DEFAULT = "America/New_York"
NO_NOTES = Notes()


def _form(sf, request: FormRequest, *, now=WED):
    return open_log_form(sf, BOOK, request, now=now, default_tz=DEFAULT)


def _log(sf, outcome=Outcome.NO_ANSWER, *, user="U0001", key="a", prospect_id=None,
         call_type=CallType.COLD_CALL, explicit=True, take_over=False, notes=NO_NOTES):
    new = None if prospect_id else NewProspect("Pat Lee", "Initech", "pat@initech.example",
                                                tz="America/Chicago")
    return log_call(sf, LogCall("T0001", user, DEFAULT, call_type, outcome, key,
                                prospect_id=prospect_id, new_prospect=new, notes=notes,
                                call_type_explicit=explicit, take_over=take_over), BOOK, WED)


def _count(sf, model) -> int:
    with sf() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_rep_seen_first_gets_the_default_zone_and_nothing_is_written(session_factory):
    form = _form(session_factory, FormRequest("T0001", "U0001", "Dana Whitfield, Acme"))
    assert form.prefill == Prefill("Dana Whitfield", "Acme")
    assert (form.rep_tz, form.rep_known) == (DEFAULT, False)
    assert form.prospect is None and form.held_by is None
    assert form.call_type is CallType.COLD_CALL
    assert form.suggested is not None and form.suggested >= date(2026, 11, 25)
    assert _count(session_factory, Rep) == 0 and _count(session_factory, Prospect) == 0


def test_a_known_rep_gets_their_own_zone(session_factory):
    save_rep_profile(session_factory, "T0001", "U0001", "Europe/Berlin", "Rita Rep")
    form = _form(session_factory, FormRequest("T0001", "U0001"))
    assert (form.rep_tz, form.rep_known) == ("Europe/Berlin", True)


def test_the_typed_name_preselects_the_prospect_and_the_suggestion_is_what_logging_gives(
        session_factory):
    first = _log(session_factory, call_type=CallType.POST_DEMO)
    form = _form(session_factory, FormRequest("T0001", "U0001", "pat lee, INITECH"))
    assert form.prospect is not None and form.prospect.id == first.prospect.id
    assert form.call_type is CallType.POST_DEMO  # continues the running cadence
    # Logging "no answer" with the type left as offered lands on the suggested day.
    second = _log(session_factory, key="b", prospect_id=first.prospect.id,
                  call_type=form.call_type, explicit=False)
    assert local_date(second.appointment.start, form.rep_tz) == form.suggested


def test_a_due_items_prospect_is_preselected_only_inside_the_team(session_factory):
    pat = _log(session_factory).prospect
    assert _form(session_factory, FormRequest("T0001", "U0001", prospect_id=pat.id)) \
        .prospect.id == pat.id
    other_team = _form(session_factory, FormRequest("T0002", "U0001", prospect_id=pat.id))
    assert other_team.prospect is None and other_team.held_by is None


def test_another_reps_prospect_asks_to_take_over(session_factory):
    save_rep_profile(session_factory, "T0001", "U0001", DEFAULT, "Rita Rep")
    pat = _log(session_factory).prospect
    theirs = _form(session_factory, FormRequest("T0001", "U0002", prospect_id=pat.id))
    assert theirs.held_by is not None and "Rita Rep's prospect" in theirs.held_by
    assert _form(session_factory, FormRequest("T0001", "U0001", prospect_id=pat.id)) \
        .held_by is None


def test_after_a_log_its_drafts_are_written_once(session_factory):
    result = _log(session_factory, Outcome.VOICEMAIL,
                  notes=Notes(resource_promised="the logistics case study"))
    notes = Notes(resource_promised="the logistics case study").as_dict()
    follow = after_log(session_factory, DraftRenderer(), BOOK, result, notes, now=WED)
    assert "voicemail" in [draft.kind for draft in follow.drafts]
    assert any("case study" in draft.body for draft in follow.drafts)
    again = after_log(session_factory, DraftRenderer(), BOOK, result, notes, now=WED)
    assert again.drafts == []
    assert _count(session_factory, EmailDraft) == len(follow.drafts)
