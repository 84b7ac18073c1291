"""The due-list fan-out in a process of its own (what ``followup-bot run`` does).

The fan-out's CPU (queries, Block Kit, JSON) then never competes with the web threads for
the GIL, and it runs at a lower priority (``nice``), so acks stay fast while thousands of
due lists go out.

The child is ``python -m bot.fanout``, a plain subprocess (as the report's chart worker
is): multiprocessing's spawn would also start its resource tracker, a third interpreter
(13 MiB) that nothing here needs. It imports only what sending lists needs
(bot.due_list_tick: not the Bolt app, its listeners or the scheduler).

No state lives in module globals, on either side. The child runs one call,
:func:`run_fanout`, for its whole life: it builds its pass once, as a local, and ticks
every ``tick_seconds`` itself (the first tick at once; a tick that overruns skips the
ticks it covered, as the in-process scheduler does). The parent holds a
:class:`FanoutProcess` (in its ``Jobs``) with the write end of the child's stdin: it sends
the settings there and keeps it open. Closing it (the bot stops) or the parent's death (the
kernel closes it) tells the child to take no new claims; runs it already claimed finish, or
another sender takes them over when their lease runs out. Nothing is left on disk either
way.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from bot.config import Settings, configure_logging

log = logging.getLogger(__name__)
_SIZE = struct.Struct("!I")  # the length of the pickled (settings, tick, nice) before it


class FanoutProcess:
    """The parent's handle on the fan-out child: starts it, starts a new one if it died
    (killed, out of memory), and stops it."""

    def __init__(self, settings: Settings, tick_seconds: float, nice: int = 10):
        self.settings, self.tick_seconds, self.nice = settings, tick_seconds, nice
        self._process: subprocess.Popen | None = None
        self._stopping = False
        self._lock = threading.Lock()

    def ensure_running(self) -> None:
        """Start the child unless it runs; not once :meth:`stop` was called."""
        with self._lock:
            if self._stopping or self.alive:
                return
            if self._process is not None:
                log.warning("the due-list process ended (exit code %s); starting a new one",
                            self._process.returncode)
                self._close(self._process)
            self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "bot.fanout"], stdin=subprocess.PIPE, env=_child_env())
            payload = pickle.dumps((self.settings, self.tick_seconds, self.nice))
            try:
                self._process.stdin.write(_SIZE.pack(len(payload)) + payload)
                self._process.stdin.flush()
            except BrokenPipeError:  # it died at once: the next call starts another
                log.warning("the due-list process ended before it read its settings")

    def stop(self, *, wait: bool = False) -> None:
        """The child takes no new claims from now on; ``wait`` also waits for it to end."""
        with self._lock:
            self._stopping = True
            process = self._process
            if process is not None:
                self._close(process)
        if wait and process is not None:
            process.wait()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @staticmethod
    def _close(process: subprocess.Popen) -> None:
        with contextlib.suppress(OSError):  # a dead child's pipe may refuse the flush
            process.stdin.close()


def _child_env() -> dict[str, str]:
    """The bot's environment, with this very copy of ``bot`` first on the child's path (a
    checkout or an installed wheel alike)."""
    root = str(Path(__file__).resolve().parents[1])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path}


class ParentPipe:
    """The child's end of the pipe its parent holds open (its stdin, the settings already
    read): readable, at end of file, once the parent closes it or dies."""

    def __init__(self, fd: int):
        self.fd = fd

    def poll(self, timeout: float = 0.0) -> bool:
        """True once the parent let go; waits up to ``timeout`` seconds for that."""
        readable, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        return bool(readable)

    def read(self, size: int) -> bytes:
        """Exactly ``size`` bytes (fewer only at end of file): nothing is read ahead, so
        :meth:`poll` sees only what comes after."""
        data = b""
        while len(data) < size and (chunk := os.read(self.fd, size - len(data))):
            data += chunk
        return data


def main() -> None:
    """``python -m bot.fanout``: read the settings the parent sent, then run."""
    parent = ParentPipe(sys.stdin.fileno())
    header = parent.read(_SIZE.size)
    if len(header) < _SIZE.size:
        return  # the parent let go before it sent anything
    settings, tick_seconds, nice = pickle.loads(parent.read(_SIZE.unpack(header)[0]))  # noqa: S301 - from our parent
    run_fanout(settings, parent, tick_seconds, nice)


def run_fanout(settings: Settings, stopped: ParentPipe, tick_seconds: float,
               nice: int) -> None:
    """The child's whole life: tick until ``stopped`` becomes readable (the parent closed
    its end, or died). A tick that fails, or a pass that cannot be built yet (the
    database or Slack not answering), is logged; the next tick tries again."""
    configure_logging(settings)
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)

    def stop() -> bool:
        return stopped.poll()

    tick, start = None, time.monotonic()
    while not stop():
        try:
            tick = tick or _build_tick(settings)
            tick(stop=stop)
        except Exception:  # noqa: BLE001 - logged; the next tick runs
            log.exception("due-list tick failed")
        late = (time.monotonic() - start) % tick_seconds
        if stopped.poll(tick_seconds - late):
            break


def _build_tick(settings: Settings):
    """This process's own pass, database pool (with the background timeouts) and client:
    only what sending lists needs (bot.due_list_tick), not the Bolt app or the scheduler."""
    from bot.due_list_tick import fanout_tick

    return fanout_tick(settings)


if __name__ == "__main__":
    main()
