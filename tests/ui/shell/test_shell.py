"""The application shell, driven like a user: first-run set-up, login, the main window's areas by
role, user accounts, the demo start, error reporting, translations, and the program's own
``--self-test`` and ``--bench-startup``."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from app.auth import ROLES
from app.container import Container
from ui.audit.audit_view import AuditView
from ui.common import errors
from ui.common.i18n import app_qm, install_translations
from ui.common.tasks import TaskRunner
from ui.roster.roster_view import RosterView
from ui.shell.add_user_dialog import AddUserDialog
from ui.shell.login_dialog import LoginDialog
from ui.shell.main import data_dir_for, parse_args
from ui.shell.main_window import GEOMETRY_KEY, MainWindow
from ui.shell.setup_dialog import SetupDialog
from ui.shell.startup import Startup
from ui.shell.users_view import UsersView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def fresh(tmp_path: Path):
    """A new, empty install (no college yet)."""
    c = Container.open(tmp_path / "fresh")
    yield c
    c.close()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def fill_setup(gui, dlg: SetupDialog, **values: str) -> None:
    fields = {"college_code": "1001", "college_name": "信息工程学院", "desk_name": "学院办公室",
              "admin_username": "admin", "admin_name": "张老师", "password": "Secret123", "password2": "Secret123"}
    fields.update(values)
    edits = {"college_code": dlg.college_code, "college_name": dlg.college_name, "desk_name": dlg.desk_name,
             "admin_username": dlg.username, "admin_name": dlg.display_name, "password": dlg.password,
             "password2": dlg.password2}
    for key, text in fields.items():
        if text:
            gui.type_into(edits[key], text)


# -- first run ------------------------------------------------------------------------------

def test_setup_dialog_initialises_the_install_and_the_admin_can_log_in(qtbot, gui, fresh):
    dlg = SetupDialog(fresh.setup)
    qtbot.addWidget(dlg)
    gui.show_active(dlg)
    fill_setup(gui, dlg)
    with qtbot.waitSignal(dlg.installed, timeout=5000):
        gui.click(dlg.finish_button)
    assert dlg.result() == SetupDialog.DialogCode.Accepted
    info = fresh.setup.info()
    assert (info.college_code, info.college_name, info.desk_name) == ("1001", "信息工程学院", "学院办公室")
    assert dlg.admin_username == "admin"
    actor = fresh.setup.login("admin", "Secret123")
    assert actor.role == "admin" and actor.display_name == "张老师"


def test_setup_dialog_shows_a_weak_password_inline_and_changes_nothing(qtbot, gui, fresh):
    dlg = SetupDialog(fresh.setup)
    qtbot.addWidget(dlg)
    gui.show_active(dlg)
    fill_setup(gui, dlg, password="abc", password2="abc")
    gui.click(dlg.finish_button)
    error = dlg.boxes["password"].error
    assert error.isVisible() and "密码至少 8 位" in error.text()
    assert dlg.isVisible() and fresh.setup.info() is None
    # the message and the field both get their full height (nothing clipped)
    qtbot.waitUntil(lambda: error.height() >= error.sizeHint().height())
    assert dlg.password.height() >= dlg.password.sizeHint().height()
    # typing again clears the message
    qtbot.keyClicks(dlg.password, "x")
    assert not error.isVisible()


def test_setup_dialog_flags_mismatched_passwords_and_missing_fields(qtbot, gui, fresh):
    dlg = SetupDialog(fresh.setup)
    qtbot.addWidget(dlg)
    gui.show_active(dlg)
    fill_setup(gui, dlg, college_name="", password2="Secret124")
    assert dlg.boxes["password2"].error.text() == "两次输入的密码不一致。"  # live, while typing
    gui.click(dlg.finish_button)
    assert dlg.boxes["college_name"].error.text() == "请填写学院名称。"
    assert dlg.boxes["password2"].error.isVisible()
    assert dlg.college_name.hasFocus()
    assert fresh.setup.info() is None


def test_setup_dialog_shows_the_service_rule_under_its_field(qtbot, gui, fresh):
    dlg = SetupDialog(fresh.setup)
    qtbot.addWidget(dlg)
    gui.show_active(dlg)
    fill_setup(gui, dlg, college_code="10 01", admin_username="a")
    gui.click(dlg.finish_button)
    assert "学院代码" in dlg.boxes["college_code"].error.text()
    assert fresh.setup.info() is None


# -- login ----------------------------------------------------------------------------------

def test_login_with_a_wrong_password_shows_the_error_and_is_audited(qtbot, gui, container):
    dlg = LoginDialog(container.setup, container.setup.info())
    qtbot.addWidget(dlg)
    gui.show_active(dlg)
    qtbot.keyClicks(dlg.username, "admin")
    qtbot.keyClicks(dlg.password, "wrong-password1")
    QTest.keyClick(dlg.password, Qt.Key.Key_Return)
    assert dlg.error.isVisible() and dlg.error.text() == "用户名或密码不正确。"
    assert dlg.isVisible() and dlg.actor is None
    assert dlg.password.text() == "" and dlg.password.hasFocus()
    last = container.audit_log.entries(limit=1)[0]
    assert (last.action, last.actor) == ("user.login_failed", "admin")


def test_login_with_enter_logs_in(qtbot, gui, container):
    dlg = LoginDialog(container.setup, container.setup.info(), username="admin")
    qtbot.addWidget(dlg)
    gui.show_active(dlg)
    assert dlg.password.hasFocus()  # the username is known: straight to the password
    qtbot.keyClicks(dlg.password, "Passw0rd1")
    with qtbot.waitSignal(dlg.logged_in) as sig:
        QTest.keyClick(dlg.password, Qt.Key.Key_Return)
    assert sig.args[0].username == "admin" and sig.args[0].role == "admin"
    assert dlg.result() == LoginDialog.DialogCode.Accepted
    assert container.audit_log.entries(limit=1)[0].action == "user.login"


def test_enter_after_the_username_moves_to_the_password(qtbot, gui, container):
    dlg = LoginDialog(container.setup, container.setup.info())
    qtbot.addWidget(dlg)
    gui.show_active(dlg)
    assert dlg.username.hasFocus()
    before = container.audit_log.count()
    qtbot.keyClicks(dlg.username, "admin")
    QTest.keyClick(dlg.username, Qt.Key.Key_Return)
    assert dlg.password.hasFocus() and not dlg.error.isVisible()
    assert container.audit_log.count() == before  # no empty-password attempt was made
    qtbot.keyClicks(dlg.password, "Passw0rd1")
    with qtbot.waitSignal(dlg.logged_in):
        QTest.keyClick(dlg.password, Qt.Key.Key_Enter)


# -- main window ----------------------------------------------------------------------------

def nav_texts(w: MainWindow) -> list[str]:
    return [w.nav.item(i).text() for i in range(w.nav.count())]


def click_nav(qtbot, w: MainWindow, text: str) -> None:
    item = next(w.nav.item(i) for i in range(w.nav.count()) if w.nav.item(i).text() == text)
    qtbot.mouseClick(w.nav.viewport(), Qt.MouseButton.LeftButton, pos=w.nav.visualItemRect(item).center())


def test_admin_sees_roster_audit_and_users(qtbot, make_window, container, actor, settings, make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw(1))
    w = make_window(container, actor, settings)
    assert nav_texts(w) == ["考生名单", "现场确认", "审计记录", "资格审查", "打印与核验", "用户管理"]
    assert w.windowTitle() == "RegDesk 专升本报名工作台 — 信息工程学院"
    assert isinstance(w.stack.currentWidget(), RosterView)
    assert w.roster_view.model.total_count == 1

    click_nav(qtbot, w, "审计记录")
    assert isinstance(w.stack.currentWidget(), AuditView)
    assert w.audit_view.model.rowCount() == container.audit_log.count()

    click_nav(qtbot, w, "用户管理")
    assert isinstance(w.stack.currentWidget(), UsersView)
    assert w.users_view.table.item(0, 0).text() == "admin"


def test_counsellor_does_not_see_user_accounts(qtbot, make_window, container, actor, settings):
    container.setup.create_user(actor, "fdy01", "李红", "counsellor", "Passw0rd9")
    counsellor = container.setup.login("fdy01", "Passw0rd9")
    w = make_window(container, counsellor, settings)
    assert nav_texts(w) == ["考生名单", "现场确认", "审计记录", "打印与核验"]
    texts = [lbl.text() for lbl in w.statusBar().findChildren(QLabel)]
    assert "用户：李红（fdy01） · 辅导员" in texts


def test_status_bar_names_the_desk_and_the_backup_and_a_real_install_is_never_a_demo(make_window,
        qtbot, container, actor, settings, tmp_path):
    container.backup_made = tmp_path / "backups" / "regdesk-old.sqlite"
    w = make_window(container, actor, settings)
    texts = [lbl.text() for lbl in w.statusBar().findChildren(QLabel)]
    assert "学院：1001 信息工程学院" in texts and "报名点：一号桌" in texts
    assert "演示模式" not in texts and "演示模式" not in w.windowTitle()
    assert w.statusBar().findChild(QLabel, "demoMarker") is None
    assert str(container.backup_made) in w.statusBar().currentMessage()


def test_a_demo_install_says_so_however_it_was_started(qtbot, qapp, tmp_path, settings):
    """The marker follows the install's mark: a demo folder opened without --demo still shows it."""
    demo = Container.open(tmp_path / "demo")
    quit_setting = qapp.quitOnLastWindowClosed()
    try:
        demo.setup.initialise("1001", "信息工程学院", "演示报名点", admin_username="admin",
                              admin_password="Demo1234", demo=True)
        startup = Startup(qapp, demo, TaskRunner(synchronous=True), demo=False, bench=False,
                          settings=settings, exit_app=lambda code: pytest.fail(f"quit with {code}"))
        startup.start()
        login = startup.dialog
        assert isinstance(login, LoginDialog) and login.findChild(QLabel, "demoNote") is not None
        QTest.keyClick(login.password, Qt.Key.Key_Return)
        w = startup.window
        qtbot.addWidget(w)
        marker = w.statusBar().findChild(QLabel, "demoMarker")
        assert marker is not None and marker.text() == "演示模式" and "演示模式" in w.windowTitle()
        assert str(demo.data_dir) in marker.toolTip()
        assert demo.candidates.count() == 0  # without --demo nothing is generated
    finally:
        qapp.setQuitOnLastWindowClosed(quit_setting)
        demo.close()


