"""The rules for user names and passwords, shared by the set-up, the users screen and the CLI."""

from __future__ import annotations

import re

from app.errors import ValidationError

MIN_PASSWORD = 8


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"密码至少 {MIN_PASSWORD} 位。", "password")
    if password.isdigit() or password.isalpha():
        raise ValidationError("密码须同时包含字母和数字。", "password")


def check_username(username: str) -> str:
    """The user name as stored (trimmed), or ``ValidationError``."""
    username = username.strip()
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{2,32}", username):
        raise ValidationError("用户名只能用 2–32 位字母、数字、下划线、点或连字符。", "username")
    return username
