"""records: near-duplicate bands and thread keys, kept per batch

Revision ID: record_groups
Revises: push_intake
Create Date: 2026-12-03 09:30:00

Near-duplicate groups and threads were computed over the whole store after each records ingest, holding
about 1 KB per document in memory. Each batch now looks up the first document of a band value, a
Message-ID or a subject in these tables (``records/groups.py``). A store that already holds documents is
marked for one rebuild of both tables, batch by batch, at its next records ingest (``records_groups``
in ``store_meta``): the records code that fills them sits above the store and is not imported here.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "record_groups"
down_revision: str | None = "push_intake"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for name in ("record_bands", "record_thread_keys"):
        op.create_table(
            name,
            sa.Column("digest", sa.BigInteger(), nullable=False),
            sa.Column("document_id", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("digest", "document_id"),
            sqlite_with_rowid=False,
        )
    op.create_index("ix_record_documents_near_dup", "record_documents", ["near_dup_group"], unique=False)
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM record_documents LIMIT 1")).first() is not None:
        bind.execute(sa.text("INSERT INTO store_meta (key, value) VALUES ('records_groups', 'rebuild')"))


def downgrade() -> None:
    op.drop_index("ix_record_documents_near_dup", table_name="record_documents")
    op.drop_table("record_thread_keys")
    op.drop_table("record_bands")
