"""Demo data: a populated demo college so every screen shows real content.

``generate`` is pure (seeded, deterministic); ``DemoService`` writes its output through the same
record check as import and editing, in one transaction, with the audit trail showing it.
``setup_demo_install`` turns an empty database into a ready demo install (``regdesk --demo`` and
``regdesk-cli demo`` both use it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import random
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import func, select

from app.audit.service import AuditService, EventSpec, password_digest, uuid4_batch
from app.auth import ROLES, Actor, require
from app.demo.folder import DEMO_DESK_NAME, NotADemoFolder
from app.demo.samples import SAMPLES_FOLDER, Person, sample_lists, write_samples
from app.documents.printing import PrintingService
from app.domain import candidate as rules
from app.domain import demo_names as names
from app.domain import idnumber
from app.domain.candidate import CandidateData
from app.errors import AppError, ConflictError, NotFoundError, ValidationError
from app.review.reference import KINDS as REFERENCE_KINDS
from app.review.reference import ReferenceService
from app.review.service import LAST_RUN as REVIEW_LAST_RUN
from app.review.service import ReviewService, RunResult
from app.settings.service import DEFINITIONS, SettingsService
from app.setup.college import desk_college, desk_college_or_none
from app.setup.service import InstallInfo, SetupService
from app.tasks import CancelToken, Progress, no_progress
from db.bulk import bulk_insert
from db.models import Candidate, Setting, User, new_uuid, utcnow
from db.replication import insert_values
from db.session import Database

COHORT = 2023  # the cohort when no graduation year is given: the 2023级 graduates in 2026
PROGRAMME_YEARS = 3  # a 专科 programme: the cohort sits the 专升本 exam in its final year
CLASS_SIZE = 40
CLASSES_PER_COUNSELLOR = 3

DEMO_COLLEGE_CODE = "1001"
DEMO_COLLEGE_NAME = "信息工程学院"
DEMO_PASSWORD = "Demo1234"
DEMO_ADMIN = "admin"
# username, role; display names come from the generated roster (the counsellor is a real one).
DEMO_USERS: tuple[tuple[str, str], ...] = (("fdy01", "counsellor"), ("jjjc", "supervisor"), ("jbr", "secretary"))

# Who set up the demo when nobody is logged in yet (``regdesk --demo`` on a fresh database).
DEMO_ACTOR = Actor(username="demo", display_name="演示模式", role="admin")

_BATCH = 100
PRINT_FOLDER = "样例打印"
SAMPLE_PRINT = "附件3_报名申请总表（样例）.pdf"
SAMPLE_DPI = 150
NOT_A_DEMO_INSTALL = ("这里是正式使用的 RegDesk 数据，不是演示数据文件夹：演示数据（演示考生、公开密码的演示账号、"
                      "模拟设备）只能放在演示数据文件夹中。要查看演示，请使用单独的演示文件夹或一个新的空文件夹。")


@dataclass(frozen=True)
class DemoResult:
    created: int
    classes: int
    counsellors: int
    users_created: tuple[str, ...] = ()
    initialised: bool = False
    samples: tuple[str, ...] = ()  # the sample reference lists imported by this call (kinds)
    samples_folder: Path | None = None  # where their .xlsx files are
    reviewed: bool = False  # the review was run by this call
    with_findings: int = 0  # candidates the review found problems with


@dataclass
class DemoRoster:
    """Generated records (raw field dicts, as a user would type them) and the class layout."""

    records: list[dict[str, object]]
    classes: list[str]
    counsellors: list[str]
    staff_names: dict[str, str] = field(default_factory=dict)  # demo username -> display name


# -- generation ------------------------------------------------------------------------------
class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self._surnames = [s for s, _ in names.SURNAMES]
        self._surname_weights = [w for _, w in names.SURNAMES]

    def han_name(self, male: bool) -> str:
        rng = self.rng
        surname = rng.choices(self._surnames, self._surname_weights)[0]
        chars = names.MALE_CHARS if male else names.FEMALE_CHARS
        roll = rng.random()
        # Compound surnames take a one-character given name more often, as in life.
        if roll < (0.5 if len(surname) > 1 else 0.22):
            return surname + rng.choice([c for c in chars if c not in names.NOT_ALONE])
        if roll < 0.75:
            return surname + rng.choice(names.MALE_GIVEN if male else names.FEMALE_GIVEN)
        first = rng.choice(chars)
        second = rng.choice([c for c in chars if c != first and c not in "一子"])
        return surname + first + second

    def birth(self, years: tuple[int, ...], weights: tuple[int, ...]) -> dt.date:
        year = self.rng.choices(years, weights)[0]
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    def id_number(self, area: str, birth: dt.date, male: bool, used: set[str]) -> str:
        while True:
            # Odd sequence = male, even = female (GB 11643); never 000.
            seq = self.rng.randrange(0, 500) * 2 + 1 if male else self.rng.randrange(1, 500) * 2
            number = idnumber.make(area, birth, seq)
            if number not in used:
                used.add(number)
                return number

    def phone(self, used: set[str]) -> str:
        while True:
            number = self.rng.choice(names.PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in used:
                used.add(number)
                return number


def _quota(n: int, share: float) -> int:
    """At least one of each kind once the roster is big enough to show them all."""
    return max(1 if n >= 8 else 0, round(n * share))


def _class_layout(n: int) -> list[tuple[int, int]]:
    """(major index, class number within the major) for each class, majors in their shares."""
    pattern = [i for i, (_, share, _) in enumerate(names.MAJORS) for _ in range(share)]
    count = max(1, math.ceil(n / CLASS_SIZE))
    per_major: dict[int, int] = {}
    layout = []
    for k in range(count):
        major = pattern[k % len(pattern)]
        per_major[major] = per_major.get(major, 0) + 1
        layout.append((major, per_major[major]))
    return sorted(layout)


def generate(n: int = 600, seed: int = 2026, *, used_ids: set[str] | None = None,
             used_student_nos: set[str] | None = None, cohort: int = COHORT) -> DemoRoster:
    """A realistic roster of ``n`` candidates of the ``cohort`` (年级); the same seed gives the same roster.

    ``used_ids``/``used_student_nos`` are numbers already taken (a roster being added to): the
    generated ones avoid them.
    """
    if n < 1:
        raise ValidationError("演示考生人数至少为 1。", "n")
    gen = _Gen(seed)
    rng = gen.rng
    used_ids = set(used_ids or ())
    used_snos = set(used_student_nos or ())
    used_phones: set[str] = set()

    layout = _class_layout(n)
    classes = [f"{names.MAJORS[m][0]}{cohort}级{c}班" for m, c in layout]
    counsellor_count = math.ceil(len(classes) / CLASSES_PER_COUNSELLOR)
    counsellors: list[str] = []
    while len(counsellors) < counsellor_count:
        candidate_name = gen.han_name(male=rng.random() < 0.4)
        if candidate_name not in counsellors:
            counsellors.append(candidate_name)
    sizes = [n // len(classes) + (1 if i < n % len(classes) else 0) for i in range(len(classes))]

    order = list(range(n))
    rng.shuffle(order)
    n_vet, n_award, n_poor = _quota(n, 0.02), _quota(n, 0.015), _quota(n, 0.07)
    veterans = set(order[:n_vet])
    awards = set(order[n_vet:n_vet + n_award])
    poor = set(order[n_vet + n_award:n_vet + n_award + n_poor])
    ordinary = order[n_vet + n_award:]
    rng.shuffle(ordinary)
    n_art, n_sports, n_dot = _quota(n, 0.01), _quota(n, 0.005), _quota(n, 0.008)
    art = set(ordinary[:n_art])
    sports = set(ordinary[n_art:n_art + n_sports])
    dot_names = set(ordinary[n_art + n_sports:n_art + n_sports + n_dot])

    minority_names = [e for e, _ in names.OTHER_MINORITIES]
    minority_weights = [w for _, w in names.OTHER_MINORITIES]
    seq_width = max(2, len(str(max(sizes))))
    class_width = max(2, len(str(max(c for _, c in layout))))

    records: list[dict[str, object]] = []
    i = 0
    for class_index, ((major_index, class_no), class_name) in enumerate(zip(layout, classes, strict=True)):
        major, _, intended_choices = names.MAJORS[major_index]
        counsellor = counsellors[class_index // CLASSES_PER_COUNSELLOR]
        for seat in range(1, sizes[class_index] + 1):
            is_vet = i in veterans
            male = rng.random() < (0.85 if is_vet else 0.62)
            ethnicity = "汉族"
            area = rng.choice(names.HENAN_AREAS)
            if i in dot_names:
                name = rng.choice(names.DOT_NAMES_MALE if male else names.DOT_NAMES_FEMALE)
                ethnicity, area = rng.choice(names.DOT_NAME_ORIGINS)
            else:
                name = gen.han_name(male)
                if rng.random() < 0.03:
                    ethnicity = rng.choices(minority_names, minority_weights)[0]
            if is_vet:
                birth = gen.birth((2000, 2001, 2002), (2, 3, 2))
            else:
                birth = gen.birth((2002, 2003, 2004, 2005), (1, 3, 6, 2))
            sno = f"{cohort}{major_index + 1:02d}{class_no:0{class_width}d}{seat:0{seq_width}d}"
            while sno in used_snos:  # only when adding to an existing roster
                sno = str(int(sno) + 1)
            used_snos.add(sno)
            rec: dict[str, object] = {
                "student_no": sno,
                "name": name,
                "gender": "男" if male else "女",
                "id_number": gen.id_number(area, birth, male, used_ids),
                "ethnicity": ethnicity,
                "phone": gen.phone(used_phones),
                "class_name": class_name,
                "counsellor": counsellor,
                "major": major,
                "intended_major": rng.choices(intended_choices, [4, *[2] * (len(intended_choices) - 1)])[0],
                "category": "普通考生",
            }
            if is_vet:
                year = rng.choice((2020, 2021))
                month = rng.choice((3, 9)) if year >= 2021 else 9
                start = dt.date(year, month, rng.randrange(1, 16))
                rec.update(category="退役大学生士兵", veteran_service_start=start,
                           veteran_service_end=dt.date(year + 2, month, rng.randrange(1, 16)),
                           veteran_merits=rng.choice(names.VETERAN_MERITS))
                if i % 3 == 0:  # as 学生处 rosters often are: no service dates yet (a to-do to show)
                    rec.update(veteran_service_start=None, veteran_service_end=None)
            elif i in awards:
                level = rng.choices(("省级一等奖", "国家级三等奖", "国家级二等奖", "国家级一等奖"),
                                    (5, 3, 2, 1))[0]
                national, provincial = names.AWARD_CONTESTS[major]
                contest = provincial if level.startswith("省") else national
                rec.update(category="获奖考生", award_level=level,
                           award_name=f"{rng.choice((2024, 2025))}年{contest}{level[-3:]}")
            elif i in poor:
                rec["category"] = "原建档立卡考生"
            if i in art:
                rec.update(art_sports="艺术", intended_major=rng.choice(names.ART_MAJORS))
            elif i in sports:
                rec.update(art_sports="体育", intended_major=rng.choice(names.SPORTS_MAJORS))
            records.append(rec)
            i += 1

    staff = {"fdy01": counsellors[0]}
    for username, _ in DEMO_USERS[1:]:
        staff[username] = gen.han_name(male=rng.random() < 0.5)
    return DemoRoster(records=records, classes=classes, counsellors=counsellors, staff_names=staff)


# -- service ---------------------------------------------------------------------------------
class DemoService:
    """Makes and fills demo installs: the generated roster, the demo accounts, the mock devices, the
    sample reference lists with the review run once, and a printed sample page for the camera.

    Demo data goes only into a demo install (marked so by ``setup_demo_install`` when it sets the
    install up); every writing call here refuses a real one.
    """

    def __init__(self, db: Database, audit: AuditService, setup: SetupService | None = None, *,
                 settings: SettingsService | None = None, reference: ReferenceService | None = None,
                 review: ReviewService | None = None, printing: PrintingService | None = None,
                 folder: Path | None = None) -> None:
        """``folder``: the install's data folder, where the sample lists and the sample print are
        written for the user to look at (None with a database URL: they go to a temporary folder)."""
        self.db = db
        self.audit = audit
        self.setup = setup or SetupService(db, audit)
        self.settings = settings or SettingsService(db, audit)
        self.reference = reference or ReferenceService(db, audit)
        self.review = review or ReviewService(db, audit)
        self.printing = printing or PrintingService(db, audit)
        self.folder = Path(folder) if folder is not None else None
        self._hasher = PasswordHasher()

    def _require_demo_install(self) -> InstallInfo:
        info = self.setup.info()
        if info is None:
            raise NotFoundError("尚未设置学院和报名点，请先完成初始设置。")
        if not info.demo:
            raise NotADemoFolder(NOT_A_DEMO_INSTALL)
        return info

    def is_demo(self) -> bool:
        info = self.setup.info()
        return info is not None and info.demo

    def graduation_year(self) -> int:
        return int(self.settings.get("graduation_year"))  # type: ignore[arg-type]

    def create(self, actor: Actor, n: int = 600, seed: int = 2026, *, force: bool = False,
               progress: Progress | None = None, cancel: CancelToken | None = None) -> DemoResult:
        """Add ``n`` generated candidates (and the missing demo users) in one transaction.

        Only in a demo install. Refuses when the roster already has candidates unless ``force``.
        The cohort is the one graduating in the install's ``graduation_year``.
        """
        require(actor, "demo.create")
        progress = progress or no_progress
        self._require_demo_install()
        cohort = self.graduation_year() - PROGRAMME_YEARS
        with self.db.transaction() as s:
            existing = s.scalar(select(func.count()).select_from(Candidate)) or 0
            if existing and not force:
                raise ConflictError(f"名单中已有 {existing} 名考生，不能再生成演示数据。"
                                    "如确需在演示名单中追加，请使用“强制追加”（--force）。")
            used_ids: set[str] = set()
            used_snos: set[str] = set()
            if existing:
                for id_number, sno in s.execute(select(Candidate.id_number, Candidate.student_no)):
                    used_ids.add(id_number)
                    if sno:
                        used_snos.add(sno)
            progress(0, n, "正在生成演示考生…")
            roster = generate(n, seed, used_ids=used_ids, used_student_nos=used_snos, cohort=cohort)
            college = desk_college(s)  # set-up made it
            checked: list[CandidateData] = []
            for k, raw in enumerate(roster.records):
                if k % _BATCH == 0 and cancel is not None:
                    cancel.raise_if_cancelled()
                result = rules.check(raw)
                if not result.ok or result.data is None:
                    # The generator and the rules disagree: a bug, not something a user can fix.
                    raise RuntimeError(f"generated record {raw} fails the check: {result.problems}")
                checked.append(result.data)

            users_created = self._create_missing_users(s, actor, roster)
            self.audit.record(
                s, actor.username, "demo.create", entity_type="college", entity_uuid=college.uuid,
                summary=(f"生成演示数据：{len(checked)} 名考生，{len(roster.classes)} 个班级，"
                         f"{len(roster.counsellors)} 名辅导员"),
                after={"candidates": len(checked), "seed": seed, "classes": roster.classes,
                       "counsellors": roster.counsellors, "users": list(users_created)})
            # Rows go in as batched INSERTs; the events follow, chained in one pass by ``record_many``.
            table = Candidate.__table__
            uuids = list(uuid4_batch(len(checked)))
            fixed = insert_values(s)
            for start in range(0, len(checked), _BATCH):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                progress(start // 2, n, "正在写入演示考生…")
                bulk_insert(s, table, [
                    {"uuid": uuid, "college_id": college.id, **fixed, "status": "roster",
                     "serial_number": None, **data.as_dict()}
                    for uuid, data in zip(uuids[start:start + _BATCH], checked[start:start + _BATCH],
                                          strict=True)])
            events = [EventSpec("candidate.create", "candidate", uuid, f"新增考生 {data.name}（演示数据）",
                                None, {k: v for k, v in data.as_dict().items() if v})
                      for uuid, data in zip(uuids, checked, strict=True)]
            self.audit.record_many(s, actor.username, events, cancel=cancel,
                                   progress=lambda d, _t, _m: progress((n + d) // 2, n, "正在写入审计记录…"))
            progress(n, n, "演示数据已生成。")
            return DemoResult(created=len(checked), classes=len(roster.classes),
                              counsellors=len(roster.counsellors), users_created=users_created)

    def _create_missing_users(self, s, actor: Actor, roster: DemoRoster) -> tuple[str, ...]:
        created = []
        for username, role in DEMO_USERS:
            if s.scalar(select(User.id).where(User.username == username)) is not None:
                continue
            display = roster.staff_names.get(username) or username
            user = User(uuid=new_uuid(), username=username, display_name=display, role=role,
                        password_hash=self._hasher.hash(DEMO_PASSWORD))
            s.add(user)
            self.audit.record(s, actor.username, "user.create", entity_type="user", entity_uuid=user.uuid,
                              summary=f"新建演示用户 {username}（{ROLES[role]}）",
                              after={"username": username, "role": role, "office": "", "display_name": display,
                                     "password_digest": password_digest(user.password_hash)})
            created.append(username)
        return tuple(created)

    def _use_mock_devices(self, actor: Actor) -> None:
        """A demo desk captures from the simulated camera, fingerprint reader and chip reader.

        Only unset driver settings are filled in: a demo folder someone pointed at real devices keeps them.
        """
        with self.db.transaction() as s:
            for key in ("camera_driver", "fingerprint_driver", "idcard_driver"):
                if s.get(Setting, key) is not None:
                    continue
                s.add(Setting(key=key, value='"mock"', updated_at=utcnow(), updated_by=actor.username))
                s.flush()
                self.audit.record(s, actor.username, "setting.set", entity_type="setting", entity_uuid=key,
                                  summary=f"{DEFINITIONS[key].label}：mock（演示模式使用模拟设备）",
                                  before={key: None}, after={key: "mock"})

    def _pin_graduation_year(self, actor: Actor) -> int:
        """The graduation year the sample lists are made for, stored when they are: their dates must
        not stop fitting when the default moves on with the season (from July, next year's).

        Written here with its own audit event: ``SettingsService.set`` records nothing when the value
        stored equals the default it replaces, and every stored row must have its event."""
        key = "graduation_year"
        with self.db.transaction() as s:
            year = int(SettingsService.read(s, key))  # type: ignore[arg-type]
            if s.get(Setting, key) is None:
                s.add(Setting(key=key, value=json.dumps(year), updated_at=utcnow(), updated_by=actor.username))
                s.flush()
                self.audit.record(s, actor.username, "setting.set", entity_type="setting", entity_uuid=key,
                                  summary=f"{DEFINITIONS[key].label}：{year}（演示的样例名单按此年份生成）",
                                  before={key: None}, after={key: year})
        return year

    # -- the sample reference lists and the review ------------------------------------------------
    def _people(self) -> tuple[list[Person], str]:
        with self.db.read() as s:
            home = desk_college_or_none(s)
            college = home.name if home else ""
            rows = s.execute(select(Candidate.student_no, Candidate.name, Candidate.id_number, Candidate.major,
                                    Candidate.category, Candidate.art_sports).order_by(Candidate.student_no))
            return [Person(sno or "", name, idn, major or "", category or "", art or "")
                    for sno, name, idn, major, category, art in rows], college

    def samples_folder(self) -> Path | None:
        return self.folder / SAMPLES_FOLDER if self.folder is not None else None

    def import_samples(self, actor: Actor, seed: int = 2026, *, progress: Progress | None = None,
                       cancel: CancelToken | None = None) -> tuple[str, ...]:
        """Write the sample 学籍/处分/专业对照 lists (``demo_samples``) and import, through the reference
        import, each kind that was never imported here; returns the kinds imported."""
        self._require_demo_install()
        progress = progress or no_progress
        missing = [k for k in REFERENCE_KINDS if k not in {x.kind for x in self.reference.lists()}]
        if not missing:
            return ()
        people, college = self._people()
        if not people:
            return ()
        lists = sample_lists(people, self._pin_graduation_year(actor), seed, college)
        with contextlib.ExitStack() as stack:
            folder = self.samples_folder()
            if folder is None:
                folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="regdesk-demo-")))
            paths = write_samples(folder, lists)
            for kind in missing:
                progress(0, 0, f"正在导入样例{REFERENCE_KINDS[kind]}…")
                preview = self.reference.preview(kind, paths[kind], cancel=cancel)
                self.reference.commit(actor, preview, cancel=cancel)
        return tuple(missing)

    def review_once(self, actor: Actor, *, progress: Progress | None = None,
                    cancel: CancelToken | None = None) -> RunResult | None:
        """Run the review if it never ran here and a 学籍 list is in (so the review screen has findings)."""
        self._require_demo_install()
        with self.db.read() as s:
            if SettingsService.read_internal(s, REVIEW_LAST_RUN) is not None:
                return None
        if self.reference.active().get("academic") is None:
            return None
        run = self.review.run(actor, progress=progress, cancel=cancel)
        self._later_stages(actor)
        return run

    def _later_stages(self, actor: Actor) -> None:
        """The college a few days on: the offices passed everyone without findings (审核通过), a
        handful waived (half of them with the signed 附件1 back), the 公示 dates set. The students
        with findings are left for the user to review: so every screen and form has its content."""
        from app.review.service import WaiverService

        self.review.approve_clean(actor, "all")
        waivers = WaiverService(self.db, self.audit, self.review.writer)
        with self.db.read() as s:
            eligible = list(s.scalars(select(Candidate.uuid).where(Candidate.status == "eligible")
                                      .order_by(Candidate.student_no)))
        for n, uuid in enumerate(eligible[7::75][:8]):
            waivers.add(actor, uuid, ("已找到工作，不再参加考试", "准备参军入伍", "身体原因", "家庭原因")[n % 4])
            if n % 2 == 0:
                waivers.mark_signed(actor, uuid, True)
        today = dt.date.today()
        self.settings.set_many(actor, {"publicity_start": today.isoformat(),
                                       "publicity_end": (today + dt.timedelta(days=6)).isoformat()})

    # -- the sample print ---------------------------------------------------------------------------
    def sample_page(self, *, progress: Progress | None = None, cancel: CancelToken | None = None):
        """Page 1 of the demo's printed 附件3 (BGR ``numpy`` array at 150 dpi), for the mock camera to
        show so that the camera check of a printed page can be tried.

        The PDF lies in the demo folder (``样例打印``); when it is missing, or this install has no
        record of printing it, it is printed again (recorded as a printed document, as the print
        screen would).
        """
        import numpy as np

        self._require_demo_install()
        progress = progress or no_progress
        with contextlib.ExitStack() as stack:
            folder = self.folder / PRINT_FOLDER if self.folder is not None else \
                Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="regdesk-demo-")))
            pdf = folder / SAMPLE_PRINT
            page = None
            if pdf.is_file():
                try:
                    page = self._first_page(pdf)
                except AppError:
                    page = None
                if page is not None and self.printing.verify_image(page).status in ("no_code", "unknown"):
                    page = None  # printed by another install (the folder was copied): print anew
            if page is None:
                folder.mkdir(parents=True, exist_ok=True)
                progress(0, 0, "正在打印样例页（附件3）…")
                self.printing.print_form(DEMO_ACTOR, "summary", pdf, cancel=cancel)
                page = self._first_page(pdf)
            return np.ascontiguousarray(page)

    @staticmethod
    def _first_page(pdf: Path):
        from app.documents import raster

        rgb = next(iter(raster.render_pages(pdf, SAMPLE_DPI, first=1, last=1)))
        return rgb[:, :, ::-1]

    # -- the whole demo ---------------------------------------------------------------------------
    def needs_setup(self, *, samples: bool = True) -> bool:
        """Whether ``setup_demo_install`` has anything left to do here (a cheap read)."""
        info = self.setup.info()
        if info is None or not info.demo:
            return True
        with self.db.read() as s:
            if not s.scalar(select(func.count()).select_from(Candidate)):
                return True
            if any(s.get(Setting, k) is None for k in ("camera_driver", "fingerprint_driver", "idcard_driver")):
                return True
            if samples and SettingsService.read_internal(s, REVIEW_LAST_RUN) is None:
                return True
        return samples and len({x.kind for x in self.reference.lists()}) < len(REFERENCE_KINDS)

    def setup_demo_install(self, actor: Actor = DEMO_ACTOR, n: int = 600, seed: int = 2026, *,
                           samples: bool = True, adopt: bool = False, progress: Progress | None = None,
                           cancel: CancelToken | None = None) -> DemoResult:
        """Make this database a ready demo install, doing only what is still missing.

        On an uninitialised database: college 1001 信息工程学院, desk 演示报名点 (marked as a demo
        install), administrator admin/Demo1234, the demo users and the generated roster. Then, with
        ``samples``, the sample reference lists are imported and the review is run once. A real
        install is refused (``NotADemoFolder``) and left as it was; ``adopt`` marks an unmarked one
        (only for a folder ``check_demo_folder`` found to be an older version's demo).
        """
        initialised = False
        info = self.setup.info()
        if info is None:
            self.setup.initialise(DEMO_COLLEGE_CODE, DEMO_COLLEGE_NAME, DEMO_DESK_NAME,
                                  admin_username=DEMO_ADMIN, admin_name="系统管理员",
                                  admin_password=DEMO_PASSWORD, actor=actor.username, demo=True)
            initialised = True
        elif not info.demo:
            if not adopt:
                raise NotADemoFolder(NOT_A_DEMO_INSTALL)
            self.setup.mark_demo(actor.username)
        self._use_mock_devices(actor)
        with self.db.read() as s:
            existing = s.scalar(select(func.count()).select_from(Candidate)) or 0
        if existing:
            with self.db.read() as s:
                classes = s.scalar(select(func.count(func.distinct(Candidate.class_name)))) or 0
                counsellors = s.scalar(select(func.count(func.distinct(Candidate.counsellor)))) or 0
            result = DemoResult(created=0, classes=classes, counsellors=counsellors, initialised=initialised)
        else:
            made = self.create(actor, n, seed, progress=progress, cancel=cancel)
            result = replace(made, initialised=initialised)
        if not samples:
            return result
        imported = self.import_samples(actor, seed, progress=progress, cancel=cancel)
        run = self.review_once(actor, progress=progress, cancel=cancel)
        return replace(result, samples=imported, samples_folder=self.samples_folder() if imported else None,
                       reviewed=run is not None, with_findings=run.with_findings if run is not None else 0)
