"""One audit chain per origin desk.

``audit_events`` gets ``chain`` (the origin desk's UUID), ``chain_seq`` (the event's number in its
chain, from 1) and ``hash_version``; ``audit_chains`` records how much of other desks' chains this
database has received. The existing trail becomes the local desk's chain exactly as it is:
``chain_seq`` = ``seq`` (a gap stays a gap, so evidence of a deletion survives the upgrade) and
``hash_version`` 1, the formula its hashes were computed with, so every existing event still
verifies. New events are hashed by version 2, which also covers the chain and its number.

The append-only triggers are lifted only for the ``UPDATE`` that fills the new columns, inside the
migration's transaction, and put back.

Downgrading keeps the events that a later upgrade must verify: a trail that holds only this
desk's chain is folded back into one chain, and the first event hashed by version 2 is written to
``meta`` (``audit_hash_v2_from``) so that upgrading again marks the events as they were hashed. A
database holding other desks' chains is not downgraded (they cannot be kept in one chain).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

V2_FROM_KEY = "audit_hash_v2_from"
_meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
_events = sa.table("audit_events", sa.column("seq", sa.Integer), sa.column("chain", sa.String),
                   sa.column("chain_seq", sa.Integer), sa.column("hash_version", sa.Integer))
_SQLITE_TRIGGERS = {
    "audit_events_no_update": "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
                              "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
    "audit_events_no_delete": "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
                              "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END",
}


def _lift_append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER USER")


def _restore_append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for sql in _SQLITE_TRIGGERS.values():
            op.execute(sql)
    elif op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER USER")


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("chain", sa.String(36), nullable=False, server_default=""))
    op.add_column("audit_events", sa.Column("chain_seq", sa.Integer, nullable=False, server_default="0"))
    op.add_column("audit_events", sa.Column("hash_version", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "audit_chains",
        sa.Column("chain", sa.String(36), nullable=False),
        sa.Column("genesis_hash", sa.String(64), nullable=False),
        sa.Column("genesis_at", sa.DateTime, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("head", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("chain", name="pk_audit_chains"),
    )
    bind = op.get_bind()
    meta = dict(bind.execute(sa.select(_meta.c.key, _meta.c.value)).all())
    if bind.execute(sa.select(sa.func.count()).select_from(_events)).scalar():
        _lift_append_only()
        bind.execute(_events.update().values(chain=meta.get("local_desk_uuid", ""), chain_seq=_events.c.seq))
        v2_from = meta.get(V2_FROM_KEY, "")
        if v2_from.isdigit():
            bind.execute(_events.update().where(_events.c.seq >= int(v2_from)).values(hash_version=2))
        _restore_append_only()
    op.execute(_meta.delete().where(_meta.c.key == V2_FROM_KEY))
    op.create_index("ix_audit_events_chain_seq", "audit_events", ["chain", "chain_seq"], unique=True)


def downgrade() -> None:
    bind = op.get_bind()
    local = bind.execute(sa.select(_meta.c.value).where(_meta.c.key == "local_desk_uuid")).scalar() or ""
    foreign = bind.execute(sa.select(sa.func.count()).select_from(_events).where(
        sa.or_(_events.c.chain != local, _events.c.chain_seq != _events.c.seq))).scalar()
    if foreign:
        raise RuntimeError("audit_events holds other desks' chains: they cannot be folded into one chain")
    v2_from = bind.execute(sa.select(sa.func.min(_events.c.seq)).where(_events.c.hash_version == 2)).scalar()
    if v2_from is not None:
        op.bulk_insert(_meta, [{"key": V2_FROM_KEY, "value": str(v2_from)}])
    op.drop_index("ix_audit_events_chain_seq", "audit_events")
    op.drop_table("audit_chains")
    _lift_append_only()
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("hash_version")
        batch.drop_column("chain_seq")
        batch.drop_column("chain")
    _restore_append_only()
