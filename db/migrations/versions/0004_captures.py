"""Captures at the confirmation table: photos, ID card, chip data, documents, fingerprints.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "captures",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("candidate_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subkind", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("ext", sa.String(8), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("quality", sa.Text, nullable=False),
        sa.Column("extra", sa.Text, nullable=False),
        sa.Column("device", sa.String(100), nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("desk_name", sa.String(100), nullable=False),
        sa.Column("override_reason", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("captured_at", sa.DateTime, nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("origin_desk", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE",
                                name="fk_captures_candidate_id_candidates"),
        sa.PrimaryKeyConstraint("id", name="pk_captures"),
        sa.UniqueConstraint("uuid", name="uq_captures_uuid"),
    )
    op.create_index("ix_captures_candidate_kind", "captures", ["candidate_id", "kind", "subkind", "active"])


def downgrade() -> None:
    op.drop_index("ix_captures_candidate_kind", "captures")
    op.drop_table("captures")
