"""Reading .xlsx workbooks with bounded memory and time, in front of python-calamine.

python-calamine is fast but trusts the file. A sheet whose cells reach row 1,048,576 and column
XFD makes it allocate the whole rectangle (a two-cell file asks for 512 GB and aborts the
process); the shared-strings header can ask for 96 GB up front; every cell that names a shared
string gets its own copy of it; a zip member can inflate to gigabytes whatever its header says.
So before calamine sees a workbook:

- the zip directory and each part calamine reads are checked: declared sizes and compression
  ratios first, then the true inflated size, streamed and stopped at the limit (a header that
  lies about the size is caught as soon as the data runs past it);
- each sheet's XML gets one streaming pre-scan in bounded chunks that learns what calamine would
  build: the last row and column a cell reaches, how much shared text its cells copy, the hidden
  rows, the exact digits of long number cells, whether a NUL hides in a value. The plain XML that
  Excel, WPS, LibreOffice and openpyxl write is checked with byte searches and a few regular
  expressions; anything else (cells without a reference, prefixed tags, comments) gets a
  tag-by-tag pass that places cells by calamine's own rules.

Then a sheet is refused with a message saying the limit, read without its far-right cells
(calamine reads a copy of the workbook whose sheet lacks them), or read as it is.
"""

from __future__ import annotations

import os
import re
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from app import file_limits as lim
from app.errors import BadFileError

CHUNK = 1 << 18  # inflated bytes looked at at once (a few passes each, while in the CPU cache)
MAX_TAG_BYTES = 16 * lim.MiB  # one cell or tag larger than this is no spreadsheet's
# The rectangle calamine may build before its exact size is checked (about 42 bytes a cell).
SAFE_AREA = 4_000_000
# A sheet declaring more than this is refused unread; below it, the XML is streamed and stopped at
# MAX_SHEET_XML_BYTES, so that a roster of a million rows hears about its rows, not its bytes.
SHEET_DECLARED_BYTES = 4 * lim.MAX_SHEET_XML_BYTES
PLAIN_MAX_ROW = 99_999  # the plain-form check below accepts rows of up to five digits

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

