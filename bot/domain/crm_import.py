"""Reading a CRM's contact export: which column is which field, and what one row says.

HubSpot and Salesforce export contacts as CSV with their own headers ("First Name",
"Company Name" / "Account Name", "Phone Number" / "Phone" / "Mobile Phone Number", ...).
:func:`map_headers` finds our fields among them (``--map "Header=field"`` adds or
overrides a mapping); :func:`read_row` turns one row into a :class:`Row`, or the reasons
it is bad. Zones and countries are kept as written: the service reads them (a value it
cannot read is a warning, not a bad row).

Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.domain.csv_cells import unescape_cell
from bot.domain.prefill import is_valid_email
from bot.domain.text import has_visible_text

# field -> the headers (squashed: case, spaces and punctuation do not matter) that mean it,
# best first: when several columns mean one field, the first non-empty one wins.
HEADERS: dict[str, tuple[str, ...]] = {
    "first_name": ("First Name", "Firstname", "Given Name"),
    "last_name": ("Last Name", "Lastname", "Surname", "Family Name"),
    "name": ("Name", "Full Name", "Contact Name", "Contact"),
    "email": ("Email", "Email Address", "E-mail", "Work Email"),
    "phone": ("Phone Number", "Phone", "Business Phone", "Work Phone", "Mobile Phone Number",
              "Mobile Phone", "Mobile", "Mobile Number"),
    "company": ("Company Name", "Company", "Account Name", "Account", "Organization"),
    "title": ("Job Title", "Title"),
    "time_zone": ("Time Zone", "Timezone", "Contact Time Zone", "TZ"),
    "country": ("Country", "Country/Region", "Mailing Country", "Country Region",
                "Country Code"),
    "do_not_call": ("Do Not Call", "DoNotCall", "DNC"),
    "email_opt_out": ("Email Opt Out", "EmailOptOut", "Unsubscribed from all email",
                      "Opted out of all email", "Unsubscribed"),
    # Recognised so it is not listed as unknown; every row goes to the --rep given.
    "owner": ("Owner", "Contact Owner", "Record Owner", "Contact Owner Name"),
}
FIELDS = tuple(HEADERS)
IGNORE = "ignore"
# Longest values the prospect columns hold (bot.db.models.Prospect).
LIMITS = {"name": 120, "company": 120, "title": 120, "email": 254, "phone": 40}
_TRUE = frozenset({"yes", "y", "true", "t", "1", "x", "checked", "on", "optedout"})
_FALSE = frozenset({"no", "n", "false", "f", "0", "unchecked", "off"})


class HeaderError(ValueError):
    """The header line cannot be used (no name column, a --map naming nothing)."""


def squash(header: str) -> str:
    """'E-mail', 'email ', 'EMAIL' -> 'email'."""
    return re.sub(r"[\W_]+", "", header.casefold())


_BY_HEADER = {squash(alias): field for field, aliases in HEADERS.items() for alias in aliases}


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``["Header=field", ...]`` -> {squashed header: field}; ``Header=ignore`` (or an empty
    field) drops a column. Raises ValueError naming the item and the fields there are."""
    mapping = {}
    for item in items:
        header, sep, field = item.partition("=")
        field = field.strip().lower() or IGNORE
        if not sep or not header.strip():
            raise ValueError(f"--map {item!r}: write it as \"Header=field\"")
        if field not in FIELDS and field != IGNORE:
            raise ValueError(f"--map {item!r}: unknown field {field!r}; fields are "
                             f"{', '.join(FIELDS)} (or {IGNORE})")
        mapping[squash(header)] = field
    return mapping


@dataclass(frozen=True)
class Columns:
    """Where each field is: field -> column indexes, best first."""

    fields: dict[str, tuple[int, ...]]
    unknown: tuple[str, ...]  # headers that mean nothing to us: ignored, and listed

    def value(self, cells: Sequence[str], field: str) -> str:
        for index in self.fields.get(field, ()):
            if index < len(cells):
                value = unescape_cell(cells[index].strip()).strip()
                if value:
                    return value
        return ""


