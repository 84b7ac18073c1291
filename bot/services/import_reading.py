"""Reading a CRM export for the import: UTF-8 with or without a BOM, the separator sniffed
from the header line, streamed row by row with the spreadsheet's line numbers (the header
is line 1; a quoted cell over several lines is still one row).

Each read also fingerprints the text it went through, so the import can tell that the
file changed between its check and its write (and then writes nothing).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from bot.domain.crm_import import HeaderError, Row, map_headers, read_row, sniff_delimiter

BATCH = 500
Opener = Callable[[], TextIO]


class ImportFileError(ValueError):
    """The file as a whole cannot be read (not UTF-8 text, no header, no name column)."""


def file_source(path: Path) -> Opener:
    return lambda: open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115


def bytes_source(data: bytes) -> Opener:
    return lambda: io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")


@dataclass
class FileFacts:
    """What reading the file learnt besides its rows."""

    delimiter: str = ","
    unknown_columns: tuple[str, ...] = ()
    fingerprint: hashlib._Hash = field(default_factory=hashlib.sha256)


def _fingerprinted(lines, facts: FileFacts):
    for line in lines:
        facts.fingerprint.update(line.encode("utf-8", "surrogatepass"))
        yield line


def read_rows(opener: Opener, mapping: Mapping[str, str], facts: FileFacts
              ) -> Iterator[tuple[int, Row | None, list[str]]]:
    """(line, row, problems) for every non-blank data row, streamed. Raises
    :class:`ImportFileError` for a file that cannot be read at all."""
    line = 1
    try:
        with opener() as handle:
            header_line = handle.readline()
            facts.delimiter = sniff_delimiter(header_line)
            lines = _fingerprinted(itertools.chain([header_line], handle), facts)
            reader = csv.reader(lines, delimiter=facts.delimiter)
            headers = next(reader, None)
            if not headers or not any(cell.strip() for cell in headers):
                raise ImportFileError("the file is empty: line 1 must hold the column headers")
            columns = map_headers(headers, mapping)
            facts.unknown_columns = columns.unknown
            for line, cells in enumerate(reader, start=2):
                if any(cell.strip() for cell in cells):
                    yield (line, *read_row(cells, columns, line))
    except UnicodeDecodeError:
        raise ImportFileError(f"line {line + 1}: this is not UTF-8 text; save it from the CRM "
                              "or spreadsheet as \"CSV UTF-8\"") from None
    except csv.Error as exc:
        raise ImportFileError(f"line {line + 1}: not readable as CSV ({exc})") from None
    except HeaderError as exc:
        raise ImportFileError(f"line 1: {exc}") from None


def batches(rows: Iterator, size: int = BATCH) -> Iterator[list]:
    while batch := list(itertools.islice(rows, size)):
        yield batch
