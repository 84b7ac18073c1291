"""What the ``followup-bot`` subcommands share: the error a person at the terminal can fix,
and the database connection checked before use."""

from __future__ import annotations

from bot.config import Settings


class CliError(Exception):
    """Something the person at the terminal can fix; printed without a traceback."""


def connect_database(settings: Settings):
    """The engine for DATABASE_URL, once the database answered (CliError if not)."""
    from bot.db.engine import database_reachable, make_engine

    engine = make_engine(settings.database_url)
    ok, reason = database_reachable(engine)
    if not ok:
        raise CliError(
            f"cannot reach the database at DATABASE_URL "
            f"({engine.url.render_as_string(hide_password=True)}): {reason}"
        )
    return engine
