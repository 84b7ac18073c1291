"""Apply Alembic migrations, guarded so concurrent starters do not both migrate."""

from __future__ import annotations

import functools
import logging

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from bot.resources import migrations_dir

log = logging.getLogger(__name__)

# Arbitrary constant shared by every followup-bot process: the PostgreSQL advisory lock key.
MIGRATION_LOCK_KEY = 0x70_6C_6C_6F_77_75_70


def alembic_config(url: str | None = None) -> Config:
    """The migrations shipped with this code, from a checkout or an installed wheel (the
    ``alembic -c pyproject.toml`` command line reads the same folder in a checkout)."""
    script_location = migrations_dir()
    if not script_location.is_dir():  # pragma: no cover - a broken install
        raise RuntimeError(f"migrations folder not found ({script_location}); reinstall the bot")
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if url is not None:
        config.attributes["url"] = url
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@functools.lru_cache(maxsize=1)
def _known_revisions() -> tuple[str | None, frozenset[str]]:
    script = ScriptDirectory.from_config(alembic_config())
    return script.get_current_head(), frozenset(r.revision for r in script.walk_revisions())


def schema_state(current: str | None) -> str:
    """How the database's revision compares with this code's head: ``"current"``,
    ``"behind"`` (an older revision of ours, or no schema at all) or ``"newer"`` (a
    revision this code does not know: a newer release already migrated, as during a
    rolling upgrade, and that release keeps the schema working for this one)."""
    head, known = _known_revisions()
    if current == head:
        return "current"
    if current is None or current in known:
        return "behind"
    return "newer"


def current_revision_on(connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return current_revision_on(connection)


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade to ``revision``. On PostgreSQL an advisory lock serialises concurrent callers;
    the second caller waits, then finds nothing left to do."""
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection:
        _lift_request_bounds(connection)
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            connection.commit()
        try:
            config.attributes["connection"] = connection
            if revision == "head" and current_revision_on(connection) == head_revision():
                log.info("database schema is up to date")
            else:
                command.upgrade(config, revision)
                connection.commit()
                _check_foreign_keys(connection)
        finally:
            try:
                if connection.dialect.name == "postgresql":
                    connection.rollback()  # a failed migration leaves its transaction aborted
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY}
                    )
                    connection.commit()
            finally:
                connection.invalidate()  # the lifted bounds must not go back into the pool


def _lift_request_bounds(connection) -> None:
    """The engine bounds every wait to what a Slack request can afford (see
    :class:`bot.db.engine.DbTimeouts`). A migration may wait for another starter's (the
    advisory lock) and rewrite whole tables: on this one connection, wait as long as it
    takes on PostgreSQL and up to a minute for SQLite's write lock."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET statement_timeout = 0")
        connection.commit()
    else:  # straight to the driver: a statement through SQLAlchemy would BEGIN first
        driver = connection.connection.dbapi_connection
        driver.execute("PRAGMA busy_timeout = 60000")
        # Batch migrations rebuild a table (copy, drop, rename): with foreign keys on, the
        # DROP fails as soon as another table's rows point at it. Off for this one
        # connection (it is thrown away afterwards); _check_foreign_keys verifies after.
        driver.execute("PRAGMA foreign_keys = OFF")


def _check_foreign_keys(connection) -> None:
    """After a SQLite migration: every row's foreign keys still resolve."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")

