"""``followup-bot import`` and ``followup-bot export prospects`` as an admin runs them: real
processes, a real database, exit codes, and a round trip into a fresh database."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from bot.db.engine import make_engine, make_session_factory
from bot.db.models import Prospect, Team
from tests.conftest import BOT_TOKEN, TEAM
from tests.import_files import HUBSPOT, SALESFORCE, crlf, encode
from tests.test_cli import run_cli

AWKWARD = crlf(
    "First Name,Last Name,Email,Phone Number,Company Name,Job Title,Time Zone,Country,"
    "Do Not Call,Email Opt Out",
    'Seán,"O\'Brien, Jr.",sean@obrien.example,+353 1 555 0100,"Quote ""Best"" Ltd",'
    "@risk officer,Europe/Dublin,Ireland,no,no",
    'Ömer,Çelik,omer@example.com.tr,=1+2,"=HYPERLINK(""http://x.example"")",-Buyer,'
    "(GMT+03:00) Istanbul,TR,no,yes",
    "Li,Na,,'+86 755 5555 0102,深圳物流,\"Line one\nline two\",Asia/Shanghai,CN,yes,no",
)


def _file(tmp_path, text: str, name: str = "contacts.csv", *, bom: bool = True):
    path = tmp_path / name
    path.write_bytes(encode(text, bom=bom))
    return path


def _import(db_url, path, *args, env=None):
    return run_cli("import", str(path), "--rep", "U0001", *args,
                   env={"DATABASE_URL": db_url, **(env or {})}, cwd=path.parent)


def _stored(url: str) -> list[tuple]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return [(p.name, p.email, p.phone, p.company, p.title, p.tz, p.country,
                     p.do_not_call, p.email_opt_out)
                    for p in session.scalars(select(Prospect).order_by(Prospect.name))]
    finally:
        engine.dispose()


def test_import_then_the_same_file_again(db_url, session_factory, tmp_path):
    path = _file(tmp_path, HUBSPOT)
    first = _import(db_url, path, "--team", TEAM)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "contacts.csv: 3 row(s), comma-separated" in first.stdout
    assert "Ignored columns: Record ID, Lifecycle Stage" in first.stdout
    assert "3 new, 0 already present, 0 bad, 0 warnings" in first.stdout
    assert "First touches for U0001: 3, from " in first.stdout
    assert "INFO" not in first.stdout + first.stderr
    again = _import(db_url, path)  # the team is the rep's
    assert again.returncode == 0, again.stderr
    assert "0 new, 3 already present, 0 bad, 0 warnings" in again.stdout
    assert len(_stored(db_url)) == 3


def test_bad_rows_exit_1_each_listed_and_nothing_written(db_url, session_factory, tmp_path):
    text = SALESFORCE + "0035g00000A4;;;;;Nameless AG;x@nameless.example;;;DE;;0;0;\r\n" + \
        "0035g00000A5;;Ann;Lee;;Lee Co;not-an-email;;;DE;;0;maybe;\r\n"
    result = _import(db_url, _file(tmp_path, text), "--team", TEAM)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "line 5: no name" in lines
    assert ("line 6: invalid email 'not-an-email'; Do Not Call is 'maybe', expected yes or no"
            in lines)
    assert "3 new, 0 already present, 2 bad, 0 warnings" in lines
    assert "Nothing was imported: fix the bad rows and run the import again." in lines
    assert _stored(db_url) == []


def test_a_dry_run_says_what_would_happen_and_writes_nothing(db_url, session_factory,
                                                             tmp_path):
    text = HUBSPOT.replace("(GMT+03:00) Istanbul", "Somewhere Else")
    result = _import(db_url, _file(tmp_path, text), "--team", TEAM, "--dry-run")
    assert result.returncode == 0, result.stderr
    assert ("warning: line 2: time zone 'Somewhere Else' not recognised: using the rep's (UTC)"
            in result.stdout)
    assert "3 new, 0 already present, 0 bad, 1 warning" in result.stdout
    assert "Dry run: nothing was written." in result.stdout
    with session_factory() as session:
        assert session.scalars(select(Team)).all() == []


@pytest.mark.parametrize(("args", "code", "words"), [
    (["--map", "Email=nickname"], 2, "unknown field 'nickname'"),
    (["--per-day", "0"], 2, "must be at least 1"),
    (["--call-type", "carrier_pigeon"], 2, "invalid choice"),
    (["--map", "Fax=phone"], 1, "does not have: 'fax'"),  # known once the file is read
])
def test_usage_problems_exit_2(db_url, session_factory, tmp_path, args, code, words):
    result = _import(db_url, _file(tmp_path, HUBSPOT), "--team", TEAM, *args)
    assert result.returncode == code and words in result.stdout + result.stderr, \
        result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert _stored(db_url) == []


def test_a_missing_or_unreadable_file(db_url, session_factory, tmp_path):
    missing = _import(db_url, tmp_path / "nope.csv", "--team", TEAM)
    assert missing.returncode == 2 and "no such file" in missing.stderr
    latin = tmp_path / "latin1.csv"
    latin.write_bytes("Name,Company\r\nJosé,Café SA\r\n".encode("cp1252"))
    result = _import(db_url, latin, "--team", TEAM)
    assert result.returncode == 1
    assert "not UTF-8 text" in result.stderr and "Nothing was imported." in result.stderr


def test_the_team_comes_from_the_token_on_a_fresh_database(empty_db_url, fake_slack,
                                                           tmp_path):
    assert run_cli("migrate", env={"DATABASE_URL": empty_db_url}).returncode == 0
    path = _file(tmp_path, HUBSPOT)
    unknown = _import(empty_db_url, path)
    assert unknown.returncode == 2 and "which Slack team?" in unknown.stderr
    result = _import(empty_db_url, path, env={"SLACK_BOT_TOKEN": BOT_TOKEN,
                                              "SLACK_API_URL": fake_slack.url})
    assert result.returncode == 0, result.stdout + result.stderr
    engine = make_engine(empty_db_url)
    with make_session_factory(engine)() as session:
        assert session.scalars(select(Team.id)).all() == [TEAM]
    engine.dispose()


def test_an_unmigrated_database_is_refused(empty_db_url, tmp_path):
    result = _import(empty_db_url, _file(tmp_path, HUBSPOT), "--team", TEAM)
    assert result.returncode == 2 and "followup-bot migrate" in result.stderr


def test_export_reimports_cleanly_into_a_fresh_database(db_url, session_factory,
                                                        empty_db_url, tmp_path):
    assert _import(db_url, _file(tmp_path, AWKWARD), "--team", TEAM).returncode == 0
    out = tmp_path / "prospects.csv"
    exported = run_cli("export", "prospects", "--out", str(out),
                       env={"DATABASE_URL": db_url})
    assert exported.returncode == 0, exported.stderr
    assert "3 prospect(s) written to" in exported.stdout
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0][-1] == "Owner" and {row[-1] for row in rows[1:]} == {"U0001"}
    cells = {cell for row in rows for cell in row}
    assert {"'=HYPERLINK(\"http://x.example\")", "'=1+2", "'-Buyer", "'@risk officer",
            "'+86 755 5555 0102"} <= cells  # no cell a spreadsheet would run
    assert not any(cell[:1] in "=+-@" for cell in cells if cell)

    assert run_cli("migrate", env={"DATABASE_URL": empty_db_url}).returncode == 0
    fresh = _import(empty_db_url, out, "--team", TEAM)
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert "3 new, 0 already present, 0 bad, 0 warnings" in fresh.stdout
    assert "Ignored columns" not in fresh.stdout  # Owner is known
    assert _stored(empty_db_url) == _stored(db_url)
    li = next(row for row in _stored(db_url) if row[0] == "Li Na")
    assert li[2:5] == ("+86 755 5555 0102", "深圳物流", "Line one\nline two")
    again = _import(db_url, out)
    assert "0 new, 3 already present" in again.stdout


def test_export_to_stdout_is_rfc4180(db_url, session_factory, tmp_path):
    _import(db_url, _file(tmp_path, AWKWARD), "--team", TEAM)
    result = run_cli("export", "prospects", env={"DATABASE_URL": db_url})
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert len(rows) == 4 and rows[0][:2] == ["First Name", "Last Name"]
    sean = next(row for row in rows if row[0] == "Seán")
    assert sean[1:5] == ["O'Brien, Jr.", "sean@obrien.example", "'+353 1 555 0100",
                         'Quote "Best" Ltd']
