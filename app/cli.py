"""``regdesk-cli``: the batch side of RegDesk, over the same services the GUI calls (DESIGN §7).

Exit status: 0 success, 1 an error the user can act on (its Chinese message on stderr, or an
unexpected error with the log file's path), 2 a usage error. With ``--json`` stdout carries exactly
one JSON object and nothing else; progress goes to stderr, and only when stderr is a terminal.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import getpass
import io
import json
import logging
import os
import sys
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import ArgumentError

from app import __version__, cli_documents, cli_fingerprint, cli_photo, outfile
from app.auth import REVIEWER_OFFICES, ROLES
from app.container import Container
from app.domain.candidate import FIELD_NAMES, LABELS, STATUS_LABELS
from app.errors import AppError, NotFoundError, ValidationError
from app.paths import default_data_dir, demo_data_dir
from app.services.audit import ACTION_LABELS, AuditEntry, AuditService
from app.services.candidates import diff
from app.services.demo import DEMO_ADMIN, DEMO_PASSWORD
from app.services.demo_folder import LEGACY, check_demo_folder
from app.tasks import CancelToken, waiting_message
from db.session import report_waits

LOG_FILE = "regdesk-cli.log"
NOT_INITIALISED = ("尚未初始化，请先运行 regdesk-cli init --college-code 学院代码 --college-name 学院名称"
                   "（或运行 regdesk-cli demo 生成演示学院）。")

log = logging.getLogger("regdesk.cli")


class CliError(AppError):
    """An actionable error with extra facts for the ``--json`` error object."""

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.details = details


# -- output ----------------------------------------------------------------------------------
def _utf8_streams() -> None:
    """Chinese must survive a C/POSIX locale, a cp936 console or a pipe with no encoding set."""
    for stream in (sys.stdout, sys.stderr):
        if not isinstance(stream, io.TextIOWrapper):
            continue
        try:
            if codecs.lookup(stream.encoding or "ascii").name != "utf-8" or stream.errors == "strict":
                stream.reconfigure(encoding="utf-8", errors="replace")
        except (LookupError, ValueError, io.UnsupportedOperation):
            pass


def _json_default(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _emit_json(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=_json_default) + "\n")
    sys.stdout.flush()


def _say(text: str = "") -> None:
    print(text)


class _Progress:
    """A one-line counter on stderr, redrawn at most ten times a second; silent off a terminal."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int, total: int, message: str) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        count = f" {done}/{total}" if total else f" {done}"
        sys.stderr.write(f"\r{message}{count}\033[K")
        sys.stderr.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            sys.stderr.flush()
            self._drawn = False


class _WaitNotice:
    """While a write waits for another writer (an import in the GUI, another command), say so on
    stderr once and then every ten seconds, so the command does not seem to hang."""

    def __init__(self) -> None:
        self._next = 1.0

    def __call__(self, waited: float) -> None:
        if waited >= self._next:
            print(waiting_message(waited), file=sys.stderr, flush=True)
            self._next = waited + 10.0


def _local(at: dt.datetime) -> str:
    """Audit times are stored as naive UTC; people read local time."""
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S")


# -- context ---------------------------------------------------------------------------------
@dataclass
class _Ctx:
    c: Container
    json: bool

    def require_install(self) -> None:
        if self.c.setup.info() is None:
            raise AppError(NOT_INITIALISED)

    def roster(self):
        # Imported here: only the roster commands pay for the spreadsheet libraries.
        svc = getattr(self.c, "roster", None)
        if svc is None:
            from app.services.roster import RosterService

            svc = RosterService(self.c.db, self.c.audit)
        return svc


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


def _read_password(prompt: str, given: str | None, option: str) -> str:
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise ValidationError(f"未提供密码：请用 {option} 指定，或在终端中运行以便输入密码。", "password")
    first = getpass.getpass(prompt)
    second = getpass.getpass("再输入一次：")
    if first != second:
        raise ValidationError("两次输入的密码不一致。", "password")
    return first


# -- commands --------------------------------------------------------------------------------
def cmd_init(ctx: _Ctx, args: argparse.Namespace) -> int:
    password = None
    if args.admin:
        password = _read_password(f"管理员 {args.admin} 的密码：", args.admin_password, "--admin-password")
    info = ctx.c.setup.initialise(args.college_code, args.college_name, args.desk,
                                  admin_username=args.admin, admin_name=args.admin_name or "",
                                  admin_password=password or "", role=args.role,
                                  actor=ctx.c.actor.username)
    if ctx.json:
        _emit_json({"ok": True, "college_code": info.college_code, "college_name": info.college_name,
                    "desk_name": info.desk_name, "desk_uuid": info.desk_uuid, "role": info.role,
                    "admin": args.admin, "data_dir": ctx.c.data_dir})
    else:
        _say(f"已设置学院 {info.college_code} {info.college_name}，报名点“{info.desk_name}”。")
        if args.admin:
            _say(f"已新建管理员 {args.admin}。")
    return 0


def cmd_demo(ctx: _Ctx, args: argparse.Namespace) -> int:
    progress = _Progress()
    cancel = CancelToken()
    try:
        if args.force and ctx.c.setup.info() is not None:
            result = ctx.c.demo.create(ctx.c.actor, args.candidates, args.seed, force=True,
                                       progress=progress, cancel=cancel)
        else:
            result = ctx.c.demo.setup_demo_install(ctx.c.actor, args.candidates, args.seed,
                                                   samples=not args.no_samples,
                                                   adopt=getattr(args, "demo_folder", "") == LEGACY,
                                                   progress=progress, cancel=cancel)
    finally:
        progress.finish()
    existing = ctx.c.candidates.count()
    if ctx.json:
        _emit_json({"ok": True, "data_dir": ctx.c.data_dir if not args.db else None,
                    "created": result.created, "classes": result.classes,
                    "counsellors": result.counsellors, "users_created": list(result.users_created),
                    "initialised": result.initialised, "candidates": existing,
                    "samples": list(result.samples), "samples_folder": result.samples_folder,
                    "reviewed": result.reviewed, "with_findings": result.with_findings})
        return 0
    info = ctx.c.setup.info()
    if not args.data and not args.db:
        _say(f"演示数据文件夹：{ctx.c.data_dir}（其他命令请加 --data {ctx.c.data_dir}）")
    if result.initialised and info is not None:
        _say(f"已初始化演示学院 {info.college_code} {info.college_name}（报名点“{info.desk_name}”），"
             f"管理员 {DEMO_ADMIN}，密码 {DEMO_PASSWORD}。")
    if result.users_created:
        _say(f"已新建演示用户：{'、'.join(result.users_created)}（密码均为 {DEMO_PASSWORD}）。")
    if result.created:
        _say(f"已生成演示数据：{result.created} 名考生，{result.classes} 个班级，{result.counsellors} 名辅导员。")
    else:
        _say(f"名单中已有 {existing} 名考生，未重复生成演示数据（如需追加，请加 --force）。")
    if result.samples:
        where = f"（文件在 {result.samples_folder}）" if result.samples_folder else ""
        labels = {"academic": "教务处学籍名单", "conduct": "学生处处分名单", "majors": "专业对照表"}
        _say(f"已导入样例核对名单：{'、'.join(labels[k] for k in result.samples)}{where}。")
    if result.reviewed:
        _say(f"已运行资格审查比对：{result.with_findings} 名考生有问题（regdesk-cli review list 查看）。")
    return 0


