"""The morning due list: who gets it now, and the pass that sends it.

The database decides who sends: see :mod:`bot.services.digest_runs` for the once-a-day
claim, the lease a sender holds on it, and what happens when a sender stops mid-pass."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.db.models import Rep
from bot.domain import digest as rules
from bot.domain.digest import DigestSettings, RepRecord, RunRecord, TickReport
from bot.services.digest_runs import (
    LEGACY_STALE,
    Lease,
    claim,
    existing_runs,
    expired_runs,
    finish,
    record_skip,
    retake,
    take_over,
)
from bot.services.due_list import due_list_for  # also imported from here (queue, bench)
from bot.services.reps import save_rep_profile
from bot.services.uow import unit_of_work

log = logging.getLogger(__name__)
SessionFactory = sessionmaker[Session]
# send(rep, items, local_date, held=...) -> (channel, ts), or None when nothing was posted
Send = Callable[..., tuple[str, str] | None]
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
    still goes on is taken over by this pass (see ``_Pass.rescue``).
    """
    stamp = clock or (lambda: now)
    lease = lease or Lease(session_factory, stamp)
    report = TickReport()
    reps = [rep for rep in reps_to_consider(session_factory, now)
            if only_users is None or rep.slack_user_id in only_users]
    reps = _known_zones(session_factory, reps, resolve_zone, report)
    sender = _Pass(session_factory, now, stamp, settings_like, send, lease,
                   force=force, send_now=ignore_schedule, legacy_after=legacy_after)
    plans = sender.plan(reps, report)
    with lease.kept():
        sender.close_abandoned(reps, report)
        existing = existing_runs(session_factory, [(rep, day) for rep, day, _ in plans])

        def handle(plan: tuple[RepRecord, date, str]) -> TickReport:
            rep, day, action = plan
            if stop is not None and stop():
                return TickReport()
            part = sender.handle(rep, day, action, existing.get((rep.rep_id, day)))
            if stop is None or not stop():
                part.add(sender.rescue())
            return part

        # Sends wait on Slack (and on the workspace limiter); a few at once keep the pace
        # at the limit instead of at one round trip per rep. Claims keep it exactly-once.
        if workers <= 1 or len(plans) <= 1:
            parts = [handle(plan) for plan in plans]
        else:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="digest") as pool:
                parts = list(pool.map(handle, plans))
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


