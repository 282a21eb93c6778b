"""Which college a service works on: the one named, or this desk's (``meta`` -> ``desks.college_id``).

A database may hold several colleges (a central office's) and the rows of several desks, so no
service takes "the first college" or "the first desk"."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import NotFoundError
from db.models import College, Desk
from db.replication import local_desk


def desk_college(s: Session, code: str | None = None) -> College:
    """The college with ``code``, else the local desk's college."""
    if code:
        college = s.scalar(select(College).where(College.code == code.strip()))
        if college is None:
            raise NotFoundError(f"没有代码为“{code}”的学院。")
        return college
    desk = local_desk(s)
    college = s.scalar(select(College).join(Desk, Desk.college_id == College.id).where(Desk.uuid == desk)) \
        if desk else None
    if college is None:
        raise NotFoundError("尚未设置学院，请先完成初始设置。")
    return college


def desk_college_or_none(s: Session) -> College | None:
    """The local desk's college, None before set-up."""
    try:
        return desk_college(s)
    except NotFoundError:
        return None
