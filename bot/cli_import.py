"""``followup-bot import`` (prospects from a CRM export) and ``followup-bot export``.

Exit codes: 0 done (or a clean dry run); 1 the file has bad rows or cannot be read
(nothing was written); 2 a usage or setup problem (bot.cli.CliError).
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
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
    exp = sub.add_parser("export", help="write the team's prospects as CSV")
    exp.add_argument("what", choices=["prospects"])
    exp.add_argument("--out", type=Path, metavar="FILE", help="write here (default stdout)")
    exp.add_argument("--team", metavar="TEAM_ID", help="as for import")


def _session_factory(settings: Settings):
    from bot.cli import CliError, _engine
    from bot.db.engine import make_session_factory
    from bot.db.migrate import current_revision, head_revision, schema_state

    if settings.log_level != "DEBUG":  # alembic's INFO lines are noise in a report
        logging.getLogger("alembic").setLevel(logging.WARNING)
    engine = _engine(settings)
    current = current_revision(engine)
    if current != head_revision() and schema_state(current) != "newer":
        raise CliError("the database schema is not up to date: run 'followup-bot migrate' "
                       "first")
    return make_session_factory(engine)


def _team(settings: Settings, session_factory, team: str | None, rep: str | None) -> str:
    """--team; else the rep's team; else the database's only team; else the token's."""
    from sqlalchemy import select

    from bot.cli import CliError
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
    from bot.cli import CliError

    try:
        return make_client(settings).auth_test()["team_id"]
    except SlackApiError as exc:
        raise CliError(f"Slack's auth.test said '{exc.response.get('error')}': pass "
                       "--team T... instead") from None
    except OSError as exc:
        raise CliError(f"cannot reach Slack to learn the team ({exc}): pass --team T...") \
            from None


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli import CliError
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


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.export import export_prospects

    session_factory = _session_factory(settings)
    team = _team(settings, session_factory, args.team, None)
    if args.out is None:
        count = export_prospects(session_factory, team, sys.stdout)
    else:  # a BOM, so Excel opens the file as UTF-8 ("Ömer", "深圳物流")
        with open(args.out, "w", encoding="utf-8-sig", newline="") as out:
            count = export_prospects(session_factory, team, out)
        print(f"{count} prospect(s) written to {args.out}")
    return 0
