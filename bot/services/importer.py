"""Import prospects from a CRM export (HubSpot, Salesforce): all or nothing, idempotent.

Two passes over the file, each streamed and handled in batches (memory stays bounded by
the batch, plus one key per row for the in-file duplicate checks):
1. check every row (bad rows, warnings) and count what would happen; a dry run stops
   here, and so does a file with any bad row;
2. write, in one transaction: new prospects for the rep, each on the cadence of the call
   type with its first touch (bot.services.first_touches), and the do-not-call and
   email-opt-out flags of prospects already present (set, never cleared).

Already present, in the team: the same email (any case); else the same name and company
(search keys) when the row or the stored prospect has no email. A row without an email
whose name and company an earlier row of the file had is imported once (a warning).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import FollowUp, Prospect, Rep
from bot.domain.crm_import import Row
from bot.domain.model import CallType, Channel, FollowUpStatus, ProspectStatus
from bot.domain.text import search_key
from bot.services.cadences import CadenceBook
from bot.services.first_touches import FirstTouches
from bot.services.import_reading import (  # noqa: F401 - the import's public names
    FileFacts,
    ImportFileError,
    Opener,
    batches,
    bytes_source,
    file_source,
    read_rows,
)
from bot.services.import_values import resolve_place
from bot.services.reps import ensure_rep, find_rep
from bot.services.uow import unit_of_work


@dataclass(frozen=True)
class ImportRequest:
    team_id: str
    rep_user_id: str
    call_type: CallType = CallType.COLD_CALL
    per_day: int = 20
    mapping: Mapping[str, str] = field(default_factory=dict)  # crm_import.parse_mapping
    default_tz: str = "UTC"  # a rep the bot has not met yet (DEFAULT_TIMEZONE)


@dataclass(frozen=True)
class Problem:
    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text}"


@dataclass
class ImportReport:
    rows: int = 0
    new: int = 0
    present: int = 0
    bad: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    unknown_columns: tuple[str, ...] = ()
    delimiter: str = ","
    marked_do_not_call: int = 0  # already present, now do-not-call (the file says so)
    marked_opt_out: int = 0  # already present, now opted out of email
    written: bool = False
    first_touches: int = 0
    first_day: date | None = None  # rep-local days of the first touches written
    last_day: date | None = None

    def summary(self) -> str:
        warnings = len(self.warnings)
        return (f"{self.new} new, {self.present} already present, {len(self.bad)} bad, "
                f"{warnings} warning{'' if warnings == 1 else 's'}")


def _keys(row: Row) -> tuple[str, str]:
    return search_key(row.name)[:255], search_key(row.company)[:255]


def _email(value: str | None) -> str | None:
    return value.strip().lower() if value else None


def _present(session: Session, team_id: str, rows: list[Row]) -> dict[int, Prospect]:
    """{line: the team's prospect this row already is}, two queries for the batch."""
    emails = {_email(row.email) for row in rows if row.email}
    by_email: dict[str, Prospect] = {}
    if emails:
        for prospect in session.scalars(select(Prospect).where(
                Prospect.team_id == team_id, func.lower(Prospect.email).in_(emails))
                .order_by(Prospect.id)):
            by_email.setdefault(_email(prospect.email), prospect)
    by_keys: dict[tuple[str, str], list[Prospect]] = {}
    for prospect in session.scalars(select(Prospect).where(
            Prospect.team_id == team_id,
            Prospect.name_key.in_({_keys(row)[0] for row in rows})).order_by(Prospect.id)):
        by_keys.setdefault((prospect.name_key, prospect.company_key), []).append(prospect)
    found = {}
    for row in rows:
        match = by_email.get(_email(row.email)) if row.email else None
        if match is None:
            match = next((p for p in by_keys.get(_keys(row), ())
                          if not row.email or not p.email), None)
        if match is not None:
            found[row.line] = match
    return found


class _Seen:
    """The in-file checks: an email twice is a bad row; a row without an email whose name
    and company came before is the same prospect (imported once, with a warning), unless
    it says do-not-call or opt-out where the first did not (a bad row: which is right?)."""

    def __init__(self) -> None:
        self.emails: dict[str, int] = {}
        self.keys: dict[tuple[str, str], tuple[int, bool, bool]] = {}

    def email_twice(self, row: Row) -> int | None:
        if not row.email:
            return None
        first = self.emails.setdefault(_email(row.email), row.line)
        return first if first != row.line else None

    def repeated(self, row: Row) -> tuple[int, bool] | None:
        """(the first line, whether the flags agree) for a repeat; None otherwise."""
        flags = (row.do_not_call, row.email_opt_out)
        first, *first_flags = self.keys.setdefault(_keys(row), (row.line, *flags))
        if first == row.line or row.email:
            return None
        return first, tuple(first_flags) == flags


def _check(session_factory: sessionmaker[Session], opener: Opener, request: ImportRequest,
           report: ImportReport, facts: FileFacts) -> None:
    seen = _Seen()
    with unit_of_work(session_factory) as session:
        rep = find_rep(session, request.team_id, request.rep_user_id)
        rep_tz = rep.tz if rep else request.default_tz
        for batch in batches(read_rows(opener, request.mapping, facts)):
            report.rows += len(batch)
            good, repeats = [], {}
            for line, row, problems in batch:
                twice = seen.email_twice(row) if row else None
                repeat = seen.repeated(row) if row and not problems else None
                if twice is not None:
                    problems = [f"the same email as line {twice}"]
                elif repeat is not None and not repeat[1]:
                    problems = [f"the same name and company as line {repeat[0]}, without an "
                                "email, but other Do Not Call / Email Opt Out values"]
                if problems:
                    report.bad.append(Problem(line, "; ".join(problems)))
                else:
                    good.append(row)
                    repeats[line] = repeat
            present = _present(session, request.team_id, good)
            for row in good:
                report.warnings.extend(Problem(row.line, text)
                                       for text in resolve_place(row, rep_tz)[2])
                if repeats[row.line] is not None:
                    report.warnings.append(Problem(row.line, "the same name and company as "
                                                   f"line {repeats[row.line][0]} and no email: "
                                                   "imported once"))
                    report.present += 1
                elif row.line in present:
                    report.present += 1
                    _count_marks(present[row.line], row, report)
                else:
                    report.new += 1
        session.expunge_all()  # a check writes nothing


def _count_marks(prospect: Prospect, row: Row, report: ImportReport) -> None:
    report.marked_do_not_call += bool(row.do_not_call and not prospect.do_not_call)
    report.marked_opt_out += bool(row.email_opt_out and not prospect.email_opt_out)


def _mark(session: Session, prospect: Prospect, row: Row, now: datetime) -> None:
    """The file's do-not-call and opt-out flags for a prospect already present: set, with
    the touches they forbid cancelled; never cleared (a CRM that forgot is no consent)."""
    pending = update(FollowUp).where(
        FollowUp.team_id == prospect.team_id, FollowUp.prospect_id == prospect.id,
        FollowUp.status == FollowUpStatus.PENDING.value,
    ).values(status=FollowUpStatus.CANCELLED.value, completed_at=now)
    if row.do_not_call and not prospect.do_not_call:
        prospect.do_not_call = True
        prospect.status = ProspectStatus.DO_NOT_CALL.value
        session.execute(pending)
    if row.email_opt_out and not prospect.email_opt_out:
        prospect.email_opt_out = True
        session.execute(pending.where(FollowUp.channel == Channel.EMAIL.value))


def _new_prospect(row: Row, rep: Rep) -> Prospect:
    tz, country, _ = resolve_place(row, rep.tz)
    name_key, company_key = _keys(row)
    return Prospect(
        team_id=rep.team_id, owner_rep_id=rep.id, name=row.name, company=row.company,
        email=row.email, phone=row.phone, title=row.title, tz=tz, country=country,
        name_key=name_key, company_key=company_key, do_not_call=row.do_not_call,
        email_opt_out=row.email_opt_out, call_attempts=0,
        status=(ProspectStatus.DO_NOT_CALL if row.do_not_call else ProspectStatus.ACTIVE).value)


def _plan_each_query(session: Session) -> None:
    """PostgreSQL: plan every query of this transaction afresh. The tables grow by
    thousands of rows inside it, and a prepared statement's generic plan, chosen while they
    were small, would scan them on every row (quadratic time)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


_CHANGED = "the file changed while it was being imported; nothing was imported"


def _write(session_factory: sessionmaker[Session], book: CadenceBook, opener: Opener,
           request: ImportRequest, now: datetime, report: ImportReport,
           checked: FileFacts) -> None:
    seen, again = _Seen(), FileFacts()
    cadence = book.for_call_type(request.call_type)
    with unit_of_work(session_factory) as session, session.no_autoflush:
        _plan_each_query(session)
        rep = ensure_rep(session, request.team_id, request.rep_user_id,
                         default_tz=request.default_tz)
        session.flush()
        rep_id = rep.id
        touches = FirstTouches(session, book, rep, cadence, request.per_day, now)
        for batch in batches(read_rows(opener, request.mapping, again)):
            rows = [row for _, row, _ in batch]
            if None in rows:
                raise ImportFileError(_CHANGED)
            present = _present(session, request.team_id, rows)
            new = []
            for row in rows:
                if seen.repeated(row) is not None:
                    continue
                if row.line in present:
                    _mark(session, present[row.line], row, now)
                    continue
                prospect = _new_prospect(row, rep)
                new.append((prospect, None if row.do_not_call else touches.plan(prospect)))
            session.add_all(prospect for prospect, _ in new)
            session.flush()  # ids for the touches' keys; one multi-row insert
            for prospect, touch in new:
                if touch is not None:
                    touches.write(prospect, touch)
                    report.first_touches += 1
            session.flush()
            session.expunge_all()  # bounded memory: this batch's rows are in the database
            rep = session.get(Rep, rep_id)
            touches.rebind(session, rep)
        if again.fingerprint.digest() != checked.fingerprint.digest():
            raise ImportFileError(_CHANGED)  # rolls the whole import back
    if touches.days:
        report.first_day, report.last_day = min(touches.days), max(touches.days)
    report.written = True


def import_prospects(session_factory: sessionmaker[Session], book: CadenceBook,
                     opener: Opener, request: ImportRequest, now: datetime, *,
                     dry_run: bool = False) -> ImportReport:
    """Check the whole file, then (not a dry run, no bad row) write it in one transaction.
    Raises :class:`ImportFileError` for a file that cannot be read at all."""
    report, facts = ImportReport(), FileFacts()
    try:
        _check(session_factory, opener, request, report, facts)
    finally:
        report.delimiter, report.unknown_columns = facts.delimiter, facts.unknown_columns
    if not dry_run and not report.bad:
        _write(session_factory, book, opener, request, now, report, facts)
    return report
