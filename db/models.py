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

    college: Mapped[College] = relationship(back_populates="desks")


class User(Replicated, Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Candidate(Replicated, Base):
    __tablename__ = "candidates"
    __table_args__ = (
        UniqueConstraint("student_no", name="uq_candidates_student_no"),
        UniqueConstraint("id_number", name="uq_candidates_id_number"),
        Index("ix_candidates_name", "name"),
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
