"""The audit trail's genesis and running count, kept in more than one place.

The local desk's row gets the genesis (first event's hash and time) and the running count and
newest hash; the ``meta`` table gets ``audit_genesis``; the anchor file beside the database gets
both. An existing trail is taken as it stands at the upgrade (it cannot be checked further back
than that); a set-up install whose trail is still empty (one made before the trail existed) is
marked so that ``audit verify`` says its trail began after the set-up instead of calling it emptied.
``audit_payloads_from`` in ``meta`` is the first event written with every value the deep check
replays; older events may lack some, which the check then reports as unverifiable.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

from db.audit_anchor import anchor_content, anchor_path, write_anchor

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.Text))
_events = sa.table("audit_events", sa.column("seq", sa.Integer), sa.column("hash", sa.String),
                   sa.column("at", sa.DateTime))
_desks = sa.table("desks", sa.column("uuid", sa.String), sa.column("created_at", sa.DateTime),
                  sa.column("audit_genesis_hash", sa.String), sa.column("audit_genesis_at", sa.DateTime),
                  sa.column("audit_count", sa.Integer), sa.column("audit_head", sa.String))


def upgrade() -> None:
    op.add_column("desks", sa.Column("audit_genesis_hash", sa.String(64), nullable=False, server_default=""))
    op.add_column("desks", sa.Column("audit_genesis_at", sa.DateTime, nullable=True))
    op.add_column("desks", sa.Column("audit_count", sa.Integer, nullable=False, server_default="0"))
    op.add_column("desks", sa.Column("audit_head", sa.String(64), nullable=False, server_default=""))

    bind = op.get_bind()
    meta = dict(bind.execute(sa.select(_meta.c.key, _meta.c.value)).all())
    desk = meta.get("local_desk_uuid", "")
    first = bind.execute(sa.select(_events.c.seq, _events.c.hash, _events.c.at)
                         .order_by(_events.c.seq).limit(1)).first()
    if first is None:
        if desk:
            op.bulk_insert(_meta, [{"key": "audit_started_after_setup",
                                    "value": json.dumps({"upgraded_at": dt.datetime.now(dt.UTC)
                                                         .replace(tzinfo=None).isoformat()})}])
        return
    if "audit_head" in meta and ":" in meta["audit_head"]:
        seq_s, head = meta["audit_head"].split(":", 1)
        count = int(seq_s)
    else:
        count, head = bind.execute(sa.select(_events.c.seq, _events.c.hash)
                                   .order_by(_events.c.seq.desc()).limit(1)).one()
    at = first.at.isoformat(timespec="microseconds")
    last = bind.execute(sa.select(sa.func.max(_events.c.seq))).scalar()
    # Events up to here were written before some events carried every value ``verify --deep``
    # replays (a password digest, a reset setting's "default"): it treats what they lack as unknown.
    op.bulk_insert(_meta, [{"key": "audit_genesis", "value": json.dumps({"hash": first.hash, "at": at})},
                           {"key": "audit_payloads_from", "value": str(last + 1)}])
    if desk:
        bind.execute(_desks.update().where(_desks.c.uuid == desk).values(
            audit_genesis_hash=first.hash, audit_genesis_at=first.at, audit_count=count, audit_head=head))
    path = anchor_path(bind.engine.url.database) if bind.dialect.name == "sqlite" else None
    if path is not None and path.parent.is_dir() and not path.exists():
        write_anchor(path, anchor_content(desk, first.hash, at, count, head))


def downgrade() -> None:
    op.execute(_meta.delete().where(_meta.c.key.in_(("audit_genesis", "audit_started_after_setup",
                                                      "audit_payloads_from"))))
    with op.batch_alter_table("desks") as batch:
        batch.drop_column("audit_head")
        batch.drop_column("audit_count")
        batch.drop_column("audit_genesis_at")
        batch.drop_column("audit_genesis_hash")
