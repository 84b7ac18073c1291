"""``followup-bot digest --preview --user U [--at INSTANT]``: the due list a rep would get
at an instant, printed as text. It needs only the database, the settings and the cadence
book: no Bolt app, no Slack call (not even auth.test), no claim, no draft written."""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli_common import CliError
from bot.config import Settings
from bot.domain.drafts import KIND_TITLES
from bot.domain.due_list import DueItem, summary_text
from bot.domain.model import OUTCOME_LABELS, Outcome
from bot.domain.windows import clock_text, describe_appointment, format_day
from bot.services.preview import RepDay, preview_days
from bot.services.touch_drafts import touch_kind
from bot.slack.due_list_view import room, step_label


def parse_instant(text: str | None, now: datetime) -> datetime:
    """``--at``: ISO 8601 with an offset or Z ("2026-11-27T08:31-05:00", "...T13:31Z");
    ``now`` when not given. A time without an offset names no instant: refused."""
    if text is None:
        return now
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"--at {text!r} is not an ISO 8601 date and time; write it like "
                       "2026-11-27T08:31-05:00 or 2026-11-27T13:31Z") from None
    if moment.tzinfo is None:
        raise CliError(f"--at {text!r} has no offset, so it names no single instant; add one "
                       "(2026-11-27T08:31-05:00) or Z for UTC (2026-11-27T13:31Z)")
    return moment.astimezone(UTC)


def cmd_preview(settings: Settings, args: argparse.Namespace) -> int:
    from bot.services.cadences import load_cadence_book

    if not args.preview:
        raise CliError("--at goes with --preview; --now sends at this moment")
    if args.force:
        raise CliError("--force goes with --now (it resends); --preview sends nothing")
    users = args.user or []
    if len(users) != 1:
        raise CliError("--preview shows one rep's day: give exactly one --user U (their "
                       "Slack user id, like U0123ABCD)")
    at = parse_instant(args.at, datetime.now(UTC))
    if settings.log_level != "DEBUG":  # alembic's INFO lines are noise in a report
        logging.getLogger("alembic").setLevel(logging.WARNING)
    session_factory = _database(settings)
    book = load_cadence_book(settings)
    days = preview_days(session_factory, user_id=users[0], at=at,
                        max_calls=book.rules.max_calls, cutoff=settings.digest_cutoff)
    if not days:
        raise CliError(f"{users[0]} is not a rep in this database: a rep appears once they "
                       "use the bot (/logcall, or its Home tab). Slack user ids look like "
                       "U0123ABCD (Profile > ... > Copy member ID).")
    print("\n\n".join(render_day(day) for day in days))
    return 0


def _database(settings: Settings):
    """A session factory on the existing, migrated database (never creates one)."""
    from sqlalchemy.engine import make_url

    from bot.db.engine import database_reachable, make_engine, make_session_factory
    from bot.db.migrate import current_revision, schema_state

    url = make_url(settings.database_url)
    if (url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
            and not Path(url.database).exists()):
        raise CliError(f"there is no database at {url.database} yet: nothing to preview "
                       "('followup-bot migrate' creates it)")
    engine = make_engine(settings.database_url)
    ok, reason = database_reachable(engine)
    if not ok:
        raise CliError(f"cannot reach the database at DATABASE_URL "
                       f"({url.render_as_string(hide_password=True)}): {reason}")
    if schema_state(current_revision(engine)) == "behind":
        raise CliError("the database's schema is older than this version's: run "
                       "'followup-bot migrate' first")
    return make_session_factory(engine)


def _plain(text: str, limit: int = 200) -> str:
    """User text for a terminal: one line, no control characters, at most ``limit``."""
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clock(moment: datetime) -> str:
    return clock_text(moment, minutes=True)


def _span(item: DueItem, zone: str) -> str:
    """The stored window in ``zone``: 'Fri 27 Nov 4:00 pm - 5:00 pm'."""
    tz = ZoneInfo(zone)
    start, end = item.window_start.astimezone(tz), item.window_end.astimezone(tz)
    until = _clock(end) if end.date() == start.date() else \
        f"{format_day(end.date())} {_clock(end)}"
    return f"{format_day(start.date())} {_clock(start)} - {until}"


