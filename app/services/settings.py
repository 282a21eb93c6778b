"""Settings the office changes (graduation year, waiver deadline, publicity dates), typed, with defaults.

Values are stored as JSON text in the ``settings`` table; an unset key reads as its default.
Every change is audited.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.domain import fields as f
from app.errors import ValidationError
from app.services.audit import AuditService
from app.services.context import Actor, require_role
from db.models import Setting, utcnow
from db.session import Database

SETTINGS_EDITORS = ("admin", "secretary")


def _year(value: object) -> int:
    text = f.clean_text(value).removesuffix("届").removesuffix("年")
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValidationError(f"毕业年份“{f.clean_text(value)}”无效，请写成 2027 这样的四位年份。", "graduation_year")
    return int(text)


def _date(key: str, label: str) -> Callable[[object], dt.date | None]:
    def parse(value: object) -> dt.date | None:
        if isinstance(value, str) and value.strip() == "":
            return None
        return f.parse_date(value, key, label)

    return parse


@dataclass(frozen=True)
class SettingDef:
    label: str
    default: Callable[[], object]
    parse: Callable[[object], object]


DEFINITIONS: dict[str, SettingDef] = {
    "graduation_year": SettingDef("毕业年份（本届）", lambda: dt.date.today().year, _year),
    "waiver_deadline": SettingDef("放弃报名撤回截止日期", lambda: None, _date("waiver_deadline", "放弃报名撤回截止日期")),
    "publicity_start": SettingDef("公示开始日期", lambda: None, _date("publicity_start", "公示开始日期")),
    "publicity_end": SettingDef("公示结束日期", lambda: None, _date("publicity_end", "公示结束日期")),
}
# Kept by the services themselves, never typed in by a user.
INTERNAL = {"review_last_run"}


def _to_json(value: object) -> str:
    if isinstance(value, dt.date):
        value = value.isoformat()
    return json.dumps(value, ensure_ascii=False)


def _definition(key: str) -> SettingDef:
    try:
        return DEFINITIONS[key]
    except KeyError:
        choices = "、".join(f"{k}（{d.label}）" for k, d in DEFINITIONS.items())
        raise ValidationError(f"未知的设置“{key}”。可用的设置：{choices}。", "key") from None


class SettingsService:
    def __init__(self, db: Database, audit: AuditService) -> None:
        self.db = db
        self.audit = audit

    @staticmethod
    def read(s: Session, key: str) -> object:
        """The typed value inside a caller's transaction (services share it)."""
        definition = _definition(key)
        row = s.get(Setting, key)
        if row is None or not row.value:
            return definition.default()
        return definition.parse(json.loads(row.value))

    def get(self, key: str) -> object:
        with self.db.read() as s:
            return self.read(s, key)

    def all(self) -> dict[str, object]:
        with self.db.read() as s:
            return {k: self.read(s, k) for k in DEFINITIONS}

    def set(self, actor: Actor, key: str, value: object) -> object:
        """Check and store ``value`` (None or "" returns the key to its default); returns the typed value."""
        require_role(actor, SETTINGS_EDITORS, "修改设置")
        definition = _definition(key)
        parsed = None if value is None or (isinstance(value, str) and not value.strip()) else definition.parse(value)
        with self.db.transaction() as s:
            before = self.read(s, key)
            row = s.get(Setting, key)
            if parsed is None:
                if row is not None:
                    s.delete(row)
            elif row is None:
                s.add(Setting(key=key, value=_to_json(parsed), updated_at=utcnow(), updated_by=actor.username))
            else:
                row.value, row.updated_at, row.updated_by = _to_json(parsed), utcnow(), actor.username
            s.flush()
            after = self.read(s, key)
            if before != after:
                shown = after.isoformat() if isinstance(after, dt.date) else after
                self.audit.record(s, actor.username, "setting.set", entity_type="setting", entity_uuid=key,
                                  summary=f"{definition.label}：{shown if shown is not None else '（未设置）'}",
                                  before={key: before}, after={key: after})
        return after

    @staticmethod
    def write_internal(s: Session, key: str, value: object) -> None:
        """A value a service keeps for itself (not audited here: the calling service audits its action)."""
        assert key in INTERNAL
        row = s.get(Setting, key)
        if row is None:
            s.add(Setting(key=key, value=_to_json(value), updated_at=utcnow(), updated_by=""))
        else:
            row.value, row.updated_at = _to_json(value), utcnow()

    @staticmethod
    def read_internal(s: Session, key: str) -> object:
        assert key in INTERNAL
        row = s.get(Setting, key)
        return json.loads(row.value) if row is not None and row.value else None
