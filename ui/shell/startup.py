"""From a started program to the main window: the demo made when asked, first-run set-up or login,
then the window; one event loop throughout."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication

from ui.shell.main import DEMO_PASSWORD, DEMO_USERNAME, mark, milestones, process_age_ms, say

log = logging.getLogger("ui.shell.main")  # one log name for the whole start-up


class Startup:
    """First run or login, then the main window; one event loop throughout (no nested exec)."""

    def __init__(self, app, container, runner, *, demo: bool, bench: bool, font_message: str = "",
                 settings=None, exit_app=None, adopt_demo: bool = False) -> None:
        self.app, self.container, self.runner = app, container, runner
        # Ends the event loop with a code; tests pass their own so the shared QApplication lives on.
        self.exit_app = exit_app or app.exit
        self.settings = settings  # QSettings for the main window; None: the user's own
        self.demo, self.bench = demo, bench
        # An older version's demo folder (found by ``check_demo_folder``) is marked when set up.
        self.adopt_demo = adopt_demo
        self.font_message = font_message
        self.window = None
        self.dialog = None
        self.exit_code: int | None = None
        # Between the dialogs and the main window no window is open; quitting is explicit.
        app.setQuitOnLastWindowClosed(False)

    def start(self) -> None:
        if self.font_message and not self.bench:
            from ui.common.errors import show_info

            show_info(None, QCoreApplication.translate("Main", "缺少中文字体"), self.font_message)
        info = self.container.setup.info()
        if self.bench:
            if info is None:
                say("数据库尚未初始化：请用 --data 指向已设置好的数据文件夹，或先运行 regdesk --demo。", err=True)
                self._quit(1)
                return
            from app.auth import cli_actor

            self._open_main(cli_actor())
            return
        if self.demo and self.container.demo.needs_setup():
            self._make_demo()
        elif info is None:
            self._open_setup()
        else:
            self._open_login()

    def _quit(self, code: int) -> None:
        self.exit_code = code
        self.exit_app(code)

    def _make_demo(self) -> None:
        from ui.common.errors import show_error
        from ui.common.tasks import run_with_progress

        demo, adopt = self.container.demo, self.adopt_demo

        def work(progress, cancel):
            return demo.setup_demo_install(adopt=adopt, progress=progress, cancel=cancel)

        def failed(exc: BaseException) -> None:
            box = show_error(None, exc, QCoreApplication.translate("Main", "无法生成演示数据"))
            if box is None:  # cancelled by the user: nothing to explain
                self._quit(0)
            else:
                box.finished.connect(lambda _r: self._quit(1))

        run_with_progress(self.runner, None, QCoreApplication.translate("Main", "正在生成演示数据…"), work,
                          on_success=lambda _result: self._open_login(), on_error=failed)

    def _open_setup(self) -> None:
        from ui.shell.setup_dialog import SetupDialog

        dialog = SetupDialog(self.container.setup)
        dialog.accepted.connect(lambda: self._open_login(username=dialog.admin_username))
        dialog.rejected.connect(lambda: self._quit(0))
        self.dialog = dialog
        dialog.open()

    def _open_login(self, username: str = "") -> None:
        from ui.shell.login_dialog import LoginDialog

        info = self.container.setup.info()
        if info is not None and info.demo:  # the mark, not the flag: a demo folder opened without --demo too
            dialog = LoginDialog(self.container.setup, info, username=DEMO_USERNAME, password=DEMO_PASSWORD,
                                 demo=True)
        else:
            dialog = LoginDialog(self.container.setup, info, username=username)
        dialog.accepted.connect(lambda: self._open_main(dialog.actor))
        dialog.rejected.connect(lambda: self._quit(0))
        self.dialog = dialog
        dialog.open()

    def _open_main(self, actor) -> None:
        try:
            from ui.shell.main_window import MainWindow

            self.window = MainWindow(self.container, actor, self.runner, settings=self.settings)
        except Exception as exc:
            # No window is open at this point: say what happened, then end rather than linger unseen.
            if self.bench:
                log.exception("cannot build the main window")
                say(f"startup failed: {type(exc).__name__}: {exc}", err=True)
                self._quit(1)
                return
            from ui.common.errors import show_error

            box = show_error(None, exc, QCoreApplication.translate("Main", "RegDesk 无法启动"))
            if box is None:
                self._quit(1)
            else:
                box.finished.connect(lambda _r: self._quit(1))
            return
        if self.bench:
            self.window.roster_view.model.visible_count_changed.connect(self._on_bench_roster_loaded)
        self.window.show_initial()
        mark("window")
        self.app.setQuitOnLastWindowClosed(True)
        log.info("main window shown after %.0f ms (user %s)", process_age_ms(), actor.username)

    def _on_bench_roster_loaded(self, _visible: int, total: int) -> None:
        from PySide6.QtCore import QTimer

        self.window.roster_view.model.visible_count_changed.disconnect(self._on_bench_roster_loaded)

        def report() -> None:
            ms = process_age_ms()
            mark("roster")
            log.info("bench-startup: %.0f ms, %d candidates; milestones: %s", ms, total,
                     ", ".join(f"{name} {at:.0f}" for name, at in milestones()))
            say(f"startup_ms={ms:.0f}")
            self._quit(0)

        # One more turn of the event loop so the loaded rows are painted before the clock stops.
        QTimer.singleShot(0, report)
