"""Units of work: a read-only one keeps nothing, and on SQLite it reads while a writer
holds the one write lock instead of queueing behind it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError

from bot.db.engine import make_engine, make_session_factory
from bot.db.models import Team
from bot.services.log_form import FormRequest, open_log_form
from bot.services.reps import rep_timezone, save_rep_profile
from bot.services.uow import WriteInReadOnly, read_only, unit_of_work
from tests.conftest import PG_URL
from tests.db_locks import database_locked
from tests.test_log_form import BOOK, DEFAULT, WED

sqlite_only = pytest.mark.skipif(bool(PG_URL), reason="SQLite's write lock")


def test_a_read_only_unit_of_work_reads_and_refuses_to_write(session_factory):
    save_rep_profile(session_factory, "T0001", "U0001", "Europe/Berlin", "Rita Rep")
    with read_only(session_factory) as session:
        assert session.scalar(select(Team.id)) == "T0001"
    with pytest.raises(WriteInReadOnly), read_only(session_factory) as session:
        session.add(Team(id="T0002"))
        session.flush()
    with pytest.raises(WriteInReadOnly), read_only(session_factory) as session:
        session.execute(update(Team).values(name="Renamed"))
    with pytest.raises(WriteInReadOnly), read_only(session_factory) as session:
        session.scalar(select(Team).where(Team.id == "T0001")).name = "Renamed"
        session.scalar(select(Team.id).where(Team.id == "T0002"))  # autoflush
    with unit_of_work(session_factory) as session:
        assert session.execute(select(Team.id, Team.name)).all() == [("T0001", None)]
        session.add(Team(id="T0003"))  # the session factory still writes as before
    with unit_of_work(session_factory) as session:
        assert session.scalars(select(Team.id).order_by(Team.id)).all() == ["T0001", "T0003"]


@sqlite_only
def test_sqlite_reads_while_a_writer_holds_the_lock(session_factory, db_url):
    save_rep_profile(session_factory, "T0001", "U0001", "Europe/Berlin", "Rita Rep")
    with database_locked(db_url):
        # A writer waits for the lock (and gives up after its bounded wait) ...
        with pytest.raises(OperationalError), unit_of_work(session_factory) as session:
            session.scalar(select(Team.id))
        # ... the form's lookups and the rep's zone read their snapshot at once.
        form = open_log_form(session_factory, BOOK, FormRequest("T0001", "U0001"), now=WED,
                             default_tz=DEFAULT)
        assert (form.rep_tz, form.rep_known) == ("Europe/Berlin", True)
        assert rep_timezone(session_factory, "T0001", "U0001") == "Europe/Berlin"


def test_after_a_read_only_unit_of_work_its_connection_writes_in_a_transaction(db_url,
                                                                                engine):
    """The one pooled connection read in autocommit (PostgreSQL) and goes back to the
    pool: the next unit of work on it is a transaction again, so a failure keeps nothing."""
    one = make_engine(db_url, pool_size=1, max_overflow=0)
    try:
        factory = make_session_factory(one)
        with read_only(factory) as session:
            session.scalar(select(Team.id))
        with pytest.raises(ZeroDivisionError), unit_of_work(factory) as session:
            session.add(Team(id="T0004"))
            session.flush()
            raise ZeroDivisionError
        with read_only(factory) as session:
            assert session.scalars(select(Team.id)).all() == []
    finally:
        one.dispose()
