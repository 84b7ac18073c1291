"""Turn the free text after /logcall into prospect fields."""

from __future__ import annotations

import re
from dataclasses import dataclass

EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")


@dataclass(frozen=True)
class Prefill:
    name: str = ""
    company: str = ""
    email: str = ""


def parse_logcall_text(text: str) -> Prefill:
    """'Dana Whitfield, Acme Logistics' -> name and company; an email anywhere is kept too.
    'Dana Whitfield at Acme' and 'Dana Whitfield (Acme)' work as well."""
    text = " ".join((text or "").split())
    email = ""
    for word in text.split(" "):
        if EMAIL_RE.match(word.strip(",;()")):
            email = word.strip(",;()")
            text = text.replace(word, " ")
    text = " ".join(text.split()).strip(" ,;-")
    if not text:
        return Prefill(email=email)
    match = re.fullmatch(r"(.+?)\s*\((.+)\)", text)
    if match:
        return Prefill(match.group(1).strip(), match.group(2).strip(), email)
    for separator in (",", " - ", " at ", " @ ", "|", ";"):
        if separator in text:
            name, company = text.split(separator, 1)
            return Prefill(name.strip(" ,;-"), company.strip(" ,;-"), email)
    return Prefill(text, "", email)


def is_valid_email(value: str) -> bool:
    return bool(EMAIL_RE.match(value.strip()))
