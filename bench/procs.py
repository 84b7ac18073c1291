"""Processes and databases for the benchmarks: the fake, the bot, the bare app, SQLite
files and PostgreSQL schemas. Everything started here is stopped in ``finally`` blocks."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests
from sqlalchemy import create_engine, text

from bench.fake_server import BOT_TOKEN, RemoteFake

ROOT = Path(__file__).resolve().parents[1]
SIGNING_SECRET = "bench-signing-secret"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def pg_base_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or PG_DEFAULT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB, from /proc/<pid>/status, plus
    ``tree_rss``: VmRSS summed over the process and all its descendants (the bot runs
    its digest fan-out in a child process)."""
    found, tree, todo = {}, 0, [pid]
    while todo:
        current = todo.pop()
        try:
            lines = Path(f"/proc/{current}/status").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM") and current == pid:
                found[key] = int(value.split()[0])
            if key == "VmRSS":
                tree += int(value.split()[0])
        todo += _children(current)
    found["tree_rss"] = tree
    return found


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants (utime and stime
    in /proc/<pid>/stat): what the bot and its fan-out child have used so far."""
    ticks, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
        todo += _children(current)
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[int, int]:
    """(busy, total) jiffies over every core since boot, from /proc/stat: two samples give
    how busy the whole machine was in between (this process, PostgreSQL, other users)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait; guest time is already inside user
    return sum(values) - idle, sum(values)


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self) -> None:
        """SIGTERM to the process's own group (it runs in a session of its own), so the
        children it spawned (the bot's fan-out process) end with it; SIGKILL after 10 s."""
        group = self.popen.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _group_alive(group) and time.monotonic() < deadline:
            self.popen.poll()  # reap our child, or it counts as alive
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _spawn(name: str, argv: list[str], env: dict[str, str], workdir: Path) -> tuple:
    log = workdir / f"{name}-{uuid.uuid4().hex[:6]}.log"
    handle = log.open("wb")
    # A clean environment: only what we set (no inherited SLACK_*, DATABASE_URL, .env:
    # the cwd is a scratch folder).
    popen = subprocess.Popen(argv, env=env, cwd=workdir, stdout=handle,
                             stderr=subprocess.STDOUT, start_new_session=True)
    handle.close()
    return popen, log


def wait_healthy(proc: Proc, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(proc.url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        if proc.popen.poll() is not None:
            raise RuntimeError(f"{proc.name} exited:\n{proc.tail()}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{proc.name} not healthy after {timeout}s:\n{proc.tail()}")
        time.sleep(0.05)


@contextlib.contextmanager
def fake_slack(workdir: Path) -> Iterator[RemoteFake]:
    log = workdir / "fake.log"
    with log.open("wb") as handle:
        popen = subprocess.Popen([sys.executable, "-u", str(ROOT / "bench" / "fake_server.py")],
                                 env={"PYTHONHASHSEED": "0"}, cwd=workdir,
                                 stdout=subprocess.PIPE, stderr=handle)
    try:
        line = popen.stdout.readline().decode().strip()  # type: ignore[union-attr]
        if not line.startswith("http"):
            raise RuntimeError(f"fake did not start: {log.read_text()}")
        yield RemoteFake(line)
    finally:
        popen.terminate()
        try:
            popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            popen.kill()
            popen.wait()
        popen.stdout.close()  # type: ignore[union-attr]


def slack_env(fake: RemoteFake) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.url}


@contextlib.contextmanager
def _served(name: str, argv: list[str], env: dict[str, str], workdir: Path,
            port: int) -> Iterator[Proc]:
    """Start a web process, wait for /healthz, stop its whole group afterwards."""
    popen, log = _spawn(name, argv, env, workdir)
    proc = Proc(name, popen, f"http://127.0.0.1:{port}", log)
    try:
        wait_healthy(proc)
        yield proc
    finally:
        proc.stop()


def _bot_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1",
            "--port", str(port)]


def _bot_env(fake: RemoteFake, db_url: str, settings: dict[str, str]) -> dict[str, str]:
    """The bot's settings; PYTHONPATH so that it is the bot of this tree (the harness's),
    also when the harness runs from a copy of the repository (``git archive``)."""
    return {**slack_env(fake), "DATABASE_URL": db_url, "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT), **settings}


def bot(fake: RemoteFake, db_url: str, workdir: Path, **settings: str):
    """The real bot: ``python -m bot run --http`` (migrations, scheduler, waitress)."""
    port = free_port()
    return _served("bot", _bot_argv(port), _bot_env(fake, db_url, settings), workdir, port)


@contextlib.contextmanager
def bots(fake: RemoteFake, db_url: str, workdir: Path, count: int,
         **settings: str) -> Iterator[list[Proc]]:
    """``count`` identical bots on one database, started at once (as a deployment's
    replicas would be) and each in a session of its own; all stopped afterwards."""
    started: list[Proc] = []
    try:
        for n in range(count):
            port = free_port()
            popen, log = _spawn(f"bot{n}", _bot_argv(port), _bot_env(fake, db_url, settings),
                                workdir)
            started.append(Proc(f"bot{n}", popen, f"http://127.0.0.1:{port}", log))
        for proc in started:
            wait_healthy(proc)
        yield started
    finally:
        for proc in started:  # SIGTERM to all first: they stop in parallel
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in started:
            proc.stop()


def bare(fake: RemoteFake, workdir: Path):
    """The minimal Bolt app the bot is compared with, on the same server."""
    port = free_port()
    return _served("bare", [sys.executable, str(ROOT / "bench" / "bare_app.py"), str(port)],
                   slack_env(fake), workdir, port)


@contextlib.contextmanager
def scratch_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="followup-bench-") as name:
        yield Path(name)


@contextlib.contextmanager
def database(kind: str, workdir: Path) -> Iterator[str]:
    """A fresh, empty database: a new SQLite file, or a new PostgreSQL schema dropped after."""
    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    base = pg_base_url().replace("postgres://", "postgresql://", 1)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in base else "?"
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def pg_available() -> bool:
    try:
        engine = create_engine(pg_base_url().replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False
