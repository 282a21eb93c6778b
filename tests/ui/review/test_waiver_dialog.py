"""Waivers from the review screen: record (reason, date), 附件1 signed, revoke before — and not after — the deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from ui.review.review_view import ReviewView
from ui.review.waiver_dialog import WaiverDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def make_view(qtbot, container, actor, runner) -> ReviewView:
    view = ReviewView(actor, runner, review=container.review, reference=container.reference, waivers=container.waivers,
                      settings=container.settings, printing=container.printing, printed_dir=container.printed_dir)
    qtbot.addWidget(view)
    view.resize(1240, 700)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    return view


def open_waiver(gui, view: ReviewView, button: QPushButton) -> WaiverDialog:
    gui.click(button)
    dialog = view.dialog
    assert isinstance(dialog, WaiverDialog) and dialog.isVisible()
    return dialog


def test_waive_sign_and_revoke(qtbot, gui, container, actor, runner, make_candidate_raw):
    raw = make_candidate_raw(0)
    uuid = container.candidates.create(actor, raw).uuid
    view = make_view(qtbot, container, actor, runner)
    view.select_candidate(uuid)
    assert not view.revoke_button.isEnabled() and not view.signed_check.isEnabled()

    dialog = open_waiver(gui, view, view.waive_button)
    assert dialog.date_edit.date() == QDate.currentDate()  # today unless changed
    gui.click(dialog.ok_button)
    assert dialog.isVisible()
    assert dialog.findChild(QLabel, "waiverReasonError").text() == "请填写放弃报名考试资格的原因。"
    gui.type_text(dialog.reason_edit, "已找到工作")
    dialog.date_edit.setFocus()
    qtbot.keyClick(dialog.date_edit, Qt.Key.Key_End)  # into the day section
    qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Down)  # one day earlier
    gui.click(dialog.ok_button)
    # Recorded; the dialog offers 附件1 at once (the student is at the desk), then closes.
    qtbot.waitUntil(lambda: dialog.print_button.isVisible())
    assert "已登记" in dialog.done_label.text() and not dialog.ok_button.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())

    stored = container.review.get(uuid)
    assert stored.status == "waived"
    assert stored.waiver.reason == "已找到工作"
    assert stored.waiver.waived_on == dt.date.today() - dt.timedelta(days=1)
    assert view.model.index(0, 3).data() == "放弃报考"
    assert view.model.index(0, 4).data().startswith("【已放弃】")
    assert view.waiver_label.isVisible() and "已找到工作" in view.waiver_label.text()
    assert not view.decide_box.isEnabled() and not view.waive_button.isEnabled()

    qtbot.mouseClick(view.signed_check, Qt.MouseButton.LeftButton)
    assert container.review.get(uuid).waiver.form_signed
    assert "已签字交回" in view.waiver_label.text()

    # Past the deadline the service refuses, and the dialog says so.
    container.settings.set(actor, "waiver_deadline", dt.date.today() - dt.timedelta(days=1))
    dialog = open_waiver(gui, view, view.revoke_button)
    gui.type_text(dialog.reason_edit, "本人改变主意")
    gui.click(dialog.ok_button)
    error = dialog.findChild(QLabel, "waiverError")
    assert error.isVisible() and "截止日期" in error.text() and "已过，不能撤回" in error.text()
    assert container.review.get(uuid).status == "waived"
    dialog.reject()

    container.settings.set(actor, "waiver_deadline", dt.date.today() + dt.timedelta(days=7))
    dialog = open_waiver(gui, view, view.revoke_button)
    assert (dt.date.today() + dt.timedelta(days=7)).isoformat() in dialog.findChild(QLabel, "waiverIntro").text()
    gui.type_text(dialog.reason_edit, "本人改变主意")
    qtbot.keyClick(dialog.reason_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    stored = container.review.get(uuid)
    assert stored.status == "roster" and not stored.waiver.active
    assert "已于" in view.waiver_label.text() and "本人改变主意" in view.waiver_label.text()
    assert view.waive_button.isEnabled() and view.decide_box.isEnabled()


def test_a_reviewer_sees_waivers_but_cannot_record_them(qtbot, container, actor, runner, make_candidate_raw):
    uuid = container.candidates.create(actor, make_candidate_raw(0)).uuid
    container.waivers.add(actor, uuid, "已找到工作")
    container.setup.create_user(actor, "jwc01", "教务处", "reviewer", "Passw0rd9", "academic")
    reviewer = container.setup.login("jwc01", "Passw0rd9")
    view = make_view(qtbot, container, reviewer, runner)
    view.select_candidate(uuid)
    assert view.waiver_label.isVisible() and "已找到工作" in view.waiver_label.text()
    assert not view.waiver_row.isVisible()
    assert view.decide_box.isVisible() and not view.decide_box.isEnabled()  # waived: nothing to decide


def test_the_waiver_dialog_prints_the_form_right_after_recording(qtbot, gui, container, actor, runner, make_candidate_raw,
                                                                 tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    from app.documents import raster

    raw = make_candidate_raw(0)
    uuid = container.candidates.create(actor, raw).uuid
    dialog = WaiverDialog(actor, uuid, raw["name"], "add", waivers=container.waivers, settings=container.settings,
                          printing=container.printing, printed_dir=container.printed_dir)
    qtbot.addWidget(dialog)
    dialog.show()
    out = tmp_path / "printer.pdf"

    def printer() -> QPrinter:
        p = QPrinter(QPrinter.PrinterMode.HighResolution)
        p.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        p.setOutputFileName(str(out))
        return p

    dialog.make_printer = printer
    dialog.ask_print = lambda parent, printer, pages: True
    dialog.runner = runner
    gui.type_text(dialog.reason_edit, "已找到工作")
    gui.click(dialog.ok_button)
    qtbot.waitUntil(lambda: dialog.print_button.isVisible())
    gui.click(dialog.print_button)
    qtbot.waitUntil(lambda: "已送往打印机" in dialog.done_label.text(), timeout=10000)
    assert out.is_file() and raster.page_count(out) == 1
    assert dialog.printed_pdf.is_file() and container.printing.recent()[0].label == "附件1"
