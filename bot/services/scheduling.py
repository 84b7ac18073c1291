"""Where a touch lands and when: the business calendar of a prospect, the appointment both
people can keep, and the one writer of follow-up rows.

The rules themselves are pure (bot.domain.timing, bot.domain.calendar); this module
loads what they need (zones, countries, working hours) and stores the decision.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import FollowUp, Prospect, Rep, Team
from bot.domain.cadence import Touch, guard_schedule
from bot.domain.calendar import BusinessCalendar
from bot.domain.model import Channel, FollowUpStatus
from bot.domain.timing import (
    Appointment,
    Parties,
    WorkHours,
    appoint_call,
    appoint_rep_day,
    local_date,
    whole_day,
)
from bot.services.cadences import CadenceBook


@functools.lru_cache(maxsize=256)
def country_calendar(country: str | None, years: tuple[int, ...]) -> BusinessCalendar:
    """The weekend and public holidays of ``country`` ("US", "AE", "GB-SCT") in ``years``;
    Saturday-Sunday without holidays when there is none."""
    if not country:
        return BusinessCalendar()
    import holidays

    code, _, subdiv = country.partition("-")
    days = holidays.country_holidays(code, subdiv=subdiv or None, years=years)
    return BusinessCalendar(weekend=frozenset(days.weekend), holidays=frozenset(days))


def calendar_for(book: CadenceBook, *, prospect_country: str | None,
                 team_country: str | None, around: date) -> BusinessCalendar:
    """Whose business days a touch follows: the prospect's country, else the team's, else
    HOLIDAY_COUNTRY, else Saturday-Sunday. ``around`` picks the years loaded."""
    country = prospect_country or team_country or book.holiday_country
    return country_calendar(country, (around.year, around.year + 1))


def parties_for(session: Session, book: CadenceBook, prospect: Prospect, rep: Rep,
                around: date) -> Parties:
    team = session.get(Team, prospect.team_id)
    calendar = calendar_for(book, prospect_country=prospect.country,
                            team_country=team.holiday_country if team else None,
                            around=around)
    hours = WorkHours(rep.work_start or time(8), rep.work_end or time(18),
                      rep.working_days or "12345")
    return Parties(prospect.tz, rep.tz, calendar, tuple(book.windows), hours)


def rep_working_day(rep: Rep, day: date, *, after: int = 0) -> date:
    """The rep's ``after``-th working day after ``day`` (``day`` itself, or the next
    working day, when ``after`` is 0)."""
    days = rep.working_days or "12345"
    count = after
    while True:
        if str(day.isoweekday()) in days:
            if count == 0:
                return day
            count -= 1
        day += timedelta(days=1)


def place(touch: Touch, parties: Parties, now: datetime, *,
          picked: date | None = None) -> tuple[Touch, Appointment]:
    """The touch with its appointment. A call gets a window on its business day in the
    prospect's calendar (see bot.domain.timing.appoint_call); an email or LinkedIn touch
    that whole day. ``picked`` is a rep-local day the rep chose: it wins."""
    is_call = touch.channel is Channel.CALL
    if picked is not None:
        appointment = appoint_rep_day(picked, parties, not_before=now, call=is_call)
    elif is_call:
        appointment = appoint_call(touch.due_on, parties, not_before=now)
    else:
        day = parties.calendar.roll_forward(touch.due_on)
        appointment = whole_day(day, parties.prospect_tz)
    return replace(touch, due_on=appointment.day), appointment


def schedule(session: Session, book: CadenceBook, prospect: Prospect, rep: Rep, touch: Touch,
             now: datetime, *, call_id: int | None, key: str,
             picked: date | None = None, fresh: bool = False) -> tuple[FollowUp, Appointment]:
    """The only way a follow-up row is written: the appointment is chosen here, once, and
    stored. Refuses do-not-call prospects; a touch already pending (same step, channel and
    day) is not written twice. ``fresh``: the prospect was inserted in this transaction
    (an import), so none of theirs can be pending and that lookup is skipped."""
    guard_schedule(prospect.do_not_call)
    parties = parties_for(session, book, prospect, rep, local_date(now, prospect.tz))
    touch, appointment = place(touch, parties, now, picked=picked)
    same = None if fresh else session.scalar(select(FollowUp).where(
        FollowUp.team_id == prospect.team_id, FollowUp.prospect_id == prospect.id,
        FollowUp.status == FollowUpStatus.PENDING.value, FollowUp.step == touch.step,
        FollowUp.channel == touch.channel.value, FollowUp.due_on == touch.due_on))
    if same is not None:
        return same, stored_appointment(same)
    follow_up = FollowUp(
        team_id=prospect.team_id, prospect_id=prospect.id, rep_id=rep.id, call_id=call_id,
        due_on=touch.due_on, step=touch.step, purpose=touch.purpose[:255],
        channel=touch.channel.value, status=FollowUpStatus.PENDING.value,
        attempt_number=touch.attempt, idempotency_key=key, draft=touch.draft,
        window_start=appointment.start, window_end=appointment.end,
        outside_hours=appointment.outside_hours)
    session.add(follow_up)
    return follow_up, appointment


def reschedule(session: Session, book: CadenceBook, follow_up: FollowUp, prospect: Prospect,
               rep: Rep, now: datetime, *, picked: date) -> Appointment:
    """Move a pending touch to the rep-local day ``picked`` (snooze), with a new window."""
    parties = parties_for(session, book, prospect, rep, picked)
    appointment = appoint_rep_day(picked, parties, not_before=now,
                                  call=follow_up.channel == Channel.CALL.value)
    follow_up.due_on = appointment.day
    follow_up.window_start, follow_up.window_end = appointment.start, appointment.end
    follow_up.outside_hours = appointment.outside_hours
    return appointment


def stored_appointment(follow_up: FollowUp) -> Appointment:
    """The appointment a follow-up row holds (as it was decided when scheduled)."""
    if follow_up.window_start is None or follow_up.window_end is None:  # pragma: no cover
        raise ValueError(f"follow-up {follow_up.id} has no stored window")
    return Appointment(follow_up.window_start, follow_up.window_end, follow_up.due_on,
                       follow_up.outside_hours)
