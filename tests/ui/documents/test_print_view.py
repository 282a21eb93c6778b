"""The print screen and printing a PDF through Qt, driven like a user."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.auth import Actor
from app.documents import raster
from ui.common.pdf_printing import PdfPrintJob
from ui.common.tasks import TaskRunner
from ui.documents.print_view import PrintView


def _forms_desk():
    """The form tests' desk of candidates in every state (tests/app/documents/conftest.py)."""
    import importlib.util

    folder = Path(__file__).resolve().parents[2] / "app" / "documents"
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location("forms_desk", folder / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["forms_desk"] = module
    spec.loader.exec_module(module)
    return module


populate = _forms_desk().populate

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def desk(container, actor, make_candidate_raw):
    return populate(container, actor, make_candidate_raw, 40)


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def make_view(qtbot, container, actor) -> PrintView:
    view = PrintView(actor, TaskRunner(synchronous=True), candidates=container.candidates, printing=container.printing,
                     settings=container.settings, printed_dir=container.printed_dir)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def answer_warnings(qtbot, view: PrintView, button: str = "printAnyway") -> str:
    """The desk has candidates not yet reviewed: read the warning shown before printing, and answer it."""
    qtbot.waitUntil(lambda: view.warning_box is not None and view.warning_box.isVisible())
    box = view.warning_box
    text = box.informativeText()
    qtbot.mouseClick(box.findChild(QPushButton, button), Qt.MouseButton.LeftButton)
    return text


def test_print_job_paints_every_page(qtbot, desk, tmp_path: Path) -> None:
    result = desk.container.printing.print_form(desk.actor, "附件3", tmp_path / "a3.pdf")
    out = tmp_path / "printed.pdf"
    asked = []
    job = PdfPrintJob(TaskRunner(synchronous=True), result.pdf, printer=pdf_printer(out),
                      ask=lambda parent, printer, pages: asked.append(pages) or True)
    with qtbot.waitSignal(job.printed) as sig:
        assert job.start()
    assert asked == [result.pages] and sig.args == [result.pages] and job.dpi == 300
    sizes = raster.page_sizes(out)
    assert len(sizes) == result.pages and all(s.landscape for s in sizes)
    for page in raster.render_pages(out, 40):
        dark = (page < 128).mean()
        assert 0.01 < dark < 0.5  # the form is on the page, not blank and not black


def test_print_job_closed_dialog_and_cancel(qtbot, desk, tmp_path: Path) -> None:
    result = desk.container.printing.print_form(desk.actor, "附件3", tmp_path / "a3.pdf")
    job = PdfPrintJob(TaskRunner(synchronous=True), result.pdf, printer=pdf_printer(tmp_path / "x.pdf"),
                      ask=lambda *_a: False)
    with qtbot.waitSignal(job.cancelled):
        assert not job.start()
    assert not (tmp_path / "x.pdf").exists()

    class CancelDuringPage2(TaskRunner):
        """The user presses Cancel while page 2 is being rendered."""

        calls = 0

        def run(self, fn, **kw):
            CancelDuringPage2.calls += 1
            if self.calls == 2:
                job.dialog.findChild(QPushButton).click()
            return super().run(fn, **kw)

    job = PdfPrintJob(CancelDuringPage2(synchronous=True), result.pdf, printer=pdf_printer(tmp_path / "y.pdf"),
                      ask=None)
    painted = []
    job.printed.connect(painted.append)
    with qtbot.waitSignal(job.cancelled):
        job.start()
    assert job._done == 1 and not painted


def test_summary_to_pdf_and_xlsx_then_open_folder(qtbot, file_dialogs, desk, tmp_path: Path) -> None:
    view = make_view(qtbot, desk.container, desk.actor)
    view.select_form("summary")
    assert not view.student_box.isVisible() and not view.period_box.isVisible()
    asked = []
    file_dialogs.save_answer = lambda default: asked.append(default) or str(tmp_path / "总表")
    opened: list[QUrl] = []
    view.open_url = lambda url: opened.append(url) or True
    with qtbot.waitSignal(view.document_printed):
        qtbot.mouseClick(view.xlsx_button, Qt.MouseButton.LeftButton)
        answer_warnings(qtbot, view)
    assert asked[0].endswith(f"附件3_报名申请总表_{dt.date.today():%Y%m%d}.pdf")
    assert (tmp_path / "总表.pdf").is_file() and (tmp_path / "总表.xlsx").is_file()
    result = view.last_result
    text = view.result_label.text()
    assert result.doc_uuid.split("-")[0].upper() in text and f"{result.pages} 页" in text
    qtbot.mouseClick(view.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(tmp_path))]
    table = view.recent_table
    assert table.rowCount() == 1 and table.item(0, 0).text() == "附件3" and table.item(0, 3).text() == "admin"
    assert table.item(0, 4).text() == str(result.pages)
    assert all(table.item(0, c).toolTip() == table.item(0, c).text() for c in range(table.columnCount()))
    # A desk without a file manager: the folder cannot be opened, and the user is told where the file is.
    view.open_url = lambda url: False
    qtbot.mouseClick(view.folder_button, Qt.MouseButton.LeftButton)
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    assert "无法自动打开文件夹" in box.text() and str(tmp_path) in box.text()
    box.close()
    # Another form: the result of this one does not stay on the screen.
    view.select_form("publicity")
    assert not view.result_frame.isVisible()
    view.select_form("summary")
    assert not view.result_frame.isVisible()


