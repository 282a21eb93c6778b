"""``regdesk-cli roster``: import the roster, export it, and write the blank import template."""

from __future__ import annotations

import argparse
from pathlib import Path

from app import outfile
from app.cli.commands._importing import column_letter, problem_json
from app.cli.context import CliContext, CliError
from app.cli.output import show_value
from app.cli.parser import Subparsers, command, group
from app.domain.candidate import LABELS
from app.errors import NotFoundError, ValidationError
from app.tasks import CancelToken


def _parse_maps(items: list[str] | None) -> dict[str, str]:
    from app.importing.mapping import SKIP_WORDS
    from app.roster.service import FIELD_CHOICES

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
    from app.roster.service import FIELD_CHOICES

    return "、".join(f"{key}（{label}）" for key, label in FIELD_CHOICES.items())


def _mapping_needed(exc, path: Path) -> CliError:
    from app.roster.service import FIELD_CHOICES

    mapping = exc.mapping
    columns = [f"{column_letter(i)} 列“{h}”" for i, h in enumerate(mapping.headers) if h]
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


def cmd_roster_import(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.roster.service import MappingNeeded

    path = Path(args.file)
    if not path.is_file():
        raise NotFoundError(f"找不到文件：{path}")
    if args.report:
        outfile.check_target(Path(args.report))  # before the import, not after it
    roster = ctx.container.roster
    overrides = _parse_maps(args.map)
    progress = ctx.progress()
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
            result = roster.commit(ctx.actor, preview, progress=progress, cancel=cancel)
    finally:
        progress.finish()

    counts = preview.counts
    if ctx.json:
        ctx.out.emit({
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
            "rejected": [{"row": r.row, "problems": [problem_json(p) for p in r.problems]}
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

    ctx.out.say(f"文件：{path}（工作表“{preview.mapping.sheet}”，表头在第 {preview.mapping.header_row} 行）")
    ctx.out.say(f"新增 {counts.get('new', 0)}，变更 {counts.get('changed', 0)}，"
                f"未变 {counts.get('unchanged', 0)}，有误 {counts.get('rejected', 0)}")
    for warning in preview.warnings:
        ctx.out.say(f"注意：{warning}")
    changed = [r for r in preview.rows if r.kind == "changed"]
    if changed:
        ctx.out.say("将更新的考生：")
        for row in changed:
            who = row.data.name if row.data else ""
            what = "；".join(f"{LABELS.get(k, k)}：{show_value(old) or '（空）'} → {show_value(new) or '（空）'}"
                            for k, (old, new) in row.changes.items())
            ctx.out.say(f"  第 {row.row} 行 {who}：{what}")
    if preview.rejected:
        ctx.out.say("有误的行：")
        for row in preview.rejected:
            for p in row.problems:
                ctx.out.say(f"  {p.text()}")
    if args.report:
        if report:
            ctx.out.say(f"有误的行已保存到：{report}（改正后可重新导入）")
        else:
            ctx.out.say("没有有误的行，未生成报告。")
    if result is None:
        ctx.out.say("试运行：未写入任何数据。")
    else:
        tail = f"；{result.rejected} 行有误，未导入" if result.rejected else ""
        ctx.out.say(f"已导入：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}{tail}。")
    return 0


def cmd_roster_export(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    out = Path(args.out)
    progress = ctx.progress()
    try:
        written = ctx.container.roster.export(ctx.actor, out, progress=progress, cancel=CancelToken())
    finally:
        progress.finish()
    if ctx.json:
        ctx.out.emit({"ok": True, "file": str(out), "rows": written})
    else:
        ctx.out.say(f"已导出 {written} 名考生到 {out}。")
    return 0


def cmd_roster_template(ctx: CliContext, args: argparse.Namespace) -> int:
    out = ctx.container.roster.write_template(Path(args.out))
    if ctx.json:
        ctx.out.emit({"ok": True, "file": str(out)})
    else:
        ctx.out.say(f"已生成导入模板：{out}")
    return 0


def register(sub: Subparsers) -> None:
    rsub = group(sub, "roster", "名单：导入、导出、模板")
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
