"""Unit of work: one session, committed on success, rolled back on any error; and its
read-only twin for lookups that write nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from bot.db.engine import READ_ONLY, read_only_options


class WriteInReadOnly(RuntimeError):
    """A read-only unit of work tried to write: a bug (on PostgreSQL it reads in
    autocommit, so the write would be kept at once)."""


@contextmanager
def unit_of_work(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_only(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A unit of work that only reads: a write raises :class:`WriteInReadOnly`. On SQLite
    its transaction begins DEFERRED instead of taking the write lock: in WAL mode it reads
    a snapshot at once, while a writer commits, instead of queueing behind every write
    (and holding up the next one). On PostgreSQL it reads in autocommit: no BEGIN and no
    ROLLBACK round trips (bot.db.engine.read_only_options)."""
    session = session_factory()
    session.info[READ_ONLY] = True
    try:
        session.connection(execution_options=read_only_options(session.get_bind()))
        yield session
    finally:
        session.close()


@event.listens_for(Session, "before_flush")
def _no_flush(session: Session, _context, _instances) -> None:
    if session.info.get(READ_ONLY):
        raise WriteInReadOnly("a read-only unit of work has changes to write")


@event.listens_for(Session, "do_orm_execute")
def _no_dml(state: ORMExecuteState) -> None:
    if state.session.info.get(READ_ONLY) and (state.is_insert or state.is_update
                                              or state.is_delete):
        raise WriteInReadOnly("a read-only unit of work sent an INSERT, UPDATE or DELETE")
