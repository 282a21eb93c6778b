"""Print the forms (附件1–4, 公示) from the database and check printed pages against it.

``print_form`` reads the data in one read transaction, renders the PDF (and the .xlsx), then
records a ``Document`` row with, per page, the row keys, the printed cells and the page digest.
``verify_page`` reads a page's QR code (scanned image, photo, or PDF rendered with pdfium), finds
the document and page, rebuilds those rows from the current data and says whether they still match,
naming the rows that differ. ``verify_image`` does the same for an image already in memory (a
webcam frame).

Who may print: administrators, secretaries and reviewers print every form; a counsellor prints
附件1 for a student; supervisors and the central office only read (they may still verify pages).
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.documents import digest
from app.documents.data import Context, Person, Report
from app.domain import review as rules
from app.errors import BadFileError, NotFoundError, PermissionDenied, ValidationError
from app.services.audit import AuditService
from app.services.context import ROLES, Actor
from app.tasks import CancelToken, Progress, no_progress
from db.models import (
    Candidate,
    College,
    Document,
    Finding,
    ReferenceList,
    ReviewDecision,
    Setting,
    Waiver,
    new_uuid,
)
from db.session import Database

# The form modules pull in reportlab (~0.15 s): imported on first use, not with the container.
FORM_LABELS = {"waiver_form": "附件1", "waiver_list": "附件2", "summary": "附件3", "review_report": "附件4",
               "publicity": "公示"}
# The names of DESIGN §7's command line (``print waiver|waiver-list|summary|review-report|publicity``).
CLI_NAMES = {"waiver_form": "waiver", "waiver_list": "waiver-list", "summary": "summary",
             "review_report": "review-report", "publicity": "publicity"}
ALIASES = {"附件1": "waiver_form", "附件2": "waiver_list", "附件3": "summary", "附件4": "review_report",
           "公示": "publicity", "waiver-form": "waiver_form",
           **{cli: form for form, cli in CLI_NAMES.items()}}
OFFICE_LABELS = {"academic": "教务处", "conduct": "学生处", "college": "二级学院"}
REFERENCE_STEPS = {
    "academic": "教务处学籍核对",
    "conduct": "学生处违纪处分核对",
    "majors": "专业对应核对",
}
REFERENCE_WHAT = {
    "academic": "逐一核对学籍状态、毕业年份和课程成绩",
    "conduct": "逐一核对违纪处分及解除情况",
    "majors": "核对所学专业与报考专业（类）是否对应",
}
DPI = 150
OTHER_REASON = "其他原因（见审核意见）"
PRINTERS = ("admin", "secretary", "reviewer")
# Counsellors hand 附件1 to their own students to sign; every other form is the college office's.
COUNSELLOR_FORMS = ("waiver_form",)
PDF_SUFFIXES = (".pdf",)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def check_may_print(actor: Actor, form: str) -> None:
    """Raise ``PermissionDenied`` (in Chinese) unless ``actor`` may print ``form``."""
    form = form_key(form)
    if actor.role in PRINTERS or (actor.role == "counsellor" and form in COUNSELLOR_FORMS):
        return
    role = ROLES.get(actor.role, actor.role)
    label = FORM_LABELS[form]
    if actor.role == "counsellor":
        raise PermissionDenied(f"“{role}”角色只能为学生打印附件1（放弃报名考试资格申请书），不能打印{label}；"
                               "请由学院经办人打印。")
    raise PermissionDenied(f"“{role}”角色只能查看和核对打印件，不能打印{label}；需要："
                           f"{'、'.join(ROLES[r] for r in PRINTERS)}。")


def may_print(actor: Actor, form: str) -> bool:
    try:
        check_may_print(actor, form)
    except PermissionDenied:
        return False
    return True


def form_key(name: str) -> str:
    key = ALIASES.get(name.strip(), name.strip())
    if key not in FORM_LABELS:
        choices = "、".join(f"{label}（{CLI_NAMES[form]}）" for form, label in FORM_LABELS.items())
        raise ValidationError(f"未知的表格“{name}”。可打印的表格：{choices}。", "form")
    return key


def module(form: str) -> ModuleType:
    return importlib.import_module(f"app.documents.{form_key(form)}")


@dataclass(frozen=True)
class PrintResult:
    form: str
    label: str
    title: str
    doc_uuid: str
    pdf: Path
    xlsx: Path | None
    pages: int
    rows: int


@dataclass(frozen=True)
class DocumentInfo:
    """One printed document, as the print screen lists it."""

    doc_uuid: str
    form: str
    label: str
    title: str
    created_at: dt.datetime
    created_by: str
    pages: int
    rows: int

    @property
    def short_id(self) -> str:
        return digest.short_id(self.doc_uuid)


@dataclass(frozen=True)
class RowDifference:
    key: str
    name: str
    changes: tuple[str, ...]  # "联系电话：13800000001 → 13900000001", or why the row is gone


@dataclass(frozen=True)
class PageCheck:
    status: str  # match | differs | no_code | unknown
    message: str
    source: str = ""
    doc_uuid: str = ""
    form: str = ""
    title: str = ""
    page: int = 0
    differences: tuple[RowDifference, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.status == "match"


@dataclass
class _Snapshot:
    """Everything the forms print, read in one transaction."""

    ctx_base: dict
    people: list[Person]
    report: Report


class PrintingService:
    def __init__(self, db: Database, audit: AuditService) -> None:
        self.db = db
        self.audit = audit

    # -- reading -------------------------------------------------------------------------------
    def _snapshot(self, s: Session) -> _Snapshot:
        college = s.scalar(select(College).order_by(College.id))
        college_name = college.name if college else ""
        college_names = {c.id: c.name for c in s.scalars(select(College))}
        fails: dict[int, list[ReviewDecision]] = defaultdict(list)
        decided = Counter()
        for r in s.scalars(select(ReviewDecision)):
            decided[r.office] += 1
            if r.decision == "fail":
                fails[r.candidate_id].append(r)
        findings: dict[tuple[int, str], list[str]] = defaultdict(list)
        finding_labels: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for f in s.scalars(select(Finding).order_by(Finding.id)):
            findings[(f.candidate_id, f.office)].append(f.message)
            label = rules.FINDINGS.get(f.code, (f.office, f.code))[1]
            if label not in finding_labels[f.candidate_id][f.office]:
                finding_labels[f.candidate_id][f.office].append(label)
        waivers = {w.candidate_id: w for w in s.scalars(select(Waiver).where(Waiver.active.is_(True)))}
        order = list(OFFICE_LABELS)
        people: list[Person] = []
        problems: dict[str, tuple[str, ...]] = {}
        for c in s.scalars(select(Candidate).order_by(Candidate.class_name, Candidate.student_no, Candidate.id)):
            reasons: list[str] = []
            if c.status == "ineligible":
                for r in sorted(fails.get(c.id, ()), key=lambda r: order.index(r.office) if r.office in order else 9):
                    text = r.opinion.strip() or "；".join(findings.get((c.id, r.office), ())) or "审核未通过"
                    reasons.append(f"{OFFICE_LABELS.get(r.office, r.office)}：{text}")
                # What the failing offices' findings were, for 附件4's count by type of problem.
                labels = [label for r in fails.get(c.id, ()) for label in finding_labels[c.id].get(r.office, ())]
                problems[c.uuid] = tuple(dict.fromkeys(labels)) or (OTHER_REASON,)
            w = waivers.get(c.id)
            status = "waived" if w is not None else c.status
            people.append(Person(
                uuid=c.uuid, student_no=c.student_no or "", name=c.name, gender=c.gender, id_number=c.id_number,
                class_name=c.class_name, counsellor=c.counsellor, major=c.major, intended_major=c.intended_major,
                category=c.category, phone=c.phone, status=status, college_name=college_names.get(c.college_id, ""),
                reasons=tuple(reasons), waiver_reason=w.reason if w else "", waived_on=w.waived_on if w else None))
        settings = {row.key: row.value for row in s.scalars(select(Setting))}
        start, end = _setting_date(settings, "publicity_start"), _setting_date(settings, "publicity_end")
        lists = {rl.kind: rl for rl in s.scalars(select(ReferenceList).where(ReferenceList.active.is_(True))
                                                 .order_by(ReferenceList.id))}
        report = _report(people, lists, decided, start, end, problems)
        year = start.year if start else dt.date.today().year
        return _Snapshot({"college_name": college_name, "year": year, "publicity_start": start,
                          "publicity_end": end}, people, report)

    @staticmethod
    def _select(form: str, snap: _Snapshot, student: str | None):
        """The data one form prints: a list of people, one person, or the report."""
        people = snap.people
        if form == "summary":
            return [p for p in people if p.status != "waived"]
        if form == "waiver_list":
            return [p for p in people if p.status == "waived"]
        if form == "publicity":
            return [p for p in people if p.status == "eligible"]
        if form == "review_report":
            return snap.report
        if not student:
            raise ValidationError("打印附件1（放弃报名考试资格申请书）需要指定学生：--student 学号或身份证号。",
                                  "student")
        key = student.strip().upper()
        for p in people:
            if key in (p.student_no.upper(), p.id_number, p.uuid.upper()):
                return p
        raise NotFoundError(f"找不到学号或身份证号为“{student}”的考生。")

    @staticmethod
    def _rows(form: str, data) -> dict[str, Sequence[str]]:
        return module(form).rows(data)

    # -- printing ------------------------------------------------------------------------------
    def print_form(self, actor: Actor, form: str, pdf: Path, xlsx: Path | None = None,
                   student: str | None = None, *, progress: Progress | None = None,
                   cancel: CancelToken | None = None) -> PrintResult:
        """Render ``form`` to ``pdf`` (and ``xlsx``) and record the document; cancelling leaves no record."""
        form = form_key(form)
        check_may_print(actor, form)
        forms = module(form)
        with self.db.read() as s:
            snap = self._snapshot(s)
        data = self._select(form, snap, student)
        doc_uuid = new_uuid()
        ctx = Context(printed_on=dt.date.today(), doc_uuid=doc_uuid, **snap.ctx_base)
        pdf = Path(pdf)
        records = forms.render_pdf(pdf, ctx, data, progress=progress, cancel=cancel)
        if xlsx is not None:
            if progress:
                progress(0, 0, "正在生成 Excel 文件")
            forms.render_xlsx(Path(xlsx), ctx, data, records)
        rows = self._rows(form, data)
        pages = [{"page": r.page, "keys": list(r.keys), "digest": r.digest,
                  "rows": [list(rows[k]) for k in r.keys]} for r in records]
        title = forms.title(ctx)
        count = len(data) if isinstance(data, list) else 1 if isinstance(data, Person) else len(rows)
        with self.db.transaction() as s:
            s.add(Document(uuid=doc_uuid, origin_desk=self.audit.desk_uuid, form=form, title=title,
                           created_by=actor.username, row_count=count,
                           pages=json.dumps(pages, ensure_ascii=False)))
            self.audit.record(s, actor.username, "document.print", entity_type="document", entity_uuid=doc_uuid,
                              summary=f"打印{forms.LABEL}《{title}》，{len(records)} 页，{count} 条",
                              after={"form": form, "title": title, "pages": len(records), "rows": count,
                                     "digests": [r.digest for r in records]})
        return PrintResult(form, forms.LABEL, title, doc_uuid, pdf, Path(xlsx) if xlsx else None,
                           len(records), count)

    def recent(self, limit: int = 50) -> list[DocumentInfo]:
        """The documents printed at this desk, newest first."""
        with self.db.read() as s:
            docs = s.scalars(select(Document).order_by(Document.created_at.desc(), Document.id.desc())
                             .limit(limit))
            return [DocumentInfo(d.uuid, d.form, FORM_LABELS.get(d.form, d.form), d.title, d.created_at,
                                 d.created_by, len(json.loads(d.pages or "[]")), d.row_count) for d in docs]

    # -- checking ------------------------------------------------------------------------------
    def read_pages(self, path: Path, *, progress: Progress | None = None,
                   cancel: CancelToken | None = None) -> list[tuple[str, object]]:
        """(label, BGR image) per page: an image file is one page, a PDF one per page (at ``DPI``)."""
        path = Path(path)
        if not path.is_file():
            raise NotFoundError(f"找不到文件：{path}")
        if path.suffix.lower() not in PDF_SUFFIXES:
            return [(path.name, _read_image(path))]
        import numpy as np

        from app.documents import raster

        progress = progress or no_progress
        total = raster.page_count(path)
        images = []
        for number, rgb in enumerate(raster.render_pages(path, DPI, cancel=cancel), start=1):
            images.append((f"{path.name} 第 {number} 页", np.ascontiguousarray(rgb[:, :, ::-1])))
            progress(number, total, f"正在读取第 {number} / {total} 页")
        return images

    def verify_file(self, path: Path, *, progress: Progress | None = None,
                    cancel: CancelToken | None = None) -> list[PageCheck]:
        """One check per page image (a PDF may hold several scanned pages)."""
        return [self.verify_image(image, source) for source, image in self.read_pages(path, progress=progress,
                                                                                        cancel=cancel)]

    def verify_page(self, path: Path) -> PageCheck:
        return self.verify_file(path)[0]

    def verify_image(self, image, source: str = "图像") -> PageCheck:
        """Check one page image already in memory (BGR or grey ``numpy`` array, e.g. a camera frame)."""
        import numpy as np

        if not isinstance(image, np.ndarray) or image.ndim not in (2, 3) or image.size == 0:
            raise BadFileError(f"{source}：不是可识别的图像。")
        return self._check(source, image)

    def _check(self, source: str, image) -> PageCheck:
        payload = None
        texts = _decode_qr(image)
        for text in texts:
            payload = digest.parse_payload(text)
            if payload:
                break
        if payload is None:
            what = "图中的二维码不是 RegDesk 打印的页码二维码" if texts else "没有在图中找到可识别的二维码"
            return PageCheck("no_code", f"{source}：{what}。请确认页面底部左侧的二维码完整、清晰、没有折痕或反光后重新"
                                        "扫描或拍照；也可以按页面上印的文档编号和本页校验码人工核对。", source)
        with self.db.read() as s:
            doc = s.scalar(select(Document).where(Document.uuid == payload.doc_uuid))
            if doc is None:
                return PageCheck("unknown", f"{source}：本机没有文档编号为 {digest.short_id(payload.doc_uuid)} 的打印记录"
                                            "（可能是在其他电脑上打印的）。", source, payload.doc_uuid,
                                 page=payload.page)
            form, title = doc.form, doc.title
            pages = {p["page"]: p for p in json.loads(doc.pages or "[]")}
            snap = self._snapshot(s)
            names = {c.uuid: c.name for c in s.scalars(select(Candidate))}
        base = {"source": source, "doc_uuid": payload.doc_uuid, "form": form, "title": title, "page": payload.page}
        stored = pages.get(payload.page)
        label = f"{FORM_LABELS.get(form, form)}《{title}》第 {payload.page} 页"
        if stored is None:
            return PageCheck("unknown", f"{source}：{label} 不在打印记录中（该文档只有 {len(pages)} 页）。", **base)
        if stored["digest"] != payload.digest:
            return PageCheck("differs", f"{source}：{label} 二维码中的校验码 {payload.digest} 与打印记录"
                                        f"（{stored['digest']}）不一致：这一页不是本系统打印的原件。", **base)
        current = self._current_rows(form, snap, stored["keys"])
        diffs = []
        columns = _columns(form)
        for key, printed in zip(stored["keys"], stored["rows"], strict=True):
            name = names.get(key.split("#")[0]) or (printed[0] if printed else key)
            now = current.get(key)
            if now is None:
                diffs.append(RowDifference(key, name, ("已不在本表中（状态已改变或已删除）",)))
            elif list(now) != list(printed):
                changes = tuple(f"{columns[i] if i < len(columns) else f'第 {i + 1} 项'}：{a or '（空）'} → {b or '（空）'}"
                                for i, (a, b) in enumerate(zip(printed, now, strict=False)) if a != b)
                diffs.append(RowDifference(key, name, changes or ("内容已改变",)))
        if not diffs:
            return PageCheck("match", f"{source}：{label} 与当前数据一致（校验码 {payload.digest}）。", **base)
        who = "、".join(d.name for d in diffs)
        return PageCheck("differs", f"{source}：{label} 与当前数据不一致，{len(diffs)} 行已改变：{who}。",
                         differences=tuple(diffs), **base)

    def _current_rows(self, form: str, snap: _Snapshot, keys: Sequence[str]) -> dict[str, Sequence[str]]:
        if form == "waiver_form":
            uuids = {k.split("#")[0] for k in keys}
            rows: dict[str, Sequence[str]] = {}
            for p in snap.people:
                if p.uuid in uuids:
                    rows.update(module(form).rows(p))
            return rows
        return self._rows(form, self._select(form, snap, None))


def _columns(form: str) -> tuple[str, ...]:
    if form == "review_report":
        return ("内容", "人数", "班级", "原因")
    if form == "waiver_form":
        return ("项目", "内容", "项目", "内容")
    return tuple(module(form).HEADER[1:])


def _setting_date(settings: dict[str, str], key: str) -> dt.date | None:
    raw = settings.get(key)
    if not raw:
        return None
    try:
        value = json.loads(raw)
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except (ValueError, TypeError):
        return None


def _report(people: list[Person], lists: dict[str, ReferenceList], decided: Counter,
            start: dt.date | None, end: dt.date | None, problems: dict[str, tuple[str, ...]]) -> Report:
    status = Counter(p.status for p in people)
    ineligible = [p for p in people if p.status == "ineligible"]
    by_reason = Counter()
    for p in ineligible:
        offices = {r.split("：", 1)[0] for r in p.reasons} or {"其他"}
        for office in offices:
            by_reason[f"{office}审核未通过"] += 1
    by_problem = Counter(label for p in ineligible for label in problems.get(p.uuid, (OTHER_REASON,)))
    order = [label for _office, label in rules.FINDINGS.values()] + [OTHER_REASON]
    steps = [f"向全体应届毕业生（{len(people)} 人）发布专升本报名通知，学生自愿申请报名。",
             f"{status['waived']} 名学生自愿放弃报名考试资格，签署放弃报名考试资格申请书（附件1），汇总为附件2。"]
    for kind, step in REFERENCE_STEPS.items():
        rl = lists.get(kind)
        if rl is None:
            steps.append(f"{step}：未导入名单。")
        else:
            steps.append(f"{step}：依据《{rl.file_name}》（{rl.row_count} 条，{rl.created_at:%Y-%m-%d} 导入），"
                         f"{REFERENCE_WHAT[kind]}。")
    steps.append("各部门审核：" + "，".join(f"{label} {decided.get(office, 0)} 人"
                                          for office, label in OFFICE_LABELS.items()) + " 已给出审核意见。")
    if start and end:
        steps.append(f"审核合格名单于 {start:%Y-%m-%d} 至 {end:%Y-%m-%d} 公示。")
    else:
        steps.append("审核合格名单待公示（公示时间尚未设置）。")
    return Report(roster=len(people), applicants=len(people) - status["waived"], eligible=status["eligible"],
                  ineligible=status["ineligible"], waived=status["waived"], pending=status["roster"],
                  by_reason=tuple(sorted(by_reason.items())),
                  by_problem=tuple(sorted(by_problem.items(), key=lambda kv: order.index(kv[0])
                                          if kv[0] in order else len(order))),
                  steps=tuple(steps),
                  ineligible_people=tuple(ineligible))


# -- images ----------------------------------------------------------------------------------------
def _read_image(path: Path):
    import cv2
    import numpy as np

    # imdecode over the bytes: cv2.imread cannot open non-ASCII paths on Windows.
    image = cv2.imdecode(np.fromfile(str(path), dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise BadFileError(f"无法读取图像文件：{path.name}（支持 PNG、JPEG、BMP、TIFF 或 PDF）。")
    return image


def _decode_qr(image) -> list[str]:
    """Every QR text found. OpenCV's two detectors each miss some codes the other reads, and both
    do better on a slightly blurred or rescaled copy of a sharp rendering, so several are tried."""
    import cv2

    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    variants = [grey, cv2.GaussianBlur(grey, (3, 3), 0),
                cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)]
    if max(grey.shape) < 4000:
        variants.append(cv2.resize(grey, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC))
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        for variant in variants:
            text, _, _ = detector.detectAndDecode(variant)
            if text:
                return [text]
    return []
