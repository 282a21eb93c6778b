"""Reading the spreadsheets people hand over: .xlsx (python-calamine) and .csv (UTF-8, GBK, Big5, UTF-16/32).

A file becomes a ``Workbook`` of ``Sheet`` objects: rows of cell values, each row carrying its
true 1-based row number (blank rows are kept, so numbers stay true to what the user sees in
Excel or a text editor). ``find_header`` locates the header row below titles, dates and merged
banners by scoring the first rows against a caller's header classifier.

Files that cannot be read raise ``BadFileError`` with a Chinese message that says what to do.
Some student-affairs systems save an HTML table under a .xls name; that is read as a table too.
Every reader stays within ``app.file_limits`` (rows, columns, cells, sizes): a hostile or broken
file is refused in seconds, never read into gigabytes (``app.importing.xlsx_reader`` guards .xlsx files).
A NUL character is removed from every value (it would cut the value short in SQLite's own
functions and in every C program that shows it), never allowed to truncate one.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from app import file_limits as limits
from app.errors import BadFileError
from app.file_limits import MAX_CELLS, MAX_COLUMNS, MAX_ROWS, SAVE_AS_XLSX

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_MAGIC = b"PK\x03\x04"
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")  # .txt: Excel's “Unicode text” (tab-separated UTF-16)
# Names a workbook arrives under: WPS saves .et/.wps, mail and USB sticks lose extensions.
OTHER_WORKBOOK_SUFFIXES = (".xls", ".et", ".ett", ".wps", "")
SUPPORTED = ".xlsx 或 .csv"
HEADER_SCAN_ROWS = 30
DELIMITERS = (",", "\t", ";", "|")  # what CSV exports separate their fields with, most usual first


@dataclass
class Sheet:
    """One sheet's cells. ``rows[i]`` is sheet row ``numbers[i]``; all rows have the same width."""

    name: str
    rows: list[list[object]]
    numbers: list[int]
    hidden: bool = False
    hidden_rows: frozenset[int] = frozenset()  # sheet row numbers hidden in Excel (or filtered out)
    cut_off: bool = False  # the sheet reached past column MAX_COLUMNS; only the first ones were read

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


@dataclass
class HeaderRow:
    """Where the header is and what each column is (``keys[i]`` is None for an unknown column)."""

    index: int  # position in ``Sheet.rows``
    number: int  # 1-based sheet row number
    headers: list[str]  # header text per column (sub-headers of merged groups folded in)
    keys: list[str | None]
    score: int  # distinct recognised keys
    sub_rows: int = 0  # header rows below ``index`` (“本人 | 家长” under a merged “联系电话”)

    @property
    def first_data(self) -> int:
        """Position in ``Sheet.rows`` of the first row below the header."""
        return self.index + 1 + self.sub_rows


# -- cells and headers ----------------------------------------------------------------------------
def is_blank(value: object) -> bool:
    """None, "" or only white space (str.isspace counts the full-width and no-break spaces too)."""
    if value is None or value == "":
        return True
    return type(value) is str and value.isspace()


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: str) -> int | None:
    """Excel letters -> 0-based index, or None when ``letters`` is not a column name."""
    letters = letters.strip().upper()
    if not re.fullmatch(r"[A-Z]{1,3}", letters):
        return None
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


_HEADER_SPACES = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_HEADER_TRANS = str.maketrans({"（": "(", "）": ")", "【": "[", "】": "]", "［": "[", "］": "]",
                               "：": ":", "／": "/", "＊": "*", "﹡": "*", "★": "*", "☆": "*"})
# Marks forms put on required columns, before or after the name: “*姓名”, “姓名▲”, “※民族”, “姓名#”.
_REQUIRED_MARK = re.compile(r"[*▲△※#◆◇●○■□√]|\((必填|必须填写|必填项|选填|可选)\)|^必填")


