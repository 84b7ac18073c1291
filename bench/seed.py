"""Bulk loading: PostgreSQL COPY (psycopg ``cursor.copy``), SQLite ``executemany`` in one
big transaction. The schema always comes from the migrations (``bot.db.migrate.upgrade``)
first; rows are written in the column formats SQLAlchemy itself uses on each backend."""

from __future__ import annotations

import functools
import random
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.engine import make_url

from bot.config import normalize_database_url
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.domain.timing import window_on

TEAM = "T0BENCH"
ZONES = ("America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
         "Europe/Berlin")
OUTCOMES = ("connected", "voicemail", "no_answer", "not_now", "connected", "voicemail")
PAINS = ("We lose two days a month reconciling invoices by hand",
         "Our carriers never send proof of delivery on time", None)


def migrate(url: str) -> None:
    engine = make_engine(normalize_database_url(url))
    try:
        upgrade(engine)
    finally:
        engine.dispose()


class Loader:
    """``insert(table, columns, rows)`` with plain Python values; ``ts``/``flag`` format a
    datetime / bool the way this backend stores them."""

    def __init__(self, url: str):
        self.url = normalize_database_url(url)
        self.sqlite = self.url.startswith("sqlite")
        if self.sqlite:
            self.conn = sqlite3.connect(make_url(self.url).database, isolation_level=None)
            self.conn.execute("PRAGMA synchronous=OFF")
            self.conn.execute("BEGIN")
        else:
            import psycopg

            self.conn = psycopg.connect(self.url.replace("postgresql+psycopg://",
                                                         "postgresql://", 1))
            # The rows are generated consistent; skip the per-row foreign-key triggers
            # during the load (what pg_restore --disable-triggers does).
            self.execute("SET session_replication_role = replica")

    def ts(self, moment: datetime) -> str:
        moment = moment.astimezone(UTC)
        return f"{moment:%Y-%m-%d %H:%M:%S.%f}" + ("" if self.sqlite else "+00")

    def flag(self, value: bool):
        return int(value) if self.sqlite else value

    def insert(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        count = 0
        if self.sqlite:
            marks = ",".join("?" * len(columns))
            sql = f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})"  # noqa: S608
            batch: list[tuple] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= 50_000:
                    self.conn.executemany(sql, batch)
                    count, batch = count + len(batch), []
            self.conn.executemany(sql, batch)
            return count + len(batch)
        with self.conn.cursor() as cursor, cursor.copy(
                f"COPY {table} ({','.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def execute(self, sql: str, params: Sequence = ()) -> list[tuple]:
        if self.sqlite:
            return self.conn.execute(sql.replace("%s", "?"), params).fetchall()
        with self.conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def close(self, analyze: bool = False) -> None:
        """Commit; on PostgreSQL move the id sequences past the explicit ids and (as
        autovacuum would soon after a load) ANALYZE."""
        if self.sqlite:
            self.conn.execute("COMMIT")
        else:
            for table in ("reps", "prospects", "calls", "follow_ups"):
                self.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                             f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)")
            self.conn.commit()
            if analyze:
                self.conn.autocommit = True
                self.execute("ANALYZE")
        self.conn.close()


REP_COLS = ("id", "team_id", "slack_user_id", "name", "tz", "workday_start", "working_days",
            "digest_enabled", "active", "created_at")
PROSPECT_COLS = ("id", "team_id", "owner_rep_id", "name", "company", "email", "phone", "tz",
                 "status", "needs_verified_number", "do_not_call", "cadence",
                 "cadence_started_on", "call_attempts", "created_at", "updated_at",
                 "name_key", "company_key")
CALL_COLS = ("id", "team_id", "prospect_id", "rep_id", "called_at", "outcome", "call_type",
             "pain_point", "next_step", "resource_promised", "attempt_number", "created_at")
FOLLOW_UP_COLS = ("id", "team_id", "prospect_id", "rep_id", "call_id", "due_on", "step",
                  "purpose", "channel", "status", "attempt_number", "idempotency_key",
                  "created_at", "completed_at", "window_start", "window_end")


def user_id(rep_id: int) -> str:
    return f"U{rep_id:07d}"


def add_team(loader: Loader) -> None:
    loader.insert("teams", ("id", "name", "created_at"),
                  [(TEAM, "Bench Team", loader.ts(datetime.now(UTC)))])


