"""``regdesk-cli reference import``: the 教务处 and 学生处 lists and the table of majors, which the
eligibility review compares the roster with."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.commands._importing import column_letter, problem_json
from app.cli.context import CliContext, CliError
from app.cli.parser import Subparsers, command, group
from app.errors import NotFoundError, ValidationError
from app.tasks import CancelToken


def _reference_maps(items: list[str] | None) -> dict[str, str]:
    """``--map 表头=字段`` pairs; the field is checked by the reference service for the list's kind."""
    overrides: dict[str, str] = {}
    for item in items or ():
        header, sep, target = item.rpartition("=")
        if not sep or not header.strip() or not target.strip():
            raise ValidationError(f"--map “{item}” 的格式应为 表头=字段，例如 --map 违纪情况=action。", "map")
        overrides[header.strip()] = target.strip()
    return overrides


def cmd_reference_import(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.review.reference import FIELDS, KINDS, ReferenceMappingNeeded
    from app.review.reference import LABELS as REF_LABELS

    path = Path(args.file)
    if not path.is_file():
        raise NotFoundError(f"找不到文件：{path}")
    progress = ctx.progress()
    cancel = CancelToken()
    try:
        try:
            preview = ctx.container.reference.preview(args.kind, path, _reference_maps(args.map), sheet=args.sheet,
                                                      progress=progress, cancel=cancel)
        except ReferenceMappingNeeded as exc:
            m = exc.mapping
            fields = {k: REF_LABELS[k] for k in FIELDS[args.kind]}
            lines = [exc.message,
                     f"文件中的表头：{'、'.join(f'{column_letter(i)} 列“{h}”' for i, h in enumerate(m.headers) if h)}",
                     "可用的字段：" + "、".join(f"{k}（{v}）" for k, v in fields.items())]
            raise CliError("\n".join(lines), kind="mapping_needed", sheet=m.sheet, header_row=m.header_row,
                           headers=m.headers, missing_required=m.missing_required,
                           unknown_headers=m.unknown_headers, fields=fields) from None
        result = None if args.dry_run else ctx.container.reference.commit(ctx.actor, preview, progress=progress,
                                                                          cancel=cancel)
    finally:
        progress.finish()
    problems = preview.problems
    if ctx.json:
        ctx.out.emit({"ok": True, "kind": args.kind, "file": str(path), "sheet": preview.mapping.sheet,
                      "header_row": preview.mapping.header_row,
                      "columns": {preview.mapping.headers[i]: key for i, key in preview.mapping.fields.items()},
                      "unknown_headers": preview.mapping.unknown_headers, "rows": len(preview.rows),
                      "rows_with_problems": sum(1 for r in preview.rows if r.problems),
                      "problems": [problem_json(p) for p in problems], "warnings": preview.warnings,
                      "dry_run": bool(args.dry_run),
                      "result": None if result is None else {"list_uuid": result.list_uuid, "rows": result.rows,
                                                           "replaced": result.replaced}})
        return 0
    ctx.out.say(f"{KINDS[args.kind]}：{path}（工作表“{preview.mapping.sheet}”，表头在第 {preview.mapping.header_row} 行），"
                f"共 {len(preview.rows)} 行")
    for warning in preview.warnings:
        ctx.out.say(f"注意：{warning}")
    if problems:
        ctx.out.say("有问题的行（仍会保存，审查时请留意）：")
        for p in problems:
            ctx.out.say(f"  {p.text()}")
    if result is None:
        ctx.out.say("试运行：未写入任何数据。")
    else:
        ctx.out.say(f"已导入{KINDS[args.kind]}，共 {result.rows} 行" + ("，替换了之前的名单。" if result.replaced else "。"))
    return 0


def register(sub: Subparsers) -> None:
    refsub = group(sub, "reference", "核对名单：教务处学籍、学生处处分、专业对照表")
    p = command(refsub, "import", cmd_reference_import, "导入核对名单（替换同类的现用名单）")
    p.add_argument("kind", choices=("academic", "conduct", "majors"),
                   help="academic=教务处学籍名单，conduct=学生处处分名单，majors=专业对照表")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--map", action="append", metavar="HEADER=field",
                   help="指定表头对应的字段，可重复，例如 --map 违纪情况=action")
    p.add_argument("--sheet", metavar="NAME", help="导入哪个工作表（默认：第一个有表头的）")
    p.add_argument("--dry-run", action="store_true", help="只检查并显示结果，不写入")
