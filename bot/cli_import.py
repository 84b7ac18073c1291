"""``followup-bot import`` (prospects from a CRM export) and ``followup-bot export``.

Exit codes: 0 done (or a clean dry run); 1 the file has bad rows or cannot be read
(nothing was written), or the export's reader went away ("| head"); 2 a usage or setup
problem, or the export file cannot be written (bot.cli_common.CliError).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import stat
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from bot.config import Settings
from bot.domain.model import CallType


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_parsers(sub) -> None:
    """The ``import`` and ``export`` subcommands, on bot.cli's parser."""
    _add_import(sub)
    _add_export(sub)


def _add_import(sub) -> None:
    from bot.domain.crm_import import FIELDS

    imp = sub.add_parser("import", help="import prospects from a CRM export (HubSpot or "
                                        "Salesforce CSV): all or nothing")
    imp.add_argument("file", type=Path, help="the CSV file (UTF-8, comma or semicolon)")
    imp.add_argument("--rep", required=True, metavar="USER_ID",
                     help="the Slack user id (U...) of the rep who gets these prospects")
    imp.add_argument("--team", metavar="TEAM_ID",
                     help="the Slack team id (default: the rep's, the database's only team, "
                          "or the one SLACK_BOT_TOKEN belongs to)")
    imp.add_argument("--dry-run", action="store_true",
                     help="check the file and say what would happen; write nothing")
    imp.add_argument("--call-type", choices=[c.value for c in CallType],
                     default=CallType.COLD_CALL.value,
                     help="whose cadence the new prospects start (default cold_call)")
    imp.add_argument("--per-day", type=_positive, default=20, metavar="N",
                     help="at most N new first touches a day for the rep (default 20)")
    imp.add_argument("--map", action="append", default=[], metavar='"Header=field"',
                     help=f"read a column as a field ({', '.join(FIELDS)}, or ignore); "
                          "repeatable")


def _add_export(sub) -> None:
    exp = sub.add_parser(
        "export", help="write the team's calls, touches or prospects as CSV",
        description="One row per call, per touch (a follow-up the cadence scheduled) or "
                    "per prospect, as RFC 4180 CSV. A cell starting with = + - @ gets a "
                    "leading apostrophe so no spreadsheet runs it (the import strips it).")
    exp.add_argument("what", choices=["calls", "touches", "prospects"],
                     help="calls: every logged call with its notes; touches: every "
                          "follow-up and what became of it; prospects: re-imports with "
                          "'followup-bot import'")
    for option, word in (("--since", "from"), ("--until", "up to")):
        exp.add_argument(option, metavar="DATE",
                         help=f"only rows {word} this day, inclusive (YYYY-MM-DD): the "
                              "rep's local date of a call, a touch's due day, the owner's "
                              "local date a prospect was added")
    exp.add_argument("--out", type=Path, metavar="FILE",
                     help="write here, with a BOM so Excel reads UTF-8 (default stdout)")
    exp.add_argument("--team", metavar="TEAM_ID", help="as for import")


def _session_factory(settings: Settings, *, reading: bool = False):
    """Sessions on a database that answers and has this version's schema; ``reading``:
    on the engine an export reads through (:func:`reading_engine`)."""
    from bot.cli_common import CliError, connect_database
    from bot.db.engine import make_session_factory
    from bot.db.migrate import current_revision, head_revision, schema_state

    if settings.log_level != "DEBUG":  # alembic's INFO lines are noise in a report
        logging.getLogger("alembic").setLevel(logging.WARNING)
    engine = connect_database(settings)
    current = current_revision(engine)
    if current != head_revision() and schema_state(current) != "newer":
        raise CliError("the database schema is not up to date: run 'followup-bot migrate' "
                       "first")
    if reading:
        engine.dispose()
        engine = reading_engine(settings.database_url)
    return make_session_factory(engine)


def reading_engine(url: str):
    """An engine for a long read (an export into a slow pipe, 100,000 rows).

    SQLite: the bot's engine takes the write lock when a transaction begins (BEGIN
    IMMEDIATE, bot.db.engine), so an export through it would make reps' logs fail after
    their 1 s busy timeout. A plain connection reads the WAL database without holding
    anything a writer waits for. PostgreSQL: the background statement timeout (30 s), not
    the 1.5 s meant for Slack requests; a streamed query's first fetch may sort.
    """
    from sqlalchemy import create_engine

    from bot.db.engine import BACKGROUND_TIMEOUTS, make_engine

    if url.startswith("sqlite"):
        return create_engine(url, connect_args={"timeout": BACKGROUND_TIMEOUTS.lock_wait})
    return make_engine(url, timeouts=BACKGROUND_TIMEOUTS)


def _team(settings: Settings, session_factory, team: str | None, rep: str | None) -> str:
    """--team; else the rep's team; else the database's only team; else the token's."""
    from sqlalchemy import select

    from bot.cli_common import CliError
    from bot.db.models import Rep, Team

    if team:
        return team
    with session_factory() as session:
        teams = session.scalars(select(Rep.team_id).where(Rep.slack_user_id == rep)
                                .distinct()).all() if rep else []
        if len(teams) > 1:
            raise CliError(f"{rep} is a rep in several teams: name one with --team")
        teams = teams or session.scalars(select(Team.id).limit(2)).all()
    if len(teams) == 1:
        return teams[0]
    if not settings.slack_bot_token:
        raise CliError("which Slack team? Pass --team T..., or set SLACK_BOT_TOKEN so the "
                       "bot can ask Slack")
    return _token_team(settings)