def header_text(value: object) -> str:
    """A header cell as the user reads it (one line, surrounding space removed)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _HEADER_SPACES.sub(" ", str(value)).strip()


def normalise_header(value: object) -> str:
    """The comparable form: no white space at all, half-width brackets, no required marks, lower case."""
    text = _HEADER_SPACES.sub("", header_text(value)).translate(_HEADER_TRANS)
    text = _REQUIRED_MARK.sub("", text).rstrip(":")
    return text.lower()


def find_header(sheet: Sheet, classify: Callable[[str], str | None],
                scan: int = HEADER_SCAN_ROWS) -> HeaderRow | None:
    """The row among the first ``scan`` non-blank rows whose cells ``classify`` recognises most.

    ``classify`` gets a normalised header and returns a key or None. A header split over two
    rows (a merged group title such as “服役情况” above “入伍时间 | 退役时间”, or “姓名” merged
    down over both rows) is folded into one: the neighbour row's recognised cells fill the
    columns where the best row has nothing recognised.
    """
    candidates: list[int] = []
    for i, row in enumerate(sheet.rows):
        if any(not is_blank(v) for v in row):
            candidates.append(i)
            if len(candidates) >= scan:
                break
    best: tuple[int, int] | None = None
    keyed: dict[int, list[str | None]] = {}
    for i in candidates:
        keys = [classify(normalise_header(v)) if isinstance(v, str) and not is_blank(v) else None
                for v in sheet.rows[i]]
        keyed[i] = keys
        score = len({k for k in keys if k})
        if score and (best is None or score > best[1]):
            best = (i, score)
    if best is None:
        return None
    index = best[0]
    folded = _fold_groups(sheet, index, classify)
    if folded is not None:
        upper, headers, keys = folded
        return HeaderRow(index=upper, number=sheet.numbers[upper], headers=headers, keys=keys,
                         score=len({k for k in keys if k}), sub_rows=1)
    headers = [header_text(v) for v in sheet.rows[index]]
    keys = list(keyed[index])
    for other in (index + 1, index - 1):
        other_keys = keyed.get(other)
        if other_keys is None:
            continue
        row = sheet.rows[other]
        # A data row or a title never fills recognised columns only where ours are unknown.
        clash = any(k is None and not is_blank(v) and keys[c] is not None and header_text(v) != headers[c]
                    for c, (k, v) in enumerate(zip(other_keys, row, strict=True)))
        gains = [c for c, k in enumerate(other_keys) if k and keys[c] is None]
        if gains and not clash:
            for c in gains:
                headers[c], keys[c] = header_text(row[c]), other_keys[c]
            break
    return HeaderRow(index=index, number=sheet.numbers[index], headers=headers, keys=keys,
                     score=len({k for k in keys if k}))


_SUB_HEADER_MAX = 8  # characters: “本人”, “家长”, “手机”, “固话”
_GROUP_NAME_MAX = 16  # characters: “联系电话”, “基本信息”, “服役情况（退役大学生士兵填写）”


def _fold_groups(sheet: Sheet, index: int, classify: Callable[[str], str | None]
                 ) -> tuple[int, list[str], list[str | None]] | None:
    """A header of two rows where a group name spans several columns over short labels.

    “联系电话” merged over two columns with “家长 | 本人” below (or “基本信息” over “学号 | 姓名”)
    arrives as “联系电话”, “” over “家长”, “本人”. Each label that is not a header name itself
    joins its group's name (“联系电话（本人）”) and is classified again, so the parent's number is
    not taken for the student's. Returns (upper row position, headers, keys) or None.
    """
    for upper in (index, index - 1):
        lower = upper + 1
        if upper < 0 or lower >= len(sheet.rows):
            continue
        above = [header_text(v) for v in sheet.rows[upper]]
        named = [t for t in above if t]
        if len(named) < 2 or any(len(t) > _GROUP_NAME_MAX or "：" in t or ":" in t for t in named):
            continue  # a title, or a “学院：… 填表人：…” line over the table, not column and group names
        row = sheet.rows[lower]
        # Cells merged down repeat the name above (filled in by ``_fill_merged_down``): not labels.
        labels = {c: header_text(v) for c, v in enumerate(row)
                  if not is_blank(v) and header_text(v) != above[c]}
        if len(labels) < 2 or any(not isinstance(row[c], str) or len(t) > _SUB_HEADER_MAX or re.search(r"\d", t)
                                  for c, t in labels.items()):
            continue
        width = len(above)
        spans = {c for c in labels if not above[c]}  # labels under the blank cells of a merged name
        starts = {c for c in range(width - 1) if above[c] and not above[c + 1] and c + 1 in spans}
        if not spans:
            continue
        headers: list[str] = []
        keys: list[str | None] = []
        grouped = False
        for c in range(width):
            label = labels.get(c, "")
            if not label:
                headers.append(above[c])
                keys.append(classify(normalise_header(above[c])) if above[c] else None)
                continue
            own = classify(normalise_header(label))
            if own:
                headers.append(label)
                keys.append(own)
                continue
            if above[c] and c not in starts:
                break  # a value under a column's own name: this is a data row, not labels
            group = c
            while group > 0 and not above[group]:
                group -= 1
            if not above[group]:
                break
            headers.append(f"{above[group]}（{label}）")
            keys.append(classify(normalise_header(headers[-1])))
            grouped = True
        else:
            if grouped:
                return upper, headers, keys
    return None


def pick_sheet(book: Workbook, classify: Callable[[str], str | None], ok: Callable[[HeaderRow], bool],
               rank: Callable[[Sheet, HeaderRow], tuple[int, ...]] = lambda _s, _h: (0,), name: str | None = None
               ) -> tuple[Sheet, HeaderRow] | None:
    """The sheet to import and its header: ``name`` when the user chose one, otherwise the sheet
    whose ``ok`` header ranks highest (the first of equals, visible sheets first). None when no
    sheet has such a header; ``BadFileError`` for an unknown name or a file without any data."""
    if name is not None:
        if name not in book.names:
            listed = "、".join(f"“{n}”" for n in book.names)
            raise BadFileError(f"文件“{book.path.name}”里没有名为“{name}”的工作表。工作表有：{listed}。")
        sheet = book.sheet(book.names.index(name))
        header = find_header(sheet, classify)
        return (sheet, header) if header is not None and ok(header) else None
    chosen: tuple[Sheet, HeaderRow] | None = None
    best: tuple[int, ...] | None = None
    seen_data = False
    for sheet in book.sheets():
        if not any(not is_blank(v) for row in sheet.rows for v in row):
            continue
        seen_data = True
        header = find_header(sheet, classify)
        if header is None or not ok(header):
            continue
        score = rank(sheet, header)
        if best is None or score > best:
            chosen, best = (sheet, header), score
    if not seen_data:
        raise BadFileError(f"文件“{book.path.name}”里没有任何数据（工作表是空的）。请确认选对了文件。")
    return chosen


# -- workbooks ------------------------------------------------------------------------------------
class Workbook:
    """The sheets of one file, read on demand (a roster is usually the first sheet)."""

    def __init__(self, path: Path, names: list[str], loader: Callable[[int], Sheet],
                 hidden: list[bool] | None = None) -> None:
        self.path = path
        self.names = names
        self.hidden = hidden or [False] * len(names)
        self._loader = loader
        self._cache: dict[int, Sheet] = {}

    def sheet(self, index: int) -> Sheet:
        if index not in self._cache:
            self._cache[index] = self._loader(index)
        return self._cache[index]

    def sheets(self) -> Iterator[Sheet]:
        """Visible sheets first, in workbook order, then hidden ones. Each is read when reached and
        not kept, so looking through a workbook of many sheets holds one sheet at a time."""
        order = [i for i, h in enumerate(self.hidden) if not h] + [i for i, h in enumerate(self.hidden) if h]
        for i in order:
            yield self._cache[i] if i in self._cache else self._loader(i)


def open_workbook(path: Path) -> Workbook:
    """Open .xlsx/.csv (and HTML tables saved as .xls); raise ``BadFileError`` saying what to do."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    if name.startswith("~$"):
        raise BadFileError(f"“{name}”是 Excel/WPS 打开文件时生成的临时文件，不是名单。请选择不带“~$”的原文件。")
    if suffix not in (*XLSX_SUFFIXES, *CSV_SUFFIXES, *OTHER_WORKBOOK_SUFFIXES):
        raise BadFileError(f"不支持 {suffix} 文件“{name}”。请导入 Excel 工作簿（.xlsx）或 CSV 文件（.csv）。")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise BadFileError(f"找不到文件“{path}”。") from None
    except IsADirectoryError:
        raise BadFileError(f"“{path}”是文件夹，不是文件。") from None
    except PermissionError:
        raise BadFileError(f"无法打开“{name}”：文件可能正被 Excel 或 WPS 占用，或没有读取权限。"
                           "请关闭该文件后重试。") from None
    if not head:
        raise BadFileError(f"文件“{name}”是空的（0 字节）。请确认选对了文件。")
    # What the file is, whatever it is called: an .xlsx renamed .xls or saved by WPS as .et
    # opens as the workbook it is.
    if suffix in CSV_SUFFIXES:
        return _single(path, _read_csv(path))
    if head.startswith(OLE2_MAGIC):
        return _open_xls(path, suffix)
    if head.startswith(ZIP_MAGIC):
        return _open_xlsx(path, by_content=suffix not in XLSX_SUFFIXES)
    _check_text_size(path)
    text = _decode_markup(path.read_bytes())
    if text is not None and "urn:schemas-microsoft-com:office:spreadsheet" in text[:5000]:
        raise BadFileError(f"“{name}”是 Excel 2003 XML 表格（XML Spreadsheet），不能直接导入。{SAVE_AS_XLSX}")
    if text is not None and re.search(r"<table", text[:200_000], re.IGNORECASE):
        return _single(path, _read_html(path, text))
    if _looks_like_csv(path):
        return _single(path, _read_csv(path))
    raise BadFileError(f"文件“{name}”已损坏或不是 Excel 工作簿，无法读取。"
                       f"请用 Excel 或 WPS 打开检查，必要时重新导出，或另存为 .xlsx 后再导入。")


