"""The 2-hour rule: a connected call whose recap is not marked sent gets one nudge."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Call, EmailDraft, Prospect, Rep
from bot.domain.model import Outcome
from bot.services.drafts import DraftRecord, stored_draft
from bot.services.uow import unit_of_work

WINDOW = timedelta(hours=24)  # past a day the recap's moment is gone: no late nudges


def nudges_due(session_factory: sessionmaker[Session], now: datetime,
               after: timedelta) -> list[tuple[int, str, str]]:
    """(draft id, team id, Slack user id) of recaps still unsent ``after`` the call."""
    with unit_of_work(session_factory) as session:
        rows = session.execute(
            select(EmailDraft.id, EmailDraft.team_id, Rep.slack_user_id)
            .join(Call, Call.id == EmailDraft.call_id)
            .join(Rep, Rep.id == EmailDraft.rep_id)
            .join(Prospect, Prospect.id == EmailDraft.prospect_id)
            .where(EmailDraft.template == "recap", EmailDraft.status == "draft",
                   Prospect.do_not_call.is_(False),
                   Prospect.status.not_in(["closed", "do_not_call"]),
                   EmailDraft.nudged_at.is_(None), Call.outcome == Outcome.CONNECTED.value,
                   Call.called_at <= now - after, Call.called_at > now - WINDOW,
                   Rep.active.is_(True))
            .order_by(EmailDraft.id)
        ).all()
    return [tuple(row) for row in rows]


def claim_nudge(session_factory, draft_id: int, now: datetime) -> DraftRecord | None:
    """Take the one nudge for this draft; None if another tick (or process) has it."""
    with unit_of_work(session_factory) as session:
        won = session.execute(
            update(EmailDraft).where(EmailDraft.id == draft_id, EmailDraft.nudged_at.is_(None))
            .values(nudged_at=now)).rowcount == 1
        team_id = session.scalar(select(EmailDraft.team_id).where(EmailDraft.id == draft_id))
    return stored_draft(session_factory, team_id, draft_id) if won else None
