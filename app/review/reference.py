"""Reference lists: import the 教务处 学籍 list, the 学生处 conduct list and the college's major mapping.

The flow matches the roster import: ``inspect`` finds the header and places the columns,
``preview`` reads and checks every row without writing, ``commit`` stores the list. Reference
lists come from other offices' systems and are kept as they are: a row with a bad value is stored
with its problem reported (“第 5 行 C 列（学籍状态）：…”), never silently dropped, because the
review must still be able to show it. Importing a list makes it the active list of its kind; the
previous one is kept, inactive.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from app.audit.service import AuditService, RowsDigest, uuid4_batch
from app.auth import Actor, require
from app.domain import fields as f
from app.domain import idnumber
from app.domain.review import RefRow, graduation_month, major_key, majors_for
from app.errors import AppError, BadFileError, ValidationError
from app.importing import tabular
from app.importing.mapping import (
    ColumnMapping,
    RowProblem,
    apply_overrides,
    ensure_unchanged,
    file_sha256,
    header_keys,
)
from app.tasks import CancelToken, Progress, bulk_work, no_progress
from db.bulk import bulk_insert
from db.models import ReferenceList, ReferenceRecord
from db.replication import bump_values, insert_values
from db.session import Database

KINDS: dict[str, str] = {"academic": "教务处学籍名单", "conduct": "学生处处分名单", "majors": "专业对照表"}
IGNORED = "-"
CHUNK = 1000

LABELS: dict[str, str] = {
    "student_no": "学号", "name": "姓名", "id_number": "身份证号", "major": "专科专业", "status": "学籍状态",
    "graduation": "预计毕业时间", "failed_courses": "不及格课程", "action": "处分", "date": "处分日期",
    "lifted": "是否解除", "allowed": "可报考本科专业", "offence": "违纪事由",
}
FIELDS: dict[str, tuple[str, ...]] = {
    "academic": ("student_no", "name", "id_number", "major", "status", "graduation", "failed_courses"),
    "conduct": ("student_no", "name", "id_number", "action", "offence", "date", "lifted"),
    "majors": ("major", "allowed"),
}
_PERSON = {
    "student_no": ("学号", "学生学号", "学生编号", "studentno", "studentid"),
    "name": ("姓名", "学生姓名", "考生姓名", "name"),
    "id_number": ("身份证号", "身份证号码", "证件号码", "证件号", "公民身份号码", "身份证件号", "身份证件号码",
                  "身份证", "居民身份证号", "idnumber"),
}
_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "academic": {
        **_PERSON,
        "major": ("专业", "所学专业", "专科专业", "专业名称", "在读专业", "专业全称"),
        "status": ("学籍状态", "学籍状态名称", "在籍状态", "学籍状况", "学籍异动状态", "学生状态", "是否在籍",
                   "学籍", "当前状态"),
        "graduation": ("预计毕业时间", "毕业时间", "预计毕业日期", "预计毕业年月", "预计毕业年份", "毕业年份",
                       "毕业日期", "毕业届别", "届别"),
        "failed_courses": ("不及格课程", "挂科课程", "未通过课程", "不及格科目", "未通过科目", "补考未通过课程",
                           "不及格课程名称"),
    },
    "conduct": {
        **_PERSON,
        "action": ("处分", "处分类型", "处分名称", "处分种类", "处分等级", "处分类别", "违纪处分", "处分结果",
                   "违纪类型", "违纪处分类型", "处分情况", "违纪情况", "纪律处分", "处理结果", "处分决定"),
        # What the student did, beside the sanction: kept as its own field, never taken for it.
        "offence": ("违纪事由", "违纪事实", "事由", "违纪原因", "违纪行为", "违纪内容", "违纪经过", "处分事由",
                    "处分原因", "主要违纪事实", "违纪事实及原因"),
        "date": ("处分日期", "处分时间", "处分发文日期", "处理日期", "违纪时间", "违纪日期", "处分决定日期"),
        "lifted": ("是否解除", "解除情况", "解除日期", "是否已解除", "解除时间", "处分解除", "是否撤销"),
    },
    "majors": {
        "major": ("专科专业", "所学专业", "专科专业名称", "专业", "专科专业(方向)"),
        "allowed": ("可报考本科专业", "本科专业", "报考专业(类)", "可报考专业", "可报考本科专业(类)",
                    "对应本科专业", "报考专业", "可报考专业(类)", "对应本科专业(类)", "本科专业(类)"),
    },
}
for _kind in _ALIASES:
    _ALIASES[_kind][IGNORED] = ("序号", "序", "行号", "编号", "no", "no.", "备注", "说明")
_EXACT = {kind: {tabular.normalise_header(a): key for key, names in aliases.items() for a in names}
          for kind, aliases in _ALIASES.items()}
_TRAILING_NOTE = re.compile(r"\([^()]*\)$|\[[^\[\]]*\]$")
_DATE_KEYS = ("date", "lifted", "graduation")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationError(f"未知的名单类型“{kind}”，应为：" + "、".join(f"{k}（{v}）" for k, v in KINDS.items())
                              + "。", "kind")


def ranker(kind: str):
    """(field key, rank) for a normalised header of one kind of list; the lower rank wins when two
    columns claim a field: an exact name (0), an exact name with a bracketed hint (1), a guess
    from key words (3). As the roster import ranks its columns."""
    exact = _EXACT[kind]
    guess = _guesser(kind)

    def rank(norm: str) -> tuple[str, int] | None:
        if not norm:
            return None
        if norm in exact:
            return exact[norm], 0
        stripped = _TRAILING_NOTE.sub("", norm)
        if stripped in exact:
            return exact[stripped], 1
        key = guess(norm)
        return (key, 3) if key else None

    return rank


def classifier(kind: str):
    """The header classifier for one kind of list: exact names, a bracketed hint, then key words."""
    rank = ranker(kind)

    def classify(norm: str) -> str | None:
        ranked = rank(norm)
        return ranked[0] if ranked else None

    return classify


def _guesser(kind: str):
    def classify(norm: str) -> str | None:
        if len(norm) > 12 or any(w in norm for w in ("家长", "监护人", "辅导员", "班主任")):
            return None
        if kind != "majors":
            if "身份证" in norm or "证件号" in norm:
                return "id_number"
            if "学号" in norm:
                return "student_no"
            if norm.endswith("姓名"):
                return "name"
        if kind == "academic":
            if "不及格" in norm or "挂科" in norm:
                return "failed_courses"
            if "毕业" in norm:
                return "graduation"
            if "学籍" in norm and "状态" in norm:
                return "status"
        if kind == "conduct":
            if "解除" in norm:
                return "lifted"
            if any(w in norm for w in ("事由", "事实", "原因", "经过", "行为")):
                return "offence"
            if ("处分" in norm or "违纪" in norm) and ("日期" in norm or "时间" in norm):
                return "date"
            if "处分" in norm or "违纪" in norm:
                return "action"
        if kind == "majors":
            if "本科" in norm or "报考" in norm:
                return "allowed"
            if "专科" in norm:
                return "major"
        return None

    return classify


def _dropped(mapping: ColumnMapping, claims: dict[int, str], overrides: dict[str, str]) -> list[str]:
    """A warning for each recognised column left out because another column holds its field
    (two columns claiming one field), unless the user chose to leave it out."""
    named = {tabular.normalise_header(h) for h in overrides}
    letters = {tabular.column_index(h) for h in overrides} - {None}
    out = []
    for col, key in sorted(claims.items()):
        if col in mapping.fields or col in letters or tabular.normalise_header(mapping.headers[col]) in named:
            continue
        where = f"{tabular.column_letter(col)} 列（{mapping.headers[col]}）"
        kept = next((c for c, k in mapping.fields.items() if k == key), None)
        if kept is None:
            out.append(f"{where}未导入。")
        else:
            out.append(f"{where}和 {tabular.column_letter(kept)} 列（{mapping.headers[kept]}）都是“{LABELS[key]}”，"
                       f"只导入了 {tabular.column_letter(kept)} 列；如果应导入 {tabular.column_letter(col)} 列，"
                       f"请调整列对应（命令行用 --map {mapping.headers[col]}={key}）。")
    return out


def _missing(kind: str, placed: set[str]) -> list[str]:
    if kind == "academic":
        need = ["name"] if "name" not in placed else []
        if not placed & {"student_no", "id_number"}:
            need.append("student_no")
        return need
    if kind == "conduct":
        need = [] if placed & {"student_no", "id_number"} else ["student_no"]
        return need + ([] if "action" in placed else ["action"])
    return [k for k in ("major", "allowed") if k not in placed]


def missing_required(kind: str, placed: set[str]) -> list[str]:
    """The field keys a list of ``kind`` still needs when ``placed`` are mapped (for a mapping form)."""
    _check_kind(kind)
    return _missing(kind, placed)


class ReferenceMappingNeeded(AppError):
    """Required columns could not be placed; carries .mapping and .kind so the caller can ask the user."""

    def __init__(self, kind: str, mapping: ColumnMapping) -> None:
        missing = "、".join(LABELS[k] for k in mapping.missing_required)
        unknown = "、".join(f"“{h}”" for h in mapping.unknown_headers) or "（无）"
        super().__init__(
            f"{KINDS[kind]}：在工作表“{mapping.sheet}”第 {mapping.header_row} 行的表头中找不到必需的列：{missing}。"
            f"请指定文件中哪一列是{missing}（在导入窗口的“对应列”一步中选择；命令行用 --map 列名=字段，例如 --map 证件号=id_number）。"
            f"未识别的列：{unknown}。")
        self.kind = kind
        self.mapping = mapping


# -- results ----------------------------------------------------------------------------------------
@dataclass
class ReferenceRow:
    row: int
    student_no: str
    name: str
    id_number: str  # normalised and valid, else ""
    data: dict[str, str]  # field key -> text as stored
    source: dict[str, object]  # header -> cell as written (JSON-safe)
    problems: list[RowProblem]


@dataclass
class ReferencePreview:
    kind: str
    path: Path
    file_sha256: str
    mapping: ColumnMapping
    rows: list[ReferenceRow]
    warnings: list[str]

    @property
    def problems(self) -> list[RowProblem]:
        return [p for r in self.rows for p in r.problems]


@dataclass(frozen=True)
class ReferenceResult:
    kind: str
    list_uuid: str
    rows: int
    rows_with_problems: int
    replaced: bool


@dataclass(frozen=True)
class ListInfo:
    uuid: str
    kind: str
    file_name: str
    row_count: int
    imported_by: str
    imported_at: dt.datetime
    active: bool


@dataclass(frozen=True)
class SourceRow:
    """One stored row of an active list, as the review screen shows it beside the candidate."""

    kind: str
    list_file: str
    row: int
    student_no: str
    name: str
    id_number: str
    fields: dict[str, str]  # field key -> text as stored (see ``LABELS``)
    problems: list[str]  # the import's remarks on this row (“第 5 行 …”)


@dataclass
class ActiveLists:
    """The active lists as the review reads them."""

    academic_id: int | None = None
    conduct_id: int | None = None
    majors_id: int | None = None
    academic: list[RefRow] = field(default_factory=list)
    conduct: list[RefRow] = field(default_factory=list)
    majors: list[RefRow] = field(default_factory=list)


def load_active(s: Session) -> ActiveLists:
    out = ActiveLists()
    for lst in s.scalars(select(ReferenceList).where(ReferenceList.active.is_(True))):
        setattr(out, f"{lst.kind}_id", lst.id)
        rows = getattr(out, lst.kind)
        stmt = (select(ReferenceRecord.list_id, ReferenceRecord.row_number, ReferenceRecord.student_no,
                       ReferenceRecord.name, ReferenceRecord.id_number, ReferenceRecord.data)
                .where(ReferenceRecord.list_id == lst.id).order_by(ReferenceRecord.row_number))
        for list_id, row, sno, name, idn, data in s.execute(stmt):
            stored = json.loads(data) if data else {}
            rows.append(RefRow(list_id, row, sno, name, idn, stored.get("fields", {}), stored.get("source", {})))
    return out


def _cell_json(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _text(value: object) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return f.clean_text(value)


def _sno(value: object) -> str:
    return f.clean_text(value).replace(" ", "")


class ReferenceService:
    def __init__(self, db: Database, audit: AuditService) -> None:
        self.db = db
        self.audit = audit

    # -- reading ------------------------------------------------------------------------------------
    def inspect(self, kind: str, path: Path, overrides: dict[str, str] | None = None, *,
                sheet: str | None = None) -> ColumnMapping:
        _check_kind(kind)
        mapping, _sheet, _header, _warnings = self._read(kind, Path(path), overrides, sheet)
        return mapping

    def _read(self, kind: str, path: Path, overrides: dict[str, str] | None, sheet_name: str | None = None):
        book = tabular.open_workbook(path)
        classify = classifier(kind)
        chosen = tabular.pick_sheet(book, classify, lambda h: len({k for k in h.keys if k and k != IGNORED}) >= 2,
                                    name=sheet_name)
        if chosen is None:
            expected = "、".join(LABELS[k] for k in FIELDS[kind])
            where = f"工作表“{sheet_name}”" if sheet_name else f"文件“{path.name}”"
            raise BadFileError(f"在{where}的前 {tabular.HEADER_SCAN_ROWS} 行里找不到{KINDS[kind]}的表头。"
                               f"表头应是一行列名，例如：{expected}。请确认选对了文件、工作表和名单类型。")
        sheet, header = chosen
        rank = ranker(kind)
        best: dict[str, tuple[int, int]] = {}  # field -> (rank, column); the first of equals wins
        claims: dict[int, str] = {}
        unknown: list[str] = []
        for col, text in enumerate(header.headers):
            if not text:
                continue
            ranked = rank(tabular.normalise_header(text))
            if ranked is None:
                unknown.append(text)
                continue
            key, r = ranked
            if key == IGNORED:
                continue
            claims[col] = key
            if key not in best or r < best[key][0]:
                best[key] = (r, col)
        fields_ = dict(sorted((col, key) for key, (_r, col) in best.items()))
        mapping = ColumnMapping(sheet=sheet.name, header_row=header.number, headers=list(header.headers),
                                fields=fields_, missing_required=[], unknown_headers=unknown,
                                sheets=list(book.names))
        if overrides:
            apply_overrides(mapping, overrides, {k: LABELS[k] for k in FIELDS[kind]}, f"{KINDS[kind]}的字段")
        warnings: list[str] = []
        placed = set(mapping.fields.values())
        if kind == "conduct" and "action" not in placed and "offence" in placed:
            # A list of offences without a sanction column: every row is still a record to review.
            col = next(c for c, k in mapping.fields.items() if k == "offence")
            mapping.fields[col] = "action"
            warnings.append(f"没有找到处分类别列，以 {tabular.column_letter(col)} 列（{mapping.headers[col]}）"
                            "作为处分内容。")
        warnings.extend(_dropped(mapping, claims, overrides or {}))
        mapping.missing_required = _missing(kind, set(mapping.fields.values()))
        return mapping, sheet, header, warnings


    # -- preview ------------------------------------------------------------------------------------
    @bulk_work()
    def preview(self, kind: str, path: Path, overrides: dict[str, str] | None = None, *, sheet: str | None = None,
                progress: Progress | None = None, cancel: CancelToken | None = None) -> ReferencePreview:
        """Read and check every row; write nothing. Raises ``ReferenceMappingNeeded`` when columns are missing."""
        _check_kind(kind)
        progress = progress or no_progress
        path = Path(path)
        progress(0, 0, "正在读取文件…")
        mapping, found, header, column_warnings = self._read(kind, path, overrides, sheet)
        if mapping.missing_required:
            raise ReferenceMappingNeeded(kind, mapping)
        sha = file_sha256(path)
        classify = classifier(kind)
        raw_keys = header_keys(mapping.headers)
        named = [(i, raw_keys[i]) for i, h in enumerate(mapping.headers) if h]
        where = {key: (tabular.column_letter(col), mapping.headers[col]) for col, key in mapping.fields.items()}
        warnings: list[str] = list(column_warnings)
        if mapping.unknown_headers:
            warnings.append("以下列无法识别，未导入：" + "、".join(f"“{h}”" for h in mapping.unknown_headers) + "。")
        rows: list[ReferenceRow] = []
        first_sno: dict[str, int] = {}
        total = len(found.rows) - header.first_data
        for k, i in enumerate(range(header.first_data, len(found.rows))):
            if k % CHUNK == 0:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                progress(k, total, f"正在检查第 {k + 1} 行…")
            cells = found.rows[i]
            number = found.numbers[i]
            filled = [c for c in mapping.fields if not tabular.is_blank(cells[c])]
            if not filled:
                continue
            if all(isinstance(cells[c], str) and classify(tabular.normalise_header(cells[c])) == mapping.fields[c]
                   for c in filled):
                continue  # the header repeated (pages pasted one under another)
            problems: list[RowProblem] = []

            def problem(key: str, message: str, number: int = number, problems: list = problems) -> None:
                letter, head = where.get(key, ("", ""))
                problems.append(RowProblem(number, letter, head, key, message))

            values = {key: cells[col] for col, key in mapping.fields.items()}
            data: dict[str, str] = {}
            for key, value in values.items():
                if key in ("student_no", "name", "id_number"):
                    continue
                data[key] = _text(tabular.cell_date(value) if key in _DATE_KEYS else value)
            sno = _sno(values.get("student_no"))
            name = f.clean_text(values.get("name"))
            idn = ""
            raw_id = values.get("id_number")
            if not tabular.is_blank(raw_id):
                try:
                    idn = idnumber.parse(raw_id).number
                except ValidationError as exc:
                    problem("id_number", exc.message)
                    data["id_raw"] = _text(raw_id)
            if kind in ("academic", "conduct") and not sno and not idn:
                problem("", "没有学号和有效的身份证号，无法与考生名单比对。")
            if kind == "academic":
                if sno:
                    if sno in first_sno:
                        merged = "，本行的不及格课程合并计入" if "failed_courses" in data else ""
                        problem("student_no", f"学号 {sno} 与第 {first_sno[sno]} 行重复，比对时以第 "
                                              f"{first_sno[sno]} 行为准{merged}。")
                    else:
                        first_sno[sno] = number
                grad = data.get("graduation", "")
                if grad and graduation_month(grad) is None:
                    problem("graduation", f"预计毕业时间“{grad}”无法识别，请写成 2027-07 的形式。")
                if "status" in data and not data["status"]:
                    problem("status", "学籍状态为空。")
            if kind == "conduct" and not data.get("action"):
                problem("action", "处分为空。")
            if kind == "majors":
                if not data.get("major"):
                    problem("major", "专科专业为空。")
                if not data.get("allowed"):
                    problem("allowed", "可报考本科专业为空。")
            source = {key: _cell_json(cells[col]) for col, key in named if not tabular.is_blank(cells[col])}
            rows.append(ReferenceRow(number, sno, name, idn, data, source, problems))
        if not rows:
            raise BadFileError(f"工作表“{found.name}”在表头（第 {header.number} 行）下面没有数据行。"
                               "请确认选对了文件或工作表。")
        if kind == "academic":
            # A duplicate is kept (it is what the office sent) but never used for matching.
            for r in rows:
                if r.student_no and first_sno.get(r.student_no) != r.row:
                    r.data["duplicate_of"] = str(first_sno[r.student_no])
        progress(total, total, "检查完成。")
        return ReferencePreview(kind, path, sha, mapping, rows, warnings)

    # -- commit -------------------------------------------------------------------------------------
    @bulk_work()
    def commit(self, actor: Actor, preview: ReferencePreview, *, progress: Progress | None = None,
               cancel: CancelToken | None = None) -> ReferenceResult:
        """Store the previewed list as the active list of its kind (the previous one stays, inactive)."""
        require(actor, "reference.import")
        progress = progress or no_progress
        path = Path(preview.path)
        sha = ensure_unchanged(path, preview.file_sha256)
        kind = preview.kind
        with self.db.transaction() as s:
            old = s.scalars(select(ReferenceList).where(ReferenceList.kind == kind,
                                                        ReferenceList.active.is_(True))).all()
            if old:
                s.execute(update(ReferenceList).where(ReferenceList.id.in_([o.id for o in old]))
                          .values(active=False, **bump_values(ReferenceList.__table__)))
            lst = ReferenceList(kind=kind, file_name=path.name, file_sha256=sha, row_count=len(preview.rows),
                                imported_by=actor.username, active=True)
            s.add(lst)
            s.flush()
            fixed = insert_values(s)
            uuids = uuid4_batch(len(preview.rows))
            total = len(preview.rows)
            digest = RowsDigest()  # over the rows as stored, for ``audit verify --deep``
            for start in range(0, total, CHUNK):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                progress(start, total, "正在保存名单…")
                batch = []
                for r in preview.rows[start:start + CHUNK]:
                    stored = {"fields": r.data, "source": r.source,
                              "problems": [p.text() for p in r.problems]}
                    batch.append({"uuid": next(uuids), **fixed, "list_id": lst.id, "kind": kind, "row_number": r.row,
                                  "student_no": r.student_no[:32], "name": r.name[:64],
                                  "id_number": r.id_number,
                                  "data": json.dumps(stored, ensure_ascii=False, default=str)})
                bulk_insert(s, ReferenceRecord.__table__, batch)
                for row in batch:
                    digest.add(row["row_number"], row["student_no"], row["name"], row["id_number"], row["data"])
            bad = sum(1 for r in preview.rows if r.problems)
            self.audit.record(
                s, actor.username, "reference.import", entity_type="reference_list", entity_uuid=lst.uuid,
                summary=f"导入{KINDS[kind]}“{path.name}”：{total} 行" + (f"，{bad} 行有问题" if bad else ""),
                before={"replaced": [o.uuid for o in old]} if old else None,
                after={"kind": kind, "file": path.name, "sha256": sha, "rows": total, "rows_with_problems": bad,
                       "records_digest": digest.hexdigest()})
            progress(total, total, "导入完成。")
            return ReferenceResult(kind, lst.uuid, total, bad, bool(old))

    def lists(self, kind: str | None = None) -> list[ListInfo]:
        """Imported lists, newest first."""
        with self.db.read() as s:
            stmt = select(ReferenceList).order_by(ReferenceList.id.desc())
            if kind:
                stmt = stmt.where(ReferenceList.kind == kind)
            return [ListInfo(x.uuid, x.kind, x.file_name, x.row_count, x.imported_by, x.created_at, x.active)
                    for x in s.scalars(stmt)]

    def active(self) -> dict[str, ListInfo | None]:
        """The active list of each kind (None where none was imported yet)."""
        out: dict[str, ListInfo | None] = dict.fromkeys(KINDS)
        with self.db.read() as s:
            for x in s.scalars(select(ReferenceList).where(ReferenceList.active.is_(True))
                               .order_by(ReferenceList.id)):
                out[x.kind] = ListInfo(x.uuid, x.kind, x.file_name, x.row_count, x.imported_by, x.created_at,
                                       x.active)
        return out

    def source_rows(self, student_no: str, id_number: str, major: str = "") -> dict[str, list[SourceRow]]:
        """The active lists' rows about one candidate: 学籍 and 处分 rows with the student number or
        ID number, and the major mapping's rows for ``major`` (as the review matches them)."""
        out: dict[str, list[SourceRow]] = {k: [] for k in KINDS}
        student_no, id_number = (student_no or "").strip(), (id_number or "").strip()
        with self.db.read() as s:
            active = {x.id: x for x in s.scalars(select(ReferenceList).where(ReferenceList.active.is_(True)))}
            if not active:
                return out
            keys = []
            if student_no:
                keys.append(ReferenceRecord.student_no == student_no)
            if id_number:
                keys.append(ReferenceRecord.id_number == id_number)
            person = []
            if keys:
                person = list(s.scalars(select(ReferenceRecord)
                                        .where(ReferenceRecord.kind.in_(("academic", "conduct")),
                                               ReferenceRecord.list_id.in_(list(active)), or_(*keys))
                                        .order_by(ReferenceRecord.kind, ReferenceRecord.row_number)))
            majors = []
            if major.strip():
                majors_ids = [i for i, x in active.items() if x.kind == "majors"]
                if majors_ids:
                    table: dict[str, list[str]] = {}
                    records = list(s.scalars(select(ReferenceRecord).where(ReferenceRecord.list_id.in_(majors_ids))
                                             .order_by(ReferenceRecord.row_number)))
                    for r in records:
                        table.setdefault(major_key(json.loads(r.data or "{}").get("fields", {}).get("major", "")),
                                         []).append(str(r.id))
                    ids = majors_for(table, major) or []
                    majors = [r for r in records if str(r.id) in ids]
            for r in [*person, *majors]:
                stored = json.loads(r.data) if r.data else {}
                out[r.kind].append(SourceRow(r.kind, active[r.list_id].file_name, r.row_number, r.student_no,
                                             r.name, r.id_number, stored.get("fields", {}),
                                             list(stored.get("problems", []))))
        return out
