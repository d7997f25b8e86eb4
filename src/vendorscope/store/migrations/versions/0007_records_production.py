"""records production: OCR text marked, reviewers' redactions, pages per Bates number, volumes

Revision ID: records_production
Revises: server
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "records_production"
down_revision: str | None = "server"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("record_documents") as batch:
        batch.add_column(sa.Column("text_source", sa.String(length=16), nullable=True))
    op.create_table(
        "record_redactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=256), nullable=False),
        sa.Column("reviewer", sa.String(length=256), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["record_documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_record_redactions_document", "record_redactions", ["document_id"], unique=False)
    with op.batch_alter_table("record_bates") as batch:
        batch.add_column(sa.Column("pages", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("record_productions") as batch:
        batch.add_column(sa.Column("volume", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("record_productions") as batch:
        batch.drop_column("volume")
    with op.batch_alter_table("record_bates") as batch:
        batch.drop_column("pages")
    op.drop_index("ix_record_redactions_document", table_name="record_redactions")
    op.drop_table("record_redactions")
    with op.batch_alter_table("record_documents") as batch:
        batch.drop_column("text_source")
