"""Work after ack (bot.after_ack): replies once no other request is being answered; work
that can wait (the DM after a log) once the requests in hand when it was queued are
answered, its own too; each by its deadline under steady load."""

from __future__ import annotations

import threading

import pytest

from bot.after_ack import AfterAckExecutor, InFlight, ListenerPool


@pytest.fixture
def pools():
    made = []

    def make(**defers: float) -> AfterAckExecutor:
        made.append(AfterAckExecutor(ListenerPool(2, InFlight()), **defers))
        return made[-1]

    yield make
    for executor in made:
        executor.shutdown(wait=True)


def _request(in_flight: InFlight) -> tuple[threading.Thread, threading.Event]:
    """Another web thread answering a request until the returned event is set."""
    entered, done = threading.Event(), threading.Event()

    def answer() -> None:
        with in_flight.answering():
            entered.set()
            done.wait(30)

    thread = threading.Thread(target=answer)
    thread.start()
    assert entered.wait(30)
    return thread, done


def test_a_reply_lets_the_other_requests_in_hand_be_answered_first(pools):
    executor = pools(reply_defer=600)  # no deadline within the test
    in_flight, replied = executor.in_flight, threading.Event()
    other, other_done = _request(in_flight)
    with in_flight.answering():  # this request's listener queues its reply
        executor.listeners.submit(lambda: executor.submit(replied.set)).result(30)
        assert not replied.wait(0.5)  # the other one is not answered yet
        other_done.set()
        other.join(30)
        assert replied.wait(30)  # a hang guard: its own answer does not hold it up


def test_work_that_can_wait_starts_once_no_request_is_being_answered(pools):
    executor = pools(max_defer=600)
    waited, replied = threading.Event(), threading.Event()
    with executor.in_flight.answering():
        executor.listeners.submit(lambda: (executor.submit_later(waited.set),
                                           executor.submit(replied.set))).result(30)
        assert replied.wait(30)
        assert not waited.wait(0.5)  # the answer is still being sent
    assert waited.wait(30)


def test_a_reply_lets_a_request_that_comes_while_it_waits_go_first_too(pools):
    executor = pools(reply_defer=600)
    in_flight, replied = executor.in_flight, threading.Event()
    first, first_done = _request(in_flight)
    with in_flight.answering():
        executor.listeners.submit(lambda: executor.submit(replied.set)).result(30)
    newcomer, newcomer_done = _request(in_flight)  # comes while the reply waits
    first_done.set()
    first.join(30)
    assert not replied.wait(0.5)  # the newcomer is not answered yet
    newcomer_done.set()
    newcomer.join(30)
    assert replied.wait(30)


def test_work_that_can_wait_is_not_held_up_by_requests_that_come_later(pools):
    executor = pools(max_defer=600)
    in_flight, waited = executor.in_flight, threading.Event()
    with in_flight.answering():
        executor.listeners.submit(executor.submit_later, waited.set).result(30)
        newcomer, newcomer_done = _request(in_flight)  # comes once the work is queued
    try:
        assert waited.wait(30)  # the newcomer is still being answered
    finally:
        newcomer_done.set()
        newcomer.join(30)


def test_under_steady_load_each_runs_by_its_deadline(pools):
    executor = pools(reply_defer=0, max_defer=0)
    replied, waited = threading.Event(), threading.Event()
    with executor.in_flight.answering():
        executor.submit(replied.set)
        executor.submit_later(waited.set)
        assert replied.wait(30) and waited.wait(30)


def test_stopping_it_stops_the_listeners_first_and_waits_for_everything(pools):
    executor = pools(reply_defer=0, max_defer=0)
    done: list[str] = []
    release = threading.Event()

    def listener() -> None:  # queues work after its ack, as listeners do
        release.wait(30)
        executor.submit(lambda: done.append("reply"))
        executor.submit_later(lambda: done.append("dm"))

    executor.listeners.submit(listener)
    stopper = threading.Thread(target=executor.shutdown)
    stopper.start()
    release.set()
    stopper.join(60)
    assert sorted(done) == ["dm", "reply"]
