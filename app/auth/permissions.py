"""Who may do what: one table of roles and their permissions, used by the services and the UI alike.

Services call ``require(actor, permission, **context)`` before they change or hand out data; it
raises ``PermissionDenied`` with a Chinese message naming the roles that may. The UI calls
``allowed(role, permission)`` (and ``permits`` / ``decidable_offices`` where the answer depends on
more than the role) to decide what it shows, so a button is never offered that the service refuses.

The table is README.md's role table (“角色 / Roles”) written out permission by permission; change
both together. One permission also depends on who the user is, not only their role:
``review.decide`` for an office (``office=``): a reviewer records the opinion of their own office
(学生处 ``conduct`` or 教务处 ``academic``, ``Actor.office``), the college office (学院经办人) the
二级学院 opinion (``college``), and the administrator any of the three.
"""

from __future__ import annotations

from collections.abc import Callable

from app.auth.actor import REVIEWER_OFFICES, ROLES, Actor
from app.domain.review import OFFICES
from app.errors import PermissionDenied

# permission -> what it lets one do, as the refusal says it (“……不能{what}”).
PERMISSIONS: dict[str, str] = {
    "roster.view": "查看考生名单",
    "roster.import": "导入名单",
    "roster.export_full": "导出完整名单（含身份证号和联系电话）",
    "candidate.add": "新增考生",
    "candidate.edit": "修改考生信息",
    "capture.take": "现场确认采集（照片、身份证、指纹和证明材料）",
    "reference.import": "导入核对名单",
    "review.view": "查看资格审查",
    "review.run": "运行资格审查比对",
    "review.decide": "填写审核意见",
    "waiver.record": "登记或撤回放弃报名",
    "print.waiver": "打印附件1（放弃报名考试资格申请书）",
    "print.forms": "打印附件2–4 和公示名单",
    "documents.view": "查看打印记录、核对纸质件",
    "audit.read": "查看审计记录",
    "settings.edit": "修改设置",
    "users.manage": "管理用户",
    "demo.create": "生成演示数据",
}

_EVERYONE = frozenset({"roster.view", "documents.view", "audit.read"})

# role -> its permissions. README.md “角色 / Roles” says the same in words.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(PERMISSIONS),
    "secretary": _EVERYONE | {
        "roster.import", "roster.export_full", "candidate.add", "candidate.edit", "capture.take",
        "reference.import", "review.view", "review.run", "review.decide", "waiver.record",
        "print.waiver", "print.forms", "settings.edit"},
    "counsellor": _EVERYONE | {"candidate.edit", "capture.take", "waiver.record", "print.waiver"},
    "reviewer": _EVERYONE | {"reference.import", "review.view", "review.run", "review.decide",
                             "print.waiver", "print.forms"},
    "central": _EVERYONE,
    "supervisor": _EVERYONE | {"review.view"},
}

# The offices each role may record a review decision for; "own" is the reviewer's own office.
_DECIDE_OFFICES: dict[str, tuple[str, ...]] = {
    "admin": ("academic", "conduct", "college"),
    "secretary": ("college",),
    "reviewer": ("own",),
}

# A narrower permission a role may hold instead (the refusal says what the role may do instead).
_NARROWER: dict[str, tuple[str, str]] = {
    "print.forms": ("print.waiver", "只能为学生打印附件1（放弃报名考试资格申请书）"),
}


def _check(permission: str) -> None:
    if permission not in PERMISSIONS:
        raise ValueError(f"unknown permission {permission!r}")


def allowed(role: str, permission: str) -> bool:
    """Whether ``role`` holds ``permission`` at all (what the UI shows or hides by)."""
    _check(permission)
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def roles_with(permission: str) -> tuple[str, ...]:
    _check(permission)
    return tuple(r for r in ROLES if permission in ROLE_PERMISSIONS[r])


def decidable_offices(actor: Actor) -> tuple[str, ...]:
    """The review offices (``academic``, ``conduct``, ``college``) ``actor`` may record a decision for."""
    if not allowed(actor.role, "review.decide"):
        return ()
    offices: list[str] = []
    for office in _DECIDE_OFFICES.get(actor.role, ()):
        if office == "own":
            if actor.office in REVIEWER_OFFICES:
                offices.append(actor.office)
        else:
            offices.append(office)
    return tuple(offices)


def _decide_refusal(actor: Actor, office: str | None = None) -> str | None:
    if office is None:
        return None  # the role holds it; which office is checked when the office is known
    if office in decidable_offices(actor):
        return None
    label = OFFICES.get(office, office)
    if actor.role == "reviewer":
        if actor.office not in REVIEWER_OFFICES:
            return ("您的账号还没有设置所属部门（学生处或教务处），不能填写审核意见。请系统管理员在“用户管理”中设置"
                    "（命令行：regdesk-cli user set 用户名 --office conduct|academic）。")
        own = REVIEWER_OFFICES[actor.office]
        return f"您是{own}的审核人，只能填写{own}的审核意见，不能填写{label}的意见。"
    mine = "、".join(OFFICES[o] for o in decidable_offices(actor))
    return (f"“{ROLES.get(actor.role, actor.role)}”只能填写{mine}的审核意见；{label}的意见由{label}的审核人"
            "（或系统管理员）填写。")


# permission -> a check of the call's context, once the role holds the permission: the refusal, or None.
_CONTEXT_RULES: dict[str, Callable[..., str | None]] = {
    "review.decide": _decide_refusal,
}


def refusal(actor: Actor, permission: str, *, what: str = "", **context: object) -> str | None:
    """Why ``actor`` may not do it (in Chinese), or None when they may.

    ``what`` names the act in the message when it is more exact than the permission's own words
    (“打印附件3”); ``context`` is what a permission's rule looks at (``office=`` for ``review.decide``).
    """
    _check(permission)
    what = what or PERMISSIONS[permission]
    if not allowed(actor.role, permission):
        role = actor.role_label
        who = "、".join(ROLES[r] for r in roles_with(permission))
        narrower = _NARROWER.get(permission)
        if narrower is not None and allowed(actor.role, narrower[0]):
            return f"“{role}”角色{narrower[1]}，不能{what}；请由{who}办理。"
        return f"“{role}”角色不能{what}，需要：{who}。"
    rule = _CONTEXT_RULES.get(permission)
    return rule(actor, **context) if rule is not None else None


def permits(actor: Actor, permission: str, **context: object) -> bool:
    """Whether ``actor`` may do it in this context (``require`` without raising)."""
    return refusal(actor, permission, **context) is None


def require(actor: Actor, permission: str, *, what: str = "", **context: object) -> None:
    """Raise ``PermissionDenied`` (its message in Chinese) unless ``actor`` may do it.

    Services call this first, before they read a file or open a transaction, so a refused call
    writes nothing."""
    message = refusal(actor, permission, what=what, **context)
    if message is not None:
        raise PermissionDenied(message)
