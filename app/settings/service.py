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

from app.audit.service import AuditService
from app.auth import Actor, require
from app.domain import fields as f
from app.domain.review import default_graduation_year
from app.errors import ValidationError
from db.models import Setting, utcnow
from db.session import Database


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


def _int(key: str, label: str, low: int, high: int) -> Callable[[object], int]:
    def parse(value: object) -> int:
        text = f.clean_text(value)
        try:
            number = int(text) if not isinstance(value, int) else value
        except ValueError:
            raise ValidationError(f"{label}“{text}”不是整数。", key) from None
        if not low <= number <= high:
            raise ValidationError(f"{label}应在 {low} 到 {high} 之间。", key)
        return number

    return parse


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = f.clean_text(value).lower()
    if text in ("1", "true", "yes", "on", "是", "开"):
        return True
    if text in ("0", "false", "no", "off", "否", "关"):
        return False
    raise ValidationError(f"“{text}”不是开关值，请写“是”或“否”。", "value")


def _name(key: str, label: str, optional: bool = False) -> Callable[[object], str]:
    def parse(value: object) -> str:
        text = f.clean_text(value)
        if optional and not text:
            return ""
        if not text or len(text) > 64:
            raise ValidationError(f"{label}不能为空，也不能超过 64 个字符。", key)
        return text

    return parse


FINGERS = ("right_thumb", "right_index", "right_middle", "right_ring", "right_little",
           "left_thumb", "left_index", "left_middle", "left_ring", "left_little")
FINGER_LABELS = {"right_thumb": "右手拇指", "right_index": "右手食指", "right_middle": "右手中指",
                 "right_ring": "右手无名指", "right_little": "右手小指", "left_thumb": "左手拇指",
                 "left_index": "左手食指", "left_middle": "左手中指", "left_ring": "左手无名指",
                 "left_little": "左手小指"}


def _fingers(value: object) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else f.clean_text(value).replace("，", ",").split(",")
    out = []
    by_label = {v: k for k, v in FINGER_LABELS.items()}
    for item in items:
        name = by_label.get(str(item).strip(), str(item).strip())
        if name not in FINGERS:
            raise ValidationError(f"未知的手指“{item}”，可选：{'、'.join(FINGER_LABELS.values())}。",
                                  "fingerprint_fingers")
        if name not in out:
            out.append(name)
    if not out:
        raise ValidationError("至少要采集一个手指。", "fingerprint_fingers")
    return out


def _photo_spec(value: object) -> dict:
    if not isinstance(value, dict):
        raise ValidationError("照片规格须为 JSON 对象。", "photo_spec")
    return dict(value)


@dataclass(frozen=True)
class SettingDef:
    label: str
    default: Callable[[], object]
    parse: Callable[[object], object]


DEFINITIONS: dict[str, SettingDef] = {
    # Unset, the season's graduates by today's date (from July on, next June's).
    "graduation_year": SettingDef("毕业年份（本届）", lambda: default_graduation_year(dt.date.today()), _year),
    "waiver_deadline": SettingDef("放弃报名撤回截止日期", lambda: None, _date("waiver_deadline", "放弃报名撤回截止日期")),
    "publicity_start": SettingDef("公示开始日期", lambda: None, _date("publicity_start", "公示开始日期")),
    "publicity_end": SettingDef("公示结束日期", lambda: None, _date("publicity_end", "公示结束日期")),
    # The capture station (issue 4). The photo spec is stored as given; app.photo.spec checks it.
    "photo_spec": SettingDef("照片规格", dict, _photo_spec),
    "photo_auto_capture": SettingDef("照片合格时自动拍摄", lambda: False, _bool),
    "camera_driver": SettingDef("摄像头驱动", lambda: "opencv", _name("camera_driver", "摄像头驱动")),
    "camera_index": SettingDef("摄像头编号", lambda: 0, _int("camera_index", "摄像头编号", 0, 16)),
    "fingerprint_driver": SettingDef("指纹采集器驱动", lambda: "libfprint",
                                     _name("fingerprint_driver", "指纹采集器驱动")),
    "fingerprint_fingers": SettingDef("采集哪些手指", lambda: ["right_index", "right_middle"], _fingers),
    "fingerprint_quality_threshold": SettingDef(
        "指纹质量合格线", lambda: 40, _int("fingerprint_quality_threshold", "指纹质量合格线", 0, 100)),
    "fingerprint_retries": SettingDef("指纹重试次数", lambda: 3, _int("fingerprint_retries", "指纹重试次数", 1, 10)),
    # No chip reader until one is configured: a desk must never read made-up cards by default.
    "idcard_driver": SettingDef("身份证阅读器驱动", lambda: "", _name("idcard_driver", "身份证阅读器驱动", True)),
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

    @staticmethod
    def is_set(s: Session, key: str) -> bool:
        """Whether ``key`` holds a value someone set (False: it reads as its default)."""
        _definition(key)
        row = s.get(Setting, key)
        return row is not None and bool(row.value)

    def get(self, key: str) -> object:
        with self.db.read() as s:
            return self.read(s, key)

    def all(self) -> dict[str, object]:
        with self.db.read() as s:
            return {k: self.read(s, k) for k in DEFINITIONS}

    def set(self, actor: Actor, key: str, value: object) -> object:
        """Check and store ``value`` (None or "" returns the key to its default); returns the typed value."""
        return self.set_many(actor, {key: value})[key]

    def set_many(self, actor: Actor, values: dict[str, object]) -> dict[str, object]:
        """Several settings at once: every value is checked before any is stored, then all are
        stored in one transaction (each change audited). Returns key -> the typed value."""
        require(actor, "settings.edit")
        parsed: dict[str, object] = {}
        for key, value in values.items():
            definition = _definition(key)
            empty = value is None or (isinstance(value, str) and not value.strip())
            parsed[key] = None if empty else definition.parse(value)
        out: dict[str, object] = {}
        with self.db.transaction() as s:
            for key, new in parsed.items():
                definition = _definition(key)
                before = self.read(s, key)
                row = s.get(Setting, key)
                stored_before = row.value if row is not None else None
                stored_after = _to_json(new) if new is not None else None
                if new is None:
                    if row is not None:
                        s.delete(row)
                elif row is None:
                    s.add(Setting(key=key, value=stored_after, updated_at=utcnow(), updated_by=actor.username))
                elif row.value != stored_after:
                    row.value, row.updated_at, row.updated_by = stored_after, utcnow(), actor.username
                s.flush()
                after = self.read(s, key)
                # What is stored decides, not only what reads: pinning the default's value (2027 in
                # December) stores a row that every later season reads, and is audited like a change.
                if stored_before != stored_after:
                    shown = after.isoformat() if isinstance(after, dt.date) else after
                    # "default": no stored value any more, the key reads as its default (which may
                    # change with the date); ``verify --deep`` expects no row then.
                    self.audit.record(s, actor.username, "setting.set", entity_type="setting", entity_uuid=key,
                                      summary=f"{definition.label}：{shown if shown is not None else '（未设置）'}",
                                      before={key: before},
                                      after={key: after, "default": True} if new is None else {key: after})
                out[key] = after
        return out

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
