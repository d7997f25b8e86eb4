"""host_titles: a host's unattributed titles as one compact row

Revision ID: host_titles
Revises: records_production
Create Date: 2026-12-02 12:00:00.000000

Existing stores keep their unattributed installations as rows (both forms are read); new evidence
for unattributed titles goes to ``host_titles``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "host_titles"
down_revision: str | None = "records_production"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_titles",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("titles", sa.Integer(), nullable=False),
        sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("first_artifact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["first_artifact_id"], ["artifacts.id"]),
        sa.ForeignKeyConstraint(["host_id"], ["hosts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("host_id"),
    )


def downgrade() -> None:
    op.drop_table("host_titles")
