"""Shared fixtures: a migrated database (SQLite file, or PostgreSQL when TEST_DATABASE_URL
is set), the Slack stand-in, and the real bot served by waitress on a loopback port."""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from bot.app import build_app
from bot.config import Settings, normalize_database_url
from bot.db.engine import make_engine, make_session_factory
from bot.db.migrate import upgrade
from bot.db.models import Base
from bot.web import make_server, make_wsgi_app
from tests.slack_double import FakeSlack
from tests.slack_requests import SlackSender

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
TEAM = "T0001"
PG_URL = os.environ.get("TEST_DATABASE_URL")


def pg_schema_url(base: str, schema: str) -> str:
    """A URL whose connections see only ``schema`` (search_path), for isolation."""
    base = normalize_database_url(base)
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


def create_pg_schema(schema: str) -> None:
    engine = create_engine(normalize_database_url(PG_URL), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


def drop_pg_schema(schema: str) -> None:
    engine = create_engine(normalize_database_url(PG_URL), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def empty_db_url(tmp_path: Path):
    """A database with no tables at all: a new SQLite file or a new PostgreSQL schema."""
    if PG_URL:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        create_pg_schema(schema)
        yield pg_schema_url(PG_URL, schema)
        drop_pg_schema(schema)
    else:
        yield f"sqlite:///{tmp_path / 'empty.db'}"


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    """One migrated database for the session; tests get it emptied by ``session_factory``."""
    if PG_URL:
        schema = f"s_{uuid.uuid4().hex[:12]}"
        create_pg_schema(schema)
        url = pg_schema_url(PG_URL, schema)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'followup.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    if PG_URL:
        drop_pg_schema(schema)


def _empty_tables(engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    _empty_tables(engine)
    yield engine
    _empty_tables(engine)
    engine.dispose()


@pytest.fixture
def session_factory(engine):
    return make_session_factory(engine)


class FakeClock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        assert now.tzinfo is not None
        self.now = now


@pytest.fixture
def clock():
    # A Wednesday afternoon in New York.
    return FakeClock(datetime(2026, 11, 25, 19, 0, tzinfo=UTC))


@pytest.fixture
def fake_slack():
    # Slack's trigger ids die after 3 s; the bot opens the modal first so it meets that
    # (bench/ measures it). Here the limit is loose so a busy CI box cannot fail a test
    # on speed; tests/test_slack_double.py checks the expiry itself with its own clock.
    with FakeSlack(bot_token=BOT_TOKEN, team_id=TEAM, trigger_ttl=30.0) as fake:
        fake.add_user("U0001", tz="America/New_York", real_name="Rita Rep")
        fake.add_user("U0002", tz="Europe/Berlin", real_name="Bob Rep")
        yield fake


@pytest.fixture
def settings(db_url, fake_slack):
    return Settings(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET,
                    database_url=db_url, slack_api_url=fake_slack.url,
                    default_timezone="America/New_York")


def _serve(server) -> None:
    try:
        server.run()
    except OSError:  # close() from the test thread pulls the socket out from under select()
        pass


@pytest.fixture
def start_bot(settings, engine, session_factory, clock):
    """Start the real bot (Bolt app + WSGI + waitress) on an ephemeral loopback port.
    ``public=True`` sets PUBLIC_URL to the server's own address. Returns (url, app)."""
    started = []

    def start(*, public: bool = False, **overrides):
        holder = {}
        server = make_server(lambda environ, respond: holder["wsgi"](environ, respond),
                             host="127.0.0.1", port=0, threads=8)
        url = f"http://127.0.0.1:{server.effective_port}"
        if public:
            overrides["public_url"] = url
        app = build_app(replace(settings, **overrides), session_factory=session_factory,
                        clock=clock)
        holder["wsgi"] = make_wsgi_app(app, engine)
        thread = threading.Thread(target=_serve, args=(server,), daemon=True)
        thread.start()
        started.append((server, thread, app))
        return url, app

    yield start
    for server, thread, app in started:
        server.close()
        thread.join(timeout=5)
        app.deps.executor.shutdown(wait=True)  # work after ack() must finish inside its test


@pytest.fixture
def running_bot(start_bot):
    return start_bot()


@pytest.fixture
def bot_url(running_bot):
    return running_bot[0]


@pytest.fixture
def jobs(running_bot, settings):
    """The scheduled jobs of the running bot, called directly with an injected clock."""
    from bot.app import make_client
    from bot.scheduler import Jobs

    return Jobs(running_bot[1].deps, make_client(settings, retry_rate_limits=False))


@pytest.fixture
def slack(bot_url, fake_slack):
    return SlackSender(f"{bot_url}/slack/events", SIGNING_SECRET, fake=fake_slack, team_id=TEAM)
