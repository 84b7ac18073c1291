"""The HTTP surface: signatures are checked by the real Bolt app, /healthz tells the truth."""

import json
import time

import requests
from sqlalchemy import func, select

from bot.app import build_app
from bot.db.engine import make_engine
from bot.db.models import Rep
from bot.web import make_wsgi_app


def _slash_body() -> bytes:
    return b"command=%2Flogcall&text=&user_id=U0001&team_id=T0001&trigger_id=1.2.3"


def test_badly_signed_request_gets_401_and_touches_nothing(slack, fake_slack, session_factory):
    response = slack.send(_slash_body(), "application/x-www-form-urlencoded",
                          signature="v0=" + "0" * 64)
    assert response.status_code == 401
    assert fake_slack.calls == []
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Rep)) == 0


def test_timestamp_older_than_five_minutes_gets_401(slack, fake_slack):
    old = int(time.time()) - 6 * 60
    body = _slash_body()
    response = slack.send(body, "application/x-www-form-urlencoded", timestamp=old,
                          signature=slack.sign(body, old))
    assert response.status_code == 401
    assert fake_slack.calls == []


def test_correctly_signed_request_is_accepted(slack, fake_slack):
    response = slack.slash("/logcall")
    assert response.status_code == 200
    fake_slack.wait_for("views.open")


def test_healthz_is_200_when_the_database_answers(bot_url):
    response = requests.get(f"{bot_url}/healthz", timeout=5)
    assert response.status_code == 200
    assert response.json()["ok"] is True


def test_healthz_is_503_when_the_database_is_gone(settings, session_factory, tmp_path):
    app = build_app(settings, session_factory=session_factory)
    gone = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'gone.db'}")
    captured = {}

    def start_response(status, headers):
        captured["status"] = status

    body = b"".join(make_wsgi_app(app, gone)(
        {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, start_response))
    assert captured["status"].startswith("503")
    assert json.loads(body)["ok"] is False


def test_unknown_path_is_404_and_get_on_events_is_405(bot_url):
    assert requests.get(f"{bot_url}/nope", timeout=5).status_code == 404
    assert requests.get(f"{bot_url}/slack/events", timeout=5).status_code == 405


def test_socket_mode_web_server_has_no_slack_endpoint(settings, session_factory, engine):
    app = build_app(settings, session_factory=session_factory)
    captured = {}

    def start_response(status, headers):
        captured["status"] = status

    wsgi = make_wsgi_app(app, engine, slack_events=False)
    wsgi({"PATH_INFO": "/slack/events", "REQUEST_METHOD": "POST"}, start_response)
    assert captured["status"].startswith("404")
    wsgi({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, start_response)
    assert captured["status"].startswith("200")
