"""Teams and reps: created on first contact, scoped by Slack team id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Rep, Team
from bot.services.uow import unit_of_work


def ensure_rep(session: Session, team_id: str, user_id: str, tz: str | None = None, *,
               default_tz: str = "UTC") -> Rep:
    """The rep row for (team, user), creating team and rep when first seen. ``tz`` (from
    Slack) replaces the stored zone; ``default_tz`` only applies to a new rep."""
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
            rep = Rep(team_id=team_id, slack_user_id=user_id, tz=tz or default_tz)
            session.add(rep)
    except IntegrityError:  # created by a concurrent request: use theirs, with our zone
        rep = session.scalars(
            select(Rep).where(Rep.team_id == team_id, Rep.slack_user_id == user_id)
        ).one()
        if tz and rep.tz != tz:
            rep.tz = tz
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


def deactivate_rep(session_factory: sessionmaker[Session], team_id: str, rep_id: int) -> None:
    """Slack says the user is gone (user_not_found, account_inactive, user_disabled)."""
    with unit_of_work(session_factory) as session:
        rep = session.scalar(select(Rep).where(Rep.id == rep_id, Rep.team_id == team_id))
        if rep is not None:
            rep.active = False
