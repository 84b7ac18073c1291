"""Turn the free text after /logcall into prospect fields."""

from __future__ import annotations

import re
from dataclasses import dataclass

SEPARATORS = (",", " - ", " at ", " @ ", "|", ";")
EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class Prefill:
    name: str = ""
    company: str = ""
    email: str = ""


def parse_logcall_text(text: str) -> Prefill:
    """'Dana Whitfield, Acme Logistics' -> name and company; an email anywhere is kept too
    (also as '<dana@acme.com>'). 'Dana Whitfield at Acme' and 'Dana Whitfield (Acme)' work
    as well; the first separator in the text splits name from company."""
    text = " ".join((text or "").split())
    email = ""
    words = []
    for word in text.split(" "):
        core = word.strip(",;()<>")
        if not email and EMAIL_RE.match(core):
            email = core
            trailing = word[len(word.rstrip(",;")):]
            if trailing:
                words.append(trailing)
            continue
        words.append(word)
    text = " ".join(words).replace(" ,", ",").replace(" ;", ";").strip(" ,;-")
    if not text:
        return Prefill(email=email)
    match = re.fullmatch(r"(.+?)\s*\((.+)\)", text)
    if match:
        return Prefill(match.group(1).strip(), match.group(2).strip(), email)
    positions = [(text.find(sep), sep) for sep in SEPARATORS if sep in text]
    if positions:
        _, separator = min(positions)
        name, company = text.split(separator, 1)
        return Prefill(name.strip(" ,;-"), company.strip(" ,;-"), email)
    return Prefill(text, "", email)


def is_valid_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value.strip()))
