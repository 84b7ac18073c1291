"""``followup-bot export calls|touches|prospects``: RFC 4180 CSV that survives a round trip
through Python's csv module with the notes reps really type, no cell a spreadsheet would
run, date ranges on the rep's own calendar, one workspace only, and streaming.

Calls are logged through the real service (bot.services.calls.log_call) at chosen
instants; the big exports insert rows directly. CLI tests run the real command."""

from __future__ import annotations

import csv
import io
import os
import resource
import subprocess
import sys
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, update

from bot.cli_import import reading_engine
from bot.config import Settings
from bot.db.engine import make_session_factory
from bot.db.models import Call, FollowUp, Prospect, Rep
from bot.domain.csv_cells import unescape_cell
from bot.domain.model import CallType, Outcome
from bot.services.cadences import load_cadence_book
from bot.services.calls import LogCall, NewProspect, Notes, log_call
from bot.services.export import export_prospects
from bot.services.export_activity import (
    CALL_HEADERS,
    TOUCH_HEADERS,
    export_calls,
    export_touches,
)
from bot.services.reps import save_rep_profile
from tests.conftest import TEAM

BOOK = load_cadence_book(Settings())
NEW_YORK = ZoneInfo("America/New_York")
# Wed 25 Nov 2026, 23:30 in New York: already Thursday in UTC.
LATE_IN_NEW_YORK = datetime(2026, 11, 26, 4, 30, tzinfo=UTC)
# Thu 26 Nov 2026, 00:30 in Berlin: still Wednesday in UTC.
EARLY_IN_BERLIN = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
AWKWARD = Notes(
    pain_point='invoices, "by hand", every Friday',
    objection='=HYPERLINK("http://evil.example","click")',
    next_step="+1 call back\r\nafter the board meeting, \"maybe\"",
    personal_detail="@dana runs marathons\nand bakes; 5 kids",
    resource_promised="-20% case study\t(PDF), 深圳物流",
)


def _reps(sf, team: str = TEAM) -> None:
    save_rep_profile(sf, team, "U0001", "America/New_York", "Rita Rep")
    save_rep_profile(sf, team, "U0002", "Europe/Berlin", "Bob Rep")


def _log(sf, name: str, now: datetime, *, user: str = "U0001", team: str = TEAM,
         outcome: Outcome = Outcome.CONNECTED, notes: Notes | None = None,
         company: str | None = None, prospect_id: int | None = None,
         call_type: CallType = CallType.COLD_CALL):
    tz = "America/New_York" if user == "U0001" else "Europe/Berlin"
    new = None if prospect_id else NewProspect(name, company or f"{name} Co", tz=tz)
    command = LogCall(team, user, tz, call_type, outcome, f"k-{name}-{now}",
                      prospect_id=prospect_id, new_prospect=new, notes=notes or Notes())
    return log_call(sf, command, BOOK, now)


def _rows(export, sf, team: str = TEAM, **dates) -> list[list[str]]:
    out = io.StringIO(newline="")
    count = export(sf, team, out, **dates)
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert count == len(rows) - 1
    return rows


