"""titles' source, team_id and sha256 as unbounded text; SQLite times of records and contacts in one text form

Revision ID: column_forms
Revises: record_keys_recent
Create Date: 2026-12-03 12:00:00

A title's source, team_id and sha256 were VARCHAR(64). SQLite does not enforce a length, so it kept a longer
value whole, while PostgreSQL's insert of new titles (arrays cast to the column's type) cut it to 64 characters
without a word: the same input stored two ways. A title is evidence as the input gave it, and none of these
columns is indexed, so they take any length on both.

On SQLite, record documents' and network contacts' times went to the driver as datetimes, and sqlite3 writes a
time with no fraction of a second as ``2013-01-01 00:00:00``, where SQLAlchemy binds ``2013-01-01
00:00:00.000000`` in queries: as text the first sorts before the second, so a document dated exactly at a
"since" bound fell outside it (and one exactly at an "until" bound inside). The writers now send SQLAlchemy's
form; the rows already stored get its fraction here. PostgreSQL stores timestamps, not text: nothing to do.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "column_forms"
down_revision: str | None = "record_keys_recent"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TITLE_COLUMNS = ("source", "team_id", "sha256")
_TIMES = {
    "record_documents": ("sent_at", "created_at", "modified_at", "doc_date", "ingested_at"),
    "network_contacts": ("first_seen", "last_seen"),
}


def upgrade() -> None:
    with op.batch_alter_table("titles", schema=None) as batch_op:
        for name in _TITLE_COLUMNS:
            batch_op.alter_column(name, existing_type=sa.String(64), type_=sa.Text(), existing_nullable=False)
    if op.get_bind().dialect.name == "sqlite":
        for table, columns in _TIMES.items():
            for column in columns:
                op.execute(f"UPDATE {table} SET {column} = {column} || '.000000' WHERE length({column}) = 19")


def downgrade() -> None:
    with op.batch_alter_table("titles", schema=None) as batch_op:
        for name in _TITLE_COLUMNS:
            batch_op.alter_column(name, existing_type=sa.Text(), type_=sa.String(64), existing_nullable=False)
