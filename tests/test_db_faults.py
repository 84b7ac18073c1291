"""A database that stops answering: every wait is bounded, the rep hears it where they are
inside Slack's 3 s, nothing is half-written, and a retry after recovery stores once.

The bot runs with its production bounds (bot.db.engine.DbTimeouts) unless a test says
otherwise. "Stops answering" is real: another connection holds the lock the bot needs
(SQLite's write lock on the same file; a PostgreSQL table lock), or a loopback proxy in
front of PostgreSQL goes silent (tests/blackhole.py).
"""

from __future__ import annotations

import os
import socket
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.db.engine import DbTimeouts, make_engine, make_session_factory
from bot.db.migrate import current_revision, head_revision, upgrade
from bot.db.models import Call, FollowUp, Prospect
from bot.services.reps import rep_timezone, save_rep_profile
from bot.slack import ids
from bot.slack.codec import encode
from bot.slack.errors import DB_DOWN, DB_DOWN_FORM, DB_DOWN_LATER, database_unreachable
from tests.blackhole import Blackhole
from tests.conftest import PG_URL, _empty_tables
from tests.db_locks import database_locked, libpq_url
from tests.logcall_helpers import open_modal, submit


def postgres_only(test):
    """The suite's marker style (tests/test_migrations.py), as one decorator."""
    skip = pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL is not set")
    return pytest.mark.postgres(skip(test))


def _count(session_factory, model) -> int:
    with session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def _field_error(response) -> str:
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["response_action"] == "errors", answer
    (message,) = answer["errors"].values()
    return message


@pytest.fixture
def known_rep(session_factory):
    """The rep is on file, so opening the modal ends at views.open (nothing left running
    that a lock taken right after could catch)."""
    save_rep_profile(session_factory, "T0001", "U0001", "America/New_York", "Rita Rep")


def _retry_stores_once(slack, fake_slack, session_factory, view, **fields) -> None:
    """The same modal submitted again after recovery is logged, once."""
    posts = len(fake_slack.calls_to("chat.postMessage"))
    response = submit(slack, view, **fields)
    assert response.status_code == 200 and response.text in ("", "null"), response.text
    fake_slack.wait_for("chat.postMessage", posts + 1)  # the confirmation DM
    assert _count(session_factory, Call) == 1
    response = submit(slack, view, **fields)  # a double click, or Slack retrying
    assert response.status_code == 200, response.text
    assert _count(session_factory, Call) == 1


def test_locked_database_gives_the_modal_a_field_error_and_a_retry_stores_once(
        slack, fake_slack, session_factory, db_url, known_rep):
    view = open_modal(slack, fake_slack)
    with database_locked(db_url):
        message = _field_error(submit(slack, view, name="Pat", outcome="no_answer"))
    assert message == DB_DOWN_FORM
    assert _count(session_factory, Call) == 0
    _retry_stores_once(slack, fake_slack, session_factory, view, name="Pat",
                       outcome="no_answer")


@postgres_only
def test_a_failure_halfway_through_the_log_rolls_all_of_it_back(
        slack, fake_slack, session_factory, db_url, known_rep):
    """The prospect and call rows are written, then the follow-up's insert waits on a
    lock until statement_timeout: the whole unit of work rolls back."""
    view = open_modal(slack, fake_slack)
    with database_locked(db_url, pg_lock="LOCK TABLE follow_ups IN EXCLUSIVE MODE"):
        message = _field_error(submit(slack, view, name="Pat", outcome="no_answer"))
    assert message == DB_DOWN_FORM
    for model in (Call, Prospect, FollowUp):
        assert _count(session_factory, model) == 0, model.__name__
    _retry_stores_once(slack, fake_slack, session_factory, view, name="Pat",
                       outcome="no_answer")
    assert _count(session_factory, Prospect) == 1


