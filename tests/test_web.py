"""The HTTP surface: signatures are checked by the real Bolt app, /healthz tells the truth."""

import json
import threading
import time

import pytest
import requests
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bot.app import build_app
from bot.db.engine import DbTimeouts, make_engine
from bot.db.migrate import upgrade
from bot.db.models import Rep
from bot.web import make_wsgi_app
from tests.blackhole import Blackhole
from tests.conftest import PG_URL
from tests.db_locks import database_locked


def _slash_body() -> bytes:
    return b"command=%2Flogcall&text=&user_id=U0001&team_id=T0001&trigger_id=1.2.3"


def test_badly_signed_request_gets_401_and_touches_nothing(slack, fake_slack, session_factory):
    response = slack.send(_slash_body(), "application/x-www-form-urlencoded",
                          signature="v0=" + "0" * 64)
    assert response.status_code == 401
    assert [c.method for c in fake_slack.calls] == ["auth.test"]  # the bot's own, at start
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Rep)) == 0


def test_timestamp_older_than_five_minutes_gets_401(slack, fake_slack):
    old = int(time.time()) - 6 * 60
    body = _slash_body()
    response = slack.send(body, "application/x-www-form-urlencoded", timestamp=old,
                          signature=slack.sign(body, old))
    assert response.status_code == 401
    assert [c.method for c in fake_slack.calls] == ["auth.test"]  # the bot's own, at start


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


def _healthz(wsgi) -> tuple[str, dict]:
    captured = {}

    def start_response(status, headers):
        captured["status"] = status

    body = b"".join(wsgi({"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET"}, start_response))
    return captured["status"], json.loads(body)


def _healthz_answered(wsgi, *, liveness: float = 10.0) -> tuple[str, dict]:
    """/healthz from another thread; failing if it has not answered after ``liveness``
    seconds, a generous bound far below the minute the stuck probe would take."""
    answer: list = []
    worker = threading.Thread(target=lambda: answer.append(_healthz(wsgi)), daemon=True)
    worker.start()
    worker.join(liveness)
    assert answer, "/healthz did not answer"
    return answer[0]


def _probes() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "healthz-probe" and t.is_alive()]


def test_healthz_is_503_while_the_schema_is_behind_and_200_when_newer(
        settings, session_factory, empty_db_url):
    engine = make_engine(empty_db_url)
    wsgi = make_wsgi_app(build_app(settings, session_factory=session_factory), engine)
    status, body = _healthz(wsgi)
    assert status.startswith("503") and body["schema"] == "behind"  # no schema at all
    upgrade(engine, "0003")
    status, body = _healthz(wsgi)
    assert status.startswith("503") and (body["schema"], body["revision"]) == ("behind", "0003")
    upgrade(engine)
    status, body = _healthz(wsgi)
    assert status.startswith("200") and body["schema"] == "current"
    with engine.begin() as connection:  # a newer release migrated first (rolling upgrade)
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_newer'"))
    status, body = _healthz(wsgi)
    assert status.startswith("200") and body["schema"] == "newer"
    engine.dispose()


def test_healthz_answers_503_in_time_while_the_database_is_locked(
        settings, session_factory, db_url):
    """The probe itself would wait a minute for the lock; /healthz does not wait for it,
    and checks that come while it is stuck share it instead of starting more."""
    patient = make_engine(db_url, timeouts=DbTimeouts(statement=60, lock_wait=60))
    wsgi = make_wsgi_app(build_app(settings, session_factory=session_factory), patient,
                         health_timeout=0.2)
    assert _healthz_answered(wsgi)[0].startswith("200")
    with database_locked(db_url):
        answers = [_healthz_answered(wsgi) for _ in range(3)]
        stuck = _probes()
        assert len(stuck) == 1
    assert [status[:3] for status, _ in answers] == ["503"] * 3
    assert "no answer" in answers[0][1]["database"]
    stuck[0].join(30)
    assert _healthz_answered(wsgi)[0].startswith("200")
    patient.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")
def test_healthz_answers_503_while_postgres_is_silent_and_200_once_it_is_back(
        settings, session_factory, db_url):
    target = make_url(PG_URL)
    with Blackhole(target.host or "127.0.0.1", target.port or 5432) as proxy:
        url = make_url(db_url).set(host="127.0.0.1", port=proxy.port)
        engine = make_engine(url.render_as_string(hide_password=False))
        wsgi = make_wsgi_app(build_app(settings, session_factory=session_factory), engine)
        assert _healthz_answered(wsgi)[0].startswith("200")  # a pooled connection now
        proxy.hold()
        status, body = _healthz_answered(wsgi)
        stuck = _probes()
        proxy.release()
        assert status.startswith("503") and body["ok"] is False
        for probe in stuck:
            probe.join(30)
        assert _healthz_answered(wsgi)[0].startswith("200")
        engine.dispose()
