"""``regdesk-cli user``: add a user, list the users."""

from __future__ import annotations

import argparse

from app.cli.context import CliContext
from app.cli.parser import Subparsers, command, group
from app.services.context import ROLES


def cmd_user_add(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    password = ctx.password(f"用户 {args.username} 的密码：", args.password, "--password")
    user = ctx.container.setup.create_user(ctx.actor, args.username, args.name, args.role, password)
    if ctx.json:
        ctx.out.emit({"ok": True, "username": user.username, "display_name": user.display_name,
                      "role": user.role, "role_label": ROLES[user.role]})
    else:
        ctx.out.say(f"已新建用户 {user.username}（{user.display_name}，{ROLES[user.role]}）。")
    return 0


def cmd_user_list(ctx: CliContext, args: argparse.Namespace) -> int:
    users = ctx.container.setup.list_users()
    if ctx.json:
        ctx.out.emit({"ok": True, "users": [{"username": u.username, "display_name": u.display_name,
                                             "role": u.role, "role_label": ROLES.get(u.role, u.role),
                                             "active": u.active} for u in users]})
        return 0
    if not users:
        ctx.out.say("还没有用户。")
    for u in users:
        state = "" if u.active else "（已停用）"
        ctx.out.say(f"{u.username}  {u.display_name}  {ROLES.get(u.role, u.role)}{state}")
    return 0


def register(sub: Subparsers) -> None:
    usub = group(sub, "user", "用户")
    p = command(usub, "add", cmd_user_add, "新建用户")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--role", required=True, choices=tuple(ROLES),
                   help="角色：" + "，".join(f"{k}={v}" for k, v in ROLES.items()))
    p.add_argument("--name", required=True, metavar="NAME", help="姓名")
    p.add_argument("--password", metavar="PW", help="密码（不给出时在终端中输入）")
    command(usub, "list", cmd_user_list, "列出用户")
