"""Composition root: builds the Bolt app and wires settings, database and clock into it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.after_ack import AfterAckExecutor, InFlight
from bot.clock import Clock, system_clock
from bot.config import Settings, draft_secret
from bot.db.engine import make_engine, make_session_factory
from bot.services.cadences import CadenceBook, load_cadence_book
from bot.services.draft_templates import DraftRenderer
from bot.slack.client import leveled_logger, make_client
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
    executor: AfterAckExecutor  # work after ack (bot.after_ack), not Bolt's listeners
    renderer: DraftRenderer  # email drafts from templates/messages (+ the team's own)
    workspace: Workspace  # the one team this deployment serves
    draft_secret: str  # signs draft page links and sealed modal metadata (see draft_secret)
    requests: InFlight = field(default_factory=InFlight)  # being answered (bot.web counts)


def _bolt_logger(settings: Settings) -> logging.Logger:
    bolt_log = leveled_logger("bot.bolt", settings)
    if not any(isinstance(f, _QuietTokenWarning) for f in bolt_log.filters):
        bolt_log.addFilter(_QuietTokenWarning())
    return bolt_log


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
    # Listeners run on ``executor.listeners``; 5 threads (Bolt's default) queues acks
    # under load. Work after ack() runs on smaller pools of its own (bot.after_ack).
    executor = AfterAckExecutor.for_listeners(settings.listener_threads)
    deps = Deps(
        settings=settings,
        session_factory=session_factory,
        clock=clock or system_clock,
        cadences=load_cadence_book(settings),
        executor=executor,
        renderer=DraftRenderer(settings.templates_dir),
        workspace=workspace,
        draft_secret=draft_secret(settings),
        requests=executor.in_flight,
    )
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        # Socket Mode has no signatures; HTTP mode refuses to start without a secret.
        request_verification_enabled=settings.slack_signing_secret is not None,
        token_verification_enabled=False,
        listener_executor=executor.listeners,
        logger=_bolt_logger(settings),
    )
    # After Bolt's own middleware (signature check first), before every listener.
    mark_verified(app, signatures_checked=settings.slack_signing_secret is not None)
    one_workspace(app, workspace, executor)
    provide_deps(app, deps)  # listeners read them with bot.slack.context.deps_of
    register_all(app, deps)
    app.deps = deps  # type: ignore[attr-defined]  # for the web layer and the scheduler
    return app
