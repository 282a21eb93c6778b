"""Many colleges in one database, versions that a merge can order, tombstones, no fake desk key.

- 学号 and 身份证号 are unique per college (``(student_no, college_id)``, ``(id_number, college_id)``)
  instead of in the whole database: a central database holds every college, and one person on two
  colleges' rosters is a person conflict to show.
- Every replicated table gets ``base_revision``, the revision its current version was made from;
  existing rows were each made locally from the one before (``revision - 1``).
- ``tombstones``: the replicated rows deleted (table, UUID, deleting desk, revision, when, by whom).
- Findings get their derived UUIDs (``db.models.finding_uuid``: candidate, code, source row), the
  ones the next comparison would give them, so it keeps them instead of replacing them all once.
- ``desks.key``, a random secret that nothing used, gives way to nullable public-key columns that
  the bundles fill; the secret is dropped.

Rebuilding ``candidates`` (SQLite batch mode) drops the old table: ``db/migrations/env.py`` turns
foreign keys off for the migration so that SQLite does not first cascade that to the candidates'
findings, decisions, waivers and captures.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

import secrets

import sqlalchemy as sa
from alembic import op

from db.models import finding_uuid

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REPLICATED = ("colleges", "desks", "users", "candidates", "reference_lists", "reference_records", "findings",
              "reviews", "review_runs", "waivers", "documents", "captures")

_findings = sa.table("findings", sa.column("id", sa.Integer), sa.column("candidate_id", sa.Integer),
                     sa.column("code", sa.String), sa.column("source", sa.Text), sa.column("uuid", sa.String))
_candidates = sa.table("candidates", sa.column("id", sa.Integer), sa.column("uuid", sa.String))


def _base_revision() -> sa.Column:
    return sa.Column("base_revision", sa.Integer, nullable=False, server_default="0")


def upgrade() -> None:
    with op.batch_alter_table("candidates") as batch:
        batch.drop_constraint("uq_candidates_student_no", type_="unique")
        batch.drop_constraint("uq_candidates_id_number", type_="unique")
        batch.create_unique_constraint("uq_candidates_student_no_college", ["student_no", "college_id"])
        batch.create_unique_constraint("uq_candidates_id_number_college", ["id_number", "college_id"])
        batch.add_column(_base_revision())
    with op.batch_alter_table("desks") as batch:
        batch.drop_column("key")
        batch.add_column(sa.Column("sign_public_key", sa.String(128), nullable=True))
        batch.add_column(sa.Column("box_public_key", sa.String(128), nullable=True))
        batch.add_column(sa.Column("key_fingerprint", sa.String(64), nullable=True))
        batch.add_column(_base_revision())
    for table in REPLICATED:
        if table not in ("candidates", "desks"):
            op.add_column(table, _base_revision())
        op.execute(sa.text(f"UPDATE {table} SET base_revision = revision - 1 WHERE revision > 0"))
    op.create_table(
        "tombstones",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("entity_type", sa.String(32), nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("origin_desk", sa.String(36), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("deleted_at", sa.DateTime, nullable=False),
        sa.Column("deleted_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tombstones"),
        sa.UniqueConstraint("entity_type", "uuid", name="uq_tombstones_entity_type"),
    )

    bind = op.get_bind()
    rows = bind.execute(sa.select(_findings.c.id, _candidates.c.uuid, _findings.c.code, _findings.c.source)
                        .join(_candidates, _candidates.c.id == _findings.c.candidate_id)
                        .order_by(_findings.c.id)).all()
    seen: dict[tuple, int] = {}
    updates = []
    for fid, cand_uuid, code, source in rows:
        key = (cand_uuid, code, source)
        n = seen.get(key, 0)
        seen[key] = n + 1
        updates.append({"b_id": fid, "uuid": finding_uuid(cand_uuid, code, source or "", n)})
    if updates:
        # Two steps, so that no derived UUID meets a random one it replaces under the unique index.
        bind.execute(_findings.update().values(uuid=sa.literal("~") + sa.cast(_findings.c.id, sa.String)))
        bind.execute(_findings.update().where(_findings.c.id == sa.bindparam("b_id"))
                     .values(uuid=sa.bindparam("uuid")), updates)


def downgrade() -> None:
    op.drop_table("tombstones")
    for table in REPLICATED:
        if table not in ("candidates", "desks"):
            with op.batch_alter_table(table) as batch:
                batch.drop_column("base_revision")
    with op.batch_alter_table("desks") as batch:
        batch.drop_column("base_revision")
        batch.drop_column("key_fingerprint")
        batch.drop_column("box_public_key")
        batch.drop_column("sign_public_key")
        batch.add_column(sa.Column("key", sa.String(128), nullable=False, server_default=""))
    desks = sa.table("desks", sa.column("id", sa.Integer), sa.column("key", sa.String))
    bind = op.get_bind()
    for (desk_id,) in bind.execute(sa.select(desks.c.id)).all():
        bind.execute(desks.update().where(desks.c.id == desk_id).values(key=secrets.token_hex(32)))
    # Fails, as it should, where one number is on two colleges' rosters: the old schema cannot hold it.
    with op.batch_alter_table("candidates") as batch:
        batch.drop_column("base_revision")
        batch.drop_constraint("uq_candidates_id_number_college", type_="unique")
        batch.drop_constraint("uq_candidates_student_no_college", type_="unique")
        batch.create_unique_constraint("uq_candidates_student_no", ["student_no"])
        batch.create_unique_constraint("uq_candidates_id_number", ["id_number"])
