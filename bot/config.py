"""Settings: read once from the environment (and an optional .env file), passed down.

Only the CLI calls :func:`load_settings`; everything else receives a :class:`Settings`.
Every problem is reported as a :class:`SettingsError` whose message names the variable.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///followup-bot.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting is missing or malformed. The message is meant for a human."""


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


def _token(env: Mapping[str, str], name: str, prefix: str) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if not value.startswith(prefix):
        raise SettingsError(f"{name} should start with '{prefix}' (got '{value[:5]}...').")
    return value


def _url(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    value = env.get(name, "").strip() or default
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(f"{name} must be an http(s) URL, got {value!r}.")
    return value


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


@functools.lru_cache(maxsize=1)
def _iana_names() -> frozenset[str]:
    # The system's zone database can also hold files that are not zones people live in.
    return frozenset(available_timezones()) - {"localtime", "posixrules", "Factory"}


def is_iana_zone(value: str) -> bool:
    """A real IANA zone name ('Europe/Berlin', 'UTC'), not a file such as 'localtime'."""
    if value not in _iana_names():
        return False
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _zone(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip() or "UTC"
    if not is_iana_zone(value):
        raise SettingsError(
            f"{name} must be an IANA time zone name such as 'America/New_York', got {value!r}."
        )
    return value


def _int(env: Mapping[str, str], name: str, default, low: int, high: int):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}.") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}.")
    return value


def _windows(env: Mapping[str, str], name: str, default):
    raw = env.get(name, "").strip()
    if not raw:
        return default
    windows = []
    for part in raw.split(","):
        match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", part)
        if not match:
            raise SettingsError(f"{name} must look like '16:00-17:00,11:00-12:00', got {raw!r}.")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError:
            raise SettingsError(f"{name} has an impossible time in {part.strip()!r}.") from None
        if end <= start:
            raise SettingsError(f"{name}: window {part.strip()!r} ends before it starts.")
        windows.append((start, end))
    return tuple(windows)


def _clock_time(env: Mapping[str, str], name: str, default: time) -> time:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
    try:
        return time(int(match.group(1)), int(match.group(2)))  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        raise SettingsError(f"{name} must be a time like 12:00, got {raw!r}.") from None


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}.")


def _country(env: Mapping[str, str], name: str) -> str | None:
    """A country code the holidays package knows (the one validator, codes only here)."""
    from bot.services.countries import UnknownCountry, parse_country

    value = env.get(name, "").strip()
    try:
        return parse_country(value, names=False)
    except UnknownCountry:
        raise SettingsError(f"{name} must be a country code the holidays package knows, such "
                            f"as 'US', 'DE' or 'GB-SCT', got {value[:64]!r}.") from None


def _user_ids(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """Comma-separated Slack user ids (U... or W...), each once, in the order given."""
    ids: list[str] = []
    for raw in env.get(name, "").split(","):
        value = raw.strip()
        if not value:
            continue
        if not re.fullmatch(r"[UW][A-Z0-9]{2,31}", value):
            raise SettingsError(f"{name} must list Slack user ids such as U024BE7LH, "
                                f"separated by commas; {value[:40]!r} is not one.")
        if value not in ids:
            ids.append(value)
    return tuple(ids)


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
        slack_bot_token=_token(env, "SLACK_BOT_TOKEN", "xoxb-"),
        slack_signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip() or None,
        slack_app_token=_token(env, "SLACK_APP_TOKEN", "xapp-"),
        database_url=_database_url(env),
        slack_api_url=_url(env, "SLACK_API_URL", DEFAULT_SLACK_API_URL).rstrip("/") + "/",
        public_url=(_url(env, "PUBLIC_URL", None) or "").rstrip("/") or None,
        default_timezone=_zone(env, "DEFAULT_TIMEZONE"),
        log_level=level,
        cadence_file=cadence_file,
        holiday_country=_country(env, "HOLIDAY_COUNTRY"),
        max_call_attempts=_int(env, "MAX_CALL_ATTEMPTS", None, 1, 20),
        call_windows=_windows(env, "CALL_WINDOWS", Settings.call_windows),
        listener_threads=_int(env, "LISTENER_THREADS", 32, 1, 256),
        templates_dir=templates_dir,
        draft_secret=env.get("DRAFT_SECRET", "").strip() or None,
        draft_ttl_days=_int(env, "DRAFT_TTL_DAYS", 7, 1, 90),
        digest_cutoff=_clock_time(env, "DIGEST_CUTOFF", time(12)),
        digest_when_empty=_bool(env, "DIGEST_WHEN_EMPTY", False),
        recap_nudge_hours=_int(env, "RECAP_NUDGE_HOURS", 2, 0, 48),
        digest_rate=float(_int(env, "DIGEST_RATE", 5, 1, 100)),
        digest_lease_seconds=_int(env, "DIGEST_LEASE_SECONDS", 30, 3, 600),
        digest_tick_seconds=_int(env, "DIGEST_TICK_SECONDS", 20, 1, 600),
        manager_ids=_user_ids(env, "MANAGER_IDS"),
    )


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(
        level=getattr(logging, settings.log_level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if settings.log_level != "DEBUG":  # alembic announces every plugin at INFO on import
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