@postgres_only
def test_a_failure_after_the_log_is_saved_does_not_say_nothing_was_saved(
        slack, fake_slack, session_factory, db_url, known_rep):
    """The call is logged (the modal closes); the recap draft that follows cannot be
    written. The rep hears that the rest could not be finished, not "nothing changed"
    (which would have them log the call twice)."""
    view = open_modal(slack, fake_slack)
    with database_locked(db_url, pg_lock="LOCK TABLE email_drafts IN EXCLUSIVE MODE"):
        response = submit(slack, view, name="Dana", company="Acme", outcome="connected",
                          pain_point="Invoices take two days")
        assert response.status_code == 200 and response.text in ("", "null"), response.text
        fake_slack.wait_for("chat.postMessage", 2)  # the confirmation, then the note
    texts = [message.get("text") for message in fake_slack.messages_to("U0001")]
    assert texts[-1] == DB_DOWN_LATER
    assert DB_DOWN not in texts
    assert _count(session_factory, Call) == 1


def test_slash_commands_answer_with_an_ephemeral_note(slack, fake_slack, db_url):
    with database_locked(db_url):
        # /followups reads before it acknowledges: the note is the answer itself.
        answer = slack.slash(ids.FOLLOWUPS_COMMAND).json()
        assert answer == {"response_type": "ephemeral", "text": DB_DOWN}
        # /logcall acknowledges first and reads after: the note goes to the response_url.
        assert slack.slash(ids.LOGCALL_COMMAND).status_code == 200
        note = fake_slack.wait_for("response_url")[-1].params
    assert note["text"] == DB_DOWN_LATER
    assert note["response_type"] == "ephemeral"
    if PG_URL:  # every table is locked, reads too
        assert fake_slack.calls_to("views.open") == []
    else:  # the form's reads do not wait for SQLite's writer (bot.services.uow.read_only):
        # the form opens; saving the new rep's zone is what waits, and fails: the note
        assert len(fake_slack.calls_to("views.open")) == 1
    assert fake_slack.messages_to("U0001") == []  # not a DM on top


def test_a_button_answers_with_an_ephemeral_note(slack, fake_slack, db_url):
    with database_locked(db_url):
        response = slack.block_action(ids.DIGEST_DONE, value=encode({"f": 1}),
                                      channel_id="D0001")
        assert response.status_code == 200
        note = fake_slack.wait_for("response_url")[-1].params
    assert note["text"] == DB_DOWN
    assert note["response_type"] == "ephemeral"
    assert note["replace_original"] in (False, "false")


def test_prospect_search_answers_no_options(slack, db_url):
    with database_locked(db_url):
        response = slack.options(ids.PROSPECT, "Pat", callback_id=ids.LOGCALL_CALLBACK)
    assert response.status_code == 200
    assert response.json() == {"options": []}


@postgres_only
class TestSilentPostgres:
    """PostgreSQL behind a proxy that goes silent (packets swallowed, nothing refused)."""

    @pytest.fixture
    def proxy(self):
        target = make_url(PG_URL)
        with Blackhole(target.host or "127.0.0.1", target.port or 5432) as proxy:
            yield proxy

    @pytest.fixture
    def engine(self, db_url, proxy):  # the bot (start_bot) talks through the proxy
        url = make_url(db_url).set(host="127.0.0.1", port=proxy.port)
        engine = make_engine(url.render_as_string(hide_password=False))
        _empty_tables(engine)
        yield engine
        proxy.release()
        _empty_tables(engine)
        engine.dispose()

    def test_submission_gets_a_field_error_then_a_retry_stores_once(
            self, slack, fake_slack, session_factory, engine, proxy, known_rep):
        view = open_modal(slack, fake_slack)
        proxy.hold()
        # A held proxy still acknowledges what it is sent, so an established connection
        # would only be cut by the kernel's tcp_user_timeout on a real network (see
        # test_postgres_connections_carry_every_bound): start from a new connection,
        # whose connect timeout is the bot's own clock.
        engine.dispose()
        message = _field_error(submit(slack, view, name="Pat", outcome="no_answer"))
        assert message == DB_DOWN_FORM
        proxy.release()
        assert _count(session_factory, Call) == 0
        _retry_stores_once(slack, fake_slack, session_factory, view, name="Pat",
                           outcome="no_answer")


def _sockopt(sock: socket.socket, level: int, option: int) -> int:
    return sock.getsockopt(level, option)


