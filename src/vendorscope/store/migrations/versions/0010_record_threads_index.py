"""record_documents.thread_id indexed

Revision ID: record_threads_index
Revises: custody
Create Date: 2026-12-02 20:50:00

A vendor search adds every message of the threads its families belong to; without this index each
lookup read the whole record_documents table, so the search grew with the store (≈ 10× at 100,000
e-mails).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "record_threads_index"
down_revision: str | None = "custody"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_record_documents_thread", "record_documents", ["thread_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_record_documents_thread", table_name="record_documents")
