"""TaskRunner: work runs off the GUI thread; results, errors and progress arrive on it; cancel stops work."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget
from shiboken6 import isValid

from app.errors import Cancelled, ValidationError
from ui.common.tasks import TaskRunner, run_with_progress


@pytest.fixture
def runner(qtbot):
    r = TaskRunner()
    yield r
    r.cancel_all()
    assert r.wait(5000)


def test_threaded_success_runs_off_the_gui_thread_and_delivers_on_it(qtbot, runner):
    seen = {}

    def work(progress, cancel):
        seen["worker"] = threading.current_thread()
        progress(1, 2, "一半")
        return 42

    def ok(result):
        seen["result"] = result
        seen["callback"] = threading.current_thread()

    progress_calls = []
    handle = runner.run(work, on_success=ok,
                        on_progress=lambda d, t, m: progress_calls.append((d, t, m, threading.current_thread())))
    qtbot.waitUntil(lambda: handle.done, timeout=5000)
    assert seen["result"] == 42 and handle.result == 42 and handle.error is None
    assert seen["worker"] is not threading.main_thread()
    assert seen["callback"] is threading.main_thread()
    assert progress_calls and progress_calls[0][:3] == (1, 2, "一半")
    assert progress_calls[0][3] is threading.main_thread()
    assert not runner.busy


def test_errors_are_delivered_on_the_gui_thread(qtbot, runner):
    got = {}

    def work(progress, cancel):
        raise ValidationError("身份证号校验位错误", "id_number")

    def err(exc):
        got["exc"], got["thread"] = exc, threading.current_thread()

    handle = runner.run(work, on_success=lambda r: got.setdefault("ok", r), on_error=err)
    qtbot.waitUntil(lambda: handle.done, timeout=5000)
    assert isinstance(got["exc"], ValidationError) and got["exc"].field == "id_number"
    assert got["thread"] is threading.main_thread()
    assert "ok" not in got
    assert handle.error is got["exc"]


def test_unexpected_errors_are_logged_with_the_trace(qtbot, runner, caplog):
    def work(progress, cancel):
        raise KeyError("boom")

    errors = []
    handle = runner.run(work, on_error=errors.append)
    qtbot.waitUntil(lambda: handle.done, timeout=5000)
    assert isinstance(errors[0], KeyError)
    assert "background task failed" in caplog.text and "KeyError" in caplog.text


def test_cancel_stops_the_work_and_reports_cancelled(qtbot, runner):
    started = threading.Event()
    steps = []

    def work(progress, cancel):
        started.set()
        for i in range(1000):
            cancel.raise_if_cancelled()
            steps.append(i)
            time.sleep(0.005)
        return "finished"

    errors = []
    handle = runner.run(work, on_success=lambda r: errors.append(("ok", r)), on_error=errors.append)
    assert started.wait(5)
    handle.cancel.cancel()
    qtbot.waitUntil(lambda: handle.done, timeout=5000)
    assert len(errors) == 1 and isinstance(errors[0], Cancelled)
    assert len(steps) < 1000


def test_cancel_all_cancels_running_work(qtbot, runner):
    def work(progress, cancel):
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.005)

    handle = runner.run(work, on_error=lambda e: None)
    runner.cancel_all()
    qtbot.waitUntil(lambda: handle.done, timeout=5000)
    assert isinstance(handle.error, Cancelled)


def test_work_runs_one_at_a_time(qtbot, runner):
    active, peak = [0], [0]
    lock = threading.Lock()

    def work(progress, cancel):
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.02)
        with lock:
            active[0] -= 1

    handles = [runner.run(work) for _ in range(4)]
    qtbot.waitUntil(lambda: all(h.done for h in handles), timeout=5000)
    assert peak[0] == 1


def test_synchronous_runner_runs_inline(qtbot):
    runner = TaskRunner(synchronous=True)
    out = []
    handle = runner.run(lambda progress, cancel: threading.current_thread(), on_success=out.append)
    assert handle.done and out == [threading.main_thread()]


def test_progress_dialog_cancel_button_cancels(qtbot, runner):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    started = threading.Event()

    def work(progress, cancel):
        started.set()
        progress(3, 10, "正在导入第 3 行…")
        while True:
            cancel.raise_if_cancelled()
            time.sleep(0.005)

    results = []
    handle = run_with_progress(runner, parent, "导入名单", work, on_success=results.append,
                               on_error=results.append)
    dialog = parent.findChild(QProgressDialog)
    assert dialog is not None and dialog.isVisible()
    assert started.wait(5)
    qtbot.waitUntil(lambda: dialog.labelText() == "正在导入第 3 行…", timeout=5000)
    assert dialog.maximum() == 10 and dialog.value() == 3
    cancel_button = next(b for b in dialog.findChildren(QPushButton) if b.text() == "取消")
    qtbot.mouseClick(cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: handle.done, timeout=5000)
    assert len(results) == 1 and isinstance(results[0], Cancelled)
    # The dialog closes and is deleted once the work has stopped.
    qtbot.waitUntil(lambda: not isValid(dialog) or not dialog.isVisible(), timeout=5000)


def test_finished_tasks_leave_nothing_behind(qtbot, runner):
    """A runner lives as long as the window: results must not pile up after delivery."""
    import gc
    import weakref

    class Payload:
        pass

    refs = []

    def work(progress, cancel):
        payload = Payload()
        refs.append(weakref.ref(payload))
        return payload

    got = []
    handles = [runner.run(work, on_success=lambda r: got.append(type(r))) for _ in range(20)]
    qtbot.waitUntil(lambda: all(h.done for h in handles), timeout=5000)
    handles.clear()  # the handles hold the results; the caller dropping them must free everything
    gc.collect()
    assert len(got) == 20 and len(refs) == 20
    assert all(ref() is None for ref in refs)
    assert not runner.busy
