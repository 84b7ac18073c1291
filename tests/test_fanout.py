"""The due lists' own process (bot.fanout): no module state on either side, a child that
ends when the bot stops or dies, and a new child when one died. Every wait is a hang
guard, not a time budget."""

import ast
import base64
import dataclasses
import os
import pickle
import signal
import subprocess
import sys
import time
from datetime import date
from datetime import time as clock_time
from pathlib import Path

import pytest

import bot
from bot.fanout import FanoutProcess
from tests.test_digest_service import add_follow_up, add_prospect, add_rep

HANG = 600  # seconds: only a hang takes this long, however busy the machine
CONSTANT_NAMES = {"log"}  # besides UPPER_CASE constants


def _module_state(path: Path) -> list[str]:
    """What a module keeps beside constants: ``global`` statements and lower-case names
    assigned at module level."""
    tree = ast.parse(path.read_text())
    found = [f"global {', '.join(n.names)}" for n in ast.walk(tree)
             if isinstance(n, ast.Global)]
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, ast.AnnAssign) else [])
        found += [t.id for t in targets if isinstance(t, ast.Name)
                  and not t.id.isupper() and t.id not in CONSTANT_NAMES]
    return found


@pytest.mark.parametrize("module", ["scheduler.py", "fanout.py"])
def test_the_scheduler_keeps_no_module_state(module):
    assert _module_state(Path(bot.__file__).parent / module) == []


def test_the_state_check_finds_globals(tmp_path):
    odd = tmp_path / "odd.py"
    odd.write_text("LIMIT = 3\nlog = None\n_child: int | None = None\n"
                   "def f():\n    global _child\n    _child = 1\n")
    assert _module_state(odd) == ["global _child", "_child"]


def _ended(pid: int) -> bool:
    """Gone, or a zombie its new parent has not reaped yet (it runs no more code)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def _wait_until(done, what: str) -> None:
    deadline = time.monotonic() + HANG
    while not done():
        assert time.monotonic() < deadline, f"hang: {what}"
        time.sleep(0.05)


PARENT = """
import base64, pickle, sys
from bot.fanout import FanoutProcess
fanout = FanoutProcess(pickle.loads(base64.b64decode(sys.argv[1])), 3600, nice=0)
fanout.ensure_running()
print(fanout.pid, flush=True)
sys.stdin.read()
"""


def due_any_time(settings, session_factory):
    """Settings and a rep whose list is due at any moment of any day (a cut-off not after
    the start keeps the window open until midnight; the touch is long overdue): the child
    reads the real clock."""
    rep_id = add_rep(session_factory, "U0001", "UTC", start=clock_time(0), days="1234567")
    add_follow_up(session_factory, rep_id, add_prospect(session_factory, rep_id, "Dana"),
                  date(2020, 1, 6))
    return dataclasses.replace(settings, digest_cutoff=clock_time(0))


def _children(pid: int) -> list[int]:
    return [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
            for child in (task / "children").read_text().split()]


def test_the_child_ends_when_the_bot_is_killed(settings, fake_slack):
    """SIGKILL leaves the parent no time to say anything: the kernel closes the parent's
    end of the pipe, and that is what the child watches. The fan-out is the bot's one
    child process: no helper process (multiprocessing's resource tracker) beside it."""
    builds = len(fake_slack.calls_to("auth.test"))
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, base64.b64encode(pickle.dumps(settings)).decode()],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        fake_slack.wait_for("auth.test", builds + 1, timeout=HANG)  # the child runs
        assert _children(parent.pid) == [child]
    finally:
        parent.kill()
        parent.wait(timeout=HANG)
    _wait_until(lambda: _ended(child), "the fan-out child outlived its killed parent")


def test_a_child_that_died_is_started_again_until_stopped(settings):
    fanout = FanoutProcess(settings, 3600, nice=0)
    fanout.ensure_running()
    first = fanout.pid
    try:
        os.kill(first, signal.SIGKILL)
        _wait_until(lambda: not fanout.alive, "a SIGKILLed child still runs")
        fanout.ensure_running()
        assert fanout.alive and fanout.pid != first
    finally:
        fanout.stop(wait=True)
    assert not fanout.alive
    fanout.ensure_running()  # the bot is stopping: no new child
    assert not fanout.alive


CHILD = """
import base64, pickle, sys
from bot.fanout import _build_tick
report = _build_tick(pickle.loads(base64.b64decode(sys.argv[1])))()
print(report.sent, ' '.join(sorted(sys.modules)))
"""
# What the fan-out child must not hold: the Bolt app and its listeners, the scheduler, the
# web server, and what only other jobs use.
NOT_IN_THE_CHILD = ("slack_bolt", "apscheduler", "waitress", "bot.app", "bot.scheduler",
                    "bot.web", "bot.slack.logcall", "bot.slack.app_home",
                    "bot.slack.due_list", "bot.slack.drafts", "bot.slack.import_prospects",
                    "bot.slack.reports", "matplotlib")


def test_the_child_imports_only_what_sending_lists_needs(settings, fake_slack,
                                                         session_factory):
    """The fan-out child builds its pass and sends a list exactly as ``run``'s child does
    (bot.fanout._build_tick), in a fresh interpreter: none of the Bolt app comes with it."""
    settings = due_any_time(settings, session_factory)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, base64.b64encode(pickle.dumps(settings)).decode()],
        capture_output=True, text=True, timeout=HANG)
    assert done.returncode == 0, done.stderr
    sent, modules = done.stdout.split(" ", 1)
    modules = set(modules.split())
    assert sent == "1" and "bot.slack.notifier" in modules
    assert [name for name in NOT_IN_THE_CHILD
            if name in modules or any(m.startswith(name + ".") for m in modules)] == []
    assert "Your follow-ups for" in str(fake_slack.calls_to("chat.postMessage")[-1].params)
