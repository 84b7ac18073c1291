"""The due-list fan-out in a process of its own (what ``followup-bot run`` does).

The fan-out's CPU (queries, Block Kit, JSON) then never competes with the web threads for
the GIL, and it runs at a lower priority (``nice``), so acks stay fast while thousands of
due lists go out.

No state lives in module globals, on either side. The child runs one call,
:func:`run_fanout`, for its whole life: it builds its jobs once, as a local, and ticks
every ``tick_seconds`` itself (the first tick at once; a tick that overruns skips the
ticks it covered, as the in-process scheduler does). The parent holds a
:class:`FanoutProcess` (in its ``Jobs``) with the write end of a pipe the child watches:
closing it (the bot stops) or the parent's death (the kernel closes it) tells the child to
take no new claims; runs it already claimed finish, or another sender takes them over when
their lease runs out. Nothing is left on disk either way.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
import time
from multiprocessing.connection import Connection

from bot.config import Settings, configure_logging

log = logging.getLogger(__name__)


class FanoutProcess:
    """The parent's handle on the fan-out child: starts it, starts a new one if it died
    (killed, out of memory), and stops it."""

    def __init__(self, settings: Settings, tick_seconds: float, nice: int = 10):
        self.settings, self.tick_seconds, self.nice = settings, tick_seconds, nice
        self._context = multiprocessing.get_context("spawn")
        self._process: multiprocessing.process.BaseProcess | None = None
        self._stop_writer: Connection | None = None
        self._stopping = False
        self._lock = threading.Lock()

    def ensure_running(self) -> None:
        """Start the child unless it runs; not once :meth:`stop` was called."""
        with self._lock:
            if self._stopping or self.alive:
                return
            if self._process is not None:
                log.warning("the due-list process ended (exit code %s); starting a new one",
                            self._process.exitcode)
                self._stop_writer.close()
            reader, self._stop_writer = self._context.Pipe(duplex=False)
            self._process = self._context.Process(
                target=run_fanout, name="followup-bot-fanout",
                args=(self.settings, reader, self.tick_seconds, self.nice))
            self._process.start()
            reader.close()  # the child has its own copy; ours would hide the parent's death

    def stop(self, *, wait: bool = False) -> None:
        """The child takes no new claims from now on; ``wait`` also waits for it to end."""
        with self._lock:
            self._stopping = True
            process = self._process
            if self._stop_writer is not None:
                self._stop_writer.close()
        if wait and process is not None:
            process.join()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.is_alive()


def run_fanout(settings: Settings, stopped: Connection, tick_seconds: float,
               nice: int) -> None:
    """The child's whole life: tick until ``stopped`` becomes readable (the parent closed
    its end, or died). A tick that fails, or jobs that cannot be built yet (the database
    or Slack not answering), are logged; the next tick tries again."""
    configure_logging(settings)
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)

    def stop() -> bool:
        return stopped.poll()

    jobs, start = None, time.monotonic()
    while not stop():
        try:
            jobs = jobs or _build_jobs(settings)
            jobs.digest_tick(stop=stop)
        except Exception:  # noqa: BLE001 - logged; the next tick runs
            log.exception("due-list tick failed")
        late = (time.monotonic() - start) % tick_seconds
        if stopped.poll(tick_seconds - late):
            break


def _build_jobs(settings: Settings):
    """This process's own app, database pool (with the background timeouts) and client."""
    from bot.app import build_app, make_client
    from bot.db.engine import BACKGROUND_TIMEOUTS, make_engine, make_session_factory
    from bot.scheduler import Jobs  # imports this module: only the child asks here

    engine = make_engine(settings.database_url, timeouts=BACKGROUND_TIMEOUTS)
    app = build_app(settings, session_factory=make_session_factory(engine))
    return Jobs(app.deps, make_client(settings, retry_rate_limits=False))
