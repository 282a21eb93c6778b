"""The demo college: a realistic, valid, deterministic generated roster written in one audited step."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from app.audit.service import AuditService
from app.auth import Actor
from app.container import Container
from app.demo.service import DEMO_PASSWORD, PROGRAMME_YEARS, DemoResult, generate
from app.domain import candidate as rules
from app.domain import fields, idnumber
from app.errors import Cancelled, ConflictError, NotFoundError, PermissionDenied, ValidationError
from app.tasks import CancelToken
from db.models import AuditEvent, Candidate

ACTOR = Actor("tester", "测试", "admin")


@pytest.fixture
def demo_desk(tmp_path: Path) -> Iterator[Container]:
    """An empty demo install (set up by the demo's path, marked as a demo), no candidates yet."""
    c = Container.open(tmp_path / "demo-desk")
    try:
        c.setup.initialise("1001", "信息工程学院", "演示报名点", admin_username="admin",
                           admin_password=DEMO_PASSWORD, demo=True)
        yield c
    finally:
        c.close()


@pytest.fixture
def demo_actor(demo_desk: Container) -> Actor:
    return demo_desk.setup.login("admin", DEMO_PASSWORD)


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


def test_student_numbers_and_phones_are_unique_and_well_formed(demo, people):
    cohort = str(demo[0].demo.graduation_year() - PROGRAMME_YEARS)
    numbers = [p.student_no for p in people]
    assert all(n and n.isdigit() and n.startswith(cohort) for n in numbers)
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


def test_classes_majors_and_counsellors_fit_together(demo, people):
    cohort = demo[0].demo.graduation_year() - PROGRAMME_YEARS
    classes = {p.class_name for p in people}
    assert len(classes) == 15
    majors = {p.major for p in people}
    assert 4 <= len(majors) <= 5
    for p in people:
        assert re.fullmatch(rf"{re.escape(p.major)}{cohort}级\d+班", p.class_name)
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
            c.setup.initialise("1001", "信息工程学院", "演示报名点", demo=True)
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


def test_refuses_a_roster_that_has_candidates_unless_forced(demo_desk, demo_actor, make_candidate_raw):
    container, actor = demo_desk, demo_actor
    first_seat = f"{container.demo.graduation_year() - PROGRAMME_YEARS}010101"
    container.candidates.create(actor, make_candidate_raw(student_no=first_seat))
    with pytest.raises(ConflictError, match="已有 1 名考生"):
        container.demo.create(actor, 50)
    assert container.candidates.count() == 1
    assert {u.username for u in container.setup.list_users()} == {"admin"}

    result = container.demo.create(actor, 50, force=True)
    assert result.created == 50
    rows = container.candidates.rows()
    assert len(rows) == 51
    assert len({r.student_no for r in rows}) == 51  # the generator stepped around the first seat
    assert len({r.id_number for r in rows}) == 51


def test_refuses_without_set_up_or_admin_rights(tmp_path: Path, demo_desk):
    bare = Container.open(tmp_path / "bare")
    try:
        with pytest.raises(NotFoundError, match="尚未设置学院"):
            bare.demo.create(ACTOR, 10)
    finally:
        bare.close()
    with pytest.raises(PermissionDenied):
        demo_desk.demo.create(Actor("fdy", "辅导员", "counsellor"), 10)


def test_cancel_writes_nothing(demo_desk, demo_actor):
    container, actor = demo_desk, demo_actor
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


def test_progress_reaches_the_total(demo_desk, demo_actor):
    seen: list[tuple[int, int]] = []
    demo_desk.demo.create(demo_actor, 120, progress=lambda d, t, _m: seen.append((d, t)))
    assert seen[0] == (0, 120) and seen[-1] == (120, 120)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


# -- the mark: demo data only in a demo install -----------------------------------------------------
def test_setup_marks_the_install_as_a_demo(demo):
    c, _ = demo
    assert c.setup.info().demo is True
    with c.db.read() as s:
        after = s.scalar(select(AuditEvent.after).where(AuditEvent.action == "college.setup"))
    assert '"install_kind":"demo"' in after.replace(" ", "")


def _state(c: Container) -> tuple:
    with c.db.read() as s:
        events = s.scalar(select(func.count()).select_from(AuditEvent))
    return (events, c.candidates.count(), [u.username for u in c.setup.list_users()],
            [c.settings.get(k) for k in ("camera_driver", "fingerprint_driver", "idcard_driver", "graduation_year")],
            c.reference.lists())


def test_a_real_install_is_refused_and_left_as_it_was(container, actor):
    from app.demo.folder import NotADemoFolder

    assert container.setup.info().demo is False
    before = _state(container)
    with pytest.raises(NotADemoFolder, match="正式使用"):
        container.demo.setup_demo_install(actor)
    with pytest.raises(NotADemoFolder):
        container.demo.create(actor, 10, force=True)
    with pytest.raises(NotADemoFolder):
        container.demo.import_samples(actor)
    with pytest.raises(NotADemoFolder):
        container.demo.sample_page()
    assert _state(container) == before
    assert container.demo.needs_setup()  # a real install is never a finished demo


def test_adopt_marks_an_older_demo_and_completes_it(container, actor):
    """An install an older version's demo made (unmarked) is marked when the folder check says so."""
    container.setup.create_user(actor, "jbr", "经办人", "secretary", "Passw0rd9")
    result = container.demo.setup_demo_install(actor, 30, adopt=True)
    assert container.setup.info().demo is True
    assert result.created == 30 and result.samples == ("academic", "conduct", "majors") and result.reviewed
    with container.db.read() as s:
        assert s.scalar(select(func.count()).where(AuditEvent.action == "college.mark_demo")) == 1


# -- the sample lists and the review ------------------------------------------------------------
@pytest.mark.sqlite_only("the demo keeps its sample lists beside its own SQLite database only")
def test_the_demo_imports_the_sample_lists_from_its_folder_and_runs_the_review(demo):
    import hashlib

    c, result = demo
    assert result.samples == ("academic", "conduct", "majors") and result.reviewed
    assert result.samples_folder == c.data_dir / "样例名单"
    active = c.reference.active()
    for kind, name in (("academic", "教务处学籍名单.xlsx"), ("conduct", "学生处处分名单.xlsx"),
                       ("majors", "专业对照表.xlsx")):
        path = c.data_dir / "样例名单" / name
        assert path.is_file() and active[kind].file_name == name
        with c.db.read() as s:
            from db.models import ReferenceList

            sha = s.scalar(select(ReferenceList.file_sha256).where(ReferenceList.uuid == active[kind].uuid))
        assert sha == hashlib.sha256(path.read_bytes()).hexdigest()  # the very file the user can open


def test_the_review_has_a_realistic_sprinkle_of_findings(demo):
    c, result = demo
    rows = c.review.list()
    flagged = [r for r in rows if r.findings]
    assert result.with_findings == len(flagged)
    assert 8 <= len(flagged) <= 40  # a sprinkle, not a flood: most of the 600 are clean
    codes = Counter(f.code for r in flagged for f in r.findings)
    assert set(codes) == {"not_in_academic", "name_mismatch", "id_mismatch", "status_not_enrolled",
                          "not_graduating", "failed_courses", "discipline", "major_not_allowed"}
    assert codes["not_in_academic"] == 2 and codes["status_not_enrolled"] == 2 and codes["failed_courses"] == 3
    assert codes["discipline"] == 1  # the lifted one and the other colleges' students are not findings
    sports = {r.student_no for r in rows if r.intended_major in ("社会体育指导与管理", "体育教育")}
    assert sports and {r.student_no for r in flagged
                       if any(f.code == "major_not_allowed" for f in r.findings)} == sports


def test_graduation_dates_follow_the_installs_graduation_year(tmp_path: Path):
    """The sample 学籍 list's dates and the cohort are made for the year the install has."""
    c = Container.open(tmp_path / "d")
    try:
        c.settings.set(ACTOR, "graduation_year", 2031)
        c.demo.setup_demo_install(ACTOR, 60)
        assert {re.search(r"(\d{4})级", r.class_name).group(1) for r in c.candidates.rows()} == {"2028"}
        codes = Counter(f.code for r in c.review.list() for f in r.findings)
        assert codes["not_graduating"] == 1  # only the one planted late graduate
    finally:
        c.close()


def test_the_sample_lists_graduation_year_is_kept_when_the_default_moves_on(demo, demo_desk):
    from db.models import Setting

    c, _ = demo
    with c.db.read() as s:
        assert s.get(Setting, "graduation_year") is not None  # the lists were made for it
    demo_desk.demo.setup_demo_install(ACTOR, 10, samples=False)
    with demo_desk.db.read() as s:
        assert s.get(Setting, "graduation_year") is None  # no lists: the season's default still applies


def test_no_samples_leaves_the_review_empty_and_a_later_setup_completes_it(demo_desk):
    result = demo_desk.demo.setup_demo_install(ACTOR, 20, samples=False)
    assert result.created == 20 and result.samples == () and not result.reviewed
    assert demo_desk.reference.lists() == []
    assert not demo_desk.demo.needs_setup(samples=False) and demo_desk.demo.needs_setup()
    again = demo_desk.demo.setup_demo_install(ACTOR, 20)
    assert again.created == 0 and again.samples == ("academic", "conduct", "majors") and again.reviewed
    assert not demo_desk.demo.needs_setup()


@pytest.mark.sqlite_only("the demo keeps its sample prints beside its own SQLite database only")
def test_the_sample_print_is_a_recorded_document_the_camera_check_matches(demo_desk):
    demo_desk.demo.setup_demo_install(ACTOR, 30, samples=False)
    page = demo_desk.demo.sample_page()
    assert page.ndim == 3 and page.shape[1] > page.shape[0]  # 附件3 is landscape
    pdf = demo_desk.data_dir / "样例打印"
    assert [p.suffix for p in pdf.iterdir()] == [".pdf"]
    assert demo_desk.printing.verify_image(page).status == "match"
    assert len(demo_desk.printing.recent()) == 1
    demo_desk.demo.sample_page()
    assert len(demo_desk.printing.recent()) == 1  # the one on file is used again
    next(pdf.iterdir()).unlink()
    demo_desk.demo.sample_page()
    assert len(demo_desk.printing.recent()) == 2  # gone: printed anew


def test_the_demo_shows_a_college_at_every_stage(tmp_path):
    """Reviewed and passed, flagged and waiting, waived (some with the signed 附件1 back), 公示 dates
    set: every screen and form of the demo has content (附件2 and the 公示 are not empty)."""
    from collections import Counter

    from app.container import Container

    c = Container.open(tmp_path / "demo")
    try:
        c.demo.setup_demo_install(n=300)
        statuses = Counter(r.status for r in c.candidates.rows())
        assert statuses["eligible"] > 200 and statuses["roster"] >= 5 and statuses["waived"] >= 3
        signed = [w for _row, w in c.waivers.list()]
        assert any(w.form_signed for w in signed) and any(not w.form_signed for w in signed)
        assert c.settings.get("publicity_start") and c.settings.get("publicity_end")
        assert not any("公示名单是空的" in w or "公示时间" in w for w in c.printing.check("公示"))
        assert c.audit_log.verify(deep=True).ok
    finally:
        c.close()
