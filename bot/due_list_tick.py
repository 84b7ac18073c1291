"""The morning due lists' pass as a job, and what the fan-out process builds to run it.

:class:`DueListTick` is one pass (a sender with its own lease: bot.services.due_list_sends)
with the notifier that posts each list. The bot's scheduler (bot.scheduler.Jobs) runs it on
a thread, ``digest --now`` once, and ``followup-bot run`` in the fan-out process
(bot.fanout), which builds it with :func:`fanout_tick`: its own database pool, Slack client
and :class:`SendDeps`, and nothing else. Not the Bolt app, its listeners or the scheduler:
the process that sends thousands of lists only holds what sending them needs (its memory
counts in the bot's total; docs/benchmarks.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, system_clock
from bot.config import Settings, draft_secret
from bot.domain.due_list import TickReport
from bot.services.cadences import CadenceBook, load_cadence_book
from bot.services.digest_runs import Lease
from bot.services.draft_templates import DraftRenderer
from bot.services.due_list_sends import run_digest_tick
from bot.slack.client import make_client
from bot.slack.notifier import DigestNotifier, bulk_limiter

log = logging.getLogger(__name__)
SEND_WORKERS = 8  # DMs in flight at once; the workspace limiter sets the pace


@dataclass(frozen=True)
class DigestRules:
    digest_cutoff: time
    digest_when_empty: bool
    max_call_attempts: int
    call_windows: tuple


@dataclass(frozen=True)
class SendDeps:
    """What sending due lists reads of the app's dependencies (bot.app.Deps, by the same
    names: the notifier and the list message take either)."""

    settings: Settings
    session_factory: sessionmaker[Session]
    clock: Clock
    cadences: CadenceBook
    renderer: DraftRenderer
    draft_secret: str


class DueListTick:
    """One pass over every rep (see bot.services.due_list_sends.run_digest_tick) that posts
    with ``notifier``; ``lease``: how long its claims stay its own without a renewal."""

    def __init__(self, deps, client, notifier: DigestNotifier, lease: timedelta):
        self.deps, self.client, self.notifier, self.lease = deps, client, notifier, lease
        cadences = deps.cadences
        self.rules = DigestRules(deps.settings.digest_cutoff, deps.settings.digest_when_empty,
                                 cadences.rules.max_calls, tuple(cadences.windows))

    def __call__(self, now: datetime | None = None, *, only_users=None, force=False,
                 ignore_schedule=False, stop=None) -> TickReport:
        sf, clock = self.deps.session_factory, self.deps.clock
        report = run_digest_tick(
            sf, now or clock(), settings_like=self.rules, send=self.notifier, force=force,
            only_users=only_users, ignore_schedule=ignore_schedule, clock=clock,
            workers=SEND_WORKERS, stop=stop, lease=Lease(sf, clock, length=self.lease),
            resolve_zone=self._zone)
        if report.sent or report.failed or report.skipped or report.resumed:
            log.info("digest tick: %s", report)
        return report

    def _zone(self, rep) -> str | None:
        """Slack's zone for a rep whose zone is not known yet (rare: imported here only
        then, with the Slack listeners' module that knows how to ask)."""
        from bot.slack.users import slack_zone

        return slack_zone(self.client, rep.slack_user_id)


def send_deps(settings: Settings, session_factory: sessionmaker[Session]) -> SendDeps:
    """As bot.app.build_app makes them (the same settings give the same values), without
    the Bolt app. The draft secret's made-up fallback never signs a link here: links are
    off without DRAFT_SECRET or the signing secret (bot.slack.draft_messages.pages_on)."""
    return SendDeps(settings=settings, session_factory=session_factory, clock=system_clock,
                    cadences=load_cadence_book(settings),
                    renderer=DraftRenderer(settings.templates_dir),
                    draft_secret=draft_secret(settings))


def fanout_tick(settings: Settings) -> DueListTick:
    """The fan-out process's pass: its own database pool (with the background timeouts),
    Slack client and dependencies. Its token is checked first (``auth.test``, as the app
    checks it at start): a refused one fails the build, and the next tick tries again."""
    from bot.db.engine import BACKGROUND_TIMEOUTS, make_engine, make_session_factory

    client = make_client(settings, retry_rate_limits=False)
    client.auth_test()
    engine = make_engine(settings.database_url, timeouts=BACKGROUND_TIMEOUTS)
    deps = send_deps(settings, make_session_factory(engine))
    notifier = DigestNotifier(client, deps, bulk_limiter(settings, deps.session_factory))
    return DueListTick(deps, client, notifier,
                       timedelta(seconds=settings.digest_lease_seconds))
