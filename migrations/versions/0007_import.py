"""import from a CRM: prospects.email_opt_out and prospects.title

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

"Email Opt Out" in a CRM export means no email touch is ever scheduled for the prospect;
the job title comes along with the contact. Existing prospects have not opted out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_opt_out", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column("title", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_column("title")
        batch_op.drop_column("email_opt_out")
