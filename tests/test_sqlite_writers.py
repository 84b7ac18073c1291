"""SQLite: the writers of one process take turns on a lock of their own (bot.db.engine
._Writers) instead of retrying in SQLite's busy handler, and a turn always comes back."""

from __future__ import annotations

import gc
import threading

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from bot.db.engine import DbTimeouts, make_engine, make_session_factory
from bot.db.models import Team
from bot.services.uow import read_only, unit_of_work
from tests.conftest import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's writers")


@pytest.fixture
def quick(db_url, engine):
    """A second engine on the test database whose waits are short (0.3 s)."""
    quick = make_engine(db_url, timeouts=DbTimeouts(lock_wait=0.3))
    yield quick
    quick.dispose()


def _sent_by_thread(engine) -> dict[str, list[str]]:
    sent: dict[str, list[str]] = {}

    def record(_conn, _cursor, statement, *_args):
        sent.setdefault(threading.current_thread().name, []).append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return sent


def _write(factory, team_id: str) -> None:
    with unit_of_work(factory) as session:
        session.add(Team(id=team_id))


def _teams(factory) -> list[str]:
    with read_only(factory) as session:
        return session.scalars(select(Team.id).order_by(Team.id)).all()


def test_a_writer_waits_for_its_turn_before_it_asks_sqlite(quick):
    factory, sent, errors = make_session_factory(quick), _sent_by_thread(quick), []

    def second() -> None:
        try:
            _write(factory, "T0002")
        except OperationalError as exc:
            errors.append(exc)
        assert _teams(factory) == []  # reads take no turn

    with unit_of_work(factory) as session:  # the first writer's turn, held
        session.add(Team(id="T0001"))
        session.flush()
        waiter = threading.Thread(target=second, name="second")
        waiter.start()
        waiter.join(30)  # a hang guard: its turn never came, its wait ran out
        assert not waiter.is_alive()
    assert "database is locked" in str(errors[0])  # what SQLite's own wait raised
    assert "BEGIN IMMEDIATE" not in sent["second"]  # it never queued inside SQLite
    _write(factory, "T0002")  # the first one committed: the next turn is free
    assert _teams(factory) == ["T0001", "T0002"]


def test_a_failed_or_forgotten_transaction_gives_its_turn_back(quick):
    factory = make_session_factory(quick)
    with pytest.raises(ZeroDivisionError), unit_of_work(factory) as session:
        session.add(Team(id="T0001"))
        session.flush()
        raise ZeroDivisionError
    _write(factory, "T0002")  # rolled back: the turn came back
    forgotten = quick.connect()
    forgotten.execute(Team.__table__.insert().values(id="T0003"))  # never committed
    del forgotten
    gc.collect()
    _write(factory, "T0004")  # collected: the turn came back, the insert did not stay
    assert _teams(factory) == ["T0002", "T0004"]
    with quick.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(Team)) == 2