def add_reps(loader: Loader, ids: Iterable[int], *, tz: str | None = None,
             start: time = time(8, 30), days: str = "12345", digest: bool = True) -> None:
    created = loader.ts(datetime.now(UTC) - timedelta(days=400))
    loader.insert("reps", REP_COLS, (
        (i, TEAM, user_id(i), f"Rep {i}", tz or ZONES[i % len(ZONES)],
         start.strftime("%H:%M:%S.%f"), days, loader.flag(digest), loader.flag(True), created)
        for i in ids))


def add_book(loader: Loader, rep_ids: Sequence[int], *, prospects: int, calls: int,
             follow_ups: int, today: date, pending: float = 0.05, spread: int = 60,
             due_today: int = 0, do_not_call: float = 0.02, seed: int = 7) -> None:
    """Each rep gets ``prospects`` prospects with ``calls`` calls each and ``follow_ups``
    follow-ups spread over them: ``pending`` of them still open, the rest done / skipped /
    cancelled history, due dates uniform over today +- ``spread`` days. ``due_today``
    extra pending follow-ups per rep are due exactly today; ``do_not_call`` of the
    prospects are do-not-call (their follow-ups never show). Ids are derived from rep ids
    (rep_id * per-rep count), so stages can be added one after another; use well separated
    rep id ranges when two calls use different per-rep shapes."""
    rng = random.Random(seed + rep_ids[0])
    now = datetime.now(UTC)
    per_rep = follow_ups + due_today
    days = [loader.ts(now - timedelta(days=d, hours=h)) for d in range(400) for h in (3, 7)]
    dates = {d: (today + timedelta(days=d)).isoformat() for d in range(-400, spread + 1)}
    started = (today - timedelta(days=30)).isoformat()
    no = loader.flag(False)

    def prospect_rows():
        for rep in rep_ids:
            for j in range(prospects):
                pid = (rep - 1) * prospects + j + 1
                dnc = rng.random() < do_not_call
                yield (pid, TEAM, rep, f"Prospect {pid:07d}", f"Company {pid % 5000}",
                       f"p{pid}@example.com", "+1 555 0100", ZONES[pid % len(ZONES)],
                       "do_not_call" if dnc else "active", no, loader.flag(dnc), "post_call",
                       started, calls, days[60], days[2],
                       f"prospect {pid:07d}", f"company {pid % 5000}")

    def call_rows():
        for rep in rep_ids:
            for j in range(prospects):
                pid = (rep - 1) * prospects + j + 1
                for k in range(calls):
                    at = days[2 * (k * 7 + 1 + pid % 5)]
                    yield ((pid - 1) * calls + k + 1, TEAM, pid, rep, at,
                           OUTCOMES[(pid + k) % len(OUTCOMES)], "cold_call",
                           PAINS[pid % len(PAINS)], "Send pricing, talk again Thursday",
                           "The logistics case study" if k == calls - 1 else None, k + 1, at)

    def follow_up_rows():
        for rep in rep_ids:
            for n in range(per_rep):
                fid = (rep - 1) * per_rep + n + 1
                pid = (rep - 1) * prospects + n % prospects + 1
                call = (pid - 1) * calls + rng.randrange(calls) + 1
                extra = n >= follow_ups
                roll = rng.random()
                status = ("pending" if extra or roll < pending else
                          "done" if roll < 0.88 else "skipped" if roll < 0.94 else "cancelled")
                due = 0 if extra else rng.randint(-spread, spread)
                if status != "pending" and due > 0:
                    due = -due  # history lies in the past
                channel = "email" if n % 4 == 3 else "call"
                start, end = (window(due, ZONES[pid % len(ZONES)]) if status == "pending"
                              else (None, None))
                yield (fid, TEAM, pid, rep, call, dates[due], n % 6 + 1, "Follow-up call",
                       channel, status, n % 6 + 1 if channel == "call" else None,
                       f"fu:{fid}", days[4], None if status == "pending" else days[0],
                       start, end)

    @functools.cache
    def window(due: int, zone: str) -> tuple:
        """The stored appointment of a pending touch: 4-5 pm on its day, prospect-local."""
        span = window_on(today + timedelta(days=due), time(16), time(17), zone)
        return loader.ts(span.start), loader.ts(span.end)

    loader.insert("prospects", PROSPECT_COLS, prospect_rows())
    loader.insert("calls", CALL_COLS, call_rows())
    loader.insert("follow_ups", FOLLOW_UP_COLS, follow_up_rows())
