"""A newcomer reads a module in one sitting and a function on one screen: no function in
bot/ over 50 lines, no module over 300 (issue 11). Split by responsibility, not by count."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
MAX_FUNCTION, MAX_MODULE = 50, 300


def _modules():
    return sorted(BOT.rglob("*.py"))


def test_no_module_is_over_300_lines():
    long = {str(p.relative_to(BOT)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE}
    assert long == {}


def test_no_function_is_over_50_lines():
    long = {}
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION:
                    long[f"{path.relative_to(BOT)}:{node.name}"] = lines
    assert long == {}