class _Pass:
    """One sender's pass: what to do for each rep, and doing it under the pass's lease."""

    def __init__(self, session_factory: SessionFactory, now: datetime,
                 stamp: Callable[[], datetime], settings_like: DigestSettings, send: Send,
                 lease: Lease, *, force: bool, send_now: bool, legacy_after: timedelta):
        self.sf, self.now, self.stamp = session_factory, now, stamp
        self.settings, self.send, self.lease = settings_like, send, lease
        self.force, self.send_now, self.legacy_after = force, send_now, legacy_after
        self.today: dict[int, date] = {}  # each rep's local date (see plan)
        # Reps this pass left to another sender's live lease (see rescue), and when to look
        # at their leases next.
        self.left: dict[int, tuple[RepRecord, date, str]] = {}
        self._lock = threading.Lock()
        self._next_rescue = stamp() + lease.length / 3

    def plan(self, reps: list[RepRecord], report: TickReport
             ) -> list[tuple[RepRecord, date, str]]:
        """(rep, local date, 'send' or 'skip_past_cutoff') for the reps this pass acts on."""
        plans = []
        for rep in reps:
            decision = _decide(rep, self.now, self.settings, report)
            if decision is None:
                continue
            self.today[rep.rep_id] = decision.local_date
            action = "send" if self.force or self.send_now else decision.action
            if action in ("send", "skip_past_cutoff"):
                plans.append((rep, decision.local_date, action))
            report.waiting += action == "wait"
            report.off_day += action == "skip_not_working_day"
        return plans

    def handle(self, rep: RepRecord, day: date, action: str,
               run: RunRecord | None) -> TickReport:
        mine = TickReport()
        try:
            if run is None:
                self._first(rep, day, action, mine)
            else:
                self._again(rep, day, action, run, mine)
        except Exception:  # noqa: BLE001 - one rep's database trouble must not stop the rest
            log.exception("digest for rep %s on %s could not be handled", rep.rep_id, day)
            mine.failed += 1
        return mine

    def _first(self, rep: RepRecord, day: date, action: str, report: TickReport) -> None:
        """No run yet for that day: record the skip, or claim and send."""
        if action == "skip_past_cutoff":
            if record_skip(self.sf, rep.team_id, rep.rep_id, day, self.stamp(),
                           "past the cut-off before the digest could go out"):
                report.skipped += 1
            else:
                self._leave(rep, day, action, report)  # another sender was a moment faster
            return
        run_id = claim(self.sf, rep.team_id, rep.rep_id, day, self.stamp(),
                       owner=self.lease.owner, lease_until=self.lease.until())
        if run_id is None and not self.force:
            self._leave(rep, day, action, report)  # another sender claimed it a moment ago
            return
        self.deliver(rep, day, run_id, report)

    def _again(self, rep: RepRecord, day: date, action: str, run: RunRecord,
               report: TickReport) -> None:
        """The day has a run already: take it over, retry it, resend it, or leave it."""
        verdict = rules.run_verdict(run, self.stamp(), send_now=self.send_now,
                                    legacy_after=self.legacy_after)
        if verdict == "take_over":
            self._take_over(rep, day, action, run, report)
        elif self.force:
            self.deliver(rep, day, None, report)  # the admin's resend records nothing new
        elif verdict in ("retry", "resend") and action == "send":
            if retake(self.sf, run, self.stamp(), owner=self.lease.owner,
                      lease_until=self.lease.until()):
                report.retried += verdict == "retry"
                self.deliver(rep, day, run.id, report)
            else:
                self._leave(rep, day, action, report)  # another sender took it first
        elif verdict == "in_progress":
            self._leave(rep, day, action, report)  # a live sender holds it
        else:  # it stands (so does a retry or resend past the cut-off)
            earlier = verdict if verdict.endswith("_earlier") else f"{run.status}_earlier"
            setattr(report, earlier, getattr(report, earlier) + 1)

    def _take_over(self, rep: RepRecord, day: date, action: str, run: RunRecord,
                   report: TickReport) -> None:
        """The run's sender stopped (its lease ran out): finish its work, or close the day
        once it is past the cut-off. A run never records a ts without its final status, so
        an open run has posted nothing we know of (see digest_runs: the one honest gap)."""
        outcome = take_over(self.sf, run.id, self.stamp(), owner=self.lease.owner,
                            lease_until=self.lease.until(), legacy_after=self.legacy_after)
        if outcome != "taken":
            if outcome == "given_up":  # it stopped every sender that tried: closed as failed
                report.failed += 1
            else:
                self._leave(rep, day, action, report)  # another sender took it over first
            return
        report.resumed += 1
        if action == "send":
            self.deliver(rep, day, run.id, report)
        else:
            finish(self.sf, run.id, status="skipped", now=self.stamp(), owner=self.lease.owner,
                   error="interrupted before sending; not resumed before the cut-off")
            report.skipped += 1

    def _leave(self, rep: RepRecord, day: date, action: str, report: TickReport) -> None:
        """Another sender holds the rep's run: in progress elsewhere, unless it stops."""
        report.in_progress += 1
        with self._lock:
            self.left[rep.rep_id] = (rep, day, action)

    def rescue(self) -> TickReport:
        """Take over the runs this pass left to another sender whose lease has since run
        out: it stopped mid-pass (killed, frozen), and its reps must not wait for this
        pass, which may be long, to end. Looks every third of a lease, from whichever
        worker comes by; each rep rescued moves from in progress to its real outcome."""
        mine = TickReport()
        with self._lock:
            now = self.stamp()
            if not self.left or now < self._next_rescue:
                return mine
            self._next_rescue = now + self.lease.length / 3
        try:
            expired = expired_runs(self.sf, now, legacy_after=self.legacy_after)
        except SQLAlchemyError:  # the next look, or the next pass, tries again
            log.exception("could not look for stopped senders' digest runs")
            return mine
        for run in expired:
            with self._lock:
                plan = self.left.get(run.rep_id)
                if plan is None or plan[1] != run.local_date:
                    continue
                del self.left[run.rep_id]
            mine.in_progress -= 1
            try:
                self._take_over(*plan, run, mine)
            except Exception:  # noqa: BLE001 - as in handle
                log.exception("taking over digest run %s failed", run.id)
                mine.failed += 1
        return mine

    def close_abandoned(self, reps: list[RepRecord], report: TickReport) -> None:
        """Runs of stopped senders for a day already gone in the rep's zone: take them over
        and close them as skipped. Today's are left to the rep's plan (sent while the day
        may still be sent); reps outside this pass are left alone."""
        by_id = {rep.rep_id: rep for rep in reps}
        for run in expired_runs(self.sf, self.stamp(), legacy_after=self.legacy_after):
            if run.rep_id not in self.today or run.local_date >= self.today[run.rep_id]:
                continue
            try:
                self._take_over(by_id[run.rep_id], run.local_date, "skip", run, report)
            except Exception:  # noqa: BLE001 - as in handle
                log.exception("closing abandoned digest run %s failed", run.id)
                report.failed += 1

    def deliver(self, rep: RepRecord, day: date, run_id: int | None,
                report: TickReport) -> None:
        """Build the list and post it; record the outcome on ``run_id`` when there is one."""
        def record(status: str, **values: str | None) -> None:
            if run_id is not None:
                finish(self.sf, run_id, status=status, now=self.stamp(),
                       owner=self.lease.owner, **values)

        settings = self.settings
        try:
            items = due_list_for(self.sf, rep.team_id, rep.rep_id, day,
                                 settings.max_call_attempts or 6, now=self.now, rep_tz=rep.tz)
            if not items and not settings.digest_when_empty and not self.force:
                record("empty")
                report.empty += 1
                return
            if not self.lease.held():
                raise rules.LeaseLost(f"lease of {self.lease.owner} ran out")
            posted = self.send(rep, items, day, held=self.lease.held)
        except rules.LeaseLost as exc:  # nothing posted; the run is (or will be) taken over
            log.warning("digest for rep %s on %s not sent: %s", rep.rep_id, day, exc)
            report.in_progress += 1
            return
        except rules.SendLater as exc:  # nothing was posted: a later pass may try again
            log.warning("digest for rep %s on %s not sent yet: %s", rep.rep_id, day, exc)
            record("failed", error=f"{rules.RETRY_PREFIX}{exc}"[:255])
            report.failed += 1
            return
        except Exception as exc:  # noqa: BLE001 - recorded on the run; the fan-out goes on
            log.exception("digest for rep %s on %s failed", rep.rep_id, day)
            record("failed", error=f"{type(exc).__name__}: {exc}")
            report.failed += 1
            return
        if posted is None:
            record("skipped", error="the notifier posted nothing")
            report.skipped += 1
            return
        report.sent += 1  # it is out, whatever happens to the record
        try:
            record("sent", channel=posted[0], ts=posted[1])
        except SQLAlchemyError:  # the honest gap (digest_runs): a taker may post it again
            log.exception("digest for rep %s on %s was posted (ts %s) but not recorded",
                          rep.rep_id, day, posted[1])


def _decide(rep: RepRecord, now: datetime, settings_like: DigestSettings,
            report: TickReport) -> rules.Decision | None:
    try:
        return rules.digest_decision(now, rep.tz, rep.workday_start, rep.working_days,
                                     settings_like.digest_cutoff)
    except (ValueError, KeyError):  # an unknown zone name: ZoneInfoNotFoundError
        log.exception("rep %s has an unusable time zone %r", rep.rep_id, rep.tz)
        report.failed += 1
        return None
