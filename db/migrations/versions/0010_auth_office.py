"""A user's office: a reviewer records the review opinion of their own office only.

``users.office`` is "conduct" (学生处) or "academic" (教务处) for a reviewer, "" for every other
role. An existing reviewer whose recorded decisions are all for one of those two offices gets that
office, so the people who reviewed before the upgrade go on reviewing; any other reviewer is left
without one, and the administrator sets it (用户管理, or ``regdesk-cli user set NAME --office``)
before that reviewer can record a decision.

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-10
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_users = sa.table("users", sa.column("username", sa.String), sa.column("role", sa.String),
                  sa.column("office", sa.String))
_reviews = sa.table("reviews", sa.column("reviewer", sa.String), sa.column("office", sa.String))


def upgrade() -> None:
    op.add_column("users", sa.Column("office", sa.String(16), nullable=False, server_default=""))
    conn = op.get_bind()
    reviewers = conn.execute(sa.select(_users.c.username).where(_users.c.role == "reviewer")).scalars().all()
    for username in reviewers:
        offices = set(conn.execute(sa.select(_reviews.c.office).where(_reviews.c.reviewer == username)
                                   .distinct()).scalars())
        if len(offices) == 1 and offices <= {"conduct", "academic"}:
            conn.execute(_users.update().where(_users.c.username == username).values(office=offices.pop()))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("office")
