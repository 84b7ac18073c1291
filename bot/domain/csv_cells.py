"""Spreadsheet-safe CSV cells: a cell that starts with ``=``, ``+``, ``-`` or ``@`` is a
formula to Excel, LibreOffice and Google Sheets ("CSV injection"). The export writes such a
cell with a leading apostrophe (which spreadsheets show as text and hide); the import
strips it again, so a value survives export -> spreadsheet -> import unchanged.

The pair is exact: a value that itself starts with an apostrophe before a trigger gets one
more apostrophe, so nothing the bot stored is ever lost on the way back.

>>> escape_cell("=SUM(A1)"), escape_cell("+1 555 0100"), escape_cell("Acme")
("'=SUM(A1)", "'+1 555 0100", 'Acme')
>>> all(unescape_cell(escape_cell(v)) == v for v in ("=1", "'=1", "''@x", "'plain", "-"))
True
"""

from __future__ import annotations

TRIGGERS = frozenset("=+-@\t\r")  # tab and carriage return: OWASP's list adds them
ESCAPE = "'"


def _needs_escape(value: str) -> bool:
    """True when a spreadsheet would read ``value`` as a formula, or when the import would
    strip an apostrophe from it (an apostrophe, possibly repeated, before a trigger)."""
    rest = value.lstrip(ESCAPE)
    return bool(rest) and rest[0] in TRIGGERS


def escape_cell(value: str) -> str:
    """``value`` as it goes into an exported cell."""
    return ESCAPE + value if _needs_escape(value) else value


def unescape_cell(value: str) -> str:
    """A cell as read from a file: the export's escape (one leading apostrophe before a
    formula trigger) removed; anything else unchanged."""
    if value.startswith(ESCAPE) and _needs_escape(value[1:]):
        return value[1:]
    return value
