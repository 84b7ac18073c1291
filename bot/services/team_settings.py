"""The team's own settings: its holiday country (whose weekend and public holidays apply to
prospects without a country of their own; unset, HOLIDAY_COUNTRY's, else none).

Who may change it (a workspace admin or owner) is Slack's to say: the Slack layer asks
users.info on every change and calls :func:`set_holiday_country` only for them.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Team
from bot.services.countries import parse_country
from bot.services.uow import unit_of_work


def holiday_country(session_factory: sessionmaker[Session], team_id: str) -> str | None:
    """The team's stored holiday country ("US", "GB-SCT"), or None when it has none."""
    with unit_of_work(session_factory) as session:
        team = session.get(Team, team_id)
        return team.holiday_country if team else None


def set_holiday_country(session_factory: sessionmaker[Session], team_id: str,
                        text: str | None) -> str | None:
    """Store what an admin typed as the team's holiday country (a code or an English name,
    see :func:`~bot.services.countries.parse_country`); empty clears it. Returns the
    stored code (None when cleared). Raises UnknownCountry, and saves nothing, for text
    that names no country the holidays package knows."""
    code = parse_country(text)
    with unit_of_work(session_factory) as session:
        team = session.get(Team, team_id)
        if team is None:
            try:
                with session.begin_nested():
                    team = Team(id=team_id)
                    session.add(team)
            except IntegrityError:  # another request created it first
                team = session.get(Team, team_id, populate_existing=True)
        team.holiday_country = code
    return code
