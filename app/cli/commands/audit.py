"""``regdesk-cli audit``: check the audit trail (and, with ``--deep``, the data against it); list it."""

from __future__ import annotations

import argparse
import datetime as dt

from app.audit.service import ACTION_LABELS, AuditEntry, AuditService
from app.cli.context import CliContext
from app.cli.output import local_time
from app.cli.parser import Subparsers, command, group
from app.errors import ValidationError
from app.tasks import CancelToken


def cmd_audit_verify(ctx: CliContext, args: argparse.Namespace) -> int:
    progress = ctx.progress()
    try:
        check = ctx.container.audit_log.verify(deep=args.deep, progress=progress, cancel=CancelToken())
    finally:
        progress.finish()
    if ctx.json:
        ctx.out.emit(check.as_json())
        return 0 if check.ok else 1
    if check.ok:
        ctx.out.say(f"审计记录完整：共 {check.count} 条，未发现删除或改动。")
        if check.count:
            ctx.out.say(f"最后一条（第 {check.count} 条）的哈希：{check.head}")
        if args.deep:
            ctx.out.say("逐条核对：数据库中的数据与审计记录一致。")
    if len(check.chains) > 1:  # other desks' chains too: one line each, so the broken one is named
        for chain in check.chains:
            state = "完整" if chain.ok else f"{len(chain.problems)} 处问题"
            line = f"{'本报名点' if chain.local else chain.label}的审计链：{chain.count} 条，{state}"
            (ctx.out.say if check.ok else ctx.out.tell)(line)
    if not check.ok:
        if check.problems:
            ctx.out.tell(f"错误：审计记录被删除或改动（共 {check.count} 条，发现 {len(check.problems)} 处问题）：")
            for problem in check.problems:
                ctx.out.tell(f"  {problem}")
        else:
            ctx.out.tell(f"审计记录本身完整：共 {check.count} 条。")
        if check.differences:
            ctx.out.tell(f"错误：数据库中有 {len(check.differences)} 处数据与审计记录不符（没有记录的修改）：")
            for difference in check.differences:
                ctx.out.tell(f"  {difference.message}")
    for note in check.notes:
        (ctx.out.say if check.ok else ctx.out.tell)(f"说明：{note}")
    return 0 if check.ok else 1


def _entry_json(e: AuditEntry) -> dict:
    return {"seq": e.seq, "at": e.at.replace(tzinfo=dt.UTC).isoformat(), "actor": e.actor,
            "desk_name": e.desk_name, "action": e.action, "action_label": ACTION_LABELS.get(e.action, e.action),
            "entity_type": e.entity_type, "entity_uuid": e.entity_uuid, "summary": e.summary,
            "before": e.before, "after": e.after}


def cmd_audit_list(ctx: CliContext, args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise ValidationError("--limit 至少为 1。", "limit")
    if args.candidate:
        ctx.require_install()
        entries = ctx.container.candidates.history(args.candidate)[: args.limit]
    else:
        with ctx.container.db.read() as s:
            entries = AuditService.entries(s, limit=args.limit)
    if ctx.json:
        ctx.out.emit({"ok": True, "count": len(entries), "events": [_entry_json(e) for e in entries]})
        return 0
    if not entries:
        ctx.out.say("没有审计记录。")
    for e in entries:
        desk = f" @{e.desk_name}" if e.desk_name else ""
        ctx.out.say(f"#{e.seq}  {local_time(e.at)}  {e.actor}{desk}  {ACTION_LABELS.get(e.action, e.action)}  {e.summary}")
    return 0


def register(sub: Subparsers) -> None:
    asub = group(sub, "audit", "审计记录")
    p = command(asub, "verify", cmd_audit_verify, "检查审计记录是否被删除或改动")
    p.add_argument("--deep", action="store_true",
                   help="并逐条核对数据库中的数据与审计记录（找出没有记录的直接修改，较慢）")
    p = command(asub, "list", cmd_audit_list, "列出审计记录（最新的在前）")
    p.add_argument("--candidate", metavar="KEY", help="只看这名考生的记录（学号或身份证号）")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="最多显示的条数（默认 50）")
