"""push intake

Revision ID: push_intake
Revises: custody_pending
Create Date: 2026-12-03 09:10:00

Agents' bundles are queued here durably, in the store itself, and answered 202 with a receipt; an applier
writes them in groups and records each outcome on its row (server/intake.py, server/applier.py).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "push_intake"
down_revision: str | None = "custody_pending"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "push_intake",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("receipt", sa.String(length=32), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=255), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("lane", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("code", sa.Integer(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("hosts", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("applied_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["token_id"], ["enrollment_tokens.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("receipt"),
    )
    with op.batch_alter_table("push_intake", schema=None) as batch_op:
        batch_op.create_index("ix_push_intake_state", ["state", "lane", "id"], unique=False)
        batch_op.create_index("ix_push_intake_token_sha256", ["token_id", "sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("push_intake", schema=None) as batch_op:
        batch_op.drop_index("ix_push_intake_token_sha256")
        batch_op.drop_index("ix_push_intake_state")
    op.drop_table("push_intake")