def test_waiver_form_needs_a_student_found_by_search(qtbot, gui, file_dialogs, desk, tmp_path: Path) -> None:
    view = make_view(qtbot, desk.container, desk.actor)
    view.select_form("waiver_form")
    assert view.student_box.isVisible()
    assert not view.pdf_button.isEnabled()
    student = desk.by_status["waived"][0]
    view.student_search.setFocus()
    gui.type_text(view.student_search, student.id_number)
    assert view.student_list.count() == 1 and view.selected_student() == student.student_no
    assert view.pdf_button.isEnabled()
    view.student_search.clear()
    gui.type_text(view.student_search, student.name)
    assert view.student_list.count() >= 1
    file_dialogs.save_answer = lambda _proposed: str(tmp_path / "a1.pdf")
    with qtbot.waitSignal(view.document_printed):
        qtbot.mouseClick(view.pdf_button, Qt.MouseButton.LeftButton)
    assert view.last_result.label == "附件1" and (tmp_path / "a1.pdf").is_file()


def test_print_button_keeps_the_pdf_and_prints_it(qtbot, desk, tmp_path: Path) -> None:
    view = make_view(qtbot, desk.container, desk.actor)
    view.select_form("review_report")
    out = tmp_path / "printer-output.pdf"
    view.make_printer = lambda: pdf_printer(out)
    view.ask_print = lambda parent, printer, pages: True
    qtbot.mouseClick(view.print_button, Qt.MouseButton.LeftButton)
    answer_warnings(qtbot, view)
    qtbot.waitUntil(lambda: view.last_result is not None and view.print_job is None)
    kept = view.last_result.pdf
    assert kept.parent == Path(desk.container.data_dir) / "printed" and kept.is_file()
    assert raster.page_count(out) == view.last_result.pages
    assert "已送往打印机" in view.result_label.text()


