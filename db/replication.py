"""The one place that keeps the replication columns (``db.models.Replicated``) and writes tombstones.

Through the ORM nothing is done by hand: ``install`` hooks ``before_flush`` on a session factory
(``Database`` does it for every session it makes), and at each flush

- a new replicated row gets ``origin_desk`` (this install's desk, from ``meta``) unless it has one,
  revision 1 and base revision 0 — or, when its UUID was deleted before, continues from the
  tombstone's revision and removes the tombstone;
- a changed replicated row gets ``base_revision = revision``, ``revision + 1`` and ``updated_at``
  (once per flush; a change only to the class's ``LOCAL_COLUMNS`` is not a new version, and a
  caller that sets ``revision`` itself — a merge taking another desk's version — is left alone);
- a deleted replicated row leaves a ``Tombstone``.

Bulk statements bypass the ORM, so the services that write in bulk take their values from here:
``insert_values`` for inserted rows, ``bump_values`` for updates, ``write_tombstones`` for deletes.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Table, event, select
from sqlalchemy.orm import Session, attributes

from db.models import Meta, Replicated, Tombstone, utcnow

LOCAL_DESK_KEY = "local_desk_uuid"  # meta: this install's own desk (written at set-up)
_DESK = "regdesk_local_desk"  # session.info: the local desk's UUID once read
ACTOR = "regdesk_actor"  # session.info: the login deleting rows, for the tombstones (optional)
_REPLICATION_COLUMNS = frozenset({"revision", "base_revision", "updated_at", "origin_desk", "created_at"})


def install(factory) -> None:
    """Keep the replication columns of every session ``factory`` (a sessionmaker) makes."""
    event.listen(factory, "before_flush", _before_flush)


def set_local_desk(session: Session, desk_uuid: str) -> None:
    """The origin desk for this session's new rows (set-up, before ``meta`` names the desk)."""
    session.info[_DESK] = desk_uuid


def local_desk(session: Session) -> str:
    """This install's desk UUID (``meta``), "" before set-up."""
    desk = session.info.get(_DESK)
    if desk:
        return desk
    # Through the connection, not the session: no autoflush from inside a flush.
    desk = session.connection().execute(select(Meta.value).where(Meta.key == LOCAL_DESK_KEY)).scalar() or ""
    if desk:
        session.info[_DESK] = desk
    return desk


def insert_values(session: Session) -> dict[str, object]:
    """The replication columns of a new row inserted in bulk (add a ``uuid`` per row)."""
    return new_row_values(local_desk(session))


def new_row_values(origin_desk: str) -> dict[str, object]:
    """``insert_values`` for rows prepared before the writing session (``local_desk`` read earlier)."""
    now = utcnow()
    return {"origin_desk": origin_desk, "revision": 1, "base_revision": 0, "created_at": now, "updated_at": now}


def bump_values(table: Table) -> dict[str, object]:
    """``.values(**bump_values(t))`` on a bulk UPDATE makes each updated row a new version.

    SQL evaluates every right-hand side against the row before the update, so ``base_revision``
    gets the old revision."""
    return {"revision": table.c.revision + 1, "base_revision": table.c.revision, "updated_at": utcnow()}


def write_tombstones(session: Session, entity_type: str, rows: Iterable[tuple[str, int]],
                     deleted_by: str = "") -> int:
    """Tombstones for rows of ``entity_type`` (a table name) deleted in bulk: (uuid, revision) each."""
    desk, now = local_desk(session), utcnow()
    table = Tombstone.__table__
    values = [{"entity_type": entity_type, "uuid": uuid, "origin_desk": desk, "revision": revision + 1,
               "deleted_at": now, "deleted_by": deleted_by} for uuid, revision in rows]
    if not values:
        return 0
    # A UUID deleted, inserted again and deleted again keeps one tombstone, the newest.
    conn = session.connection()  # not session.execute: this also runs inside a flush
    uuids = [v["uuid"] for v in values]
    for start in range(0, len(uuids), 500):
        conn.execute(table.delete().where(table.c.entity_type == entity_type,
                                          table.c.uuid.in_(uuids[start:start + 500])))
    conn.execute(table.insert(), values)
    return len(values)


def take_tombstones(session: Session, entity_type: str, uuids: Iterable[str]) -> dict[str, int]:
    """Remove the tombstones of rows about to be inserted again under their old UUIDs; returns
    uuid -> the tombstone's revision, from which the new version continues."""
    table = Tombstone.__table__
    wanted = list(uuids)
    conn = session.connection()
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        where = (table.c.entity_type == entity_type, table.c.uuid.in_(chunk))
        hits = {u: r for u, r in conn.execute(select(table.c.uuid, table.c.revision).where(*where))}
        if hits:
            conn.execute(table.delete().where(*where))
            found.update(hits)
    return found


def _changed(obj: Replicated) -> bool:
    state = attributes.instance_state(obj)
    local = type(obj).LOCAL_COLUMNS
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in _REPLICATION_COLUMNS or key in local:
            continue
        if state.attrs[key].history.has_changes():
            return True
    return False


def _before_flush(session: Session, _context, _instances) -> None:
    new = [o for o in session.new if isinstance(o, Replicated)]
    if new:
        desk = None
        by_uuid: dict[str, list[Replicated]] = {}
        for obj in new:
            if not obj.origin_desk:
                desk = local_desk(session) if desk is None else desk
                obj.origin_desk = desk
            if obj.revision is None:
                obj.revision = 1
            if obj.base_revision is None:
                obj.base_revision = 0
            if obj.uuid:  # given, so perhaps deleted before; a new UUID cannot have a tombstone
                by_uuid.setdefault(type(obj).__tablename__, []).append(obj)
        for entity_type, objs in by_uuid.items():
            previous = take_tombstones(session, entity_type, [o.uuid for o in objs])
            for obj in objs:
                if obj.uuid in previous:
                    obj.base_revision, obj.revision = previous[obj.uuid], previous[obj.uuid] + 1
    now = None
    for obj in session.dirty:
        if not isinstance(obj, Replicated) or obj in session.deleted:
            continue
        if attributes.instance_state(obj).attrs["revision"].history.has_changes():
            continue  # the caller set the version (a merge); bumping it again would invent one
        if _changed(obj):
            now = now or utcnow()
            obj.base_revision, obj.revision, obj.updated_at = obj.revision, obj.revision + 1, now
    deleted = [o for o in session.deleted if isinstance(o, Replicated)]
    if deleted:
        actor = session.info.get(ACTOR, "")
        by_type: dict[str, list[tuple[str, int]]] = {}
        for obj in deleted:
            by_type.setdefault(type(obj).__tablename__, []).append((obj.uuid, obj.revision))
        for entity_type, rows in by_type.items():
            write_tombstones(session, entity_type, rows, actor)
