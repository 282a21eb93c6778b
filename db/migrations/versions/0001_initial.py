"""Colleges, desks, users, candidates and the install's meta table.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _replicated() -> list[sa.Column]:
    return [
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("origin_desk", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_meta"),
    )
    op.create_table(
        "colleges",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        *_replicated(),
        sa.PrimaryKeyConstraint("id", name="pk_colleges"),
        sa.UniqueConstraint("code", name="uq_colleges_code"),
        sa.UniqueConstraint("uuid", name="uq_colleges_uuid"),
    )
    op.create_table(
        "desks",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("college_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        *_replicated(),
        sa.ForeignKeyConstraint(["college_id"], ["colleges.id"], name="fk_desks_college_id_colleges"),
        sa.PrimaryKeyConstraint("id", name="pk_desks"),
        sa.UniqueConstraint("uuid", name="uq_desks_uuid"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("last_login_at", sa.DateTime, nullable=True),
        *_replicated(),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
        sa.UniqueConstraint("uuid", name="uq_users_uuid"),
    )
    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("college_id", sa.Integer, nullable=False),
        sa.Column("student_no", sa.String(32), nullable=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("gender", sa.String(2), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("ethnicity", sa.String(32), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("class_name", sa.String(100), nullable=False),
        sa.Column("counsellor", sa.String(64), nullable=False),
        sa.Column("major", sa.String(100), nullable=False),
        sa.Column("intended_major", sa.String(100), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("art_sports", sa.String(8), nullable=False),
        sa.Column("veteran_service_start", sa.Date, nullable=True),
        sa.Column("veteran_service_end", sa.Date, nullable=True),
        sa.Column("veteran_merits", sa.Text, nullable=False),
        sa.Column("award_level", sa.String(32), nullable=False),
        sa.Column("award_name", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("serial_number", sa.String(32), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        *_replicated(),
        sa.ForeignKeyConstraint(["college_id"], ["colleges.id"], name="fk_candidates_college_id_colleges"),
        sa.PrimaryKeyConstraint("id", name="pk_candidates"),
        sa.UniqueConstraint("student_no", name="uq_candidates_student_no"),
        sa.UniqueConstraint("id_number", name="uq_candidates_id_number"),
        sa.UniqueConstraint("uuid", name="uq_candidates_uuid"),
    )
    op.create_index("ix_candidates_name", "candidates", ["name"])
    op.create_index("ix_candidates_class_name", "candidates", ["class_name"])


def downgrade() -> None:
    op.drop_index("ix_candidates_class_name", "candidates")
    op.drop_index("ix_candidates_name", "candidates")
    for table in ("candidates", "users", "desks", "colleges", "meta"):
        op.drop_table(table)
