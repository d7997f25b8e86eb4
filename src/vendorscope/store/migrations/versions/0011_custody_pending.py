"""custody links pending

Revision ID: custody_pending
Revises: record_threads_index
Create Date: 2026-12-03 01:20:00

An agent's push records its custody links here, in its own transaction, instead of locking the chain's
head row until its commit (which made concurrent pushes commit one at a time); a linker chains them in
order shortly after.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "custody_pending"
down_revision: str | None = "record_threads_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custody_pending",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("custody_pending")
