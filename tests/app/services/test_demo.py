"""The demo college: a realistic, valid, deterministic generated roster written in one audited step."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.container import Container
from app.domain import candidate as rules
from app.domain import fields, idnumber
from app.errors import Cancelled, ConflictError, NotFoundError, PermissionDenied, ValidationError
from app.services.audit import AuditService
from app.services.context import Actor
from app.services.demo import DEMO_PASSWORD, DemoResult, generate
from app.tasks import CancelToken
from db.models import AuditEvent, Candidate

ACTOR = Actor("tester", "测试", "admin")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Container, DemoResult]]:
    """One demo install for the read-only checks (generating 600 people once keeps the module fast)."""
    c = Container.open(tmp_path_factory.mktemp("demo"))
    try:
        yield c, c.demo.setup_demo_install(ACTOR)
    finally:
        c.close()


@pytest.fixture(scope="module")
def people(demo) -> list[SimpleNamespace]:
    """Every demo candidate as plain values (ORM rows expire when the read session ends)."""
    c, _ = demo
    columns = [col.key for col in Candidate.__table__.columns]
    with c.db.read() as s:
        return [SimpleNamespace(**{k: getattr(p, k) for k in columns}, college_name=p.college.name)
                for p in s.scalars(select(Candidate))]


def test_setup_demo_install_makes_a_ready_college(demo, people):
    c, result = demo
    assert result.initialised
    assert (result.created, result.classes, result.counsellors) == (600, 15, 5)
    assert len(people) == 600
    info = c.setup.info()
    assert (info.college_code, info.college_name, info.desk_name) == ("1001", "信息工程学院", "演示报名点")
    assert {p.college_name for p in people} == {"信息工程学院"}
    assert set(result.users_created) == {"fdy01", "jjjc", "jbr"}


@pytest.mark.parametrize(("username", "role"), [("admin", "admin"), ("fdy01", "counsellor"),
                                                ("jjjc", "supervisor"), ("jbr", "secretary")])
def test_demo_users_log_in_with_the_demo_password(demo, username, role):
    c, _ = demo
    assert c.setup.login(username, DEMO_PASSWORD).role == role


def test_demo_counsellor_account_is_one_of_the_roster_counsellors(demo, people):
    c, _ = demo
    fdy = next(u for u in c.setup.list_users() if u.username == "fdy01")
    assert fdy.display_name in {p.counsellor for p in people}


def test_id_numbers_are_valid_unique_and_match_gender_and_birth_date(people):
    assert len({p.id_number for p in people}) == len(people)
    for p in people:
        info = idnumber.parse(p.id_number)
        assert info.gender == p.gender
        assert info.birth_date == p.birth_date
    henan = [p for p in people if p.id_number.startswith("41")]
    assert len(henan) > 0.95 * len(people)
    assert {p.birth_date.year for p in henan if p.category != "退役大学生士兵"} <= {2002, 2003, 2004, 2005}


def test_every_record_passes_the_import_and_editor_check(people):
    for p in people:
        raw = {name: getattr(p, name) for name in rules.FIELD_NAMES}
        result = rules.check(raw)
        assert result.ok, (p.name, result.problems)
        assert result.data.as_dict() == raw


def test_student_numbers_and_phones_are_unique_and_well_formed(people):
    numbers = [p.student_no for p in people]
    assert all(n and n.isdigit() and n.startswith("2023") for n in numbers)
    assert len(set(numbers)) == len(numbers)
    assert len({p.phone for p in people}) == len(people)
    assert all(fields.phone(p.phone) == p.phone and re.fullmatch(r"1[3-9]\d{9}", p.phone) for p in people)


def test_names_look_real(people):
    names = [p.name for p in people]
    assert all(2 <= len(n) <= 4 or "·" in n for n in names)
    assert all(fields.name(n) == n for n in names)
    surnames = Counter(n[0] for n in names)
    assert surnames.most_common(1)[0][0] in "王李张刘"
    dotted = [p for p in people if "·" in p.name]
    assert dotted and all(p.ethnicity in {"维吾尔族", "哈萨克族"} for p in dotted)
    ethnicity = Counter(p.ethnicity for p in people)
    assert ethnicity["汉族"] > 0.9 * len(people)
    assert len(ethnicity) > 2


def test_classes_majors_and_counsellors_fit_together(people):
    classes = {p.class_name for p in people}
    assert len(classes) == 15
    majors = {p.major for p in people}
    assert 4 <= len(majors) <= 5
    for p in people:
        assert re.fullmatch(rf"{re.escape(p.major)}2023级\d+班", p.class_name)
    by_counsellor: dict[str, set[str]] = {}
    for p in people:
        by_counsellor.setdefault(p.counsellor, set()).add(p.class_name)
    assert all(1 <= len(cls) <= 3 for cls in by_counsellor.values())
    # Each class has exactly one counsellor.
    assert len({(p.class_name, p.counsellor) for p in people}) == len(classes)


def test_intended_majors_suit_the_college_major(people):
    ordinary = [p for p in people if not p.art_sports]
    assert all(p.intended_major for p in people)
    electronics = {p.intended_major for p in ordinary if p.major == "电子信息工程技术"}
    assert electronics <= {"电子信息工程", "通信工程", "物联网工程", "电子科学与技术"}
    assert "软件工程" in {p.intended_major for p in ordinary if p.major == "软件技术"}


def test_some_veterans_still_need_their_service_dates(people):
    veterans = [p for p in people if p.category == "退役大学生士兵"]
    missing = [p for p in veterans if p.veteran_service_start is None]
    assert missing and len(missing) < len(veterans)


def test_all_four_categories_with_their_details(people):
    by_category = Counter(p.category for p in people)
    assert set(by_category) == set(fields.CATEGORIES)
    assert by_category["普通考生"] > 0.8 * len(people)
    assert by_category["原建档立卡考生"] > by_category["退役大学生士兵"] >= 5
    assert by_category["获奖考生"] >= 5
    for p in people:
        if p.category == "退役大学生士兵":
            if p.veteran_service_start is None:  # a to-do the desk completes
                assert p.veteran_service_end is None
                continue
            assert p.veteran_service_start < p.veteran_service_end
        else:
            assert p.veteran_service_start is None and not p.veteran_merits
        if p.category == "获奖考生":
            assert p.award_level in fields.AWARD_LEVELS and p.award_level
            assert "技能大赛" in p.award_name
        else:
            assert not p.award_level and not p.award_name
    assert any(p.veteran_merits for p in people if p.category == "退役大学生士兵")


def test_a_few_art_and_sports_candidates(people):
    flags = Counter(p.art_sports for p in people)
    assert 0 < flags["艺术"] < 20 and 0 < flags["体育"] < 20


def test_audit_trail_shows_the_demo_and_verifies(demo):
    c, _ = demo
    with c.db.read() as s:
        check = AuditService.verify(s)
        assert check.ok, check.problems
        actions = Counter(s.scalars(select(AuditEvent.action)))
        actor, summary = s.execute(select(AuditEvent.actor, AuditEvent.summary)
                                   .where(AuditEvent.action == "demo.create")).one()
    assert actions["demo.create"] == 1
    assert actions["candidate.create"] == 600
    assert actions["user.create"] == 4  # the admin and the three demo users
    assert actor == "tester" and "600 名考生" in summary


def test_setup_demo_install_is_idempotent(demo):
    c, _ = demo
    with c.db.read() as s:
        events = s.scalar(select(func.count()).select_from(AuditEvent))
    again = c.demo.setup_demo_install(ACTOR)
    assert again == DemoResult(created=0, classes=15, counsellors=5)
    assert c.candidates.count() == 600
    with c.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_same_seed_gives_the_same_roster_and_another_seed_another():
    a, b = generate(600, 2026), generate(600, 2026)
    assert a.records == b.records and a.counsellors == b.counsellors and a.staff_names == b.staff_names
    assert generate(600, 7).records != a.records


def test_same_seed_gives_the_same_people_in_two_databases(tmp_path: Path):
    def roster(folder: Path) -> list[tuple]:
        c = Container.open(folder)
        try:
            c.setup.initialise("1001", "信息工程学院", "一号桌")
            c.demo.create(ACTOR, 40, 5)
            return sorted((r.student_no, r.name, r.id_number, r.phone, r.class_name, r.category)
                          for r in c.candidates.rows())
        finally:
            c.close()

    assert roster(tmp_path / "a") == roster(tmp_path / "b")


def test_small_rosters_still_show_every_category():
    records = generate(8, 1).records
    assert {r["category"] for r in records} == set(fields.CATEGORIES)
    with pytest.raises(ValidationError):
        generate(0)


def test_refuses_a_roster_that_has_candidates_unless_forced(container, actor, make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw(student_no="2023010101"))
    with pytest.raises(ConflictError, match="已有 1 名考生"):
        container.demo.create(actor, 50)
    assert container.candidates.count() == 1
    assert {u.username for u in container.setup.list_users()} == {"admin"}

    result = container.demo.create(actor, 50, force=True)
    assert result.created == 50
    rows = container.candidates.rows()
    assert len(rows) == 51
    assert len({r.student_no for r in rows}) == 51  # the generator stepped around 2023010101
    assert len({r.id_number for r in rows}) == 51


def test_refuses_without_set_up_or_admin_rights(tmp_path: Path, container):
    bare = Container.open(tmp_path / "bare")
    try:
        with pytest.raises(NotFoundError, match="尚未设置学院"):
            bare.demo.create(ACTOR, 10)
    finally:
        bare.close()
    with pytest.raises(PermissionDenied):
        container.demo.create(Actor("fdy", "辅导员", "counsellor"), 10)


def test_cancel_writes_nothing(container, actor):
    with container.db.read() as s:
        events = s.scalar(select(func.count()).select_from(AuditEvent))
    token = CancelToken()
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int, _message: str) -> None:
        seen.append((done, total))
        if done >= 200:
            token.cancel()

    with pytest.raises(Cancelled):
        container.demo.create(actor, 600, progress=progress, cancel=token)
    assert seen and seen[-1][0] >= 200
    assert container.candidates.count() == 0
    assert {u.username for u in container.setup.list_users()} == {"admin"}
    with container.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == events
        assert AuditService.verify(s).ok


def test_progress_reaches_the_total(container, actor):
    seen: list[tuple[int, int]] = []
    container.demo.create(actor, 120, progress=lambda d, t, _m: seen.append((d, t)))
    assert seen[0] == (0, 120) and seen[-1] == (120, 120)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
