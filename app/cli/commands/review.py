"""``regdesk-cli review``: compare every candidate with the reference lists, show the results and
their changes, and record the offices' decisions."""

from __future__ import annotations

import argparse
import datetime as dt

from app.cli.context import CliContext, CliError
from app.cli.output import Output, local_time
from app.cli.parser import Subparsers, command, group
from app.tasks import CancelToken


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


def _say_run(out: Output, result) -> None:
    from app.domain.candidate import STATUS_LABELS
    from app.domain.review import FINDINGS

    out.say(f"毕业年份：{result.year_text}")
    out.say(f"已比对 {result.candidates} 名考生，{result.with_findings} 名有问题。")
    for code, n in sorted(result.counts.items(), key=lambda kv: list(FINDINGS).index(kv[0])
                          if kv[0] in FINDINGS else len(FINDINGS)):
        out.say(f"  {FINDINGS.get(code, ('', code))[1]}：{n}")
    for warning in result.warnings:
        out.say(f"注意：{warning}")
    if result.reopened:
        out.say(f"注意：{result.reopened} 名考生的审核意见因比对结果变化不再成立，已退回待审核，需重新审核。")
    if result.needs_review:
        out.say(f"共 {result.needs_review} 名考生有需重新审核的意见（review list --needs-review）。")
    if not result.first_run or result.changes:
        what = "与上次比对相比" if not result.first_run else "本次比对"
        out.say(f"{what}，{len(result.changes)} 名考生有变化" + ("：" if result.changes else "。"))
    for c in result.changes:
        moved = ""
        if c.status_after and c.status_after != c.status_before:
            moved = (f"（状态 {STATUS_LABELS.get(c.status_before, c.status_before)} → "
                     f"{STATUS_LABELS.get(c.status_after, c.status_after)}）")
        out.say(f"  {c.student_no} {c.name}{moved}")
        for m in c.new:
            out.say(f"    新增：{m}")
        for m in c.resolved:
            out.say(f"    已消除：{m}")
        for d in c.decisions:
            out.say(f"    审核意见：{d.text}")


def cmd_review_run(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    progress = ctx.progress()
    try:
        result = ctx.container.review.run(ctx.actor, progress=progress, cancel=CancelToken())
    finally:
        progress.finish()
    if ctx.json:
        ctx.out.emit(_run_json(result))
        return 0
    _say_run(ctx.out, result)
    return 0


def cmd_review_changes(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    result = ctx.container.review.last_run()
    if result is None:
        raise CliError("还没有运行过资格审查比对（review run）。")
    if ctx.json:
        ctx.out.emit(_run_json(result))
        return 0
    if result.run_at:
        ctx.out.say(f"上次比对：{local_time(result.run_at)}，由 {result.actor} 运行。")
    _say_run(ctx.out, result)
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


def cmd_review_decide(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.domain.review import OFFICES

    row = ctx.container.review.decide(ctx.actor, args.key, args.office, bool(args.passed), args.opinion or "")
    if ctx.json:
        ctx.out.emit({"ok": True, "candidate": _review_json(row)})
        return 0
    verdict = "通过" if args.passed else "不通过"
    ctx.out.say(f"{row.name}（学号 {row.student_no or '无'}）：{OFFICES[args.office]}审核{verdict}；"
                f"当前状态：{row.status_label}" + (f"（{row.reason}）" if row.status == "ineligible" else "") + "。")
    return 0


def cmd_review_list(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.domain.review import OFFICES

    rows = ctx.container.review.list(finding=args.finding, status=args.status, needs_review=args.needs_review)
    if ctx.json:
        ctx.out.emit({"ok": True, "count": len(rows), "candidates": [_review_json(r) for r in rows]})
        return 0
    if not rows:
        ctx.out.say("没有符合条件的考生。")
    for r in rows:
        tail = f"（{r.reason}）" if r.status == "ineligible" and r.reason else ""
        mark = "  【需重新审核】" if r.needs_review else ""
        ctx.out.say(f"{r.student_no or '-'}  {r.name}  {r.class_name}  {r.status_label}{tail}{mark}")
        for f in r.findings:
            ctx.out.say(f"    ! {f.message}" + (f"（来源第 {f.source_row} 行）" if f.source_row else ""))
        for office, d in r.decisions.items():
            verdict = "通过" if d.decision == "pass" else "不通过"
            ctx.out.say(f"    {OFFICES.get(office, office)}：{verdict}" + (f"，{d.opinion}" if d.opinion else "")
                        + f"（{d.reviewer_label}，{local_time(d.decided_at)}）"
                        + (f"  【{d.standing_label}：{d.standing_reason}】" if not d.stands else ""))
    return 0


def cmd_review_approve(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.domain.review import OFFICES

    progress = ctx.progress()
    try:
        result = ctx.container.review.approve_clean(ctx.actor, args.office, progress=progress, cancel=CancelToken())
    finally:
        progress.finish()
    if ctx.json:
        ctx.out.emit({"ok": True, "office": result.office, "approved": result.approved,
                      "candidates": result.candidates, "skipped_with_findings": result.skipped_with_findings,
                      "skipped_decided": result.skipped_decided, "needs_review": result.needs_review,
                      "skipped_waived": result.skipped_waived, "skipped_later": result.skipped_later,
                      "offices": {o: {"approved": n.approved, "skipped_with_findings": n.skipped_with_findings,
                                    "skipped_decided": n.skipped_decided, "needs_review": n.needs_review}
                                for o, n in result.offices.items()}})
        return 0
    who = "教务处、学生处、二级学院" if args.office == "all" else OFFICES.get(args.office, args.office)
    ctx.out.say(f"已为 {result.candidates} 名没有比对问题的考生记录“{who}”审核通过（共 {result.approved} 条意见）。")
    for o, n in result.offices.items():
        # Skipped, not failed: every count says so.
        parts = [f"通过 {n.approved} 名"]
        if n.skipped_with_findings:
            parts.append(f"因有比对问题跳过 {n.skipped_with_findings} 名")
        if n.skipped_decided:
            parts.append(f"已有本部门意见、保持不变 {n.skipped_decided} 名")
        if n.needs_review:
            parts.append(f"意见需重新审核、跳过 {n.needs_review} 名")
        ctx.out.say(f"  {OFFICES.get(o, o)}：" + "；".join(parts) + "。")
    if result.skipped_with_findings:
        ctx.out.say(f"因有比对问题跳过的 {result.skipped_with_findings} 名考生没有记录任何意见（不是“不通过”），"
                    "请逐个审核（review list --finding …）。")
    if result.needs_review:
        ctx.out.say(f"注意：{result.needs_review} 名考生的审核意见已不成立（出现新问题或依据已消除），已跳过，"
                    "请逐个重新审核（review list --needs-review）。")
    if result.skipped_waived:
        ctx.out.say(f"已放弃报名的 {result.skipped_waived} 名考生不审核，已跳过。")
    if result.skipped_later:
        ctx.out.say(f"已过审核阶段（已公示、已确认或已锁定）的 {result.skipped_later} 名考生已跳过。")
    return 0


def register(sub: Subparsers) -> None:
    revsub = group(sub, "review", "资格审查")
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
