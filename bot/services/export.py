"""CSV exports (RFC 4180 through the csv module): cells a spreadsheet would run as a
formula are escaped (bot.domain.csv_cells), and the import strips the escape again.

The prospects export uses the import's headers (bot.domain.crm_import) plus the owner, so
its file imports cleanly into another database: ``followup-bot import FILE --rep U...``.
Calls and touches (bot.services.export_activity) are for spreadsheets and BI tools.

Every export is one team's rows, streamed (``yield_per``): tens of thousands of rows are
never in memory at once. A date range (``since``/``until``, inclusive) means the rep's own
calendar, as everywhere in the bot: one UTC range per rep time zone, so the database
does the filtering and a call at 23:30 in New York counts on that New York day.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TextIO

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Prospect, Rep
from bot.domain.csv_cells import escape_cell
from bot.domain.timing import day_bounds
from bot.services.uow import unit_of_work

PROSPECT_HEADERS = ("First Name", "Last Name", "Email", "Phone Number", "Company Name",
                    "Job Title", "Time Zone", "Country", "Do Not Call", "Email Opt Out",
                    "Owner")
STREAM = 1000  # rows fetched at a time


def csv_writer(out: TextIO):
    """RFC 4180: comma, double quotes where needed (doubled inside), CRLF line ends."""
    return csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def cells(values: Iterable[object]) -> list[str]:
    """One row's cells: None as empty, everything else as text, every one escaped."""
    return [escape_cell("" if value is None else str(value)) for value in values]


def utc_text(moment: datetime | None) -> str:
    """ISO 8601 in UTC with ``Z``, to the second (``2026-11-26T04:30:00Z``); empty for
    none. Every spreadsheet and BI tool reads it, and it sorts as text."""
    return "" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_range(since: date | None, until: date | None) -> None:
    if since is not None and until is not None and until < since:
        raise ValueError(f"--until {until} is before --since {since}")


def on_rep_days(session: Session, team_id: str, instant, since: date | None,
                until: date | None) -> ColumnElement[bool]:
    """``instant`` (a UTC column) falls on a day from ``since`` to ``until`` (inclusive,
    either open) in the time zone of the ``Rep`` joined to the query. One UTC range per
    zone the team's reps use (a handful), from bot.domain.timing.day_bounds, so a day
    of 23 or 25 hours is exact and the rows still stream from the database."""
    if since is None and until is None:
        return true()
    ranges = []
    zones = session.scalars(select(Rep.tz).where(Rep.team_id == team_id).distinct())
    for tz in zones:
        conditions = [Rep.tz == tz]
        if since is not None:
            conditions.append(instant >= day_bounds(since, tz)[0])
        if until is not None:
            conditions.append(instant < day_bounds(until, tz)[1])
        ranges.append(and_(*conditions))
    return or_(*ranges) if ranges else false()


def split_name(name: str) -> tuple[str, str]:
    """First and last name for a CRM: the first word, and the rest (exactly: the import
    joins them with one space, giving the stored name back)."""
    first, _, last = name.partition(" ")
    return first, last


def _yes(flag: bool | None) -> str:
    return "Yes" if flag else "No"


def export_prospects(session_factory: sessionmaker[Session], team_id: str, out: TextIO, *,
                     since: date | None = None, until: date | None = None) -> int:
    """Write the team's prospects to ``out``, oldest first; returns how many. ``since`` /
    ``until``: added on those days (the owner's local date)."""
    check_range(since, until)
    writer = csv_writer(out)
    writer.writerow(PROSPECT_HEADERS)
    count = 0
    with unit_of_work(session_factory) as session:
        rows = session.execute(
            select(Prospect, Rep.slack_user_id)
            .join(Rep, Rep.id == Prospect.owner_rep_id)
            .where(Prospect.team_id == team_id,
                   on_rep_days(session, team_id, Prospect.created_at, since, until))
            .order_by(Prospect.id)
            .execution_options(yield_per=STREAM))
        for prospect, owner in rows:
            first, last = split_name(prospect.name)
            writer.writerow(cells((
                first, last, prospect.email, prospect.phone, prospect.company,
                prospect.title, prospect.tz, prospect.country, _yes(prospect.do_not_call),
                _yes(prospect.email_opt_out), owner)))
            count += 1
            if count % STREAM == 0:
                session.expunge_all()
    return count
