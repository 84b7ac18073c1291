"""SQLAlchemy 2 typed models. Persistence only: no business methods live here.

Every table carries ``team_id`` so every query can be scoped to one Slack workspace.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timezone-aware datetimes stored as UTC on every backend (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _now() -> datetime:
    return datetime.now(UTC)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # Slack team id
    name: Mapped[str | None] = mapped_column(String(255))
    holiday_country: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class Rep(Base):
    __tablename__ = "reps"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(255))
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    workday_start: Mapped[time] = mapped_column(Time, default=time(8, 30))
    working_days: Mapped[str] = mapped_column(String(7), default="12345")  # ISO weekdays
    # Working hours on those days (rep-local): call windows are chosen inside them.
    work_start: Mapped[time] = mapped_column(Time, default=time(8),
                                             server_default=text("'08:00:00'"))
    work_end: Mapped[time] = mapped_column(Time, default=time(18),
                                           server_default=text("'18:00:00'"))
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # False while ``tz`` is only DEFAULT_TIMEZONE (Slack has not said yet): no due-list
    # claim or skip is recorded for the rep until it is known.
    tz_known: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class Prospect(Base):
    __tablename__ = "prospects"
    __table_args__ = (Index("ix_prospects_team_id_name", "team_id", "name"),
                      Index("ix_prospects_team_id_name_key", "team_id", "name_key"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"))
    owner_rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    company: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    # NFC + casefold of name and company (bot.domain.text.search_key): what search matches.
    name_key: Mapped[str] = mapped_column(String(255), default="", server_default="")
    company_key: Mapped[str] = mapped_column(String(255), default="", server_default="")
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    # ISO 3166 code (optionally -subdivision): the prospect's weekend and holidays.
    country: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(24), default="active")
    needs_verified_number: Mapped[bool] = mapped_column(Boolean, default=False)
    do_not_call: Mapped[bool] = mapped_column(Boolean, default=False)
    # Asked for no email (a CRM's "Email Opt Out"): no email touch is ever scheduled.
    email_opt_out: Mapped[bool] = mapped_column(Boolean, default=False,
                                                server_default=false())
    title: Mapped[str | None] = mapped_column(String(120))  # job title, from an import
    cadence: Mapped[str | None] = mapped_column(String(64))
    cadence_started_on: Mapped[date | None] = mapped_column(Date)
    call_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now, onupdate=_now)


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        UniqueConstraint("team_id", "submission_key"),
        Index("ix_calls_prospect_id_called_at", "prospect_id", "called_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"))
    prospect_id: Mapped[int] = mapped_column(ForeignKey("prospects.id"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"), index=True)
    called_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(24))
    call_type: Mapped[str] = mapped_column(String(24))
    pain_point: Mapped[str | None] = mapped_column(Text)
    objection: Mapped[str | None] = mapped_column(Text)
    next_step: Mapped[str | None] = mapped_column(Text)
    personal_detail: Mapped[str | None] = mapped_column(Text)
    resource_promised: Mapped[str | None] = mapped_column(Text)
    attempt_number: Mapped[int] = mapped_column(Integer, default=1)
    submission_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class FollowUp(Base):
    __tablename__ = "follow_ups"
    __table_args__ = (
        UniqueConstraint("team_id", "idempotency_key"),
        # The due list by appointment: open follow-ups of one rep by window start. Partial,
        # so it stays small however much history piles up.
        Index(
            "ix_follow_ups_open_rep_window",
            "rep_id",
            "window_start",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_follow_ups_prospect_id_status", "prospect_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"))
    prospect_id: Mapped[int] = mapped_column(ForeignKey("prospects.id"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    due_on: Mapped[date] = mapped_column(Date)  # the business day, prospect's calendar
    # The appointment, chosen once when the touch is scheduled (bot.domain.timing):
    # every surface shows these instants, never a window recomputed from "now".
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outside_hours: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    draft: Mapped[str | None] = mapped_column(String(32))  # the draft the step names
    step: Mapped[int] = mapped_column(Integer, default=0)
    purpose: Mapped[str | None] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(16), default="call")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempt_number: Mapped[int | None] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class EmailDraft(Base):
    __tablename__ = "email_drafts"
    __table_args__ = (
        UniqueConstraint("follow_up_id"),  # one draft per touch
        # The reminder tick looks only at drafts with a reminder set.
        Index("ix_email_drafts_remind_at", "remind_at",
              postgresql_where=text("remind_at IS NOT NULL"),
              sqlite_where=text("remind_at IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"))
    prospect_id: Mapped[int] = mapped_column(ForeignKey("prospects.id"), index=True)
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("follow_ups.id"))
    template: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    problems: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    nudged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the 2-hour recap nudge
    # "Remind me then": the bot DMs the current draft at this moment (once, unless sent).
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DigestRun(Base):
    __tablename__ = "digest_runs"
    __table_args__ = (
        UniqueConstraint("team_id", "rep_id", "local_date"),
        # Each tick looks for open runs whose lease ran out: keep that scan small.
        Index("ix_digest_runs_open_lease", "lease_until",
              postgresql_where=text("status IN ('claimed', 'sending')"),
              sqlite_where=text("status IN ('claimed', 'sending')")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"))
    rep_id: Mapped[int] = mapped_column(ForeignKey("reps.id"))
    local_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(255))
    owner: Mapped[str | None] = mapped_column(String(64))  # the sender holding an open run
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # renewed while sending
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SlackAllowance(Base):
    """One workspace's pace for bulk posts (due lists, recap nudges), shared by every bot
    process on PostgreSQL: see :mod:`bot.services.allowance`."""

    __tablename__ = "slack_allowances"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the next bulk post's slot
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # Slack's Retry-After
    pauses: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # 429s seen


class Manager(Base):
    """A sales manager added in App Home (MANAGER_IDS names the others): they receive
    the weekly team report. ``tz`` is Slack's zone for them, kept for managers who are
    not reps themselves (a rep's own settings win)."""

    __tablename__ = "managers"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    added_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class ReportRun(Base):
    """The weekly report's claim: one row per (team, manager, week it belongs to), inserted
    before anything is posted, so exactly one process sends it."""

    __tablename__ = "report_runs"
    __table_args__ = (UniqueConstraint("team_id", "manager_user_id", "week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"))
    manager_user_id: Mapped[str] = mapped_column(String(32))
    week: Mapped[str] = mapped_column(String(8))  # ISO week the report is sent in
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    owner: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(String(255))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