# -- the plain form ---------------------------------------------------------------------------------
# Every cell tag in a chunk: its column letters when it opens with a plain reference of one or two
# letters and a row below 100,000, b"" otherwise (a far column or row, no reference, another
# attribute first...), which sends the chunk to a closer look.
_PLAIN_CELLS = re.compile(rb'<c(?: r="([A-Z]{1,2})(?=[1-9][0-9]{0,4}")|(?=[\s/>]))')
_ATTRS = rb'((?:\s+[^\s<>/=]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*)\s*(/?)>'
_CELL_REFS = re.compile(rb'<c r="([A-Za-z]*)([0-9]*)"' + _ATTRS)
_ROW_DIGITS = re.compile(rb'<c r="[A-Z]{1,2}([1-9][0-9]{0,4})"')
# Names calamine reads whatever their prefix; a prefix anywhere means the tag-by-tag pass.
_PREFIXED = re.compile(rb':(?:c|row|v|sheetData|mergeCells?)(?=[\s/>])')
_LONG_NUMBER = re.compile(rb'<v>([0-9]{16,})</v>')
_SHARED_INDEX = re.compile(rb'<v>([0-9]{1,10})</v>')
_TYPE = re.compile(rb'\st\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_HIDDEN = re.compile(rb'\shidden\s*=\s*["\'](?:1|true)["\']')
_ROW_TAG = re.compile(rb'<(?:[^\s<>/!?\'"=:]+:)?row(?=[\s/>])[^>]*>')
_ROW_NUMBER = re.compile(rb'\sr\s*=\s*["\']([0-9]+)["\']')
_FAR_CELL = re.compile(rb'<c r="(?:[A-Za-z]{3,}|[Ii][W-Zw-z]|[J-Zj-z][A-Za-z])[0-9]+"'
                       rb'(?:\s+[^\s<>/=]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))*\s*(?:/>|>.*?</c\s*>)', re.S)

# Every attribute named r whose value starts like a cell reference, in any spelling: a second one on
# a cell (calamine takes the last) shows as one too many.
_CELL_R = re.compile(rb'r\s*=\s*["\'](?=[A-Za-z])')

# -- the tag-by-tag pass -----------------------------------------------------------------------------
_STARTS = re.compile(rb'<(/?)(?:[^\s<>/!?\'"=:]+:)?(c|row|sheetData|mergeCell|v)(?=[\s/>])')
_REST = re.compile(_ATTRS)
_ATTR = re.compile(rb'([^\s=]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_CELL_END = re.compile(rb'</(?:[^\s<>/!?\'"=:]+:)?c\s*>')
_SPECIAL = re.compile(rb"<[!?]")  # comments, CDATA, processing instructions, DOCTYPE
_ROOT = re.compile(rb'<([^\s<>/!?\'"=:]+:)?worksheet(?=[\s/>])')
_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
_SST_ROOT = re.compile(rb'<((?:[^\s<>/!?\'"=:]+:)?)sst(?=[\s/>])' + _ATTRS)
_SI_TAGS = re.compile(rb'</?((?:[^\s<>/!?\'"=:]+:)?)si(?=[\s/>])')

_FAST, _FAST_ROWS, _EXACT = 0, 1, 2


class _Escalate(Exception):
    """Start the sheet's pre-scan again with a closer pass; never leaves this module."""

    def __init__(self, mode: int) -> None:
        super().__init__(mode)
        self.mode = mode


@dataclass
class SheetScan:
    """What calamine would build from one sheet, learnt before it builds anything."""

    rows: int = 0  # 1 + the last row a cell with content may reach (an upper bound unless rows_exact)
    rows_exact: bool = True
    columns: int = 0  # 1 + the rightmost column a cell with content may reach
    kept_columns: int = 0  # the same among the first MAX_COLUMNS columns
    cells: int = 0  # cell elements (an upper bound on the cells that hold something)
    merged: int = 0
    hidden_rows: set[int] = field(default_factory=set)  # 1-based
    long_numbers: dict[tuple[int, int], int] = field(default_factory=dict)  # 0-based (row, col) -> digits
    nul: bool = False
    shared_indexes: list[int] = field(default_factory=list)  # exact mode: the shared strings named
    shared_text: int = 0
    exact: bool = False  # placed by the tag-by-tag pass
    detailed: bool = False  # hidden rows, long numbers and NUL known

    def reach(self, row: int, col: int) -> None:
        """A cell with content at 0-based (row, col)."""
        if row >= self.rows:
            self.rows = row + 1
        if col >= self.columns:
            self.columns = col + 1
        if col < lim.MAX_COLUMNS and col >= self.kept_columns:
            self.kept_columns = col + 1


@dataclass
class _Strings:
    """What the shared-strings part costs: each cell naming string i gets its own copy of it."""

    member: zipfile.ZipInfo | None = None
    longest: int = 0  # bytes of XML the longest string spans (an upper bound on its text)
    count: int = 0
    nul: bool = False
    lengths: list[int] | None = None  # per string, in order; built only when a sheet needs them
    aligned: bool = True  # each string's XML found in order (no prefixes, comments or nesting)
    unique: int = 0  # the “uniqueCount” the part declares
    prefix: bytes = b""  # “x:” where the part's tags carry one


def _letters_to_col(letters: bytes) -> int:
    """0-based column of reference letters, as calamine counts them (lower case too)."""
    col = 0
    for ch in letters:
        col = col * 26 + ((ch - 64) if ch < 97 else (ch - 96))
    return col - 1


def _reference(value: bytes) -> tuple[int, int | None] | None:
    """0-based (row, column) of a reference the way calamine reads it, or None where calamine
    refuses it (it then fails before building anything)."""
    m = re.fullmatch(rb"([A-Za-z]*)([0-9]+)", value)
    if not m or int(m.group(2)) == 0:
        return None
    return int(m.group(2)) - 1, (_letters_to_col(m.group(1)) if m.group(1) else None)


def _attrs(raw: bytes) -> dict[bytes, bytes] | None:
    """Attributes of a tag, or None when one repeats (quick-xml refuses those; so do we)."""
    out: dict[bytes, bytes] = {}
    for key, dq, sq in _ATTR.findall(raw):
        if key in out:
            return None
        out[key] = dq if dq or not sq else sq
    return out


def _strip_markup_noise(data: bytes) -> bytes:
    """A small XML part without comments, CDATA, processing instructions and DOCTYPE, so that a
    regular expression sees the elements a parser sees."""
    if not _SPECIAL.search(data):
        return data
    return re.sub(rb'<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!DOCTYPE[^[>]*(?:\[.*?\])?\s*>', b"", data,
                  flags=re.S)


def _elements(data: bytes, name: bytes) -> list[dict[bytes, bytes] | None]:
    """The attributes of every element with this local name, in document order."""
    pattern = re.compile(rb'<(?:[^\s<>/!?\'"=:]+:)?' + name + rb'(?=[\s/>])' + _ATTRS)
    return [_attrs(m.group(1)) for m in pattern.finditer(data)]


class XlsxPackage:
    """An .xlsx file's zip directory and the parts calamine reads, checked on opening."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self._check_directory_size()
        try:
            with zipfile.ZipFile(path) as z:
                infos = z.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise BadFileError(lim.corrupt(self.name)) from None
        self._members: dict[str, zipfile.ZipInfo] = {}
        self._exact: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            key = info.filename.replace("\\", "/").translate(_ASCII_LOWER)
            if key in self._members:
                # Excel never writes two parts of one name; which one a reader takes is its own choice.
                raise BadFileError(f"文件“{self.name}”里有两个同名的部件（{info.filename}），"
                                   f"已损坏或被改动过，未导入。{lim.SAVE_AS_XLSX}")
            self._members[key] = self._exact[info.filename] = info
        self.xl = self._office_folder()
        self.sheet_paths = self._sheet_paths()
        if len(self.sheet_paths) > lim.MAX_SHEETS:
            raise BadFileError(f"工作簿“{self.name}”有 {len(self.sheet_paths):,} 个工作表，超过了上限 "
                               f"{lim.MAX_SHEETS:,} 个。请把名单所在的工作表复制到一个新的工作簿（.xlsx）后再导入。")
        for path in self.sheet_paths:  # each is checked again, against its true size, when it is read
            info = self.member(path)
            if info is not None:
                self._check_declared(info, SHEET_DECLARED_BYTES, "工作表数据", lim.MAX_SHEET_XML_BYTES)
        self._sheets_read: dict[str, int] = {}  # member -> inflated size, for the workbook's total
        styles = self.member(self.xl + "styles.xml")
        if styles is not None:
            for _ in self._inflate(styles, lim.MAX_PART_BYTES, "样式"):
                pass
        self.strings = self._shared_strings()
        self._order: list[int] | None = None

    # -- the zip directory and its members ---------------------------------------------------------
    def _check_directory_size(self) -> None:
        """The directory's entry count, read from its end record before zipfile lists them all
        (a million entries would cost zipfile half a gigabyte)."""
        try:
            with self.path.open("rb") as fh:
                end = zipfile._EndRecData(fh)  # the standard library's own reader of that record
        except (OSError, AttributeError, struct.error):
            return
        if end and end[zipfile._ECD_ENTRIES_TOTAL] > lim.MAX_ZIP_MEMBERS:
            raise BadFileError(f"文件“{self.name}”里有 {end[zipfile._ECD_ENTRIES_TOTAL]:,} 个部件，不像正常的 Excel "
                               f"工作簿（上限 {lim.MAX_ZIP_MEMBERS:,} 个），未导入。{lim.SAVE_AS_XLSX}")

    def member(self, path: str) -> zipfile.ZipInfo | None:
        """The zip member calamine opens for ``path``: matched without regard to ASCII case, else by
        the exact name."""
        return self._members.get(path.translate(_ASCII_LOWER)) or self._exact.get(path)

    def _describe(self, info: zipfile.ZipInfo, what: str) -> str:
        return f"{what}（{info.filename}）"

    def _check_declared(self, info: zipfile.ZipInfo, limit: int, what: str, shown: int | None = None) -> None:
        """The size and ratio the zip headers declare; ``shown``: the limit to name, when the
        declared size is only refused unread past a larger one (sheets are streamed up to it)."""
        size = info.file_size
        if size > limit:
            raise BadFileError(f"文件“{self.name}”中的{self._describe(info, what)}解压后有 {lim.megabytes(size)}，"
                               f"超过了上限 {lim.megabytes(shown or limit)}。这不像正常的名单，可能已损坏或是恶意构造的文件，未导入。"
                               "请用 Excel 或 WPS 打开检查，把名单复制到一个新工作簿后再导入。")
        if size > lim.RATIO_FLOOR and size > lim.MAX_RATIO * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise BadFileError(f"文件“{self.name}”中的{self._describe(info, what)}压缩比异常（{ratio:,} : 1；正常的表格约 "
                               f"10 : 1，上限 {lim.MAX_RATIO} : 1），像是“压缩炸弹”，未导入。"
                               "请用 Excel 或 WPS 打开检查，另存为 .xlsx 后再导入。")

    def _too_big(self, info: zipfile.ZipInfo, what: str, limit: int) -> BadFileError:
        return BadFileError(f"文件“{self.name}”中的{self._describe(info, what)}解压后超过了上限 {lim.megabytes(limit)}。"
                            "这不像正常的名单，未导入。请用 Excel 或 WPS 打开检查，把名单复制到一个新工作簿后再导入。")

    def _lied(self, info: zipfile.ZipInfo, what: str) -> BadFileError:
        return BadFileError(f"文件“{self.name}”中的{self._describe(info, what)}实际解压出的数据与文件头记录的大小"
                            f"（{info.file_size:,} 字节）不符，文件已损坏或被改动过，未导入。{lim.SAVE_AS_XLSX}")

    def _inflate(self, info: zipfile.ZipInfo, limit: int, what: str, declared_limit: int | None = None
                 ) -> Iterator[bytes]:
        """The member's bytes in chunks of at most ``CHUNK``, from its raw data: the declared size
        (against ``declared_limit``, by default ``limit``) and ratio are checked first, and
        inflating stops as soon as the data runs past the declared size or ``limit`` (a header
        that lies cannot make anyone inflate more)."""
        self._check_declared(info, declared_limit or limit, what, limit)
        if info.flag_bits & 1:
            raise BadFileError(f"工作簿“{self.name}”的部件加了密码，无法读取。请取消密码后保存，再导入。")
        declared = info.file_size
        try:
            with self.path.open("rb") as fh:
                fh.seek(info.header_offset)
                head = fh.read(30)
                if len(head) < 30 or head[:4] != b"PK\x03\x04":
                    raise BadFileError(lim.corrupt(self.name))
                name_len, extra_len = struct.unpack("<HH", head[26:30])
                fh.seek(info.header_offset + 30 + name_len + extra_len)
                left = info.compress_size
                if info.compress_type == zipfile.ZIP_STORED:
                    if left != declared:
                        raise self._lied(info, what)
                    if declared > limit:
                        raise self._too_big(info, what, limit)
                    while left:
                        data = fh.read(min(CHUNK, left))
                        if not data:
                            raise BadFileError(lim.corrupt(self.name))
                        left -= len(data)
                        yield data
                    return
                if info.compress_type != zipfile.ZIP_DEFLATED:
                    raise BadFileError(lim.corrupt(self.name))
                inflater = zlib.decompressobj(-15)
                pending = b""
                total = 0
                while not inflater.eof:
                    if not pending:
                        if not left:
                            out = inflater.flush()  # the stream ended early: at most a match's tail
                            total += len(out)
                            break
                        pending = fh.read(min(256 * 1024, left))
                        if not pending:
                            raise BadFileError(lim.corrupt(self.name))
                        left -= len(pending)
                    out = inflater.decompress(pending, CHUNK)
                    pending = inflater.unconsumed_tail
                    total += len(out)
                    if total > declared:
                        raise self._lied(info, what)
                    if total > limit:
                        raise self._too_big(info, what, limit)
                    if out:
                        yield out
                if not inflater.eof or total != declared:
                    raise self._lied(info, what)
        except zlib.error:
            raise BadFileError(lim.corrupt(self.name)) from None
        except OSError:
            raise BadFileError(f"无法读取文件“{self.name}”，请关闭正在使用它的程序后重试。") from None

    def _read_part(self, path: str, what: str) -> bytes | None:
        info = self.member(path)
        if info is None:
            return None
        return _strip_markup_noise(b"".join(self._inflate(info, lim.MAX_PART_BYTES, what)))

    # -- the workbook's parts, as calamine finds them ----------------------------------------------
    def _office_folder(self) -> str:
        """The folder of workbook.xml (“xl/”), from the package relationships, as calamine takes it."""
        data = self._read_part("_rels/.rels", "文件关系")
        target = None
        for attrs in _elements(data or b"", b"Relationship"):
            if attrs is None:
                raise BadFileError(lim.corrupt(self.name))
            if attrs.get(b"Type", b"").endswith(b"/relationships/officeDocument") and b"Target" in attrs:
                target = attrs[b"Target"].decode("utf-8", "replace")
        if target is None:
            raise BadFileError(lim.corrupt(self.name))
        cut = target.rfind("/")
        folder = target[:cut + 1] if cut >= 0 else ""
        return folder[1:] if folder.startswith("/") else folder

    def _sheet_paths(self) -> list[str]:
        """The part of each sheet in workbook order, resolved exactly as calamine resolves it (raw
        attribute text, no unescaping: a different reading could check one part while calamine
        reads another)."""
        rels_data = self._read_part(self.xl + "_rels/workbook.xml.rels", "工作簿关系")
        book = self._read_part(self.xl + "workbook.xml", "工作簿目录")
        if rels_data is None or book is None:
            raise BadFileError(lim.corrupt(self.name))
        rels: dict[bytes, bytes] = {}
        for attrs in _elements(rels_data, b"Relationship"):
            if attrs is None:
                raise BadFileError(lim.corrupt(self.name))
            if b"Id" in attrs:
                rels[attrs[b"Id"]] = attrs.get(b"Target", b"")
        paths = []
        for attrs in _elements(book, b"sheet"):
            if attrs is None:
                raise BadFileError(lim.corrupt(self.name))
            rel_id = next((v for k, v in attrs.items() if k == b"id" or k.endswith(b":id")), b"")
            if rel_id not in rels:
                raise BadFileError(lim.corrupt(self.name))
            target = rels[rel_id].decode("utf-8", "replace")
            paths.append(target[1:] if target.startswith("/") else self.xl + target)
        return paths

    def bind(self, names: list[str]) -> None:
        """Line the sheets up with calamine's list of names: calamine finds a sheet by its name, so
        a repeated name always reads the first sheet of that name."""
        if len(names) != len(self.sheet_paths):
            raise BadFileError(lim.corrupt(self.name))
        first: dict[str, int] = {}
        self._order = [first.setdefault(n, i) for i, n in enumerate(names)]

    def sheet_member(self, index: int) -> zipfile.ZipInfo | None:
        assert self._order is not None, "bind() first"
        return self.member(self.sheet_paths[self._order[index]])

    # -- shared strings ----------------------------------------------------------------------------
    def _shared_strings(self) -> _Strings:
        info = self.member(self.xl + "sharedStrings.xml")
        strings = _Strings(member=info)
        if info is None:
            return strings
        carry = b""
        first = True
        end_marker = None
        for data in self._inflate(info, lim.MAX_SHARED_STRINGS_BYTES, "共享字符串"):
            buf = carry + data if carry else data
            skip = _declaration_end(buf) if first else 0
            first = False
            strings.nul = strings.nul or b"\x00" in data or b"_x0000_" in data
            if end_marker is None:
                root = _SST_ROOT.search(buf)
                if root is None:
                    carry = buf[-MAX_TAG_BYTES:]
                    continue
                strings.prefix = root.group(1)
                strings.unique = _unique_count(root.group(2))
                end_marker = re.compile(rb"</" + re.escape(strings.prefix) + rb"si\s*>")
            if strings.aligned and (_SPECIAL.search(buf, skip) or not _one_prefix(buf, strings.prefix)):
                strings.aligned = False
            pieces = end_marker.split(buf)
            carry = pieces.pop()
            if pieces:
                strings.longest = max(strings.longest, max(map(len, pieces)))
                strings.count += len(pieces)
            if len(carry) > MAX_TAG_BYTES:
                strings.aligned = False
                carry = carry[-16:]
        strings.longest = max(strings.longest, len(carry))
        if not strings.aligned:
            strings.longest = info.file_size  # comments, mixed prefixes: a string may span any of it
        if strings.unique > strings.count + 16 and (strings.aligned or strings.unique > info.file_size // 5):
            raise BadFileError(f"文件“{self.name}”的共享字符串表声明有 {strings.unique:,} 个字符串，实际只有 "
                               f"{strings.count:,} 个：文件已损坏或被改动过，未导入。{lim.SAVE_AS_XLSX}")
        return strings

    def _string_lengths(self) -> list[int] | None:
        """Bytes of XML per shared string in order, when the XML allows lining them up."""
        s = self.strings
        if s.member is None or not s.aligned:
            return None
        if s.lengths is None:
            lengths: list[int] = []
            carry = b""
            prefix = re.escape(s.prefix)
            starts = re.compile(rb"<" + prefix + rb"si(?=[\s/>])")
            ends = re.compile(rb"</" + prefix + rb"si\s*>")
            for data in self._inflate(s.member, lim.MAX_SHARED_STRINGS_BYTES, "共享字符串"):
                pieces = ends.split(carry + data)
                carry = pieces.pop()
                for piece in pieces:
                    if len(starts.findall(piece)) != 1:  # nested or empty-element strings: no order
                        s.aligned = False
                        return None
                    lengths.append(len(piece))
            s.lengths = lengths
        return s.lengths

    # -- one sheet's pre-scan ----------------------------------------------------------------------
    def scan(self, index: int, sheet: str) -> SheetScan:
        """What calamine would build from sheet ``index``; ``BadFileError`` past a limit."""
        info = self.sheet_member(index)
        if info is None:
            return SheetScan()  # calamine reports the missing part itself
        what = f"工作表“{sheet}”的数据"
        mode = _FAST
        while True:
            try:
                scan = self._scan_pass(info, what, mode, sheet)
            except _Escalate as e:
                mode = e.mode
                continue
            if not scan.rows_exact and PLAIN_MAX_ROW * max(scan.kept_columns, 1) > SAFE_AREA:
                mode = _FAST_ROWS  # wide enough for the row count to matter: count rows exactly
                continue
            break
        scan.exact = mode == _EXACT
        self._sheets_read[info.filename] = info.file_size
        total = sum(self._sheets_read.values())
        if total > lim.MAX_WORKBOOK_XML_BYTES:
            raise BadFileError(f"工作簿“{self.name}”的工作表数据解压后共有 {lim.megabytes(total)} 以上，超过了上限 "
                               f"{lim.megabytes(lim.MAX_WORKBOOK_XML_BYTES)}。请把名单所在的工作表复制到一个新的"
                               "工作簿后再导入。")
        if scan.rows > lim.MAX_ROWS:
            raise BadFileError(lim.too_many_rows(sheet, scan.rows))
        if scan.merged > lim.MAX_MERGED_RANGES:
            raise BadFileError(f"工作表“{sheet}”有 {scan.merged:,} 处合并单元格，超过了上限 {lim.MAX_MERGED_RANGES:,} 处。"
                               "请在 Excel 或 WPS 中全选后取消合并单元格，保存后再导入。")
        self._shared_text(scan, info, what)
        if scan.shared_text > lim.MAX_SHARED_TEXT_BYTES:
            raise BadFileError(f"工作表“{sheet}”的单元格引用的共享文字展开后有 {lim.megabytes(scan.shared_text)}，"
                               f"超过了上限 {lim.megabytes(lim.MAX_SHARED_TEXT_BYTES)}（很多单元格引用同一段很长的文字）。"
                               "这不像正常的名单，未导入。请用 Excel 或 WPS 打开检查，把名单复制到一个新工作簿后再导入。")
        return scan

    def _shared_text(self, scan: SheetScan, info: zipfile.ZipInfo, what: str) -> None:
        """Bytes the sheet's cells copy out of the shared strings: cells × the longest string when
        that is small enough, else summed per cell (every ``<v>n</v>`` taken for a reference)."""
        s = self.strings
        if s.member is None:
            return
        scan.shared_text = scan.cells * s.longest
        if scan.shared_text <= lim.MAX_SHARED_TEXT_BYTES:
            return
        lengths = self._string_lengths()
        n = len(lengths) if lengths is not None else 0
        if scan.exact:
            scan.shared_text = sum(lengths[i] if i < n else 0 for i in scan.shared_indexes) if lengths \
                else len(scan.shared_indexes) * s.longest
            return
        total = 0
        for chunk in self._chunks(info, what, _plain_cut):
            found = _SHARED_INDEX.findall(chunk)
            others = chunk.count(b"<v") - len(found)  # a <v> holding anything else names string 0 or fails
            if lengths is None:
                total += len(found) * s.longest
            else:
                total += sum(map(lengths.__getitem__, filter(n.__gt__, map(int, found))))
            total += others * s.longest
        scan.shared_text = total

    def _chunks(self, info: zipfile.ZipInfo, what: str, cut_at: Callable[[bytes], int],
                plain: bool = True) -> Iterator[bytes]:
        """The sheet's XML in chunks that end where ``cut_at`` says (before a cell's start tag, so a
        cell and its value stay together); what cannot be cut is carried on, up to ``MAX_TAG_BYTES``.

        ``plain``: where the root element carries a prefix (the .NET OpenXML SDK writes
        ``<x:worksheet>``, ``<x:c>``), it is taken off every tag, as calamine ignores it anyway;
        a tag with any other prefix is left for the plain pass to notice."""
        carry = b""
        first = True
        prefix = b""
        for data in self._inflate(info, lim.MAX_SHEET_XML_BYTES, what, SHEET_DECLARED_BYTES):
            buf = carry + data if carry else data
            if first:
                prefix = _check_xml_head(buf, self.name)
                first = False
                if not plain:
                    prefix = b""
            if prefix:
                buf = buf.replace(b"<" + prefix, b"<").replace(b"</" + prefix, b"</")
            cut = cut_at(buf)
            if cut <= 0:
                if len(buf) > MAX_TAG_BYTES:
                    raise BadFileError(f"文件“{self.name}”的{what}里有一个单元格或标记超过 "
                                       f"{lim.megabytes(MAX_TAG_BYTES)}，不像正常的表格，未导入。{lim.SAVE_AS_XLSX}")
                carry = buf
                continue
            carry = buf[cut:]
            yield buf[:cut]
        if carry:
            yield carry

    def _scan_pass(self, info: zipfile.ZipInfo, what: str, mode: int, sheet: str) -> SheetScan:
        """What bounds calamine's work: where cells reach, how many there are, merged ranges. The
        plain pass leaves the rest to ``details``, which may run beside calamine's parse."""
        scan = SheetScan()
        if mode == _EXACT:
            place = _Place()
            for chunk in self._chunks(info, what, _exact_cut, plain=False):
                _walk(chunk, place, self.name, scan)
                _stop_past_the_rows(scan, sheet)
            scan.detailed = True
            return scan
        merges = False
        for chunk in self._chunks(info, what, _plain_cut):
            if _PREFIXED.search(chunk):
                raise _Escalate(_EXACT)
            found = _PLAIN_CELLS.findall(chunk)
            if found:
                scan.cells += len(found)
                letters = set(found)
                if b"" in letters or len(_CELL_R.findall(chunk)) != len(found):
                    _plain_refs(chunk, len(found), scan)
                    _stop_past_the_rows(scan, sheet)
                else:
                    for col in map(_letters_to_col, letters):
                        scan.reach(0, col)
                    if mode == _FAST_ROWS:
                        scan.reach(max(map(int, set(_ROW_DIGITS.findall(chunk)))) - 1, 0)
                    else:
                        scan.rows_exact = False
            if not merges:
                at = chunk.find(b"<mergeCells")
                if at >= 0:
                    merges = True
                    scan.merged += chunk.count(b"<mergeCell ", at) + chunk.count(b"<mergeCell>", at)
            else:
                scan.merged += chunk.count(b"<mergeCell ") + chunk.count(b"<mergeCell>")
        if not scan.rows_exact:
            scan.rows = max(scan.rows, PLAIN_MAX_ROW)
        return scan

    def details(self, index: int, sheet: str, scan: SheetScan) -> None:
        """The hidden rows, the long number cells and whether a NUL hides in a value, for a sheet
        the plain pass has checked. Byte searches over a second inflation of the XML: run beside
        calamine's parse (which lets go of the GIL), they cost the import no time."""
        info = self.sheet_member(index)
        if scan.detailed or info is None:
            return
        for chunk in self._chunks(info, f"工作表“{sheet}”的数据", _plain_cut):
            if b"hidden" in chunk:
                for tag in _ROW_TAG.finditer(chunk):
                    if _HIDDEN.search(tag.group()):
                        number = _ROW_NUMBER.search(tag.group())
                        if number:
                            scan.hidden_rows.add(int(number.group(1)))
            if b"<v>" in chunk:
                for m in _LONG_NUMBER.finditer(chunk):
                    _long_number(chunk, m, scan)
            if not scan.nul and (b"\x00" in chunk or b"_x0000_" in chunk):
                scan.nul = True
        scan.detailed = True

    # -- reading a sheet without its far-right cells ----------------------------------------------
    def without_far_cells(self, index: int, sheet: str, scan: SheetScan) -> Path:
        """A copy of the workbook, reduced to the parts calamine reads, whose sheet ``index`` lacks
        every cell at or beyond ``MAX_COLUMNS``. The caller deletes the file."""
        info = self.sheet_member(index)
        assert info is not None
        what = f"工作表“{sheet}”的数据"
        parts = [self.member(p) for p in ("_rels/.rels", self.xl + "workbook.xml",
                                           self.xl + "_rels/workbook.xml.rels", self.xl + "styles.xml")]
        parts.append(self.strings.member)
        if scan.exact:
            place = _Place()
            chunks = (_walk(c, place, self.name, None, drop=True)
                      for c in self._chunks(info, what, lambda buf: _exact_cut(buf, strict=True), plain=False))
        else:
            chunks = (_FAR_CELL.sub(b"", c) for c in self._chunks(info, what, _cell_cut))
        fd, name = tempfile.mkstemp(suffix=".xlsx", prefix="regdesk-")
        out_path = Path(name)
        try:
            with os.fdopen(fd, "wb") as out, self.path.open("rb") as src:
                writer = _ZipWriter(out)
                for part in parts:
                    if part is not None and part is not info:
                        writer.copy(src, part)
                writer.stored(info.filename, chunks)
                writer.close()
        except BaseException:
            out_path.unlink(missing_ok=True)
            raise
        return out_path


def _plain_cut(buf: bytes) -> int:
    """Where a plain chunk may end: before the last cell's start tag (a cell and its value stay
    together), else, past a cell or region larger than a chunk, before the last tag."""
    cut = buf.rfind(b'<c r="', 1)
    return cut if cut > 0 else buf.rfind(b"<", 1)


def _cell_cut(buf: bytes) -> int:
    """Only before a cell's start tag: for cutting cells out, where a cell must never be split."""
    return buf.rfind(b'<c r="', 1)


def _exact_cut(buf: bytes, strict: bool = False) -> int:
    """``_plain_cut`` for any spelling of a cell's start tag; ``strict`` as in ``_cell_cut``."""
    last = 0
    for window in (len(buf) - 65_536, 0):
        for m in _STARTS.finditer(buf, max(window, 1)):
            if m.group(2) == b"c" and not m.group(1):
                last = m.start()
        if last or window <= 0:
            break
    if last or strict:
        return last
    return buf.rfind(b"<", 1)


def _stop_past_the_rows(scan: SheetScan, sheet: str) -> None:
    """Refuse as soon as a cell lies past ``MAX_ROWS``: the rest of a million-row sheet need not be
    looked at to know it is too long."""
    if scan.rows > lim.MAX_ROWS:
        raise BadFileError(lim.too_many_rows(sheet, scan.rows))


def _plain_refs(chunk: bytes, cells: int, scan: SheetScan) -> None:
    """The cells of a chunk that holds a far row or column (or an odd attribute), placed by their
    references; when some cell lacks a plain one the whole sheet gets the tag-by-tag pass."""
    refs = _CELL_REFS.findall(chunk)
    if len(refs) != cells:
        raise _Escalate(_EXACT)
    for letters, digits, attrs, empty in refs:
        rest = _attrs(attrs)
        if rest is None or b"r" in rest:
            raise _Escalate(_EXACT)  # a second reference: calamine would take that one
        if empty or not letters or not digits or int(digits) == 0:
            continue  # an empty cell holds nothing; a broken reference makes calamine fail
        scan.reach(int(digits) - 1, _letters_to_col(letters))


def _long_number(chunk: bytes, m: re.Match[bytes], scan: SheetScan) -> None:
    """A number cell written with all its digits (scripts write ID numbers so): keep them, since
    the float calamine makes of them holds only 15–17 significant digits."""
    start = chunk.rfind(b'<c r="', 0, m.start())
    tag = _CELL_REFS.match(chunk, start) if start >= 0 else None
    if tag is None or tag.end() > m.start() or tag.group(4):
        return
    kind = _TYPE.search(tag.group(3))
    if kind and (kind.group(1) or kind.group(2)) != b"n":
        return
    ref = _reference(tag.group(1) + tag.group(2))
    if ref is not None and ref[1] is not None:
        scan.long_numbers[(ref[0], ref[1])] = int(m.group(1))


def _unique_count(raw_attrs: bytes) -> int:
    """The “uniqueCount” of the shared-strings root: calamine reserves room for that many strings
    before reading one (4,000,000,000 would ask for 96 GB and abort the process)."""
    attrs = _attrs(raw_attrs) or {}
    digits = re.sub(rb"\D", b"", attrs.get(b"uniqueCount", b""))
    return int(digits) if digits else 0


def _one_prefix(buf: bytes, prefix: bytes) -> bool:
    """Every string tag in ``buf`` spelt with the root's prefix: calamine ends a string at the
    first end tag of the same spelling, so only then do the pieces between them hold one each."""
    if not prefix and b":si" not in buf:
        return True
    return set(_SI_TAGS.findall(buf)) <= {prefix}


def _declaration_end(buf: bytes) -> int:
    m = _DECLARATION.match(buf)
    return m.end() if m else 0


def _check_xml_head(head: bytes, name: str) -> bytes:
    """The prefix of the root element (b"x:" in ``<x:worksheet>``, else b"") of sheet XML in UTF-8
    (what every spreadsheet writes): another encoding would hide the tags from the byte searches
    of the pre-scan while calamine's parser decodes them."""
    start = head[:200].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"<"):
        raise BadFileError(lim.corrupt(name))
    m = re.match(rb'<\?xml[^>]*?encoding\s*=\s*["\']([^"\']*)["\']', start)
    if m and m.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise BadFileError(lim.corrupt(name))
    root = _ROOT.search(head, 0, 4096)
    return root.group(1) if root else b""


@dataclass
class _Place:
    """Where calamine's reader stands: the row and column a cell without a reference takes."""

    row: int = 0
    col: int = 0
    in_data: bool = False
    done: bool = False
    head: bool = True  # the XML declaration may still come
    cell: tuple[int, int, bytes | None] | None = None  # the open cell: row, column, type


def _corrupt_tag(name: str) -> BadFileError:
    return BadFileError(f"文件“{name}”的工作表数据里有无法解析或不该出现的标记（注释、CDATA 等），"
                        f"文件已损坏或被改动过，未导入。{lim.SAVE_AS_XLSX}")


def _walk(seg: bytes, place: _Place, name: str, scan: SheetScan | None, drop: bool = False) -> bytes:
    """The tag-by-tag pass over one chunk, following calamine's reader: a row's ``r`` sets the
    row, ``</row>`` moves to the next one and back to column A, a cell's ``r`` sets its place and
    a cell without one sits right of the previous cell. Records into ``scan``; with ``drop``
    returns the chunk without the cells at or beyond ``MAX_COLUMNS``.

    Comments, CDATA and processing instructions are refused: a parser skips what is inside them
    while a search does not, so either could be made to see cells the other misses.
    """
    special = _SPECIAL.search(seg)
    if special is not None:
        if not (place.head and special.start() == seg.find(b"<") and seg.startswith(b"<?xml", special.start())):
            raise _corrupt_tag(name)
        if _SPECIAL.search(seg, seg.find(b"?>", special.start()) + 2):
            raise _corrupt_tag(name)
    place.head = False
    out: list[bytes] = []
    pos = 0
    for m in _STARTS.finditer(seg):
        if m.start() < pos:
            continue  # inside a cell already cut out
        closing, tag = m.group(1), m.group(2)
        rest = _REST.match(seg, m.end())
        if rest is None:
            raise _corrupt_tag(name)
        if tag == b"mergeCell":
            if scan is not None and not closing:
                scan.merged += 1
            continue
        if tag == b"sheetData":
            if closing:
                place.done = place.done or place.in_data
                place.in_data = False
            elif not place.done:
                place.in_data = not rest.group(2)
            continue
        if not place.in_data:
            continue
        if tag == b"row":
            if closing:
                place.row, place.col = place.row + 1, 0
                continue
            attrs = _attrs(rest.group(1))
            if attrs is None:
                raise _corrupt_tag(name)
            if b"r" in attrs:
                ref = _reference(attrs[b"r"])
                if ref is None:
                    raise _corrupt_tag(name)
                place.row = ref[0]
            if scan is not None and attrs.get(b"hidden") in (b"1", b"true"):
                scan.hidden_rows.add(place.row + 1)
            if rest.group(2):
                place.row, place.col = place.row + 1, 0
        elif tag == b"c" and not closing:
            attrs = _attrs(rest.group(1))
            if attrs is None:
                raise _corrupt_tag(name)
            if b"r" in attrs:
                ref = _reference(attrs[b"r"])
                if ref is None or ref[1] is None:
                    raise _corrupt_tag(name)
                row, col = ref
            else:
                row, col = place.row, place.col
            place.col = col + 1
            empty = bool(rest.group(2))
            place.cell = None if empty else (row, col, attrs.get(b"t"))
            if scan is not None:
                scan.cells += 1
                if not empty:
                    scan.reach(row, col)
            if drop and col >= lim.MAX_COLUMNS:
                close = None if empty else _CELL_END.search(seg, rest.end())
                out.append(seg[pos:m.start()])
                pos = rest.end() if empty else (close.end() if close else len(seg))
        elif tag == b"v" and not closing and place.cell is not None and not rest.group(2) and scan is not None:
            end = seg.find(b"<", rest.end())
            text = seg[rest.end():end if end >= 0 else len(seg)]
            row, col, kind = place.cell
            if kind == b"s":
                scan.shared_indexes.append(int(text) if text.isdigit() and len(text) < 11 else 0)
            elif kind in (None, b"n") and len(text) >= 16 and text.isdigit():
                scan.long_numbers[(row, col)] = int(text)
    if scan is not None and not scan.nul and (b"\x00" in seg or b"_x0000_" in seg):
        scan.nul = True
    if not drop:
        return b""
    out.append(seg[pos:])
    return b"".join(out)


class _ZipWriter:
    """Just enough of a zip writer: members copied with their compressed bytes as they are, and
    one member streamed uncompressed."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.entries: list[tuple[bytes, int, int, int, int, int, int, int]] = []

    def _local(self, name: bytes, method: int, crc: int, csize: int, usize: int, flags: int) -> int:
        offset = self.out.tell()
        self.out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, csize, usize,
                                   len(name), 0) + name)
        return offset

    def copy(self, src: BinaryIO, info: zipfile.ZipInfo) -> None:
        src.seek(info.header_offset)
        head = src.read(30)
        name_len, extra_len = struct.unpack("<HH", head[26:30])
        src.seek(info.header_offset + 30 + name_len + extra_len)
        name = info.filename.encode("utf-8")
        flags = 0x800
        offset = self._local(name, info.compress_type, info.CRC, info.compress_size, info.file_size, flags)
        left = info.compress_size
        while left:
            data = src.read(min(CHUNK, left))
            if not data:
                raise BadFileError(lim.corrupt(info.filename))
            self.out.write(data)
            left -= len(data)
        self.entries.append((name, info.compress_type, info.CRC, info.compress_size, info.file_size, offset,
                             flags, 0))

    def stored(self, filename: str, chunks: Iterator[bytes]) -> None:
        name = filename.encode("utf-8")
        flags = 0x800
        offset = self._local(name, zipfile.ZIP_STORED, 0, 0, 0, flags)
        crc = size = 0
        for data in chunks:
            crc = zlib.crc32(data, crc)
            size += len(data)
            self.out.write(data)
        end = self.out.tell()
        self.out.seek(offset + 14)
        self.out.write(struct.pack("<III", crc, size, size))
        self.out.seek(end)
        self.entries.append((name, zipfile.ZIP_STORED, crc, size, size, offset, flags, 0))

    def close(self) -> None:
        start = self.out.tell()
        for name, method, crc, csize, usize, offset, flags, _ in self.entries:
            self.out.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc,
                                       csize, usize, len(name), 0, 0, 0, 0, 0, offset) + name)
        size = self.out.tell() - start
        count = len(self.entries)
        self.out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, size, start, 0))
