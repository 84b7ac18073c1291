"""trust: search keys, digest run leases, known rep zones

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

- ``prospects.name_key`` / ``company_key``: NFC + casefold of name and company, so search
  finds "Zoë" typed either way and "ömer" finds "Ömer" (SQLite's lower() folds ASCII only).
- ``digest_runs.owner`` / ``lease_until``: which sender holds an open run and until when;
  a dead sender's runs are taken over once the lease runs out.
- ``reps.tz_known``: False while the rep's zone is only the default (Slack has not told
  us yet); no due-list claim or skip is recorded for such a rep.
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "").casefold()


def upgrade() -> None:
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name_key", sa.String(length=255), server_default="",
                                      nullable=False))
        batch_op.add_column(sa.Column("company_key", sa.String(length=255), server_default="",
                                      nullable=False))
    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tz_known", sa.Boolean(), server_default=sa.true(),
                                      nullable=False))

    bind = op.get_bind()
    prospects = sa.table("prospects", sa.column("id", sa.Integer),
                         sa.column("name", sa.String), sa.column("company", sa.String),
                         sa.column("name_key", sa.String), sa.column("company_key", sa.String))
    rows = bind.execute(sa.select(prospects.c.id, prospects.c.name, prospects.c.company)).all()
    for prospect_id, name, company in rows:
        bind.execute(prospects.update().where(prospects.c.id == prospect_id).values(
            name_key=_key(name)[:255], company_key=_key(company)[:255]))


def downgrade() -> None:
    with op.batch_alter_table("reps", schema=None) as batch_op:
        batch_op.drop_column("tz_known")
    with op.batch_alter_table("digest_runs", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("owner")
    with op.batch_alter_table("prospects", schema=None) as batch_op:
        batch_op.drop_column("company_key")
        batch_op.drop_column("name_key")
