"""Look at a screen as a user sees it: the demo college in the real main window, one PNG per shot.

Run under a virtual screen of the desk's size (the screens must read well at 1366×768):

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshot.py OUT_DIR \
        [--data DIR] [--user admin] [--page roster] [--candidate KEY] [--todo] [--search TEXT [--enter]] \
        [--gallery KEY] [--key F8] [--panel] [--scene id_front|id_back|id_front_glare|page] \
        [--place-card [--chip name]] [--keys F2,Space] [--verify-camera]

The shot is of the whole screen (``QScreen.grabWindow(0)``), dialogs included. ``--candidate``
opens that candidate in the editor on the chosen page (the roster) or loads them at the station;
``--todo`` ticks the roster's “只看待补信息”; ``--search`` types TEXT into the page's search box
(key presses, as a user) and ``--enter`` then presses Enter (the station offers its matches).
``--panel`` opens 模拟设备 (the demo's device controls; the station opens it by itself in a demo),
``--scene`` puts that in front of the mock camera, ``--place-card`` puts the chosen student's card
on the mock reader (``--chip`` makes it disagree: name, ethnicity, expired), ``--keys`` presses
those keys at the page one after another, ``--verify-camera`` opens 打印与核验's camera check.
``--width``/``--height`` give the window a size instead of maximising it (the review toolbar at
1024 wide); ``--do CODE`` runs Python last, with ``app``, ``window``, ``page``, ``container`` and
``QTest`` in scope, to open what no option opens (a dialog, a wizard page, a tab):

    --do "window._on_device_settings_triggered()"
A developer's tool: nothing here is part of the app.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--data", type=Path, default=Path("/tmp/regdesk-shots"))
    p.add_argument("--user", default="admin")
    p.add_argument("--page", default="roster")
    p.add_argument("--candidate", default="")
    p.add_argument("--todo", action="store_true")
    p.add_argument("--gallery", default="", help="open this candidate's captured materials (roster)")
    p.add_argument("--key", default="", help="a key to press on the page after loading (e.g. F8)")
    p.add_argument("--search", default="", help="text to type into the page's search box (ASCII)")
    p.add_argument("--enter", action="store_true", help="press Enter in the search box after --search")
    p.add_argument("--name", default="", help="file name without .png (default: the page)")
    p.add_argument("--panel", action="store_true")
    p.add_argument("--scene", default="")
    p.add_argument("--place-card", action="store_true")
    p.add_argument("--chip", default="same")
    p.add_argument("--keys", default="")
    p.add_argument("--verify-camera", action="store_true")
    p.add_argument("--width", type=int, default=0, help="window width instead of maximised")
    p.add_argument("--height", type=int, default=0, help="window height (with --width)")
    p.add_argument("--do", default="", help="Python to run after the rest (app, window, page, container, QTest)")
    args = p.parse_args()

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from app.container import Container
    from app.demo.service import DEMO_PASSWORD
    from ui.common.fonts import setup_fonts
    from ui.common.i18n import install_translations
    from ui.common.tasks import TaskRunner
    from ui.shell.main_window import MainWindow

    app = QApplication(sys.argv[:1])
    setup_fonts(app)
    install_translations(app)
    container = Container.open(args.data)
    if container.demo.needs_setup():
        container.demo.setup_demo_install()
    actor = container.setup.login(args.user, DEMO_PASSWORD)
    runner = TaskRunner(synchronous=True)
    window = MainWindow(container, actor, runner)
    if args.width:
        window.resize(args.width, args.height or 740)
        window.move(0, 0)
        window.show()
    else:
        window.resize(1366, 768)
        window.showMaximized()
    page = window.show_page(args.page)
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"{args.name or args.page}.png"

    def act() -> None:
        if args.todo and hasattr(page, "todo_check"):
            page.todo_check.setChecked(True)
        if args.candidate:
            if hasattr(page, "open_editor"):
                uuid = container.candidates.get(args.candidate).uuid
                page.open_editor(uuid)
            elif hasattr(page, "search"):
                page.search.setText(args.candidate)
                page._on_search_return_pressed()
        if args.gallery and hasattr(page, "open_gallery"):
            page.open_gallery(container.candidates.get(args.gallery).uuid)
        if args.key:
            from PySide6.QtGui import QKeySequence

            sequence = QKeySequence(args.key)[0]
            QTest.keyClick(app.focusWidget() or page, sequence.key(), sequence.keyboardModifiers())
        if args.search and hasattr(page, "search"):
            page.search.setFocus()
            QTest.keyClicks(page.search, args.search)
            if args.enter:
                QTest.keyClick(page.search, Qt.Key.Key_Return)
        panel = window.demo_panel
        if args.panel or args.scene or args.place_card:
            panel = window.show_demo_panel()
        if args.place_card:
            panel.chip_combo.setCurrentIndex(panel.chip_combo.findData(args.chip))
            panel.place_button.click()
        if args.scene:
            panel.choose_scene(args.scene)
        delay = 1500 if args.scene else 800
        window.activateWindow()  # Xvfb has no window manager to do it; shortcuts need an active window

        def press(key: str) -> None:
            target = QApplication.focusWidget()
            if target is None or not page.isAncestorOf(target):
                target = page.focusWidget() or page  # the keys are meant for the page, as a user's are
                target.setFocus()
            QTest.keyClick(target, getattr(Qt.Key, f"Key_{key}"))

        for i, key in enumerate(k for k in args.keys.split(",") if k):
            QTimer.singleShot(delay + 700 * i, lambda key=key: press(key))
        delay += 700 * len([k for k in args.keys.split(",") if k])
        if args.verify_camera:
            verify = page.verify_view
            page.setCurrentWidget(verify)
            # exec() blocks: the click is queued, and the shot is taken from inside the dialog's loop.
            QTimer.singleShot(delay, verify.camera_button.click)
            delay += 2500
        if args.do:
            exec(args.do, {"app": app, "window": window, "page": page, "container": container, "QTest": QTest,
                           "Qt": Qt})
        QTimer.singleShot(delay, shoot)

    def shoot() -> None:
        screen = app.primaryScreen()
        screen.grabWindow(0).save(str(target))
        print(target)
        app.quit()

    QTimer.singleShot(800, act)
    code = app.exec()
    container.close()
    return code


if __name__ == "__main__":
    raise SystemExit(main())
