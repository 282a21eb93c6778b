"""Reference lists, review findings and decisions, waivers, printed documents, settings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _replicated(table: str) -> list:
    return [
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("origin_desk", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("uuid", name=f"uq_{table}_uuid"),
    ]


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_settings"),
    )
    op.create_table(
        "reference_lists",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("imported_by", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        *_replicated("reference_lists"),
        sa.PrimaryKeyConstraint("id", name="pk_reference_lists"),
    )
    op.create_table(
        "reference_records",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("list_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("student_no", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        *_replicated("reference_records"),
        sa.ForeignKeyConstraint(["list_id"], ["reference_lists.id"], ondelete="CASCADE",
                                name="fk_reference_records_list_id_reference_lists"),
        sa.PrimaryKeyConstraint("id", name="pk_reference_records"),
    )
    op.create_index("ix_reference_records_student_no", "reference_records", ["kind", "student_no"])
    op.create_index("ix_reference_records_id_number", "reference_records", ["kind", "id_number"])
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("candidate_id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("office", sa.String(16), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("list_id", sa.Integer, nullable=True),
        sa.Column("source_row", sa.Integer, nullable=True),
        sa.Column("source", sa.Text, nullable=False),
        *_replicated("findings"),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE",
                                name="fk_findings_candidate_id_candidates"),
        sa.ForeignKeyConstraint(["list_id"], ["reference_lists.id"], name="fk_findings_list_id_reference_lists"),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
    )
    op.create_index("ix_findings_candidate_id", "findings", ["candidate_id"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("candidate_id", sa.Integer, nullable=False),
        sa.Column("office", sa.String(16), nullable=False),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("opinion", sa.Text, nullable=False),
        sa.Column("reviewer", sa.String(64), nullable=False),
        sa.Column("decided_at", sa.DateTime, nullable=False),
        *_replicated("reviews"),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE",
                                name="fk_reviews_candidate_id_candidates"),
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.UniqueConstraint("candidate_id", "office", name="uq_reviews_candidate_office"),
    )
    op.create_table(
        "waivers",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("candidate_id", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("waived_on", sa.Date, nullable=False),
        sa.Column("form_signed", sa.Boolean, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("revoked_at", sa.DateTime, nullable=True),
        sa.Column("revoke_reason", sa.Text, nullable=False),
        *_replicated("waivers"),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE",
                                name="fk_waivers_candidate_id_candidates"),
        sa.PrimaryKeyConstraint("id", name="pk_waivers"),
        sa.UniqueConstraint("candidate_id", name="uq_waivers_candidate_id"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("form", sa.String(32), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("pages", sa.Text, nullable=False),
        *_replicated("documents"),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
    )


def downgrade() -> None:
    for table in ("documents", "waivers", "reviews"):
        op.drop_table(table)
    op.drop_index("ix_findings_candidate_id", "findings")
    op.drop_table("findings")
    op.drop_index("ix_reference_records_id_number", "reference_records")
    op.drop_index("ix_reference_records_student_no", "reference_records")
    op.drop_table("reference_records")
    op.drop_table("reference_lists")
    op.drop_table("settings")
