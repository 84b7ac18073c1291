"""The one ownership guard for ids that come back from outside.

A button value, an option value, a modal's private_metadata and a draft-page link all carry
ids that the sender controls. Every service turns such an id into a row through
:func:`owned`, and nowhere else:

- follow-ups (the due-list items) and email drafts belong to the rep who owns them;
- prospects are shared by the team: search, logging and breakup emails stay team-wide;
- the holder of a draft-page link (signed: team + draft) may see and mark that one draft.

Anything else (another team's row, another rep's draft, an id that is not a positive
integer the database can hold) raises :class:`Refused`; its message is for the rep, and
nothing has been changed when it is raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import EmailDraft, FollowUp, Prospect, Rep
from bot.domain.model import FollowUpStatus
from bot.services.reps import find_rep

MAX_ID = 2**31 - 1  # id columns are 32-bit integers on PostgreSQL

Row = TypeVar("Row", EmailDraft, FollowUp, Prospect)

_WHAT = {EmailDraft: "draft", FollowUp: "follow-up", Prospect: "prospect"}
_GONE = {
    EmailDraft: "That draft no longer exists; nothing was changed.",
    FollowUp: "That follow-up doesn't exist any more; nothing was changed.",
    Prospect: "That prospect is not in this workspace any more; nothing was changed.",
}
_NOT_YOURS = "That {what} belongs to another rep; nothing was changed."
_DAMAGED = "That button's {what} isn't one I wrote; nothing was changed."
_UNKNOWN_REP = "You have no follow-ups with me yet; nothing was changed. Log a call first."


class Refused(Exception):
    """The request names something its sender may not touch. ``str(exc)`` is for them."""


@dataclass(frozen=True)
class Who:
    """Who is asking: a rep (team + Slack user) or the holder of a link to one draft."""

    team_id: str
    user_id: str | None = None
    link_draft_id: int | None = None

    @classmethod
    def rep(cls, team_id: str, user_id: str) -> Who:
        return cls(team_id, user_id=user_id)

    @classmethod
    def link(cls, team_id: str, draft_id: int) -> Who:
        return cls(team_id, link_draft_id=draft_id)


def is_id(raw: object) -> bool:
    """A positive int the id columns can hold (``True`` is not an id)."""
    return type(raw) is int and 0 < raw <= MAX_ID


def _rep(session: Session, who: Who) -> Rep | None:
    return find_rep(session, who.team_id, who.user_id)


def rep_of(session: Session, who: Who) -> Rep:
    """The asking rep's row; Refused for a link holder or a user who is not a rep yet."""
    rep = _rep(session, who)
    if rep is None:
        raise Refused(_UNKNOWN_REP)
    return rep


def owned(session: Session, who: Who, model: type[Row], raw_id: object) -> Row:
    """The row ``raw_id`` names, if ``who`` may act on it; else :class:`Refused`."""
    what = _WHAT[model]
    if not is_id(raw_id):
        raise Refused(_DAMAGED.format(what=what))
    row = session.scalar(select(model).where(model.id == raw_id,
                                             model.team_id == who.team_id))
    if row is None:
        raise Refused(_GONE[model])
    if model is Prospect:
        return row  # shared by the team
    if who.link_draft_id is not None:  # a draft link: that one draft, nothing else
        if model is EmailDraft and row.id == who.link_draft_id:
            return row
        raise Refused(_NOT_YOURS.format(what=what))
    rep = _rep(session, who)
    if rep is None or row.rep_id != rep.id:
        raise Refused(_NOT_YOURS.format(what=what))
    return row


# -- Taking over a prospect: the team shares it, but its open follow-ups are one rep's.

class HeldByAnother(Refused):
    """Another rep has open follow-ups with this prospect: logging a call on it takes them
    over, which the caller must confirm ("Take over"). ``str(exc)`` says whose they are."""


def _theirs(session: Session, prospect: Prospect, rep_id: int) -> list[FollowUp]:
    """The prospect's open follow-ups that belong to another rep than ``rep_id``."""
    return list(session.scalars(select(FollowUp).where(
        FollowUp.team_id == prospect.team_id, FollowUp.prospect_id == prospect.id,
        FollowUp.status == FollowUpStatus.PENDING.value, FollowUp.rep_id != rep_id,
    ).order_by(FollowUp.due_on, FollowUp.id)))


def _held_by(session: Session, prospect: Prospect, theirs: list[FollowUp]) -> str:
    """'Dana Whitfield is Riley's prospect with 2 open follow-ups.'"""
    holders = {f.rep_id for f in theirs}
    holder_id = prospect.owner_rep_id if prospect.owner_rep_id in holders else theirs[0].rep_id
    name = (session.scalar(select(Rep.name).where(Rep.id == holder_id)) or "").strip()
    whose = f"{name[:80]}'s" if name else "another rep's"
    count = f"{len(theirs)} open follow-up{'s' if len(theirs) != 1 else ''}"
    return (f"{prospect.name} is {whose} prospect with {count}. Tick \"Take over\" to log "
            "this call and move them to you.")


def take_over(session: Session, prospect: Prospect, rep_id: int, *, confirmed: bool) -> None:
    """The caller becomes the prospect's owner. Another rep's open follow-ups move along
    only when the caller ``confirmed``; otherwise HeldByAnother, and nothing moves."""
    theirs = _theirs(session, prospect, rep_id)
    if theirs and not confirmed:
        raise HeldByAnother(_held_by(session, prospect, theirs))
    for follow_up in theirs:
        follow_up.rep_id = rep_id
    prospect.owner_rep_id = rep_id


def held_by_another(session: Session, prospect: Prospect, rep: Rep | None) -> str | None:
    """What the log form asks before logging on this prospect, if anything: whose open
    follow-ups it has, when they are another rep's than ``rep`` (None: not a rep yet)."""
    theirs = _theirs(session, prospect, rep.id if rep is not None else -1)
    return _held_by(session, prospect, theirs) if theirs else None
