"""`followup-bot digest --preview`, run as a real process as an admin would: the list a rep
would get at an instant, as text, with nothing sent and nothing written (no claim, no
draft, no Slack call at all). The database is seeded through the services, so no bot is
running beside the command: every call the fake Slack records would be the command's."""

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.db.models import Base, FollowUp
from bot.domain.model import CallType, Outcome
from bot.services.cadences import load_cadence_book
from bot.services.calls import LogCall, NewProspect, Notes, log_call
from bot.services.draft_templates import DraftRenderer
from bot.services.drafts import drafts_after_log
from bot.services.reps import save_rep_profile
from tests.conftest import BOT_TOKEN, SIGNING_SECRET

BOOK = load_cadence_book(Settings())
WED = datetime(2026, 11, 25, 19, 0, tzinfo=UTC)
HANG = 600  # seconds: only a hang takes this long


def _log(sf, name, outcome, call_type, **notes):
    command = LogCall("T0001", "U0001", "America/New_York", call_type, outcome, f"k-{name}",
                      new_prospect=NewProspect(name, f"{name} Co", f"{name.lower()}@x.example",
                                               "+1 555 0100", tz="America/Chicago"),
                      notes=Notes(**notes))
    return log_call(sf, command, BOOK, WED)


@pytest.fixture
def day(session_factory):
    """Rita's Friday: Eve's call (overdue since Thursday), Finn's intro email (overdue, no
    draft written yet), Dana's value-add email (its draft written after the log, kept)."""
    save_rep_profile(session_factory, "T0001", "U0001", "America/New_York", "Rita Rep")
    _log(session_factory, "Eve", Outcome.NO_ANSWER, CallType.POST_VOICEMAIL,
         pain_point="invoices \x1b[2Jby hand")
    _log(session_factory, "Finn", Outcome.NO_ANSWER, CallType.COLD_CALL)
    dana = _log(session_factory, "Dana", Outcome.CONNECTED, CallType.COLD_CALL,
                pain_point="month-end close takes nine days")
    drafts_after_log(session_factory, DraftRenderer(), dana, {}, is_final=False, now=WED,
                     windows=())


def snapshot(session_factory) -> dict:
    with session_factory() as session:
        return {table.name: sorted(map(tuple, session.execute(select(table)).all()), key=repr)
                for table in Base.metadata.sorted_tables}


def preview(settings, fake_slack, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SIGNING_SECRET,
               SLACK_API_URL=fake_slack.url, DATABASE_URL=settings.database_url)
    return subprocess.run([sys.executable, "-m", "bot", "digest", *args], env=env,
                          capture_output=True, text=True, timeout=HANG)


def test_preview_prints_the_reps_day_and_sends_and_writes_nothing(day, settings, fake_slack,
                                                                  session_factory):
    before = snapshot(session_factory)
    result = preview(settings, fake_slack, "--preview", "--user", "U0001",
                     "--at", "2026-11-27T08:31:00-05:00")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Due list of Rita Rep (U0001), workspace T0001, at Fri 27 Nov 2026 8:31 am " \
           "America/New_York (2026-11-27 13:31 UTC)" in out
    assert "The morning list for Fri 27 Nov goes out now" in out
    assert "Your follow-ups for Fri 27 Nov: 3 due today (2 overdue): 1 call, 2 emails" in out
    assert out.index("Finn") < out.index("Eve") < out.index("Dana")  # window order
    assert "2. Eve · Eve Co — call 2 of 6 · OVERDUE since Thu 26 Nov" in out
    # The stored window, in both zones, and as the DM shows it.
    assert "Their time: Thu 26 Nov 4:00 pm - 5:00 pm (America/Chicago)" in out
    assert "Rep's time: Thu 26 Nov 5:00 pm - 6:00 pm (America/New_York)" in out
    assert "Shown as: Thu 26 Nov, 4-5 pm their time (5-6 pm yours)" in out
    assert "Their time: Fri 27 Nov 12:00 am - Sat 28 Nov 12:00 am (America/Chicago)" in out
    assert "Pain: invoices" in out and "\x1b" not in out  # no terminal escapes
    assert "Intro email: written from the latest notes when the list is sent" in out
    assert 'Value-add email, kept: "' in out and "month-end close" in out
    assert snapshot(session_factory) == before  # no claim, no draft, nothing at all
    assert fake_slack.calls == []  # not even auth.test
    assert result.stderr == ""


def test_preview_travels_to_another_day(day, settings, fake_slack, session_factory):
    saturday = preview(settings, fake_slack, "--preview", "--user", "U0001",
                       "--at", "2026-11-28T13:31Z")
    assert saturday.returncode == 0, saturday.stderr
    assert "Sat 28 Nov is not one of the rep's working days: no morning list" in \
        saturday.stdout
    assert "Your follow-ups for Sat 28 Nov: 3 overdue: 1 call, 2 emails" in saturday.stdout
    early = preview(settings, fake_slack, "--preview", "--user", "U0001",
                    "--at", "2026-11-26T06:00-05:00")
    assert "The morning list for Thu 26 Nov goes out at 8:30 am." in early.stdout
    assert "Dana" not in early.stdout  # her email is Friday's
    now = preview(settings, fake_slack, "--preview", "--user", "U0001")  # the real clock
    assert now.returncode == 0 and "Your follow-ups for" in now.stdout
    assert fake_slack.calls == []


@pytest.mark.parametrize(("args", "says"), [
    (["--at", "2026-11-27T08:31"], "has no offset, so it names no single instant"),
    (["--at", "2026-11-27"], "has no offset"),
    (["--at", "Friday"], "is not an ISO 8601 date and time"),
    (["--user", "U0002"], "exactly one --user"),
    (["--force"], "--force goes with --now"),
])
def test_bad_preview_arguments_are_one_clear_line(day, settings, fake_slack, args, says):
    result = preview(settings, fake_slack, "--preview", "--user", "U0001", *args)
    assert result.returncode == 2
    assert says in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_an_unknown_user_is_told_plainly(day, settings, fake_slack):
    result = preview(settings, fake_slack, "--preview", "--user", "U0999")
    assert result.returncode == 2
    assert "U0999 is not a rep in this database" in result.stderr
    assert "Traceback" not in result.stderr and fake_slack.calls == []


@pytest.mark.parametrize(("args", "says"), [
    (["--now", "--preview", "--user", "U0001"], "not allowed with argument"),
    (["--user", "U0001"], "one of the arguments --now --preview is required"),
    (["--now", "--at", "2026-11-27T13:31Z"], "--at goes with --preview"),
])
def test_now_and_preview_are_one_or_the_other(settings, fake_slack, session_factory, args,
                                              says):
    result = preview(settings, fake_slack, *args)
    assert result.returncode == 2 and says in result.stderr
    assert fake_slack.calls == []
    with session_factory() as session:
        assert session.scalars(select(FollowUp)).all() == []