def _token_team(settings: Settings) -> str:
    from slack_sdk.errors import SlackApiError

    from bot.app import make_client
    from bot.cli_common import CliError

    try:
        return make_client(settings).auth_test()["team_id"]
    except SlackApiError as exc:
        raise CliError(f"Slack's auth.test said '{exc.response.get('error')}': pass "
                       "--team T... instead") from None
    except OSError as exc:
        raise CliError(f"cannot reach Slack to learn the team ({exc}): pass --team T...") \
            from None


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_common import CliError
    from bot.domain.crm_import import parse_mapping
    from bot.services.cadences import load_cadence_book
    from bot.services.importer import (
        ImportFileError,
        ImportRequest,
        file_source,
        import_prospects,
    )

    try:
        mapping = parse_mapping(args.map)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if not args.file.is_file():
        raise CliError(f"no such file: {args.file}")
    session_factory = _session_factory(settings)
    request = ImportRequest(
        team_id=_team(settings, session_factory, args.team, args.rep),
        rep_user_id=args.rep, call_type=CallType(args.call_type), per_day=args.per_day,
        mapping=mapping, default_tz=settings.default_timezone)
    try:
        report = import_prospects(session_factory, load_cadence_book(settings),
                                  file_source(args.file), request, datetime.now(UTC),
                                  dry_run=args.dry_run)
    except ImportFileError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        print("Nothing was imported.", file=sys.stderr)
        return 1
    print(describe(report, args))
    return 1 if report.bad else 0


def describe(report, args: argparse.Namespace) -> str:
    """What the person at the terminal reads."""
    separator = {",": "comma", ";": "semicolon", "\t": "tab"}[report.delimiter]
    lines = [f"{args.file}: {report.rows} row(s), {separator}-separated"]
    if report.unknown_columns:
        lines.append(f"Ignored columns: {', '.join(report.unknown_columns)}")
    lines += [str(problem) for problem in report.bad]
    lines += [f"warning: {problem}" for problem in report.warnings]
    lines.append(report.summary())
    if report.marked_do_not_call or report.marked_opt_out:
        verb = "marked" if report.written else "to be marked"
        lines.append(f"Already present and {verb}: {report.marked_do_not_call} do not call, "
                     f"{report.marked_opt_out} email opt-out.")
    if report.bad:
        lines.append("Nothing was imported: fix the bad rows and run the import again.")
    elif not report.written:
        lines.append("Dry run: nothing was written.")
    elif report.first_touches:
        lines.append(f"First touches for {args.rep}: {report.first_touches}, from "
                     f"{report.first_day:%a %d %b %Y} to {report.last_day:%a %d %b %Y} "
                     f"(at most {args.per_day} a day).")
    return "\n".join(lines)


def _day(option: str, text: str | None) -> date | None:
    from bot.cli_common import CliError

    if text is None:
        return None
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option} {text!r} is not a date: write it as YYYY-MM-DD, "
                       "e.g. 2026-11-30") from None


def _exporter(what: str):
    from bot.services.export import export_prospects
    from bot.services.export_activity import export_calls, export_touches

    return {"calls": (export_calls, "call(s)"), "touches": (export_touches, "touch(es)"),
            "prospects": (export_prospects, "prospect(s)")}[what]


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_common import CliError

    since, until = _day("--since", args.since), _day("--until", args.until)
    if since and until and until < since:
        raise CliError(f"--until {until} is before --since {since}: nothing could match")
    export, noun = _exporter(args.what)
    session_factory = _session_factory(settings, reading=True)
    team = _team(settings, session_factory, args.team, None)

    def write(out) -> int:
        return export(session_factory, team, out, since=since, until=until)

    if args.out is None:
        return _to_stdout(write)
    count = _to_file(args.out, write)
    print(f"{count} {noun} written to {args.out}")
    return 0


def _to_stdout(write) -> int:
    # UTF-8, CRLF between rows and bare LF inside notes, whatever the terminal's locale
    # says and with no newline translation (Windows would turn CRLF into CR CR LF).
    sys.stdout.reconfigure(encoding="utf-8", newline="")
    try:
        write(sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # "| head" has read what it wanted: no traceback, exit 1
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nor one at exit
        return 1
    return 0


def _to_file(path: Path, write) -> int:
    """With a BOM, so Excel opens the file as UTF-8 ("Ömer", "深圳物流"). A write that
    fails (disk full, quota) leaves no half file that would pass for a whole export."""
    from bot.cli_common import CliError

    try:
        out = open(path, "w", encoding="utf-8-sig", newline="")  # closed below
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from None
    ours = stat.S_ISREG(os.fstat(out.fileno()).st_mode) and not path.is_symlink()
    try:
        with out:
            return write(out)
    except BaseException as exc:
        if ours:
            path.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            kept = "; the partial file was removed" if ours else ""
            raise CliError(f"cannot write {path}: {exc.strerror or exc}{kept}") from None
        raise
