"""Hostile and unusual workbooks, written part by part (no spreadsheet library in the way).

openpyxl cannot write what these files need: a zip member whose header lies about its size, a
deflate stream that inflates a few kilobytes into a gigabyte, a sheet reaching row 1,048,576 and
column XFD under a ``<dimension>`` that says A1:D5, 18 digits in a number cell (openpyxl writes
numbers with 16 significant digits), a NUL inside a value. So the zip is written here by hand,
streaming, and each generator returns the path it wrote. Used by the reading tests and by
``bench/hostile_files.py``, which measures the same files.
"""

from __future__ import annotations

import os
import resource
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO
from xml.sax.saxutils import escape

from tests.app.fixtures_roster import id_for, name_for

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
HEADERS = ["姓名", "身份证号", "学号", "班级"]


@dataclass
class Repeated:
    """``head`` + ``block`` × ``times`` + ``tail``, compressed once per block: a zip bomb. Each
    block is deflated after a full flush, so its compressed bytes can simply be written again."""

    head: bytes
    block: bytes
    times: int
    tail: bytes


@dataclass
class Part:
    name: str
    data: bytes | Iterable[bytes] | Repeated
    declared: int | None = None  # the uncompressed size the headers claim (default: the truth)


def write_zip(path: Path, parts: list[Part], level: int = 6) -> Path:
    """A zip of deflated members; sizes and CRCs are patched into each local header afterwards."""
    entries = []
    with path.open("wb") as out:
        for part in parts:
            name = part.name.encode()
            offset = out.tell()
            out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x800, 8, 0, 0x21, 0, 0, 0, len(name), 0) + name)
            start = out.tell()
            crc, size = _deflate_into(out, part.data, level)
            csize = out.tell() - start
            usize = part.declared if part.declared is not None else size
            end = out.tell()
            out.seek(offset + 14)
            out.write(struct.pack("<III", crc, csize, usize))
            out.seek(end)
            entries.append((name, crc, csize, usize, offset))
        directory = out.tell()
        for name, crc, csize, usize, offset in entries:
            out.write(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0x21, crc, csize, usize,
                                  len(name), 0, 0, 0, 0, 0, offset) + name)
        size = out.tell() - directory
        out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), size, directory, 0))
    return path


def _deflate_into(out: BinaryIO, data: bytes | Iterable[bytes] | Repeated, level: int) -> tuple[int, int]:
    if isinstance(data, Repeated):
        crc = zlib.crc32(data.head)
        out.write(_segment(data.head))
        block = _segment(data.block)
        for _ in range(data.times):
            out.write(block)
            crc = zlib.crc32(data.block, crc)
        last = zlib.compressobj(9, zlib.DEFLATED, -15)
        out.write(last.compress(data.tail) + last.flush())
        crc = zlib.crc32(data.tail, crc)
        return crc, len(data.head) + len(data.block) * data.times + len(data.tail)
    chunks = [data] if isinstance(data, bytes) else data
    deflater = zlib.compressobj(level, zlib.DEFLATED, -15)
    crc = size = 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        size += len(chunk)
        out.write(deflater.compress(chunk))
    out.write(deflater.flush())
    return crc, size


