"""Typed SQLAlchemy models for RegDesk.

Every replicated row (colleges, desks, users, candidates, audit events) carries a stable
``uuid``, the ``origin_desk`` that created it and a ``revision`` bumped on every change, so
that desk -> college -> central merges are deterministic and idempotent.
"""

from __future__ import annotations

import datetime as dt
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


def utcnow() -> dt.datetime:
    """Naive UTC: SQLite keeps no zone, so we store UTC everywhere and convert on display."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Replicated:
    """Columns every replicated row carries."""

    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    origin_desk: Mapped[str] = mapped_column(String(36), default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
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
    __tablename__ = "desks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    college_id: Mapped[int] = mapped_column(ForeignKey("colleges.id"))
    name: Mapped[str] = mapped_column(String(100))
    # Secret used later to sign this desk's bundles; never shown in the UI.
    key: Mapped[str] = mapped_column(String(128))
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
    __table_args__ = (
        UniqueConstraint("student_no", name="uq_candidates_student_no"),
        UniqueConstraint("id_number", name="uq_candidates_id_number"),
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

    ``hash`` = SHA-256 over ``prev_hash`` and the canonical JSON of the event's fields, so
    removing or altering any event breaks the chain from that point on.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_uuid"),)
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
    """What the automatic comparison found for a candidate, with the source row it came from."""

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