def _parse_maps(items: list[str] | None) -> dict[str, str]:
    from app.services.roster import FIELD_CHOICES, SKIP_WORDS

    by_label = {label: key for key, label in FIELD_CHOICES.items()}
    overrides: dict[str, str] = {}
    for item in items or ():
        header, sep, target = item.rpartition("=")
        header, target = header.strip(), target.strip()
        if not sep or not header or not target:
            raise ValidationError(f"--map “{item}” 的格式应为 表头=字段，例如 --map 证件号=id_number。", "map")
        key = target if target in FIELD_CHOICES or target.lower() in SKIP_WORDS else by_label.get(target, "")
        if not key:
            raise ValidationError(f"--map “{item}” 中的字段“{target}”不存在。可用的字段：{_field_list()}；"
                                  "不导入某一列写 --map 表头=-。",
                                  "map")
        overrides[header] = key
    return overrides


def _field_list() -> str:
    from app.services.roster import FIELD_CHOICES

    return "、".join(f"{key}（{label}）" for key, label in FIELD_CHOICES.items())


def _mapping_needed(exc, path: Path) -> CliError:
    from app.services.roster import FIELD_CHOICES

    mapping = exc.mapping
    columns = [f"{_column_letter(i)} 列“{h}”" for i, h in enumerate(mapping.headers) if h]
    missing = [f"{FIELD_CHOICES.get(k, LABELS.get(k, k))}（{k}）" for k in mapping.missing_required]
    # Pair the unrecognised headers with the missing fields: often right, and the form is clear.
    unknown = [h for h in mapping.unknown_headers if h] or ["表头文字"]
    example = " ".join(f"--map {h}={k}" for h, k in zip(unknown, mapping.missing_required or ["id_number"],
                                                         strict=False))
    lines = [
        exc.message,
        f"文件：{path}（工作表“{mapping.sheet}”，表头在第 {mapping.header_row} 行）",
        f"文件中的表头：{'、'.join(columns) or '（无）'}",
        f"未能对应的必填项：{'、'.join(missing) or '（无）'}",
        f"请用 --map 指定表头对应的字段，例如：{example}",
        f"可用的字段：{_field_list()}",
    ]
    return CliError("\n".join(lines), kind="mapping_needed", sheet=mapping.sheet,
                    header_row=mapping.header_row, headers=mapping.headers,
                    missing_required=mapping.missing_required, unknown_headers=mapping.unknown_headers,
                    fields=dict(FIELD_CHOICES))


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def _problem_json(p) -> dict:
    return {"row": p.row, "column": p.column, "header": p.header, "field": p.field, "message": p.message,
            "text": p.text()}


