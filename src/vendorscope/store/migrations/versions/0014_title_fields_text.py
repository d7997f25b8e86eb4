"""titles: source, team_id and sha256 as unbounded text, like the other fields of a title

Revision ID: title_fields_text
Revises: record_groups
Create Date: 2026-12-03 12:00:00

They were VARCHAR(64). SQLite does not enforce a length, so it kept a longer value whole, while PostgreSQL's
insert of new titles (arrays cast to the column's type) cut it to 64 characters without a word: the same
input stored two ways. A title is evidence as the input gave it, and none of these columns is indexed, so
they take any length on both.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "title_fields_text"
down_revision: str | None = "record_groups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("source", "team_id", "sha256")


def upgrade() -> None:
    with op.batch_alter_table("titles", schema=None) as batch_op:
        for name in _COLUMNS:
            batch_op.alter_column(name, existing_type=sa.String(64), type_=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("titles", schema=None) as batch_op:
        for name in _COLUMNS:
            batch_op.alter_column(name, existing_type=sa.Text(), type_=sa.String(64), existing_nullable=False)
