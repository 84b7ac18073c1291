"""Readers of one environment variable each, for bot.config: every problem is a
SettingsError whose message names the variable and shows what was given."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import time
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


class SettingsError(ValueError):
    """A setting is missing or malformed. The message is meant for a human."""


def env_token(env: Mapping[str, str], name: str, prefix: str) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if not value.startswith(prefix):
        raise SettingsError(f"{name} should start with '{prefix}' (got '{value[:5]}...').")
    return value


def env_url(env: Mapping[str, str], name: str, default: str | None) -> str | None:
    value = env.get(name, "").strip() or default
    if value is None:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(f"{name} must be an http(s) URL, got {value!r}.")
    return value


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


def env_zone(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip() or "UTC"
    if not is_iana_zone(value):
        raise SettingsError(
            f"{name} must be an IANA time zone name such as 'America/New_York', got {value!r}."
        )
    return value


def env_int(env: Mapping[str, str], name: str, default, low: int, high: int):
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


def env_windows(env: Mapping[str, str], name: str, default):
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


def env_clock_time(env: Mapping[str, str], name: str, default: time) -> time:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
    try:
        return time(int(match.group(1)), int(match.group(2)))  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        raise SettingsError(f"{name} must be a time like 12:00, got {raw!r}.") from None


def env_bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}.")


def env_country(env: Mapping[str, str], name: str) -> str | None:
    """A country code the holidays package knows (the one validator, codes only here)."""
    from bot.services.countries import UnknownCountry, parse_country

    value = env.get(name, "").strip()
    try:
        return parse_country(value, names=False)
    except UnknownCountry:
        raise SettingsError(f"{name} must be a country code the holidays package knows, such "
                            f"as 'US', 'DE' or 'GB-SCT', got {value[:64]!r}.") from None


def env_user_ids(env: Mapping[str, str], name: str) -> tuple[str, ...]:
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
