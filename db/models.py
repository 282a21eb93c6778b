"""Typed SQLAlchemy models for RegDesk.

Every replicated row (the classes with the ``Replicated`` mixin) carries a stable ``uuid``, the
``origin_desk`` that created it, a ``revision`` bumped on every change and the ``base_revision``
that change was based on, so that desk -> college -> central merges are deterministic and
idempotent and a concurrent edit is recognised as one. ``db.replication`` keeps these columns (no
service sets them by hand) and writes a ``Tombstone`` for every replicated row deleted.

Integer keys are local to one database. What a bundle carries refers to other rows by UUID: each
integer foreign key below names the UUID it stands for (``candidate_id`` -> ``candidates.uuid``
and so on), reachable by a join; ``BUNDLE_REFERENCES`` lists them for the bundle code.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuidlib

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_uuid() -> str:
    return str(uuidlib.uuid4())


# Namespace of the findings' derived UUIDs (uuid5 of a fixed name: never change it).
FINDING_NAMESPACE = uuidlib.uuid5(uuidlib.NAMESPACE_URL, "urn:regdesk:finding")


def finding_uuid(candidate_uuid: str, code: str, source: str, occurrence: int = 0) -> str:
    """The UUID of a finding: the same candidate, code and source row (JSON text, key order and
    spacing ignored) give the same UUID on every run and every desk. ``occurrence`` tells apart
    identical findings of one candidate (the second one is 1…), which the comparison rarely makes."""
    try:
        canonical = json.dumps(json.loads(source or "{}"), ensure_ascii=False, sort_keys=True,
                               separators=(",", ":"))
    except ValueError:
        canonical = source
    name = json.dumps([candidate_uuid, code, canonical] + ([occurrence] if occurrence else []), ensure_ascii=False)
    return str(uuidlib.uuid5(FINDING_NAMESPACE, name))


def utcnow() -> dt.datetime:
    """Naive UTC: SQLite keeps no zone, so we store UTC everywhere and convert on display."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Replicated:
    """Columns every replicated row carries.

    ``revision`` starts at 1 and goes up by one with every change; ``base_revision`` is the
    revision the current version was made from (0 for a new row), so a merge can tell an edit of
    the version it has from an edit of an older one. Both, ``updated_at`` and, on insert,
    ``origin_desk`` are kept by ``db.replication`` at flush. Columns named in a class's
    ``LOCAL_COLUMNS`` are this install's bookkeeping: changing only them is not a new version.
    """

    LOCAL_COLUMNS: frozenset[str] = frozenset()

    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    origin_desk: Mapped[str] = mapped_column(String(36), default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    base_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Meta(Base):
    """Key/value facts about this install (local desk, audit chain head)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class College(Replicated, Base):
    __tablename__ = "colleges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))

    desks: Mapped[list[Desk]] = relationship(back_populates="college")


class Desk(Replicated, Base):
    """A desk (one install at a table or in an office). A college's database holds the rows of
    all its desks; the local one is named by ``meta['local_desk_uuid']``, never "the first"."""

    __tablename__ = "desks"
    LOCAL_COLUMNS = frozenset({"audit_genesis_hash", "audit_genesis_at", "audit_count", "audit_head"})
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id"))
    name: Mapped[str] = mapped_column(String(100))
    # The desk's public keys (Ed25519 to verify what it signs, X25519 to encrypt to it) and their
    # fingerprint, filled in when key pairs arrive with the bundles; the private halves never live
    # in the database.
    sign_public_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    box_public_key: Mapped[str | None] = mapped_column(String(128), nullable=True)
    key_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # This desk's audit chain as this install last wrote it: the genesis (first event's hash and
    # time) and the running count and newest hash. One of the copies ``audit verify`` compares
    # (with the ``meta`` table and the anchor file); bookkeeping, so no revision bump.
    audit_genesis_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    audit_genesis_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    audit_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    audit_head: Mapped[str] = mapped_column(String(64), default="", server_default="")

    college: Mapped[College] = relationship(back_populates="desks")


class User(Replicated, Base):
    __tablename__ = "users"
    LOCAL_COLUMNS = frozenset({"last_login_at"})
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    # A reviewer's office ("conduct" 学生处 or "academic" 教务处, app.auth.REVIEWER_OFFICES); "" otherwise.
    office: Mapped[str] = mapped_column(String(16), default="", server_default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Candidate(Replicated, Base):
    __tablename__ = "candidates"
    # Unique per college: a central database holds every college, and one person on two colleges'
    # rosters is a person conflict to show (``CandidateService.person_conflicts``), not an error.
    # The number comes first in each index so that it also serves a lookup by the number alone
    # (one person across colleges) without a third index for every import to keep.
    __table_args__ = (
        UniqueConstraint("student_no", "college_id", name="uq_candidates_student_no_college"),
        UniqueConstraint("id_number", "college_id", name="uq_candidates_id_number_college"),
        Index("ix_candidates_class_name", "class_name"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id"))
    student_no: Mapped[str | None] = mapped_column(String(32), nullable=True)
    name: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str] = mapped_column(String(2))
    id_number: Mapped[str] = mapped_column(String(18))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    ethnicity: Mapped[str] = mapped_column(String(32), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    class_name: Mapped[str] = mapped_column(String(100), default="")
    counsellor: Mapped[str] = mapped_column(String(64), default="")
    major: Mapped[str] = mapped_column(String(100), default="")  # 专科 major
    intended_major: Mapped[str] = mapped_column(String(100), default="")  # 报考本科专业（类）
    category: Mapped[str] = mapped_column(String(32), default="普通考生")
    art_sports: Mapped[str] = mapped_column(String(8), default="")  # "" | 艺术 | 体育
    veteran_service_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    veteran_service_end: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    veteran_merits: Mapped[str] = mapped_column(Text, default="")
    award_level: Mapped[str] = mapped_column(String(32), default="")
    award_name: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="roster")
    serial_number: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    college: Mapped[College] = relationship()


class AuditEvent(Base):
    """Append-only, hash-chained record of every change.

    Each origin desk has its own chain: ``chain`` is that desk's UUID and ``chain_seq`` numbers its
    events from 1, so events received from other desks keep their own verifiable chains beside the
    local one. ``seq`` is only this database's order of insertion. ``hash`` = SHA-256 over
    ``prev_hash`` (the hash of the chain's previous event) and the event's fields, so removing or
    altering any event breaks its chain from that point on; ``hash_version`` says which fields
    (1: events written before chains per desk, without ``chain`` and ``chain_seq``; 2: with them).
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_uuid"),
                      Index("ix_audit_events_chain_seq", "chain", "chain_seq", unique=True))
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    origin_desk: Mapped[str] = mapped_column(String(36), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    desk_name: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(32), default="")
    entity_uuid: Mapped[str] = mapped_column(String(36), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[str] = mapped_column(Text, default="")  # canonical JSON or ""
    after: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    chain: Mapped[str] = mapped_column(String(36), default="", server_default="")
    chain_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    hash_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class AuditChain(Base):
    """How much of another desk's audit chain this database has received (count, newest hash, and
    the chain's first event): written with the events, so ``audit verify`` tells a received chain
    whose end was cut off. The local desk's chain has its own copies (``meta``, its desk row, the
    anchor file)."""

    __tablename__ = "audit_chains"
    chain: Mapped[str] = mapped_column(String(36), primary_key=True)
    genesis_hash: Mapped[str] = mapped_column(String(64))
    genesis_at: Mapped[dt.datetime] = mapped_column(DateTime)
    count: Mapped[int] = mapped_column(Integer)
    head: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Setting(Base):
    """Settings that the office changes (deadlines, publicity dates, later fees and the photo spec).

    ``value`` is JSON text; ``app`` owns the keys and their defaults.
    """

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64), default="")


