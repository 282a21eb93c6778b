"""Reading .xlsx/.csv/HTML-as-.xls files, header normalisation and header-row detection."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from app.errors import BadFileError
from app.importing import tabular
from tests.app.fixtures_roster import (
    HEADERS,
    corrupt_xlsx,
    empty_xlsx,
    encrypted_xlsx,
    legacy_xls,
    person,
    write_csv,
    write_xlsx,
)

KNOWN = {"姓名": "name", "身份证号码": "id", "学号": "sno", "性别": "gender", "院(系)": "college",
         "班级": "class", "联系电话": "phone", "考生类别": "cat", "序号": "-", "入伍时间": "start",
         "退役时间": "end"}


def classify(norm: str) -> str | None:
    return KNOWN.get(norm)


@pytest.mark.parametrize(("raw", "expected"), [
    ("姓 名", "姓名"),
    ("姓\u3000\u3000名", "姓名"),
    (" 院（系） ", "院(系)"),
    ("*身份证号", "身份证号"),
    ("身份证号＊", "身份证号"),
    ("联系电话(必填)", "联系电话"),
    ("身份证号\n码", "身份证号码"),
    ("Name", "name"),
    ("学号：", "学号"),
    (None, ""),
    (2026.0, "2026"),
])
def test_normalise_header(raw, expected):
    assert tabular.normalise_header(raw) == expected


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (3, "D"), (25, "Z"), (26, "AA"), (701, "ZZ"),
                                                (702, "AAA")])
def test_column_letters_round_trip(index, letters):
    assert tabular.column_letter(index) == letters
    assert tabular.column_index(letters.lower()) == index


def test_column_index_rejects_non_letters():
    assert tabular.column_index("号码A") is None
    assert tabular.column_index("A1") is None


def test_xlsx_rows_keep_true_numbers_and_cell_types(tmp_path):
    p = person(0, 学号=2023001, 身份证号码=410302199003071234)
    path = write_xlsx(tmp_path / "r.xlsx", [p, None, person(1)], text_ids=False)
    sheet = next(tabular.open_workbook(path).sheets())
    assert sheet.name == "学生名单"
    # title 1, date 2, blank 3, header 4, blank 5, data 6, blank 7, data 8
    assert sheet.numbers[:8] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert sheet.rows[3][:2] == ["序号", "姓 名"]
    assert all(tabular.is_blank(v) for v in sheet.rows[6])
    row6 = sheet.rows[5]
    assert row6[HEADERS.index("学号")] == 2023001.0
    assert isinstance(row6[HEADERS.index("身份证号码")], float)
    assert sheet.rows[7][1] == person(1)["姓 名"]
    assert {len(r) for r in sheet.rows} == {len(HEADERS)}


def test_xlsx_dates_come_back_as_dates(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "入伍时间"])
    ws.append(["张三", dt.date(2021, 9, 1)])
    ws["B2"].number_format = "yyyy-mm-dd"
    wb.save(tmp_path / "d.xlsx")
    sheet = tabular.open_workbook(tmp_path / "d.xlsx").sheet(0)
    value = sheet.rows[1][1]
    assert isinstance(value, dt.date)
    assert (value.date() if isinstance(value, dt.datetime) else value) == dt.date(2021, 9, 1)


def test_cells_merged_down_are_given_to_every_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "班级"])
    for name in ("张三", "李四", "王五"):
        ws.append([name, "计1班" if name == "张三" else None])
    ws.merge_cells("B2:B4")
    wb.save(tmp_path / "m.xlsx")
    sheet = tabular.open_workbook(tmp_path / "m.xlsx").sheet(0)
    assert [r[1] for r in sheet.rows[1:]] == ["计1班", "计1班", "计1班"]


def test_hidden_sheets_come_last(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "下拉选项"
    wb.active.sheet_state = "hidden"
    wb.create_sheet("名单").append(["姓名"])
    wb.save(tmp_path / "h.xlsx")
    book = tabular.open_workbook(tmp_path / "h.xlsx")
    assert [s.name for s in book.sheets()] == ["名单", "下拉选项"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_encodings(tmp_path, encoding):
    rows = [person(0, **{"姓 名": "欧阳娜娜"}), person(1, **{"姓 名": "阿依古丽·买买提"})]
    path = write_csv(tmp_path / "r.csv", rows, encoding=encoding)
    sheet = tabular.open_workbook(path).sheet(0)
    assert sheet.rows[0][:3] == ["序号", "姓 名", "性别"]
    assert sheet.rows[1][1] == "欧阳娜娜"
    assert sheet.rows[2][1] == "阿依古丽·买买提"
    assert sheet.numbers == [1, 2, 3]


def test_csv_tab_delimited_blank_lines_and_multiline_cells(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('姓名\t身份证号\t备注\n\n张三\t="410302199003071234"\t"第一行\n第二行"\n李四\t1\t\n',
                    encoding="utf-8")
    sheet = tabular.open_workbook(path).sheet(0)
    assert sheet.rows[0] == ["姓名", "身份证号", "备注"]
    assert sheet.numbers == [1, 2, 3, 5]
    assert sheet.rows[1] == ["", "", ""]
    assert sheet.rows[2] == ["张三", "410302199003071234", "第一行\n第二行"]
    assert sheet.rows[3][0] == "李四"


def test_csv_undecodable(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xff\xff\xff\x80\x81")
    with pytest.raises(BadFileError, match="编码"):
        tabular.open_workbook(path)


def test_html_table_saved_as_xls_is_read(tmp_path):
    html = ('<html><head><meta charset="gbk"></head><body><table>'
            '<tr><td colspan="3">学生名单</td></tr>'
            '<tr><th>姓名</th><th>身份证号</th><th>班级</th></tr>'
            '<tr><td>张三</td><td>41030219900307123X</td><td rowspan="2">计1班</td></tr>'
            '<tr><td>李四</td><td>410302199003071234</td></tr></table></body></html>')
    path = tmp_path / "export.xls"
    path.write_bytes(html.encode("gbk"))
    sheet = tabular.open_workbook(path).sheet(0)
    assert sheet.rows == [["学生名单", "", ""], ["姓名", "身份证号", "班级"],
                          ["张三", "41030219900307123X", "计1班"], ["李四", "410302199003071234", "计1班"]]


def test_legacy_xls_says_how_to_convert(tmp_path):
    with pytest.raises(BadFileError, match=r"97-2003.*请用 Excel 或 WPS 打开它，另存为 \.xlsx 后再导入"):
        tabular.open_workbook(legacy_xls(tmp_path / "old.xls"))


def test_legacy_xls_renamed_to_xlsx_is_still_called_legacy(tmp_path):
    with pytest.raises(BadFileError, match=r"97-2003"):
        tabular.open_workbook(legacy_xls(tmp_path / "old.xlsx"))


def test_encrypted_xlsx_says_to_remove_the_password(tmp_path):
    with pytest.raises(BadFileError, match=r"加密.*取消"):
        tabular.open_workbook(encrypted_xlsx(tmp_path / "locked.xlsx"))


def test_corrupt_xlsx(tmp_path):
    with pytest.raises(BadFileError, match="已损坏"):
        tabular.open_workbook(corrupt_xlsx(tmp_path / "broken.xlsx")).sheet(0)


def test_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "doc.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<x/>")
    with pytest.raises(BadFileError, match="已损坏"):
        tabular.open_workbook(path).sheet(0)


def test_plain_text_named_xlsx(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("姓名,身份证号\n", encoding="utf-8")
    with pytest.raises(BadFileError, match="已损坏"):
        tabular.open_workbook(path)


def test_csv_export_saved_under_a_workbook_name_reads_as_csv(tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_bytes("姓名,身份证号\n张三,11010519491231002X\n".encode("gbk"))
    assert tabular.open_workbook(path).sheet(0).rows[1] == ["张三", "11010519491231002X"]


@pytest.mark.parametrize("name", ["名单.xls", "名单.et", "名单.wps", "名单"])
def test_xlsx_under_another_name_opens_as_the_workbook_it_is(tmp_path, name):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号"])
    wb.active.append(["张三", "11010519491231002X"])
    wb.save(tmp_path / "real.xlsx")
    (tmp_path / name).write_bytes((tmp_path / "real.xlsx").read_bytes())
    assert tabular.open_workbook(tmp_path / name).sheet(0).rows[1] == ["张三", "11010519491231002X"]


def test_wps_native_file_says_save_as_xlsx_in_wps(tmp_path):
    path = legacy_xls(tmp_path / "名单.et")
    with pytest.raises(BadFileError, match=r"WPS.*另存为.*xlsx"):
        tabular.open_workbook(path)


def test_unicode_text_export_with_txt_name_reads(tmp_path):
    path = tmp_path / "名单.txt"
    path.write_bytes("姓名\t身份证号\r\n张三\t11010519491231002X\r\n".encode("utf-16"))
    assert tabular.open_workbook(path).sheet(0).rows[1] == ["张三", "11010519491231002X"]


def test_semicolon_csv_with_commas_inside_cells(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("姓名;身份证号;备注\n张三;11010519491231002X;转专业, 已审核\n李四;110105194912310000;补录, 待定, 加急\n"
                    "王五;110105194912310011;无\n", encoding="utf-8")
    rows = tabular.open_workbook(path).sheet(0).rows
    assert rows[0] == ["姓名", "身份证号", "备注"]
    assert rows[2][2] == "补录, 待定, 加急"


@pytest.mark.parametrize(("name", "pattern"), [("a.docx", "不支持 .docx"), ("a", "已损坏"),
                                               ("~$名单.xlsx", "临时文件"), ("missing.xlsx", "找不到")])
def test_names_refused_before_reading(tmp_path, name, pattern):
    path = tmp_path / name
    if name != "missing.xlsx":
        path.write_bytes(b"x")
    with pytest.raises(BadFileError, match=pattern):
        tabular.open_workbook(path)


def test_zero_byte_file(tmp_path):
    (tmp_path / "e.xlsx").write_bytes(b"")
    with pytest.raises(BadFileError, match="0 字节"):
        tabular.open_workbook(tmp_path / "e.xlsx")


def test_empty_workbook_has_no_rows(tmp_path):
    sheet = tabular.open_workbook(empty_xlsx(tmp_path / "e.xlsx")).sheet(0)
    assert sheet.rows == []
    assert tabular.find_header(sheet, classify) is None


def test_find_header_below_title_date_and_blank_rows(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [person(0), person(1)])
    sheet = tabular.open_workbook(path).sheet(0)
    header = tabular.find_header(sheet, classify)
    assert header is not None
    assert (header.index, header.number) == (3, 4)
    assert header.headers[:3] == ["序号", "姓 名", "性别"]
    assert header.keys[:6] == ["-", "name", "gender", "id", "sno", "college"]
    assert header.score == len(HEADERS)


def test_find_header_folds_a_two_row_header(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年退役大学生士兵名单"])
    ws.append(["姓名", "身份证号码", "服役情况", None, "班级"])
    ws.append([None, None, "入伍时间", "退役时间", None])
    ws.append(["张三", "41030219900307123X", "2019-09-01", "2021-09-01", "计1班"])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:B3")
    ws.merge_cells("C2:D2")
    ws.merge_cells("E2:E3")
    wb.save(tmp_path / "v.xlsx")
    sheet = tabular.open_workbook(tmp_path / "v.xlsx").sheet(0)
    header = tabular.find_header(sheet, classify)
    assert header is not None
    # The cells merged down fill row 3, so it is the whole header and data start below it.
    assert header.number == 3
    assert header.headers == ["姓名", "身份证号码", "入伍时间", "退役时间", "班级"]
    assert header.keys == ["name", "id", "start", "end", "class"]


def test_find_header_folds_sub_headers_without_merged_cells():
    rows = [["姓名", "身份证号码", "服役情况", "", "班级"], ["", "", "入伍时间", "退役时间", ""],
            ["张三", "41030219900307123X", "2019-09-01", "2021-09-01", "计1班"]]
    header = tabular.find_header(tabular.Sheet("s", rows, [1, 2, 3]), classify)
    assert header is not None
    assert header.number == 1
    assert header.headers == ["姓名", "身份证号码", "入伍时间", "退役时间", "班级"]
    assert header.keys == ["name", "id", "start", "end", "class"]


def test_find_header_does_not_fold_the_first_data_row():
    sheet = tabular.Sheet("s", [["姓名", "身份证号码", "备注"], ["张三", "410302199003071234", "班级"]], [1, 2])
    header = tabular.find_header(sheet, classify)
    assert header is not None
    assert header.headers == ["姓名", "身份证号码", "备注"]
    assert header.keys == ["name", "id", None]


def test_find_header_none_without_headers():
    sheet = tabular.Sheet("s", [["张三", "410302199003071234"], ["李四", "41030219900307123X"]], [1, 2])
    assert tabular.find_header(sheet, classify) is None


def test_cell_date_turns_serial_numbers_into_dates():
    assert tabular.cell_date(44440.0) == dt.date(2021, 9, 1)
    assert tabular.cell_date("2021-09-01") == "2021-09-01"
    assert tabular.cell_date(2021.09) == 2021.09
    assert tabular.cell_date(20210901.0) == 20210901.0
    assert tabular.cell_date("2003-05-17 00:00:00") == "2003-05-17"
    # A time of day means nothing for a birth or service date (exports print one anyway).
    assert tabular.cell_date("2003-05-17 08:30:00") == "2003-05-17"
    assert tabular.cell_date("2003/4/11 0:00:00") == tabular.cell_date("2003/04/11 00:00") == "2003-04-11"
    assert tabular.cell_date(True) is True


def test_path_object_or_string(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [person(0)])
    assert tabular.open_workbook(Path(str(path))).names == ["学生名单"]


def test_utf8_mark_in_front_of_gbk_text(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "姓名,身份证号\n张三,11010519491231002X\n".encode("gbk"))
    assert tabular.open_workbook(path).sheet(0).rows[1][0] == "张三"


def test_xml_spreadsheet_2003_says_save_as_xlsx(tmp_path):
    path = tmp_path / "教务导出.xls"
    path.write_text('<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
                    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet><Table>'
                    '<Row><Cell><Data ss:Type="String">姓名</Data></Cell></Row></Table></Worksheet></Workbook>',
                    encoding="utf-8")
    with pytest.raises(BadFileError, match=r"XML.*另存为 \.xlsx"):
        tabular.open_workbook(path)


def test_required_marks_before_or_after_a_header():
    for text in ("姓名▲", "▲姓名", "※姓名", "姓名※", "*姓名", "姓名#", "姓名△", "★姓名"):
        assert tabular.normalise_header(text) == "姓名", text


# -- ID numbers stored with all their digits ---------------------------------------------------------
def _numbers_book(path: Path, values: list[str]) -> Path:
    """A roster whose 身份证号 (and 学号, 联系电话) cells are number cells with exactly these texts,
    as scripts and other systems write them (openpyxl would write 16 significant digits)."""
    from tests.app.fixtures_hostile import number, row, sheet, text, workbook

    rows = [row(1, text("A1", "姓名") + text("B1", "身份证号") + text("C1", "学号") + text("D1", "联系电话"))]
    for r, value in enumerate(values, start=2):
        rows.append(row(r, text(f"A{r}", f"学生{'甲乙丙丁'[r - 2]}") + number(f"B{r}", value)
                        + number(f"C{r}", f"20230000{r}") + number(f"D{r}", "13800138000")))
    return workbook(path, [("名单", sheet(iter(rows)))])


def test_full_digit_id_in_a_number_cell_is_read_exactly(tmp_path):
    from tests.app.fixtures_roster import id_for

    sheet = tabular.open_workbook(_numbers_book(tmp_path / "n.xlsx", [id_for(1), "4.10302199003071E+17"])).sheet(0)
    assert sheet.rows[1][1] == int(id_for(1))  # all 18 digits, not the float calamine makes of them
    assert isinstance(sheet.rows[2][1], float)  # Excel's 15 digits stay a float, to be refused
    assert sheet.rows[1][2] == 202300002.0 and sheet.rows[1][3] == 13800138000.0  # short numbers unchanged


def test_full_digit_ids_import_and_excel_rounded_ones_stay_refused(container, tmp_path):
    from app.domain import idnumber
    from tests.app.fixtures_roster import id_for

    rounded_but_valid = "410302199003070976"  # the double Excel keeps of 410302199003071234: its check digit passes
    assert idnumber.check_char(rounded_but_valid[:17]) == rounded_but_valid[17]
    path = _numbers_book(tmp_path / "n.xlsx", [id_for(1), "4.10302199003071E+17", rounded_but_valid, id_for(3)])
    preview = container.roster.preview(path)
    by_row = {r.row: r for r in preview.rows}
    assert by_row[2].kind == "new" and by_row[2].data.id_number == id_for(1)
    assert by_row[5].kind == "new" and by_row[5].data.id_number == id_for(3)
    assert by_row[2].data.student_no == "202300002" and by_row[2].data.phone == "13800138000"
    assert [p.message for p in by_row[3].problems] == [idnumber.EXCEL_HINT]
    assert [p.message for p in by_row[4].problems] == [idnumber.EXCEL_SHAPED_HINT]


# -- NUL inside a value ---------------------------------------------------------------------------------
def test_a_nul_inside_an_xlsx_cell_never_cuts_the_value(container, tmp_path):
    from app.auth import Actor
    from tests.app.fixtures_hostile import row, sheet, text, workbook
    from tests.app.fixtures_roster import id_for

    shared = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
              '2006/main"><si><t>计算机_x0000_1班</t></si></sst>').encode()
    rows = [row(1, text("A1", "姓名") + text("B1", "身份证号") + text("C1", "班级") + text("D1", "宿舍")),
            row(2, text("A2", "王伟") + text("B2", id_for(1)) + '<c r="C2" t="s"><v>0</v></c>' + text("D2", "3号楼\x00201")),
            row(3, text("A3", "李娜") + text("B3", id_for(2)) + text("C3", "计算机\x002班"))]
    path = workbook(tmp_path / "nul.xlsx", [("名单", sheet(iter(rows)))], shared=shared)
    sheet_ = tabular.open_workbook(path).sheet(0)
    assert sheet_.rows[1][2:] == ["计算机1班", "3号楼201"]
    assert sheet_.rows[2][2] == "计算机2班"
    container.roster.commit(Actor("t", "测试", "admin"), container.roster.preview(path))
    with container.db.read() as s:
        from sqlalchemy import select

        from db.models import Candidate
        classes = s.scalars(select(Candidate.class_name).order_by(Candidate.id)).all()
    # SQLite's own functions and its shell stop at a NUL: “计算机” was all they showed.
    assert classes == ["计算机1班", "计算机2班"]


def test_a_nul_inside_a_csv_cell_never_cuts_the_value(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes("姓名,班级\n王伟,计算机\x001班\n".encode())
    assert tabular.open_workbook(path).sheet(0).rows[1] == ["王伟", "计算机1班"]


# -- encodings ------------------------------------------------------------------------------------------
_TRADITIONAL = [["序號", "姓名", "性別", "身份證號碼", "學號", "班級"]] + [
    [str(i + 1), name, "男", "", f"2023{i:05d}", f"電腦網路技術{i % 3 + 1}班"]
    for i, name in enumerate(["王偉", "李娜", "張敏", "陳靜", "劉強", "楊麗", "黃傑", "趙雲", "吳濤", "周芳"])]


def _csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    return "".join(",".join(r) + "\r\n" for r in rows).encode(encoding)


def test_big5_csv_is_read_as_big5(tmp_path):
    path = tmp_path / "big5.csv"
    data = _csv_bytes(_TRADITIONAL, "big5")
    assert data.decode("gb18030")  # GB18030 decodes it too, into nonsense: that is what must be told apart
    path.write_bytes(data)
    rows = tabular.open_workbook(path).sheet(0).rows
    assert rows[0][:4] == ["序號", "姓名", "性別", "身份證號碼"]
    assert [r[1] for r in rows[1:4]] == ["王偉", "李娜", "張敏"]


def test_traditional_characters_in_gbk_stay_gbk(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(_csv_bytes(_TRADITIONAL, "gbk"))
    assert tabular.open_workbook(path).sheet(0).rows[1][1] == "王偉"


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"])
def test_utf32_and_utf16_with_or_without_a_byte_order_mark(tmp_path, encoding):
    rows = [person(0, **{"姓 名": "欧阳娜娜"}), person(1)]
    path = write_csv(tmp_path / "r.csv", rows, encoding="utf-8")
    path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
    sheet = tabular.open_workbook(path).sheet(0)
    assert sheet.rows[0][:3] == ["序号", "姓 名", "性别"]
    assert sheet.rows[1][1] == "欧阳娜娜"


def test_an_encoding_that_cannot_be_told_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "sjis.csv"
    path.write_bytes(_csv_bytes([["氏名", "フリガナ", "クラス"]] + [["山田太郎", "ヤマダタロウ", "ジョウホウ1"]] * 5,
                                "shift_jis"))
    with pytest.raises(BadFileError, match=r"不支持的文本编码.*另存为 \.xlsx"):
        tabular.open_workbook(path)


# -- legacy Excel 97-2003 (.xls, WPS .et) ----------------------------------------------------------
XLS = Path(__file__).resolve().parents[1] / "fixtures"  # tests/app/fixtures


def test_a_legacy_xls_is_read_with_its_dates_merged_cells_and_hidden_rows():
    sheet = tabular.open_workbook(XLS / "roster.xls").sheet(0)
    assert sheet.rows[1] == ["学号", "姓名", "身份证号", "班级", "出生日期", "联系电话"]
    assert [r[1] for r in sheet.rows[2:]] == ["王伟", "李娜", "张敏", "刘洋"]
    assert sheet.rows[3][4] == dt.date(2003, 1, 2)  # a date cell is a date, not a serial number
    assert {r[3] for r in sheet.rows[2:]} == {"计算机2024级1班"}  # merged down over the class
    assert sheet.hidden_rows == frozenset({6})


def test_a_wps_et_that_is_biff_inside_is_read(tmp_path):
    copy = tmp_path / "名单.et"
    copy.write_bytes((XLS / "roster.xls").read_bytes())
    assert tabular.open_workbook(copy).sheet(0).rows[2][1] == "王伟"


def test_a_5_kb_xls_reaching_iv65536_is_refused_not_built():
    # calamine would build the whole 65,536 × 256 rectangle (a gigabyte) for this file.
    with pytest.raises(BadFileError) as err:
        tabular.open_workbook(XLS / "far_cell.xls").sheet(0)
    assert "65,536 行 × 256 列" in err.value.message and "上限 2,500,000" in err.value.message
