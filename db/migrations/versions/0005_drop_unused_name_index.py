"""Drop the index on candidates.name: no query uses it (search runs on the in-memory roster
index), and every import paid for keeping it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_candidates_name", table_name="candidates")


def downgrade() -> None:
    op.create_index("ix_candidates_name", "candidates", ["name"])