def _looks_like_csv(path: Path) -> bool:
    """A text file of delimited lines (a CSV export saved under a workbook's name)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(64 * 1024)
        text = decode_text(data, path.name, partial=True)
    except (OSError, BadFileError):
        return False
    if "\x00" in text:
        return False
    lines = [ln for ln in text.splitlines() if ln.strip()][:HEADER_SCAN_ROWS]
    return len(lines) >= 2 and any(d in lines[0] for d in DELIMITERS)


def _single(path: Path, sheet: Sheet) -> Workbook:
    return Workbook(path, [sheet.name], lambda _i: sheet)


def _open_xls(path: Path, suffix: str) -> Workbook:
    """A legacy Excel 97-2003 workbook (BIFF, also what WPS saves as .et), read with xlrd.

    Not with calamine: it builds the whole rectangle up to the farthest cell, so a 5 KB file with
    one cell at IV65536 costs a gigabyte; xlrd keeps each row as long as its own cells. The file is
    small (its size is checked first), and the rows, columns and cells are held to the same limits
    as an .xlsx. An OLE2 file xlrd cannot read (encrypted, WPS's own format, damaged) gets the
    message that says what to do."""
    import xlrd

    size = path.stat().st_size
    if size > limits.MAX_XLS_BYTES:
        raise BadFileError(f"“{path.name}”有 {limits.megabytes(size)}，超过了 Excel 97-2003 工作簿的上限 "
                           f"{limits.megabytes(limits.MAX_XLS_BYTES)}。{SAVE_AS_XLSX}")
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, ragged_rows=True)
    except Exception:  # xlrd raises many kinds for what is not BIFF it can read
        raise BadFileError(_ole2_message(path, suffix)) from None
    names = book.sheet_names()
    if len(names) > limits.MAX_SHEETS:
        raise BadFileError(f"“{path.name}”有 {len(names):,} 个工作表，超过了上限 {limits.MAX_SHEETS:,} 个。"
                           "请把名单所在的工作表复制到一个新的工作簿后再导入。")
    visibility = list(getattr(book, "_sheet_visibility", [0] * len(names)))
    hidden = [bool(v) for v in visibility] if len(visibility) == len(names) else [False] * len(names)

    def load(index: int) -> Sheet:
        try:
            sh = book.sheet_by_index(index)
        except Exception:
            raise BadFileError(_ole2_message(path, suffix)) from None
        if sh.nrows > limits.MAX_ROWS:
            raise BadFileError(limits.too_many_rows(names[index], sh.nrows))
        width = min(sh.ncols, limits.MAX_COLUMNS)
        if sh.nrows * width > limits.MAX_CELLS:
            raise BadFileError(limits.too_many_cells(names[index], sh.nrows, width))
        rows: list[list[object]] = []
        for r in range(sh.nrows):
            n = min(sh.row_len(r), width)
            row = [_xls_value(t, v, book.datemode) for t, v in zip(sh.row_types(r, 0, n), sh.row_values(r, 0, n),
                                                                   strict=True)]
            rows.append(row + [""] * (width - len(row)))
        merged = [((r0, c0), (r1 - 1, c1 - 1)) for r0, r1, c0, c1 in sh.merged_cells if c0 < width]
        _fill_merged_down(rows, merged)
        hidden_rows = frozenset(r + 1 for r, info in sh.rowinfo_map.items() if getattr(info, "hidden", 0))
        book.unload_sheet(index)
        return Sheet(names[index], rows, list(range(1, len(rows) + 1)), hidden[index], hidden_rows,
                     sh.ncols > limits.MAX_COLUMNS)

    return Workbook(path, names, load, hidden)


def _xls_value(kind: int, value: object, datemode: int) -> object:
    """A BIFF cell as calamine gives an .xlsx cell: text, a float, a date, a bool; "" for empty
    and error cells; a NUL in text removed as everywhere."""
    import xlrd

    if kind == xlrd.XL_CELL_TEXT:
        return value.replace("\x00", "") if "\x00" in value else value  # type: ignore[union-attr]
    if kind == xlrd.XL_CELL_NUMBER:
        return value
    if kind == xlrd.XL_CELL_DATE:
        try:
            stamp = xlrd.xldate_as_datetime(value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return value
        return stamp.date() if stamp.time() == dt.time() else stamp
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(value)
    return ""


def _ole2_message(path: Path, suffix: str) -> str:
    """An OLE2 compound file is either a legacy .xls or an encrypted .xlsx (Office wraps those)."""
    with path.open("rb") as fh:
        directory = fh.read(1 << 20)
    encrypted = "EncryptedPackage".encode("utf-16-le") in directory or \
        "EncryptionInfo".encode("utf-16-le") in directory
    legacy = "Workbook".encode("utf-16-le") in directory or "Book".encode("utf-16-le") in directory
    if suffix in (".et", ".ett", ".wps") and not encrypted:
        return (f"“{path.name}”是 WPS 表格自己的格式，不能直接导入。"
                "请在 WPS 中打开它，选择“另存为”，文件类型选 Excel 工作簿（*.xlsx），保存后再导入。")
    if encrypted or (suffix != ".xls" and not legacy):
        return (f"工作簿“{path.name}”设置了打开密码（已加密），无法读取。"
                "请用 Excel 或 WPS 输入密码打开它，取消文档加密（清空打开密码）并保存，再导入。")
    return (f"“{path.name}”是旧版 Excel 97-2003 工作簿（.xls），但内容已损坏或不是能读取的格式。"
            f"{SAVE_AS_XLSX}")


def _open_xlsx(path: Path, by_content: bool = False) -> Workbook:
    import python_calamine as calamine

    from app.importing.xlsx_reader import XlsxPackage

    corrupt = limits.corrupt(path.name)
    # The zip directory and the parts calamine reads first (shared strings, styles, the sheet
    # list) are checked before calamine opens anything.
    package = XlsxPackage(path)
    calamine_errors = (calamine.CalamineError, OSError, ValueError, KeyError, zipfile.BadZipFile)
    try:
        if by_content:  # calamine picks the reader by the name; this one is an .xlsx whatever its name
            with path.open("rb") as fh:
                book = calamine.CalamineWorkbook.from_filelike(fh)
        else:
            book = calamine.CalamineWorkbook.from_path(str(path))
        meta = book.sheets_metadata
    except calamine.PasswordError:
        raise BadFileError(f"工作簿“{path.name}”设置了密码，无法读取。请取消密码后保存，再导入。") from None
    except calamine_errors:
        raise BadFileError(corrupt) from None
    names = [m.name for m in meta]
    hidden = [m.visible != calamine.SheetVisibleEnum.Visible for m in meta]
    package.bind(names)

    def load(index: int) -> Sheet:
        name = names[index]
        scan = package.scan(index, name)  # refuses what is past a limit, before calamine builds it
        cut_off = scan.columns > MAX_COLUMNS
        width = scan.kept_columns if cut_off else scan.columns
        if scan.rows_exact and scan.rows * width > MAX_CELLS:
            raise BadFileError(limits.too_many_cells(name, scan.rows, width))
        copy = None
        source = book
        parsed: list[object] = []
        try:
            if cut_off:
                # calamine would hold every cell up to the far one (16,384 per row for column XFD):
                # it reads a copy of the sheet without the cells past MAX_COLUMNS instead.
                copy = package.without_far_cells(index, name, scan)
                source = calamine.CalamineWorkbook.from_path(str(copy))
            # calamine's parse lets go of the GIL: the hidden rows, long numbers and NULs are
            # looked for beside it.
            parse = threading.Thread(target=_parse_into, args=(source, index, parsed), daemon=True)
            parse.start()
            try:
                package.details(index, name, scan)
            finally:
                parse.join()
            raw = parsed[0]
            if isinstance(raw, BaseException):
                raise raw
            end = raw.end  # type: ignore[attr-defined]
            if end is not None and (end[0] + 1) * (end[1] + 1) > MAX_CELLS:
                raise BadFileError(limits.too_many_cells(name, end[0] + 1, end[1] + 1))
            # skip_empty_area=False pads from A1, so list positions are true row/column numbers.
            rows = raw.to_python(skip_empty_area=False)  # type: ignore[attr-defined]
            merged = raw.merged_cell_ranges or []  # type: ignore[attr-defined]
        except calamine_errors:
            raise BadFileError(corrupt) from None
        finally:
            if copy is not None:
                if source is not book:
                    source.close()
                copy.unlink(missing_ok=True)
        width = max((len(r) for r in rows), default=0)
        for r in rows:
            if len(r) < width:
                r.extend([""] * (width - len(r)))
        _exact_long_numbers(rows, scan.long_numbers)
        if scan.nul or package.strings.nul:
            _drop_nul(rows)
        _fill_merged_down(rows, merged)
        return Sheet(name, rows, list(range(1, len(rows) + 1)), hidden[index], frozenset(scan.hidden_rows), cut_off)

    return Workbook(path, names, load, hidden)


def _parse_into(book: object, index: int, out: list[object]) -> None:
    try:
        out.append(book.get_sheet_by_index(index))  # type: ignore[attr-defined]
    except BaseException as exc:  # handed to the caller's thread
        out.append(exc)


def _exact_long_numbers(rows: list[list[object]], exact: dict[tuple[int, int], int]) -> None:
    """A number cell stored with all its digits (``<v>410302199003071234</v>``, as scripts and
    many systems write ID numbers) becomes that integer: calamine's float keeps only 15–17
    significant digits. Only where calamine read the same number, so nothing else is replaced."""
    for (r, c), digits in exact.items():
        if r < len(rows) and c < len(rows[r]):
            value = rows[r][c]
            if type(value) is float and value == float(digits):
                rows[r][c] = digits


def _drop_nul(rows: list[list[object]]) -> None:
    for row in rows:
        for i, value in enumerate(row):
            if type(value) is str and "\x00" in value:
                row[i] = value.replace("\x00", "")


def _fill_merged_down(rows: list[list[object]], merged: list) -> None:
    """A cell merged down over several rows (a class or counsellor written once for the whole
    class) holds its value only in the top row; every row it covers shows it, so give it to each.

    Merged ranges never overlap in a real sheet; where a file says they do, each cell is still
    filled at most once, so the work stays within the size of the sheet."""
    filled: dict[int, int] = {}  # column -> last row filled so far
    for (r0, c0), (r1, _c1) in sorted(merged, key=lambda m: (m[0][1], m[0][0])):
        if r1 <= r0 or r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        start = max(r0 + 1, filled.get(c0, -1) + 1)
        stop = min(r1, len(rows) - 1)
        if start > stop:
            continue
        value = rows[r0][c0]
        for r in range(start, stop + 1):
            if is_blank(rows[r][c0]):
                rows[r][c0] = value
        filled[c0] = stop


# -- CSV --------------------------------------------------------------------------------------------
# What Chinese text is made of: ideographs, CJK and full-width punctuation, the marks forms use.
# Bytes decoded with the wrong table show kana, Greek, box drawing and private-use characters,
# or rare ideographs, instead.
_NOT_CHINESE = re.compile("[^\u4e00-\u9fff\u3000-\u303f\uff01-\uff5e\u2010-\u2027\u2460-\u24ff"
                          "\u25a0-\u25ff\u00b7\u00d7\u00f7\u221a\u203b\u2605\u2606]")
_PLAUSIBLE_SAMPLE = 200_000  # characters looked at


def _common_ideograph(ch: str) -> bool:
    """In GB2312 (the 6,763 common simplified characters) or Big5's first level (the 5,401 common
    traditional ones): a name or a class is written with these."""
    if not "\u4e00" <= ch <= "\u9fff":
        return True
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        pass
    try:
        return 0xA440 <= int.from_bytes(ch.encode("big5"), "big") <= 0xC67E
    except UnicodeEncodeError:
        return False


def _implausible_share(text: str) -> tuple[int, float]:
    """(non-ASCII characters seen, the share of them that Chinese text would hardly contain)."""
    counts = Counter(ch for ch in text[:_PLAUSIBLE_SAMPLE] if ch >= "\x80")
    seen = sum(counts.values())
    odd = sum(n for ch, n in counts.items() if _NOT_CHINESE.match(ch) or not _common_ideograph(ch))
    return seen, (odd / seen if seen else 0.0)


def _decode(data: bytes, encoding: str, partial: bool) -> str:
    """Strict decoding; ``partial``: ``data`` is the start of a file and may end inside a character."""
    if not partial:
        return data.decode(encoding)
    return codecs.getincrementaldecoder(encoding)("strict").decode(data, final=False)


def _wide_unicode(data: bytes) -> str | None:
    """UTF-32 or UTF-16 without a byte-order mark, told by where the zero bytes fall: text that
    is mostly ASCII (digits, commas, line ends) has a zero in every 4-byte unit's upper half
    (UTF-32) or in every other byte (UTF-16)."""
    sample = data[:4096]
    whole = len(sample) // 4 * 4
    if whole >= 8:
        units = [sample[i:i + 4] for i in range(0, whole, 4)]
        if all(u[3] == 0 and u[2] <= 0x10 for u in units) and any(u[0] for u in units):
            return "utf-32-le"
        if all(u[0] == 0 and u[1] <= 0x10 for u in units) and any(u[3] for u in units):
            return "utf-32-be"
    half = len(sample) // 2
    if half >= 4:
        zero_even, zero_odd = sample[0:half * 2:2].count(0), sample[1:half * 2:2].count(0)
        if zero_odd >= half // 4 and zero_even == 0:
            return "utf-16-le"
        if zero_even >= half // 4 and zero_odd == 0:
            return "utf-16-be"
    return None


def decode_text(data: bytes, name: str, partial: bool = False) -> str:
    """The text of a CSV or text export: UTF-8 (with or without BOM), UTF-16 and UTF-32 (with a
    byte-order mark, or told by their zero bytes), GB18030 (⊃ GBK), or Big5 (Taiwan and Hong Kong
    systems) where GB18030 makes nonsense of the bytes and Big5 reads them cleanly. Anything else
    is refused as an unsupported encoding, saying how to save the file; nothing is guessed into
    garbage. ``partial``: ``data`` is only the start of the file."""
    unsupported = BadFileError(
        f"不支持的文本编码：无法识别文件“{name}”的文字编码（能识别 UTF-8、GBK/GB18030、Big5、UTF-16 和 UTF-32）。"
        "请用 Excel 或 WPS 打开它，另存为 .xlsx（或另存为“CSV UTF-8”）后再导入。")
    marks = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
             (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
    for mark, encoding in marks:
        if data.startswith(mark):
            try:
                return _decode(data, encoding, partial)
            except UnicodeDecodeError:
                raise unsupported from None
    wide = _wide_unicode(data)
    if wide is not None:
        try:
            return _decode(data, wide, partial)
        except UnicodeDecodeError:
            pass
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return _decode(data[3:], "utf-8", partial)
        except UnicodeDecodeError:
            data = data[3:]  # a UTF-8 mark in front of GBK text (some export tools add one)
    try:
        return _decode(data, "utf-8", partial)
    except UnicodeDecodeError:
        pass
    try:
        text: str | None = _decode(data, "gb18030", partial)
    except UnicodeDecodeError:
        text = None
    try:
        big5: str | None = _decode(data, "cp950", partial)  # Big5 as Windows writes it
    except UnicodeDecodeError:
        big5 = None
    if text is not None:
        seen, odd = _implausible_share(text)
        if seen < 10 or odd < 0.1:
            return text
        if big5 is not None and _implausible_share(big5)[1] <= odd / 2:
            return big5
        if odd < 0.2:
            return text
        raise unsupported
    if big5 is not None and _implausible_share(big5)[1] < 0.1:
        return big5
    raise unsupported


_EXCEL_TEXT_FORMULA = re.compile(r'^="(.*)"$', re.DOTALL)


def _check_text_size(path: Path) -> None:
    """A CSV or HTML table is read whole: past ``MAX_TEXT_FILE_BYTES`` it is refused unread."""
    try:
        size = path.stat().st_size
    except OSError:
        return
    if size > limits.MAX_TEXT_FILE_BYTES:
        raise BadFileError(f"文件“{path.name}”有 {limits.megabytes(size)}，超过了文本表格（CSV、网页表格）可导入的上限 "
                           f"{limits.megabytes(limits.MAX_TEXT_FILE_BYTES)}（十万人的名单也只有约 20 MB）。"
                           "请确认选对了文件；如果名单确实这么大，请分成几个文件分别导入。")


def _read_csv(path: Path) -> Sheet:
    _check_text_size(path)
    try:
        data = path.read_bytes()
    except OSError:
        raise BadFileError(f"无法读取文件“{path.name}”，请关闭正在使用它的程序后重试。") from None
    if data.startswith(OLE2_MAGIC) or data.startswith(ZIP_MAGIC):
        raise BadFileError(f"“{path.name}”其实是 Excel 工作簿，不是 CSV 文本。请把扩展名改回 .xlsx，"
                           f"或{SAVE_AS_XLSX}")
    text = decode_text(data, path.name)
    del data
    if "\x00" in text:
        text = text.replace("\x00", "")
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[object]] = []
    numbers: list[int] = []
    last_line = 0
    cut_off = False
    cells = 0
    try:
        for record in reader:
            if len(rows) >= MAX_ROWS:
                raise BadFileError(limits.too_many_rows(path.stem, None))
            if len(record) > MAX_COLUMNS:
                # Fields far to the right of a roster are stray separators or junk; keep the first ones.
                cut_off = cut_off or any(not is_blank(v) for v in record[MAX_COLUMNS:])
                del record[MAX_COLUMNS:]
            cells += len(record)
            if cells > MAX_CELLS:
                raise BadFileError(limits.too_many_cells(path.stem, len(rows) + 1, MAX_COLUMNS))
            numbers.append(last_line + 1)  # a quoted cell may span lines: the record starts here
            last_line = reader.line_num
            # ="0123" is how Excel users keep leading zeros and long numbers as text in a CSV.
            rows.append([_unwrap_text_formula(v) for v in record])
    except csv.Error as exc:
        raise BadFileError(f"CSV 文件“{path.name}”第 {reader.line_num} 行格式有误（{exc}）。"
                           f"{SAVE_AS_XLSX}") from None
    _pad(rows, path.stem)
    sheet = Sheet(path.stem, rows, numbers)
    sheet.cut_off = cut_off
    return sheet


def _unwrap_text_formula(value: str) -> str:
    if value.startswith('="'):
        m = _EXCEL_TEXT_FORMULA.match(value)
        if m:
            return m.group(1)
    return value


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number of fields most often.

    Counting characters alone picks the comma in a semicolon file whose notes contain commas;
    here each candidate is parsed (quotes respected) and scored by how many lines agree on one
    field count greater than one, the header line counting double.
    """
    lines = [ln for ln in text.splitlines()[:HEADER_SCAN_ROWS * 2] if ln.strip()]
    best, best_score = ",", 0
    for d in DELIMITERS:
        if not any(d in ln for ln in lines):
            continue
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        counts = Counter(w for w in widths if w > 1)
        if not counts:
            continue
        width, agreeing = counts.most_common(1)[0]
        score = agreeing + (1 if widths and widths[0] == width else 0)
        if score > best_score:
            best, best_score = d, score
    return best


