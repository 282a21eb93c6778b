"""Who is acting, and at which desk: every service call that changes data needs it."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from app.errors import PermissionDenied

ROLES: dict[str, str] = {
    "admin": "系统管理员",
    "secretary": "学院经办人",
    "counsellor": "辅导员",
    "reviewer": "审核人（学生处/教务处）",
    "central": "招生办（综合协调组）",
    "supervisor": "纪检监察",
}

# Who may change the roster (import, edit). Supervisors and reviewers only read.
ROSTER_EDITORS = ("admin", "secretary", "counsellor")


@dataclass(frozen=True)
class Actor:
    username: str
    display_name: str
    role: str

    @property
    def label(self) -> str:
        return f"{self.display_name}（{self.username}）"


def cli_actor() -> Actor:
    """Batch work from ``regdesk-cli`` is done by the machine's login user, with admin rights."""
    try:
        login = getpass.getuser()
    except OSError:
        login = "unknown"
    return Actor(username=f"cli:{login}", display_name=f"命令行 {login}", role="admin")


def require_role(actor: Actor, allowed: tuple[str, ...], what: str) -> None:
    if actor.role not in allowed:
        names = "、".join(ROLES[r] for r in allowed)
        raise PermissionDenied(f"“{ROLES.get(actor.role, actor.role)}”角色不能{what}，需要：{names}。")
