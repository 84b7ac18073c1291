"""A fixture week (ISO 2026-W48, Mon 23 to Sun 29 November 2026) whose report was computed
by hand; the numbers are in tests/test_insights.py.

Ann (New York) and Ben (Berlin) log calls; Cid is a rep with nothing this week. Calls sit
on the edges of the reps' local weeks on purpose: Ann's Sunday 23:30 is Monday in UTC,
Ben's Monday 00:30 is Sunday in UTC, and Ann's Monday 00:30 of the next week is out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.db.models import Call, EmailDraft, FollowUp, Prospect, Rep, Team

TEAM = "T0001"
NY, BERLIN = "America/New_York", "Europe/Berlin"


def _at(day: int, hour: int, minute: int, tz: str, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def seed_week(session_factory) -> dict[str, int]:
    """Insert the week; rep ids by name."""
    with session_factory() as s:
        if s.get(Team, TEAM) is None:
            s.add(Team(id=TEAM, name="Acme"))
            s.flush()
        ann = Rep(team_id=TEAM, slack_user_id="U0ANN", name="Ann", tz=NY)
        ben = Rep(team_id=TEAM, slack_user_id="U0BEN", name="Ben", tz=BERLIN)
        cid = Rep(team_id=TEAM, slack_user_id="U0CID", name="Cid", tz=NY)
        s.add_all([ann, ben, cid])
        s.flush()
        p = {}
        for name, owner in (("P1", ann), ("P2", ann), ("P3", ann), ("P4", ann), ("P5", ann),
                            ("P6", ben), ("P7", ben)):
            p[name] = Prospect(team_id=TEAM, owner_rep_id=owner.id, name=name, tz=owner.tz)
        s.add_all(p.values())
        s.flush()
        calls = [
            # Ann: 9 calls in her week, 4 conversations
            (ann, "P1", _at(23, 10, 0, NY), "no_answer"),
            (ann, "P1", _at(25, 11, 0, NY), "connected"),  # recap 1 h later: in time
            (ann, "P2", _at(23, 11, 0, NY), "voicemail"),
            (ann, "P2", _at(24, 11, 0, NY), "no_answer"),
            (ann, "P2", _at(26, 11, 0, NY), "meeting_booked"),  # recap 3 h later: late
            (ann, "P3", _at(16, 11, 0, NY), "no_answer"),  # the week before: step 1
            (ann, "P3", _at(24, 15, 0, NY), "connected"),
            (ann, "P3", _at(27, 15, 0, NY), "not_interested"),
            (ann, "P4", _at(25, 9, 0, NY), "gatekeeper"),
            (ann, "P4", _at(29, 23, 30, NY), "wrong_number"),  # Monday 04:30 UTC
            (ann, "P5", _at(30, 0, 30, NY), "connected"),  # next week in New York
            # Ben: 3 calls, 1 conversation
            (ben, "P6", _at(23, 10, 0, BERLIN), "connected"),  # recap 30 min later
            (ben, "P7", _at(23, 0, 30, BERLIN), "no_answer"),  # Sunday 23:30 UTC
            (ben, "P7", _at(24, 10, 0, BERLIN), "no_answer"),
        ]
        made = {}
        for rep, prospect, at, outcome in calls:
            call = Call(team_id=TEAM, prospect_id=p[prospect].id, rep_id=rep.id, called_at=at,
                        outcome=outcome, call_type="cold_call")
            s.add(call)
            s.flush()
            made[(prospect, outcome)] = call
        for key, after in ((("P1", "connected"), timedelta(hours=1)),
                           (("P2", "meeting_booked"), timedelta(hours=3)),
                           (("P6", "connected"), timedelta(minutes=30))):
            call = made[key]
            s.add(EmailDraft(team_id=TEAM, prospect_id=call.prospect_id, rep_id=call.rep_id,
                             call_id=call.id, template="recap", subject="s", body="b",
                             status="sent", sent_at=call.called_at + after))
        touches = [
            # (rep, prospect, due, channel, status, done at)
            (ann, "P2", date(2026, 11, 24), "call", "done", _at(24, 11, 0, NY)),  # on day
            (ann, "P2", date(2026, 11, 25), "email", "done", _at(26, 9, 0, NY)),  # late
            (ann, "P1", date(2026, 11, 26), "email", "pending", None),  # overdue
            (ann, "P3", date(2026, 11, 27), "call", "cancelled", _at(27, 15, 0, NY)),
            (ann, "P1", date(2026, 11, 30), "call", "pending", None),  # next week
            (ben, "P6", date(2026, 11, 27), "email", "skipped", _at(27, 9, 0, BERLIN)),
            (ben, "P7", date(2026, 11, 25), "call", "pending", None),  # overdue, stalled
            (ben, "P6", date(2026, 12, 1), "call", "pending", None),  # P6 goes on
        ]
        for i, (rep, prospect, due, channel, status, done) in enumerate(touches):
            s.add(FollowUp(team_id=TEAM, prospect_id=p[prospect].id, rep_id=rep.id,
                           due_on=due, channel=channel, status=status, completed_at=done,
                           idempotency_key=f"fixture-{i}"))
        s.commit()
        return {"Ann": ann.id, "Ben": ben.id, "Cid": cid.id}
