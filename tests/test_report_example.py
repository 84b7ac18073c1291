"""The README's example report is what the code draws from its fixture week today: the
committed text matches a fresh run, and the picture is a PNG of the chart's size."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _maker():
    spec = importlib.util.spec_from_file_location("make_report_example",
                                                  ROOT / "docs" / "make_report_example.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_example_is_what_the_code_draws_today(tmp_path):
    text, picture = _maker().build(tmp_path)
    committed = (ROOT / "docs" / "report-example.txt").read_text(encoding="utf-8")
    assert text.read_text(encoding="utf-8") == committed, (
        "docs/report-example.txt is stale: run python docs/make_report_example.py")
    png = picture.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", png[16:24]) == (1200, 700)
    shipped = (ROOT / "docs" / "report-example.png").read_bytes()
    assert struct.unpack(">II", shipped[16:24]) == (1200, 700)
