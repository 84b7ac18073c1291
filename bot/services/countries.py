"""The one country validator: what a rep, an admin or HOLIDAY_COUNTRY may name as a country
(whose weekend and public holidays then apply), checked against the ``holidays`` library.

A country is stored as its ISO 3166-1 alpha-2 code, optionally with a subdivision the
library knows ("US", "DE", "GB-SCT", "US-CA"); at most 8 characters, the column's size.
People may also type the code in any case, the three-letter code ("DEU") or the English
name as the library knows it ("Germany", "united arab emirates", "Hong Kong").
"""

from __future__ import annotations

import functools
import re
import unicodedata

MAX_INPUT = 64  # longer text is no country: refused before any lookup
_CODE = re.compile(r"([A-Z]{2})(?:-([A-Z0-9]{1,3}))?")
_DISPLAY = {"HK": "Hong Kong", "CD": "DR Congo"}  # where the library's key reads badly
_SMALL_WORDS = frozenset({"and", "the", "of", "da"})


class UnknownCountry(ValueError):
    """Not a country (or subdivision) the holidays library has a calendar for."""


@functools.lru_cache(maxsize=1)
def _supported() -> dict[str, frozenset[str]]:
    """{alpha-2 code: its subdivision codes}; subdivisions the library names with words
    ("NSW Western", "Zone A") are left out: they are not codes and would not fit."""
    import holidays

    return {code: frozenset(s for s in subdivs if re.fullmatch(r"[A-Z0-9]{1,3}", s))
            for code, subdivs in holidays.list_supported_countries(include_aliases=False).items()
            if re.fullmatch(r"[A-Z]{2}", code)}


def _squash(text: str) -> str:
    """'United Arab Emirates', 'united_arab_emirates', 'UnitedArabEmirates' -> one key;
    accents do not matter ('Curaçao' is 'curacao')."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[\W_]+", "", "".join(c for c in plain if not unicodedata.combining(c)))


@functools.lru_cache(maxsize=1)
def _registry() -> dict[str, tuple[str, ...]]:
    """{library key ('united_states'): (code, class name, aliases...)}; empty if the
    library stops publishing its registry (codes keep working, names are not understood)."""
    try:
        from holidays.registry import COUNTRIES
    except ImportError:  # pragma: no cover - a future holidays release
        return {}
    supported = _supported()
    return {key: (entry[1], entry[0], *entry[2:]) for key, entry in COUNTRIES.items()
            if len(entry) > 1 and entry[1] in supported}


@functools.lru_cache(maxsize=1)
def _by_name() -> dict[str, str]:
    """{squashed English name, class name or alpha-3 code: alpha-2 code}."""
    names: dict[str, str] = {}
    for key, (code, class_name, *aliases) in _registry().items():
        names[_squash(key)] = names[_squash(class_name)] = code
        names.update({alias.casefold(): code for alias in aliases
                      if re.fullmatch(r"[A-Z]{3}", alias)})
    names.update({_squash(display): code for code, display in _DISPLAY.items()})
    return names


def parse_country(text: object, *, names: bool = True) -> str | None:
    """The stored form of what someone typed, or None for nothing typed.

    >>> parse_country(" gb-sct "), parse_country("Germany"), parse_country("")
    ('GB-SCT', 'DE', None)

    ``names=False`` takes codes only (HOLIDAY_COUNTRY). Raises :class:`UnknownCountry`
    (a ValueError) for anything else, including a subdivision the country does not have.
    """
    if text is None:
        return None
    if not isinstance(text, str) or len(text) > MAX_INPUT:
        raise UnknownCountry("not a country code")
    text = text.strip()
    if not text:
        return None
    supported = _supported()
    match = _CODE.fullmatch(text.upper())
    if match:
        code, subdivision = match.groups()
        if code in supported and (subdivision is None or subdivision in supported[code]):
            return text.upper()
        if code in supported:
            raise UnknownCountry(f"{code} has no subdivision {subdivision}")
    if names and _squash(text) in _by_name():
        return _by_name()[_squash(text)]
    raise UnknownCountry(f"unknown country {text!r}")


def country_name(code: str) -> str:
    """'United States' for 'US'; the code itself when the library gives no name."""
    if code in _DISPLAY:
        return _DISPLAY[code]
    key = next((key for key, entry in _registry().items() if entry[0] == code), None)
    if key is None:
        return code
    words = key.split("_")
    return " ".join(w if i and w in _SMALL_WORDS else w.capitalize()
                    for i, w in enumerate(words))


def _subdivision_name(code: str, subdivision: str) -> str | None:
    import holidays

    try:
        aliases = type(holidays.country_holidays(code)).get_subdivision_aliases()
    except (NotImplementedError, AttributeError, KeyError):  # pragma: no cover
        return None
    return next(iter(aliases.get(subdivision) or ()), None)


@functools.lru_cache(maxsize=512)
def country_label(stored: str) -> str:
    """'United States (US)', 'United Kingdom, Scotland (GB-SCT)'."""
    code, _, subdivision = stored.partition("-")
    name = country_name(code)
    place = _subdivision_name(code, subdivision) if subdivision else None
    return f"{name}, {place} ({stored})" if place else f"{name} ({stored})"
