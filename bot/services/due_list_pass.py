"""One sender's pass over the reps due a list: what to do for each, and doing it under the
pass's lease (claim, send, record; take over the runs of senders that stopped).

:func:`bot.services.due_list_sends.run_digest_tick` builds a :class:`Pass` and runs it; the
claims, leases and takeovers it relies on are in :mod:`bot.services.digest_runs`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import due_list as rules
from bot.domain.due_list import DigestSettings, RepRecord, RunRecord, TickReport
from bot.services.digest_runs import (
    Lease,
    claim,
    expired_runs,
    finish,
    record_skip,
    retake,
    take_over,
)
from bot.services.due_list_ahead import ListsAhead

log = logging.getLogger(__name__)
SessionFactory = sessionmaker[Session]
# send(rep, items, local_date, held=...) -> (channel, ts), or None when nothing was posted
Send = Callable[..., tuple[str, str] | None]
Plan = tuple[RepRecord, date, str]  # (rep, local date, 'send' or 'skip_past_cutoff')


class Pass:
    """One sender's pass: what to do for each rep, and doing it under the pass's lease."""

    def __init__(self, session_factory: SessionFactory, now: datetime,
                 stamp: Callable[[], datetime], settings_like: DigestSettings, send: Send,
                 lease: Lease, *, force: bool, send_now: bool, legacy_after: timedelta):
        self.sf, self.now, self.stamp = session_factory, now, stamp
        self.settings, self.send, self.lease = settings_like, send, lease
        self.force, self.send_now, self.legacy_after = force, send_now, legacy_after
        self.today: dict[int, date] = {}  # each rep's local date (see plan)
        # Reps left to another sender's live lease, and when to look at it again (rescue).
        self.left: dict[int, Plan] = {}
        self._rescued: list[tuple[Plan, RunRecord]] = []  # expired: one per worker visit
        self._lock = threading.Lock()
        self._next_rescue = stamp() + lease.length / 3
        self.max_calls = settings_like.max_call_attempts or 6
        self.lists = ListsAhead(session_factory, [], self.max_calls, now)  # see run()

    def plan(self, reps: list[RepRecord], report: TickReport) -> list[Plan]:
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

    def run(self, plans: list[Plan], existing: dict[tuple[int, date], RunRecord], *,
            workers: int, stop: Callable[[], bool] | None) -> list[TickReport]:
        """Handle every plan (``existing``: the runs already recorded, by rep and day),
        ``workers`` at once. Sends wait on Slack (and on the workspace's pace); a few at
        once keep the pace at the limit instead of at one round trip per rep. Claims keep
        it exactly-once. ``stop``: once it says yes, no new rep is handled. The lists of reps
        to claim are read a stretch at a time, in the plans' order (:class:`ListsAhead`)."""
        claims = [(rep, day) for rep, day, action in plans
                  if action == "send" and (rep.rep_id, day) not in existing]
        self.lists = ListsAhead(self.sf, claims, self.max_calls, self.now)

        def one(plan: Plan) -> TickReport:
            rep, day, action = plan
            if stop is not None and stop():
                return TickReport()
            part = self.handle(rep, day, action, existing.get((rep.rep_id, day)))
            if stop is None or not stop():
                part.add(self.rescue())
            return part

        todo, taking = iter(plans), threading.Lock()

        def work(_worker: int) -> TickReport:
            """The next plan, in order, until none is left: one report per worker."""
            done = TickReport()
            while True:
                with taking:
                    plan = next(todo, None)
                if plan is None:
                    return done
                done.add(one(plan))

        def drain(_worker: int) -> TickReport:
            done = TickReport()
            while (stop is None or not stop()) and (part := self._rescue_one()) is not None:
                done.add(part)
            return done

        if workers <= 1 or len(plans) <= 1:
            return [work(0), drain(0)]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="digest") as pool:
            parts = list(pool.map(work, range(workers)))
            return parts + list(pool.map(drain, range(workers)))

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
        worker comes by; each worker visit then takes over one rescued rep, so a dead
        sender's reps go out in parallel, and the pass's end drains what is left."""
        self._find_rescues()
        return self._rescue_one() or TickReport()

    def _find_rescues(self) -> None:
        with self._lock:
            now = self.stamp()
            if not self.left or now < self._next_rescue:
                return
            self._next_rescue = now + self.lease.length / 3
        try:
            expired = expired_runs(self.sf, now, legacy_after=self.legacy_after)
        except SQLAlchemyError:  # the next look, or the next pass, tries again
            log.exception("could not look for stopped senders' digest runs")
            return
        with self._lock:
            for run in expired:
                plan = self.left.get(run.rep_id)
                if plan is not None and plan[1] == run.local_date:
                    del self.left[run.rep_id]
                    self._rescued.append((plan, run))

    def _rescue_one(self) -> TickReport | None:
        """Take over one rescued rep's run (None when there is none)."""
        with self._lock:
            if not self._rescued:
                return None
            plan, run = self._rescued.pop(0)
        mine = TickReport()
        mine.in_progress -= 1  # it was counted as in progress elsewhere when left
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

        try:
            items = self.lists.list_for(rep, day)
            if not items and not self.settings.digest_when_empty and not self.force:
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
