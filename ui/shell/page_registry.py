"""The main window's pages, in navigation order: a new page is one ``Page`` entry in ``PAGES``.

Each entry has its key, its label and tip (translated in the ``MainWindow`` context), the
permission that shows it (an ``app.auth`` permission; ``None``: everyone) and the factory that builds its view from the
window: the factory hands the view the services it uses, not the whole container. Pages other
than the roster are built the first time they are opened, which keeps start-up short;
``on_shown`` refreshes a page that was already built when it is shown again.

Whether a role sees a page is one call, ``may_open(actor, permission)``, over ``app.auth``'s
table of roles and permissions: the table the services check themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QWidget

from app.auth import Actor, allowed

if TYPE_CHECKING:
    from ui.shell.main_window import MainWindow


def may_open(actor: Actor, permission: str | None) -> bool:
    """Whether ``actor`` may see a page that needs ``permission`` (None: anyone logged in).

    资格审查 is shown to 纪检监察 read-only, as to those who review (the view hides what a role may
    not do); 现场确认 to those who may capture; 用户管理 to administrators (README “角色 / Roles”)."""
    return permission is None or allowed(actor.role, permission)


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    tip: str
    permission: str | None
    factory: Callable[[MainWindow], QWidget]
    lazy: bool = True  # built when first opened
    on_shown: Callable[[QWidget], None] | None = None  # shown again after it was built


def _roster(window: MainWindow) -> QWidget:
    from ui.roster.roster_view import RosterView

    c = window.container
    view = RosterView(window.actor, window.runner, window, candidates=c.candidates, capture=c.capture, roster=c.roster,
                      waivers=c.waivers, settings=c.settings, printing=c.printing, printed_dir=c.printed_dir)
    view.retake_requested.connect(window.retake)
    return view


def _station(window: MainWindow) -> QWidget:
    from ui.station.station_view import StationView

    c = window.container
    view = StationView(window.actor, window.runner, window, capture=c.capture, candidates=c.candidates,
                       settings=c.settings, devices=c.devices)
    window.station_built(view)
    return view


def _audit(window: MainWindow) -> QWidget:
    from ui.audit.audit_view import AuditView

    return AuditView(window.container.audit_log, window.runner, window)


def _review(window: MainWindow) -> QWidget:
    from ui.review.review_view import ReviewView

    c = window.container
    return ReviewView(window.actor, window.runner, window, review=c.review, reference=c.reference, waivers=c.waivers,
                      settings=c.settings, printing=c.printing, printed_dir=c.printed_dir)


def _documents(window: MainWindow) -> QWidget:
    from ui.documents.documents_view import DocumentsView

    c = window.container
    return DocumentsView(window.actor, window.runner, window, candidates=c.candidates, printing=c.printing,
                         settings=c.settings, printed_dir=c.printed_dir, devices=c.devices)


def _users(window: MainWindow) -> QWidget:
    from ui.shell.users_view import UsersView

    return UsersView(window.container.setup, window.actor, window)


PAGES: tuple[Page, ...] = (
    Page("roster", QT_TRANSLATE_NOOP("MainWindow", "考生名单"), QT_TRANSLATE_NOOP("MainWindow", "查找、导入、修改考生信息"),
         "roster.view", _roster, lazy=False),
    Page("station", QT_TRANSLATE_NOOP("MainWindow", "现场确认"),
         QT_TRANSLATE_NOOP("MainWindow", "逐个考生拍照、拍身份证、采集指纹和证明材料"), "capture.take", _station),
    Page("audit", QT_TRANSLATE_NOOP("MainWindow", "审计记录"), QT_TRANSLATE_NOOP("MainWindow", "谁在何时改了什么，并校验审计链"),
         "audit.read", _audit, on_shown=lambda view: view.refresh()),  # events may have been added since
    Page("review", QT_TRANSLATE_NOOP("MainWindow", "资格审查"),
         QT_TRANSLATE_NOOP("MainWindow", "导入学籍、处分名单和专业对照表，比对并填写各部门审核意见，登记放弃报名"),
         "review.view", _review, on_shown=lambda view: view.reload()),  # the roster may have changed
    Page("documents", QT_TRANSLATE_NOOP("MainWindow", "打印与核验"),
         QT_TRANSLATE_NOOP("MainWindow", "打印附件1–4 和公示名单，核对纸质件与电子数据是否一致"), "documents.view",
         _documents),
    Page("users", QT_TRANSLATE_NOOP("MainWindow", "用户管理"), QT_TRANSLATE_NOOP("MainWindow", "本机用户账号"),
         "users.manage", _users),
)


def pages_for(actor: Actor) -> list[Page]:
    """The pages ``actor`` sees, in navigation order."""
    return [p for p in PAGES if may_open(actor, p.permission)]