def test_keyboard_switches_areas(qtbot, make_window, container, actor, settings):
    w = make_window(container, actor, settings)
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w)
    QTest.keyClick(w, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(w.stack.currentWidget(), AuditView)
    QTest.keyClick(w, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(w.stack.currentWidget(), RosterView)


def test_about_names_version_data_and_log_folders(qtbot, gui, make_window, container, actor, settings, tmp_path, monkeypatch):
    monkeypatch.setattr(errors, "_log_file", tmp_path / "logs" / "regdesk.log")
    w = make_window(container, actor, settings)
    w.about_action.trigger()
    box = w.findChild(QMessageBox)
    assert box is not None and box.isVisible()
    assert str(container.data_dir) in box.text() and str(tmp_path / "logs") in box.text()
    assert "版本：" in box.text()
    gui.click(box.button(QMessageBox.StandardButton.Ok))


def test_window_geometry_is_remembered(qtbot, make_window, container, actor, settings):
    w = make_window(container, actor, settings)
    assert settings.value(GEOMETRY_KEY) is None
    w.close()
    assert settings.value(GEOMETRY_KEY) is not None


# -- users ----------------------------------------------------------------------------------

def test_admin_adds_a_user_who_can_then_log_in(qtbot, gui, container, actor):
    view = UsersView(container.setup, actor)
    qtbot.addWidget(view)
    gui.show_active(view)
    gui.click(view.add_button)
    dlg = view.findChild(AddUserDialog)
    assert dlg is not None and dlg.isVisible()
    qtbot.keyClicks(dlg.username, "jjjc")
    gui.ime_type(dlg.display_name, "王监察")
    dlg.role.setFocus()
    dlg.role.setCurrentIndex(dlg.role.findText(ROLES["supervisor"]))
    qtbot.keyClicks(dlg.password, "Watch1234")
    qtbot.keyClicks(dlg.password2, "Watch1234")
    with qtbot.waitSignal(view.user_created):
        gui.click(dlg.ok_button)
    rows = {view.table.item(r, 0).text(): view.table.item(r, 2).text() for r in range(view.table.rowCount())}
    assert rows == {"admin": "系统管理员", "jjjc": "纪检监察"}
    assert container.setup.login("jjjc", "Watch1234").role == "supervisor"


def test_adding_an_existing_username_is_refused_inline(qtbot, gui, container, actor):
    dlg = AddUserDialog(container.setup, actor)
    qtbot.addWidget(dlg)
    gui.show_active(dlg)
    qtbot.keyClicks(dlg.username, "admin")
    qtbot.keyClicks(dlg.password, "Another123")
    qtbot.keyClicks(dlg.password2, "Another123")
    gui.click(dlg.ok_button)
    assert "已存在" in dlg.boxes["username"].error.text()
    assert dlg.isVisible()


# -- the whole start-up, demo mode ----------------------------------------------------------

def test_demo_start_generates_data_prefills_login_and_shows_the_roster(qtbot, qapp, tmp_path, settings):
    container = Container.open(tmp_path / "demo")
    quit_setting = qapp.quitOnLastWindowClosed()
    try:
        startup = Startup(qapp, container, TaskRunner(synchronous=True), demo=True, bench=False,
                          settings=settings, exit_app=lambda code: pytest.fail(f"quit with {code}"))
        startup.start()
        dlg = startup.dialog
        assert isinstance(dlg, LoginDialog) and dlg.isVisible()
        assert (dlg.username.text(), dlg.password.text()) == ("admin", "Demo1234")
        note = dlg.findChild(QLabel, "demoNote")
        assert note is not None and "admin" in note.text() and "Demo1234" in note.text()
        QTest.keyClick(dlg.password, Qt.Key.Key_Return)
        w = startup.window
        assert isinstance(w, MainWindow)
        qtbot.addWidget(w)
        assert w.isVisible() and "演示模式" in w.windowTitle()
        assert w.roster_view.model.total_count == container.candidates.count() >= 500
        assert nav_texts(w) == ["考生名单", "现场确认", "审计记录", "资格审查", "打印与核验", "用户管理"]
        # The review screen has findings at once: the sample lists are in and the review has run.
        click_nav(qtbot, w, "资格审查")
        review = w.review_view
        qtbot.waitUntil(lambda: review.model.rowCount() == container.candidates.count())
        flagged = [review.model.index(r, 4).data() for r in range(review.model.rowCount())]
        assert 8 <= sum(1 for text in flagged if text != "—") <= 40
        assert w.statusBar().findChild(QLabel, "demoMarker") is not None
    finally:
        qapp.setQuitOnLastWindowClosed(quit_setting)
        container.close()


def test_demo_start_on_a_real_install_shows_the_refusal_and_changes_nothing(qtbot, gui, qapp, container, settings):
    """Even handed a real install (past the folder check), the start-up refuses to put demo data in."""
    quit_setting = qapp.quitOnLastWindowClosed()
    codes: list[int] = []
    before = container.candidates.count(), container.settings.get("camera_driver")
    try:
        startup = Startup(qapp, container, TaskRunner(synchronous=True), demo=True, bench=False,
                          settings=settings, exit_app=codes.append)
        startup.start()
        box = next(b for b in gui.message_boxes())
        assert "正式使用" in box.text()
        gui.click(box.button(QMessageBox.StandardButton.Ok) or box.buttons()[0])
        assert codes == [1] and startup.window is None
        assert (container.candidates.count(), container.settings.get("camera_driver")) == before
    finally:
        qapp.setQuitOnLastWindowClosed(quit_setting)


def test_regdesk_demo_on_a_real_folder_refuses_with_a_message_box(qtbot, gui, qapp, tmp_path, _initialised_db_file):
    """``regdesk --demo --data REAL``: a message box says what to do; the folder is left as it was."""
    import hashlib
    import shutil

    from PySide6.QtCore import QTimer

    from app.paths import DB_FILE
    from ui.shell.main import main

    real = tmp_path / "real"
    real.mkdir()
    shutil.copyfile(_initialised_db_file, real / DB_FILE)

    def snapshot() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in real.iterdir()}

    before = snapshot()
    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.windowTitle() + "\n" + box.text())
        gui.click(box.buttons()[0])

    QTimer.singleShot(0, answer)
    assert main(["--demo", "--data", str(real)]) == 1
    assert seen and "演示模式不能使用这个文件夹" in seen[0]
    assert "正式使用" in seen[0] and "去掉 --demo" in seen[0] and "新的空文件夹" in seen[0]
    assert snapshot() == before  # no log, no backup, the database byte for byte


