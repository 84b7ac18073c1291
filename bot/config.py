"""Settings: read once from the environment (and an optional .env file), passed down.

Only the CLI calls :func:`load_settings`; everything else receives a :class:`Settings`.
Every problem is reported as a :class:`SettingsError` whose message names the variable.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

from bot.config_values import (
    SettingsError,
    env_bool,
    env_clock_time,
    env_country,
    env_int,
    env_token,
    env_url,
    env_user_ids,
    env_windows,
    env_zone,
    is_iana_zone,
)

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///followup-bot.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
__all__ = ["Settings", "SettingsError", "draft_secret", "is_iana_zone", "load_settings",
           "normalize_database_url"]


@dataclass(frozen=True)
class Settings:
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str = DEFAULT_SLACK_API_URL
    public_url: str | None = None
    default_timezone: str = "UTC"
    log_level: str = "INFO"
    cadence_file: Path | None = None
    holiday_country: str | None = None
    max_call_attempts: int | None = None  # overrides the cadence file's rules when set
    call_windows: tuple[tuple[time, time], ...] = field(
        default=((time(16), time(17)), (time(11), time(12)))
    )
    listener_threads: int = 32
    templates_dir: Path | None = None  # team templates that override built-ins by name
    draft_secret: str | None = None  # signs draft page links; falls back to the signing secret
    draft_ttl_days: int = 7
    digest_cutoff: time = time(12)  # a missed morning DM goes out until this local time
    digest_when_empty: bool = False
    recap_nudge_hours: int = 2  # 0 turns the nudge off
    digest_rate: float = 5.0  # posts per second per workspace (bulk posts take 80% of it)
    # A stopped sender's reps are taken over within about one lease plus one tick.
    digest_lease_seconds: int = 30
    digest_tick_seconds: int = 20
    manager_ids: tuple[str, ...] = ()  # Slack user ids that receive the weekly team report

    def require_slack(self, *, socket_mode: bool) -> None:
        """Fail with one message naming every Slack variable the chosen mode needs."""
        needed = ["SLACK_BOT_TOKEN"]
        needed.append("SLACK_APP_TOKEN" if socket_mode else "SLACK_SIGNING_SECRET")
        values = {
            "SLACK_BOT_TOKEN": self.slack_bot_token,
            "SLACK_SIGNING_SECRET": self.slack_signing_secret,
            "SLACK_APP_TOKEN": self.slack_app_token,
        }
        missing = [name for name in needed if not values[name]]
        if missing:
            mode = "Socket Mode" if socket_mode else "HTTP mode"
            raise SettingsError(
                f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set; "
                f"{mode} needs {' and '.join(needed)}. Copy them from your Slack app's "
                "settings page (see README, 'Create the Slack app')."
            )


def draft_secret(settings: Settings) -> str:
    """DRAFT_SECRET, else the signing secret; with neither (Socket Mode without
    DRAFT_SECRET) a secret made for this process, so links die with it."""
    return settings.draft_secret or settings.slack_signing_secret or secrets.token_urlsafe(32)


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a minimal KEY=VALUE .env file (comments, blank lines, optional quotes)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :]
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key.strip()):
            raise SettingsError(f"{path}:{number}: expected KEY=VALUE, got {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def normalize_database_url(value: str) -> str:
    """Accept the URLs people paste (postgres://, postgresql://) and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if value.startswith(prefix):
            return "postgresql+psycopg://" + value[len(prefix) :]
    return value


def _database_url(env: Mapping[str, str]) -> str:
    value = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    value = normalize_database_url(value)
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if not (scheme.startswith("sqlite") or scheme.startswith("postgresql")):
        raise SettingsError(
            "DATABASE_URL must be a sqlite:///path or postgresql://user@host/db URL, "
            f"got {value!r}."
        )
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(value)
    except (ArgumentError, ValueError) as exc:
        raise SettingsError(f"DATABASE_URL is malformed ({exc}).") from None
    _require_database(url)
    return value


def _require_database(url) -> None:
    """A URL without a database would use whatever the server or driver picks (the
    server's default database, an in-memory SQLite): refuse it."""
    shown = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        if not url.database:
            raise SettingsError(f"DATABASE_URL names no database file ({shown!r}); "
                                "use sqlite:///path/to/followup-bot.db.")
        return
    if not (url.database or url.query.get("dbname")):
        raise SettingsError(f"DATABASE_URL names no database ({shown!r}); "
                            "use postgresql://user@host/dbname.")
    if not (url.host or url.query.get("host")):
        raise SettingsError(f"DATABASE_URL names no host ({shown!r}); use "
                            "postgresql://user@host/dbname, or "
                            "postgresql:///dbname?host=/var/run/postgresql for a local socket.")


def load_settings(
    environ: Mapping[str, str] | None = None, *, dotenv: Path | None = Path(".env")
) -> Settings:
    """Build Settings from ``environ`` (default os.environ) over an optional .env file."""
    env: dict[str, str] = read_dotenv(dotenv) if dotenv is not None else {}
    env.update(os.environ if environ is None else environ)
    level = env.get("LOG_LEVEL", "").strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}.")
    cadence_raw = env.get("CADENCE_FILE", "").strip()
    cadence_file = Path(cadence_raw) if cadence_raw else None
    if cadence_file is not None and not cadence_file.is_file():
        raise SettingsError(f"CADENCE_FILE points at {cadence_raw!r}, which is not a file.")
    templates_raw = env.get("TEMPLATES_DIR", "").strip()
    templates_dir = Path(templates_raw) if templates_raw else None
    if templates_dir is not None and not templates_dir.is_dir():
        raise SettingsError(f"TEMPLATES_DIR points at {templates_raw!r}, which is not a folder.")
    return Settings(
        slack_bot_token=env_token(env, "SLACK_BOT_TOKEN", "xoxb-"),
        slack_signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip() or None,
        slack_app_token=env_token(env, "SLACK_APP_TOKEN", "xapp-"),
        database_url=_database_url(env),
        slack_api_url=env_url(env, "SLACK_API_URL", DEFAULT_SLACK_API_URL).rstrip("/") + "/",
        public_url=(env_url(env, "PUBLIC_URL", None) or "").rstrip("/") or None,
        default_timezone=env_zone(env, "DEFAULT_TIMEZONE"),
        log_level=level,
        cadence_file=cadence_file,
        holiday_country=env_country(env, "HOLIDAY_COUNTRY"),
        max_call_attempts=env_int(env, "MAX_CALL_ATTEMPTS", None, 1, 20),
        call_windows=env_windows(env, "CALL_WINDOWS", Settings.call_windows),
        listener_threads=env_int(env, "LISTENER_THREADS", 32, 1, 256),
        templates_dir=templates_dir,
        draft_secret=env.get("DRAFT_SECRET", "").strip() or None,
        draft_ttl_days=env_int(env, "DRAFT_TTL_DAYS", 7, 1, 90),
        digest_cutoff=env_clock_time(env, "DIGEST_CUTOFF", time(12)),
        digest_when_empty=env_bool(env, "DIGEST_WHEN_EMPTY", False),
        recap_nudge_hours=env_int(env, "RECAP_NUDGE_HOURS", 2, 0, 48),
        digest_rate=float(env_int(env, "DIGEST_RATE", 5, 1, 100)),
        digest_lease_seconds=env_int(env, "DIGEST_LEASE_SECONDS", 30, 3, 600),
        digest_tick_seconds=env_int(env, "DIGEST_TICK_SECONDS", 20, 1, 600),
        manager_ids=env_user_ids(env, "MANAGER_IDS"),
    )


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=getattr(logging, settings.log_level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if settings.log_level != "DEBUG":  # alembic announces every plugin at INFO on import
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