@postgres_only
def test_postgres_connections_carry_every_bound(db_url):
    """What the kernel and the server were told, read back from a real connection."""
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            dbapi = connection.connection.dbapi_connection
            sock = socket.socket(fileno=os.dup(dbapi.pgconn.socket))
            try:
                tcp = socket.IPPROTO_TCP
                assert _sockopt(sock, socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
                assert _sockopt(sock, tcp, socket.TCP_KEEPIDLE) == 30
                assert _sockopt(sock, tcp, socket.TCP_KEEPINTVL) == 10
                assert _sockopt(sock, tcp, socket.TCP_KEEPCNT) == 3
                assert _sockopt(sock, tcp, socket.TCP_USER_TIMEOUT) == 2000
            finally:
                sock.close()
            assert dbapi.info.get_parameters()["connect_timeout"] == "2"
            assert connection.scalar(text("SHOW statement_timeout")) == "1500ms"
            schema = make_url(db_url).query["options"].split("=")[-1]
            assert schema in connection.scalar(text("SHOW search_path"))  # URL options kept
    finally:
        engine.dispose()


@postgres_only
def test_a_silent_server_fails_the_connect_within_its_timeout():
    """A listener that accepts and never answers (no server behind it at all). libpq's own
    default would wait over two minutes; the bound is 2 s (checked here only against a
    generous 20 s, so a busy machine cannot fail it)."""
    errors: list[BaseException] = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{port}/test")

        def read() -> None:
            try:
                rep_timezone(make_session_factory(engine), "T0001", "U0001")
            except OperationalError as exc:
                errors.append(exc)

        worker = threading.Thread(target=read, daemon=True)
        worker.start()
        worker.join(20)
        engine.dispose()
    assert len(errors) == 1 and "timeout" in str(errors[0])


def test_waiting_for_a_free_pooled_connection_is_bounded_too(db_url):
    """Every pooled connection busy (stuck on a silent database, say): the next request
    gives up after pool_wait instead of SQLAlchemy's default 30 s."""
    engine = make_engine(db_url, pool_size=1, max_overflow=0)
    errors: list[BaseException] = []

    def checkout() -> None:
        try:
            engine.connect().close()
        except PoolTimeout as exc:
            errors.append(exc)

    with engine.connect():
        worker = threading.Thread(target=checkout, daemon=True)
        worker.start()
        worker.join(20)  # generous: the bound is 1 s, the old default 30 s
    engine.dispose()
    assert len(errors) == 1 and database_unreachable(errors[0])


def test_migrations_wait_longer_than_a_request_may(empty_db_url):
    """upgrade() lifts the request-sized bounds on its own connection: with the write lock
    (SQLite) or the migration lock (PostgreSQL) held by another starter for longer than a
    request may wait, it waits instead of failing, then migrates."""
    short = DbTimeouts(statement=0.2, lock_wait=0.2)
    engine = make_engine(empty_db_url, timeouts=short)
    errors: list[BaseException] = []
    with engine.connect():
        pass  # SQLite: the file is in WAL mode, as a running bot leaves it
    holder = _hold_migration_lock(empty_db_url)
    next(holder)

    def migrate() -> None:
        try:
            upgrade(engine)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)

    worker = threading.Thread(target=migrate)
    worker.start()
    worker.join(1.0)  # five times the bound: a bounded wait would have failed by now
    assert errors == [] and worker.is_alive()
    next(holder, None)  # release
    worker.join(30)
    assert errors == []
    assert current_revision(engine) == head_revision()
    engine.dispose()


def _hold_migration_lock(db_url: str):
    """Generator: holds what a concurrent migration would hold until advanced again."""
    from bot.db.migrate import MIGRATION_LOCK_KEY

    if not PG_URL:
        with database_locked(db_url):
            yield
        return
    import psycopg

    with psycopg.connect(libpq_url(db_url), autocommit=True) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        yield
        connection.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK_KEY,))


def test_background_work_waits_longer_for_sqlites_lock_than_a_request(tmp_path):
    """The due-list fan-out process (nobody waiting on it in Slack) waits behind the web
    process's writes instead of failing a run; a request still gives up within 1 s."""
    from bot.db.engine import BACKGROUND_TIMEOUTS, make_engine

    url = f"sqlite:///{tmp_path / 'wait.db'}"
    for timeouts, expected in ((None, 1000), (BACKGROUND_TIMEOUTS, 10000)):
        engine = make_engine(url, timeouts=timeouts)
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == expected
        engine.dispose()
