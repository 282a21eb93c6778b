"""What every spreadsheet import shares: where a problem is (row and column as the user sees
them), how the file's columns map to fields and how the user corrects that, that the file is the
one previewed, and the cells of the rejected-rows workbook as the user typed them.

Used by the roster import (``app.roster``) and the reference lists (``app.review``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import ConflictError, ValidationError
from app.importing import tabular

SKIP_WORDS = ("-", "ignore", "忽略", "不导入")  # ``--map 家长电话=-``: leave the column out


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based sheet row number as the user sees it in Excel / the CSV line number
    column: str  # column letter(s) as in Excel ("D"); "" when the problem is about the whole row
    header: str  # the header text in the file ("身份证号码"), "" when none
    field: str  # candidate field key ("id_number") or "" for whole-row problems
    message: str  # Chinese reason

    def where(self) -> str:
        """“D 列（身份证号码）” or "" for a whole-row problem."""
        if not self.column:
            return ""
        return f"{self.column} 列（{self.header}）" if self.header else f"{self.column} 列"

    def text(self) -> str:
        where = self.where()
        return f"第 {self.row} 行 {where}：{self.message}" if where else f"第 {self.row} 行：{self.message}"


@dataclass
class ColumnMapping:
    sheet: str
    header_row: int  # 1-based
    headers: list[str]  # header texts in column order
    fields: dict[int, str]  # 0-based column index -> candidate field key (incl. "college")
    missing_required: list[str]  # field keys required but not placed (name, id_number)
    unknown_headers: list[str]  # headers not recognised (ignored)
    sheets: list[str] = field(default_factory=list)  # every sheet of the file, to choose another
    samples: dict[int, list[str]] = field(default_factory=dict)  # column -> first values below the header


def column_samples(sheet: tabular.Sheet, header: tabular.HeaderRow, count: int = 3,
                   scan: int = 50) -> dict[int, list[str]]:
    """The first ``count`` different values of each column below the header (of the next ``scan``
    rows), as the user reads them: what the mapping page shows beside each column's name."""
    out: dict[int, list[str]] = {c: [] for c in range(len(header.headers))}
    for cells in sheet.rows[header.first_data:header.first_data + scan]:
        for c, values in out.items():
            if len(values) < count and c < len(cells) and not tabular.is_blank(cells[c]):
                text = tabular.header_text(cells[c])
                if isinstance(cells[c], dt.date):
                    text = cells[c].isoformat()[:10]
                if text not in values:
                    values.append(text[:30])
    return out


def ensure_unchanged(path: Path, previewed_sha256: str) -> str:
    """The file's hash, refusing (in Chinese) a file gone or changed since its preview."""
    try:
        sha = file_sha256(path)
    except OSError:
        raise ConflictError(f"找不到预览过的文件“{path.name}”，请重新选择文件并预览。") from None
    if sha != previewed_sha256:
        raise ConflictError(f"文件“{path.name}”在预览之后被修改过，请重新预览后再导入。")
    return sha


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def apply_overrides(mapping: ColumnMapping, overrides: dict[str, str], choices: dict[str, str],
                    what: str) -> None:
    """Apply the user's ``HEADER=field`` corrections (CLI ``--map``, the GUI's mapping page).

    HEADER is a header text or a column letter; field is a key or a label of ``choices``
    (key -> label), or 忽略/ignore/- to leave the column out.
    """
    labels = {tabular.normalise_header(v): k for k, v in choices.items()}
    normalised = [tabular.normalise_header(h) for h in mapping.headers]
    for head, target in overrides.items():
        want = tabular.normalise_header(head)
        cols = [i for i, h in enumerate(normalised) if h and h == want]
        if not cols:
            letter = tabular.column_index(head)
            if letter is not None and letter < len(mapping.headers):
                cols = [letter]
        if not cols:
            shown = "、".join(f"“{h}”" for h in mapping.headers if h)
            raise ValidationError(f"文件的表头中没有“{head}”这一列。表头有：{shown}。", "map")
        key = target.strip()
        if key.lower() in ("", *SKIP_WORDS):
            key = ""
        elif key not in choices:
            key = labels.get(tabular.normalise_header(key), "")
            if not key:
                listed = "、".join(f"{k}（{v}）" for k, v in choices.items())
                raise ValidationError(f"“{target}”不是{what}。可选：{listed}。", "map")
        col = cols[0]
        if key:
            for other in [c for c, k in mapping.fields.items() if k == key]:
                del mapping.fields[other]
            mapping.fields[col] = key
        else:
            mapping.fields.pop(col, None)
        text = mapping.headers[col]
        if text in mapping.unknown_headers:
            mapping.unknown_headers.remove(text)
    mapping.fields = dict(sorted(mapping.fields.items()))


def problem_reason(p: RowProblem, letters: dict[str, str]) -> str:
    if not p.column:
        return p.message
    column = letters.get(p.column, p.column)
    return f"{column} 列（{p.header}）：{p.message}" if p.header else f"{column} 列：{p.message}"


def header_keys(headers: list[str]) -> list[str]:
    """Unique ``ImportRow.raw`` keys: the header text, or “列F” for an unnamed column."""
    keys: list[str] = []
    seen: set[str] = set()
    for i, h in enumerate(headers):
        key = h or f"列{tabular.column_letter(i)}"
        base, n = key, 2
        while key in seen:
            key, n = f"{base}（{n}）", n + 1
        seen.add(key)
        keys.append(key)
    return keys


def as_text(value: object) -> object:
    """Numbers in ID/student-number/phone columns as the text a user would type (no ``.0``)."""
    if isinstance(value, float) and not isinstance(value, bool):
        if value.is_integer() and abs(value) < 10**15:
            return str(int(value))
        # An ID number Excel already rounded: show it as Excel did, so nobody takes it for real.
        return f"{value:.5E}"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def display_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

