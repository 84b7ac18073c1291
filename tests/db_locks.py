"""Another connection holding what the bot needs: the real way a database stops answering
without going away (a long migration, a stuck writer, a lock left by a crashed client)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url


def libpq_url(db_url: str) -> str:
    """The SQLAlchemy URL as a plain libpq URI (psycopg.connect takes it as is)."""
    return make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)


def lock_every_table() -> str:
    from bot.db.models import Base

    names = ", ".join(["alembic_version", *(t.name for t in Base.metadata.sorted_tables)])
    return f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"


@contextmanager
def database_locked(db_url: str, *, pg_lock: str | None = None) -> Iterator[None]:
    """SQLite: BEGIN IMMEDIATE on the same file (the one write lock; the bot begins every
    transaction IMMEDIATE, so it waits for it). PostgreSQL: ``pg_lock`` (default: every
    table, reads included, as SQLite's lock is) in an open transaction. Everything is
    rolled back on exit."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    import psycopg

    with psycopg.connect(libpq_url(db_url)) as connection:
        connection.execute(pg_lock or lock_every_table())
        try:
            yield
        finally:
            connection.rollback()
