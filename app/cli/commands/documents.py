"""``regdesk-cli print`` and ``regdesk-cli verify-page``: the printed forms and the page check."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.context import CliContext
from app.cli.parser import Subparsers, command
from app.errors import ValidationError

# Spelled out rather than read from app.documents.printing: importing reportlab for every
# command would slow the CLI's start (bench/startup.py).
FORM_HELP = ("waiver（附件1，须加 --student）、waiver-list（附件2）、summary（附件3）、"
             "review-report（附件4）、publicity（公示）；也可写 附件1…附件4、公示")


def cmd_print(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    out = Path(args.out)
    if out.suffix.lower() != ".pdf":
        raise ValidationError(f"--out 应为 .pdf 文件：{out}", "out")
    if args.xlsx and Path(args.xlsx).suffix.lower() != ".xlsx":
        raise ValidationError(f"--xlsx 应为 .xlsx 文件：{args.xlsx}", "xlsx")
    from app.documents.printing import form_key

    if form_key(args.form) == "waiver_form" and not args.student:
        if args.xlsx:
            raise ValidationError("为全部放弃报名的学生打印附件1时只生成 PDF，不能同时用 --xlsx。", "xlsx")
        batch = ctx.container.printing.print_waiver_forms(ctx.actor, out)
        if ctx.json:
            ctx.out.emit({"ok": True, "form": "waiver_form", "label": batch.label, "pdf": str(batch.pdf),
                          "documents": list(batch.doc_uuids), "students": batch.documents, "pages": batch.pages})
        else:
            ctx.out.say(f"已为 {batch.documents} 名放弃报名的学生打印{batch.label}：共 {batch.pages} 页，每人一份。")
            ctx.out.say(f"PDF：{batch.pdf}")
        return 0
    result = ctx.container.printing.print_form(ctx.actor, args.form, out, Path(args.xlsx) if args.xlsx else None,
                                               student=args.student, class_name=args.class_name)
    # Unreviewed and no-longer-settled candidates: said on stderr, in JSON too; the file is written.
    for warning in result.warnings:
        ctx.out.tell(f"注意：{warning}")
    if ctx.json:
        ctx.out.emit({"ok": True, "form": result.form, "label": result.label, "title": result.title,
                      "document": result.doc_uuid, "pdf": str(result.pdf), "xlsx": str(result.xlsx or "") or None,
                      "pages": result.pages, "rows": result.rows, "warnings": list(result.warnings)})
    else:
        ctx.out.say(f"已打印{result.label}《{result.title}》：{result.pages} 页，{result.rows} 条，文档编号 "
                    f"{result.doc_uuid.split('-')[0].upper()}。")
        ctx.out.say(f"PDF：{result.pdf}")
        if result.xlsx:
            ctx.out.say(f"Excel：{result.xlsx}")
    return 0


def _check_json(c) -> dict:
    return {"status": c.status, "message": c.message, "source": c.source, "document": c.doc_uuid or None,
            "form": c.form or None, "title": c.title or None, "page": c.page or None,
            "differences": [{"key": d.key, "name": d.name, "changes": list(d.changes)} for d in c.differences]}


def cmd_verify_page(ctx: CliContext, args: argparse.Namespace) -> int:
    checks = ctx.container.printing.verify_file(Path(args.file))
    ok = all(c.ok for c in checks)
    if ctx.json:
        ctx.out.emit({"ok": ok, "pages": [_check_json(c) for c in checks]})
        return 0 if ok else 1
    for c in checks:
        write = ctx.out.say if c.ok else ctx.out.tell
        write(("一致：" if c.ok else "不一致：" if c.status == "differs" else "无法核对：") + c.message)
        for d in c.differences:
            write(f"  {d.name}：{'；'.join(d.changes)}")
    return 0 if ok else 1


def register(sub: Subparsers) -> None:
    p = command(sub, "print", cmd_print, "打印表格（附件1–4、公示）为 PDF，可同时生成 .xlsx")
    p.add_argument("form", metavar="FORM", help=f"表格：{FORM_HELP}")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="PDF 文件")
    p.add_argument("--xlsx", metavar="FILE.xlsx", help="同时生成的 .xlsx 文件")
    p.add_argument("--student", metavar="KEY", help="附件1：学生的学号或身份证号（不给则为全部放弃报名的学生各打一份）")
    p.add_argument("--class", dest="class_name", metavar="NAME", help="附件3：只打印这个班级")
    p = command(sub, "verify-page", cmd_verify_page,
                "核对打印页（扫描图片、照片或 PDF）与当前数据是否一致（读取页面上的二维码）")
    p.add_argument("file", metavar="FILE")
