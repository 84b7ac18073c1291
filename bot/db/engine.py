"""Engine and session factory for SQLite (file) and PostgreSQL (psycopg 3).

Every wait on the database is bounded, so a database that stops answering turns into an
error the rep hears about inside Slack's 3 s, not a request that hangs until Slack gives
up (see :class:`DbTimeouts` for the budget).
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker


@dataclass(frozen=True)
class DbTimeouts:
    """How long the bot waits on the database before giving up.

    Slack wants an answer to a request within 3 s of sending it, and Bolt itself answers
    404 at 3 s after the request arrived. A database wait that ends a request must end
    by ~2 s, leaving the rest for the HTTP hop and the app's own work:

    - ``connect`` (PostgreSQL connect_timeout, whole seconds): 2, libpq's floor.
    - ``network`` (tcp_user_timeout): data the server's kernel has not acknowledged for
      2 s drops the connection (packets silently dropped: no error would come otherwise).
    - ``keepalive_*``: an idle pooled connection to a vanished server is noticed within
      ~1 minute instead of the OS default of 2 hours.
    - ``statement`` (PostgreSQL statement_timeout): 1.5 s; lock waits are statements too.
      The bot's statements take milliseconds (docs/benchmarks.md: a due list 3-6 ms).
    - ``lock_wait`` (SQLite busy_timeout): 1 s. SQLite has one writer at a time and the
      bot's transactions hold the lock for milliseconds: eight simultaneous submissions
      waited 230 ms at p99 in docs/benchmarks.md. A submission takes the lock once (the
      log; its rep lookup is read-only and takes none). Writers of one process wait for
      their turn first (:class:`_Writers`, at most 1 s), then for another process's
      write (at most 1 s more), so a request answers by ~2 s. The old 30 s let a locked
      file hang a request far past Slack's 3 s.
    - ``pool_wait``: 1 s for a free pooled connection.

    Migrations lift ``statement`` and ``lock_wait`` (see :func:`bot.db.migrate.upgrade`).
    """

    connect: int = 2
    network: float = 2.0
    keepalive_idle: int = 30
    keepalive_interval: int = 10
    keepalive_count: int = 3
    statement: float = 1.5
    lock_wait: float = 1.0
    pool_wait: float = 1.0


# Execution option of a connection whose transaction only reads (bot.services.uow.read_only).
READ_ONLY = "followup_read_only"


def read_only_options(engine: Engine) -> dict:
    """How a unit of work that only reads gets its connection. SQLite: a deferred BEGIN
    (the "begin" listener below). PostgreSQL: autocommit, so no BEGIN and no ROLLBACK
    round trip; under READ COMMITTED each statement reads its own snapshot anyway, so
    reading outside a transaction changes nothing a read sees."""
    if engine.dialect.name == "postgresql":
        return {READ_ONLY: True, "isolation_level": "AUTOCOMMIT"}
    return {READ_ONLY: True}

# Work nobody is waiting on in Slack (the due-list fan-out process): the same network
# bounds, but room to wait behind the web process's writes instead of failing a run.
BACKGROUND_TIMEOUTS = DbTimeouts(statement=30.0, lock_wait=10.0, pool_wait=10.0)


def _postgres_args(url: str, timeouts: DbTimeouts) -> dict:
    """libpq parameters; what DATABASE_URL already sets wins (an ``options`` string is
    extended, not replaced: it may carry a search_path)."""
    query = make_url(url).query
    wanted = {
        "connect_timeout": max(2, int(timeouts.connect)),
        "keepalives": 1,
        "keepalives_idle": timeouts.keepalive_idle,
        "keepalives_interval": timeouts.keepalive_interval,
        "keepalives_count": timeouts.keepalive_count,
        "tcp_user_timeout": int(timeouts.network * 1000),
    }
    args: dict = {key: value for key, value in wanted.items() if key not in query}
    options = query.get("options", "")
    options = options if isinstance(options, str) else " ".join(options)
    if "statement_timeout" not in options:
        args["options"] = f"{options} -c statement_timeout={int(timeouts.statement * 1000)}"
        args["options"] = args["options"].strip()
    return args


class _Writers:
    """This process's turn to write to SQLite. SQLite lets one writer in at a time; a
    writer that finds the lock taken retries in SQLite's busy handler, which sleeps 1, 2,
    5, 10, 15, 20, 25, 25, 25, 50 ms... between tries, so the eighth of eight simultaneous
    submissions waited far longer than the seven commits before it took (docs/benchmarks.md,
    issue 15). Writers of this process queue on a lock instead, and the next one goes the
    moment the last one is done. SQLite's lock still keeps writes apart (other processes
    too: the due-list fan-out); this only decides who tries next."""

    def __init__(self, wait: float):
        self.wait, self.lock = wait, threading.Lock()
        self.holder: int | None = None  # id() of the Connection whose turn it is
        self.turn: weakref.finalize | None = None  # gives the turn back, once

    def begin(self, connection) -> None:
        """The turn (at most ``wait``: then what SQLite's own wait would have raised),
        then SQLite's lock (at most ``wait`` more, if another process holds it)."""
        if not self.lock.acquire(timeout=self.wait):
            raise OperationalError("BEGIN IMMEDIATE", (),
                                   sqlite3.OperationalError("database is locked"))
        # A connection dropped without commit or rollback gives its turn back when it is
        # collected: a forgotten transaction never stops every writer for good.
        self.holder, self.turn = id(connection), weakref.finalize(connection, self._give_back)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            self.end(connection)
            raise

    def commit(self, connection) -> None:
        """Commit now and let the next writer in at once. SQLAlchemy's own COMMIT, right
        after this event, then finds no transaction left and does nothing; if this one
        failed, that one tries again and reports the error as usual."""
        if self.holder != id(connection):
            return
        try:
            connection.connection.driver_connection.commit()
        except sqlite3.Error:
            pass
        finally:
            self.end(connection)

    def end(self, connection) -> None:
        turn = self.turn
        if self.holder == id(connection) and turn is not None:
            turn()  # calls _give_back unless the connection's collection already did

    def _give_back(self) -> None:
        self.holder = self.turn = None
        self.lock.release()


def _sqlite_engine(url: str, timeouts: DbTimeouts, **kwargs) -> Engine:
    busy_ms = int(timeouts.lock_wait * 1000)
    connect_args = {"timeout": timeouts.lock_wait, **kwargs.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    writers = _Writers(timeouts.lock_wait)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
        # SQLAlchemy emits BEGIN itself (below); pysqlite must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # Take the write lock up front: a deferred transaction that reads and then
        # writes after another writer committed fails at once (SQLITE_BUSY_SNAPSHOT)
        # instead of waiting. SQLite serialises writers anyway. A read-only unit of
        # work (bot.services.uow.read_only) never writes, so it begins deferred and
        # reads its WAL snapshot without waiting for, or holding up, a writer.
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN")
        else:
            writers.begin(connection)

    event.listen(engine, "commit", writers.commit)
    event.listen(engine, "rollback", writers.end)
    return engine


def make_engine(url: str, *, timeouts: DbTimeouts | None = None, **kwargs) -> Engine:
    timeouts = timeouts or DbTimeouts()
    in_memory = url.startswith("sqlite") and make_url(url).database in (None, "", ":memory:")
    if not in_memory:  # a queue pool (in-memory SQLite is one shared connection)
        kwargs.setdefault("pool_timeout", timeouts.pool_wait)
    if url.startswith("sqlite"):
        return _sqlite_engine(url, timeouts, **kwargs)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    # No pre-ping: it doubled the round trips of every short unit of work (measured in
    # the fan-out profile). Connections are recycled instead, and a connection found
    # dead invalidates the pool (SQLAlchemy does that on disconnect errors).
    kwargs.setdefault("pool_recycle", 300)
    connect_args = {**_postgres_args(url, timeouts), **kwargs.pop("connect_args", {})}
    return create_engine(url, connect_args=connect_args, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def database_reachable(engine: Engine) -> tuple[bool, str]:
    """(True, "") when a trivial query works, else (False, a plain-words reason)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any driver error means "not reachable"
        return False, reason_of(exc)
    return True, ""


def reason_of(exc: BaseException) -> str:
    """The first line of what the driver said, for logs and /healthz."""
    message = str(getattr(exc, "orig", None) or exc).strip()
    return message.splitlines()[0] if message else repr(exc)


class HealthProbe:
    """Is the database usable by this code? Answered within ``timeout`` seconds whatever
    the database does: the probe runs on its own thread and the caller waits at most
    ``timeout`` for it. One probe is in flight at a time: a check that comes while an
    earlier probe is still stuck waits on that one instead of starting another, so a
    silent database never piles up threads.

    Healthy: the database answers and its schema is this code's head, or newer (a newer
    release migrated during a rolling upgrade). Behind, or no schema at all: unhealthy.
    """

    def __init__(self, engine: Engine, *, timeout: float = 1.5):
        self.engine, self.timeout = engine, timeout
        self._lock = threading.Lock()
        self._flight: tuple[threading.Event, dict] | None = None

    def check(self) -> tuple[bool, dict]:
        """(healthy, details for the /healthz body)."""
        with self._lock:
            if self._flight is None or self._flight[0].is_set():
                self._flight = (threading.Event(), {})
                threading.Thread(target=self._probe, args=self._flight, daemon=True,
                                 name="healthz-probe").start()
            done, box = self._flight
        if done.wait(self.timeout):
            return box["result"]
        return False, {"database": f"no answer within {self.timeout:g} s"}

    def _probe(self, done: threading.Event, box: dict) -> None:
        from bot.db.migrate import current_revision_on, schema_state

        try:
            with self.engine.connect() as connection:
                revision = current_revision_on(connection)
            state = schema_state(revision)
            box["result"] = (state != "behind",
                             {"database": "ok", "schema": state, "revision": revision})
        except Exception as exc:  # noqa: BLE001 - any failure means "not usable"
            box["result"] = (False, {"database": reason_of(exc)})
        finally:
            done.set()
