"""records: a recent level beside each key table, merged into it in bulk

Revision ID: record_keys_recent
Revises: record_groups
Create Date: 2026-12-03 12:00:00

The band and thread-key tables are keyed by random 64-bit digests, so a batch's commit dirtied pages all
over both B-trees: at 1.5 million documents the records writer wrote 100 GB for a 4.4 GB store. Each
batch's new keys now go to a recent table keyed by document first (new documents have the largest ids,
so its rows are appended), looked up beside the main table, and moved into it in key order when it
passes a bound (``records/groups.py``). Nothing to fill for an existing store: its recent tables start
empty, and its keys are in the main tables.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "record_keys_recent"
down_revision: str | None = "record_groups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for name in ("record_bands_recent", "record_thread_keys_recent"):
        op.create_table(
            name,
            sa.Column("document_id", sa.Integer(), nullable=False),
            sa.Column("digest", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("document_id", "digest"),
            sqlite_with_rowid=False,
        )


def downgrade() -> None:
    # keys of the recent level belong in the main tables of the code before it
    for name in ("record_bands", "record_thread_keys"):
        op.execute(f"INSERT INTO {name} (digest, document_id) SELECT digest, document_id FROM {name}_recent")
    op.drop_table("record_thread_keys_recent")
    op.drop_table("record_bands_recent")
