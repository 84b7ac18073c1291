"""``followup-bot run``: take the port, ask Slack who the token is, migrate, then serve
(HTTP or Socket Mode) with the scheduled jobs beside it."""

from __future__ import annotations

import argparse
import logging
import signal
import threading

from bot.cli_common import CliError, connect_database
from bot.config import Settings, SettingsError

log = logging.getLogger("bot")


def _check_run_settings(settings: Settings, socket_mode: bool) -> None:
    if socket_mode and not settings.slack_app_token:
        also = "" if settings.slack_bot_token else " (and SLACK_BOT_TOKEN, the xoxb- token)"
        raise SettingsError(
            f"SLACK_APP_TOKEN is not set{also}. Set it (an xapp- token with connections:write) "
            "to run in Socket Mode, or start with 'followup-bot run --http' and "
            "SLACK_SIGNING_SECRET."
        )
    settings.require_slack(socket_mode=socket_mode)
    if settings.public_url and not (settings.draft_secret or settings.slack_signing_secret):
        raise SettingsError("PUBLIC_URL is set, so draft links must be signed with a secret "
                            "that survives restarts: set DRAFT_SECRET (or "
                            "SLACK_SIGNING_SECRET).")


class _Later:
    """The WSGI app of a server bound before the bot is built (it serves nothing until
    ``run()``, by which time :attr:`app` is set)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


def _bind(args: argparse.Namespace, slot: _Later):
    """Take the port first, so a busy port stops the start before anything else is done."""
    import errno

    from bot.web import make_server

    try:
        return make_server(slot, host=args.host, port=args.port, threads=args.threads)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise CliError(f"port {args.port} is already in use on {args.host} (another "
                           "followup-bot, or another program, is listening there): stop it "
                           "or choose another port with --port") from None
        raise CliError(f"cannot listen on {args.host}:{args.port}: "
                       f"{exc.strerror or exc}") from None


def _learn_workspace(settings: Settings):
    """auth.test before anything else: a revoked token stops the start (exit 2)."""
    from slack_sdk import WebClient

    from bot.slack.trust import learn_workspace

    # No client-side retries: learn_workspace's backoff is the one retry policy here.
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url,
                       timeout=10, retry_handlers=[])
    workspace = learn_workspace(client)
    log.info("SLACK_BOT_TOKEN works for team %s (%s)", workspace.name, workspace.team_id)
    return workspace


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    """Order matters: settings, port, Slack token, database, then the bot and its jobs."""
    socket_mode = not args.http
    _check_run_settings(settings, socket_mode)
    slot = _Later()
    server = _bind(args, slot) if not socket_mode or settings.public_url else None
    try:
        workspace = _learn_workspace(settings)
        return _run_bot(settings, args, workspace, server, slot)
    finally:
        if server is not None:
            server.close()


def _run_bot(settings: Settings, args, workspace, server, slot: _Later) -> int:
    from bot.app import build_app, make_client
    from bot.db.engine import make_session_factory
    from bot.db.migrate import upgrade
    from bot.scheduler import Jobs
    from bot.web import freeze_startup, make_wsgi_app

    engine = connect_database(settings)
    upgrade(engine)
    app = build_app(settings, session_factory=make_session_factory(engine),
                    workspace=workspace)
    slot.app = make_wsgi_app(app, engine, slack_events=bool(args.http))
    jobs = Jobs(app.deps, make_client(settings, retry_rate_limits=False))
    jobs.start(isolate=True)  # due lists in a child process; recap nudges on a thread
    freeze_startup()
    signal.signal(signal.SIGTERM, _stop)
    try:
        if args.http:
            log.info("serving Slack requests on http://%s:%s/slack/events", args.host,
                     server.effective_port)
            server.run()
        else:
            _socket_mode(settings, args, app, server)
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        jobs.shutdown()
    return 0


def _socket_mode(settings: Settings, args, app, pages) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if pages is not None:  # PUBLIC_URL: the draft pages still need a web server
        threading.Thread(target=pages.run, name="draft-pages", daemon=True).start()
        log.info("serving draft pages on http://%s:%s", args.host, pages.effective_port)
    log.info("starting in Socket Mode")
    SocketModeHandler(app, settings.slack_app_token).start()


def _stop(*_args) -> None:
    """SIGTERM (docker stop, systemd) ends the serve loop like Ctrl-C does."""
    raise KeyboardInterrupt