class ReferenceList(Replicated, Base):
    """One imported 教务处 / 学生处 / major-mapping list, kept as imported."""

    __tablename__ = "reference_lists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # academic | conduct | majors
    file_name: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    imported_by: Mapped[str] = mapped_column(String(64), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ReferenceRecord(Replicated, Base):
    __tablename__ = "reference_records"
    __table_args__ = (
        Index("ix_reference_records_student_no", "kind", "student_no"),
        Index("ix_reference_records_id_number", "kind", "id_number"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("reference_lists.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    row_number: Mapped[int] = mapped_column(Integer)
    student_no: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(64), default="")
    id_number: Mapped[str] = mapped_column(String(18), default="")
    data: Mapped[str] = mapped_column(Text, default="")  # normalised fields, JSON


class Finding(Replicated, Base):
    """What the automatic comparison found for a candidate, with the source row it came from.

    Its ``uuid`` is derived from the candidate's UUID, the code and the source row
    (``app.review.service.finding_uuid``), so running the comparison again keeps it."""

    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    office: Mapped[str] = mapped_column(String(16))  # academic | conduct | college
    message: Mapped[str] = mapped_column(Text)
    list_id: Mapped[int | None] = mapped_column(ForeignKey("reference_lists.id"), nullable=True)
    source_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str] = mapped_column(Text, default="")  # the source row as shown, JSON


class ReviewDecision(Replicated, Base):
    """One office's opinion on one candidate (教务处, 学生处, the college)."""

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("candidate_id", "office", name="uq_reviews_candidate_office"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    office: Mapped[str] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(String(8))  # pass | fail
    opinion: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # What the decision was based on: the office's findings when it was made, JSON
    # [[code, message], …]. Whether it still stands is computed against the current findings.
    basis: Mapped[str] = mapped_column(Text, default="[]")


class ReviewRun(Replicated, Base):
    """One run of the comparison: the graduation year it used, its counts and its changes, JSON."""

    __tablename__ = "review_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor: Mapped[str] = mapped_column(String(64))
    graduation_year: Mapped[int] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(Text, default="")


class Waiver(Replicated, Base):
    """放弃报名考试资格: one per candidate; revoking keeps the row (audited)."""

    __tablename__ = "waivers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    waived_on: Mapped[dt.date] = mapped_column(Date)
    form_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    revoke_reason: Mapped[str] = mapped_column(Text, default="")


class Document(Replicated, Base):
    """A printed document: its ID and, per page, the rows on it and their digest (paper ≡ electronic)."""

    __tablename__ = "documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[str] = mapped_column(Text, default="")  # JSON: [{"page": 1, "keys": [...], "digest": "…"}]


class Capture(Replicated, Base):
    """One thing captured at the table: a photo, an ID-card side, chip data, a document, a fingerprint.

    The file lives in the content-addressed media folder under its SHA-256; the row holds the hash
    and the figures. A retake leaves the old row in place with ``active`` False (the history).
    """

    __tablename__ = "captures"
    __table_args__ = (Index("ix_captures_candidate_kind", "candidate_id", "kind", "subkind", "active"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # photo | id_front | id_back | id_chip | document | fingerprint
    subkind: Mapped[str] = mapped_column(String(32), default="")  # finger name, document kind
    sha256: Mapped[str] = mapped_column(String(64), default="")
    ext: Mapped[str] = mapped_column(String(8), default="")
    size_bytes: Mapped[int] = mapped_column(Integer, default=0)
    width: Mapped[int] = mapped_column(Integer, default=0)
    height: Mapped[int] = mapped_column(Integer, default=0)
    quality: Mapped[str] = mapped_column(Text, default="")  # JSON figures of the checks
    extra: Mapped[str] = mapped_column(Text, default="")  # JSON (chip data, corners…)
    device: Mapped[str] = mapped_column(String(100), default="")
    operator: Mapped[str] = mapped_column(String(64), default="")
    desk_name: Mapped[str] = mapped_column(String(100), default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    captured_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Tombstone(Base):
    """A replicated row that was deleted: which one (table name and UUID), the deleting desk, when
    and by whom. ``revision`` is the deletion's own version (the deleted row's revision + 1), so
    that a merge orders it against edits of the row like any other version; a row inserted again
    under the same UUID continues from it and removes the tombstone. Written by ``db.replication``."""

    __tablename__ = "tombstones"
    __table_args__ = (UniqueConstraint("entity_type", "uuid", name="uq_tombstones_entity_type"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(32))  # the table name: findings, candidates, …
    uuid: Mapped[str] = mapped_column(String(36))
    origin_desk: Mapped[str] = mapped_column(String(36), default="")  # the desk that deleted it
    revision: Mapped[int] = mapped_column(Integer)
    deleted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    deleted_by: Mapped[str] = mapped_column(String(64), default="")  # login, "" when not known


# What a bundle will use to refer across databases: for each replicated table, its integer
# foreign keys and the table whose ``uuid`` each one stands for. Integer ids never leave a database.
BUNDLE_REFERENCES: dict[str, dict[str, str]] = {
    "desks": {"college_id": "colleges"},
    "candidates": {"college_id": "colleges"},
    "reference_records": {"list_id": "reference_lists"},
    "findings": {"candidate_id": "candidates", "list_id": "reference_lists"},
    "reviews": {"candidate_id": "candidates"},
    "waivers": {"candidate_id": "candidates"},
    "captures": {"candidate_id": "candidates"},
}
