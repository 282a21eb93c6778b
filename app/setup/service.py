"""First-run set-up of this install (college, desk, first administrator) and local user accounts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from app.audit.service import LOCAL_DESK_KEY, AuditService, password_digest
from app.auth import REVIEWER_OFFICES, ROLES, Actor, check_password, check_username, require
from app.errors import AuthError, ConflictError, NotFoundError, ValidationError
from db.models import College, Desk, Meta, User, new_uuid, utcnow
from db.replication import set_local_desk
from db.session import Database

ROLE_KEY = "install_role"  # college | central
# "demo" on an install made by the demo's set-up (``DemoService.setup_demo_install``), in the same
# transaction as the college and desk; absent on a real install. Demo data goes nowhere else.
KIND_KEY = "install_kind"
DEMO_KIND = "demo"


@dataclass(frozen=True)
class InstallInfo:
    college_code: str
    college_name: str
    desk_uuid: str
    desk_name: str
    role: str
    demo: bool = False  # a demo install (made by the demo's set-up); never true of a real one


@dataclass(frozen=True)
class UserInfo:
    username: str
    display_name: str
    role: str
    active: bool
    office: str = ""  # a reviewer's office (app.auth.REVIEWER_OFFICES)

    @property
    def role_label(self) -> str:
        return Actor(self.username, self.display_name, self.role, self.office).role_label


def _check_office(role: str, office: str) -> str:
    """A reviewer belongs to 学生处 or 教务处; no other role has an office."""
    office = (office or "").strip()
    if role == "reviewer":
        if office not in REVIEWER_OFFICES:
            choices = "、".join(f"{label}（{key}）" for key, label in REVIEWER_OFFICES.items())
            raise ValidationError(f"审核人须选择所属部门：{choices}。审核人只能填写本部门的审核意见。", "office")
    elif office:
        raise ValidationError(f"只有审核人有所属部门，“{ROLES.get(role, role)}”不需要设置。", "office")
    return office


def _check_length(text: str, limit: int, label: str, field: str) -> str:
    # The column's length: PostgreSQL refuses a longer value (SQLite would keep it), so both refuse it here.
    if len(text) > limit:
        raise ValidationError(f"{label}过长（超过 {limit} 个字）。", field)
    return text


class SetupService:
    """The install's identity and its users. Passwords are stored as Argon2id hashes."""

    def __init__(self, db: Database, audit: AuditService) -> None:
        self.db = db
        self.audit = audit
        self._hasher = PasswordHasher()

    # -- install ---------------------------------------------------------------------
    def info(self) -> InstallInfo | None:
        with self.db.read() as s:
            meta = s.get(Meta, LOCAL_DESK_KEY)
            if meta is None:
                return None
            desk = s.scalar(select(Desk).where(Desk.uuid == meta.value))
            if desk is None:
                return None
            role = s.get(Meta, ROLE_KEY)
            kind = s.get(Meta, KIND_KEY)
            return InstallInfo(desk.college.code, desk.college.name, desk.uuid, desk.name,
                               role.value if role else "college", demo=kind is not None and kind.value == DEMO_KIND)

    def initialise(self, college_code: str, college_name: str, desk_name: str, *,
                   admin_username: str | None = None, admin_name: str = "", admin_password: str = "",
                   role: str = "college", actor: str = "setup", demo: bool = False) -> InstallInfo:
        """Set up this install's college, desk and first administrator, once.

        ``demo`` marks it as a demo install, for good: only the demo's own set-up passes it.
        """
        college_code, college_name, desk_name = college_code.strip(), college_name.strip(), desk_name.strip()
        if not re.fullmatch(r"[A-Za-z0-9_\-]{1,32}", college_code):
            raise ValidationError("学院代码只能由字母、数字组成（不超过 32 位）。", "college_code")
        if not college_name:
            raise ValidationError("学院名称不能为空。", "college_name")
        if not desk_name:
            raise ValidationError("报名点名称不能为空。", "desk_name")
        _check_length(college_name, 100, "学院名称", "college_name")
        _check_length(desk_name, 100, "报名点名称", "desk_name")
        if role not in ("college", "central"):
            raise ValidationError("安装类型只能是 college 或 central。", "role")
        if admin_username is not None:
            admin_username = check_username(admin_username)
            _check_length(admin_name.strip(), 64, "管理员姓名", "admin_name")
            check_password(admin_password)
        with self.db.transaction() as s:
            if s.get(Meta, LOCAL_DESK_KEY) is not None:
                raise ConflictError("本机已经设置过学院和报名点，不能重复设置。")
            college = s.scalar(select(College).where(College.code == college_code))
            if college is None:
                college = College(code=college_code, name=college_name)
                s.add(college)
            # The desk's key pairs come with the bundles (``Desk.sign_public_key`` …); no secret here.
            desk_uuid = new_uuid()
            set_local_desk(s, desk_uuid)  # what this set-up creates comes from the new desk
            desk = Desk(uuid=desk_uuid, college=college, name=desk_name)
            s.add(desk)
            s.flush()
            s.add(Meta(key=LOCAL_DESK_KEY, value=desk.uuid))
            s.add(Meta(key=ROLE_KEY, value=role))
            if demo:
                s.add(Meta(key=KIND_KEY, value=DEMO_KIND))
            self.audit.desk_uuid, self.audit.desk_name = desk.uuid, desk.name
            after = {"code": college_code, "name": college_name, "desk": desk_name}
            if demo:
                after["install_kind"] = DEMO_KIND
            self.audit.record(s, actor, "college.setup", entity_type="college", entity_uuid=college.uuid,
                              summary=f"设置{'演示' if demo else ''}学院 {college_code} {college_name}，报名点 {desk_name}",
                              after=after)
            if admin_username is not None:
                user = User(username=admin_username, display_name=admin_name.strip() or admin_username,
                            role="admin", password_hash=self._hasher.hash(admin_password))
                s.add(user)
                s.flush()
                self.audit.record(s, actor, "user.create", entity_type="user", entity_uuid=user.uuid,
                                  summary=f"新建管理员 {admin_username}",
                                  after={"username": admin_username, "role": "admin", "office": "",
                                         "display_name": user.display_name,
                                         "password_digest": password_digest(user.password_hash)})
            return InstallInfo(college.code, college.name, desk.uuid, desk.name, role, demo=demo)

    def mark_demo(self, actor: str) -> None:
        """Mark an install made by an older RegDesk's demo set-up (before installs were marked) as a
        demo. Only the demo folder's own check decides that an unmarked install is one."""
        with self.db.transaction() as s:
            if s.get(Meta, LOCAL_DESK_KEY) is None:
                raise NotFoundError("尚未设置学院和报名点。")
            if s.get(Meta, KIND_KEY) is not None:
                return
            s.add(Meta(key=KIND_KEY, value=DEMO_KIND))
            self.audit.record(s, actor, "college.mark_demo", entity_type="meta", entity_uuid=KIND_KEY,
                              summary="标记为演示数据文件夹（由旧版本的演示模式生成）",
                              before={KIND_KEY: None}, after={KIND_KEY: DEMO_KIND})

    # -- users -----------------------------------------------------------------------
    def has_users(self) -> bool:
        with self.db.read() as s:
            return bool(s.scalar(select(func.count()).select_from(User)))

    def create_user(self, actor: Actor, username: str, display_name: str, role: str, password: str,
                    office: str = "") -> UserInfo:
        """A new local account; a reviewer's ``office`` (学生处 ``conduct`` / 教务处 ``academic``) is required."""
        require(actor, "users.manage", what="新建用户")
        username = check_username(username)
        if role not in ROLES:
            raise ValidationError(f"未知角色“{role}”。", "role")
        office = _check_office(role, office)
        _check_length(display_name.strip(), 64, "姓名", "display_name")
        check_password(password)
        with self.db.transaction() as s:
            if s.scalar(select(User).where(User.username == username)):
                raise ConflictError(f"用户名“{username}”已存在。")
            user = User(username=username, display_name=display_name.strip() or username, role=role,
                        office=office, password_hash=self._hasher.hash(password))
            s.add(user)
            s.flush()
            info = UserInfo(user.username, user.display_name, user.role, user.active, user.office)
            self.audit.record(s, actor.username, "user.create", entity_type="user", entity_uuid=user.uuid,
                              summary=f"新建用户 {username}（{info.role_label}）",
                              after={"username": username, "role": role, "office": office,
                                     "display_name": user.display_name,
                                     "password_digest": password_digest(user.password_hash)})
            return info

    def set_office(self, actor: Actor, username: str, office: str) -> UserInfo:
        """Move a reviewer to another office (or give one to a reviewer from before offices)."""
        require(actor, "users.manage", what="修改用户的所属部门")
        with self.db.transaction() as s:
            user = s.scalar(select(User).where(User.username == username.strip()))
            if user is None:
                raise NotFoundError(f"没有用户“{username.strip()}”。")
            office = _check_office(user.role, office)
            if user.role != "reviewer":
                raise ValidationError(f"只有审核人有所属部门，“{ROLES.get(user.role, user.role)}”不需要设置。", "office")
            if user.office != office:
                before = {"office": user.office}
                user.office = office
                user.revision += 1
                user.updated_at = utcnow()
                self.audit.record(s, actor.username, "user.office", entity_type="user", entity_uuid=user.uuid,
                                  summary=f"用户 {user.username} 的所属部门改为{REVIEWER_OFFICES[office]}",
                                  before=before, after={"office": office})
            return UserInfo(user.username, user.display_name, user.role, user.active, user.office)

    def list_users(self) -> list[UserInfo]:
        with self.db.read() as s:
            return [UserInfo(u.username, u.display_name, u.role, u.active, u.office)
                    for u in s.scalars(select(User).order_by(User.username))]

    def login(self, username: str, password: str) -> Actor:
        """Check a password; every attempt, good or bad, is audited."""
        username = username.strip()
        with self.db.transaction() as s:
            user = s.scalar(select(User).where(User.username == username))
            ok = False
            if user is not None and user.active:
                try:
                    ok = self._hasher.verify(user.password_hash, password)
                except (VerificationError, InvalidHashError):
                    ok = False
            if not ok:
                self.audit.record(s, username or "?", "user.login_failed", entity_type="user",
                                  entity_uuid=user.uuid if user else "", summary=f"用户 {username} 登录失败")
            else:
                assert user is not None
                rehashed = None
                if self._hasher.check_needs_rehash(user.password_hash):
                    user.password_hash = self._hasher.hash(password)
                    rehashed = {"password_digest": password_digest(user.password_hash)}
                user.last_login_at = utcnow()
                self.audit.record(s, user.username, "user.login", entity_type="user", entity_uuid=user.uuid,
                                  summary=f"用户 {user.username} 登录", after=rehashed)
                return Actor(user.username, user.display_name, user.role, user.office)
        raise AuthError("用户名或密码不正确。")

    def change_password(self, actor: Actor, old: str, new: str) -> None:
        check_password(new)
        with self.db.transaction() as s:
            user = s.scalar(select(User).where(User.username == actor.username))
            if user is None:
                raise NotFoundError("当前用户不存在。")
            try:
                self._hasher.verify(user.password_hash, old)
            except (VerificationError, InvalidHashError):
                raise AuthError("原密码不正确。") from None
            user.password_hash = self._hasher.hash(new)
            self.audit.record(s, actor.username, "user.password", entity_type="user", entity_uuid=user.uuid,
                              summary=f"用户 {user.username} 修改密码",
                              after={"password_digest": password_digest(user.password_hash)})
