"""``regdesk-cli user``: add a user, list the users, set a reviewer's office."""

from __future__ import annotations

import argparse

from app.auth import REVIEWER_OFFICES, ROLES
from app.cli.context import CliContext
from app.cli.parser import Subparsers, command, group


def cmd_user_add(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    password = ctx.password(f"用户 {args.username} 的密码：", args.password, "--password")
    user = ctx.container.setup.create_user(ctx.actor, args.username, args.name, args.role, password, args.office or "")
    if ctx.json:
        ctx.out.emit({"ok": True, "username": user.username, "display_name": user.display_name,
                      "role": user.role, "role_label": ROLES[user.role], "office": user.office})
    else:
        ctx.out.say(f"已新建用户 {user.username}（{user.display_name}，{user.role_label}）。")
    return 0


def cmd_user_set(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    user = ctx.container.setup.set_office(ctx.actor, args.username, args.office)
    if ctx.json:
        ctx.out.emit({"ok": True, "username": user.username, "role": user.role, "office": user.office})
    else:
        ctx.out.say(f"用户 {user.username}（{user.display_name}）现在是{user.role_label}。")
    return 0


def cmd_user_list(ctx: CliContext, args: argparse.Namespace) -> int:
    users = ctx.container.setup.list_users()
    if ctx.json:
        ctx.out.emit({"ok": True, "users": [{"username": u.username, "display_name": u.display_name,
                                             "role": u.role, "role_label": ROLES.get(u.role, u.role),
                                             "office": u.office, "active": u.active} for u in users]})
        return 0
    if not users:
        ctx.out.say("还没有用户。")
    for u in users:
        state = "" if u.active else "（已停用）"
        ctx.out.say(f"{u.username}  {u.display_name}  {u.role_label}{state}")
    return 0


def register(sub: Subparsers) -> None:
    usub = group(sub, "user", "用户")
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