def _dicts(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_calls_round_trip_awkward_notes_and_escape_formulas(session_factory):
    _reps(session_factory)
    logged = _log(session_factory, "-Dana Whitfield", LATE_IN_NEW_YORK, notes=AWKWARD,
                  company='=cmd|" /C calc"!A0')
    rows = _rows(export_calls, session_factory)
    assert tuple(rows[0]) == CALL_HEADERS
    (call,) = _dicts(rows)
    fields = ("pain_point", "objection", "next_step", "personal_detail", "resource_promised")
    assert {f: unescape_cell(call[f]) for f in fields} == \
        {f: getattr(AWKWARD, f) for f in fields}
    assert call["objection"] == "'" + AWKWARD.objection  # escaped, not run
    assert call["next_step"] == "'+1 call back\r\nafter the board meeting, \"maybe\""
    assert call["pain_point"] == AWKWARD.pain_point  # nothing to escape: unchanged
    assert (call["prospect"], call["company"]) == ("'-Dana Whitfield", "'=cmd|\" /C calc\"!A0")
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")]
    assert call == call | {
        "call_id": str(logged.call_id), "rep_user_id": "U0001", "rep_name": "Rita Rep",
        "outcome_code": "connected", "outcome_label": "Connected",
        "call_type_code": "cold_call", "call_type_label": "Cold call", "attempt_number": "0",
        "called_at_utc": "2026-11-26T04:30:00Z", "rep_local_date": "2026-11-25"}


def test_since_until_mean_the_reps_own_day(session_factory):
    _reps(session_factory)
    _log(session_factory, "Rita Late", LATE_IN_NEW_YORK)  # Wed in New York, Thu in UTC
    _log(session_factory, "Bob Early", EARLY_IN_BERLIN, user="U0002")  # Thu in Berlin
    _log(session_factory, "Rita Later", LATE_IN_NEW_YORK + timedelta(days=1))

    def names(**dates) -> list[str]:
        return [row["prospect"] for row in _dicts(_rows(export_calls, session_factory,
                                                         **dates))]

    wednesday, thursday = date(2026, 11, 25), date(2026, 11, 26)
    assert names(since=wednesday, until=wednesday) == ["Rita Late"]
    assert names(since=thursday, until=thursday) == ["Bob Early", "Rita Later"]
    assert names(since=thursday) == ["Bob Early", "Rita Later"]
    assert names(until=wednesday) == ["Rita Late"]
    assert names() == ["Rita Late", "Bob Early", "Rita Later"]
    with pytest.raises(ValueError, match="before"):
        export_calls(session_factory, TEAM, io.StringIO(), since=thursday, until=wednesday)


def test_touches_one_row_per_follow_up_with_its_call(session_factory):
    _reps(session_factory)
    first = _log(session_factory, "Eve Ng", LATE_IN_NEW_YORK, outcome=Outcome.NO_ANSWER,
                 call_type=CallType.POST_VOICEMAIL)  # a call tomorrow
    with session_factory() as session:
        touch = session.scalar(select(FollowUp).where(FollowUp.call_id == first.call_id))
        due_on, start = touch.due_on, touch.window_start
    second = _log(session_factory, "again", start, outcome=Outcome.NO_ANSWER,
                  prospect_id=first.prospect.id, call_type=CallType.POST_VOICEMAIL)
    rows = _rows(export_touches, session_factory)
    assert tuple(rows[0]) == TOUCH_HEADERS
    with session_factory() as session:
        stored = session.scalars(select(FollowUp).order_by(FollowUp.due_on, FollowUp.id)).all()
    touches = _dicts(rows)
    assert [row["touch_id"] for row in touches] == [str(f.id) for f in stored]
    done = touches[0]
    assert done == done | {
        "rep_user_id": "U0001", "rep_name": "Rita Rep", "prospect": "Eve Ng",
        "company": "Eve Ng Co", "channel": "call", "status": "done",
        "due_on": due_on.isoformat(), "call_id": str(first.call_id),
        "window_start_utc": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "completed_at_utc": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "due_rep_local_date": start.astimezone(NEW_YORK).date().isoformat(),
        "completed_rep_local_date": start.astimezone(NEW_YORK).date().isoformat()}
    assert done["window_end_utc"] > done["window_start_utc"] and done["step"] != ""
    assert touches[-1]["call_id"] == str(second.call_id)
    assert touches[-1]["status"] == "pending" and touches[-1]["completed_at_utc"] == ""
    later = _rows(export_touches, session_factory, since=due_on + timedelta(days=1))
    assert [row["touch_id"] for row in _dicts(later)] == [str(f.id) for f in stored[1:]]
    assert len(_rows(export_touches, session_factory, until=due_on - timedelta(days=1))) == 1


def test_another_workspaces_rows_never_appear(session_factory):
    _reps(session_factory)
    _reps(session_factory, "T0002")  # the same user ids, in another workspace
    _log(session_factory, "Ours", LATE_IN_NEW_YORK)
    _log(session_factory, "Theirs", LATE_IN_NEW_YORK, team="T0002")
    _log(session_factory, "Theirs Too", EARLY_IN_BERLIN, team="T0002", user="U0002")
    with session_factory.begin() as session:  # added when their calls were logged
        session.execute(update(Prospect).values(created_at=LATE_IN_NEW_YORK))
    for export in (export_calls, export_touches, export_prospects):
        for dates in ({}, {"since": date(2026, 11, 1), "until": date(2026, 12, 31)}):
            text = "".join(",".join(row) for row in _rows(export, session_factory, **dates))
            assert "Ours" in text and "Theirs" not in text, (export.__name__, dates)


def test_prospects_since_until_by_the_owners_day_added(session_factory):
    _reps(session_factory)
    _log(session_factory, "Old Prospect", LATE_IN_NEW_YORK)
    _log(session_factory, "New Prospect", LATE_IN_NEW_YORK)
    with session_factory.begin() as session:  # added 23:30 Wed New York / Thu UTC
        session.execute(update(Prospect).where(Prospect.name == "Old Prospect")
                        .values(created_at=LATE_IN_NEW_YORK))
        session.execute(update(Prospect).where(Prospect.name == "New Prospect")
                        .values(created_at=LATE_IN_NEW_YORK + timedelta(days=1)))
    rows = _rows(export_prospects, session_factory, until=date(2026, 11, 25))
    assert [row[:2] for row in rows[1:]] == [["Old", "Prospect"]]
    rows = _rows(export_prospects, session_factory, since=date(2026, 11, 26))
    assert [row[:2] for row in rows[1:]] == [["New", "Prospect"]]


def _bulk_calls(sf, count: int, note_size: int) -> int:
    """``count`` calls by Rita on one prospect, each with five notes of ``note_size``
    characters; returns the characters of notes stored."""
    _reps(sf)
    with sf.begin() as session:
        rep = session.scalar(select(Rep).where(Rep.slack_user_id == "U0001"))
        prospect = Prospect(team_id=TEAM, owner_rep_id=rep.id, name="Big Co Buyer",
                            company="Big Co", tz="America/New_York")
        session.add(prospect)
        session.flush()
        note = ("pain, \"quoted\"\r\n" * note_size)[:note_size]
        session.execute(insert(Call), [
            {"team_id": TEAM, "prospect_id": prospect.id, "rep_id": rep.id,
             "called_at": LATE_IN_NEW_YORK + timedelta(minutes=i), "outcome": "no_answer",
             "call_type": "cold_call", "attempt_number": 1, "pain_point": note,
             "objection": note, "next_step": note, "personal_detail": note,
             "resource_promised": note} for i in range(count)])
    return count * 5 * note_size


class _Sink:
    """Counts what is written and keeps none of it."""

    def __init__(self, on_write=None):
        self.chars, self.writes, self.on_write = 0, 0, on_write

    def write(self, text: str) -> int:
        self.chars += len(text)
        self.writes += 1
        if self.on_write is not None:
            self.on_write(self.writes)
        return len(text)


def test_3000_calls_stream_instead_of_loading_at_once(session_factory):
    stored = _bulk_calls(session_factory, 3000, 2000)  # 30 million characters of notes
    sink = _Sink()
    tracemalloc.start()
    try:
        count = export_calls(session_factory, TEAM, sink)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 3000 and sink.chars > stored
    assert peak < stored / 2, f"peak {peak / 1e6:.1f} MB for {stored / 1e6:.1f} MB of notes"


def test_an_export_holds_no_lock_the_bot_waits_for(db_url, session_factory):
    """Reps log calls while an export streams (on SQLite the bot's own engine takes the
    write lock at BEGIN: an export through it would make their logs fail)."""
    _bulk_calls(session_factory, 50, 10)
    engine = reading_engine(db_url)
    logged = []

    def log_meanwhile(writes: int) -> None:
        if writes == 2:  # the first call row is out, the query is still open
            logged.append(_log(session_factory, "Meanwhile", LATE_IN_NEW_YORK))

    try:
        count = export_calls(make_session_factory(engine), TEAM, _Sink(log_meanwhile))
    finally:
        engine.dispose()
    assert logged and count in (50, 51)


# --- the command, as an admin runs it ---


def _env(db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    return {**env, "DATABASE_URL": db_url, "PYTHONDONTWRITEBYTECODE": "1"}


def _run(db_url, *args, limit: int | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``followup-bot export ARGS``; stdout as bytes (text mode would turn CRLF into LF).
    ``limit``: files the command writes may grow to that many bytes (RLIMIT_FSIZE; Python
    ignores SIGXFSZ, so a write past it fails with EFBIG, as on a full quota)."""
    def apply_limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "bot", "export", *args],
                          env={**_env(db_url), **(env or {})},
                          capture_output=True, timeout=60,
                          preexec_fn=apply_limit if limit else None)


def _parse(raw: bytes, encoding: str = "utf-8") -> list[dict[str, str]]:
    return _dicts(list(csv.reader(io.StringIO(raw.decode(encoding), newline=""))))


def test_cli_calls_to_stdout_and_touches_to_a_file(db_url, session_factory, tmp_path):
    _reps(session_factory)
    _log(session_factory, "Dana Whitfield", LATE_IN_NEW_YORK, notes=AWKWARD)
    result = _run(db_url, "calls", "--since", "2026-11-25", "--until", "2026-11-25",
                  env={"PYTHONIOENCODING": "latin-1"})  # a terminal that is not UTF-8
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(",".join(CALL_HEADERS).encode() + b"\r\n")
    (call,) = _parse(result.stdout)
    assert unescape_cell(call["next_step"]) == AWKWARD.next_step  # its CRLF too
    assert call["rep_local_date"] == "2026-11-25"
    assert unescape_cell(call["resource_promised"]) == AWKWARD.resource_promised  # 深圳物流
    nothing = _run(db_url, "calls", "--since", "2026-11-26")
    assert nothing.returncode == 0
    assert nothing.stdout == ",".join(CALL_HEADERS).encode() + b"\r\n"
    out = tmp_path / "touches.csv"
    written = _run(db_url, "touches", "--out", str(out))
    assert written.returncode == 0, written.stderr
    touches = _parse(out.read_bytes(), "utf-8-sig")
    assert written.stdout.decode() == f"{len(touches)} touch(es) written to {out}\n"
    assert out.read_bytes().startswith(b"\xef\xbb\xbf" + ",".join(TOUCH_HEADERS).encode())
    assert touches and {row["prospect"] for row in touches} == {"Dana Whitfield"}


@pytest.mark.parametrize(("args", "words"), [
    (["--since", "2026-13-01"], "--since '2026-13-01' is not a date"),
    (["--until", "30/11/2026"], "--until '30/11/2026' is not a date"),
    (["--since", "20261130"], "write it as YYYY-MM-DD"),
    (["--since", "2026-02-30"], "is not a date"),
    (["--since", "2026-11-30", "--until", "2026-11-01"],
     "--until 2026-11-01 is before --since 2026-11-30"),
])
def test_bad_dates_exit_2_with_one_line(db_url, session_factory, args, words):
    result = _run(db_url, "calls", *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == b""
    stderr = result.stderr.decode()
    assert stderr.startswith("followup-bot: ") and words in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_an_unwritable_out_exits_2_with_one_line(db_url, session_factory, tmp_path):
    _reps(session_factory)
    _log(session_factory, "Dana Whitfield", LATE_IN_NEW_YORK)
    missing = _run(db_url, "calls", "--out", str(tmp_path / "no" / "such" / "calls.csv"))
    assert missing.returncode == 2
    assert missing.stderr.decode() == (f"followup-bot: cannot write {tmp_path}/no/such/"
                                       "calls.csv: No such file or directory\n")
    if os.path.exists("/dev/full"):  # every write fails: the disk is full
        full = _run(db_url, "calls", "--out", "/dev/full")
        assert full.returncode == 2
        assert full.stderr.decode() == ("followup-bot: cannot write /dev/full: No space "
                                        "left on device\n")
        assert os.path.exists("/dev/full")


def test_a_write_that_fails_halfway_leaves_no_file(db_url, session_factory, tmp_path):
    _bulk_calls(session_factory, 500, 400)  # about 1 MB of CSV
    out = tmp_path / "calls.csv"
    result = _run(db_url, "calls", "--out", str(out), limit=200_000)
    assert result.returncode == 2, result.stderr
    assert result.stderr.decode() == (f"followup-bot: cannot write {out}: File too large; "
                                      "the partial file was removed\n")
    assert not out.exists()


def test_a_reader_that_stops_early_gets_no_traceback(db_url, session_factory):
    _bulk_calls(session_factory, 500, 400)  # far more than a pipe holds
    process = subprocess.Popen([sys.executable, "-m", "bot", "export", "calls"],
                               env=_env(db_url), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout.readline().startswith(b"call_id,")  # "| head -1"
    process.stdout.close()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1 and stderr == b""
