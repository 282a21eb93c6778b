"""Errors the user can act on. Each carries a Chinese message saying what went wrong and what to do."""

from __future__ import annotations


class AppError(Exception):
    """Base for every error with a message fit to show the user as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ValidationError(AppError):
    """A value the user typed or imported is not acceptable. ``field`` names the field."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(AppError):
    pass


class ConflictError(AppError):
    pass


class AuthError(AppError):
    pass


class PermissionDenied(AppError):
    pass


class BadFileError(AppError):
    """A file that cannot be read at all (wrong format, encrypted, corrupt, empty)."""


class Cancelled(AppError):
    def __init__(self, message: str = "操作已取消，未做任何更改。") -> None:
        super().__init__(message)


class BusyError(AppError):
    """Another operation (an import on another desk window, a command-line run) kept the database
    busy for longer than a user would wait."""

    def __init__(self, waited: float) -> None:
        super().__init__(f"数据库正被另一项操作（例如正在导入名单或在另一个窗口、命令行中操作）占用，已等待 {waited:.0f} 秒。"
                         "本次修改没有保存。请等那项操作完成后再试一次。")
        self.waited = waited
