"""Subjects that read whole: under 60 characters, cut only where a phrase ends, no ellipsis.

A cut lands at a phrase boundary: after a comma, colon, semicolon or closing bracket, or
before a word that opens a new phrase ("on", "and", "because", "the", "mit", "para"...),
and never leaves a word that needs a next one at the end ("for", "the", "our", "6").
When no boundary fits, the caller picks shorter wording (:func:`fit_phrase` returns "").

Pure: standard library only.

>>> fit_phrase("losing six hours a week on manual invoice matching", 30)
'losing six hours a week'
>>> fit_subject("Acme Logistics: losing six hours a week on manual invoice matching")
'Acme Logistics: losing six hours a week'
>>> cut_mid_phrase("Acme: losing six hours a week on..."), cut_mid_phrase("Acme: a demo for")
(True, True)
"""

from __future__ import annotations

import unicodedata

SUBJECT_LIMIT = 60  # characters: a subject stays under this
# Words that open a phrase: a cut may fall just before one.
OPENERS = frozenset("""
and or but so nor because since as when while which that who whom whose where if than
on in at for with without to from by about into onto over under after before during per
via vs versus of off through across around against between among until unless
a an the
und oder aber weil wenn mit für von bei nach vor im zum zur über ohne dass
der die das den dem des ein eine einen einem einer
y o pero porque con para por de en sin que cuando del al el la los las un una unos unas
""".split())
# Words a phrase cannot end on: they need the word after them.
DANGLING = OPENERS | frozenset("""
my our your their his her its this these those some any no every each very more most
less is are was were be been has have had not just also too much many such
mein meine unser unsere ihr ihre sein seine nicht sehr
mi mis su sus nuestro nuestra muy más no
& + - – — / w/ vs. e.g. i.e. z.b. etc
""".split())
# What a finished subject never ends on (a narrower set than the cut avoids: "checking
# in", "what we talked about" and "top 5" end a phrase as they are).
NEVER_LAST = frozenset("""
a an the and or but nor of for with from to because than my our your their his her its
this these those every each very
der die das den dem des ein eine und oder aber mit für von zum zur
el la los las un una y o pero con para por del al mi mis su sus
""".split())
_ELLIPSIS = ("...", "…")
_END_PUNCT = ",;:-–—(/&+"
_BREAK_AFTER = ",;:)]"


def _word(token: str) -> str:
    return token.casefold().strip("\"'“”‘’()[]")


def _dangles(token: str) -> bool:
    word = _word(token)
    return (word in DANGLING or word.rstrip(".") in DANGLING or word.isdigit()
            or token[-1:] in _END_PUNCT)


def cut_mid_phrase(subject: str) -> bool:
    """True when a subject stops mid-phrase: an ellipsis, a trailing "for"/"the"/"6", or a
    trailing comma, colon or dash."""
    text = subject.strip()
    if not text:
        return False
    if text.endswith(_ELLIPSIS) or text[-1] in _END_PUNCT:
        return True
    return _word(text.split()[-1]) in NEVER_LAST


def _boundaries(tokens: list[str]) -> list[int]:
    """Token counts after which the text may stop (phrase ends), longest first."""
    ends = [len(tokens)]
    for count in range(len(tokens) - 1, 0, -1):
        before, after = tokens[count - 1], tokens[count]
        at_break = before[-1] in _BREAK_AFTER or after in ("-", "–", "—") or after[0] in "(["
        if (at_break or _word(after) in OPENERS) and not _dangles(before.rstrip(_BREAK_AFTER)):
            ends.append(count)
    return ends


def fit_phrase(text: str, room: int) -> str:
    """The longest start of ``text`` that ends a phrase and is at most ``room`` characters
    (trailing punctuation dropped); "" when none fits: say it some shorter way."""
    tokens = " ".join(text.split()).split(" ") if text.strip() else []
    for count in _boundaries(tokens):
        kept = " ".join(tokens[:count]).rstrip(" ,;:-–—")
        if kept and len(kept) <= room and not cut_mid_phrase(kept):
            return kept
    return ""


def _hard_cut(text: str, room: int) -> str:
    """Last resort (one very long word): at most ``room`` characters, never splitting a
    character from the combining marks that follow it."""
    cut = text[:room]
    while cut and len(text) > len(cut) and unicodedata.combining(text[len(cut)]):
        cut = cut[:-1]
    return cut


def fit_subject(subject: str, limit: int = SUBJECT_LIMIT) -> str:
    """``subject`` on one line, under ``limit`` characters, cut at a phrase boundary; when
    no phrase boundary fits, at a word boundary without a dangling word; no ellipsis."""
    text = " ".join(subject.split())
    room = limit - 1
    if len(text) <= room:
        return text
    fitted = fit_phrase(text, room)
    if fitted:
        return fitted
    words = text[:room + 1].split(" ")[:-1] if " " in text[:room + 1] else []
    while words and _dangles(words[-1]):
        words.pop()
    return " ".join(words).rstrip(" ,;:-–—") or _hard_cut(text, room)
