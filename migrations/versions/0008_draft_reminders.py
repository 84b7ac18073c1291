"""draft reminders: email_drafts.remind_at

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

"Remind me then" on a cadence email in the due list: the bot's own tick DMs the rep the
draft as it is at that moment (edits included), once, and not at all once it is sent.
A partial index keeps the tick's scan to drafts with a reminder set.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SET = sa.text("remind_at IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table("email_drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_email_drafts_remind_at", ["remind_at"], unique=False,
                              sqlite_where=SET, postgresql_where=SET)


def downgrade() -> None:
    with op.batch_alter_table("email_drafts", schema=None) as batch_op:
        batch_op.drop_index("ix_email_drafts_remind_at", sqlite_where=SET,
                            postgresql_where=SET)
        batch_op.drop_column("remind_at")