def test_publicity_dates_are_saved_to_settings(qtbot, gui, desk) -> None:
    view = make_view(qtbot, desk.container, desk.actor)
    view.select_form("publicity")
    assert view.period_box.isVisible()
    assert view.start_edit.date() == dt.date(2026, 3, 10)
    end = view.end_edit.edit
    end.setFocus()
    end.selectAll()
    gui.type_text(end, "2026.3.20")  # typed the way people write dates, kept, not thrown away
    qtbot.keyClick(end, Qt.Key.Key_Return)
    assert desk.container.settings.get("publicity_end") == dt.date(2026, 3, 20)
    assert end.text() == "2026-03-20"
    start = view.start_edit.edit
    start.setFocus()
    start.selectAll()
    gui.type_text(start, "20260325")
    qtbot.keyClick(start, Qt.Key.Key_Return)
    assert view.period_error.isVisible() and "不能早于" in view.period_error.text()
    assert desk.container.settings.get("publicity_start") == dt.date(2026, 3, 10)
    # Something that is not a date says so and stays there to be corrected.
    start.selectAll()
    gui.type_text(start, "三月十号")
    qtbot.keyClick(start, Qt.Key.Key_Return)
    assert view.start_edit.error.isVisible() and "三月十号" in view.start_edit.error.text()
    assert start.text() == "三月十号"


def test_the_calendar_opens_at_today_and_picks_a_date(qtbot, desk) -> None:
    desk.container.settings.set(desk.actor, "publicity_start", None)
    desk.container.settings.set(desk.actor, "publicity_end", None)
    view = make_view(qtbot, desk.container, desk.actor)
    view.select_form("publicity")
    assert view.start_edit.date() is None and view.start_edit.edit.text() == ""
    calendar = view.start_edit.open_calendar()
    today = dt.date.today()
    assert calendar.selectedDate().toPython() == today
    qtbot.keyClick(calendar.focusWidget() or calendar, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.container.settings.get("publicity_start") == today)
    assert view.start_edit.edit.text() == today.isoformat()


def test_roles(qtbot, desk) -> None:
    counsellor = make_view(qtbot, desk.container, Actor("li", "李老师", "counsellor"))
    assert counsellor.current_form == "waiver_form"
    enabled = [counsellor.form_list.item(i).flags() & Qt.ItemFlag.ItemIsEnabled
               for i in range(counsellor.form_list.count())]
    assert [bool(e) for e in enabled] == [True, False, False, False, False]
    assert not counsellor.start_edit.isEnabled()
    supervisor = make_view(qtbot, desk.container, Actor("s", "纪检", "supervisor"))
    assert supervisor.role_note.isVisible() and "只能查看" in supervisor.role_note.text()
    assert not supervisor.pdf_button.isEnabled() and not supervisor.print_button.isEnabled()


def test_errors_are_shown(qtbot, gui, file_dialogs, desk, tmp_path: Path) -> None:
    view = make_view(qtbot, desk.container, desk.actor)
    view.select_form("summary")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    file_dialogs.save_answer = lambda _proposed: str(blocker / "sub" / "a.pdf")  # a folder that cannot exist
    qtbot.mouseClick(view.pdf_button, Qt.MouseButton.LeftButton)
    answer_warnings(qtbot, view)
    qtbot.waitUntil(lambda: bool(gui.message_boxes()))
    for box in gui.message_boxes():
        box.close()
    assert view.last_result is None


def test_publicity_warns_about_unsettled_candidates_before_printing(qtbot, file_dialogs, desk, tmp_path: Path) -> None:
    view = make_view(qtbot, desk.container, desk.actor)
    view.select_form("publicity")
    asked = []
    file_dialogs.save_answer = lambda _proposed: asked.append(1) or str(tmp_path / "pub.pdf")
    # Cancel: nothing is asked, nothing printed.
    qtbot.mouseClick(view.pdf_button, Qt.MouseButton.LeftButton)
    text = answer_warnings(qtbot, view, "printCancel")
    waiting = desk.by_status["roster"]
    assert f"{len(waiting)} 名考生尚未审核完（待审核），不会出现在公示名单中" in text
    assert waiting[0].name in text and "还没有运行过资格审查比对" in text
    assert asked == [] and view.last_result is None and not (tmp_path / "pub.pdf").exists()
    # Go on: the file is asked for and written.
    with qtbot.waitSignal(view.document_printed):
        qtbot.mouseClick(view.pdf_button, Qt.MouseButton.LeftButton)
        answer_warnings(qtbot, view)
    assert asked == [1] and view.last_result.form == "publicity" and (tmp_path / "pub.pdf").is_file()


