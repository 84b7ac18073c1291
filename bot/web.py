"""HTTP mode: one WSGI app served by waitress.

Routes: ``POST /slack/events`` (Bolt, signature-checked), ``GET /healthz``, and the draft
pages ``GET /drafts/<token>`` / ``POST /drafts/<token>/sent`` (signed, expiring tokens).
"""

from __future__ import annotations

import gc
import json
import logging
import re
from collections.abc import Callable, Iterable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine

from bot.db.engine import HealthProbe

log = logging.getLogger(__name__)

StartResponse = Callable[..., object]


def _respond(start_response, status: str, body: bytes, content_type: str) -> list[bytes]:
    start_response(
        status,
        [("Content-Type", content_type), ("Content-Length", str(len(body)))],
    )
    return [body]


_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


def _signed_headers(environ: dict) -> bool:
    """Slack's headers are well-formed: a short decimal timestamp and a v0 signature.
    Bolt checks the signature itself; this keeps garbage ("nan", 5,000 digits, no header)
    from ever reaching it (such timestamps made it fail with a 500)."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    return bool(_TIMESTAMP.fullmatch(timestamp) and _SIGNATURE.fullmatch(signature))


def make_wsgi_app(app: App, engine: Engine, *, slack_events: bool = True,
                  health_timeout: float = 1.5
                  ) -> Callable[[dict, StartResponse], Iterable[bytes]]:
    """``slack_events=False`` (Socket Mode) serves only /healthz and the draft pages:
    without a signing secret, /slack/events must not exist at all. /healthz answers
    within ``health_timeout`` seconds: 503 when the database does not answer in time or
    its schema is behind this code's (see :class:`bot.db.engine.HealthProbe`)."""
    slack_handler = SlackRequestHandler(app, path="/slack/events")
    health = HealthProbe(engine, timeout=health_timeout)
    requests = app.deps.requests  # work that can wait waits for these (bot.after_ack)

    def wsgi(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events" and slack_events:
            if method != "POST":
                return _respond(start_response, "405 Method Not Allowed", b"POST only\n",
                                "text/plain")
            if not _signed_headers(environ):  # before Bolt parses (or reports) anything
                return _respond(start_response, "401 Unauthorized", b"invalid request\n",
                                "text/plain")
            with requests.answering():
                return slack_handler(environ, start_response)
        if path.startswith("/drafts/"):
            from bot import web_drafts

            return web_drafts.handle(app.deps, environ, start_response)
        if path == "/healthz" and method in ("GET", "HEAD"):
            ok, details = health.check()
            body = json.dumps({"ok": ok, **details}).encode()
            status = "200 OK" if ok else "503 Service Unavailable"
            return _respond(start_response, status, body, "application/json")
        return _respond(start_response, "404 Not Found", b"Not found\n", "text/plain")

    return wsgi


def freeze_startup() -> None:
    """Once the app is built, before serving: what start-up made (modules, the app, ~80k
    objects) lives as long as the process, so it leaves the garbage collector's sight. A
    full collection otherwise walks all of it, holding the GIL for 20 ms and more, and
    every request in flight waits that long: under /logcall bursts, a burst every 10-20 s
    had all its acks 40 ms late (issue 15)."""
    gc.collect()  # what is garbage now is freed, not kept for good
    gc.freeze()


def make_server(wsgi_app, *, host: str, port: int, threads: int = 16):
    """A waitress server (not yet running). ``port=0`` picks a free port."""
    from waitress.server import create_server

    return create_server(wsgi_app, host=host, port=port, threads=threads, ident="followup-bot")
