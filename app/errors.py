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
