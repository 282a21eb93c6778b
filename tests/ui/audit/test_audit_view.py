"""The audit view, used like a supervisor would: read, search, compare, verify the chain."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from app.audit.service import ACTION_LABELS
from ui.audit.audit_view import AuditView
from ui.common.formatting import local_time
from ui.common.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def view(qtbot, container, actor, make_candidate_raw):
    raw = make_candidate_raw(1)
    container.candidates.create(actor, raw)
    container.candidates.update(actor, raw["student_no"], {**raw, "phone": "13912345678"})
    v = AuditView(container.audit_log, TaskRunner(synchronous=True))
    qtbot.addWidget(v)
    v.resize(1200, 700)
    v.show()
    return v


def _cell(view: AuditView, row: int, col: int) -> str:
    return view.model.index(row, col).data()


def _click_row(qtbot, view: AuditView, row: int) -> None:
    rect = view.table.visualRect(view.model.index(row, 1))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _db_path(container):
    return str(container.db.sqlite_path)


def test_lists_events_newest_first_with_labels_and_local_time(view, container):
    entries = container.audit_log.entries()
    # setup, create admin, login, candidate create, candidate update
    assert view.model.rowCount() == len(entries) >= 5
    assert _cell(view, 0, 3) == ACTION_LABELS["candidate.update"]
    assert _cell(view, 1, 3) == ACTION_LABELS["candidate.create"]
    assert _cell(view, 0, 1) == "admin"
    assert _cell(view, 0, 2) == "一号桌"
    assert _cell(view, 0, 0) == local_time(entries[0].at)
    assert view.count_label.text() == f"共 {len(entries)} 条"


def test_search_filters_by_action_label_and_summary(qtbot, gui, view):
    view.search.setFocus()
    gui.ime_type(view.search, "登录")
    qtbot.waitUntil(lambda: view.count_label.text() == "找到 1 条", timeout=3000)
    assert view.model.rowCount() == 1 and _cell(view, 0, 3) == "登录"
    QTest.keyClick(view.search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    gui.ime_type(view.search, "联系电话")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1 and _cell(view, 0, 3) == "修改考生信息", timeout=3000)
    assert view.search.text() == "联系电话"
    QTest.keyClick(view.search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    gui.ime_type(view.search, "没有这种记录")
    qtbot.waitUntil(lambda: view.count_label.text() == "找到 0 条", timeout=3000)
    assert view.model.rowCount() == 0


def test_detail_compares_before_and_after_with_chinese_labels(qtbot, view):
    _click_row(qtbot, view, 0)  # the phone change
    detail = view.detail
    rows = {detail.item(r, 0).text(): (detail.item(r, 1).text(), detail.item(r, 2).text())
            for r in range(detail.rowCount())}
    assert rows == {"联系电话": ("13800000001", "13912345678")}
    assert "修改考生信息" in view.detail_title.text()
    assert detail.item(0, 2).font().bold()

    _click_row(qtbot, view, 1)  # the creation: no "before"
    rows = {detail.item(r, 0).text(): (detail.item(r, 1).text(), detail.item(r, 2).text())
            for r in range(detail.rowCount())}
    assert rows["姓名"][0] == "—" and rows["姓名"][1]
    assert rows["身份证号"][1]
    labels = [detail.item(r, 0).text() for r in range(detail.rowCount())]
    assert labels.index("学号") < labels.index("姓名") < labels.index("身份证号")


def test_verify_reports_an_intact_chain(qtbot, view, container):
    with qtbot.waitSignal(view.verified, timeout=5000) as sig:
        qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    assert sig.args[0].ok
    n = container.audit_log.count()
    assert view.result.isVisible()
    assert view.result.text() == f"审计链完整：共 {n} 条记录"


def test_verify_finds_an_altered_event(qtbot, view):
    con = sqlite3.connect(_db_path(view.audit_log))
    con.execute("DROP TRIGGER audit_events_no_update")
    con.execute("UPDATE audit_events SET summary = '什么也没改' WHERE seq = 4")
    con.commit()
    con.close()
    with qtbot.waitSignal(view.verified, timeout=5000) as sig:
        qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    assert not sig.args[0].ok
    text = view.result.text()
    assert text.startswith("审计链被破坏")
    assert "第 4 条记录的内容被改动" in text
    assert "c0392b" in view.result.styleSheet()


def test_verify_finds_a_removed_event(qtbot, view):
    con = sqlite3.connect(_db_path(view.audit_log))
    con.execute("DROP TRIGGER audit_events_no_delete")
    con.execute("DELETE FROM audit_events WHERE seq = 3")
    con.commit()
    con.close()
    qtbot.mouseClick(view.refresh_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.verified, timeout=5000):
        qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    assert "第 2 条之后缺少第 3 条。" in view.result.text()


def test_long_trails_load_a_page_at_a_time(qtbot, container, actor, make_candidate_raw):
    for _ in range(12):
        container.candidates.create(actor, make_candidate_raw())
    total = container.audit_log.count()
    v = AuditView(container.audit_log, TaskRunner(synchronous=True), page_size=5)
    qtbot.addWidget(v)
    v.resize(900, 400)
    v.show()
    assert v.model.rowCount() < total
    v.table.setFocus()
    _click_row(qtbot, v, 0)
    for _ in range(total):
        QTest.keyClick(v.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: v.model.rowCount() == total, timeout=5000)
    seqs = [e.seq for e in v.model.entries]
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == total


def test_ctrl_f_focuses_the_search(qtbot, view):
    view.table.setFocus()
    QTest.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(view.search.hasFocus, timeout=2000)


def test_deep_check_names_a_row_changed_without_an_event(qtbot, view, container):
    con = sqlite3.connect(_db_path(view.audit_log))
    with con:
        con.execute("UPDATE candidates SET class_name = '别的班'")
    con.close()
    with qtbot.waitSignal(view.verified, timeout=5000):
        qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    assert view.result.text().startswith("审计链完整")  # the chain alone cannot see it
    with qtbot.waitSignal(view.verified, timeout=5000) as sig:
        qtbot.mouseClick(view.deep_button, Qt.MouseButton.LeftButton)
    check = sig.args[0]
    assert check.deep and not check.ok and len(check.differences) == 1
    lines = view.result.text().splitlines()
    assert lines[0] == f"审计链本身完整：共 {check.count} 条记录"
    assert lines[1] == "数据库中有 1 处数据与审计记录不符（没有记录的修改）："
    assert lines[2].startswith("• 考生 ") and "的班级：审计记录为“" in lines[2] and lines[2].endswith("数据库中为“别的班”。")
    assert "c0392b" in view.result.styleSheet()
    assert view.deep_button.isEnabled() and not view.cancel_button.isVisible()


def test_deep_check_of_an_untouched_desk(qtbot, view, container):
    with qtbot.waitSignal(view.verified, timeout=5000):
        qtbot.mouseClick(view.deep_button, Qt.MouseButton.LeftButton)
    n = container.audit_log.count()
    assert view.result.text() == f"审计链完整：共 {n} 条记录；数据库中的数据与审计记录逐条一致"
    assert "1e7b34" in view.result.styleSheet()


class _SlowAuditLog:
    """The real read side, except that the check reports progress and then waits to be cancelled."""

    def __init__(self, real) -> None:
        self.real = real
        self.waiting = threading.Event()

    def __getattr__(self, name):
        return getattr(self.real, name)

    def verify(self, *, deep=False, progress=None, cancel=None):
        progress(5, 10, "正在核对考生：第 5 名（共 10 名）…")
        self.waiting.set()
        while not cancel.cancelled:
            time.sleep(0.01)
        cancel.raise_if_cancelled()


def test_a_running_check_shows_its_progress_and_can_be_cancelled(qtbot, container, actor):
    slow = _SlowAuditLog(container.audit_log)
    runner = TaskRunner()
    v = AuditView(slow, runner)
    qtbot.addWidget(v)
    v.resize(1200, 700)
    v.show()
    qtbot.mouseClick(v.deep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: v.result.text() == "正在核对考生：第 5 名（共 10 名）…（50%）", timeout=5000)
    assert not v.deep_button.isEnabled() and not v.verify_button.isEnabled() and v.cancel_button.isVisible()
    qtbot.mouseClick(v.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: v.result.text() == "核对已取消。", timeout=5000)
    assert v.deep_button.isEnabled() and not v.cancel_button.isVisible()
    runner.wait(5000)


def test_verify_names_the_other_desks_broken_chain(qtbot, view, container, tmp_path):
    """Another desk's events received into this database: its chain is checked too and, when it
    breaks, named in the result, with one line per chain."""
    from app.audit.service import chain_events, receive_chain_events
    from app.container import Container

    other = Container.open(tmp_path / "other")
    try:
        b_uuid = other.setup.initialise("2002", "机电工程学院", "二号桌", admin_username="admin",
                                        admin_password="Passw0rd1").desk_uuid
        with other.db.read() as s:
            events = chain_events(s, b_uuid)
    finally:
        other.close()
    with container.db.transaction() as s:
        receive_chain_events(s, events)
    con = sqlite3.connect(_db_path(view.audit_log))
    con.execute("DROP TRIGGER audit_events_no_update")
    con.execute("UPDATE audit_events SET summary = '什么也没改' WHERE chain = ? AND chain_seq = 2", (b_uuid,))
    con.commit()
    con.close()
    with qtbot.waitSignal(view.verified, timeout=5000) as sig:
        qtbot.mouseClick(view.verify_button, Qt.MouseButton.LeftButton)
    assert not sig.args[0].ok
    lines = view.result.text().split("\n")
    assert lines[0] == f"审计链被破坏（共 {container.audit_log.count()} 条记录，发现 1 处问题）："
    assert lines[1].startswith(f"• 报名点 {b_uuid}的审计链：第 2 条记录的内容被改动")
    local = sig.args[0].chains[0].count
    assert lines[2:4] == [f"本报名点的审计链：{local} 条，完整", f"报名点 {b_uuid}的审计链：{len(events)} 条，1 处问题"]


class _GatedAuditLog:
    """The real read side, except that each read of the trail waits until the test lets it go."""

    def __init__(self, real) -> None:
        self.real = real
        self.gate = threading.Event()
        self.reads: list[str | None] = []
        self.threads: set[str] = set()

    def __getattr__(self, name):
        return getattr(self.real, name)

    def count(self, *, text=None):
        self.threads.add(threading.current_thread().name)
        self.reads.append(text)
        assert self.gate.wait(5)
        return self.real.count(text=text)

    def entries(self, *, limit=200, offset=0, text=None):
        self.threads.add(threading.current_thread().name)
        return self.real.entries(limit=limit, offset=offset, text=text)


def test_the_trail_is_read_off_the_gui_thread_with_a_loading_state(qtbot, container, actor, make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw(1))
    gated = _GatedAuditLog(container.audit_log)
    runner = TaskRunner()
    v = AuditView(gated, runner)
    qtbot.addWidget(v)
    v.resize(1200, 700)
    v.show()
    # The view is up and says it is reading while the database has not answered yet.
    qtbot.waitUntil(lambda: gated.reads == [None], timeout=5000)
    assert v.count_label.text() == "正在读取…" and v.loading and v.model.rowCount() == 0
    gated.gate.set()
    total = container.audit_log.count()
    qtbot.waitUntil(lambda: v.count_label.text() == f"共 {total} 条", timeout=5000)
    assert v.model.rowCount() == total and not v.loading
    assert threading.current_thread().name not in gated.threads
    runner.wait(5000)


def test_an_older_search_answering_late_is_dropped(qtbot, gui, container, actor, make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw(1))
    gated = _GatedAuditLog(container.audit_log)
    gated.gate.set()
    runner = TaskRunner()
    v = AuditView(gated, runner)
    qtbot.addWidget(v)
    v.resize(1200, 700)
    v.show()
    total = container.audit_log.count()
    qtbot.waitUntil(lambda: v.count_label.text() == f"共 {total} 条", timeout=5000)
    shown: list[str] = []  # the first row's action each time the table is filled
    v.model.modelReset.connect(lambda: shown.append(_cell(v, 0, 3) if v.model.rowCount() else ""))
    gated.gate.clear()
    v.search.setFocus()
    gui.ime_type(v.search, "登录")
    QTest.keyClick(v.search, Qt.Key.Key_Return)  # searches at once: this read waits at the gate
    qtbot.waitUntil(lambda: gated.reads[-1:] == ["登录"], timeout=5000)
    assert v.count_label.text() == "正在读取…"
    QTest.keyClick(v.search, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    gui.ime_type(v.search, "新增考生")
    QTest.keyClick(v.search, Qt.Key.Key_Return)  # the user moved on before the first answer came
    gated.gate.set()
    qtbot.waitUntil(lambda: v.count_label.text() == "找到 1 条" and not v.loading, timeout=5000)
    runner.wait(5000)
    qtbot.wait(50)  # any late delivery of the older read would land now
    assert v.model.rowCount() == 1 and _cell(v, 0, 3) == ACTION_LABELS["candidate.create"]
    assert v.count_label.text() == "找到 1 条"
    assert "登录" not in shown  # the older search's rows were never shown
