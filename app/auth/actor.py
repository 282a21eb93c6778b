"""Who is acting, and in which role: every service call that changes data is given one."""

from __future__ import annotations

import getpass
from dataclasses import dataclass

ROLES: dict[str, str] = {
    "admin": "系统管理员",
    "secretary": "学院经办人",
    "counsellor": "辅导员",
    "reviewer": "审核人（学生处/教务处）",
    "central": "招生办（综合协调组）",
    "supervisor": "纪检监察",
}

# The offices a reviewer belongs to (users.office): a reviewer records the opinion of their own
# office only. The third office of the review, 二级学院 ("college"), is the college office's own
# (学院经办人, 系统管理员), so it is no reviewer's office. The keys are app.domain.review.OFFICES'.
REVIEWER_OFFICES: dict[str, str] = {"conduct": "学生处", "academic": "教务处"}


@dataclass(frozen=True)
class Actor:
    username: str
    display_name: str
    role: str
    office: str = ""  # a reviewer's office (REVIEWER_OFFICES), "" for every other role

    @property
    def label(self) -> str:
        return f"{self.display_name}（{self.username}）"

    @property
    def role_label(self) -> str:
        """The role as people call it, with a reviewer's office: “审核人（教务处）”."""
        if self.role == "reviewer" and self.office in REVIEWER_OFFICES:
            return f"审核人（{REVIEWER_OFFICES[self.office]}）"
        return ROLES.get(self.role, self.role)


def cli_actor() -> Actor:
    """Batch work from ``regdesk-cli`` is done by the machine's login user, with admin rights."""
    try:
        login = getpass.getuser()
    except OSError:
        login = "unknown"
    return Actor(username=f"cli:{login}", display_name=f"命令行 {login}", role="admin")