def test_forms_that_do_not_list_who_is_eligible_print_without_asking(qtbot, file_dialogs, desk, tmp_path: Path) -> None:
    view = make_view(qtbot, desk.container, desk.actor)
    view.select_form("waiver_list")
    file_dialogs.save_answer = lambda _proposed: str(tmp_path / "a2.pdf")
    with qtbot.waitSignal(view.document_printed):
        qtbot.mouseClick(view.pdf_button, Qt.MouseButton.LeftButton)
    assert view.warning_box is None and (tmp_path / "a2.pdf").is_file()


def test_summary_for_one_class_and_waiver_forms_for_all(qtbot, file_dialogs, desk, tmp_path: Path) -> None:
    view = make_view(qtbot, desk.container, desk.actor)
    view.select_form("summary")
    assert view.class_box.isVisible() and not view.student_box.isVisible()
    qtbot.waitUntil(lambda: view.class_combo.count() > 1)
    klass = view.class_combo.itemText(1)
    view.class_combo.setCurrentIndex(1)
    file_dialogs.save_answer = lambda default: str(tmp_path / Path(default).name)
    with qtbot.waitSignal(view.document_printed):
        qtbot.mouseClick(view.pdf_button, Qt.MouseButton.LeftButton)
        answer_warnings(qtbot, view)
    assert f"（{klass}）" in view.last_result.title and view.last_result.pdf.name.startswith(f"附件3_报名申请总表_{klass}_")
    # 附件1 for everyone who waived, from the 附件1 page.
    view.select_form("waiver_form")
    waived = len(desk.by_status["waived"])
    button = view.all_waivers_button
    assert button.isVisible() and button.isEnabled() and f"（{waived} 人）" in button.text()
    file_dialogs.save_answer = lambda _proposed: str(tmp_path / "全部附件1.pdf")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.result_frame.isVisible() and "放弃报名的学生生成附件1" in view.result_label.text())
    assert (tmp_path / "全部附件1.pdf").is_file() and view.last_result.documents == waived


def test_publicity_dates_are_read_and_saved_off_the_gui_thread(qtbot, gui, desk, monkeypatch) -> None:
    """The 公示 dates wait, disabled, for a read on the runner; a date typed is saved there too."""
    import threading

    settings = desk.container.settings
    real_get, real_set_many = settings.get, settings.set_many
    threads: list[tuple[str, threading.Thread]] = []
    gate = threading.Event()

    def get(key, *a, **k):
        if key.startswith("publicity_"):
            threads.append(("get", threading.current_thread()))
            assert gate.wait(5)
        return real_get(key, *a, **k)

    def set_many(actor, values):
        threads.append(("set", threading.current_thread()))
        return real_set_many(actor, values)

    monkeypatch.setattr(settings, "get", get)
    monkeypatch.setattr(settings, "set_many", set_many)
    view = PrintView(desk.actor, TaskRunner(), candidates=desk.container.candidates, printing=desk.container.printing,
                     settings=settings, printed_dir=desk.container.printed_dir)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    view.select_form("publicity")
    assert not view.start_edit.isEnabled() and not view.end_edit.isEnabled()  # still reading
    gate.set()
    qtbot.waitUntil(lambda: view.start_edit.isEnabled(), timeout=5000)
    assert view.start_edit.date() == dt.date(2026, 3, 10)
    end = view.end_edit.edit
    end.setFocus()
    end.selectAll()
    gui.type_text(end, "2026-03-21")
    qtbot.keyClick(end, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: real_get("publicity_end") == dt.date(2026, 3, 21), timeout=5000)
    assert {kind for kind, _t in threads} == {"get", "set"}
    assert all(t is not threading.main_thread() for _k, t in threads)
