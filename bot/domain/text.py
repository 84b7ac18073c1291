"""Rules about people's text: what counts as visible, and what search compares.

Standard library only. Slack-specific cutting and escaping lives in ``bot.slack.text``.
"""

from __future__ import annotations

import unicodedata

# Categories that never draw anything on their own: controls, format characters (zero-width
# space, joiners, bidi marks), separators, unassigned, surrogates, private use, and
# combining marks (they only decorate a base character).
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters and symbols that Unicode files as visible but that render blank.
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def is_visible(char: str) -> bool:
    return (char not in _BLANK_CHARACTERS
            and unicodedata.category(char) not in _INVISIBLE_CATEGORIES)


def has_visible_text(text: str | None) -> bool:
    """True when ``text`` shows at least one character on screen.

    >>> has_visible_text("Dana"), has_visible_text("\\u200b\\u200b"), has_visible_text(" \\u3164")
    (True, False, False)
    """
    return any(is_visible(char) for char in text or "")


def search_key(text: str | None) -> str:
    """What search compares: Unicode NFC, then case-folded (and NFC again, since folding can
    decompose). "Zoë" typed precomposed or decomposed, "ÖMER" and "ömer" meet here.

    >>> search_key("Zoe\\u0308") == search_key("Zo\\u00eb") == "zo\\u00eb"
    True
    >>> search_key("Straße") == search_key("STRASSE")
    True
    """
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text or "").casefold())
