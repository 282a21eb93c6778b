"""The argument parser's pieces that every command module registers with.

A command module's ``register(sub)`` adds its commands to the top-level sub-parser set with
``command`` (one command: its handler, help text and ``--json``) and ``group`` (a command with
actions, such as ``roster import``), so every command is declared the same way.
"""

from __future__ import annotations

import argparse
import sys

from app.cli.context import Handler

# argparse's own words (usage, headings, its error messages), in Chinese: the CLI speaks one language.
_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "options": "选项",
    "positional arguments": "位置参数",
    "show this help message and exit": "显示本帮助并退出",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "无效的%(type)s值：%(value)r",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected %s arguments": "需要 %s 个值",
    "one of the arguments %s is required": "必须给出以下参数之一：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
}

# What ``add_subparsers`` returns; argparse does not name the type publicly.
Subparsers = argparse._SubParsersAction


def speak_chinese() -> None:
    """Make argparse say its own words in Chinese (it looks them up through its module's ``_``)."""
    argparse._ = lambda text: _ARGPARSE_ZH.get(text, text)  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    """argparse with its usage errors in Chinese, still exiting with status 2."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 用法错误：{message}\n")


def add_json(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象（供脚本使用）")


def command(sub: Subparsers, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
    """A command (or a group's action) run by ``handler``; it takes ``--json``."""
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.set_defaults(handler=handler)
    add_json(p)
    return p


def group(sub: Subparsers, name: str, help_text: str, description: str | None = None) -> Subparsers:
    """A command made of actions (``roster import``, ``roster export`` …); add them with ``command``."""
    p = sub.add_parser(name, help=help_text, description=help_text if description is None else description)
    return p.add_subparsers(dest=f"{name.replace('-', '_')}_command", metavar="ACTION", required=True,
                            parser_class=Parser)