def test_first_run_without_demo_opens_the_setup_then_the_login(qtbot, gui, qapp, fresh, settings):
    quit_setting = qapp.quitOnLastWindowClosed()
    codes: list[int] = []
    try:
        startup = Startup(qapp, fresh, TaskRunner(synchronous=True), demo=False, bench=False, settings=settings,
                          exit_app=codes.append)
        startup.start()
        dlg = startup.dialog
        assert isinstance(dlg, SetupDialog)
        qtbot.addWidget(dlg)
        fill_setup(gui, dlg)
        gui.click(dlg.finish_button)
        login = startup.dialog
        assert isinstance(login, LoginDialog) and login.isVisible()
        qtbot.addWidget(login)
        assert login.username.text() == "admin" and codes == []
        # Cancelling the login ends the program normally.
        gui.click(login.buttons.button(login.buttons.StandardButton.Cancel))
        assert codes == [0] and startup.exit_code == 0 and startup.window is None
    finally:
        qapp.setQuitOnLastWindowClosed(quit_setting)


def test_demo_uses_its_own_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("REGDESK_DATA", str(tmp_path / "real"))
    assert data_dir_for(parse_args(["--demo"])[0]) == tmp_path / "real" / "demo"
    assert data_dir_for(parse_args([])[0]) == tmp_path / "real"
    assert data_dir_for(parse_args(["--demo", "--data", str(tmp_path / "x")])[0]) == tmp_path / "x"
    args, qt_args = parse_args(["--data", "d", "-platform", "offscreen"])
    assert args.data == "d" and qt_args == ["-platform", "offscreen"]