def _pad(rows: list[list[object]], name: str) -> None:
    """Every row as wide as the widest (refused when that rectangle is past ``MAX_CELLS``)."""
    width = max((len(r) for r in rows), default=0)
    if len(rows) * width > MAX_CELLS:
        raise BadFileError(limits.too_many_cells(name, len(rows), width))
    for r in rows:
        if len(r) < width:
            r.extend([""] * (width - len(r)))


# -- HTML tables saved as .xls ----------------------------------------------------------------------
def _decode_markup(data: bytes) -> str | None:
    sample = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not sample.startswith(b"<"):
        return None
    m = re.search(rb'charset\s*=\s*["\']?([a-z0-9_\-]+)', data[:4096], re.IGNORECASE)
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return decode_text(data, "")
    except BadFileError:
        return None


class _TableParser(HTMLParser):
    """The first table's rows; colspan/rowspan cells repeat their text like merged cells read.

    What a rowspan carries down is kept per column (not per cell it covers), and every cell the
    spans produce counts against ``MAX_CELLS``: ``rowspan="65534" colspan="1000"`` on a few
    cells cannot fill memory."""

    def __init__(self, name: str) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._name = name
        self._depth = 0
        self._done = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._span = (1, 1)
        self._below: dict[int, tuple[int, int, str]] = {}  # column -> (first row, row past the end, text)
        self._cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._done:
            return
        if tag == "table":
            self._depth += 1
        elif self._depth == 1 and tag == "tr":
            self._row = []
        elif self._depth == 1 and tag in ("td", "th") and self._row is not None:
            a = dict(attrs)
            self._span = (_int(a.get("rowspan"), MAX_ROWS), _int(a.get("colspan"), MAX_COLUMNS))
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._done:
            return
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._fill_pending()
            text = "".join(self._cell).replace("\x00", "").strip()
            r = len(self.rows)
            rowspan, colspan = self._span
            for k in range(colspan):
                c = len(self._row)
                self._add(text if k == 0 else "")
                if rowspan > 1:
                    self._below[c] = (r + 1, r + rowspan, text if k == 0 else "")
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self._fill_pending()
            if len(self.rows) >= MAX_ROWS:
                raise BadFileError(limits.too_many_rows(self._name, None))
            self.rows.append(self._row)
            self._row = None
        elif tag == "table":
            self._depth -= 1
            if self._depth == 0:
                self._done = True

    def _add(self, text: str) -> None:
        assert self._row is not None
        if len(self._row) >= MAX_COLUMNS or self._cells >= MAX_CELLS:
            raise BadFileError(
                f"文件“{self._name}”的表格展开合并单元格（rowspan/colspan）后超过了可读取的上限（每行 {MAX_COLUMNS} 列，"
                f"共 {MAX_CELLS:,} 个单元格），不像正常的名单，未导入。{SAVE_AS_XLSX}")
        self._row.append(text)
        self._cells += 1

    def _fill_pending(self) -> None:
        assert self._row is not None
        r = len(self.rows)
        while (span := self._below.get(len(self._row))) is not None:
            first, end, text = span
            if end <= r:
                del self._below[len(self._row)]
                continue
            if first > r:
                break
            self._add(text)

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _int(value: str | None, most: int) -> int:
    try:
        return max(1, min(int(value or 1), most))
    except ValueError:
        return 1


def _read_html(path: Path, text: str) -> Sheet:
    parser = _TableParser(path.name)
    parser.feed(text)
    parser.close()
    rows: list[list[object]] = [list(r) for r in parser.rows]
    _pad(rows, path.stem)
    return Sheet(path.stem, rows, list(range(1, len(rows) + 1)))


# A date followed by a time of day, as exports print date cells: “2003-05-17 00:00:00”,
# “2003/4/11 0:00:00” (WPS, .NET), “2003-07-31 08:30”.
_DATE_TIME = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?")


def cell_date(value: object) -> object:
    """A date column's cell as a date where the sheet hid it: an Excel serial day number (a cell
    formatted as number) or a date printed with a time of day (“2003/4/11 0:00:00”)."""
    if type(value) is float or type(value) is int:
        if 10_000 < value < 80_000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
    elif type(value) is str and len(value) > 10:
        m = _DATE_TIME.fullmatch(value.strip())
        if m:
            return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    return value
