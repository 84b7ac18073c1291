"""The baseline: a minimal Bolt app that acks /logcall and opens a one-field modal.

Served exactly like the bot (waitress, 16 HTTP threads, a 32-thread listener executor,
signature checks on, the same SLACK_API_URL), so bot/bare isolates the bot's own work:
its database lookups, prefill parsing and the 15-block view it builds.

Run: ``python bench/bare_app.py PORT`` with SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and
SLACK_API_URL in the environment. ``GET /healthz`` answers 200.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress.server import create_server

MODAL = {
    "type": "modal",
    "callback_id": "bare_logcall",
    "title": {"type": "plain_text", "text": "Log a call"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [{
        "type": "input", "block_id": "note",
        "label": {"type": "plain_text", "text": "Note"},
        "element": {"type": "plain_text_input", "action_id": "value"},
    }],
}


def build_app() -> App:
    client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"],
                       timeout=10)
    app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"],
              token_verification_enabled=False,
              listener_executor=ThreadPoolExecutor(
                  max_workers=int(os.environ.get("LISTENER_THREADS", "32"))))

    @app.command("/logcall")
    def logcall(ack, body, client):
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=MODAL)

    return app


def make_wsgi(app: App):
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "application/json")])
            return [b'{"ok": true}']
        return slack(environ, start_response)

    return wsgi


def main() -> None:
    port = int(sys.argv[1])
    server = create_server(make_wsgi(build_app()), host="127.0.0.1", port=port, threads=16,
                           ident="bare-bolt")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


if __name__ == "__main__":
    main()
