"""CSV exports (RFC 4180 through the csv module): cells a spreadsheet would run as a
formula are escaped (bot.domain.csv_cells), and the import strips the escape again.

The prospects export uses the import's headers (bot.domain.crm_import) plus the owner, so
its file imports cleanly into another database: ``followup-bot import FILE --rep U...``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Prospect, Rep
from bot.domain.csv_cells import escape_cell
from bot.services.uow import unit_of_work

PROSPECT_HEADERS = ("First Name", "Last Name", "Email", "Phone Number", "Company Name",
                    "Job Title", "Time Zone", "Country", "Do Not Call", "Email Opt Out",
                    "Owner")
STREAM = 1000  # rows fetched at a time


def csv_writer(out: TextIO):
    """RFC 4180: comma, double quotes where needed (doubled inside), CRLF line ends."""
    return csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def _cells(values: Iterable[object]) -> list[str]:
    return [escape_cell("" if value is None else str(value)) for value in values]


def split_name(name: str) -> tuple[str, str]:
    """First and last name for a CRM: the first word, and the rest (exactly: the import
    joins them with one space, giving the stored name back)."""
    first, _, last = name.partition(" ")
    return first, last


def _yes(flag: bool | None) -> str:
    return "Yes" if flag else "No"


def export_prospects(session_factory: sessionmaker[Session], team_id: str, out: TextIO) -> int:
    """Write the team's prospects to ``out``, oldest first; returns how many."""
    writer = csv_writer(out)
    writer.writerow(PROSPECT_HEADERS)
    count = 0
    with unit_of_work(session_factory) as session:
        rows = session.execute(
            select(Prospect, Rep.slack_user_id)
            .join(Rep, Rep.id == Prospect.owner_rep_id)
            .where(Prospect.team_id == team_id)
            .order_by(Prospect.id)
            .execution_options(yield_per=STREAM))
        for prospect, owner in rows:
            first, last = split_name(prospect.name)
            writer.writerow(_cells((
                first, last, prospect.email, prospect.phone, prospect.company,
                prospect.title, prospect.tz, prospect.country, _yes(prospect.do_not_call),
                _yes(prospect.email_opt_out), owner)))
            count += 1
            if count % STREAM == 0:
                session.expunge_all()
    return count
