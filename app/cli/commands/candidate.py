"""``regdesk-cli candidate``: find a candidate, show one, and change their fields."""

from __future__ import annotations

import argparse

from app.cli.context import CliContext
from app.cli.output import show_value, table
from app.cli.parser import Subparsers, command, group
from app.domain.candidate import FIELD_NAMES, LABELS, STATUS_LABELS
from app.errors import ValidationError
from app.roster.candidates import diff


def _field_key(name: str) -> str:
    """A candidate field given by key (``phone``) or by its Chinese label (``联系电话``)."""
    name = name.strip()
    by_label = {label: key for key, label in LABELS.items()}
    key = name if name in LABELS else by_label.get(name.replace(" ", ""), "")
    if key in FIELD_NAMES:
        return key
    if key == "college":
        raise ValidationError("二级学院由本机的设置决定，不能逐个修改。", "college")
    choices = "、".join(f"{k}（{LABELS[k]}）" for k in LABELS if k in FIELD_NAMES)
    raise ValidationError(f"未知字段“{name}”。可用的字段：{choices}。", "field")


def _detail_json(d) -> dict:
    return {"uuid": d.uuid, "revision": d.revision, "college": d.college_name, "status": d.status,
            "status_label": STATUS_LABELS.get(d.status, d.status), "serial_number": d.serial_number,
            "updated_at": d.updated_at, "data": d.data.as_dict(),
            "todos": [{"field": t.field, "message": t.message} for t in d.todos],
            "person_conflicts": [{"college_code": p.college_code, "college_name": p.college_name, "uuid": p.uuid,
                                  "student_no": p.student_no, "name": p.name, "id_number": p.id_number}
                                 for p in d.person_conflicts]}


def cmd_candidate_show(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    d = ctx.container.candidates.get(args.key)
    if ctx.json:
        ctx.out.emit({"ok": True, "candidate": _detail_json(d)})
        return 0
    data = d.data.as_dict()
    width = max(len(label) for label in LABELS.values())
    for key, label in LABELS.items():
        value = d.college_name if key == "college" else show_value(data.get(key))
        ctx.out.say(f"{label}{'　' * (width - len(label))}：{value}")
    ctx.out.say(f"{'状态'}{'　' * (width - 2)}：{STATUS_LABELS.get(d.status, d.status)}")
    if d.serial_number:
        ctx.out.say(f"{'报名序号'}{'　' * (width - 4)}：{d.serial_number}")
    for todo in d.todos:
        ctx.out.say(f"待补：{todo.message}")
    for p in d.person_conflicts:
        ctx.out.say(f"同一身份证号也在 {p.college_name}（{p.college_code}）的名单上：{p.name}，学号 {p.student_no or '无'}")
    return 0


def cmd_candidate_set(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    changes: dict[str, str] = {}
    for item in args.assignments:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValidationError(f"“{item}”的格式应为 字段=值，例如 phone=13800138000 或 联系电话=13800138000。",
                                  "field")
        changes[_field_key(name)] = value
    current = ctx.container.candidates.get(args.key)
    raw: dict[str, object] = dict(current.data.as_dict())
    raw.update(changes)
    if "id_number" in changes:
        # Birth date and gender follow a corrected ID number unless they are set too.
        for derived in ("birth_date", "gender"):
            if derived not in changes:
                raw[derived] = None
    updated = ctx.container.candidates.update(ctx.actor, current.uuid, raw, expected_revision=current.revision)
    before, after = diff(current.data, updated.data)
    if ctx.json:
        ctx.out.emit({"ok": True, "uuid": updated.uuid, "revision": updated.revision,
                      "changes": {k: {"before": before[k], "after": after[k]} for k in after}})
        return 0
    if not after:
        ctx.out.say(f"{updated.data.name}：没有变化。")
        return 0
    ctx.out.say(f"已修改 {updated.data.name}（学号 {updated.data.student_no or '无'}）：")
    for key in after:
        ctx.out.say(f"  {LABELS.get(key, key)}：{show_value(before[key]) or '（空）'} → {show_value(after[key]) or '（空）'}")
    return 0


def _row_json(r) -> dict:
    return {"uuid": r.uuid, "student_no": r.student_no, "id_number": r.id_number, "name": r.name,
            "gender": r.gender, "class_name": r.class_name, "counsellor": r.counsellor, "major": r.major,
            "category": r.category, "status": r.status, "status_label": r.status_label, "todos": list(r.todos)}


def cmd_candidate_find(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    found = ctx.container.candidates.find(args.text)
    if ctx.json:
        ctx.out.emit({"ok": True, "count": len(found), "candidates": [_row_json(r) for r in found]})
        return 0
    if not found:
        ctx.out.say(f"没有找到与“{args.text.strip()}”相符的考生。")
        return 0
    for line in table(["学号", "姓名", "性别", "身份证号", "班级", "考生类别", "状态"],
                      [[r.student_no or "-", r.name, r.gender, r.id_number, r.class_name, r.category,
                         r.status_label] for r in found]):
        ctx.out.say(line)
    ctx.out.say(f"共 {len(found)} 人。")
    return 0


def register(sub: Subparsers) -> None:
    csub = group(sub, "candidate", "查找、查看或修改考生")
    p = command(csub, "show", cmd_candidate_show, "显示考生信息（KEY：学号或身份证号）")
    p.add_argument("key", metavar="KEY")
    p = command(csub, "find", cmd_candidate_find,
                "查找考生：姓名或其拼音（全拼、首字母，如 zhangsan、zs）、学号、身份证号（或其中几位）、班级")
    p.add_argument("text", metavar="TEXT")
    p = command(csub, "set", cmd_candidate_set, "修改考生信息：字段=值（字段可用英文键或中文名）")
    p.add_argument("key", metavar="KEY")
    p.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")