# -- errors ---------------------------------------------------------------------------------

def test_uncaught_exceptions_are_logged_and_shown_once_with_the_log_path(qtbot, gui, monkeypatch, tmp_path, caplog):
    import threading

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(errors, "_log_file", tmp_path / "logs" / "regdesk.log")
    errors.install_excepthook()
    for _ in range(2):
        try:
            raise ZeroDivisionError("division by zero in a slot")
        except ZeroDivisionError:
            sys.excepthook(*sys.exc_info())
    boxes = gui.message_boxes()
    try:
        assert len(boxes) == 1
        assert boxes[0].text() == f"发生意外错误，详情已写入日志：{tmp_path / 'logs' / 'regdesk.log'}"
        assert caplog.text.count("ZeroDivisionError: division by zero in a slot") == 2
        assert "Traceback" in caplog.text
    finally:
        for box in boxes:
            box.close()


def test_show_error_shows_an_app_errors_message_as_it_is(qtbot):
    from app.errors import Cancelled, ValidationError

    box = errors.show_error(None, ValidationError("第 57 行 D 列（身份证号码）：校验位错误"))
    try:
        assert box.text() == "第 57 行 D 列（身份证号码）：校验位错误"
        assert box.icon() == QMessageBox.Icon.Warning
    finally:
        box.close()
    assert errors.show_error(None, Cancelled()) is None