def _schedule(day: RepDay) -> list[str]:
    decision, zone = day.decision, ZoneInfo(day.tz)
    listed = format_day(decision.local_date)
    lines = {
        "send": f"The morning list for {listed} goes out now (the cut-off is "
                f"{_clock(decision.cutoff_at.astimezone(zone)) if decision.cutoff_at else ''}).",
        "wait": f"The morning list for {listed} goes out at "
                f"{_clock(decision.send_at.astimezone(zone)) if decision.send_at else ''}.",
        "skip_past_cutoff": f"Past the cut-off: the morning list for {listed} is no longer "
                            "sent; /followups shows this list.",
        "skip_not_working_day": f"{listed} is not one of the rep's working days: no morning "
                                "list; /followups shows this list.",
    }
    notes = [lines[decision.action]]
    if not day.digest_enabled:
        notes.append("The rep turned the morning list off: /followups and Home only.")
    if not day.active:
        notes.append("The rep is inactive (gone from Slack): nothing is sent.")
    if not day.tz_known:
        notes.append(f"Slack has not told the bot this rep's time zone yet: shown in {day.tz} "
                     "(the default); no morning list is sent until it is known.")
    return notes


def _words(item: DueItem, day: RepDay) -> str | None:
    if item.channel not in ("email", "linkedin"):
        return None
    title = KIND_TITLES.get(touch_kind(item.channel, item.draft) or "", "Draft")
    if item.draft_id is None:
        return f"{title}: written from the latest notes when the list is sent"
    return f"{title}, kept: \"{_plain(day.openings.get(item.draft_id, ''), 120)}\""


def _item(number: int, item: DueItem, day: RepDay) -> list[str]:
    who = _plain(item.prospect_name, 120) + (f" · {_plain(item.company, 120)}"
                                              if item.company else "")
    late = ""
    if item.overdue and item.window_start is not None:
        since = item.window_start.astimezone(ZoneInfo(day.tz)).date()
        late = f" · OVERDUE since {format_day(since)}"
    lines = [f"{number}. {who} — {step_label(item)}{late}"]
    if item.window_start is not None and item.window_end is not None:
        lines += [f"   Their time: {_span(item, item.prospect_tz)} ({item.prospect_tz})",
                  f"   Rep's time: {_span(item, day.tz)} ({day.tz})",
                  "   Shown as: " + describe_appointment(
                      item.window_start, item.window_end, prospect_tz=item.prospect_tz,
                      rep_tz=day.tz, outside_hours=item.outside_hours,
                      call=item.channel == "call")]
    facts = [f"Step: {_plain(item.purpose, 150)}"] if item.purpose else []
    if item.last_outcome:
        label = OUTCOME_LABELS.get(Outcome(item.last_outcome), item.last_outcome).lower()
        facts.append(f"Last: {label}" + (f" on {format_day(item.last_call_on)}"
                                         if item.last_call_on else ""))
    if item.phone:
        facts.append(f"Phone: {_plain(item.phone, 40)}")
    lines += [f"   {' · '.join(facts)}"] if facts else []
    for label, text in (("Pain", item.pain_point), ("Agreed next step", item.next_step),
                        ("Still owed", item.resource_owed), ("Words", _words(item, day))):
        if text:
            lines.append(f"   {label}: {_plain(text)}")
    return lines


def render_day(day: RepDay) -> str:
    """The rep's list as readable text: who and when, whether and when the morning DM goes
    out, the header's counts, then each touch with its stored window in both zones."""
    local = day.at.astimezone(ZoneInfo(day.tz))
    who = f"{_plain(day.name, 80)} ({day.user_id})" if day.name else day.user_id
    overdue = sum(1 for item in day.items if item.overdue)
    lines = [f"Due list of {who}, workspace {day.team_id}, at {format_day(local.date())} "
             f"{local.year} {_clock(local)} {day.tz} ({day.at.astimezone(UTC):%Y-%m-%d %H:%M}"
             " UTC)", *_schedule(day), "",
             f"Your follow-ups for {format_day(day.decision.local_date)}: "
             f"{summary_text(Counter(i.channel for i in day.items), overdue)}"]
    for number, item in enumerate(day.items, start=1):
        lines += _item(number, item, day)
    if len(day.items) > room():
        lines.append(f"(The DM shows the first {room()}; the rest are in the bot's Home tab.)")
    return "\n".join(lines)
