"""First-run set-up, users and login."""

import pytest
from sqlalchemy import select

from app.audit.service import AuditService
from app.auth import Actor
from app.container import Container
from app.errors import AuthError, ConflictError, PermissionDenied, ValidationError
from db.models import User


def test_uninitialised_install_has_no_info(tmp_path):
    c = Container.open(tmp_path / "fresh")
    try:
        assert c.setup.info() is None
        assert not c.setup.has_users()
    finally:
        c.close()


def test_set_up_twice_is_refused(container):
    with pytest.raises(ConflictError):
        container.setup.initialise("1001", "信息工程学院", "二号桌")


@pytest.mark.parametrize(("code", "name", "desk", "field"), [
    ("", "学院", "桌", "college_code"),
    ("10 01", "学院", "桌", "college_code"),
    ("1001", " ", "桌", "college_name"),
    ("1001", "学院", "", "desk_name"),
    ("1001", "学" * 101, "桌", "college_name"),  # longer than the column: refused alike on every backend
    ("1001", "学院", "桌" * 101, "desk_name"),
])
def test_set_up_validates(tmp_path, code, name, desk, field):
    c = Container.open(tmp_path / "v")
    try:
        with pytest.raises(ValidationError) as err:
            c.setup.initialise(code, name, desk)
        assert err.value.field == field
    finally:
        c.close()


def test_passwords_are_stored_as_argon2_hashes(container):
    with container.db.read() as s:
        stored = s.scalar(select(User.password_hash).where(User.username == "admin"))
    assert stored.startswith("$argon2id$")
    assert "Passw0rd1" not in stored


def test_login_good_and_bad_are_audited(container):
    actor = container.setup.login("admin", "Passw0rd1")
    assert actor.role == "admin"
    with pytest.raises(AuthError, match="用户名或密码不正确"):
        container.setup.login("admin", "wrong-password1")
    with pytest.raises(AuthError):
        container.setup.login("nobody", "Passw0rd1")
    with container.db.read() as s:
        actions = [e.action for e in AuditService.entries(s, limit=5)]
    assert actions[:3] == ["user.login_failed", "user.login_failed", "user.login"]


def test_weak_passwords_are_refused(container, actor):
    with pytest.raises(ValidationError, match="至少 8 位"):
        container.setup.create_user(actor, "fdy01", "王老师", "counsellor", "short1")
    with pytest.raises(ValidationError, match="字母和数字"):
        container.setup.create_user(actor, "fdy01", "王老师", "counsellor", "onlyletters")


def test_only_admins_create_users(container, actor):
    container.setup.create_user(actor, "fdy01", "王老师", "counsellor", "Teacher123")
    counsellor = container.setup.login("fdy01", "Teacher123")
    assert counsellor == Actor("fdy01", "王老师", "counsellor")
    with pytest.raises(PermissionDenied):
        container.setup.create_user(counsellor, "fdy02", "李老师", "counsellor", "Teacher123")
    with pytest.raises(ConflictError, match="已存在"):
        container.setup.create_user(actor, "fdy01", "王老师", "counsellor", "Teacher123")


def test_change_password(container, actor):
    with pytest.raises(AuthError, match="原密码"):
        container.setup.change_password(actor, "nope", "NewPass123")
    container.setup.change_password(actor, "Passw0rd1", "NewPass123")
    assert container.setup.login("admin", "NewPass123").username == "admin"


def test_names_as_long_as_their_columns_are_kept_and_longer_ones_refused(tmp_path, container, actor):
    # PostgreSQL enforces VARCHAR lengths (SQLite does not): the service says so in Chinese first.
    c = Container.open(tmp_path / "long")
    try:
        c.setup.initialise("1001", "学" * 100, "桌" * 100, admin_username="admin", admin_name="管" * 64,
                           admin_password="Passw0rd1")
        info = c.setup.info()
        assert (info.college_name, info.desk_name) == ("学" * 100, "桌" * 100)
    finally:
        c.close()
    assert container.setup.create_user(actor, "zs", "张" * 64, "counsellor", "abc12345").display_name == "张" * 64
    with pytest.raises(ValidationError) as err:
        container.setup.create_user(actor, "ls", "李" * 65, "counsellor", "abc12345")
    assert err.value.field == "display_name" and "过长" in err.value.message
