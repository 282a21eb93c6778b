"""What a review decision was based on, and the review runs with their changes.

``reviews.basis`` holds the office's findings (``[[code, message], …]``) when the decision was
made, so that a new finding after a pass and a fail whose finding has gone are computed rather
than guessed. ``review_runs`` keeps each comparison's graduation year, counts and changes, so
they can be shown again.

Existing decisions get the findings their office has now (from the last comparison) as their
basis: what the reviewer saw is not recorded anywhere, the last comparison is the best evidence
of it, and this way upgrading changes no candidate's status. Only a later comparison whose
findings differ reopens a pass or marks a fail as no longer founded.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("basis", sa.Text, nullable=False, server_default="[]"))
    conn = op.get_bind()
    findings: dict[tuple[int, str], list[list[str]]] = {}
    for cid, office, code, message in conn.execute(sa.text(
            "SELECT candidate_id, office, code, message FROM findings ORDER BY id")):
        findings.setdefault((cid, office), []).append([code, message])
    updates = [{"b_id": rid, "basis": json.dumps(findings[(cid, office)], ensure_ascii=False)}
               for rid, cid, office in conn.execute(sa.text("SELECT id, candidate_id, office FROM reviews"))
               if (cid, office) in findings]
    if updates:
        conn.execute(sa.text("UPDATE reviews SET basis = :basis WHERE id = :b_id"), updates)
    op.create_table(
        "review_runs",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("graduation_year", sa.Integer, nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("origin_desk", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_review_runs"),
        sa.UniqueConstraint("uuid", name="uq_review_runs_uuid"),
    )


def downgrade() -> None:
    op.drop_table("review_runs")
    with op.batch_alter_table("reviews") as batch:
        batch.drop_column("basis")
