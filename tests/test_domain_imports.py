"""bot/domain is pure: standard library (and itself) only, and it never reads the clock."""

import ast
import sys
from pathlib import Path

import pytest

import bot.domain

DOMAIN = Path(bot.domain.__file__).parent
MODULES = sorted(DOMAIN.glob("*.py"))
CLOCK_CALLS = ("datetime.now", "datetime.utcnow", "datetime.today", "date.today", "time.time")


def foreign_imports(source: str) -> list[str]:
    """Imported module names that are neither standard library nor bot.domain."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:  # relative stays inside
            names.append(node.module)
    return [
        name
        for name in names
        if name.split(".")[0] not in sys.stdlib_module_names
        and name != "bot.domain"
        and not name.startswith("bot.domain.")
    ]


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def clock_calls(source: str) -> list[str]:
    """Calls such as datetime.now() or datetime.date.today() that read the clock."""
    dotted = [_dotted(n.func) for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    return [
        name
        for name in dotted
        if any(name == clock or name.endswith("." + clock) for clock in CLOCK_CALLS)
    ]


def test_the_domain_package_is_found():
    assert {p.name for p in MODULES} >= {"cadence.py", "calendar.py", "windows.py"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_imports_only_the_standard_library(path):
    assert foreign_imports(path.read_text()) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_domain_never_reads_the_clock(path):
    assert clock_calls(path.read_text()) == []


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("import sqlalchemy", ["sqlalchemy"]),
        ("from slack_sdk.models import blocks", ["slack_sdk.models"]),
        ("import os, jinja2.sandbox", ["jinja2.sandbox"]),
        ("from bot.services import cadences", ["bot.services"]),
        ("import bot", ["bot"]),
        ("from __future__ import annotations\nimport datetime, zoneinfo", []),
        ("from bot.domain.model import Outcome\nfrom . import calendar", []),
    ],
)
def test_foreign_imports_checker(source, found):
    assert foreign_imports(source) == found


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("from datetime import datetime\nx = datetime.now()", ["datetime.now"]),
        ("import datetime\nx = datetime.datetime.now(datetime.UTC)", ["datetime.datetime.now"]),
        ("from datetime import date\nx = date.today()", ["date.today"]),
        ("import time\nx = time.time()", ["time.time"]),
        ("x = datetime.combine(day, time(16), tz)", []),  # building a time is fine
        ("import datetime\nx = datetime.time(16)", []),
        ("def f(now): return now.date()", []),
    ],
)
def test_clock_calls_checker(source, found):
    assert clock_calls(source) == found