def _segment(data: bytes) -> bytes:
    """Deflated blocks ending on a byte boundary with a fresh dictionary (no final block)."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    return deflater.compress(data) + deflater.flush(zlib.Z_FULL_FLUSH)


def workbook(path: Path, sheets: list[tuple[str, bytes | Iterable[bytes] | Repeated]], *,
             shared: bytes | Iterable[bytes] | Repeated | None = None, declared: dict[str, int] | None = None,
             hidden: tuple[int, ...] = (), level: int = 6) -> Path:
    """An .xlsx with these sheets (name, sheet XML) and, when given, this shared-strings part.
    ``declared`` maps a part name to the size its headers should claim."""
    declared = declared or {}
    n = len(sheets)
    types = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                    f'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
    parts = [
        Part("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{types}</Types>").encode()),
        Part("_rels/.rels", (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}"><Relationship '
                             f'Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>').encode()),
        Part("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
            + "".join(f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"'
                      f'{" state=" + chr(34) + "hidden" + chr(34) if i - 1 in hidden else ""}/>'
                      for i, (name, _xml) in enumerate(sheets, start=1))
            + "</sheets></workbook>").encode()),
        Part("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, n + 1))
            + (f'<Relationship Id="rId{n + 1}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
               if shared is not None else "")
            + "</Relationships>").encode()),
    ]
    if shared is not None:
        parts.append(Part("xl/sharedStrings.xml", shared, declared.get("xl/sharedStrings.xml")))
    for i, (_name, xml) in enumerate(sheets, start=1):
        member = f"xl/worksheets/sheet{i}.xml"
        parts.append(Part(member, xml, declared.get(member)))
    return write_zip(path, parts, level)


SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN}">'.encode()


def sheet(rows: Iterable[bytes] | bytes, *, dimension: str | None = None, tail: bytes = b"") -> Iterator[bytes]:
    """Sheet XML in pieces: head, optional ``<dimension>``, ``<sheetData>`` with ``rows``, tail."""
    yield SHEET_HEAD + (f'<dimension ref="{dimension}"/>'.encode() if dimension else b"") + b"<sheetData>"
    if isinstance(rows, bytes):
        yield rows
    else:
        batch: list[bytes] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 4096:
                yield b"".join(batch)
                batch = []
        yield b"".join(batch)
    yield b"</sheetData>" + tail + b"</worksheet>"


def text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def number(ref: str, value: str) -> str:
    return f'<c r="{ref}"><v>{value}</v></c>'


def row(number_: int, cells: str, extra: str = "") -> bytes:
    return f'<row r="{number_}"{extra}>{cells}</row>'.encode()


def roster_rows(count: int, *, start: int = 0, far: bool = False) -> Iterator[bytes]:
    """The header and ``count`` valid students (name, ID number, 学号, class) as inline strings;
    ``far`` adds a cell in column XFD to every row."""
    extra = b'<c r="XFD%d" t="inlineStr"><is><t>x</t></is></c>' if far else b""
    header = "".join(text(f"{chr(65 + c)}1", h) for c, h in enumerate(HEADERS)).encode()
    yield b'<row r="1">' + header + ((extra % 1) if far else b"") + b"</row>"
    template = (b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c><c r="B%d" t="inlineStr"><is><t>%s</t>'
                b'</is></c><c r="C%d" t="inlineStr"><is><t>2023%06d</t></is></c><c r="D%d" t="inlineStr"><is><t>'
                + "计算机1班".encode() + b"</t></is></c>")
    for i in range(start, start + count):
        r = i - start + 2
        yield template % (r, r, name_for(i).encode(), r, id_for(i).encode(), r, i, r) + \
            ((extra % r) if far else b"") + b"</row>"


# -- the hostile files of issue 8 (and the ones found while bounding them) -------------------------
GIB = 1 << 30


def sheet_bomb(path: Path, size: int = GIB + (100 << 20)) -> Path:
    """Sheet XML that inflates to ``size`` bytes (default 1.1 GB) from about a megabyte: blank rows."""
    block = b"<row/>" * (1 << 17)  # 768 KiB of empty rows
    times = size // len(block)
    return workbook(path, [("名单", Repeated(SHEET_HEAD + b"<sheetData>", block, times, b"</sheetData></worksheet>"))])


def shared_strings_bomb(path: Path, size: int = GIB + (100 << 20)) -> Path:
    """A shared-strings part holding one string of ``size`` bytes."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
    block = b"a" * (1 << 20)
    return workbook(path, [("名单", sheet(row(1, '<c r="A1" t="s"><v>0</v></c>')))],
                    shared=Repeated(head, block, size // len(block), b"</t></si></sst>"))


def lying_sheet(path: Path, size: int = GIB + (100 << 20)) -> Path:
    """A sheet whose zip headers claim 2,000 bytes while its data inflates to ``size``."""
    block = b"<row/>" * (1 << 17)
    data = Repeated(SHEET_HEAD + b"<sheetData>", block, size // len(block), b"</sheetData></worksheet>")
    return workbook(path, [("名单", data)], declared={"xl/worksheets/sheet1.xml": 2_000})


def html_spans(path: Path, cells: int = 200, rows: int = 1_000) -> Path:
    """An HTML table saved as .xls whose first row's cells each span 1,000 × 1,000."""
    first = "".join('<td rowspan="1000" colspan="1000">x</td>' for _ in range(cells))
    body = f"<tr>{first}</tr>" + "<tr><td>y</td></tr>" * rows
    path.write_text(f'<html><head><meta charset="utf-8"></head><body><table>{body}</table></body></html>',
                    encoding="utf-8")
    return path


def many_sheets(path: Path, count: int, roster_on: int | None = None) -> Path:
    """``count`` sheets of one cell each; sheet ``roster_on`` (0-based) holds a small roster."""
    sheets: list[tuple[str, bytes | Iterable[bytes] | Repeated]] = []
    for i in range(count):
        if i == roster_on:
            sheets.append((f"表{i + 1}", b"".join(sheet(roster_rows(3)))))
        else:
            sheets.append((f"表{i + 1}", b"".join(sheet(row(1, text("A1", f"说明{i}"))))))
    return workbook(path, sheets)


def many_rows(path: Path, count: int = 1_048_575) -> Path:
    """A roster of ``count`` students under its header (1,048,575: every row Excel has)."""
    return workbook(path, [("名单", sheet(roster_rows(count)))])


def xfd_rows(path: Path, count: int = 5_000) -> Path:
    """A roster whose every row also has a cell in column XFD, under a ``<dimension>`` that says A1:D…"""
    return workbook(path, [("名单", sheet(roster_rows(count, far=True), dimension=f"A1:D{count + 1}"))])


def bloated_hidden(path: Path, size: int = 2 * GIB + (400 << 20)) -> Path:
    """A roster with a hidden row, then ``size`` bytes of blank space inside the sheet data."""
    head = b"".join(sheet(roster_rows(3)))[:-len(b"</sheetData></worksheet>")]
    head = head.replace(b'<row r="3">', b'<row r="3" hidden="1">')
    block = b" " * (1 << 20)
    return workbook(path, [("名单", Repeated(head, block, size // len(block), b"</sheetData></worksheet>"))])


def far_corner(path: Path) -> Path:
    """Two cells, A1 and XFD1048576: calamine would build the whole 17-billion-cell rectangle."""
    return workbook(path, [("名单", sheet(row(1, text("A1", "姓名")) + row(1_048_576, text("XFD1048576", "x"))))])


def unique_count_bomb(path: Path) -> Path:
    """A shared-strings part that declares 4,000,000,000 strings and holds one."""
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="4000000000">'
           "<si><t>姓名</t></si></sst>").encode()
    return workbook(path, [("名单", sheet(row(1, '<c r="A1" t="s"><v>0</v></c>')))], shared=sst)


def shared_amplifier(path: Path, length: int = 1 << 20, cells: int = 2_000) -> Path:
    """One shared string of ``length`` bytes named by ``cells`` cells: each gets its own copy."""
    sst = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode() \
        + b"a" * length + b"</t></si></sst>"
    rows = (row(r, "".join(f'<c r="{c}{r}" t="s"><v>0</v></c>' for c in "ABCDEFGHIJ")) for r in range(1, cells // 10 + 1))
    return workbook(path, [("名单", sheet(rows))], shared=sst)


@dataclass(frozen=True)
class ChildRun:
    """One ``regdesk-cli roster import`` run in a capped child process."""

    status: int  # exit status; negative: killed by that signal
    out: str
    err: str
    peak_mb: float  # the child's own peak resident memory
    seconds: float


def import_in_child(code: Path, data: Path, path: Path, *extra: str, cap_bytes: int,
                    timeout: float | None = None) -> ChildRun:
    """``regdesk-cli --data DATA roster import PATH EXTRA…`` from the source tree ``code``, in a child
    whose address space is capped at ``cap_bytes`` (a reader that blows up dies there, not the
    machine), killed after ``timeout`` seconds. ``os.wait4`` gives the child's own peak."""
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap_bytes, cap_bytes))

    program = f"import sys; sys.path.insert(0, {str(code)!r}); from app.cli import main; sys.exit(main())"
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", program, "--data", str(data), "roster", "import", str(path),
                              *extra], preexec_fn=cap, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    streams: dict[str, bytes] = {}

    def drain(name: str, pipe: IO[bytes]) -> None:
        with pipe:
            streams[name] = pipe.read()

    readers = [threading.Thread(target=drain, args=(n, p)) for n, p in (("out", child.stdout), ("err", child.stderr))]
    for reader in readers:
        reader.start()
    timer = threading.Timer(timeout, child.kill) if timeout else None
    if timer is not None:
        timer.start()
    _pid, status, usage = os.wait4(child.pid, 0)
    if timer is not None:
        timer.cancel()
    for reader in readers:
        reader.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(child.returncode, streams["out"].decode("utf-8", "replace"),
                    streams["err"].decode("utf-8", "replace"), usage.ru_maxrss / 1024, time.perf_counter() - start)
