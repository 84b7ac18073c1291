"""Where work after ack() runs, and when: threads of its own, not Bolt's listener threads;
replies (a modal, an answer) once the other requests in hand are answered; work that can
wait (the DM after a log) once every request in hand is answered, its own too.

Measured in docs/benchmarks.md (issue 15). On Bolt's listener executor, work after ack
queued ahead of the listeners of requests that came after it. And there is one GIL: the
modals of the first of 32 simultaneous /logcall ran between the acks of the others, and
the DM, drafts and App Home of the first of eight simultaneous submissions (about 12 ms
of CPU each) between the acks of the rest, which then waited for all of it.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

# Threads for replies after ack (opening a modal, an answer the rep waits for). Enough to
# overlap their waits on Slack and the database; few enough to leave the pool's
# connections (bot.db.engine: 10 on PostgreSQL) to the listeners.
AFTER_ACK_THREADS = 4
# Threads for work that can wait (the DM after a log, its drafts, App Home).
LATER_THREADS = 2
# How long a reply lets other requests' acks go first at most (a trigger id lives 3 s).
MAX_REPLY_DEFER = 0.1
# How long work that can wait waits for the requests in hand at most.
MAX_DEFER = 1.0


class InFlight:
    """The Slack requests this process is answering, oldest first (bot.web counts them in
    HTTP mode; in Socket Mode nothing does, and no work waits), and which one the current
    thread works for: the web thread answering it, or the listener Bolt runs for it.
    Requests are numbered as they come, so work can wait for those that had come when it
    was queued and no more."""

    def __init__(self) -> None:
        self._last = 0  # the number of the newest request
        self._open: dict[int, None] = {}  # numbers of the requests being answered
        self._changed = threading.Condition()
        self._mine = threading.local()

    @contextmanager
    def answering(self) -> Iterator[None]:
        with self._changed:
            self._last += 1
            number = self._last
            self._open[number] = None
        with self.working_for(number):
            try:
                yield
            finally:
                with self._changed:
                    oldest = list(itertools.islice(self._open, 2))
                    del self._open[number]
                    if number in oldest:  # waits only ever end when the oldest go
                        self._changed.notify_all()

    @contextmanager
    def working_for(self, number: int | None) -> Iterator[None]:
        self._mine.number = number
        try:
            yield
        finally:
            self._mine.number = None

    def current(self) -> int | None:
        """The request the current thread works for, if any."""
        return getattr(self._mine, "number", None)

    def newest(self) -> int:
        return self._last

    def wait(self, deadline: float, *, upto: int | None = None, but: int | None = None
             ) -> None:
        """Until every request up to number ``upto`` (None: any, newcomers too) is
        answered, ``but`` aside (the one a reply is for), or ``deadline`` (time.monotonic)
        passed."""
        def answered() -> bool:
            for number in self._open:  # oldest first: at most one is skipped
                if upto is not None and number > upto:
                    return True
                if number != but:
                    return False
            return True

        with self._changed:
            self._changed.wait_for(answered, timeout=max(0.0, deadline - time.monotonic()))


class ListenerPool(ThreadPoolExecutor):
    """Bolt's listener executor. Bolt hands it a request's listener on the web thread
    answering that request: the listener works for that request."""

    def __init__(self, threads: int, in_flight: InFlight):
        super().__init__(max_workers=threads, thread_name_prefix="bolt-listener")
        self.in_flight = in_flight

    def submit(self, fn, /, *args, **kwargs) -> Future:
        request = self.in_flight.current()

        def listener():
            with self.in_flight.working_for(request):
                return fn(*args, **kwargs)

        return super().submit(listener)


class AfterAckExecutor(ThreadPoolExecutor):
    """Replies after ack run on a few threads of their own once the other requests in
    hand are answered (at most ``reply_defer`` s later); :meth:`submit_later` work on two
    more, once every request in hand is answered (at most ``max_defer`` s later). Listeners queue
    work here, so stopping this pool stops Bolt's first: nothing is queued after it
    stopped, and waiting for it waits for all."""

    def __init__(self, listeners: ListenerPool, *, threads: int = AFTER_ACK_THREADS,
                 later_threads: int = LATER_THREADS, reply_defer: float = MAX_REPLY_DEFER,
                 max_defer: float = MAX_DEFER):
        super().__init__(max_workers=threads, thread_name_prefix="after-ack")
        self.listeners, self.in_flight = listeners, listeners.in_flight
        self.reply_defer, self.max_defer = reply_defer, max_defer
        self.later = ThreadPoolExecutor(max_workers=later_threads,
                                        thread_name_prefix="after-ack-later")

    @classmethod
    def for_listeners(cls, listener_threads: int) -> AfterAckExecutor:
        """With a new pool of ``listener_threads`` for Bolt's listeners."""
        return cls(ListenerPool(listener_threads, InFlight()))

    def submit(self, fn, /, *args, **kwargs) -> Future:
        """A reply: once no other request is being answered, the ones that come while it
        waits too (acks have Slack's 3 s; so has a modal, but it waits 0.1 s at most)."""
        deadline, mine = time.monotonic() + self.reply_defer, self.in_flight.current()

        def reply():
            self.in_flight.wait(deadline, but=mine)
            return fn(*args, **kwargs)

        return super().submit(reply)

    def submit_later(self, work: Callable[[], None]) -> Future:
        """Work that can wait: once the requests in hand when it was queued are answered,
        its own too (a steady stream of newcomers does not hold it up)."""
        deadline, upto = time.monotonic() + self.max_defer, self.in_flight.newest()

        def when_quiet() -> None:
            self.in_flight.wait(deadline, upto=upto)
            work()

        return self.later.submit(when_quiet)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.listeners.shutdown(wait=wait, cancel_futures=cancel_futures)
        super().shutdown(wait=wait, cancel_futures=cancel_futures)
        self.later.shutdown(wait=wait, cancel_futures=cancel_futures)
