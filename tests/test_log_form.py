"""The two use cases around log_call, as plain data on a real database: what the log form
opens with (one service, no Slack), and what follows a log (its drafts, once)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, func, select

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


def _selects(engine, run) -> list[tuple]:
    """The SELECT statements ``run()`` sends, with their parameters."""
    sent: list[tuple] = []

    def count(_conn, _cursor, statement, parameters, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sent


def test_the_everyday_form_is_one_select(session_factory, engine):
    """/logcall waits on this before the modal opens: the rep, the team, the typed
    prospect and whether someone else holds it come back in one statement. Only when
    another rep holds the prospect does the form ask who (two more)."""
    save_rep_profile(session_factory, "T0001", "U0001", DEFAULT, "Rita Rep")
    pat = _log(session_factory).prospect
    forms, selects = [], []
    for request in (FormRequest("T0001", "U0001", "Pat Lee, Initech"),
                    FormRequest("T0001", "U0001", prospect_id=pat.id),
                    FormRequest("T0001", "U0001"), FormRequest("T0009", "U0001", "Pat Lee"),
                    FormRequest("T0001", "U0009", "Pat Lee")):
        selects.append(len(_selects(
            engine, lambda r=request: forms.append(_form(session_factory, r)))))
    assert selects == [1, 1, 1, 2, 3]  # T0009 has no row: the calendar asks once more
    assert [f.prospect.id if f.prospect else None for f in forms] == [pat.id, pat.id, None,
                                                                      None, pat.id]
    assert forms[4].held_by is not None and not forms[4].rep_known  # U0009: not a rep yet


def test_a_name_two_prospects_share_preselects_neither(session_factory):
    first = _log(session_factory, key="a").prospect
    second = _log(session_factory, key="b").prospect  # a second "Pat Lee, Initech"
    assert first.id != second.id
    form = _form(session_factory, FormRequest("T0001", "U0001", "Pat Lee, Initech"))
    assert form.prospect is None and form.held_by is None
    assert form.call_type is CallType.COLD_CALL
    only_name = _form(session_factory, FormRequest("T0001", "U0001", "Pat Lee"))
    assert only_name.prospect is None


def test_someone_not_yet_a_rep_is_asked_to_take_over_too(session_factory):
    save_rep_profile(session_factory, "T0001", "U0001", DEFAULT, "Rita Rep")
    pat = _log(session_factory).prospect
    form = _form(session_factory, FormRequest("T0001", "U0042", "Pat Lee, Initech"))
    assert form.prospect.id == pat.id and not form.rep_known
    assert form.held_by == ("Pat Lee is Rita Rep's prospect with 1 open follow-up. Tick "
                            "\"Take over\" to log this call and move them to you.")


def _plan(engine, statement: str, parameters) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return "\n".join(str(row[-1]) for row in rows)
        connection.exec_driver_sql("SET enable_seqscan = off")  # a tiny table: as if big
        return "\n".join(row[0] for row in connection.exec_driver_sql(
            f"EXPLAIN {statement}", parameters))


def test_the_typed_prospect_is_found_by_index_not_by_reading_the_team(session_factory,
                                                                      engine):
    """A team of 10,000 reps has ~100,000 prospects: without the index every /logcall
    with a name read all of them (14-18 ms, docs/benchmarks.md)."""
    _log(session_factory)
    request = FormRequest("T0001", "U0001", "Pat Lee, Initech")
    [(statement, parameters)] = _selects(engine, lambda: _form(session_factory, request))
    assert "ix_prospects_team_id_name_key" in _plan(engine, statement, parameters)


def _reads(sent: list[tuple], table: str) -> int:
    return sum(f"FROM {table} " in " ".join(statement.split()) + " "
               for statement, _ in sent)


@pytest.mark.parametrize("outcome", [Outcome.NO_ANSWER, Outcome.DO_NOT_CALL])
def test_logging_reads_the_team_once_and_a_new_prospects_follow_ups_never(
        session_factory, engine, outcome):
    """A prospect this call creates can have no open follow-up (another rep's or any):
    none is looked for. The team's calendar is read once per call."""
    save_rep_profile(session_factory, "T0001", "U0001", DEFAULT, "Rita Rep")
    first = _selects(engine, lambda: _log(session_factory, outcome, key="a"))
    assert (_reads(first, "teams"), _reads(first, "follow_ups")) == (1, 0)
    pat = _form(session_factory, FormRequest("T0001", "U0001", "Pat Lee")).prospect
    again = _selects(engine, lambda: _log(session_factory, outcome, key="b",
                                          prospect_id=pat.id))
    assert _reads(again, "teams") == 1 and _reads(again, "follow_ups") >= 1