# -- translations ---------------------------------------------------------------------------

def test_qt_standard_buttons_read_chinese(qapp):
    result = install_translations(qapp, "zh_CN")
    try:
        assert result.language == "zh_CN"
        assert any(p.name == "qtbase_zh_CN.qm" for p in result.files)
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
        assert QCoreApplication.translate("QPlatformTheme", "OK") == "确定"
    finally:
        for tr in result.translators:
            qapp.removeTranslator(tr)


def test_the_file_dialog_reads_chinese_where_qts_catalogue_falls_short(qapp):
    from PySide6.QtWidgets import QFileDialog, QLabel

    result = install_translations(qapp, "zh_CN")
    try:
        assert any(p.name == "qt_supplement_zh_CN.qm" for p in result.files)
        dialog = QFileDialog(None, "选择名单文件")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        assert dialog.findChild(QLabel, "lookInLabel").text() == "查找范围(&L)："
        assert dialog.findChild(QLabel, "fileTypeLabel").text() == "文件类型(&T)："
        assert QCoreApplication.translate("QAbstractFileIconProvider", "Folder") == "文件夹"
        dialog.deleteLater()
    finally:
        for tr in result.translators:
            qapp.removeTranslator(tr)


def test_dates_from_qts_system_locale_read_chinese_on_an_english_machine(tmp_path):
    from ui.common.i18n import prefer_chinese_system_locale

    env = {"LANG": "C.UTF-8", "LC_ALL": "en_US.UTF-8"}
    assert prefer_chinese_system_locale(None, env)
    assert env == {"LANG": "C.UTF-8", "LC_TIME": "zh_CN.UTF-8", "LC_NUMERIC": "zh_CN.UTF-8"}
    assert not prefer_chinese_system_locale(None, {"LANG": "zh_CN.UTF-8"})
    assert not prefer_chinese_system_locale("en", {"LANG": "C.UTF-8"})
    # In a real process: what the file dialog's date column uses.
    code = ("from ui.common.i18n import prefer_chinese_system_locale; prefer_chinese_system_locale();"
            "from PySide6.QtCore import QCoreApplication, QDate, QLocale; app = QCoreApplication([]);"
            "print(QLocale.system().toString(QDate(2026, 12, 7), QLocale.FormatType.ShortFormat))")
    env = dict(_env(tmp_path), LANG="C.UTF-8", LC_ALL="C.UTF-8")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.stdout.strip() == "2026/12/7", proc.stderr


