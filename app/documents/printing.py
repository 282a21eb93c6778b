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

from app import outfile
from app.audit.service import AuditService
from app.auth import Actor, permits, require
from app.documents import digest
from app.documents.data import Context, Person, Report
from app.domain import review as rules
from app.errors import BadFileError, NotFoundError, ValidationError
from app.review.reference import KINDS as REFERENCE_KINDS
from app.settings.service import SettingsService
from app.setup.college import desk_college_or_none
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
LAST_RUN = "review_last_run"  # kept by app.review.service
REVIEW_STATUSES = ("roster", "eligible", "ineligible")
DPI = 150
OTHER_REASON = "其他原因（见审核意见）"
# Counsellors hand 附件1 to their own students to sign (``print.waiver``); every other form is the
# college office's (``print.forms``).
WAIVER_FORMS = ("waiver_form",)
PDF_SUFFIXES = (".pdf",)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def print_permission(form: str) -> str:
    """The permission (``app.auth``) printing ``form`` needs."""
    return "print.waiver" if form_key(form) in WAIVER_FORMS else "print.forms"


def check_may_print(actor: Actor, form: str) -> None:
    """Raise ``PermissionDenied`` (in Chinese) unless ``actor`` may print ``form``."""
    require(actor, print_permission(form), what=f"打印{FORM_LABELS[form_key(form)]}")


def may_print(actor: Actor, form: str) -> bool:
    return permits(actor, print_permission(form))


def form_key(name: str) -> str:
    key = ALIASES.get(name.strip(), name.strip())
    if key not in FORM_LABELS:
        choices = "、".join(f"{label}（{CLI_NAMES[form]}）" for form, label in FORM_LABELS.items())
        raise ValidationError(f"未知的表格“{name}”。可打印的表格：{choices}。", "form")
    return key


def module(form: str) -> ModuleType:
    return importlib.import_module(f"app.documents.{form_key(form)}")


@dataclass(frozen=True)
class BatchResult:
    """附件1 for several students in one PDF: one document per student."""

    label: str
    pdf: Path
    documents: int
    pages: int
    doc_uuids: tuple[str, ...]
    form: str = "waiver_form"


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
    warnings: tuple[str, ...] = ()  # what was not settled when it was printed (see ``check``)


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
    """Everything the forms print, read in one transaction, and what is not settled yet."""

    ctx_base: dict
    people: list[Person]
    report: Report
    needs_review: list[Person] = field(default_factory=list)  # a decision that no longer stands
    last_run: dt.datetime | None = None  # the last comparison (UTC), None when never run
    newer_lists: list[str] = field(default_factory=list)  # lists imported after the last comparison


# The forms that say who is eligible: printing them with candidates not settled is worth a warning.
SETTLED_FORMS = ("publicity", "summary", "review_report")
NAMES_SHOWN = 10


