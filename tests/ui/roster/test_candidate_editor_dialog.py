"""The candidate editor, driven like a user: typing, shortcuts, the history tab, read-only mode."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QComboBox, QGroupBox, QLabel, QLineEdit, QMessageBox, QTreeWidget

from app.domain import idnumber
from ui.common.tasks import TaskRunner
from ui.roster.candidate_editor_dialog import CandidateEditorDialog

# The offscreen platform warns about size hints it cannot pass on; nothing to act on.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def stored(container, actor, make_candidate_raw):
    return container.candidates.create(actor, make_candidate_raw(7))


def open_editor(qtbot, container, actor, key, runner) -> CandidateEditorDialog:
    dialog = CandidateEditorDialog(actor, key, runner, candidates=container.candidates, capture=container.capture)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    qtbot.waitUntil(lambda: not dialog.loading)  # the record is read on the task runner
    return dialog


def field(dialog, key: str) -> QLineEdit:
    return dialog.findChild(QLineEdit, f"field_{key}")


def error(dialog, key: str) -> QLabel:
    return dialog.findChild(QLabel, f"error_{key}")


def retype(gui, edit: QLineEdit, text: str) -> None:
    edit.setFocus()
    gui.qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    gui.qtbot.keyClick(edit, Qt.Key.Key_Delete)
    gui.type_text(edit, text)


def test_bad_id_number_shows_inline_error_and_blocks_save(qtbot, gui, container, actor, stored, runner):
    dialog = open_editor(qtbot, container, actor, stored.uuid, runner)
    assert dialog.save_button.isEnabled()
    good = stored.data.id_number
    bad = good[:17] + ("0" if good[17] != "0" else "1")

    retype(gui, field(dialog, "id_number"), bad)
    qtbot.waitUntil(lambda: error(dialog, "id_number").isVisible())
    assert "校验位" in error(dialog, "id_number").text()
    assert not dialog.save_button.isEnabled()
    # Ctrl+S with a problem saves nothing.
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.isVisible()
    assert container.candidates.get(stored.uuid).revision == stored.revision

    retype(gui, field(dialog, "id_number"), good)
    qtbot.waitUntil(lambda: not error(dialog, "id_number").isVisible())
    qtbot.waitUntil(dialog.save_button.isEnabled)
    hint = dialog.findChild(QLabel, "idHint").text()
    assert stored.data.birth_date.isoformat() in hint and stored.data.gender in hint


def test_save_updates_database_and_history_lists_the_change(qtbot, gui, container, actor, stored, runner):
    dialog = open_editor(qtbot, container, actor, stored.uuid, runner)
    old_phone = stored.data.phone
    retype(gui, field(dialog, "phone"), "13912345678")
    qtbot.waitUntil(dialog.save_button.isEnabled)
    with qtbot.waitSignal(dialog.candidate_saved, timeout=2000) as saved:
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert saved.args == [stored.uuid]
    assert not dialog.isVisible()
    after = container.candidates.get(stored.uuid)
    assert after.data.phone == "13912345678"
    assert after.revision == stored.revision + 1

    again = open_editor(qtbot, container, actor, stored.uuid, runner)
    tree = again.findChild(QTreeWidget, "historyTree")
    assert again.tabs.tabText(1).startswith("修改记录")
    newest = tree.topLevelItem(0)
    assert newest.text(2) == "修改考生信息"
    assert newest.text(1).startswith("admin")
    changes = [newest.child(i).text(2) for i in range(newest.childCount())]
    assert changes == [f"联系电话：{old_phone} → 13912345678"]
    # The creation is listed too, oldest last.
    assert tree.topLevelItem(tree.topLevelItemCount() - 1).text(2).startswith("新增考生")


def test_read_only_for_supervisor(qtbot, gui, container, actor, stored, runner):
    container.setup.create_user(actor, "jjjc", "纪检监察员", "supervisor", "Passw0rd9")
    supervisor = container.setup.login("jjjc", "Passw0rd9")
    dialog = open_editor(qtbot, container, supervisor, stored.uuid, runner)
    assert dialog.save_button is None
    assert "只读" in dialog.header.text()
    name = field(dialog, "name")
    assert name.isReadOnly()
    gui.type_text(name, "改x")
    assert name.text() == stored.data.name
    assert not dialog.findChild(QComboBox, "field_category").isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert container.candidates.get(stored.uuid).revision == stored.revision
    # Esc closes at once: nothing to discard.
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_new_candidate(qtbot, gui, container, actor, runner):
    dialog = open_editor(qtbot, container, actor, None, runner)
    assert not dialog.tabs.isTabEnabled(1)
    assert not dialog.save_button.isEnabled()  # name and ID number are required
    # Nothing typed yet: no red errors, only what is still needed.
    assert not error(dialog, "name").isVisible() and not error(dialog, "id_number").isVisible()
    status = dialog.findChild(QLabel, "editorStatus")
    assert status.text() == "还需填写：姓名、身份证号。" and "c62828" not in status.styleSheet()
    qtbot.keyClicks(field(dialog, "id_number"), "4101")
    qtbot.waitUntil(lambda: error(dialog, "id_number").isVisible())
    assert not error(dialog, "name").isVisible()
    field(dialog, "id_number").clear()
    number = idnumber.make("410102", dt.date(2003, 5, 6), 21)
    gui.type_text(field(dialog, "name"), "欧阳 娜娜")
    qtbot.keyClicks(field(dialog, "id_number"), number)
    qtbot.keyClicks(field(dialog, "student_no"), "2023999001")
    qtbot.waitUntil(dialog.save_button.isEnabled)
    assert "男" in dialog.findChild(QLabel, "idHint").text()
    with qtbot.waitSignal(dialog.candidate_saved, timeout=2000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    created = container.candidates.get("2023999001")
    assert created.data.name == "欧阳娜娜"
    assert created.data.gender == "男"
    assert created.data.birth_date.isoformat() == "2003-05-06"


def test_duplicate_student_number_is_shown_next_to_the_field(qtbot, gui, container, actor, stored,
                                                             make_candidate_raw, runner):
    other = container.candidates.create(actor, make_candidate_raw(8))
    dialog = open_editor(qtbot, container, actor, other.uuid, runner)
    retype(gui, field(dialog, "student_no"), stored.data.student_no)
    qtbot.waitUntil(dialog.save_button.isEnabled)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert error(dialog, "student_no").isVisible()
    assert stored.data.name in error(dialog, "student_no").text()
    assert not dialog.save_button.isEnabled()


def test_veteran_section_appears_with_its_category(qtbot, container, actor, stored, runner):
    dialog = open_editor(qtbot, container, actor, stored.uuid, runner)
    veteran_box = next(b for b in dialog.findChildren(QGroupBox) if b.title() == "退役士兵")
    assert not veteran_box.isVisible()
    category = dialog.findChild(QComboBox, "field_category")
    category.setFocus()
    while category.currentText() != "退役大学生士兵":
        qtbot.keyClick(category, Qt.Key.Key_Down)
    assert veteran_box.isVisible()
    # Missing service dates are a to-do (shown, amber), not a problem: saving stays possible.
    qtbot.waitUntil(lambda: error(dialog, "veteran_service_start").isVisible())
    assert "补填入伍时间" in error(dialog, "veteran_service_start").text()
    assert "c62828" not in error(dialog, "veteran_service_start").styleSheet()
    status = dialog.findChild(QLabel, "editorStatus")
    assert status.isVisible() and "待补信息：入伍时间、退役时间" in status.text()
    qtbot.waitUntil(dialog.save_button.isEnabled)
    qtbot.keyClicks(field(dialog, "veteran_service_start"), "2021-09-01")
    qtbot.keyClicks(field(dialog, "veteran_service_end"), "2023-09-01")
    qtbot.waitUntil(lambda: not error(dialog, "veteran_service_end").isVisible())
    assert not status.isVisible()
    qtbot.waitUntil(dialog.save_button.isEnabled)
    with qtbot.waitSignal(dialog.candidate_saved, timeout=2000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = container.candidates.get(stored.uuid).data
    assert saved.category == "退役大学生士兵"
    assert saved.veteran_service_end.isoformat() == "2023-09-01"


def test_escape_asks_before_discarding(qtbot, gui, container, actor, stored, runner):
    dialog = open_editor(qtbot, container, actor, stored.uuid, runner)
    retype(gui, field(dialog, "phone"), "13900000000")
    qtbot.keyClick(field(dialog, "phone"), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: gui.message_box("discardBox") is not None)
    gui.click_box_button(gui.message_box("discardBox"), "继续编辑")
    assert dialog.isVisible()
    assert field(dialog, "phone").text() == "13900000000"

    qtbot.keyClick(field(dialog, "phone"), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: gui.message_box("discardBox") is not None)
    gui.click_box_button(gui.message_box("discardBox"), "放弃修改")
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert container.candidates.get(stored.uuid).data.phone == stored.data.phone


def test_conflict_offers_reload(qtbot, gui, container, actor, stored, make_candidate_raw, runner):
    dialog = open_editor(qtbot, container, actor, stored.uuid, runner)
    # Someone at another desk saves first.
    container.candidates.update(actor, stored.uuid, make_candidate_raw(7, phone="13711112222"))
    retype(gui, field(dialog, "note"), "本人已确认")
    qtbot.waitUntil(dialog.save_button.isEnabled)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gui.message_box("conflictBox") is not None)
    box = gui.message_box("conflictBox")
    assert "已被其他人修改" in box.text()
    gui.click_box_button(box, "重新载入")
    assert field(dialog, "phone").text() == "13711112222"
    assert field(dialog, "note").text() == ""
    assert container.candidates.get(stored.uuid).data.note == ""


def lock(container, uuid: str) -> None:
    """Signed at the table meanwhile (the sign-off comes later: written straight to the row here)."""
    from sqlalchemy import select

    from db.models import Candidate

    with container.db.transaction() as s:
        s.scalar(select(Candidate).where(Candidate.uuid == uuid)).status = "locked"


def test_saving_a_record_locked_meanwhile_is_refused_with_the_reason(qtbot, gui, container, actor, stored, runner):
    dialog = open_editor(qtbot, container, actor, stored.uuid, runner)
    lock(container, stored.uuid)
    locked = container.candidates.get(stored.uuid)
    retype(gui, field(dialog, "phone"), "13912345678")
    qtbot.waitUntil(dialog.save_button.isEnabled)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gui.message_box("errorBox") is not None)
    reason = f"{stored.data.name}已签字确认，报名信息已锁定，不能再修改报名信息。"
    box = gui.message_box("errorBox")
    assert box.text() == reason
    assert gui.message_box("conflictBox") is None  # not “someone else changed it”: reloading cannot help
    assert dialog.status_label.isVisible() and dialog.status_label.text() == reason
    assert not dialog.save_button.isEnabled()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    retype(gui, field(dialog, "note"), "再试一次")
    qtbot.wait(50)
    assert not dialog.save_button.isEnabled()
    after = container.candidates.get(stored.uuid)
    assert (after.data, after.revision) == (stored.data, locked.revision)
    assert [e.action for e in container.candidates.history(stored.uuid)] == ["candidate.create"]


def test_a_locked_record_opens_read_only_and_says_why(qtbot, gui, container, actor, stored, runner):
    lock(container, stored.uuid)
    locked = container.candidates.get(stored.uuid)
    dialog = open_editor(qtbot, container, actor, stored.uuid, runner)
    assert dialog.save_button is None
    assert f"只读：{stored.data.name}已签字确认，报名信息已锁定" in dialog.header.text()
    assert "状态：已锁定" in dialog.header.text()
    phone = field(dialog, "phone")
    assert phone.isReadOnly()
    gui.type_text(phone, "9")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert container.candidates.get(stored.uuid).revision == locked.revision


def test_save_while_another_writer_holds_the_database_waits_and_says_so(qtbot, gui, container, actor, stored):
    import sqlite3
    import threading
    import time

    runner = TaskRunner()  # a real thread pool: the window must stay alive while the save waits
    dialog = open_editor(qtbot, container, actor, stored.uuid, runner)
    retype(gui, field(dialog, "phone"), "13911112222")
    qtbot.waitUntil(dialog.save_button.isEnabled)
    locked = threading.Event()

    def import_elsewhere() -> None:  # e.g. a roster import from the command line
        con = sqlite3.connect(container.db.sqlite_path, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(2.5)
        con.execute("COMMIT")
        con.close()

    holder = threading.Thread(target=import_elsewhere)
    holder.start()
    assert locked.wait(5)
    status = dialog.findChild(QLabel, "editorStatus")
    with qtbot.waitSignal(dialog.candidate_saved, timeout=15000):
        qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: "正在等待" in status.text(), timeout=5000)
        dialog.reject()  # Esc while saving does not drop the save
        assert dialog.isVisible()
    holder.join()
    runner.wait(5000)
    assert container.candidates.get(stored.uuid).data.phone == "13911112222"


def test_the_record_and_its_history_are_read_off_the_gui_thread_and_the_form_waits(
        qtbot, gui, container, actor, stored, monkeypatch):
    import threading

    service = container.candidates
    threads: dict[str, threading.Thread] = {}
    release = threading.Event()
    real_get, real_history = service.get, service.history

    def get(key):
        threads["get"] = threading.current_thread()
        assert release.wait(5)
        return real_get(key)

    def history(key):
        threads["history"] = threading.current_thread()
        return real_history(key)

    monkeypatch.setattr(service, "get", get)
    monkeypatch.setattr(service, "history", history)
    runner = TaskRunner()  # a real thread pool
    dialog = CandidateEditorDialog(actor, stored.uuid, runner, candidates=service, capture=container.capture)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.focus_field("phone")  # as the station asks for the missing field: honoured once read
    # Still reading: the header says so and the form takes no typing; Ctrl+S saves nothing.
    assert dialog.loading
    assert dialog.header.text() == "正在读取考生信息…"
    phone = field(dialog, "phone")
    assert phone.isReadOnly()
    assert not dialog.findChild(QComboBox, "field_category").isEnabled()
    assert not dialog.save_button.isEnabled()
    assert not dialog.tabs.isTabEnabled(1)
    qtbot.keyClicks(phone, "9")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    release.set()
    qtbot.waitUntil(lambda: not dialog.loading, timeout=5000)
    runner.wait(5000)
    assert threads["get"] is not threading.main_thread()
    assert threads["history"] is not threading.main_thread()
    assert phone.text() == stored.data.phone and not phone.isReadOnly()
    assert dialog.findChild(QComboBox, "field_category").isEnabled()
    assert dialog.tabs.isTabEnabled(1) and dialog.tabs.tabText(1) == "修改记录 (1)"
    assert stored.data.name in dialog.header.text()
    assert dialog.save_button.isEnabled()
    assert dialog.focusWidget() is phone
    assert service.get(stored.uuid).revision == stored.revision


def test_a_record_gone_before_the_read_closes_the_editor_with_the_reason(qtbot, gui, container, actor, stored):
    runner = TaskRunner()
    dialog = CandidateEditorDialog(actor, "no-such-candidate", runner, candidates=container.candidates,
                                   capture=container.capture)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitUntil(lambda: gui.message_box("errorBox") is not None, timeout=5000)
    runner.wait(5000)
    assert not dialog.isVisible()
