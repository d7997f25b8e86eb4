"""purchases' part, amount, contract and order number as unbounded text

Revision ID: purchase_text
Revises: column_forms
Create Date: 2026-12-03 15:00:00

The orgs writer cut a purchase's part number and contract and order numbers to 255 characters and its amount to
64, without a word, on both stores. A procurement line is evidence of what was bought from whom; a cut part number
may no longer name the covered product it named. None of these columns is indexed, so they take any length, and
the line is stored as the file gave it. Values already cut cannot be restored here: the original file, recorded
with its hash, still holds them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "purchase_text"
down_revision: str | None = "column_forms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WIDTHS = {"part": 255, "amount": 64, "contract": 255, "order_number": 255}


def upgrade() -> None:
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        for name, most in _WIDTHS.items():
            batch_op.alter_column(name, existing_type=sa.String(most), type_=sa.Text(), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        for name, most in _WIDTHS.items():
            batch_op.alter_column(name, existing_type=sa.Text(), type_=sa.String(most), existing_nullable=False)