def cmd_roster_import(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.services.roster import MappingNeeded

    path = Path(args.file)
    if not path.is_file():
        raise NotFoundError(f"找不到文件：{path}")
    if args.report:
        outfile.check_target(Path(args.report))  # before the import, not after it
    roster = ctx.roster()
    overrides = _parse_maps(args.map)
    progress = _Progress()
    cancel = CancelToken()
    try:
        try:
            preview = roster.preview(path, overrides, sheet=args.sheet, progress=progress, cancel=cancel)
        except MappingNeeded as exc:
            raise _mapping_needed(exc, path) from None
        finally:
            progress.finish()
        report = None
        if args.report and preview.rejected:
            report = roster.save_rejected(preview, Path(args.report))
        result = None
        if not args.dry_run:
            result = roster.commit(ctx.c.actor, preview, progress=progress, cancel=cancel)
    finally:
        progress.finish()

    counts = preview.counts
    if ctx.json:
        _emit_json({
            "ok": True,
            "file": str(path),
            "sheet": preview.mapping.sheet,
            "header_row": preview.mapping.header_row,
            "columns": {preview.mapping.headers[i] if i < len(preview.mapping.headers) else str(i): key
                        for i, key in sorted(preview.mapping.fields.items())},
            "unknown_headers": preview.mapping.unknown_headers,
            "dry_run": bool(args.dry_run),
            "counts": counts,
            "todos": [{"row": r.row, "student_no": r.data.student_no, "id_number": r.data.id_number,
                       "fields": list(r.todos)} for r in preview.rows if r.todos and r.data is not None],
            "warnings": preview.warnings,
            "rejected": [{"row": r.row, "problems": [_problem_json(p) for p in r.problems]}
                         for r in preview.rejected],
            "changed": [{"row": r.row, "uuid": r.match_uuid,
                         "changes": {k: {"before": old, "after": new} for k, (old, new) in r.changes.items()}}
                        for r in preview.rows if r.kind == "changed"],
            "result": None if result is None else {"created": result.created, "updated": result.updated,
                                                   "unchanged": result.unchanged,
                                                   "rejected": result.rejected},
            "report": str(report) if report else None,
        })
        return 0

    _say(f"文件：{path}（工作表“{preview.mapping.sheet}”，表头在第 {preview.mapping.header_row} 行）")
    _say(f"新增 {counts.get('new', 0)}，变更 {counts.get('changed', 0)}，"
         f"未变 {counts.get('unchanged', 0)}，有误 {counts.get('rejected', 0)}")
    for warning in preview.warnings:
        _say(f"注意：{warning}")
    changed = [r for r in preview.rows if r.kind == "changed"]
    if changed:
        _say("将更新的考生：")
        for row in changed:
            who = row.data.name if row.data else ""
            what = "；".join(f"{LABELS.get(k, k)}：{_show_value(old) or '（空）'} → {_show_value(new) or '（空）'}"
                            for k, (old, new) in row.changes.items())
            _say(f"  第 {row.row} 行 {who}：{what}")
    if preview.rejected:
        _say("有误的行：")
        for row in preview.rejected:
            for p in row.problems:
                _say(f"  {p.text()}")
    if args.report:
        if report:
            _say(f"有误的行已保存到：{report}（改正后可重新导入）")
        else:
            _say("没有有误的行，未生成报告。")
    if result is None:
        _say("试运行：未写入任何数据。")
    else:
        tail = f"；{result.rejected} 行有误，未导入" if result.rejected else ""
        _say(f"已导入：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}{tail}。")
    return 0


def cmd_roster_export(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    out = Path(args.out)
    progress = _Progress()
    try:
        written = ctx.roster().export(ctx.c.actor, out, progress=progress, cancel=CancelToken())
    finally:
        progress.finish()
    if ctx.json:
        _emit_json({"ok": True, "file": str(out), "rows": written})
    else:
        _say(f"已导出 {written} 名考生到 {out}。")
    return 0


def cmd_roster_template(ctx: _Ctx, args: argparse.Namespace) -> int:
    out = ctx.roster().write_template(Path(args.out))
    if ctx.json:
        _emit_json({"ok": True, "file": str(out)})
    else:
        _say(f"已生成导入模板：{out}")
    return 0


def _detail_json(d) -> dict:
    return {"uuid": d.uuid, "revision": d.revision, "college": d.college_name, "status": d.status,
            "status_label": STATUS_LABELS.get(d.status, d.status), "serial_number": d.serial_number,
            "updated_at": d.updated_at, "data": d.data.as_dict(),
            "todos": [{"field": t.field, "message": t.message} for t in d.todos]}


def _show_value(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def cmd_candidate_show(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    d = ctx.c.candidates.get(args.key)
    if ctx.json:
        _emit_json({"ok": True, "candidate": _detail_json(d)})
        return 0
    data = d.data.as_dict()
    width = max(len(label) for label in LABELS.values())
    for key, label in LABELS.items():
        value = d.college_name if key == "college" else _show_value(data.get(key))
        _say(f"{label}{'　' * (width - len(label))}：{value}")
    _say(f"{'状态'}{'　' * (width - 2)}：{STATUS_LABELS.get(d.status, d.status)}")
    if d.serial_number:
        _say(f"{'报名序号'}{'　' * (width - 4)}：{d.serial_number}")
    for todo in d.todos:
        _say(f"待补：{todo.message}")
    return 0


def cmd_candidate_set(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    changes: dict[str, str] = {}
    for item in args.assignments:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValidationError(f"“{item}”的格式应为 字段=值，例如 phone=13800138000 或 联系电话=13800138000。",
                                  "field")
        changes[_field_key(name)] = value
    current = ctx.c.candidates.get(args.key)
    raw: dict[str, object] = dict(current.data.as_dict())
    raw.update(changes)
    if "id_number" in changes:
        # Birth date and gender follow a corrected ID number unless they are set too.
        for derived in ("birth_date", "gender"):
            if derived not in changes:
                raw[derived] = None
    updated = ctx.c.candidates.update(ctx.c.actor, current.uuid, raw, expected_revision=current.revision)
    before, after = diff(current.data, updated.data)
    if ctx.json:
        _emit_json({"ok": True, "uuid": updated.uuid, "revision": updated.revision,
                    "changes": {k: {"before": before[k], "after": after[k]} for k in after}})
        return 0
    if not after:
        _say(f"{updated.data.name}：没有变化。")
        return 0
    _say(f"已修改 {updated.data.name}（学号 {updated.data.student_no or '无'}）：")
    for key in after:
        _say(f"  {LABELS.get(key, key)}：{_show_value(before[key]) or '（空）'} → {_show_value(after[key]) or '（空）'}")
    return 0


def _row_json(r) -> dict:
    return {"uuid": r.uuid, "student_no": r.student_no, "id_number": r.id_number, "name": r.name,
            "gender": r.gender, "class_name": r.class_name, "counsellor": r.counsellor, "major": r.major,
            "category": r.category, "status": r.status, "status_label": r.status_label, "todos": list(r.todos)}


def _text_width(text: str) -> int:
    """Columns a terminal gives ``text``: two for each wide (Chinese) character."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(_text_width(v) for v in column) for column in zip(headers, *rows, strict=True)]
    return ["  ".join(v + " " * (w - _text_width(v)) for v, w in zip(line, widths, strict=True)).rstrip()
            for line in (headers, *rows)]


def cmd_candidate_find(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    found = ctx.c.candidates.find(args.text)
    if ctx.json:
        _emit_json({"ok": True, "count": len(found), "candidates": [_row_json(r) for r in found]})
        return 0
    if not found:
        _say(f"没有找到与“{args.text.strip()}”相符的考生。")
        return 0
    for line in _table(["学号", "姓名", "性别", "身份证号", "班级", "考生类别", "状态"],
                       [[r.student_no or "-", r.name, r.gender, r.id_number, r.class_name, r.category,
                         r.status_label] for r in found]):
        _say(line)
    _say(f"共 {len(found)} 人。")
    return 0


def cmd_audit_verify(ctx: _Ctx, args: argparse.Namespace) -> int:
    progress = _Progress()
    try:
        check = ctx.c.audit_log.verify(deep=args.deep, progress=progress, cancel=CancelToken())
    finally:
        progress.finish()
    if ctx.json:
        _emit_json(check.as_json())
        return 0 if check.ok else 1
    if check.ok:
        _say(f"审计记录完整：共 {check.count} 条，未发现删除或改动。")
        if check.count:
            _say(f"最后一条（第 {check.count} 条）的哈希：{check.head}")
        if args.deep:
            _say("逐条核对：数据库中的数据与审计记录一致。")
    else:
        if check.problems:
            print(f"错误：审计记录被删除或改动（共 {check.count} 条，发现 {len(check.problems)} 处问题）：",
                  file=sys.stderr)
            for problem in check.problems:
                print(f"  {problem}", file=sys.stderr)
        else:
            print(f"审计记录本身完整：共 {check.count} 条。", file=sys.stderr)
        if check.differences:
            print(f"错误：数据库中有 {len(check.differences)} 处数据与审计记录不符（没有记录的修改）：", file=sys.stderr)
            for difference in check.differences:
                print(f"  {difference.message}", file=sys.stderr)
    for note in check.notes:
        print(f"说明：{note}", file=sys.stdout if check.ok else sys.stderr)
    return 0 if check.ok else 1


def _entry_json(e: AuditEntry) -> dict:
    return {"seq": e.seq, "at": e.at.replace(tzinfo=dt.UTC).isoformat(), "actor": e.actor,
            "desk_name": e.desk_name, "action": e.action, "action_label": ACTION_LABELS.get(e.action, e.action),
            "entity_type": e.entity_type, "entity_uuid": e.entity_uuid, "summary": e.summary,
            "before": e.before, "after": e.after}


def cmd_audit_list(ctx: _Ctx, args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise ValidationError("--limit 至少为 1。", "limit")
    if args.candidate:
        ctx.require_install()
        entries = ctx.c.candidates.history(args.candidate)[: args.limit]
    else:
        with ctx.c.db.read() as s:
            entries = AuditService.entries(s, limit=args.limit)
    if ctx.json:
        _emit_json({"ok": True, "count": len(entries), "events": [_entry_json(e) for e in entries]})
        return 0
    if not entries:
        _say("没有审计记录。")
    for e in entries:
        desk = f" @{e.desk_name}" if e.desk_name else ""
        _say(f"#{e.seq}  {_local(e.at)}  {e.actor}{desk}  {ACTION_LABELS.get(e.action, e.action)}  {e.summary}")
    return 0


def cmd_user_add(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    password = _read_password(f"用户 {args.username} 的密码：", args.password, "--password")
    user = ctx.c.setup.create_user(ctx.c.actor, args.username, args.name, args.role, password, args.office or "")
    if ctx.json:
        _emit_json({"ok": True, "username": user.username, "display_name": user.display_name,
                    "role": user.role, "role_label": ROLES[user.role], "office": user.office})
    else:
        _say(f"已新建用户 {user.username}（{user.display_name}，{user.role_label}）。")
    return 0


def cmd_user_set(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    user = ctx.c.setup.set_office(ctx.c.actor, args.username, args.office)
    if ctx.json:
        _emit_json({"ok": True, "username": user.username, "role": user.role, "office": user.office})
    else:
        _say(f"用户 {user.username}（{user.display_name}）现在是{user.role_label}。")
    return 0


def cmd_user_list(ctx: _Ctx, args: argparse.Namespace) -> int:
    users = ctx.c.setup.list_users()
    if ctx.json:
        _emit_json({"ok": True, "users": [{"username": u.username, "display_name": u.display_name,
                                           "role": u.role, "role_label": ROLES.get(u.role, u.role),
                                           "office": u.office, "active": u.active} for u in users]})
        return 0
    if not users:
        _say("还没有用户。")
    for u in users:
        state = "" if u.active else "（已停用）"
        _say(f"{u.username}  {u.display_name}  {u.role_label}{state}")
    return 0


# -- reference lists, review, waivers -----------------------------------------------------------
def _reference_maps(items: list[str] | None) -> dict[str, str]:
    """``--map 表头=字段`` pairs; the field is checked by the reference service for the list's kind."""
    overrides: dict[str, str] = {}
    for item in items or ():
        header, sep, target = item.rpartition("=")
        if not sep or not header.strip() or not target.strip():
            raise ValidationError(f"--map “{item}” 的格式应为 表头=字段，例如 --map 违纪情况=action。", "map")
        overrides[header.strip()] = target.strip()
    return overrides


def cmd_reference_import(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.services.reference import FIELDS, KINDS, ReferenceMappingNeeded
    from app.services.reference import LABELS as REF_LABELS

    path = Path(args.file)
    if not path.is_file():
        raise NotFoundError(f"找不到文件：{path}")
    progress = _Progress()
    cancel = CancelToken()
    try:
        try:
            preview = ctx.c.reference.preview(args.kind, path, _reference_maps(args.map), sheet=args.sheet,
                                              progress=progress, cancel=cancel)
        except ReferenceMappingNeeded as exc:
            m = exc.mapping
            fields = {k: REF_LABELS[k] for k in FIELDS[args.kind]}
            lines = [exc.message,
                     f"文件中的表头：{'、'.join(f'{_column_letter(i)} 列“{h}”' for i, h in enumerate(m.headers) if h)}",
                     "可用的字段：" + "、".join(f"{k}（{v}）" for k, v in fields.items())]
            raise CliError("\n".join(lines), kind="mapping_needed", sheet=m.sheet, header_row=m.header_row,
                           headers=m.headers, missing_required=m.missing_required,
                           unknown_headers=m.unknown_headers, fields=fields) from None
        result = None if args.dry_run else ctx.c.reference.commit(ctx.c.actor, preview, progress=progress,
                                                                   cancel=cancel)
    finally:
        progress.finish()
    problems = preview.problems
    if ctx.json:
        _emit_json({"ok": True, "kind": args.kind, "file": str(path), "sheet": preview.mapping.sheet,
                    "header_row": preview.mapping.header_row,
                    "columns": {preview.mapping.headers[i]: key for i, key in preview.mapping.fields.items()},
                    "unknown_headers": preview.mapping.unknown_headers, "rows": len(preview.rows),
                    "rows_with_problems": sum(1 for r in preview.rows if r.problems),
                    "problems": [_problem_json(p) for p in problems], "warnings": preview.warnings,
                    "dry_run": bool(args.dry_run),
                    "result": None if result is None else {"list_uuid": result.list_uuid, "rows": result.rows,
                                                           "replaced": result.replaced}})
        return 0
    _say(f"{KINDS[args.kind]}：{path}（工作表“{preview.mapping.sheet}”，表头在第 {preview.mapping.header_row} 行），"
         f"共 {len(preview.rows)} 行")
    for warning in preview.warnings:
        _say(f"注意：{warning}")
    if problems:
        _say("有问题的行（仍会保存，审查时请留意）：")
        for p in problems:
            _say(f"  {p.text()}")
    if result is None:
        _say("试运行：未写入任何数据。")
    else:
        _say(f"已导入{KINDS[args.kind]}，共 {result.rows} 行" + ("，替换了之前的名单。" if result.replaced else "。"))
    return 0


def _change_json(c) -> dict:
    return {"uuid": c.uuid, "student_no": c.student_no, "name": c.name, "new": c.new, "resolved": c.resolved,
            "status_before": c.status_before or None, "status_after": c.status_after or None,
            "decisions": [{"office": d.office, "decision": d.decision, "standing": d.standing, "reason": d.reason,
                           "text": d.text} for d in c.decisions]}


def _run_json(result) -> dict:
    return {"ok": True, "run_at": result.run_at.replace(tzinfo=dt.UTC).isoformat() if result.run_at else None,
            "actor": result.actor or None, "graduation_year": result.graduation_year,
            "graduation_year_source": "default" if result.graduation_year_default else "setting",
            "candidates": result.candidates, "with_findings": result.with_findings,
            "counts": result.counts, "first_run": result.first_run, "warnings": result.warnings,
            "reopened": result.reopened, "needs_review": result.needs_review,
            "changes": [_change_json(c) for c in result.changes]}


def _say_run(result) -> None:
    from app.domain.candidate import STATUS_LABELS
    from app.domain.review import FINDINGS

    _say(f"毕业年份：{result.year_text}")
    _say(f"已比对 {result.candidates} 名考生，{result.with_findings} 名有问题。")
    for code, n in sorted(result.counts.items(), key=lambda kv: list(FINDINGS).index(kv[0])
                          if kv[0] in FINDINGS else len(FINDINGS)):
        _say(f"  {FINDINGS.get(code, ('', code))[1]}：{n}")
    for warning in result.warnings:
        _say(f"注意：{warning}")
    if result.reopened:
        _say(f"注意：{result.reopened} 名考生的审核意见因比对结果变化不再成立，已退回待审核，需重新审核。")
    if result.needs_review:
        _say(f"共 {result.needs_review} 名考生有需重新审核的意见（review list --needs-review）。")
    if not result.first_run or result.changes:
        what = "与上次比对相比" if not result.first_run else "本次比对"
        _say(f"{what}，{len(result.changes)} 名考生有变化" + ("：" if result.changes else "。"))
    for c in result.changes:
        moved = ""
        if c.status_after and c.status_after != c.status_before:
            moved = (f"（状态 {STATUS_LABELS.get(c.status_before, c.status_before)} → "
                     f"{STATUS_LABELS.get(c.status_after, c.status_after)}）")
        _say(f"  {c.student_no} {c.name}{moved}")
        for m in c.new:
            _say(f"    新增：{m}")
        for m in c.resolved:
            _say(f"    已消除：{m}")
        for d in c.decisions:
            _say(f"    审核意见：{d.text}")


def cmd_review_run(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    progress = _Progress()
    try:
        result = ctx.c.review.run(ctx.c.actor, progress=progress, cancel=CancelToken())
    finally:
        progress.finish()
    if ctx.json:
        _emit_json(_run_json(result))
        return 0
    _say_run(result)
    return 0


def cmd_review_changes(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    result = ctx.c.review.last_run()
    if result is None:
        raise CliError("还没有运行过资格审查比对（review run）。")
    if ctx.json:
        _emit_json(_run_json(result))
        return 0
    if result.run_at:
        _say(f"上次比对：{_local(result.run_at)}，由 {result.actor} 运行。")
    _say_run(result)
    return 0


def _review_json(r) -> dict:
    return {"uuid": r.uuid, "student_no": r.student_no, "name": r.name, "class_name": r.class_name,
            "major": r.major, "intended_major": r.intended_major, "status": r.status,
            "status_label": r.status_label, "reason": r.reason, "needs_review": r.needs_review,
            "findings": [{"code": f.code, "label": f.label, "office": f.office, "message": f.message,
                          "list_id": f.list_id, "source_row": f.source_row, "source": f.source}
                         for f in r.findings],
            "decisions": {o: {"decision": d.decision, "opinion": d.opinion, "reviewer": d.reviewer,
                              "reviewer_name": d.reviewer_label,
                              "decided_at": d.decided_at.replace(tzinfo=dt.UTC).isoformat(),
                              "standing": d.standing, "standing_label": d.standing_label or None,
                              "standing_reason": d.standing_reason or None,
                              "basis": [m for _c, m in d.basis]}
                          for o, d in r.decisions.items()},
            "waiver": None if r.waiver is None else {"reason": r.waiver.reason, "date": r.waiver.waived_on,
                                                     "active": r.waiver.active,
                                                     "form_signed": r.waiver.form_signed}}


def cmd_review_decide(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.domain.review import OFFICES

    row = ctx.c.review.decide(ctx.c.actor, args.key, args.office, bool(args.passed), args.opinion or "")
    if ctx.json:
        _emit_json({"ok": True, "candidate": _review_json(row)})
        return 0
    verdict = "通过" if args.passed else "不通过"
    _say(f"{row.name}（学号 {row.student_no or '无'}）：{OFFICES[args.office]}审核{verdict}；"
         f"当前状态：{row.status_label}" + (f"（{row.reason}）" if row.status == "ineligible" else "") + "。")
    return 0


def cmd_review_list(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.domain.review import OFFICES

    rows = ctx.c.review.list(finding=args.finding, status=args.status, needs_review=args.needs_review)
    if ctx.json:
        _emit_json({"ok": True, "count": len(rows), "candidates": [_review_json(r) for r in rows]})
        return 0
    if not rows:
        _say("没有符合条件的考生。")
    for r in rows:
        tail = f"（{r.reason}）" if r.status == "ineligible" and r.reason else ""
        mark = "  【需重新审核】" if r.needs_review else ""
        _say(f"{r.student_no or '-'}  {r.name}  {r.class_name}  {r.status_label}{tail}{mark}")
        for f in r.findings:
            _say(f"    ! {f.message}" + (f"（来源第 {f.source_row} 行）" if f.source_row else ""))
        for office, d in r.decisions.items():
            verdict = "通过" if d.decision == "pass" else "不通过"
            _say(f"    {OFFICES.get(office, office)}：{verdict}" + (f"，{d.opinion}" if d.opinion else "")
                 + f"（{d.reviewer_label}，{_local(d.decided_at)}）"
                 + (f"  【{d.standing_label}：{d.standing_reason}】" if not d.stands else ""))
    return 0


def cmd_waiver_add(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.domain import fields as f

    date = f.parse_date(args.date, "date", "放弃日期") if args.date else None
    w = ctx.c.waivers.add(ctx.c.actor, args.key, args.reason, date)
    row = ctx.c.review.get(args.key)
    if ctx.json:
        _emit_json({"ok": True, "uuid": row.uuid, "student_no": row.student_no, "name": row.name,
                    "status": row.status, "reason": w.reason, "date": w.waived_on})
    else:
        _say(f"已登记 {row.name}（学号 {row.student_no or '无'}）放弃报名考试资格（{w.waived_on.isoformat()}）。"
             "请打印附件1 由学生签字。")
    return 0


def cmd_waiver_revoke(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    status = ctx.c.waivers.revoke(ctx.c.actor, args.key, args.reason)
    row = ctx.c.review.get(args.key)
    if ctx.json:
        _emit_json({"ok": True, "uuid": row.uuid, "student_no": row.student_no, "name": row.name,
                    "status": status})
    else:
        _say(f"已撤回 {row.name} 的放弃报名，当前状态：{row.status_label}。")
    return 0


def cmd_review_approve(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.domain.review import OFFICES

    progress = _Progress()
    try:
        result = ctx.c.review.approve_clean(ctx.c.actor, args.office, progress=progress, cancel=CancelToken())
    finally:
        progress.finish()
    if ctx.json:
        _emit_json({"ok": True, "office": result.office, "approved": result.approved,
                    "candidates": result.candidates, "skipped_with_findings": result.skipped_with_findings,
                    "skipped_decided": result.skipped_decided, "needs_review": result.needs_review,
                    "skipped_waived": result.skipped_waived, "skipped_later": result.skipped_later,
                    "offices": {o: {"approved": n.approved, "skipped_with_findings": n.skipped_with_findings,
                                    "skipped_decided": n.skipped_decided, "needs_review": n.needs_review}
                                for o, n in result.offices.items()}})
        return 0
    who = "教务处、学生处、二级学院" if args.office == "all" else OFFICES.get(args.office, args.office)
    _say(f"已为 {result.candidates} 名没有比对问题的考生记录“{who}”审核通过（共 {result.approved} 条意见）。")
    for o, n in result.offices.items():
        # Skipped, not failed: every count says so.
        parts = [f"通过 {n.approved} 名"]
        if n.skipped_with_findings:
            parts.append(f"因有比对问题跳过 {n.skipped_with_findings} 名")
        if n.skipped_decided:
            parts.append(f"已有本部门意见、保持不变 {n.skipped_decided} 名")
        if n.needs_review:
            parts.append(f"意见需重新审核、跳过 {n.needs_review} 名")
        _say(f"  {OFFICES.get(o, o)}：" + "；".join(parts) + "。")
    if result.skipped_with_findings:
        _say(f"因有比对问题跳过的 {result.skipped_with_findings} 名考生没有记录任何意见（不是“不通过”），"
             "请逐个审核（review list --finding …）。")
    if result.needs_review:
        _say(f"注意：{result.needs_review} 名考生的审核意见已不成立（出现新问题或依据已消除），已跳过，"
             "请逐个重新审核（review list --needs-review）。")
    if result.skipped_waived:
        _say(f"已放弃报名的 {result.skipped_waived} 名考生不审核，已跳过。")
    if result.skipped_later:
        _say(f"已过审核阶段（已公示、已确认或已锁定）的 {result.skipped_later} 名考生已跳过。")
    return 0


def cmd_waiver_signed(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    w = ctx.c.waivers.mark_signed(ctx.c.actor, args.key, not args.unsigned)
    row = ctx.c.review.get(args.key)
    if ctx.json:
        _emit_json({"ok": True, "uuid": row.uuid, "student_no": row.student_no, "name": row.name,
                    "form_signed": w.form_signed})
    else:
        _say(f"{row.name} 的放弃报名考试资格申请书（附件1）已标记为" + ("已签字。" if w.form_signed else "未签字。"))
    return 0


def _setting_text(value: object) -> str:
    if value is None:
        return "（未设置）"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def cmd_settings_show(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.services.settings import DEFINITIONS

    values = ctx.c.settings.all()
    if ctx.json:
        _emit_json({"ok": True, "settings": values})
        return 0
    for key, value in values.items():
        _say(f"{key}（{DEFINITIONS[key].label}）：{_setting_text(value)}")
    return 0


def cmd_settings_set(ctx: _Ctx, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.services.settings import DEFINITIONS

    values: dict[str, str] = {}
    for assignment in args.assignments:
        key, sep, value = assignment.partition("=")
        if not sep:
            raise CliError(f"请写成 KEY=VALUE，例如 waiver_deadline=2026-12-20（收到“{assignment}”）。")
        values[key.strip()] = value
    stored = ctx.c.settings.set_many(ctx.c.actor, values)
    if ctx.json:
        if len(stored) == 1:
            (key, value), = stored.items()
            _emit_json({"ok": True, "key": key, "value": value, "settings": stored})
        else:
            _emit_json({"ok": True, "settings": stored})
    else:
        for key, value in stored.items():
            _say(f"已设置 {DEFINITIONS[key].label}：{_setting_text(value)}")
    return 0


# -- parser ----------------------------------------------------------------------------------
# argparse's own words (usage, headings, its error messages), in Chinese: the CLI speaks one language.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "options": "选项",
    "positional arguments": "位置参数",
    "show this help message and exit": "显示本帮助并退出",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的%(type)s值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s arguments": "需要 %s 个值",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
}


def _speak_chinese() -> None:
    """Make argparse say its own words in Chinese (it looks them up through its module's ``_``)."""
    argparse._ = lambda text: _ARGPARSE_ZH.get(text, text)  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors in Chinese, still exiting with status 2."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 用法错误：{message}\n")


def _add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象（供脚本使用）")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="regdesk-cli", description="RegDesk 专升本报名工作台：命令行工具。")
    parser.add_argument("--version", action="version", version=f"regdesk-cli {__version__}")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--data", metavar="DIR", help="本机数据文件夹（数据库与采集文件），默认为系统的用户数据目录")
    where.add_argument("--db", metavar="URL", help="SQLAlchemy 数据库地址，例如 sqlite:////path/regdesk.sqlite")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(subparsers, name: str, handler: Callable[[_Ctx, argparse.Namespace], int], help_text: str):
        p = subparsers.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        _add_json(p)
        return p

    p = command(sub, "init", cmd_init, "设置本机的学院和报名点（首次使用）")
    p.add_argument("--college-code", required=True, metavar="CODE", help="学院代码")
    p.add_argument("--college-name", required=True, metavar="NAME", help="学院名称")
    p.add_argument("--desk", default="报名点1", metavar="NAME", help="本报名点的名称（默认：报名点1）")
    p.add_argument("--role", choices=("college", "central"), default="college", help="安装类型（默认 college）")
    p.add_argument("--admin", metavar="USER", help="同时新建的管理员用户名")
    p.add_argument("--admin-name", metavar="NAME", help="管理员的姓名")
    p.add_argument("--admin-password", metavar="PW", help="管理员密码（不给出时在终端中输入）")

    p = command(sub, "demo", cmd_demo, "生成演示学院和演示考生（未初始化时先初始化）")
    p.add_argument("--candidates", type=int, default=600, metavar="N", help="演示考生人数（默认 600）")
    p.add_argument("--seed", type=int, default=2026, help="随机种子（同一种子生成相同的数据）")
    p.add_argument("--force", action="store_true", help="演示名单中已有考生时仍然追加演示考生")
    p.add_argument("--no-samples", action="store_true",
                   help="只生成学院、账号和考生，不导入样例学籍/处分/专业对照名单，也不运行比对")

    roster = sub.add_parser("roster", help="名单：导入、导出、模板", description="名单：导入、导出、模板")
    rsub = roster.add_subparsers(dest="roster_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = command(rsub, "import", cmd_roster_import, "导入学生处导出的名单（.xlsx / .csv）")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--map", action="append", metavar="HEADER=field",
                   help="指定表头对应的字段，可重复，例如 --map 证件号=id_number；--map 家长电话=- 表示不导入该列")
    p.add_argument("--sheet", metavar="NAME", help="导入哪个工作表（默认：有姓名和身份证号表头的那个）")
    p.add_argument("--dry-run", action="store_true", help="只检查并显示结果，不写入")
    p.add_argument("--report", metavar="OUT.xlsx", help="把有误的行连同错误原因保存为 .xlsx")
    p = command(rsub, "export", cmd_roster_export, "把名单导出为 .xlsx")
    p.add_argument("out", metavar="OUT.xlsx")
    p = command(rsub, "template", cmd_roster_template, "生成空白的导入模板 .xlsx")
    p.add_argument("out", metavar="OUT.xlsx")

    cand = sub.add_parser("candidate", help="查找、查看或修改考生", description="查找、查看或修改考生")
    csub = cand.add_subparsers(dest="candidate_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = command(csub, "show", cmd_candidate_show, "显示考生信息（KEY：学号或身份证号）")
    p.add_argument("key", metavar="KEY")
    p = command(csub, "find", cmd_candidate_find,
                "查找考生：姓名或其拼音（全拼、首字母，如 zhangsan、zs）、学号、身份证号（或其中几位）、班级")
    p.add_argument("text", metavar="TEXT")
    p = command(csub, "set", cmd_candidate_set, "修改考生信息：字段=值（字段可用英文键或中文名）")
    p.add_argument("key", metavar="KEY")
    p.add_argument("assignments", nargs="+", metavar="FIELD=VALUE")

    audit = sub.add_parser("audit", help="审计记录", description="审计记录")
    asub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = command(asub, "verify", cmd_audit_verify, "检查审计记录是否被删除或改动")
    p.add_argument("--deep", action="store_true",
                   help="并逐条核对数据库中的数据与审计记录（找出没有记录的直接修改，较慢）")
    p = command(asub, "list", cmd_audit_list, "列出审计记录（最新的在前）")
    p.add_argument("--candidate", metavar="KEY", help="只看这名考生的记录（学号或身份证号）")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="最多显示的条数（默认 50）")

    user = sub.add_parser("user", help="用户", description="用户")
    usub = user.add_subparsers(dest="user_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = command(usub, "add", cmd_user_add, "新建用户")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--role", required=True, choices=tuple(ROLES),
                   help="角色：" + "，".join(f"{k}={v}" for k, v in ROLES.items()))
    p.add_argument("--name", required=True, metavar="NAME", help="姓名")
    p.add_argument("--password", metavar="PW", help="密码（不给出时在终端中输入）")
    p.add_argument("--office", choices=tuple(REVIEWER_OFFICES),
                   help="审核人的所属部门（审核人必填）：" + "，".join(f"{k}={v}" for k, v in REVIEWER_OFFICES.items()))
    command(usub, "list", cmd_user_list, "列出用户")
    p = command(usub, "set", cmd_user_set, "修改审核人的所属部门")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--office", required=True, choices=tuple(REVIEWER_OFFICES),
                   help="所属部门：" + "，".join(f"{k}={v}" for k, v in REVIEWER_OFFICES.items()))

    ref = sub.add_parser("reference", help="核对名单：教务处学籍、学生处处分、专业对照表",
                         description="核对名单：教务处学籍、学生处处分、专业对照表")
    refsub = ref.add_subparsers(dest="reference_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = command(refsub, "import", cmd_reference_import, "导入核对名单（替换同类的现用名单）")
    p.add_argument("kind", choices=("academic", "conduct", "majors"),
                   help="academic=教务处学籍名单，conduct=学生处处分名单，majors=专业对照表")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--map", action="append", metavar="HEADER=field",
                   help="指定表头对应的字段，可重复，例如 --map 违纪情况=action")
    p.add_argument("--sheet", metavar="NAME", help="导入哪个工作表（默认：第一个有表头的）")
    p.add_argument("--dry-run", action="store_true", help="只检查并显示结果，不写入")

    rev = sub.add_parser("review", help="资格审查", description="资格审查")
    revsub = rev.add_subparsers(dest="review_command", metavar="ACTION", required=True, parser_class=_Parser)
    command(revsub, "run", cmd_review_run, "把每名考生与核对名单比对，记录问题（保留已有审核意见）")
    p = command(revsub, "decide", cmd_review_decide, "记录一个部门对一名考生的审核意见（KEY：学号或身份证号）")
    p.add_argument("key", metavar="KEY")
    p.add_argument("--office", required=True, choices=("academic", "conduct", "college"),
                   help="academic=教务处，conduct=学生处，college=二级学院")
    verdict = p.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--pass", dest="passed", action="store_true", help="审核通过")
    verdict.add_argument("--fail", dest="passed", action="store_false", help="审核不通过（须填写 --opinion）")
    p.add_argument("--opinion", metavar="TEXT", help="审核意见")
    p = command(revsub, "approve-clean", cmd_review_approve, "为没有问题且尚无意见的考生一键记录审核通过")
    p.add_argument("--office", default="all", choices=("all", "academic", "conduct", "college"),
                   help="哪个部门的意见（默认 all：三个部门）")
    p = command(revsub, "list", cmd_review_list, "列出审查结果（有问题的考生在前）")
    p.add_argument("--finding", metavar="CODE", help="只看有这类问题的考生，例如 failed_courses")
    p.add_argument("--status", metavar="STATUS", help="只看这个状态的考生，例如 ineligible")
    p.add_argument("--needs-review", action="store_true",
                   help="只看审核意见需重新审核的考生（通过后出现新问题，或不通过的依据已消除）")
    command(revsub, "changes", cmd_review_changes, "再次显示上次比对的结果和变化（毕业年份、新增和消除的问题、需重新审核的意见）")

    waiver = sub.add_parser("waiver", help="放弃报名考试资格", description="放弃报名考试资格")
    wsub = waiver.add_subparsers(dest="waiver_command", metavar="ACTION", required=True, parser_class=_Parser)
    p = command(wsub, "add", cmd_waiver_add, "登记放弃报名考试资格（KEY：学号或身份证号）")
    p.add_argument("key", metavar="KEY")
    p.add_argument("--reason", required=True, metavar="TEXT", help="放弃的原因")
    p.add_argument("--date", metavar="D", help="放弃日期，例如 2026-12-01（默认今天）")
    p = command(wsub, "revoke", cmd_waiver_revoke, "撤回放弃报名（截止日期之前）")
    p.add_argument("key", metavar="KEY")
    p.add_argument("--reason", required=True, metavar="TEXT", help="撤回的原因")
    p = command(wsub, "signed", cmd_waiver_signed, "标记附件1 已由学生签字（--unsigned 取消标记）")
    p.add_argument("key", metavar="KEY")
    p.add_argument("--unsigned", action="store_true", help="取消“已签字”标记")

    settings = sub.add_parser("settings", help="设置（毕业年份、截止日期、公示日期）", description="设置")
    ssub = settings.add_subparsers(dest="settings_command", metavar="ACTION", required=True, parser_class=_Parser)
    command(ssub, "show", cmd_settings_show, "列出全部设置")
    p = command(ssub, "set", cmd_settings_set, "修改设置，可一次多项，例如 settings set publicity_start=2026-03-10 "
                "publicity_end=2026-03-16（值为空则恢复默认）")
    p.add_argument("assignments", metavar="KEY=VALUE", nargs="+")
    cli_documents.register(sub, command)
    cli_photo.register(sub, command)
    cli_fingerprint.register(sub, command)
    return parser


# -- entry point -----------------------------------------------------------------------------
_SECRET_OPTIONS = ("--password", "--admin-password")


def _redact(argv: list[str]) -> list[str]:
    """Arguments for the log, without the passwords."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append("***")
            hide_next = False
        elif arg in _SECRET_OPTIONS:
            out.append(arg)
            hide_next = True
        elif arg.split("=", 1)[0] in _SECRET_OPTIONS:
            out.append(arg.split("=", 1)[0] + "=***")
        else:
            out.append(arg)
    return out


def _log_unexpected(data_dir: Path, argv: list[str]) -> Path:
    path = data_dir / "logs" / LOG_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        # The data folder is unwritable (perhaps the very problem): keep the trace somewhere.
        import tempfile

        path = Path(tempfile.gettempdir()) / LOG_FILE
        handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    try:
        log.exception("regdesk-cli %s: unexpected error (arguments %s)", __version__, _redact(argv))
    finally:
        log.removeHandler(handler)
        handler.close()
    return path


def main(argv: list[str] | None = None) -> int:
    _utf8_streams()
    _speak_chinese()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    as_json = bool(getattr(args, "json", False))
    if args.data:
        data_dir = Path(args.data).expanduser()
    elif args.command == "demo" and not args.db:
        # Like ``regdesk --demo``: demo people get a folder of their own, never the real desk's.
        data_dir = demo_data_dir()
    else:
        data_dir = default_data_dir()
    container: Container | None = None
    try:
        if args.command == "demo":
            # Before anything opens the database: a real install must be left exactly as it is.
            args.demo_folder = check_demo_folder(None if args.db else data_dir, url=args.db,
                                                 default_folder=not args.data and not args.db, cli=True).state
        try:
            container = Container.open(data_dir=data_dir, url=args.db)
        except ArgumentError as exc:
            raise AppError(f"数据库地址“{args.db}”无效：{exc}") from None
        with report_waits(_WaitNotice()):
            return handler(_Ctx(container, as_json), args)
    except AppError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        if as_json:
            error: dict[str, object] = {"type": type(exc).__name__, "message": exc.message}
            if isinstance(exc, ValidationError) and exc.field:
                error["field"] = exc.field
            if isinstance(exc, CliError):
                error.update(exc.details)
            _emit_json({"ok": False, "error": error})
        return 1
    except KeyboardInterrupt:
        print("已中断，未完成的操作没有写入。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (``| head``) went away: not an error of ours. Point stdout at devnull so
        # the interpreter's final flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception:
        path = _log_unexpected(container.data_dir if container else data_dir,
                               sys.argv[1:] if argv is None else list(argv))
        print(f"发生意外错误，详情见日志：{path}", file=sys.stderr)
        if as_json:
            _emit_json({"ok": False, "error": {"type": "unexpected", "message": "发生意外错误", "log": str(path)}})
        return 1
    finally:
        if container is not None:
            container.close()


if __name__ == "__main__":
    sys.exit(main())