def map_headers(headers: Sequence[str], overrides: Mapping[str, str] | None = None) -> Columns:
    """Our fields among a file's headers. ``overrides`` come from :func:`parse_mapping`."""
    overrides = dict(overrides or {})
    squashed = [squash(header) for header in headers]
    missing = [header for header in overrides if header not in squashed]
    if missing:
        raise HeaderError(f"--map names a column the file does not have: {missing[0]!r} "
                          f"(its columns: {', '.join(h for h in headers if h.strip())})")
    ranked: dict[str, list[tuple[int, int]]] = {}
    unknown = []
    for index, (header, key) in enumerate(zip(headers, squashed, strict=True)):
        field = overrides.get(key) or _BY_HEADER.get(key)
        if field is None:
            if header.strip():
                unknown.append(header.strip())
            continue
        if field == IGNORE:
            continue
        rank = -1 if key in overrides else _rank(field, key)
        ranked.setdefault(field, []).append((rank, index))
    fields = {field: tuple(index for _, index in sorted(spots))
              for field, spots in ranked.items()}
    if not ({"name", "first_name", "last_name"} & set(fields)):
        raise HeaderError("no column holds the name (expected First Name and Last Name, or "
                          "Name); use --map \"Your Header=name\"")
    return Columns(fields, tuple(unknown))


def _rank(field: str, key: str) -> int:
    aliases = [squash(alias) for alias in HEADERS[field]]
    return aliases.index(key)


def read_flag(value: str) -> bool:
    """A CRM's checkbox: yes/no, true/false, 1/0, x, checked; empty is no."""
    if not value.strip():
        return False
    key = squash(value)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(value)


@dataclass(frozen=True)
class Row:
    line: int  # the spreadsheet row: the header is line 1
    name: str
    email: str | None
    phone: str | None
    company: str | None
    title: str | None
    time_zone: str  # as written ("" when none)
    country: str  # as written ("" when none)
    do_not_call: bool
    email_opt_out: bool


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:39] + "\u2026")


def read_row(cells: Sequence[str], columns: Columns, line: int) -> tuple[Row | None, list[str]]:
    """(the row, []) or (None, the reasons it is bad)."""
    value = columns.value
    name = value(cells, "name")
    if not has_visible_text(name):
        name = " ".join(part for part in (value(cells, "first_name"),
                                          value(cells, "last_name")) if part)
    problems = [] if has_visible_text(name) else ["no name"]
    email = value(cells, "email")
    if email and not is_valid_email(email):
        problems.append(f"invalid email {_shown(email)}")
    texts = {"name": name, "email": email, "phone": value(cells, "phone"),
             "company": value(cells, "company"), "title": value(cells, "title")}
    for field, limit in LIMITS.items():
        if len(texts[field]) > limit:
            problems.append(f"{field} longer than {limit} characters")
    flags = {}
    for field, label in (("do_not_call", "Do Not Call"), ("email_opt_out", "Email Opt Out")):
        try:
            flags[field] = read_flag(value(cells, field))
        except ValueError:
            problems.append(f"{label} is {_shown(value(cells, field))}, expected yes or no")
    if problems:
        return None, problems
    return Row(line, name, email or None, texts["phone"] or None, texts["company"] or None,
               texts["title"] or None, value(cells, "time_zone"), value(cells, "country"),
               flags["do_not_call"], flags["email_opt_out"]), []


def sniff_delimiter(header_line: str) -> str:
    """Comma, semicolon (Excel in much of Europe) or tab: whichever separates the header
    line's fields (outside quotes) most often; a comma when none does."""
    counts = {",": 0, ";": 0, "\t": 0}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda sep: (counts[sep], sep == ","))
    return best if counts[best] else ","