class PrintingService:
    def __init__(self, db: Database, audit: AuditService) -> None:
        self.db = db
        self.audit = audit

    # -- reading -------------------------------------------------------------------------------
    def _snapshot(self, s: Session) -> _Snapshot:
        college = desk_college_or_none(s)
        college_name = college.name if college else ""
        college_names = {c.id: c.name for c in s.scalars(select(College))}
        findings: dict[tuple[int, str], list[str]] = defaultdict(list)
        found: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
        finding_labels: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for f in s.scalars(select(Finding).order_by(Finding.id)):
            findings[(f.candidate_id, f.office)].append(f.message)
            found[f.candidate_id].append((f.office, f.code, f.message))
            label = rules.FINDINGS.get(f.code, (f.office, f.code))[1]
            if label not in finding_labels[f.candidate_id][f.office]:
                finding_labels[f.candidate_id][f.office].append(label)
        # Only decisions that still stand count; one that does not leaves its candidate unsettled.
        fails: dict[int, list[ReviewDecision]] = defaultdict(list)
        decided = Counter()
        unsettled: set[int] = set()
        for r in s.scalars(select(ReviewDecision)):
            state = rules.standing(r.decision, rules.parse_basis(r.basis),
                                   rules.office_findings(found.get(r.candidate_id, []), r.office))
            if state != rules.VALID:
                unsettled.add(r.candidate_id)
                continue
            decided[r.office] += 1
            if r.decision == "fail":
                fails[r.candidate_id].append(r)
        waivers = {w.candidate_id: w for w in s.scalars(select(Waiver).where(Waiver.active.is_(True)))}
        order = list(OFFICE_LABELS)
        people: list[Person] = []
        needs_review: list[Person] = []
        problems: dict[str, tuple[str, ...]] = {}
        # The forms are the desk's college's (a database may hold other colleges' rosters too).
        scope = () if college is None else (Candidate.college_id == college.id,)
        for c in s.scalars(select(Candidate).where(*scope)
                           .order_by(Candidate.class_name, Candidate.student_no, Candidate.id)):
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
                reasons=tuple(reasons), waiver_reason=w.reason if w else "", waived_on=w.waived_on if w else None,
                needs_review=c.id in unsettled and w is None))
            if people[-1].needs_review and c.status in REVIEW_STATUSES:
                needs_review.append(people[-1])
        settings = {row.key: row.value for row in s.scalars(select(Setting))}
        start, end = _setting_date(settings, "publicity_start"), _setting_date(settings, "publicity_end")
        lists = {rl.kind: rl for rl in s.scalars(select(ReferenceList).where(ReferenceList.active.is_(True))
                                                 .order_by(ReferenceList.id))}
        report = _report(people, lists, decided, start, end, problems)
        # Every form is for the season's graduates: the graduation year, never today's year.
        year = SettingsService.read(s, "graduation_year")
        last_run = _setting_datetime(settings, LAST_RUN)
        newer = [REFERENCE_KINDS[kind] for kind, rl in lists.items()
                 if last_run is not None and rl.created_at > last_run]
        return _Snapshot({"college_name": college_name, "year": year, "publicity_start": start,
                          "publicity_end": end}, people, report, needs_review, last_run, newer)

    @staticmethod
    def _warnings(form: str, snap: _Snapshot) -> tuple[str, ...]:
        """What a secretary should know before printing a form that says who is eligible."""
        if form not in SETTLED_FORMS:
            return ()
        out: list[str] = []
        label = FORM_LABELS[form]
        if snap.last_run is None:
            out.append("还没有运行过资格审查比对：考生尚未与教务处学籍名单、学生处处分名单核对。")
        elif snap.newer_lists:
            out.append(f"{'、'.join(snap.newer_lists)}在上次比对（{_local(snap.last_run)}）之后重新导入过，"
                       "比对结果可能已过时，请先重新运行比对。")
        if snap.needs_review:
            out.append(f"{len(snap.needs_review)} 名考生的审核意见已不成立（通过后比对出现新问题，或不通过的依据已消除），"
                       f"需重新审核：{_names(snap.needs_review)}。")
        waiting = [p for p in snap.people if p.status == "roster" and not p.needs_review]
        if waiting:
            where = "不会出现在公示名单中" if form == "publicity" else \
                "在本表中备注为“待审核”" if form == "summary" else "计入“尚未审核人数”"
            out.append(f"{len(waiting)} 名考生尚未审核完（待审核），{where}：{_names(waiting)}。")
        if out:
            out.append(f"如果现在打印{label}，打印件上的审查结果不是最终结果。")
        if form == "publicity":
            # Whatever the review says: a list with nobody on it, or without its period, is not a 公示.
            if not any(p.status == "eligible" for p in snap.people):
                out.insert(0, "公示名单是空的：还没有审核通过的考生，打印出来只有表头。")
            if snap.ctx_base.get("publicity_start") is None or snap.ctx_base.get("publicity_end") is None:
                out.insert(0, "公示时间（开始、结束日期）还没有设置，公示表上的公示时间会是空白：请先在上面填写公示日期。")
        return tuple(out)

    def check(self, form: str) -> list[str]:
        """The warnings ``print_form`` would give for ``form`` now (asked before printing)."""
        form = form_key(form)
        if form not in SETTLED_FORMS:
            return []
        with self.db.read() as s:
            snap = self._snapshot(s)
        return list(self._warnings(form, snap))

    @staticmethod
    def _select(form: str, snap: _Snapshot, student: str | None, class_name: str = ""):
        """The data one form prints: a list of people, one person, or the report."""
        people = snap.people
        if form == "summary":
            return [p for p in people if p.status != "waived" and (not class_name or p.class_name == class_name)]
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
    def classes(self) -> list[str]:
        """The classes on the roster, for printing 附件3 one class at a time."""
        with self.db.read() as s:
            return sorted(c for c in s.scalars(select(Candidate.class_name).distinct()) if c)

    def print_form(self, actor: Actor, form: str, pdf: Path, xlsx: Path | None = None,
                   student: str | None = None, *, class_name: str | None = None, progress: Progress | None = None,
                   cancel: CancelToken | None = None) -> PrintResult:
        """Render ``form`` to ``pdf`` (and ``xlsx``) and record the document; cancelling leaves no record.

        ``class_name``: 附件3 for that class only (its title and heading say so)."""
        form = form_key(form)
        check_may_print(actor, form)
        forms = module(form)
        class_name = (class_name or "").strip()
        if class_name and form != "summary":
            raise ValidationError(f"只有{FORM_LABELS['summary']}可以按班级打印。", "class")
        with self.db.read() as s:
            snap = self._snapshot(s)
        if class_name and not any(p.class_name == class_name for p in snap.people):
            raise NotFoundError(f"名单中没有班级“{class_name}”。")
        data = self._select(form, snap, student, class_name)
        doc_uuid = new_uuid()
        ctx = Context(printed_on=dt.date.today(), doc_uuid=doc_uuid, class_name=class_name, **snap.ctx_base)
        pdf = Path(pdf)
        if xlsx is not None:
            xlsx = outfile.check_target(Path(xlsx))  # now, not after the PDF's minutes of work
        # Both files go to temporary files; the PDF is put in place only after the .xlsx: a
        # failure or a cancel while rendering leaves the user's earlier PDF and .xlsx as they
        # were, and no new PDF whose QR code names a document that is not recorded below.
        with outfile.atomic_write(pdf) as pdf_tmp:
            records = forms.render_pdf(pdf_tmp, ctx, data, progress=progress, cancel=cancel)
            if xlsx is not None:
                if progress:
                    progress(0, 0, "正在生成 Excel 文件")
                with outfile.atomic_write(xlsx) as xlsx_tmp:
                    forms.render_xlsx(xlsx_tmp, ctx, data, records)
        doc = self._document(form, ctx, data, records, class_name)
        warnings = self._warnings(form, snap)
        self._record(actor, [doc], warnings)
        return PrintResult(form, forms.LABEL, doc.title, doc_uuid, pdf, Path(xlsx) if xlsx else None,
                           len(records), doc.row_count, warnings)

    def print_waiver_forms(self, actor: Actor, pdf: Path, *, progress: Progress | None = None,
                           cancel: CancelToken | None = None) -> BatchResult:
        """附件1 for every student who waived, one PDF to print in one go: each student's page is a
        document of its own (its own number and QR code, as if printed one by one), all recorded
        together; cancelling leaves no file and no record."""
        import tempfile

        import pypdfium2 as pdfium

        check_may_print(actor, "waiver_form")
        forms = module("waiver_form")
        progress = progress or no_progress
        with self.db.read() as s:
            snap = self._snapshot(s)
        people = [p for p in snap.people if p.status == "waived"]
        if not people:
            raise NotFoundError("目前没有登记放弃报名的学生，没有附件1可打印。")
        pdf = outfile.check_target(Path(pdf))
        docs: list[Document] = []
        with tempfile.TemporaryDirectory(prefix="regdesk-a1-") as tmp:
            parts = []
            for n, person in enumerate(people):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                progress(n, len(people), f"正在生成第 {n + 1} / {len(people)} 份附件1（{person.name}）")
                ctx = Context(printed_on=dt.date.today(), doc_uuid=new_uuid(), **snap.ctx_base)
                part = Path(tmp) / f"{n:05d}.pdf"
                records = forms.render_pdf(part, ctx, person, cancel=cancel)
                parts.append(part)
                docs.append(self._document("waiver_form", ctx, person, records, ""))
            progress(len(people), len(people), "正在合并为一个 PDF")
            merged = pdfium.PdfDocument.new()
            try:
                for part in parts:
                    source = pdfium.PdfDocument(str(part))
                    try:
                        merged.import_pages(source)
                    finally:
                        source.close()
                with outfile.atomic_write(pdf) as pdf_tmp:
                    merged.save(str(pdf_tmp))
            finally:
                merged.close()
        self._record(actor, docs, ())
        return BatchResult(forms.LABEL, pdf, len(docs), sum(len(json.loads(d.pages)) for d in docs),
                           tuple(d.uuid for d in docs))

    def _document(self, form: str, ctx: Context, data, records, class_name: str) -> Document:
        """The record of one printed document: per page its rows, their digest and the header."""
        forms = module(form)
        rows = self._rows(form, data)
        # Version 2 pages also keep the header fields their digest covers and the date printed.
        pages = [{"page": r.page, "keys": list(r.keys), "digest": r.digest,
                  "rows": [list(rows[k]) for k in r.keys], "v": digest.VERSION,
                  "header": [list(h) for h in r.header], "printed_on": ctx.printed_on.isoformat(),
                  **({"class_name": class_name} if class_name else {})}
                 for r in records]
        count = len(data) if isinstance(data, list) else 1 if isinstance(data, Person) else len(rows)
        return Document(uuid=ctx.doc_uuid, form=form, title=forms.title(ctx),
                        created_by="", row_count=count, pages=json.dumps(pages, ensure_ascii=False))

    def _record(self, actor: Actor, docs: list[Document], warnings: Sequence[str]) -> None:
        """Store printed documents and their audit events, in one transaction."""
        with self.db.transaction() as s:
            for doc in docs:
                doc.created_by = actor.username
                pages = json.loads(doc.pages)
                s.add(doc)
                label = FORM_LABELS.get(doc.form, doc.form)
                self.audit.record(s, actor.username, "document.print", entity_type="document", entity_uuid=doc.uuid,
                                  summary=f"打印{label}《{doc.title}》，{len(pages)} 页，{doc.row_count} 条",
                                  after={"form": doc.form, "title": doc.title, "pages": len(pages), "rows": doc.row_count,
                                         "digests": [p["digest"] for p in pages], "warnings": list(warnings)})

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
        current = self._current_rows(form, snap, stored["keys"], stored.get("class_name", ""))
        diffs = []
        header_note = ""
        if "header" in stored:
            now_header = self._current_header(form, snap, stored, payload.doc_uuid)
            changes = _header_changes([tuple(h) for h in stored["header"]], now_header)
            if changes:
                diffs.append(RowDifference("header", "表头", changes))
        else:
            header_note = "（此页由旧版本打印，校验码只覆盖表格各行，无法核对标题、公示日期等表头内容。）"
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
            return PageCheck("match", f"{source}：{label} 与当前数据一致（校验码 {payload.digest}）。{header_note}",
                             **base)
        rows_changed = [d for d in diffs if d.key != "header"]
        parts = []
        if len(rows_changed) < len(diffs):
            parts.append("表头已改变（" + "；".join(diffs[0].changes) + "）")
        if rows_changed:
            parts.append(f"{len(rows_changed)} 行已改变：" + "、".join(d.name for d in rows_changed))
        return PageCheck("differs", f"{source}：{label} 与当前数据不一致，{'；'.join(parts)}。{header_note}",
                         differences=tuple(diffs), **base)

    def _current_header(self, form: str, snap: _Snapshot, stored: dict, doc_uuid: str) -> tuple[tuple[str, str], ...]:
        """The header fields the page would print now (same document, same printing date)."""
        try:
            printed_on = dt.date.fromisoformat(stored.get("printed_on", ""))
        except ValueError:
            printed_on = dt.date.today()
        class_name = stored.get("class_name", "")
        ctx = Context(printed_on=printed_on, doc_uuid=doc_uuid, class_name=class_name, **snap.ctx_base)
        if form == "waiver_form":
            uuid = stored["keys"][0].split("#")[0] if stored["keys"] else ""
            person = next((p for p in snap.people if p.uuid == uuid), None)
            if person is None:
                return ()
            data = person
        else:
            data = self._select(form, snap, None, class_name)
        return module(form).page_frame(ctx, data).header_fields()

    def _current_rows(self, form: str, snap: _Snapshot, keys: Sequence[str],
                      class_name: str = "") -> dict[str, Sequence[str]]:
        if form == "waiver_form":
            uuids = {k.split("#")[0] for k in keys}
            rows: dict[str, Sequence[str]] = {}
            for p in snap.people:
                if p.uuid in uuids:
                    rows.update(module(form).rows(p))
            return rows
        return self._rows(form, self._select(form, snap, None, class_name))


