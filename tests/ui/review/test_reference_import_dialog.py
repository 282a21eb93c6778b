"""Importing the reference lists through the shared import flow: preview with row and column, mapping, result."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel

from ui.common.import_flow_dialog import ImportFlowDialog
from ui.review.reference_import_dialog import ReferenceImportDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def write(path: Path, rows: list[list[object]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def make_dialog(qtbot, container, actor, runner, kind: str) -> ReferenceImportDialog:
    dialog = ReferenceImportDialog(actor, runner, kind, reference=container.reference, review=container.review)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_conduct_list_rows_with_problems_are_listed_and_imported(qtbot, gui, file_dialogs, container, actor, runner, tmp_path,
                                                                 monkeypatch, make_candidate_raw):
    raw = make_candidate_raw(0)
    path = write(tmp_path / "处分.xlsx", [
        ["学生处违纪处分名单"],
        ["学号", "姓名", "身份证号", "处分类型", "处分日期", "是否解除"],
        [raw["student_no"], raw["name"], raw["id_number"], "警告", "2024-10-08", "否"],
        ["", "无学号", "123", "记过", "2024-11-01", "否"],
        ["2023999999", "某人", "", "", "2024-12-01", "是"],
    ])
    file_dialogs.open_answer = str(path)
    dialog = make_dialog(qtbot, container, actor, runner, "conduct")
    assert dialog.windowTitle() == "导入学生处处分名单"
    assert not dialog.save_rejected_button.isVisible()  # reference rows are kept, not rejected
    gui.click(dialog.browse_button)

    assert dialog.stack.currentIndex() == ImportFlowDialog.PREVIEW
    counts = {k: dialog.findChild(QLabel, f"count_{k}").text() for k in ("rows", "problem_rows", "problems")}
    assert counts == {"rows": "3", "problem_rows": "2", "problems": "3"}
    assert "表头在第 2 行" in dialog.findChild(QLabel, "previewWhere").text()
    problems = gui.table_rows(dialog.problems_table)
    assert [(r[0], r[1]) for r in problems] == [("4", "C（身份证号）"), ("4", "整行"), ("5", "D（处分类型）")]
    assert "处分为空" in problems[2][2]
    assert dialog.preview_tabs.tabText(0) == "有问题的行 (3)"
    everything = gui.table_rows(dialog.rows_table)
    assert everything[0][:5] == ("3", raw["student_no"], raw["name"], raw["id_number"], "警告")
    assert dialog.next_button.text() == "导入 3 行（其中 2 行有问题）"
    assert container.reference.active()["conduct"] is None  # a preview writes nothing

    with qtbot.waitSignal(dialog.reference_imported, timeout=3000):
        gui.click(dialog.next_button)
    assert "已导入学生处处分名单：3 行，其中 2 行有问题" in dialog.findChild(QLabel, "resultSummary").text()
    active = container.reference.active()["conduct"]
    assert active is not None and active.file_name == "处分.xlsx" and active.row_count == 3
    rows = container.reference.source_rows(raw["student_no"], raw["id_number"])
    assert [r.fields["action"] for r in rows["conduct"]] == ["警告"]


def test_mapping_page_when_a_required_column_is_not_recognised(qtbot, gui, file_dialogs, container, actor, runner, tmp_path,
                                                                make_candidate_raw):
    raws = [make_candidate_raw(i) for i in range(2)]
    path = write(tmp_path / "学籍.xlsx", [["学号", "学生", "专业", "学籍状态"],
                                        *[[r["student_no"], r["name"], r["major"], "在籍"] for r in raws]])
    dialog = make_dialog(qtbot, container, actor, runner, "academic")
    file_dialogs.open_answer = lambda _proposed: str(path)
    gui.click(dialog.browse_button)
    assert dialog.stack.currentIndex() == ImportFlowDialog.MAPPING
    assert "姓名" in dialog.findChild(QLabel, "mappingIntro").text()
    assert not dialog.next_button.isEnabled()
    assert "还需要指定：姓名" in dialog.findChild(QLabel, "mappingError").text()
    combo = dialog.findChild(QComboBox, "mapping_1")
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    while combo.currentData() != "name":
        before = combo.currentIndex()
        qtbot.keyClick(combo, Qt.Key.Key_Down)
        assert combo.currentIndex() != before
    assert combo.currentText() == "姓名 *"
    assert dialog.next_button.isEnabled()
    gui.click(dialog.next_button)
    assert dialog.stack.currentIndex() == ImportFlowDialog.PREVIEW
    assert dialog.findChild(QLabel, "count_rows").text() == "2"
    assert dialog.next_button.text() == "导入 2 行"
    gui.click(dialog.next_button)
    assert container.reference.active()["academic"].row_count == 2
    rows = container.reference.source_rows(raws[1]["student_no"], "")["academic"]
    assert [(r.name, r.fields["status"]) for r in rows] == [(raws[1]["name"], "在籍")]


def test_a_file_that_is_not_a_list_is_explained_on_the_file_page(qtbot, gui, file_dialogs, container, actor, runner, tmp_path):
    path = write(tmp_path / "空.xlsx", [])
    dialog = make_dialog(qtbot, container, actor, runner, "academic")
    file_dialogs.open_answer = lambda _proposed: str(path)
    gui.click(dialog.browse_button)
    assert dialog.stack.currentIndex() == ImportFlowDialog.FILE
    error = dialog.findChild(QLabel, "fileError")
    assert error.isVisible() and "没有任何数据" in error.text()
    assert container.reference.active()["academic"] is None


def test_the_preview_columns_fit_what_they_hold(qtbot, gui, file_dialogs, container, actor, runner, tmp_path, monkeypatch,
                                                make_candidate_raw):
    from PySide6.QtWidgets import QStyle

    raw = make_candidate_raw(0)
    long_name = "阿卜杜热依木·买买提艾力"
    path = write(tmp_path / "学籍.xlsx", [
        ["学号", "姓名", "身份证号", "专业", "学籍状态"],
        [raw["student_no"], long_name, raw["id_number"], "电子信息工程技术（中外合作办学）", "在籍"],
    ])
    file_dialogs.open_answer = str(path)
    dialog = make_dialog(qtbot, container, actor, runner, "academic")
    dialog.resize(900, 640)
    gui.click(dialog.browse_button)
    table = dialog.rows_table
    assert dialog.preview_tabs.currentWidget() is table
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    headers = [table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(table.model().columnCount())]
    for title, text in (("姓名", long_name), ("身份证号", raw["id_number"])):
        column = headers.index(title)
        assert table.fontMetrics().horizontalAdvance(text) + 2 * margin + 1 <= table.columnWidth(column), text


def test_the_offer_to_compare_is_read_off_the_gui_thread(qtbot, gui, file_dialogs, container, actor, tmp_path,
                                                        monkeypatch, make_candidate_raw):
    import threading

    from ui.common.tasks import TaskRunner

    raw = make_candidate_raw(0)
    container.candidates.create(actor, raw)
    path = write(tmp_path / "学籍.xlsx", [
        ["学号", "姓名", "身份证号", "专业", "学籍状态"],
        [raw["student_no"], raw["name"], raw["id_number"], raw["major"], "在籍"],
    ])
    threads: dict[str, threading.Thread] = {}
    reference, review = container.reference, container.review
    real_active, real_last = reference.active, review.last_run_at

    def active(*args, **kwargs):
        threads["active"] = threading.current_thread()
        return real_active(*args, **kwargs)

    def last_run_at(*args, **kwargs):
        threads["last_run_at"] = threading.current_thread()
        return real_last(*args, **kwargs)

    monkeypatch.setattr(reference, "active", active)
    monkeypatch.setattr(review, "last_run_at", last_run_at)
    file_dialogs.open_answer = str(path)
    runner = TaskRunner()  # a real thread pool
    dialog = make_dialog(qtbot, container, actor, runner, "academic")
    dialog.offer_compare = True
    gui.click(dialog.browse_button)
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == ImportFlowDialog.PREVIEW, timeout=5000)
    gui.click(dialog.next_button)
    qtbot.waitUntil(lambda: dialog.stack.currentIndex() == ImportFlowDialog.RESULT, timeout=5000)
    runner.wait(5000)
    assert dialog.compare_button.isVisible() and dialog.compare_button.text() == "运行比对"
    assert dialog.focusWidget() is dialog.compare_button
    assert set(threads) == {"active", "last_run_at"}
    assert all(t is not threading.main_thread() for t in threads.values())
