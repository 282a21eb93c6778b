"""What every ``regdesk-cli`` command is given: the opened install, who acts, and where to write.

A handler is ``handler(ctx: CliContext, args: argparse.Namespace) -> int``; it reaches the
services through ``ctx.container``, acts as ``ctx.actor``, writes through ``ctx.out`` and shows
long work with ``ctx.progress()``.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass

from app.auth import Actor
from app.cli.output import Output, Progress
from app.container import Container
from app.errors import AppError, ValidationError

NOT_INITIALISED = ("尚未初始化，请先运行 regdesk-cli init --college-code 学院代码 --college-name 学院名称"
                   "（或运行 regdesk-cli demo 生成演示学院）。")


class CliError(AppError):
    """An actionable error with extra facts for the ``--json`` error object."""

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.details = details


@dataclass
class CliContext:
    container: Container
    out: Output

    @property
    def json(self) -> bool:
        """``--json`` was given: stdout carries one JSON object and nothing else."""
        return self.out.json

    @property
    def actor(self) -> Actor:
        return self.container.actor

    def require_install(self) -> None:
        if self.container.setup.info() is None:
            raise AppError(NOT_INITIALISED)

    def progress(self) -> Progress:
        """A progress line for one piece of long work; call its ``finish()`` when the work ends."""
        return Progress()

    def password(self, prompt: str, given: str | None, option: str) -> str:
        """The password given with ``option``, or typed twice at the terminal."""
        if given is not None:
            return given
        if not sys.stdin.isatty():
            raise ValidationError(f"未提供密码：请用 {option} 指定，或在终端中运行以便输入密码。", "password")
        first = getpass.getpass(prompt)
        second = getpass.getpass("再输入一次：")
        if first != second:
            raise ValidationError("两次输入的密码不一致。", "password")
        return first


Handler = Callable[[CliContext, argparse.Namespace], int]