def _columns(form: str) -> tuple[str, ...]:
    if form == "review_report":
        return ("内容", "人数", "班级", "原因")
    if form == "waiver_form":
        return ("项目", "内容", "项目", "内容")
    return tuple(module(form).HEADER[1:])


def _header_changes(printed: list[tuple[str, str]], now: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """“合格人数：12 人 → 13 人” per header field that differs (fields matched by label, in order)."""
    changes = []
    now_by = dict(now)
    for label, value in printed:
        if label not in now_by:
            changes.append(f"{label}：{value or '（空）'} → （已不再打印）")
        elif now_by[label] != value:
            changes.append(f"{label}：{value or '（空）'} → {now_by[label] or '（空）'}")
    printed_labels = {label for label, _v in printed}
    changes += [f"{label}：（原无） → {value}" for label, value in now if label not in printed_labels]
    return tuple(changes)


def _names(people: Sequence[Person]) -> str:
    shown = "、".join(f"{p.name}（{p.student_no or p.id_number[-4:]}）" for p in people[:NAMES_SHOWN])
    return shown + (f" 等 {len(people)} 人" if len(people) > NAMES_SHOWN else "")


def _local(at: dt.datetime) -> str:
    return at.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def _setting_datetime(settings: dict[str, str], key: str) -> dt.datetime | None:
    raw = settings.get(key)
    if not raw:
        return None
    try:
        return dt.datetime.fromisoformat(str(json.loads(raw)))
    except (ValueError, TypeError):
        return None


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
