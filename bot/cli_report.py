"""``followup-bot report``: the weekly team report to every manager, now."""

from __future__ import annotations

import argparse

from bot.config import Settings, SettingsError


def add_parser(sub) -> None:
    report = sub.add_parser("report", help="send the weekly team report to the managers now")
    report.add_argument("--now", action="store_true",
                        help="send now: the last 7 days including today, counted as this "
                             "week's report")
    report.add_argument("--week", metavar="YYYY-Www",
                        help="that ISO week instead (e.g. 2026-W48), counted as the report "
                             "of the week after it")
    report.add_argument("--force", action="store_true",
                        help="send even if the managers already got that week's report")


def cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from bot.domain.insights import iso_week

    if not (args.now or args.week):
        raise SettingsError("say which report: --now (the last 7 days) or --week YYYY-Www.")
    try:
        week = iso_week(args.week) if args.week else None
    except ValueError as exc:
        raise SettingsError(str(exc)) from None
    if not settings.slack_bot_token:
        raise SettingsError("SLACK_BOT_TOKEN is not set; the report is sent as the bot.")
    from bot.app import build_app
    from bot.cli_common import connect_database
    from bot.db.engine import make_session_factory
    from bot.slack.reports import report_now

    app = build_app(settings, session_factory=make_session_factory(connect_database(settings)))
    deps = app.deps
    team_id = deps.workspace.team_id
    results = report_now(app.client, deps, team_id, deps.clock(), week=week,
                         force=args.force, tz=settings.default_timezone)
    if not results:
        print("No managers: set MANAGER_IDS, or add managers in App Home.")
        return 1
    words = {"sent": "sent", "already": "already sent this week (--force sends again)",
             "elsewhere": "being sent by another process right now", "failed": "FAILED"}
    for sent in results:
        print(f"{sent.manager}: {words[sent.status]}"
              + (f": {sent.detail}" if sent.detail else ""))
    return 1 if any(s.status == "failed" for s in results) else 0
