"""Logged in as each role, the window offers what app.auth allows and nothing else; what it does not
offer, the service refuses when it is tried directly."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QPushButton

from app.errors import PermissionDenied
from ui.common.tasks import TaskRunner
from ui.shell.add_user_dialog import AddUserDialog
from ui.shell.main_window import MainWindow
from ui.shell.office_dialog import OfficeDialog
from ui.shell.users_view import UsersView

PASSWORD = "Passw0rd9"
USERS = {  # username -> (role, office)
    "jbr": ("secretary", ""),
    "fdy": ("counsellor", ""),
    "jwc": ("reviewer", "academic"),
    "xsc": ("reviewer", "conduct"),
    "zsb": ("central", ""),
    "jjjc": ("supervisor", ""),
}
# README.md “角色 / Roles” as the window shows it: pages, roster toolbar, review page.
PAGES = {
    "admin": ["roster", "station", "audit", "review", "documents", "users"],
    "jbr": ["roster", "station", "audit", "review", "documents"],
    "fdy": ["roster", "station", "audit", "documents"],
    "jwc": ["roster", "audit", "review", "documents"],
    "xsc": ["roster", "audit", "review", "documents"],
    "zsb": ["roster", "audit", "documents"],
    "jjjc": ["roster", "audit", "review", "documents"],
}
ROSTER_ACTIONS = {
    "admin": {"导入名单", "新增考生", "导出名单", "下载导入模板", "刷新"},
    "jbr": {"导入名单", "新增考生", "导出名单", "下载导入模板", "刷新"},
    "fdy": {"刷新"},
    "jwc": {"刷新"},
    "xsc": {"刷新"},
    "zsb": {"刷新"},
    "jjjc": {"刷新"},
}
# (run the comparison, import lists, the offices in the decision form, approve-clean offices)
REVIEW = {
    "admin": (True, True, ["教务处", "学生处", "二级学院"], ["三个部门（教务处、学生处、二级学院）", "教务处", "学生处", "二级学院"]),
    "jbr": (True, True, ["二级学院"], ["二级学院"]),
    "jwc": (True, True, ["教务处"], ["教务处"]),
    "xsc": (True, True, ["学生处"], ["学生处"]),
    "jjjc": (False, False, [], None),
}


@pytest.fixture
def desk(container, actor, make_candidate_raw):
    for n in range(2):
        container.candidates.create(actor, make_candidate_raw(n))
    for username, (role, office) in USERS.items():
        container.setup.create_user(actor, username, username, role, PASSWORD, office)
    return container


def _log_in(container, username: str):
    return container.setup.login(username, "Passw0rd1" if username == "admin" else PASSWORD)


def _window(qtbot, container, user, tmp_path: Path) -> MainWindow:
    settings = QSettings(str(tmp_path / "qt.ini"), QSettings.Format.IniFormat)
    w = MainWindow(container, user, TaskRunner(synchronous=True), settings=settings)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    return w


@pytest.mark.parametrize("username", list(PAGES))
def test_each_role_sees_what_it_may_use(qtbot, desk, tmp_path, username):
    user = _log_in(desk, username)
    w = _window(qtbot, desk, user, tmp_path)
    assert w.page_keys == PAGES[username]
    assert (w.device_settings_action is not None) is (username in ("admin", "jbr"))

    roster = w.roster_view
    shown = {a.text() for a in roster.toolbar.actions() if a.isVisible() and not a.isSeparator()}
    assert shown == ROSTER_ACTIONS[username]
    assert roster.acceptDrops() is ("导入名单" in shown)
    roster.table.setFocus()
    qtbot.keyClick(roster.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert (roster.wizard is not None) is ("导入名单" in shown)
    if roster.wizard is not None:
        roster.wizard.reject()
    qtbot.keyClick(roster.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert (roster.editor is not None) is ("新增考生" in shown)

    if "review" in PAGES[username]:
        view = w.show_page("review")
        qtbot.waitUntil(lambda: view.model.rowCount() == 2)
        run, import_lists, offices, approve = REVIEW[username]
        assert (view.run_action in view.toolbar.actions()) is run
        assert view.import_button.isHidden() is not import_lists
        assert [view.office_combo.itemText(i) for i in range(view.office_combo.count())] == offices
        assert view.decide_box.isHidden() is not bool(offices)
        assert (view.approve_action in view.toolbar.actions()) is (approve is not None)
        if approve is not None:
            view._on_approve_triggered()  # as the toolbar button does
            dialog = view.dialog
            qtbot.waitExposed(dialog)
            assert [dialog.office_combo.itemText(i) for i in range(dialog.office_combo.count())] == approve
            dialog.reject()


def test_refused_through_the_service_when_the_window_hides_it(qtbot, desk, tmp_path, make_candidate_raw):
    """The counsellor sees no 导出名单; asking the service directly is refused and writes no file."""
    counsellor = _log_in(desk, "fdy")
    w = _window(qtbot, desk, counsellor, tmp_path)
    assert w.roster_view.export_action not in w.roster_view.toolbar.actions()
    out = tmp_path / "名单.xlsx"
    with pytest.raises(PermissionDenied, match="“辅导员”角色不能导出完整名单"):
        desk.roster.export(counsellor, out)
    assert not out.exists()
    reviewer = _log_in(desk, "jwc")
    with pytest.raises(PermissionDenied, match="只能填写教务处的审核意见"):
        desk.review.decide(reviewer, make_candidate_raw(0)["student_no"], "conduct", True)
    assert desk.review.get(make_candidate_raw(0)["student_no"]).decisions == {}


def test_a_reviewer_without_an_office_is_told_why_there_is_no_form(qtbot, desk, tmp_path):
    from sqlalchemy import text

    with desk.db.transaction() as s:  # a reviewer from before offices, as the upgrade may leave one
        s.execute(text("UPDATE users SET office = '' WHERE username = 'jwc'"))
    w = _window(qtbot, desk, _log_in(desk, "jwc"), tmp_path)
    view = w.show_page("review")
    qtbot.waitUntil(lambda: view.model.rowCount() == 2)
    assert view.decide_box.isHidden() and view.approve_action not in view.toolbar.actions()
    assert not view.no_office_note.isHidden()
    assert "还没有设置所属部门" in view.no_office_note.text()


def _click(qtbot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_the_administrator_gives_a_reviewer_an_office(qtbot, desk, actor):
    view = UsersView(desk.setup, actor)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    _click(qtbot, view.add_button)
    dlg = view.findChild(AddUserDialog)
    assert dlg.office.isHidden()  # a counsellor (the default role) has no office
    qtbot.keyClicks(dlg.username, "jwc02")
    dlg.role.setCurrentIndex(dlg.role.findData("reviewer"))
    assert not dlg.office.isHidden()
    dlg.office.setCurrentIndex(dlg.office.findText("学生处"))
    qtbot.keyClicks(dlg.password, PASSWORD)
    qtbot.keyClicks(dlg.password2, PASSWORD)
    with qtbot.waitSignal(view.user_created):
        _click(qtbot, dlg.ok_button)
    assert desk.setup.login("jwc02", PASSWORD).office == "conduct"

    rows = [view.table.item(r, 0).text() for r in range(view.table.rowCount())]
    view.table.selectRow(rows.index("fdy"))
    assert not view.office_button.isEnabled()  # a counsellor has no office
    view.table.selectRow(rows.index("jwc"))
    assert view.office_button.isEnabled()
    _click(qtbot, view.office_button)
    office = view.findChild(OfficeDialog)
    qtbot.waitExposed(office)
    office.office.setCurrentIndex(office.office.findText("学生处"))
    _click(qtbot, office.ok_button)
    qtbot.waitUntil(lambda: view.table.item(rows.index("jwc"), 2).text() == "审核人（学生处）")
    assert desk.setup.login("jwc", PASSWORD).office == "conduct"
    assert QApplication.activeModalWidget() is None


def test_the_audit_trail_names_offices_as_people_do():
    from ui.audit.audit_view import field_label, show_value

    assert (field_label("user", "office"), show_value("office", "conduct")) == ("所属部门", "学生处")
    assert show_value("office", "college") == "二级学院"
