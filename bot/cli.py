"""The ``followup-bot`` command: its parser, and migrate, manifest, check, digest, templates
(run, import/export and report live in bot.cli_run, bot.cli_import and bot.cli_report).

The only module (with ``__main__``) that reads the environment.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot import cli_import, cli_report, cli_run
from bot.cli_common import CliError, connect_database
from bot.config import Settings, SettingsError, configure_logging, load_settings

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="followup-bot",
        description="A Slack bot that makes sales reps follow up.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="start the bot (Socket Mode, or HTTP with --http)")
    run.add_argument("--http", action="store_true", help="serve Slack requests over HTTP")
    run.add_argument("--host", default="0.0.0.0", help="HTTP bind address (default 0.0.0.0)")
    run.add_argument("--port", type=int, default=3000, help="HTTP port (default 3000)")
    run.add_argument("--threads", type=int, default=16, help="HTTP worker threads")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("manifest", help="print the Slack app manifest")
    sub.add_parser("check", help="verify the Slack token and the database")
    digest = sub.add_parser("digest", help="send the morning due lists, or preview one")
    mode = digest.add_mutually_exclusive_group(required=True)
    mode.add_argument("--now", action="store_true",
                      help="send now instead of at each rep's workday start")
    mode.add_argument("--preview", action="store_true",
                      help="print the list one --user would get at --at; sends nothing")
    digest.add_argument("--user", action="append", metavar="U",
                        help="only this Slack user id (repeatable with --now)")
    digest.add_argument("--force", action="store_true",
                        help="send even if the rep already got today's list")
    digest.add_argument("--at", metavar="INSTANT",
                        help="with --preview: ISO 8601 with an offset or Z (default: now)")
    templates = sub.add_parser("templates", help="email templates")
    templates.add_argument("action", choices=["check"],
                           help="check: render every template with sample data and run the "
                                "quality checks (TEMPLATES_DIR's templates too)")
    cli_import.add_parsers(sub)  # import, export
    cli_report.add_parser(sub)
    return parser


def cmd_migrate(settings: Settings) -> int:
    from bot.db.migrate import current_revision, upgrade

    engine = connect_database(settings)
    upgrade(engine)
    print(f"database is at revision {current_revision(engine)}")
    return 0


def cmd_manifest(_settings: Settings | None = None) -> int:
    from bot.resources import manifest_file

    sys.stdout.write(manifest_file().read_text(encoding="utf-8"))
    return 0


def _check_scopes(headers: dict) -> int:
    """Compare the scopes the token was granted (auth.test's x-oauth-scopes header) with
    the manifest's; a scope added in a release needs the app reinstalled."""
    import yaml

    from bot.resources import manifest_file

    wanted = yaml.safe_load(manifest_file().read_text())["oauth_config"]["scopes"]["bot"]
    granted_text = next((v for k, v in headers.items() if k.lower() == "x-oauth-scopes"), None)
    if granted_text is None:
        print("WARN  Slack: could not read the token's scopes (no x-oauth-scopes header)")
        return 0
    granted = {scope.strip() for scope in granted_text.split(",") if scope.strip()}
    missing = [scope for scope in wanted if scope not in granted]
    if not missing:
        print(f"ok    Slack: the token has every scope the manifest asks for ({len(wanted)})")
        return 0
    print(f"FAIL  Slack: the token lacks {', '.join(missing)}: reinstall the app to the "
          "workspace (api.slack.com/apps -> your app -> Install App -> Reinstall)")
    return 1


def cmd_check(settings: Settings) -> int:
    from slack_sdk.errors import SlackApiError

    from bot.app import make_client
    from bot.slack.trust import AUTH_HINTS

    if settings.log_level != "DEBUG":  # alembic's INFO lines are noise in a report
        logging.getLogger("alembic").setLevel(logging.WARNING)
    problems = 0
    if not settings.slack_bot_token:
        print("FAIL  Slack: SLACK_BOT_TOKEN is not set (copy the Bot User OAuth Token, xoxb-...)")
        problems += 1
    else:
        try:
            auth = make_client(settings).auth_test()
            print(f"ok    Slack: token works for team {auth.get('team')} as @{auth.get('user')}")
            problems += _check_scopes(auth.headers)
        except SlackApiError as exc:
            error = exc.response.get("error", "unknown error")
            hint = AUTH_HINTS.get(error, "see https://api.slack.com/methods/auth.test")
            print(f"FAIL  Slack: auth.test said '{error}': {hint}")
            problems += 1
        except OSError as exc:
            print(f"FAIL  Slack: cannot reach {settings.slack_api_url}: {exc}")
            problems += 1
    if settings.slack_app_token:
        print("ok    Socket Mode: SLACK_APP_TOKEN is set")
    elif settings.slack_signing_secret:
        print("ok    HTTP mode: SLACK_SIGNING_SECRET is set")
    else:
        print("FAIL  Neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP) is set")
        problems += 1
    problems += _check_database(settings)
    print("all good" if not problems else f"{problems} problem(s) found")
    return 1 if problems else 0


def _check_database(settings: Settings) -> int:
    """Look, never touch: a missing SQLite file is not created, nothing is migrated."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from bot.db.engine import database_reachable, make_engine
    from bot.db.migrate import current_revision, head_revision, schema_state

    url = make_url(settings.database_url)
    where = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database)
        if not path.parent.is_dir():
            print(f"FAIL  Database: cannot connect to {where}: the folder {path.parent} "
                  "does not exist")
            return 1
        if not path.exists():
            print(f"WARN  Database: the SQLite file {path} does not exist yet; "
                  "'followup-bot migrate' creates it (and 'run' does too)")
            return 0
        # Read-only: connecting must not create the file or switch its journal mode.
        engine = create_engine(url.set(database=f"file:{path}",
                                       query={**url.query, "mode": "ro", "uri": "true"}))
    else:
        engine = make_engine(settings.database_url)
    try:
        ok, reason = database_reachable(engine)
        if not ok:
            print(f"FAIL  Database: cannot connect to {where}: {reason}")
            return 1
        current, head = current_revision(engine), head_revision()
    finally:
        engine.dispose()
    if current == head:
        print(f"ok    Database: {where} is at the latest schema ({head})")
        return 0
    if schema_state(current) == "newer":
        print(f"ok    Database: {where} is at {current}, newer than this version's {head} "
              "(a newer release migrated it; fine during a rolling upgrade)")
        return 0
    state = f"is at {current}, this version needs {head}" if current else "has no schema yet"
    print(f"WARN  Database: {where} {state}: run 'followup-bot migrate' "
          "(or 'run', which migrates first)")
    return 0


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    if args.preview or args.at is not None:  # the database only: no Bolt app, no Slack
        from bot.preview import cmd_preview

        return cmd_preview(settings, args)
    from bot.app import build_app, make_client
    from bot.db.engine import make_session_factory
    from bot.scheduler import Jobs

    if not settings.slack_bot_token:
        raise SettingsError("SLACK_BOT_TOKEN is not set; the due lists are sent as the bot.")
    engine = connect_database(settings)
    app = build_app(settings, session_factory=make_session_factory(engine))
    jobs = Jobs(app.deps, make_client(settings, retry_rate_limits=False))
    from bot.domain.due_list import describe_report

    # Takes over at once the runs of a sender that stopped (lease run out); a live
    # sender's runs are left to it and reported as in progress elsewhere.
    report = jobs.digest_tick(only_users=set(args.user) if args.user else None,
                              force=args.force, ignore_schedule=True)
    print(describe_report(report))
    return 1 if report.failed else 0


def cmd_templates_check(settings: Settings) -> int:
    from bot.services.template_checks import check_templates

    problems = check_templates(settings.templates_dir)
    for line in problems:
        print(line)
    where = f"built-in and {settings.templates_dir}" if settings.templates_dir else "built-in"
    print(f"{len(problems)} problem(s) in the {where} templates" if problems
          else f"all {where} templates pass the checks")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 2
    if args.command == "manifest":
        return cmd_manifest()
    from bot.slack.trust import SlackAuthError  # a bad token: one line, exit 2

    try:
        settings = load_settings()
        configure_logging(settings)
        if args.command == "migrate":
            return cmd_migrate(settings)
        if args.command == "check":
            return cmd_check(settings)
        if args.command == "templates":
            return cmd_templates_check(settings)
        if args.command == "digest":
            return cmd_digest(settings, args)
        if args.command == "report":
            return cli_report.cmd_report(settings, args)
        if args.command == "import":
            return cli_import.cmd_import(settings, args)
        if args.command == "export":
            return cli_import.cmd_export(settings, args)
        return cli_run.cmd_run(settings, args)
    except (SettingsError, CliError, SlackAuthError) as exc:
        print(f"followup-bot: {exc}", file=sys.stderr)
        return 2
