"""slack allowances: one bulk-post pace per workspace, shared by every process

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

On PostgreSQL every bot process that posts due lists or recap nudges takes its turn from
this row (``next_at``: the next bulk post's slot) and honours Slack's Retry-After for the
whole workspace (``paused_until``). SQLite deployments (one bot process) pace in memory and
leave the table empty. See bot/services/allowance.py.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_allowances",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pauses", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"],
                                name=op.f("fk_slack_allowances_team_id_teams")),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_slack_allowances")),
    )


def downgrade() -> None:
    op.drop_table("slack_allowances")
