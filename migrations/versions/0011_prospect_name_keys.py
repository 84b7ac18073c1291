"""index the prospects' name keys: /logcall finds the typed prospect by them

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01

``/logcall Dana Whitfield, Acme`` preselects the team's one prospect with that name (and
company) key (bot.services.log_form). Without an index that read every prospect of the
team: 14-18 ms per /logcall with 10,000 reps of 10 prospects each, against 0.6-0.7 ms with
it (issue 15, measured on SQLite and PostgreSQL).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.create_index("ix_prospects_team_id_name_key", ["team_id", "name_key"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_index("ix_prospects_team_id_name_key")
