"""``regdesk-cli demo``: a demo college with its people, candidates and sample reference lists.

Which folder it may use is decided in ``app.cli.main`` before the database is opened (a real
install is left exactly as it is); the decision arrives here as ``args.demo_folder``.
"""

from __future__ import annotations

import argparse

from app.cli.context import CliContext
from app.cli.parser import Subparsers, command
from app.demo.folder import LEGACY
from app.demo.service import DEMO_ADMIN, DEMO_PASSWORD
from app.tasks import CancelToken


def cmd_demo(ctx: CliContext, args: argparse.Namespace) -> int:
    progress = ctx.progress()
    cancel = CancelToken()
    try:
        if args.force and ctx.container.setup.info() is not None:
            result = ctx.container.demo.create(ctx.actor, args.candidates, args.seed, force=True,
                                               progress=progress, cancel=cancel)
        else:
            result = ctx.container.demo.setup_demo_install(ctx.actor, args.candidates, args.seed,
                                                           samples=not args.no_samples,
                                                           adopt=getattr(args, "demo_folder", "") == LEGACY,
                                                           progress=progress, cancel=cancel)
    finally:
        progress.finish()
    existing = ctx.container.candidates.count()
    if ctx.json:
        ctx.out.emit({"ok": True, "data_dir": ctx.container.data_dir if not args.db else None,
                      "created": result.created, "classes": result.classes,
                      "counsellors": result.counsellors, "users_created": list(result.users_created),
                      "initialised": result.initialised, "candidates": existing,
                      "samples": list(result.samples), "samples_folder": result.samples_folder,
                      "reviewed": result.reviewed, "with_findings": result.with_findings})
        return 0
    info = ctx.container.setup.info()
    if not args.data and not args.db:
        ctx.out.say(f"演示数据文件夹：{ctx.container.data_dir}（其他命令请加 --data {ctx.container.data_dir}）")
    if result.initialised and info is not None:
        ctx.out.say(f"已初始化演示学院 {info.college_code} {info.college_name}（报名点“{info.desk_name}”），"
                    f"管理员 {DEMO_ADMIN}，密码 {DEMO_PASSWORD}。")
    if result.users_created:
        ctx.out.say(f"已新建演示用户：{'、'.join(result.users_created)}（密码均为 {DEMO_PASSWORD}）。")
    if result.created:
        ctx.out.say(f"已生成演示数据：{result.created} 名考生，{result.classes} 个班级，{result.counsellors} 名辅导员。")
    else:
        ctx.out.say(f"名单中已有 {existing} 名考生，未重复生成演示数据（如需追加，请加 --force）。")
    if result.samples:
        where = f"（文件在 {result.samples_folder}）" if result.samples_folder else ""
        labels = {"academic": "教务处学籍名单", "conduct": "学生处处分名单", "majors": "专业对照表"}
        ctx.out.say(f"已导入样例核对名单：{'、'.join(labels[k] for k in result.samples)}{where}。")
    if result.reviewed:
        ctx.out.say(f"已运行资格审查比对：{result.with_findings} 名考生有问题（regdesk-cli review list 查看）。")
    return 0


def register(sub: Subparsers) -> None:
    p = command(sub, "demo", cmd_demo, "生成演示学院和演示考生（未初始化时先初始化）")
    p.add_argument("--candidates", type=int, default=600, metavar="N", help="演示考生人数（默认 600）")
    p.add_argument("--seed", type=int, default=2026, help="随机种子（同一种子生成相同的数据）")
    p.add_argument("--force", action="store_true", help="演示名单中已有考生时仍然追加演示考生")
    p.add_argument("--no-samples", action="store_true",
                   help="只生成学院、账号和考生，不导入样例学籍/处分/专业对照名单，也不运行比对")
