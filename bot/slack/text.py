"""Text going back into Slack: cut first (on grapheme boundaries), then escape.

Cutting after escaping shows reps "&am…"; cutting between code points splits an emoji
sequence or a letter from its accent. A grapheme (``regex``'s ``\\X``) is what a person
sees as one character, so every cut here lands between graphemes.
"""

from __future__ import annotations

import regex

_GRAPHEME = regex.compile(r"\X")
ELLIPSIS = "…"


def escape(text: str | None) -> str:
    """Escape exactly what Slack's mrkdwn treats as control characters (&, <, >), so user
    text like '<!channel>' shows as text and never pings anyone."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cut(text: str, limit: int, size) -> str:
    """The longest run of whole graphemes from the start whose ``size`` plus the ellipsis
    stays within ``limit``, followed by the ellipsis; ``text`` itself when it fits."""
    if size(text) <= limit:
        return text
    budget = limit - len(ELLIPSIS)
    kept: list[str] = []
    used = 0
    for grapheme in _GRAPHEME.findall(text):
        cost = size(grapheme)
        if used + cost > budget:
            break
        kept.append(grapheme)
        used += cost
    return "".join(kept).rstrip() + ELLIPSIS


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, with an ellipsis when cut, never inside a grapheme.
    For plain text (plain_text objects, input values); for user text shown as mrkdwn use
    :func:`escape_clipped`."""
    return _cut(text or "", limit, len)


def escape_clipped(text: str | None, limit: int) -> str:
    """``text`` cut on grapheme boundaries so that, escaped, it fits ``limit`` characters
    (ellipsis included), then escaped: never a half entity such as "&am…"."""
    return escape(_cut(text or "", limit, lambda part: len(escape(part))))


def clip_mrkdwn(text: str, limit: int) -> str:
    """A last guard for mrkdwn that is already escaped (joined lines): cut on grapheme
    boundaries and never inside an ``&amp;`` / ``&lt;`` / ``&gt;`` entity."""
    if len(text) <= limit:
        return text
    cut = _cut(text, limit, len)[: -len(ELLIPSIS)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + ELLIPSIS
