"""``regdesk-cli init``: this install's college, desk and first administrator."""

from __future__ import annotations

import argparse

from app.cli.context import CliContext
from app.cli.parser import Subparsers, command


def cmd_init(ctx: CliContext, args: argparse.Namespace) -> int:
    password = None
    if args.admin:
        password = ctx.password(f"管理员 {args.admin} 的密码：", args.admin_password, "--admin-password")
    info = ctx.container.setup.initialise(args.college_code, args.college_name, args.desk,
                                          admin_username=args.admin, admin_name=args.admin_name or "",
                                          admin_password=password or "", role=args.role,
                                          actor=ctx.actor.username)
    if ctx.json:
        ctx.out.emit({"ok": True, "college_code": info.college_code, "college_name": info.college_name,
                      "desk_name": info.desk_name, "desk_uuid": info.desk_uuid, "role": info.role,
                      "admin": args.admin, "data_dir": ctx.container.data_dir})
    else:
        ctx.out.say(f"已设置学院 {info.college_code} {info.college_name}，报名点“{info.desk_name}”。")
        if args.admin:
            ctx.out.say(f"已新建管理员 {args.admin}。")
    return 0


def register(sub: Subparsers) -> None:
    p = command(sub, "init", cmd_init, "设置本机的学院和报名点（首次使用）")
    p.add_argument("--college-code", required=True, metavar="CODE", help="学院代码")
    p.add_argument("--college-name", required=True, metavar="NAME", help="学院名称")
    p.add_argument("--desk", default="报名点1", metavar="NAME", help="本报名点的名称（默认：报名点1）")
    p.add_argument("--role", choices=("college", "central"), default="college", help="安装类型（默认 college）")
    p.add_argument("--admin", metavar="USER", help="同时新建的管理员用户名")
    p.add_argument("--admin-name", metavar="NAME", help="管理员的姓名")
    p.add_argument("--admin-password", metavar="PW", help="管理员密码（不给出时在终端中输入）")
