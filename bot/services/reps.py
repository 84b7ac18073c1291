"""Teams and reps: created on first contact, scoped by Slack team id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Rep, Team
from bot.services.uow import unit_of_work


def ensure_rep(session: Session, team_id: str, user_id: str, tz: str | None = None) -> Rep:
    """The rep row for (team, user), creating team and rep when first seen."""
    rep = session.scalar(
        select(Rep).where(Rep.team_id == team_id, Rep.slack_user_id == user_id)
    )
    if rep is not None:
        if tz and rep.tz != tz:
            rep.tz = tz
        return rep
    if session.get(Team, team_id) is None:
        try:
            with session.begin_nested():
                session.add(Team(id=team_id))
        except IntegrityError:
            pass  # another request created it first
    try:
        with session.begin_nested():
            rep = Rep(team_id=team_id, slack_user_id=user_id, tz=tz or "UTC")
            session.add(rep)
    except IntegrityError:
        rep = session.scalars(
            select(Rep).where(Rep.team_id == team_id, Rep.slack_user_id == user_id)
        ).one()
    return rep


def rep_timezone(session_factory: sessionmaker[Session], team_id: str, user_id: str) -> str | None:
    with unit_of_work(session_factory) as session:
        return session.scalar(
            select(Rep.tz).where(Rep.team_id == team_id, Rep.slack_user_id == user_id)
        )


def save_rep_profile(session_factory: sessionmaker[Session], team_id: str, user_id: str,
                     tz: str, name: str | None = None) -> None:
    with unit_of_work(session_factory) as session:
        rep = ensure_rep(session, team_id, user_id, tz)
        if name:
            rep.name = name[:255]
