"""``regdesk-cli settings``: show the settings and change them (several in one transaction)."""

from __future__ import annotations

import argparse
import datetime as dt

from app.cli.context import CliContext, CliError
from app.cli.parser import Subparsers, command, group


def _setting_text(value: object) -> str:
    if value is None:
        return "（未设置）"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def cmd_settings_show(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.settings.service import DEFINITIONS

    values = ctx.container.settings.all()
    if ctx.json:
        ctx.out.emit({"ok": True, "settings": values})
        return 0
    for key, value in values.items():
        ctx.out.say(f"{key}（{DEFINITIONS[key].label}）：{_setting_text(value)}")
    return 0


def cmd_settings_set(ctx: CliContext, args: argparse.Namespace) -> int:
    ctx.require_install()
    from app.settings.service import DEFINITIONS

    values: dict[str, str] = {}
    for assignment in args.assignments:
        key, sep, value = assignment.partition("=")
        if not sep:
            raise CliError(f"请写成 KEY=VALUE，例如 waiver_deadline=2026-12-20（收到“{assignment}”）。")
        values[key.strip()] = value
    stored = ctx.container.settings.set_many(ctx.actor, values)
    if ctx.json:
        if len(stored) == 1:
            (key, value), = stored.items()
            ctx.out.emit({"ok": True, "key": key, "value": value, "settings": stored})
        else:
            ctx.out.emit({"ok": True, "settings": stored})
    else:
        for key, value in stored.items():
            ctx.out.say(f"已设置 {DEFINITIONS[key].label}：{_setting_text(value)}")
    return 0


def register(sub: Subparsers) -> None:
    ssub = group(sub, "settings", "设置（毕业年份、截止日期、公示日期）", "设置")
    command(ssub, "show", cmd_settings_show, "列出全部设置")
    p = command(ssub, "set", cmd_settings_set, "修改设置，可一次多项，例如 settings set publicity_start=2026-03-10 "
                "publicity_end=2026-03-16（值为空则恢复默认）")
    p.add_argument("assignments", metavar="KEY=VALUE", nargs="+")
