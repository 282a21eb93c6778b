"""``regdesk-cli waiver``: a candidate gives up the exam (附件1), takes it back, or has signed the form."""

from __future__ import annotations

import argparse

from app.cli.context import CliContext
from app.cli.parser import Subparsers, command, group


def cmd_waiver_add(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.domain import fields as f

    date = f.parse_date(args.date, "date", "放弃日期") if args.date else None
    w = ctx.container.waivers.add(ctx.actor, args.key, args.reason, date)
    row = ctx.container.review.get(args.key)
    if ctx.json:
        ctx.out.emit({"ok": True, "uuid": row.uuid, "student_no": row.student_no, "name": row.name,
                      "status": row.status, "reason": w.reason, "date": w.waived_on})
    else:
        ctx.out.say(f"已登记 {row.name}（学号 {row.student_no or '无'}）放弃报名考试资格（{w.waived_on.isoformat()}）。"
                    "请打印附件1 由学生签字。")
    return 0


def cmd_waiver_revoke(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    status = ctx.container.waivers.revoke(ctx.actor, args.key, args.reason)
    row = ctx.container.review.get(args.key)
    if ctx.json:
        ctx.out.emit({"ok": True, "uuid": row.uuid, "student_no": row.student_no, "name": row.name,
                      "status": status})
    else:
        ctx.out.say(f"已撤回 {row.name} 的放弃报名，当前状态：{row.status_label}。")
    return 0


def cmd_waiver_signed(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    w = ctx.container.waivers.mark_signed(ctx.actor, args.key, not args.unsigned)
    row = ctx.container.review.get(args.key)
    if ctx.json:
        ctx.out.emit({"ok": True, "uuid": row.uuid, "student_no": row.student_no, "name": row.name,
                      "form_signed": w.form_signed})
    else:
        ctx.out.say(f"{row.name} 的放弃报名考试资格申请书（附件1）已标记为" + ("已签字。" if w.form_signed else "未签字。"))
    return 0


def register(sub: Subparsers) -> None:
    wsub = group(sub, "waiver", "放弃报名考试资格")
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
