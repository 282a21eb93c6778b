"""The permissions table walked role by role through the services themselves.

For every role (and a reviewer of each office, and one without an office) and every permission a
service checks: when the table allows it, the call works; when it does not, the call raises
``PermissionDenied`` with a Chinese message and changes nothing — not a row, not a file.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from app.auth import PERMISSIONS, Actor, allowed, decidable_offices
from app.container import Container
from app.domain import idnumber
from app.domain.candidate import LABELS
from app.errors import AppError, PermissionDenied
from app.paths import DB_FILE
from db.audit_anchor import anchor_path
from db.models import Base

ADMIN = "admin"
ADMIN_PASSWORD = "Passw0rd1"

ACTORS: dict[str, Actor] = {
    "admin": Actor("a1", "管理员", "admin"),
    "secretary": Actor("jbr", "经办人", "secretary"),
    "counsellor": Actor("fdy", "辅导员", "counsellor"),
    "reviewer-academic": Actor("jwc", "教务处审核人", "reviewer", "academic"),
    "reviewer-conduct": Actor("xsc", "学生处审核人", "reviewer", "conduct"),
    "reviewer-no-office": Actor("old", "旧审核人", "reviewer"),
    "central": Actor("zsb", "招生办", "central"),
    "supervisor": Actor("jjjc", "纪检", "supervisor"),
}

# README.md “角色 / Roles”, as calls: who may make each one (written out, not read from the table).
MAY: dict[str, set[str]] = {
    "roster.import": {"admin", "secretary"},
    "roster.export_full": {"admin", "secretary"},
    "candidate.add": {"admin", "secretary"},
    "candidate.edit": {"admin", "secretary", "counsellor"},
    "capture.take": {"admin", "secretary", "counsellor"},
    "reference.import": {"admin", "secretary", "reviewer-academic", "reviewer-conduct", "reviewer-no-office"},
    "review.run": {"admin", "secretary", "reviewer-academic", "reviewer-conduct", "reviewer-no-office"},
    "review.decide:academic": {"admin", "reviewer-academic"},
    "review.decide:conduct": {"admin", "reviewer-conduct"},
    "review.decide:college": {"admin", "secretary"},
    "review.approve_clean:academic": {"admin", "reviewer-academic"},
    "review.approve_clean:all": {"admin"},
    "waiver.record:add": {"admin", "secretary", "counsellor"},
    "waiver.record:revoke": {"admin", "secretary", "counsellor"},
    "waiver.record:signed": {"admin", "secretary", "counsellor"},
    "print.waiver": {"admin", "secretary", "counsellor", "reviewer-academic", "reviewer-conduct",
                     "reviewer-no-office"},
    "print.forms": {"admin", "secretary", "reviewer-academic", "reviewer-conduct", "reviewer-no-office"},
    "settings.edit": {"admin", "secretary"},
    "users.manage:create": {"admin"},
    "users.manage:office": {"admin"},
    "demo.create": {"admin"},
}


def _raw(n: int, **over: object) -> dict:
    """A valid candidate record, the same for the same ``n``."""
    male = n % 2 == 0
    raw = {"student_no": f"2023{n:06d}", "name": "王李张刘陈杨黄赵吴周"[n % 10] + "子涵浩然欣怡"[n % 3],
           "gender": "男" if male else "女",
           "id_number": idnumber.make("410102", dt.date(2002, 1, 1) + dt.timedelta(days=n), 11 + 2 * n + (0 if male else 1)),
           "ethnicity": "汉族", "phone": f"138{n:08d}", "class_name": "软件技术2301", "counsellor": "李红",
           "major": "软件技术", "intended_major": "计算机科学与技术", "category": "普通考生"}
    raw.update(over)
    return raw


@pytest.fixture(scope="module")
def _desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A desk with four candidates, the 学籍 list imported and compared, candidate 3 waived, and a
    reviewer without an office (as an upgraded install has): copied for every call."""
    folder = tmp_path_factory.mktemp("auth-desk")
    c = Container.open(folder)
    try:
        c.setup.initialise("1001", "信息工程学院", "一号桌", admin_username=ADMIN, admin_password=ADMIN_PASSWORD)
        admin = c.setup.login(ADMIN, ADMIN_PASSWORD)
        raws = [_raw(n) for n in range(4)]
        for r in raws:
            c.candidates.create(admin, r)
        rows = [["学号", "姓名", "身份证号", "专业", "学籍状态", "预计毕业时间", "不及格课程"]]
        year = c.settings.get("graduation_year")
        rows += [[r["student_no"], r["name"], r["id_number"], r["major"], "在籍", f"{year}-07", ""] for r in raws]
        c.reference.commit(admin, c.reference.preview("academic", _xlsx(folder / "academic.xlsx", rows)))
        c.review.run(admin)
        c.waivers.add(admin, raws[3]["student_no"], "个人原因", dt.date(2026, 3, 1))
        c.setup.create_user(admin, "rv01", "审核人", "reviewer", "Passw0rd9", "academic")
        with c.db.transaction() as s:  # a reviewer from before offices
            from db.models import User
            s.scalar(select(User).where(User.username == "rv01")).office = ""
    finally:
        c.close()
    return folder / DB_FILE


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