def test_a_language_without_our_catalogue_stays_chinese(qapp, tmp_path):
    result = install_translations(qapp, "de_DE", directory=tmp_path)
    try:
        assert result.language == "zh_CN"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    finally:
        for tr in result.translators:
            qapp.removeTranslator(tr)
    (tmp_path / "regdesk_en.qm").write_bytes(b"")
    assert app_qm("en_US", tmp_path) == tmp_path / "regdesk_en.qm"


# -- the program itself ---------------------------------------------------------------------

def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"),
               REGDESK_DATA=str(tmp_path / "default-data"))
    env.pop("PYTHONPATH", None)
    return env


def test_self_test_exits_0(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "ui.shell.main", "--self-test"], cwd=ROOT, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "self-test ok" in proc.stdout
    assert not (tmp_path / "default-data").exists()  # it used a scratch folder


def test_self_test_fails_on_a_database_it_cannot_open(tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "regdesk.sqlite").write_bytes(b"this is not a database" * 100)
    proc = subprocess.run([sys.executable, "-m", "ui.shell.main", "--self-test", "--data", str(bad)], cwd=ROOT,
                          env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "self-test failed" in proc.stderr


def test_bench_startup_prints_startup_ms(tmp_path, container):
    data = container.data_dir
    proc = subprocess.run([sys.executable, "-m", "ui.shell.main", "--data", str(data), "--bench-startup"], cwd=ROOT,
                          env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("startup_ms=")]
    assert len(lines) == 1 and int(lines[0].split("=", 1)[1]) > 0
    log_text = (data / "logs" / "regdesk.log").read_text(encoding="utf-8")
    assert "bench-startup" in log_text


def test_logging_goes_to_a_rotating_file(tmp_path):
    from logging.handlers import RotatingFileHandler

    from ui.shell.main import setup_logging

    root = logging.getLogger()
    before = list(root.handlers)
    path = setup_logging(tmp_path / "logs")
    try:
        assert path == tmp_path / "logs" / "regdesk.log"
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1 and isinstance(added[0], RotatingFileHandler)
        logging.getLogger("ui.test").warning("写入日志")
        added[0].flush()
        assert "写入日志" in path.read_text(encoding="utf-8")
    finally:
        for h in root.handlers[:]:
            if h not in before:
                root.removeHandler(h)
                h.close()
