"""The import wizard, driven like a user with messy workbooks made here with openpyxl."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import sqlite3
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QProgressDialog,
    QPushButton,
)

from app.errors import BadFileError
from app.paths import DB_FILE
from ui.common.tasks import TaskRunner
from ui.roster.import_wizard import ImportWizard
from ui.roster.roster_view import RosterView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

HEADERS = ["序号", "姓 名", "性别", "学号", "身份证号码", "院（系）", "专业", "班级名称", "辅导员", "手机号码", "考生类型"]


def _row(raw: dict, n: int) -> list:
    return [n, raw["name"], raw["gender"], raw["student_no"], raw["id_number"], "信息工程学院", raw["major"],
            raw["class_name"], raw["counsellor"], raw["phone"], raw["category"]]


def messy_workbook(path: Path, make) -> Path:
    """A merged title row above the header, aligned names, a blank row and three bad rows.

    Candidates 0 and 1 are expected in the database already (0 unchanged, 1 with a new phone).
    """
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["信息工程学院 2025 年专升本考生名单"])
    ws.merge_cells("A1:K1")
    ws.append(HEADERS)
    r = [make(i) for i in range(7)]
    ws.append(_row(r[0], 1))                                                       # row 3: unchanged
    ws.append(_row({**r[1], "phone": "13999990000"}, 2))                           # row 4: changed
    ws.append(_row({**r[2], "name": r[2]["name"][0] + "　" + r[2]["name"][1:]}, 3))  # row 5: new
    ws.append([])                                                                  # row 6: blank
    ws.append(_row(r[3], 4))                                                       # row 7: new
    good = r[4]["id_number"]
    ws.append(_row({**r[4], "id_number": good[:17] + ("1" if good[17] != "1" else "2")}, 5))  # row 8
    ws.append(_row({**r[5], "name": ""}, 6))                                       # row 9
    ws.append(_row({**r[6], "phone": "1380000"}, 7))                               # row 10
    for row in ws.iter_rows(min_row=3):
        row[4].number_format = "@"
    wb.save(path)
    return path


@pytest.fixture
def existing(container, actor, make_candidate_raw):
    return [container.candidates.create(actor, make_candidate_raw(i)) for i in range(2)]


def make_view(qtbot, container, actor, runner) -> RosterView:
    view = RosterView(actor, runner, candidates=container.candidates, capture=container.capture,
                      roster=container.roster, waivers=container.waivers, settings=container.settings,
                      printing=container.printing, printed_dir=container.printed_dir)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    return view


def make_wizard(qtbot, container, actor, runner) -> ImportWizard:
    wizard = ImportWizard(actor, runner, roster=container.roster)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def label(widget, name: str) -> str:
    return widget.findChild(QLabel, name).text()


def test_messy_workbook_preview_save_rejected_and_import(qtbot, gui, file_dialogs, container, actor, existing, runner,
                                                         make_candidate_raw, tmp_path, monkeypatch):
    source = messy_workbook(tmp_path / "学生处导出.xlsx", make_candidate_raw)
    file_dialogs.open_answer = str(source)
    view = make_view(qtbot, container, actor, runner)
    qtbot.keyClick(view.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.wizard is not None and view.wizard.isVisible())
    wizard = view.wizard
    gui.click(wizard.browse_button)

    assert wizard.stack.currentIndex() == ImportWizard.PREVIEW
    counts = {k: label(wizard, f"count_{k}") for k in ("new", "changed", "unchanged", "rejected")}
    assert counts == {"new": "2", "changed": "1", "unchanged": "1", "rejected": "3"}
    assert "表头在第 2 行" in label(wizard, "previewWhere")
    rejected = gui.table_rows(wizard.rejected_table)
    assert [(r[0], r[3]) for r in rejected] == [("8", "E（身份证号码）"), ("9", "B（姓 名）"), ("10", "J（手机号码）")]
    assert "校验位" in rejected[0][4] and "姓名为空" in rejected[1][4] and "11 位" in rejected[2][4]
    # Who each rejected row is: the 学号 and 姓名 the file gives, beside the row number.
    assert [r[1] for r in rejected] == ["2023000004", "2023000005", "2023000006"]
    assert rejected[1][2] == "" and rejected[0][2]
    changed = gui.table_rows(wizard.changed_table)
    assert changed == [("4", existing[1].data.student_no, existing[1].data.name, "联系电话",
                        f"{existing[1].data.phone} → 13999990000")]
    assert wizard.next_button.text() == "导入 3 条有效记录"
    assert container.candidates.count() == 2  # a preview writes nothing

    saved = tmp_path / "错误行.xlsx"
    file_dialogs.save_answer = lambda default: str(saved)
    gui.click(wizard.save_rejected_button)
    sheet = openpyxl.load_workbook(saved).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "原行号" and rows[0][-1] == "错误原因"
    assert [r[0] for r in rows[1:]] == [8, 9, 10]
    assert any(str(saved) in b.text() for b in gui.message_boxes())

    with qtbot.waitSignal(view.roster_changed, timeout=3000):
        gui.click(wizard.next_button)
    assert wizard.stack.currentIndex() == ImportWizard.RESULT
    assert "新增 2 人，修改 1 人，未变 1 人；有错误未导入 3 行" in label(wizard, "resultSummary")
    assert container.candidates.count() == 4
    assert "<b>④ 导入结果</b>" in wizard.steps.text()
    assert wizard.next_button.text() == "完成" and not wizard.cancel_button.isVisible()  # one button to finish
    assert container.candidates.get(existing[1].uuid).data.phone == "13999990000"
    assert container.candidates.get(make_candidate_raw(2)["student_no"]).data.name == make_candidate_raw(2)["name"]
    assert view.count_label.text() == "显示 4 / 共 4 人"
    history = container.candidates.history(existing[1].uuid)
    assert history[0].after == {"phone": "13999990000"}
    gui.click(wizard.next_button)  # 完成
    qtbot.waitUntil(lambda: view.wizard is None)

    # The desk fixes the saved rows and imports that file: only the three rows are new.
    book = openpyxl.load_workbook(saved)
    ws = book.active
    header = [c.value for c in ws[1]]
    fixes = {8: ("身份证号码", make_candidate_raw(4)["id_number"]), 9: ("姓 名", make_candidate_raw(5)["name"]),
             10: ("手机号码", make_candidate_raw(6)["phone"])}
    for row in ws.iter_rows(min_row=2):
        column, value = fixes[row[0].value]
        row[header.index(column)].value = value
    book.save(saved)
    file_dialogs.open_answer = str(saved)
    qtbot.mouseClick(view.toolbar.widgetForAction(view.import_action), Qt.MouseButton.LeftButton)
    wizard = view.wizard
    gui.click(wizard.browse_button)
    assert label(wizard, "count_new") == "3" and label(wizard, "count_rejected") == "0"
    assert not wizard.save_rejected_button.isEnabled()
    gui.click(wizard.next_button)
    assert container.candidates.count() == 7


def test_mapping_page_for_unrecognised_required_columns(qtbot, gui, file_dialogs, container, actor, runner,
                                                        make_candidate_raw, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["学号", "考生", "性别", "班级", "证号"])
    raws = [make_candidate_raw(i) for i in range(3)]
    for r in raws:
        ws.append([r["student_no"], r["name"], r["gender"], r["class_name"], r["id_number"]])
    path = tmp_path / "名单.xlsx"
    wb.save(path)

    wizard = make_wizard(qtbot, container, actor, runner)
    file_dialogs.open_answer = lambda _proposed: str(path)
    gui.click(wizard.browse_button)
    assert wizard.stack.currentIndex() == ImportWizard.MAPPING
    assert "<b>② 对应列</b>" in wizard.steps.text()  # the step indicator follows the page
    assert "姓名、身份证号" in label(wizard, "mappingIntro")
    # Beside each column, what it holds: enough to tell 考生 is the name and 证号 the ID number.
    assert label(wizard, "sample_1") == "、".join(r["name"] for r in raws)
    assert label(wizard, "sample_4").startswith(raws[0]["id_number"])
    assert not wizard.next_button.isEnabled()
    assert "还需要指定" in label(wizard, "mappingError")

    for column, field in ((1, "name"), (4, "id_number")):
        combo = wizard.findChild(QComboBox, f"mapping_{column}")
        assert combo.currentData() == ""
        gui.pick(combo, field)
        assert combo.currentText().endswith("*")  # required fields are marked
    assert wizard.next_button.isEnabled()
    # Two columns for one field is refused.
    combo = wizard.findChild(QComboBox, "mapping_3")
    assert combo.currentData() == "class_name"
    gui.pick(combo, "name")
    assert not wizard.next_button.isEnabled()
    assert "对应了多列" in label(wizard, "mappingError")
    gui.pick(combo, "class_name")
    gui.click(wizard.next_button)

    assert wizard.stack.currentIndex() == ImportWizard.PREVIEW
    assert label(wizard, "count_new") == "3"
    gui.click(wizard.next_button)
    assert container.candidates.get(raws[2]["student_no"]).data.name == raws[2]["name"]


def test_legacy_xls_is_refused_with_its_message(qtbot, gui, file_dialogs, container, actor, runner, tmp_path):
    path = tmp_path / "名单.xls"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 512 + "Workbook".encode("utf-16-le"))
    with pytest.raises(BadFileError) as expected:
        container.roster.inspect(path)
    wizard = make_wizard(qtbot, container, actor, runner)
    file_dialogs.open_answer = lambda _proposed: str(path)
    gui.click(wizard.browse_button)
    assert wizard.stack.currentIndex() == ImportWizard.FILE
    error = wizard.findChild(QLabel, "fileError")
    assert error.isVisible()
    assert error.text() == expected.value.message
    assert "97-2003" in error.text()
    assert container.candidates.count() == 0


def test_drop_a_file_on_the_roster_opens_the_preview(qtbot, container, actor, runner, make_candidate_raw,
                                                      tmp_path):
    source = messy_workbook(tmp_path / "拖入.xlsx", make_candidate_raw)
    view = make_view(qtbot, container, actor, runner)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(source))])
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:
        enter = QDragEnterEvent(QPointF(50, 50), *args)  # Qt >= 6.12
    except TypeError:
        enter = QDragEnterEvent(QPoint(50, 50), *args)
    QApplication.sendEvent(view, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(50, 50), *args)
    QApplication.sendEvent(view, drop)
    qtbot.waitUntil(lambda: view.wizard is not None and view.wizard.isVisible())
    assert view.wizard.stack.currentIndex() == ImportWizard.PREVIEW
    assert label(view.wizard, "count_new") == "4"


@pytest.fixture
def threaded_runner(container, qtbot):
    # Depends on ``container`` so that it is torn down (and its worker finished) first.
    runner = TaskRunner()
    yield runner
    runner.cancel_all()
    runner.wait(10000)


def test_cancel_during_import_writes_nothing(qtbot, gui, file_dialogs, container, actor, existing, threaded_runner,
                                             make_candidate_raw, tmp_path):
    source = messy_workbook(tmp_path / "名单.xlsx", make_candidate_raw)
    wizard = make_wizard(qtbot, container, actor, threaded_runner)
    file_dialogs.open_answer = lambda _proposed: str(source)
    gui.click(wizard.browse_button)
    qtbot.waitUntil(lambda: wizard.stack.currentIndex() == ImportWizard.PREVIEW, timeout=10000)
    events_before = container.audit_log.count()

    # Another program holds the write lock, so the import is still running when the user cancels.
    other = sqlite3.connect(container.data_dir / DB_FILE, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        gui.click(wizard.next_button)
        qtbot.waitUntil(lambda: any(d.isVisible() for d in wizard.findChildren(QProgressDialog)))
        progress = next(d for d in wizard.findChildren(QProgressDialog) if d.isVisible())
        cancel = next(b for b in progress.findChildren(QPushButton) if b.text() == "取消")
        qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    finally:
        other.execute("ROLLBACK")
        other.close()

    qtbot.waitUntil(lambda: any("未写入任何数据" in b.text() for b in gui.message_boxes()), timeout=10000)
    assert wizard.stack.currentIndex() == ImportWizard.PREVIEW
    assert wizard.next_button.isEnabled()  # the user may try again
    assert container.candidates.count() == 2
    assert container.candidates.get(existing[1].uuid).data.phone == existing[1].data.phone
    assert container.audit_log.count() == events_before


def test_another_sheet_can_be_chosen_from_the_preview(qtbot, gui, container, actor, runner, make_candidate_raw, tmp_path):
    wb = openpyxl.Workbook()
    first = wb.active
    first.title = "一班"
    second = wb.create_sheet("二班")
    for ws, people in ((first, [make_candidate_raw(i) for i in range(3)]),  # the fuller sheet is offered first
                       (second, [make_candidate_raw(i) for i in range(3, 5)])):
        ws.append(HEADERS)
        for n, raw in enumerate(people, start=1):
            ws.append(_row(raw, n))
    path = tmp_path / "两个班.xlsx"
    wb.save(path)
    wizard = make_wizard(qtbot, container, actor, runner)
    wizard.choose_file(path)
    assert wizard.stack.currentIndex() == ImportWizard.PREVIEW
    combo = wizard.findChild(QComboBox, "sheetCombo")
    assert combo.isVisible() and [combo.itemText(i) for i in range(combo.count())] == ["一班", "二班"]
    assert combo.currentText() == "一班" and label(wizard, "count_new") == "3"

    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # a user's choice: the combo emits activated
    assert "工作表：二班" in label(wizard, "previewWhere")
    assert label(wizard, "count_new") == "2" and combo.currentText() == "二班"
    gui.click(wizard.next_button)  # 导入 2 条有效记录
    assert wizard.stack.currentIndex() == ImportWizard.RESULT
    with sqlite3.connect(container.db.sqlite_path) as con:
        names = {r[0] for r in con.execute("SELECT name FROM candidates")}
    assert names == {make_candidate_raw(i)["name"] for i in range(3, 5)}


def test_a_single_sheet_shows_no_sheet_choice(qtbot, container, actor, runner, make_candidate_raw, tmp_path):
    wizard = make_wizard(qtbot, container, actor, runner)
    wizard.choose_file(messy_workbook(tmp_path / "one.xlsx", make_candidate_raw))
    assert not wizard.findChild(QComboBox, "sheetCombo").isVisible()


def test_choosing_a_sheet_without_a_roster_keeps_the_preview(qtbot, container, actor, runner, make_candidate_raw,
                                                             tmp_path, monkeypatch):
    wb = openpyxl.Workbook()
    roster = wb.active
    roster.title = "名单"
    roster.append(HEADERS)
    for n, raw in enumerate((make_candidate_raw(i) for i in range(2)), start=1):
        roster.append(_row(raw, n))
    notes = wb.create_sheet("说明")
    notes.append(["本表由学生处导出，请勿修改。"])
    path = tmp_path / "名单和说明.xlsx"
    wb.save(path)
    shown: list[str] = []
    monkeypatch.setattr("ui.common.import_flow_dialog.show_error", lambda _parent, exc: shown.append(exc.message))
    wizard = make_wizard(qtbot, container, actor, runner)
    wizard.choose_file(path)
    combo = wizard.findChild(QComboBox, "sheetCombo")
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # 说明: no header there
    assert len(shown) == 1 and "找不到名单的表头" in shown[0]
    assert wizard.stack.currentIndex() == ImportWizard.PREVIEW  # not thrown back to the file page
    assert combo.currentText() == "名单" and label(wizard, "count_new") == "2"
    assert wizard.next_button.isEnabled()  # the roster can still be imported


def test_the_preview_columns_fit_long_names_and_classes(qtbot, gui, file_dialogs, container, actor, runner, make_candidate_raw,
                                                        tmp_path, monkeypatch):
    from PySide6.QtWidgets import QStyle

    long_name, long_class = "阿依努尔·买买提明·吐尔逊", "建筑工程技术（装配式建筑方向）2024级2班"
    wb = openpyxl.Workbook()
    wb.active.append(HEADERS)
    wb.active.append(_row({**make_candidate_raw(0), "name": long_name, "class_name": long_class}, 1))
    wb.active.append(_row(make_candidate_raw(1), 2))
    for row in wb.active.iter_rows(min_row=2):
        row[4].number_format = "@"
    wb.save(tmp_path / "长名字.xlsx")
    file_dialogs.open_answer = str(tmp_path / "长名字.xlsx")
    wizard = make_wizard(qtbot, container, actor, runner)
    wizard.resize(900, 640)
    gui.click(wizard.browse_button)
    assert wizard.preview_tabs.currentWidget() is wizard.new_table
    table = wizard.new_table
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    metrics = table.fontMetrics()
    for column, text in ((2, long_name), (3, long_class)):
        assert metrics.horizontalAdvance(text) + 2 * margin + 1 <= table.columnWidth(column), text
    assert not table.horizontalScrollBar().isVisible()
