"""The morning due list: who gets it now, and a pass that sends it (bot.services.due_list_pass).

The database decides who sends: see :mod:`bot.services.digest_runs` for the once-a-day
claim, the lease a sender holds on it, and what happens when a sender stops mid-pass."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Rep
from bot.domain.due_list import DigestSettings, RepRecord, TickReport
from bot.services.digest_runs import LEGACY_STALE, Lease, existing_runs
from bot.services.due_list import due_list_for  # noqa: F401 - also imported from here (bench)
from bot.services.due_list_pass import Pass, Send
from bot.services.reps import save_rep_profile
from bot.services.uow import unit_of_work

log = logging.getLogger(__name__)
SessionFactory = sessionmaker[Session]
ZoneLookup = Callable[[RepRecord], str | None]  # Slack's zone for the rep, None if unknown
MAX_ZONE_LOOKUPS = 20  # users.info calls per pass for reps whose zone is not known yet


def reps_to_consider(session_factory: SessionFactory, now: datetime) -> list[RepRecord]:
    """Active reps with the digest turned on (every zone: the decision is per rep)."""
    with unit_of_work(session_factory) as session:
        rows = session.execute(
            select(Rep.id, Rep.team_id, Rep.slack_user_id, Rep.tz, Rep.workday_start,
                   Rep.working_days, Rep.tz_known)
            .where(Rep.active.is_(True), Rep.digest_enabled.is_(True)).order_by(Rep.id)
        ).all()
    return [RepRecord(*row) for row in rows]


def run_digest_tick(session_factory: SessionFactory, now: datetime, *,
                    settings_like: DigestSettings, send: Send, force: bool = False,
                    only_users: set[str] | None = None, ignore_schedule: bool = False,
                    clock: Callable[[], datetime] | None = None, workers: int = 1,
                    stop: Callable[[], bool] | None = None, lease: Lease | None = None,
                    legacy_after: timedelta = LEGACY_STALE,
                    resolve_zone: ZoneLookup | None = None) -> TickReport:
    """One pass over every rep: claim and send where it is time, record past-cut-off skips,
    take over the runs of senders that stopped.

    ``send(rep, items, local_date, held=...)`` posts the DM and returns (channel, ts), or
    None when it posted nothing (recorded as 'skipped'); it must not post once ``held()``
    is False (raise LeaseLost). An exception is recorded as 'failed'; a SendLater is tried
    again by a later pass. ``force`` is the admin's explicit resend: it ignores the time of
    day and working days, always calls ``send`` (even with an empty list), and when a run
    already exists it sends anyway and records nothing new. ``ignore_schedule``
    (``digest --now``) sends to every rep now, still at most once per rep and local date,
    and also for a day recorded as skipped or empty. ``now`` decides who is due; ``clock``
    stamps claims and leases when they are taken (a long pass must not make its own late
    claims look abandoned). ``lease`` holds this pass's runs (a fresh owner and
    :data:`~bot.services.digest_runs.LEASE` by default). ``resolve_zone(rep)`` asks Slack
    for the zone of a rep whose zone is not known yet (None: still unknown; nothing is
    recorded for that rep). ``workers`` reps are handled at once (``send`` must then be
    thread-safe). ``stop`` is asked before each rep: once it says yes, no new claim is
    taken (shutdown). A rep left to another sender whose lease runs out while this pass
    still goes on is taken over by this pass (see :meth:`bot.services.due_list_pass.Pass.rescue`).
    """
    stamp = clock or (lambda: now)
    lease = lease or Lease(session_factory, stamp)
    report = TickReport()
    reps = [rep for rep in reps_to_consider(session_factory, now)
            if only_users is None or rep.slack_user_id in only_users]
    reps = _known_zones(session_factory, reps, resolve_zone, report)
    sender = Pass(session_factory, now, stamp, settings_like, send, lease,
                  force=force, send_now=ignore_schedule, legacy_after=legacy_after)
    plans = sender.plan(reps, report)
    with lease.kept():
        sender.close_abandoned(reps, report)
        existing = existing_runs(session_factory, [(rep, day) for rep, day, _ in plans])
        parts = sender.run(plans, existing, workers=workers, stop=stop)
    for part in parts:
        report.add(part)
    return report


def _known_zones(session_factory: SessionFactory, reps: list[RepRecord],
                 resolve: ZoneLookup | None, report: TickReport) -> list[RepRecord]:
    """The reps whose zone is known, after asking Slack about up to MAX_ZONE_LOOKUPS of the
    others. Nothing is ever recorded on a guessed zone: the default zone can name another
    local day than the rep's, and a claim or skip on that day would lose the real one."""
    known, lookups = [], 0
    for rep in reps:
        zone = None
        if not rep.tz_known and resolve is not None and lookups < MAX_ZONE_LOOKUPS:
            lookups += 1
            try:
                zone = resolve(rep)
            except Exception:  # noqa: BLE001 - still unknown; the next pass asks again
                log.exception("could not look up the time zone of rep %s", rep.rep_id)
            if zone:
                save_rep_profile(session_factory, rep.team_id, rep.slack_user_id, zone)
                rep = dataclasses.replace(rep, tz=zone, tz_known=True)
        if rep.tz_known:
            known.append(rep)
        else:
            report.zone_unknown += 1
    return known


