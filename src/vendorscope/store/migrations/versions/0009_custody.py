"""custody chain

Revision ID: custody
Revises: host_titles
Create Date: 2026-12-02 11:50:00

Creates the chain and its head row, then links every custody record already in the store (artifacts,
agent pushes, review decisions, productions, remediation changes) in the order they were made.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "custody"
down_revision: str | None = "host_titles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "custody_chain",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("custody_chain", schema=None) as batch_op:
        batch_op.create_index("ix_custody_chain_subject", ["kind", "subject"], unique=False)
    op.create_table(
        "custody_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    from vendorscope.store import custody

    conn = op.get_bind()
    conn.execute(sa.text("INSERT INTO custody_head (id, seq, hash) VALUES (:id, 0, :hash)"),
                 {"id": custody.HEAD_ID, "hash": custody.GENESIS})  # fmt: skip
    custody.link_existing(conn)


def downgrade() -> None:
    op.drop_table("custody_head")
    with op.batch_alter_table("custody_chain", schema=None) as batch_op:
        batch_op.drop_index("ix_custody_chain_subject")
    op.drop_table("custody_chain")
