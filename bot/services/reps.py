"""Teams and reps: created on first contact, scoped by Slack team id."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Rep, Team
from bot.services.uow import read_only, unit_of_work


class UnconfirmedZone(str):
    """A zone Slack did not give (users.info failed or named none): the default, passed
    where a zone is expected. :func:`save_rep_profile` stores it as not known."""

    __slots__ = ()


def _set_zone(rep: Rep, tz: str) -> None:
    """Slack told us the rep's zone."""
    if rep.tz != tz:
        rep.tz = tz
    if not rep.tz_known:
        rep.tz_known = True


def find_rep(session: Session, team_id: str, user_id: str | None, *,
             for_update: bool = False) -> Rep | None:
    """The rep that is (team, Slack user), or None: the one lookup by Slack identity."""
    if user_id is None:
        return None
    query = select(Rep).where(Rep.team_id == team_id, Rep.slack_user_id == user_id)
    return session.scalar(query.with_for_update() if for_update else query)


def ensure_team(session: Session, team_id: str) -> None:
    """The team's row, created when first seen (by whichever request wins)."""
    if session.get(Team, team_id) is None:
        try:
            with session.begin_nested():
                session.add(Team(id=team_id))
        except IntegrityError:
            pass  # another request created it first


def ensure_rep(session: Session, team_id: str, user_id: str, tz: str | None = None, *,
               default_tz: str = "UTC") -> Rep:
    """The rep row for (team, user), creating team and rep when first seen. ``tz`` (from
    Slack) replaces the stored zone and makes it known; ``default_tz`` only applies to a
    new rep, whose zone then stays unknown (``tz_known`` False: no due list is claimed or
    skipped on a guessed local day) until Slack says."""
    rep = find_rep(session, team_id, user_id)
    if rep is not None:
        if tz:
            _set_zone(rep, tz)
        return rep
    ensure_team(session, team_id)
    try:
        with session.begin_nested():
            rep = Rep(team_id=team_id, slack_user_id=user_id, tz=tz or default_tz,
                      tz_known=bool(tz))
            session.add(rep)
    except IntegrityError:  # created by a concurrent request: use theirs, with our zone
        rep = find_rep(session, team_id, user_id)
        if tz:
            _set_zone(rep, tz)
    return rep


def rep_timezone(session_factory: sessionmaker[Session], team_id: str, user_id: str) -> str | None:
    with read_only(session_factory) as session:  # on SQLite: no wait for the write lock
        rep = find_rep(session, team_id, user_id)
        return rep.tz if rep else None


def save_rep_profile(session_factory: sessionmaker[Session], team_id: str, user_id: str,
                     tz: str, name: str | None = None) -> None:
    """What users.info said: the zone (known, unless it is an :class:`UnconfirmedZone`,
    which only applies to a new rep) and the name."""
    with unit_of_work(session_factory) as session:
        if isinstance(tz, UnconfirmedZone):
            rep = ensure_rep(session, team_id, user_id, default_tz=str(tz))
        else:
            rep = ensure_rep(session, team_id, user_id, tz)
        if name:
            rep.name = name[:255]


def deactivate_rep(session_factory: sessionmaker[Session], team_id: str, rep_id: int) -> None:
    """Slack says the user is gone (user_not_found, account_inactive, user_disabled). Not
    for ever: :func:`reactivate_rep` undoes it when they use the bot again."""
    with unit_of_work(session_factory) as session:
        rep = session.scalar(select(Rep).where(Rep.id == rep_id, Rep.team_id == team_id))
        if rep is not None:
            rep.active = False


def reactivate_rep(session_factory: sessionmaker[Session], team_id: str, user_id: str) -> bool:
    """The one place a rep comes back: they made a request, so they are not gone (one
    ``user_disabled`` answer is not a verdict). A read, and a write only for an inactive
    rep; never creates a rep. True when the rep was inactive and now is not."""
    where = (Rep.team_id == team_id, Rep.slack_user_id == user_id)
    with unit_of_work(session_factory) as session:
        if session.scalar(select(Rep.active).where(*where)) is not False:
            return False
        return session.execute(
            update(Rep).where(*where, Rep.active.is_(False)).values(active=True)
        ).rowcount == 1
