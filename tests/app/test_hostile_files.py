"""Hostile and broken spreadsheets end in seconds with a message, in bounded memory, importing nothing.

Each file of issue 8 (and each found while bounding them) is generated into ``tmp_path`` and
imported by ``regdesk-cli`` in a child process whose address space is capped (so that a reader
that did blow up fails fast instead of taking the machine); the child's peak resident memory,
read with ``os.wait4``, must stay under 500 MB, and the database must stay empty. Reading
details that need no child (where cells land, hidden rows across chunk edges) are tested
in-process on small files.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import fixtures_hostile
import pytest
from sqlalchemy import func, select

from app import file_limits
from app.container import Container
from app.errors import BadFileError
from app.importing import tabular, xlsx_reader
from db.models import Candidate
from tests.app.fixtures_hostile import (
    SHEET_HEAD,
    bloated_hidden,
    far_corner,
    html_spans,
    lying_sheet,
    many_rows,
    many_sheets,
    roster_rows,
    row,
    shared_amplifier,
    shared_strings_bomb,
    sheet,
    sheet_bomb,
    text,
    unique_count_bomb,
    workbook,
    xfd_rows,
)
from tests.app.fixtures_roster import id_for, name_for

ROOT = Path(__file__).resolve().parents[2]
PEAK_MB = 500
ADDRESS_SPACE = 1536 << 20  # the child's cap: far above a good import (~150 MB), far below a blow-up


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("desk")
    app = Container.open(data)
    app.setup.initialise("1001", "信息工程学院", "一号桌")
    app.close()
    return data


def import_in_child(desk: Path, path: Path, *extra: str) -> tuple[int, str, str, float]:
    """``regdesk-cli roster import`` in a capped child: (exit status, stdout, stderr, peak MB)."""
    run = fixtures_hostile.import_in_child(ROOT, desk, path, *extra, cap_bytes=ADDRESS_SPACE)
    return run.status, run.out, run.err, run.peak_mb


def candidates(desk: Path) -> int:
    app = Container.open(desk)
    try:
        with app.db.read() as s:
            return s.scalar(select(func.count()).select_from(Candidate))
    finally:
        app.close()


def refused(desk: Path, path: Path, *phrases: str) -> str:
    """Imported for real (not a dry run): refused with every phrase in the message, under the
    memory bound, nothing stored."""
    status, _out, err, peak = import_in_child(desk, path)
    assert status == 1, err[-2000:]
    assert err.startswith("错误："), err[-2000:]
    for phrase in phrases:
        assert phrase in err, err
    assert peak < PEAK_MB, f"{peak:.0f} MB"
    assert candidates(desk) == 0
    return err


# -- the files of issue 8 ------------------------------------------------------------------------------
def test_sheet_xml_that_inflates_past_a_gigabyte_is_refused_unread(desk, tmp_path):
    refused(desk, sheet_bomb(tmp_path / "bomb.xlsx"), "工作表数据", "1,124 MB", "上限 128 MB")


def test_sheet_xml_past_the_limit_is_stopped_while_it_is_read(desk, tmp_path):
    # 150 MB declared: streamed (a long roster should hear about its rows), stopped at 128 MB.
    rows = (row(r, text(f"A{r}", os.urandom(800).hex())) for r in range(1, 90_001))  # little to compress
    path = workbook(tmp_path / "long.xlsx", [("名单", sheet(rows))], level=1)
    refused(desk, path, "解压后超过了上限 128 MB")


def test_shared_strings_that_inflate_past_a_gigabyte_are_refused_unread(desk, tmp_path):
    refused(desk, shared_strings_bomb(tmp_path / "bomb.xlsx"), "共享字符串", "上限 32 MB")


def test_a_zip_header_that_lies_about_the_size_is_caught_when_the_data_runs_past_it(desk, tmp_path):
    refused(desk, lying_sheet(tmp_path / "lie.xlsx"), "与文件头记录的大小（2,000 字节）不符")


def test_an_html_table_with_huge_spans_is_refused(desk, tmp_path):
    refused(desk, html_spans(tmp_path / "export.xls"), "rowspan/colspan", "2,500,000 个单元格")


def test_a_workbook_of_ten_thousand_sheets_is_refused(desk, tmp_path):
    refused(desk, many_sheets(tmp_path / "sheets.xlsx", 10_000), "10,000 个工作表", "上限 1,000 个", "复制到一个新的工作簿")


def test_more_rows_than_the_limit_are_refused(desk, tmp_path):
    refused(desk, many_rows(tmp_path / "rows.xlsx", file_limits.MAX_ROWS + 1), "有内容的行至少到第", "上限 100,000 行")


def test_every_row_reaching_column_xfd_under_a_lying_dimension_is_read_without_the_far_cells(desk, tmp_path):
    status, out, err, peak = import_in_child(desk, xfd_rows(tmp_path / "xfd.xlsx", 3_000), "--dry-run", "--json")
    assert status == 0, err
    assert '"new": 3000' in out and '"rejected": 0' in out
    assert "超过了 256 列" in out
    assert peak < PEAK_MB, f"{peak:.0f} MB"


def test_a_sheet_bloated_past_the_limit_is_refused_before_its_hidden_rows_are_looked_for(desk, tmp_path):
    refused(desk, bloated_hidden(tmp_path / "bloated.xlsx"), "2,448 MB", "上限 128 MB")


# -- found while bounding them --------------------------------------------------------------------------
def test_two_cells_at_opposite_corners_are_refused_not_built(desk, tmp_path):
    # calamine would ask for 512 GB for the rectangle between A1 and XFD1048576 and abort the process.
    refused(desk, far_corner(tmp_path / "corner.xlsx"), "至少到第 1,048,576 行", "上限 100,000 行")


def test_a_shared_strings_count_that_lies_is_refused(desk, tmp_path):
    # calamine reserves room for the declared count first: 4,000,000,000 strings abort the process.
    refused(desk, unique_count_bomb(tmp_path / "count.xlsx"), "4,000,000,000 个字符串")


def test_one_long_shared_string_named_by_many_cells_is_refused(desk, tmp_path):
    # Each cell gets its own copy: 2,000 cells naming a 1 MB string are 2 GB.
    refused(desk, shared_amplifier(tmp_path / "amplify.xlsx"), "共享文字", "上限 64 MB")


def test_a_second_reference_on_a_cell_is_refused(desk, tmp_path):
    # calamine takes a cell's last r: a plain-looking first one must not hide it.
    rows = b"".join(roster_rows(2)) + row(4, '<c r="A4" r="XFD1048576" t="inlineStr"><is><t>x</t></is></c>')
    refused(desk, workbook(tmp_path / "twice.xlsx", [("名单", sheet(rows))]), "无法解析")


def test_many_merged_ranges_are_refused(desk, tmp_path):
    merges = b'<mergeCells count="100001">' + b"".join(
        b'<mergeCell ref="A%d:B%d"/>' % (r, r) for r in range(1, file_limits.MAX_MERGED_RANGES + 2)) + b"</mergeCells>"
    path = workbook(tmp_path / "merged.xlsx", [("名单", sheet(b"".join(roster_rows(2)), tail=merges))])
    refused(desk, path, "100,001 处合并单元格")


def test_a_csv_past_the_size_limit_is_refused_unread(desk, tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.write("姓名,身份证号\n".encode())
        fh.truncate(file_limits.MAX_TEXT_FILE_BYTES + 1)
    refused(desk, path, "上限 64 MB")


def test_a_csv_with_more_rows_than_the_limit_is_refused(desk, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("姓名,身份证号\n" + "张三,1\n" * file_limits.MAX_ROWS, encoding="utf-8")
    refused(desk, path, "超过 100,000 行")


# -- reading in-process: where cells land, what is found ----------------------------------------------
def test_looking_through_many_sheets_opens_the_zip_once(tmp_path, monkeypatch):
    path = many_sheets(tmp_path / "sheets.xlsx", 300, roster_on=299)
    opened = []
    real = zipfile.ZipFile.__init__

    def counting(self, *args, **kwargs):
        opened.append(args[0])
        real(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting)
    book = tabular.open_workbook(path)
    chosen = tabular.pick_sheet(book, lambda h: {"姓名": "name", "身份证号": "id"}.get(h), lambda h: h.score == 2)
    assert chosen is not None and chosen[0].name == "表300"
    # Finding each sheet's part re-read the zip directory and the sheet list per sheet: quadratic.
    assert len(opened) <= 1


def test_sheets_looked_through_are_not_all_kept(tmp_path):
    book = tabular.open_workbook(many_sheets(tmp_path / "sheets.xlsx", 5, roster_on=4))
    assert [s.name for s in book.sheets()] == ["表1", "表2", "表3", "表4", "表5"]
    assert book._cache == {}  # one sheet at a time in memory while a workbook is looked through


def test_hidden_rows_are_found_when_a_row_tag_straddles_a_chunk_edge(tmp_path, monkeypatch):
    rows = [row(1, text("A1", "姓名"))] + [row(r, text(f"A{r}", name_for(r)), ' hidden="1"' if r % 7 == 0 else "")
                                          for r in range(2, 300)]
    path = workbook(tmp_path / "h.xlsx", [("名单", sheet(iter(rows)))])
    for size in (37, 64, 101, 4096):
        monkeypatch.setattr(xlsx_reader, "CHUNK", size)
        assert tabular.open_workbook(path).sheet(0).hidden_rows == {r for r in range(2, 300) if r % 7 == 0}, size


def test_cells_without_references_and_prefixed_tags_land_where_calamine_puts_them(tmp_path):
    import python_calamine

    body = (b'<x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c><x:v>2</x:v></x:c></x:row>'
            b'<x:row r="5"><x:c><x:v>5</x:v></x:c><x:c r="D5"><x:v>6</x:v></x:c><x:c><x:v>7</x:v></x:c></x:row>'
            b'<x:row><x:c r="B9"><x:v>9</x:v></x:c></x:row>')
    xml = (SHEET_HEAD.replace(b"<worksheet", b"<x:worksheet xmlns:x").replace(b'xmlns="', b'="', 1)
           + b"<x:sheetData>" + body + b"</x:sheetData></x:worksheet>")
    path = workbook(tmp_path / "x.xlsx", [("名单", xml)])
    expected = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    assert tabular.open_workbook(path).sheet(0).rows == expected
    assert expected[8][1] == 9.0 and expected[4][3:] == [6.0, 7.0]


def test_cells_without_references_past_column_iv_are_dropped(tmp_path):
    body = b'<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="IV1"><v>1</v></c><c><v>2</v></c></row>'
    path = workbook(tmp_path / "iv.xlsx", [("名单", b"".join(sheet(body)))])
    s = tabular.open_workbook(path).sheet(0)
    assert s.cut_off and s.rows[0][0] == "a" and s.rows[0][255] == 1.0 and s.width == 256


def test_a_comment_where_cells_are_placed_tag_by_tag_is_refused(tmp_path):
    # A parser skips a comment; a search does not: either could be made to miss cells the other sees.
    body = b'<row><c t="inlineStr" x="<!--"><is><t>a</t></is></c><c r="XFD1048576"><v>1</v></c><c y="-->"/></row>'
    path = workbook(tmp_path / "c.xlsx", [("名单", b"".join(sheet(body)))])
    with pytest.raises(BadFileError, match="注释"):
        tabular.open_workbook(path).sheet(0)


def test_a_sheet_in_another_encoding_is_refused(tmp_path):
    xml = '<?xml version="1.0" encoding="UTF-16"?><worksheet/>'.encode("utf-16")
    with pytest.raises(BadFileError, match="已损坏"):
        tabular.open_workbook(workbook(tmp_path / "u.xlsx", [("名单", xml)])).sheet(0)


def test_two_parts_of_one_name_are_refused(tmp_path):
    path = workbook(tmp_path / "d.xlsx", [("名单", b"".join(sheet(b"")))])
    with zipfile.ZipFile(path, "a") as z:  # the same part in other letter case: one for calamine, one for us
        z.writestr("XL/worksheets/sheet1.xml", b"".join(sheet(row(1, text("XFD1", "x")))))
    with pytest.raises(BadFileError, match="同名"):
        tabular.open_workbook(path)


def test_a_normal_roster_reads_as_before(tmp_path):
    path = workbook(tmp_path / "ok.xlsx", [("名单", sheet(roster_rows(50)))])
    s = tabular.open_workbook(path).sheet(0)
    assert s.rows[0] == ["姓名", "身份证号", "学号", "班级"]
    assert s.rows[1] == [name_for(0), id_for(0), "2023000000", "计算机1班"]
    assert len(s.rows) == 51 and not s.cut_off and s.hidden_rows == frozenset()


@pytest.mark.parametrize("prefix", ["", "x:"])
def test_a_far_cell_larger_than_a_chunk_is_still_cut_out_whole(tmp_path, monkeypatch, prefix):
    p = prefix.encode()
    long_text = "很长的备注" * 2_000  # 30 KB: many chunks of 4 KB
    body = b"".join(
        b'<%srow r="%d"><%sc r="A%d" t="inlineStr"><%sis><%st>%s</%st></%sis></%sc>'
        b'<%sc r="XFD%d" t="inlineStr"><%sis><%st>%s</%st></%sis></%sc></%srow>'
        % (p, r, p, r, p, p, name_for(r).encode(), p, p, p, p, r, p, p, long_text.encode(), p, p, p, p)
        for r in range(1, 40))
    xml = b"".join(sheet(body)).replace(b"<sheetData>", b"<%ssheetData>" % p).replace(b"</sheetData>", b"</%ssheetData>" % p)
    if prefix:
        xml = xml.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(b"</worksheet>", b"</x:worksheet>")
    path = workbook(tmp_path / "far.xlsx", [("名单", xml)])
    monkeypatch.setattr(xlsx_reader, "CHUNK", 4096)
    s = tabular.open_workbook(path).sheet(0)
    assert s.cut_off and s.width == 1
    assert [r[0] for r in s.rows] == [name_for(r) for r in range(1, 40)]


def test_a_prefixed_shared_strings_part_is_measured_string_by_string(tmp_path):
    # The .NET OpenXML SDK writes <x:sst><x:si>; its strings must not all be taken for one long one.
    strings = [f"计算机{i}班" for i in range(500)] + ["很长的备注" * 400]
    sst = ('<?xml version="1.0" encoding="UTF-8"?><x:sst xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/'
           '2006/main">' + "".join(f"<x:si><x:t>{t}</x:t></x:si>" for t in strings) + "</x:sst>").encode()
    rows = (row(r, "".join(f'<c r="{c}{r}" t="s"><v>{(r * 8 + i) % 500}</v></c>' for i, c in enumerate("ABCDEFGH")))
            for r in range(1, 8_001))
    path = workbook(tmp_path / "x.xlsx", [("名单", sheet(rows))], shared=sst)
    s = tabular.open_workbook(path).sheet(0)
    assert len(s.rows) == 8_000 and s.rows[0][0] == "计算机8班"


def test_a_ratio_only_a_bomb_has_is_refused(desk, tmp_path):
    refused(desk, sheet_bomb(tmp_path / "bomb.xlsx", 50 << 20), "压缩比异常", "上限 100 : 1")
