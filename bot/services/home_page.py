"""What a user's App Home shows, as plain data: one service call per drawing.

Their follow-ups (overdue, today, the next 7 days), their settings, the team's holiday
country, and for a manager the team's numbers this week so far. Whether the user is a
workspace admin is Slack's to say: the caller asks it and passes it in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.domain.insights import Period, iso_week, week_label
from bot.domain.timing import local_date
from bot.services.insights import TeamReport, team_report
from bot.services.prospects import HomeData, home_for
from bot.services.rep_settings import RepSettings, digest_settings
from bot.services.reports import manager_ids
from bot.services.team_settings import holiday_country


@dataclass(frozen=True)
class HomePage:
    data: HomeData
    settings: RepSettings
    holiday_team: str | None  # the team's holiday country; None: the bot's default
    admin: bool
    managers: tuple[str, ...]  # everyone who gets the team report
    team: TeamReport | None  # this week so far, for a manager


def home_page(session_factory: sessionmaker[Session], settings: Settings, *, team_id: str,
              user_id: str, now: datetime, admin: bool) -> HomePage:
    data = home_for(session_factory, team_id, user_id, now)
    managers = tuple(manager_ids(session_factory, settings, team_id))
    team = None
    if user_id in managers:
        today = local_date(now, data.rep_tz)
        week = iso_week(week_label(today))
        team = team_report(session_factory, team_id, Period(week.start, today, week.label),
                           as_of=today)
    return HomePage(data, digest_settings(session_factory, team_id, user_id),
                    holiday_country(session_factory, team_id), admin, managers, team)
