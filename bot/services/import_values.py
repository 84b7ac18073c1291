"""A CRM row's time zone and country, read with the bot's own validators: a zone must be
a real IANA zone (bot.config.is_iana_zone), a country one the holidays package knows
(bot.services.countries.parse_country). What cannot be read is a warning, and the
prospect falls back to the rep's zone and the team's country (its calendar)."""

from __future__ import annotations

import functools
from zoneinfo import available_timezones

from bot.config import is_iana_zone
from bot.domain.crm_import import Row
from bot.domain.crm_zones import read_zone
from bot.services.countries import UnknownCountry, parse_country

# How CRMs and people write a few countries that are not ISO names or codes.
COUNTRY_ALIASES = {
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "england": "GB",
    "united states of america": "US", "u.s.": "US", "u.s.a.": "US", "america": "US",
    "korea, republic of": "KR", "republic of korea": "KR", "türkiye": "TR",
    "turkiye": "TR", "czechia": "CZ", "uae": "AE", "deutschland": "DE", "brasil": "BR",
    "españa": "ES", "méxico": "MX", "россия": "RU", "中国": "CN", "日本": "JP",
}


@functools.lru_cache(maxsize=1)
def known_zones() -> dict[str, str]:
    """{casefolded IANA name: name} for the zones the bot accepts."""
    return {name.casefold(): name for name in available_timezones() if is_iana_zone(name)}


@functools.lru_cache(maxsize=4096)
def read_time_zone(text: str) -> str | None:
    zone = read_zone(text, known_zones())
    return zone if zone and is_iana_zone(zone) else None


@functools.lru_cache(maxsize=4096)
def read_country(text: str) -> str | None:
    """The stored code, or None; raises UnknownCountry."""
    alias = COUNTRY_ALIASES.get(" ".join(text.split()).casefold())
    return alias or parse_country(text)


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:39] + "\u2026")


def resolve_place(row: Row, rep_tz: str) -> tuple[str, str | None, list[str]]:
    """(zone, country code or None, warnings) for a row; an empty cell is no warning."""
    warnings = []
    zone = read_time_zone(row.time_zone) if row.time_zone else None
    if row.time_zone and zone is None:
        warnings.append(f"time zone {_shown(row.time_zone)} not recognised: using the rep's "
                        f"({rep_tz})")
    country = None
    if row.country:
        try:
            country = read_country(row.country)
        except UnknownCountry:
            warnings.append(f"country {_shown(row.country)} not recognised: using the team's "
                            "holidays")
    return zone or rep_tz, country, warnings