@pytest.fixture
def desk(tmp_path: Path, _desk: Path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copyfile(_desk, data / DB_FILE)
    shutil.copyfile(anchor_path(_desk), anchor_path(data / DB_FILE))
    c = Container.open(data)
    try:
        yield c
    finally:
        c.close()


def _snapshot(c: Container, out: Path) -> tuple:
    """Every row of every table, and every file in the data folder and the output folder."""
    with c.db.read() as s:
        rows = tuple((t.name, tuple(map(tuple, s.execute(select(t)).all()))) for t in Base.metadata.sorted_tables)
    files = tuple(sorted((str(p), p.read_bytes()) for folder in (c.data_dir, out) for p in folder.rglob("*")
                         if p.is_file() and not p.name.startswith(DB_FILE)))
    return rows, files


def _roster_file(out: Path) -> Path:
    raw = _raw(40)
    return _xlsx(out, [[LABELS[k] for k in raw], list(raw.values())])


def _call(name: str, c: Container, actor: Actor, out: Path) -> object:
    """Make the call ``name`` stands for; files it reads are written beside ``out``, not in it."""
    inp = out.parent / "in"
    inp.mkdir(exist_ok=True)
    key = _raw(0)["student_no"]
    waived = _raw(3)["student_no"]
    if name == "roster.import":
        return c.roster.commit(actor, c.roster.preview(_roster_file(inp / "roster.xlsx")))
    if name == "roster.export_full":
        return c.roster.export(actor, out / "export.xlsx")
    if name == "candidate.add":
        return c.candidates.create(actor, _raw(50))
    if name == "candidate.edit":
        return c.candidates.update(actor, key, _raw(0, phone="13999999999"))
    if name == "capture.take":
        return c.capture.record(actor, key, "photo", b"not really a jpeg", "jpg")
    if name == "reference.import":
        rows = [["学号", "姓名", "处分", "处分日期", "是否解除"], [key, _raw(0)["name"], "警告", "2025-03-01", "否"]]
        return c.reference.commit(actor, c.reference.preview("conduct", _xlsx(inp / "conduct.xlsx", rows)))
    if name == "review.run":
        return c.review.run(actor)
    if name.startswith("review.decide:"):
        return c.review.decide(actor, key, name.split(":")[1], True)
    if name.startswith("review.approve_clean:"):
        return c.review.approve_clean(actor, name.split(":")[1])
    if name == "waiver.record:add":
        return c.waivers.add(actor, key, "个人原因", dt.date(2026, 3, 2))
    if name == "waiver.record:revoke":
        return c.waivers.revoke(actor, waived, "改变主意", today=dt.date(2026, 3, 3))
    if name == "waiver.record:signed":
        return c.waivers.mark_signed(actor, waived)
    if name == "print.waiver":
        return c.printing.print_form(actor, "附件1", out / "a1.pdf", student=waived)
    if name == "print.forms":
        return c.printing.print_form(actor, "附件3", out / "a3.pdf")
    if name == "settings.edit":
        return c.settings.set(actor, "graduation_year", 2031)
    if name == "users.manage:create":
        return c.setup.create_user(actor, "new01", "新同事", "counsellor", "Passw0rd9")
    if name == "users.manage:office":
        return c.setup.set_office(actor, "rv01", "conduct")
    if name == "demo.create":
        return c.demo.create(actor, 5)
    raise AssertionError(name)


def test_the_walk_covers_every_permission_a_service_checks():
    checked = {name.split(":")[0].replace("review.approve_clean", "review.decide") for name in MAY}
    # The rest are read permissions: the pages the UI shows (tests/ui/test_auth_roles.py).
    assert checked == set(PERMISSIONS) - {
        "roster.view", "documents.view", "audit.read", "review.view"}


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize("call", list(MAY))
def test_each_role_through_each_service(desk, tmp_path: Path, who: str, call: str) -> None:
    actor = ACTORS[who]
    out = tmp_path / "out"
    out.mkdir()
    permission = call.split(":")[0].replace("review.approve_clean", "review.decide")
    if call.startswith(("review.decide:", "review.approve_clean:")):
        office = call.split(":")[1]
        offices = ("academic", "conduct", "college") if office == "all" else (office,)
        table_says = all(o in decidable_offices(actor) for o in offices)
    else:
        table_says = allowed(actor.role, permission)
    assert table_says is (who in MAY[call]), "app.auth disagrees with the README"
    if who in MAY[call]:
        if call == "demo.create":  # this is no demo install: refused for that, not for the role
            with pytest.raises(AppError) as caught:
                _call(call, desk, actor, out)
            assert not isinstance(caught.value, PermissionDenied)
            return
        before = _snapshot(desk, out)
        _call(call, desk, actor, out)
        assert _snapshot(desk, out) != before, "an allowed call that changed nothing"
        return
    before = _snapshot(desk, out)
    with pytest.raises(PermissionDenied) as caught:
        _call(call, desk, actor, out)
    message = caught.value.message
    assert "不能" in message or "只能" in message or "还没有设置所属部门" in message
    if not allowed(actor.role, permission):
        assert f"“{actor.role_label}”" in message  # names the role as people know it
    assert _snapshot(desk, out) == before, "a refused call changed something"


def test_a_reviewers_office_comes_from_the_login(desk) -> None:
    admin = desk.setup.login(ADMIN, ADMIN_PASSWORD)
    desk.setup.set_office(admin, "rv01", "conduct")
    reviewer = desk.setup.login("rv01", "Passw0rd9")
    assert (reviewer.role, reviewer.office, reviewer.role_label) == ("reviewer", "conduct", "审核人（学生处）")
    key = _raw(1)["student_no"]
    assert desk.review.decide(reviewer, key, "conduct", True).decisions["conduct"].reviewer == "rv01"
    with pytest.raises(PermissionDenied, match="您是学生处的审核人"):
        desk.review.decide(reviewer, key, "academic", True)
