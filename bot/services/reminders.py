""""Remind me then": the rep asks to be reminded of a cadence email's draft at its best
send time; the bot's own tick DMs the draft as it is then (edits included), once, and not
at all once it is marked sent. Not Slack's chat.scheduleMessage: that would freeze the
text at the click and could not be taken back when the email goes out earlier.

A draft belongs to its rep: the id from the click goes through
:func:`bot.services.access.owned`. The tick claims a due reminder atomically (it clears
``remind_at`` where it still holds the due value), so two ticks or two processes DM once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import EmailDraft, Prospect, Rep
from bot.services.access import Refused, Who, owned
from bot.services.drafts import DraftRecord, stored_draft
from bot.services.uow import unit_of_work

AHEAD = timedelta(days=8)  # a reminder is for a touch on the list: within about a week
LATE = timedelta(hours=12)  # a moment already past (the list was old): remind at once


class ReminderRefused(Refused):
    """The reminder cannot be set (sent already, or a time that is no send time)."""


def set_reminder(session_factory: sessionmaker[Session], *, who: Who, draft_id: object,
                 at: datetime, now: datetime) -> tuple[DraftRecord, datetime]:
    """Remind ``who`` of the draft at ``at`` (a moment just past means on the next tick).
    Returns the draft and the reminder's time. Refused for a sent draft or a time that is
    not within the next week."""
    with unit_of_work(session_factory) as session:
        draft = owned(session, who, EmailDraft, draft_id)
        if draft.status != "draft":
            raise ReminderRefused("That email is already marked as sent: no reminder needed.")
        if not now - LATE <= at <= now + AHEAD:
            raise ReminderRefused("That send time has gone by; refresh the list for today's.")
        draft.remind_at = max(at, now)
        when = draft.remind_at
        prospect = session.get(Prospect, draft.prospect_id)
        team_id, record_id = prospect.team_id, draft.id
    return stored_draft(session_factory, team_id, record_id), when


def cancel_reminder(session_factory: sessionmaker[Session], *, who: Who,
                    draft_id: object) -> DraftRecord:
    """No reminder for this draft any more."""
    with unit_of_work(session_factory) as session:
        draft = owned(session, who, EmailDraft, draft_id)
        draft.remind_at = None
        team_id, record_id = draft.team_id, draft.id
    return stored_draft(session_factory, team_id, record_id)


def change_reminder(session_factory: sessionmaker[Session], *, who: Who, draft_id: object,
                    at: datetime | None, now: datetime) -> DraftRecord:
    """The one button "Remind me then" / "Cancel reminder": a reminder at ``at``
    (:func:`set_reminder`), or none any more when ``at`` is None. Returns the draft."""
    if at is None:
        return cancel_reminder(session_factory, who=who, draft_id=draft_id)
    return set_reminder(session_factory, who=who, draft_id=draft_id, at=at, now=now)[0]


def reminders_due(session_factory: sessionmaker[Session],
                  now: datetime) -> list[tuple[int, str, str, datetime]]:
    """(draft id, team id, Slack user id, remind_at) of unsent drafts whose reminder is due
    (the partial index ix_email_drafts_remind_at keeps this scan small)."""
    with unit_of_work(session_factory) as session:
        rows = session.execute(
            select(EmailDraft.id, EmailDraft.team_id, Rep.slack_user_id, EmailDraft.remind_at)
            .join(Rep, Rep.id == EmailDraft.rep_id)
            .join(Prospect, Prospect.id == EmailDraft.prospect_id)
            .where(EmailDraft.remind_at.is_not(None), EmailDraft.remind_at <= now,
                   EmailDraft.status == "draft", Prospect.do_not_call.is_(False),
                   Rep.active.is_(True))
            .order_by(EmailDraft.remind_at, EmailDraft.id)
        ).all()
    return [tuple(row) for row in rows]


def claim_reminder(session_factory: sessionmaker[Session], draft_id: int,
                   due: datetime) -> DraftRecord | None:
    """Take the one reminder of this draft (still set to ``due``, still unsent); None if
    another tick has it, the rep moved it, or the email went out meanwhile."""
    with unit_of_work(session_factory) as session:
        won = session.execute(
            update(EmailDraft).where(EmailDraft.id == draft_id, EmailDraft.remind_at == due,
                                     EmailDraft.status == "draft")
            .values(remind_at=None)).rowcount == 1
        team_id = session.scalar(select(EmailDraft.team_id).where(EmailDraft.id == draft_id))
    return stored_draft(session_factory, team_id, draft_id) if won else None
