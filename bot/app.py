"""Composition root: builds the Bolt app and wires settings, database and clock into it."""

from __future__ import annotations

import logging
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, system_clock
from bot.config import Settings
from bot.db.engine import make_engine, make_session_factory
from bot.services.cadences import CadenceBook, load_cadence_book
from bot.services.draft_templates import DraftRenderer
from bot.slack.context import provide_deps
from bot.slack.trust import Workspace, learn_workspace, mark_verified, one_workspace

log = logging.getLogger(__name__)


class _QuietTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN from the environment on its own and then warns that the
    client we hand it (which carries that same token) wins. True, and not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


@dataclass(frozen=True)
class Deps:
    """What listeners need, handed to every ``register(app, deps)``."""

    settings: Settings
    session_factory: sessionmaker[Session]
    clock: Clock
    cadences: CadenceBook
    executor: ThreadPoolExecutor  # Bolt's listener executor (work after ack)
    renderer: DraftRenderer  # email drafts from templates/messages (+ the team's own)
    workspace: Workspace  # the one team this deployment serves
    draft_secret: str  # signs draft page links and sealed modal metadata (see draft_secret)


def draft_secret(settings: Settings) -> str:
    """DRAFT_SECRET, else the signing secret; with neither (Socket Mode without
    DRAFT_SECRET) a secret made for this app, so links die with the process."""
    return settings.draft_secret or settings.slack_signing_secret or secrets.token_urlsafe(32)


def make_client(settings: Settings, *, retry_rate_limits: bool = True) -> WebClient:
    """Timeouts and 5xx are retried with backoff; 429s wait for Retry-After unless the
    caller paces itself (the digest fan-out pauses the whole workspace instead)."""
    handlers = [ConnectionErrorRetryHandler(max_retry_count=3),
                ServerErrorRetryHandler(max_retry_count=3)]
    if retry_rate_limits:
        handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    return WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url,
                     timeout=10, retry_handlers=handlers)


def build_app(
    settings: Settings,
    *,
    client: WebClient | None = None,
    session_factory: sessionmaker[Session] | None = None,
    clock: Clock | None = None,
    workspace: Workspace | None = None,
) -> App:
    """``workspace``: the team the token belongs to (the CLI learns it at start); asked
    of ``auth.test`` when not given. Requests from any other team are refused."""
    from bot.slack import register_all

    client = client or make_client(settings)
    workspace = workspace or learn_workspace(client)

    if session_factory is None:
        session_factory = make_session_factory(make_engine(settings.database_url))
    # Work after ack() runs here; 5 threads (Bolt's default) queues acks under load.
    executor = ThreadPoolExecutor(
        max_workers=settings.listener_threads, thread_name_prefix="bolt-listener"
    )
    deps = Deps(
        settings=settings,
        session_factory=session_factory,
        clock=clock or system_clock,
        cadences=load_cadence_book(settings),
        executor=executor,
        renderer=DraftRenderer(settings.templates_dir),
        workspace=workspace,
        draft_secret=draft_secret(settings),
    )
    bolt_log = logging.getLogger("bot.bolt")
    if not any(isinstance(f, _QuietTokenWarning) for f in bolt_log.filters):
        bolt_log.addFilter(_QuietTokenWarning())
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        # Socket Mode has no signatures; HTTP mode refuses to start without a secret.
        request_verification_enabled=settings.slack_signing_secret is not None,
        token_verification_enabled=False,
        listener_executor=executor,
        logger=bolt_log,
    )
    # After Bolt's own middleware (signature check first), before every listener.
    mark_verified(app, signatures_checked=settings.slack_signing_secret is not None)
    one_workspace(app, workspace, executor)
    provide_deps(app, deps)  # listeners read them with bot.slack.context.deps_of
    register_all(app, deps)
    app.deps = deps  # type: ignore[attr-defined]  # for the web layer and the scheduler
    return app
