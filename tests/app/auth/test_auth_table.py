"""The permissions table itself: it says what README.md's role table says, and its answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.auth import (
    PERMISSIONS,
    ROLE_PERMISSIONS,
    ROLES,
    Actor,
    allowed,
    decidable_offices,
    permits,
    refusal,
    require,
    roles_with,
)
from app.errors import PermissionDenied

README = Path(__file__).resolve().parents[3] / "README.md"

# README.md “角色 / Roles”, written out by hand: the table in app/auth must say the same.
EXPECTED: dict[str, set[str]] = {
    "admin": set(PERMISSIONS),
    "secretary": {"roster.view", "roster.import", "roster.export_full", "candidate.add", "candidate.edit",
                  "capture.take", "reference.import", "review.view", "review.run", "review.decide",
                  "waiver.record", "print.waiver", "print.forms", "documents.view", "audit.read", "settings.edit"},
    "counsellor": {"roster.view", "candidate.edit", "capture.take", "waiver.record", "print.waiver",
                   "documents.view", "audit.read"},
    "reviewer": {"roster.view", "reference.import", "review.view", "review.run", "review.decide", "print.waiver",
                 "print.forms", "documents.view", "audit.read"},
    "central": {"roster.view", "documents.view", "audit.read"},
    "supervisor": {"roster.view", "review.view", "documents.view", "audit.read"},
}


def _readme_roles() -> dict[str, str]:
    """The README's role table: code -> its 权限 cell."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## 角色 / Roles", 1)[1].split("\n#", 1)[0]
    rows = re.findall(r"^\| *([^|]+?) *\| *`(\w+)` *\| *([^|]+?) *\|$", section, flags=re.M)
    return {code: rights for _name, code, rights in rows}


def test_the_readme_lists_every_role_and_no_other():
    assert set(_readme_roles()) == set(ROLES)


def test_the_table_is_the_readme_role_by_role():
    assert {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()} == EXPECTED
    for role, perms in EXPECTED.items():
        for permission in PERMISSIONS:
            assert allowed(role, permission) is (permission in perms), (role, permission)


def test_the_readme_says_what_the_issue_found_wrong():
    """The three mismatches issue 10 names, as the README now words them."""
    rows = _readme_roles()
    assert "不能导入、导出名单或新增考生" in rows["counsellor"]
    assert "不能导出名单" in rows["supervisor"] and "不能导出名单" in rows["central"]
    assert "只能填写本部门" in rows["reviewer"]
    assert "二级学院" in rows["secretary"]


def test_roles_with_names_them_in_readme_order():
    assert roles_with("roster.export_full") == ("admin", "secretary")
    assert roles_with("candidate.edit") == ("admin", "secretary", "counsellor")
    assert roles_with("users.manage") == ("admin",)


def test_an_unknown_permission_or_role():
    with pytest.raises(ValueError):
        allowed("admin", "roster.delete_everything")
    assert not allowed("janitor", "roster.view")
    with pytest.raises(PermissionDenied, match="“janitor”角色不能查看考生名单"):
        require(Actor("x", "某人", "janitor"), "roster.view")


@pytest.mark.parametrize(("actor", "offices"), [
    (Actor("a", "管理员", "admin"), ("academic", "conduct", "college")),
    (Actor("j", "经办人", "secretary"), ("college",)),
    (Actor("r", "教务处", "reviewer", "academic"), ("academic",)),
    (Actor("x", "学生处", "reviewer", "conduct"), ("conduct",)),
    (Actor("n", "未设部门", "reviewer"), ()),
    (Actor("f", "辅导员", "counsellor"), ()),
    (Actor("s", "纪检", "supervisor"), ()),
    (Actor("c", "招生办", "central"), ()),
])
def test_who_records_which_office(actor, offices):
    assert decidable_offices(actor) == offices
    for office in ("academic", "conduct", "college"):
        assert permits(actor, "review.decide", office=office) is (office in offices)


def test_the_refusals_say_why_in_chinese():
    assert refusal(Actor("f", "辅导员", "counsellor"), "roster.import") == \
        "“辅导员”角色不能导入名单，需要：系统管理员、学院经办人。"
    assert refusal(Actor("s", "纪检", "supervisor"), "roster.export_full") == \
        "“纪检监察”角色不能导出完整名单（含身份证号和联系电话），需要：系统管理员、学院经办人。"
    assert refusal(Actor("r", "教务处", "reviewer", "academic"), "review.decide", office="conduct") == \
        "您是教务处的审核人，只能填写教务处的审核意见，不能填写学生处的意见。"
    assert "还没有设置所属部门" in refusal(Actor("n", "未设部门", "reviewer"), "review.decide", office="academic")
    assert refusal(Actor("j", "经办人", "secretary"), "review.decide", office="academic") == \
        "“学院经办人”只能填写二级学院的审核意见；教务处的意见由教务处的审核人（或系统管理员）填写。"
    assert refusal(Actor("f", "辅导员", "counsellor"), "print.forms", what="打印附件3") == \
        "“辅导员”角色只能为学生打印附件1（放弃报名考试资格申请书），不能打印附件3；请由系统管理员、学院经办人、审核人（学生处/教务处）办理。"
    # The role is named as people know it, with a reviewer's office.
    assert refusal(Actor("r", "教务处", "reviewer", "academic"), "settings.edit") == \
        "“审核人（教务处）”角色不能修改设置，需要：系统管理员、学院经办人。"
    assert refusal(Actor("a", "管理员", "admin"), "review.decide", office="conduct") is None
