"""Every touch comes with its words: an email touch's own draft, a LinkedIn touch's note.

One draft per touch (``email_drafts.follow_up_id`` is unique). It is written from the
prospect's latest notes the first time a due list that shows the touch is built for
sending (the morning DM, /followups, a refreshed list), then kept: the rep's edits
survive, and every later list offers the same draft. Building the list writes it, not
the first click, because a Copy button with PUBLIC_URL is a link to the draft's page,
and a link needs the draft to exist. ``followup-bot digest --preview`` writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.db.models import EmailDraft, FollowUp, Prospect, Rep
from bot.domain.asks import ask_context
from bot.domain.cadence import default_draft
from bot.domain.drafts import EMAIL_STEP_DRAFTS, NOTE_DRAFTS
from bot.domain.due_list import DueItem
from bot.domain.model import Channel, FollowUpStatus
from bot.domain.send_time import send_window
from bot.domain.timing import WorkHours, local_date
from bot.services.draft_templates import DraftRenderer
from bot.services.drafts import latest_notes, write_draft
from bot.services.uow import unit_of_work


def touch_kind(channel: str, draft: str | None) -> str | None:
    """The words a touch comes with: an email touch's step draft (the channel's default
    when its step named none), a LinkedIn touch's note; a call has none."""
    if channel == Channel.EMAIL.value:
        return draft if draft in EMAIL_STEP_DRAFTS else default_draft(Channel.EMAIL)
    if channel == Channel.LINKEDIN.value:
        return draft if draft in NOTE_DRAFTS else default_draft(Channel.LINKEDIN)
    return None


def touch_drafts(session_factory, renderer: DraftRenderer, *, team_id: str,
                 items: Sequence[DueItem], now: datetime) -> list[DueItem]:
    """``items`` with each email and LinkedIn touch's own draft: the one already written,
    else one written now from the prospect's latest notes, then kept (the rep's edits
    survive). Safe to run from two processes, or twice at once: the unique follow_up_id
    decides, and the loser reads the winner's draft."""
    result = []
    for item in items:
        if item.draft_id is None and touch_kind(item.channel, item.draft) is not None:
            item = replace(item, draft_id=_touch_draft(session_factory, renderer, team_id,
                                                       item.follow_up_id, now))
        result.append(item)
    return _send_times(session_factory, team_id, result, now)


def _send_times(session_factory, team_id: str, items: list[DueItem],
                now: datetime) -> list[DueItem]:
    """Each email touch with the best time to send it on its day (today, once overdue:
    bot.domain.send_time, inside its rep's hours) and its draft's reminder, if set."""
    emails = [item.follow_up_id for item in items if item.channel == Channel.EMAIL.value]
    if not emails:
        return items
    with unit_of_work(session_factory) as session:
        rows = session.execute(
            select(FollowUp.id, Rep.tz, Rep.work_start, Rep.work_end, Rep.working_days,
                   EmailDraft.remind_at)
            .join(Rep, Rep.id == FollowUp.rep_id)
            .outerjoin(EmailDraft, EmailDraft.follow_up_id == FollowUp.id)
            .where(FollowUp.team_id == team_id, FollowUp.id.in_(emails))).all()
    found = {row[0]: row for row in rows}
    result = []
    for item in items:
        row = found.get(item.follow_up_id) if item.channel == Channel.EMAIL.value else None
        if row is not None:
            _, rep_tz, start, end, days, remind_at = row
            hours = WorkHours(start or time(8), end or time(18), days or "12345")
            day = max(item.due_on, local_date(now, item.prospect_tz))
            slot = send_window(day, prospect_tz=item.prospect_tz, rep_tz=rep_tz, hours=hours,
                               now=now)
            item = replace(item, send_start=slot.start if slot else None,
                           send_end=slot.end if slot else None, remind_at=remind_at)
        result.append(item)
    return result


def _touch_draft(session_factory, renderer: DraftRenderer, team_id: str, follow_up_id: int,
                 now: datetime) -> int | None:
    """The touch's draft id: written now, or (having lost the race) the one written a
    moment ago. None when the touch no longer wants one (handled, do-not-call)."""
    try:
        with unit_of_work(session_factory) as session:
            touch = session.scalar(select(FollowUp).where(
                FollowUp.id == follow_up_id, FollowUp.team_id == team_id))
            kind = touch and touch_kind(touch.channel, touch.draft)
            if not kind or touch.status != FollowUpStatus.PENDING.value:
                return None
            prospect = session.get(Prospect, touch.prospect_id)
            if prospect.do_not_call:
                return None
            notes, call_id = latest_notes(session, prospect)
            ask = ask_context(local_date(now, prospect.tz), retry_at=None,
                              prospect_tz=prospect.tz)
            rep = session.get(Rep, touch.rep_id)
            return write_draft(session, renderer, kind, prospect, rep, notes, ask, call_id,
                               follow_up_id=touch.id).id
    except IntegrityError:  # written a moment ago (another list, another process)
        pass
    with unit_of_work(session_factory) as session:
        draft = session.scalar(select(EmailDraft).where(
            EmailDraft.follow_up_id == follow_up_id, EmailDraft.team_id == team_id))
        if draft is None:
            return None
        touch = session.get(FollowUp, follow_up_id)
        if draft.status == "draft" and draft.rep_id != touch.rep_id:
            draft.rep_id = touch.rep_id  # the touch was taken over: its words go with it
        return draft.id
