"""appointments: stored call windows, rep working hours, prospect country, one draft per touch

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

A touch's window is decided once, when it is scheduled, and stored as instants
(``follow_ups.window_start`` / ``window_end``); the due list, the DM and App Home show the
stored one. Pending touches are backfilled here with the default windows (4-5 pm, then
11 am-12 pm prospect-local) inside the rep's default hours (8 am-6 pm on their working
days): a team with its own CALL_WINDOWS gets them on touches scheduled from now on.
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("status = 'pending'")
OPEN_RUNS = sa.text("status IN ('claimed', 'sending')")


def upgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("window_start", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("window_end", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("outside_hours", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column("draft", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_follow_ups_open_rep_window", ["rep_id", "window_start"],
                              unique=False, sqlite_where=PENDING, postgresql_where=PENDING)
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("work_start", sa.Time(), server_default=sa.text("'08:00:00'"),
                                      nullable=False))
        batch_op.add_column(sa.Column("work_end", sa.Time(), server_default=sa.text("'18:00:00'"),
                                      nullable=False))
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("country", sa.String(length=8), nullable=True))
    with op.batch_alter_table("email_drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_email_drafts_follow_up_id_follow_ups", "follow_ups",
                                    ["follow_up_id"], ["id"])
        batch_op.create_unique_constraint("uq_email_drafts_follow_up_id", ["follow_up_id"])
    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.create_index("ix_digest_runs_open_lease", ["lease_until"], unique=False,
                              sqlite_where=OPEN_RUNS, postgresql_where=OPEN_RUNS)
    _backfill_windows()


def _backfill_windows() -> None:
    from bot.domain.timing import Parties, WorkHours, appoint_call, day_bounds, whole_day

    windows = ((time(16), time(17)), (time(11), time(12)))
    bind = op.get_bind()
    follow_ups = sa.table("follow_ups", sa.column("id", sa.Integer),
                          sa.column("window_start", sa.DateTime(timezone=True)),
                          sa.column("window_end", sa.DateTime(timezone=True)),
                          sa.column("outside_hours", sa.Boolean))
    rows = bind.execute(sa.text(
        "SELECT f.id, f.due_on, f.channel, p.tz, r.tz, r.working_days FROM follow_ups f "
        "JOIN prospects p ON p.id = f.prospect_id JOIN reps r ON r.id = f.rep_id "
        "WHERE f.status = 'pending'")).all()
    for follow_up_id, due_on, channel, prospect_tz, rep_tz, days in rows:
        if isinstance(due_on, str):
            due_on = date.fromisoformat(due_on)
        try:
            if channel == "call":
                parties = Parties(prospect_tz, rep_tz, windows=windows,
                                  hours=WorkHours(days=days or "12345"))
                appointment = appoint_call(due_on, parties,
                                           not_before=day_bounds(due_on, prospect_tz)[0])
            else:
                appointment = whole_day(due_on, prospect_tz)
        except (KeyError, ValueError):  # an unusable zone name: read as UTC
            appointment = whole_day(due_on, "UTC")
        bind.execute(follow_ups.update().where(follow_ups.c.id == follow_up_id).values(
            window_start=_utc(appointment.start), window_end=_utc(appointment.end),
            outside_hours=appointment.outside_hours))


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def downgrade() -> None:
    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_digest_runs_open_lease", sqlite_where=OPEN_RUNS,
                            postgresql_where=OPEN_RUNS)
    with op.batch_alter_table("email_drafts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_email_drafts_follow_up_id", type_="unique")
        batch_op.drop_constraint("fk_email_drafts_follow_up_id_follow_ups", type_="foreignkey")
        batch_op.drop_column("follow_up_id")
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_column("country")
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.drop_column("work_end")
        batch_op.drop_column("work_start")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_ups_open_rep_window", sqlite_where=PENDING,
                            postgresql_where=PENDING)
        batch_op.drop_column("draft")
        batch_op.drop_column("outside_hours")
        batch_op.drop_column("window_end")
        batch_op.drop_column("window_start")
