"""Run Qt-free long work on a thread pool and deliver its outcome on the GUI thread.

The work is a plain callable taking ``progress`` and ``cancel`` keyword arguments (see
``app.tasks``). Tests build ``TaskRunner(synchronous=True)`` so that work runs inline, which
keeps them deterministic without waiting on threads.

Signals (of ``_Relay``, internal, one per runner): ``succeeded(int key, object)``,
``failed(int key, object)``, ``progressed(int key, int, int, str)``; emitted on the worker thread,
delivered on the GUI thread.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.errors import AppError, Cancelled
from app.tasks import CancelToken, lock_waits_reported

log = logging.getLogger(__name__)


class _Relay(QObject):
    """One per runner, living on the GUI thread: workers emit, its slots run the callbacks.

    The slots belong to an object of the GUI thread, so a worker's emit is queued and the
    callbacks run on the GUI thread. Tasks are told apart by a key; keeping one relay per
    runner (rather than one QObject per task) leaves no per-task objects tied up in Qt's
    connections, which Python's garbage collector cannot see through.
    """

    succeeded = Signal(int, object)
    failed = Signal(int, object)
    progressed = Signal(int, int, int, str)

    def __init__(self, runner: TaskRunner) -> None:
        super().__init__(runner)
        self._runner = runner
        self.succeeded.connect(self._deliver_success)
        self.failed.connect(self._deliver_error)
        self.progressed.connect(self._deliver_progress)

    @Slot(int, object)
    def _deliver_success(self, key: int, result: object) -> None:
        self._runner._finish(key, result, None)

    @Slot(int, object)
    def _deliver_error(self, key: int, exc: object) -> None:
        self._runner._finish(key, None, exc)  # type: ignore[arg-type]

    @Slot(int, int, int, str)
    def _deliver_progress(self, key: int, done: int, total: int, message: str) -> None:
        self._runner._progress(key, done, total, message)


class _Job(QRunnable):
    def __init__(self, fn: Callable, relay: _Relay, key: int, cancel: CancelToken) -> None:
        super().__init__()
        self.fn, self.relay, self.key, self.cancel = fn, relay, key, cancel
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            with lock_waits_reported(self._progress):
                result = self.fn(progress=self._progress, cancel=self.cancel)
        except BaseException as exc:  # delivered to the GUI thread, never lost
            if not isinstance(exc, AppError):
                log.error("background task failed\n%s", traceback.format_exc())
            self.relay.failed.emit(self.key, exc)
        else:
            self.relay.succeeded.emit(self.key, result)
        finally:
            self.fn = None  # type: ignore[assignment]  # drop the work's references early

    def _progress(self, done: int, total: int, message: str) -> None:
        self.relay.progressed.emit(self.key, int(done), int(total), str(message or ""))


@dataclass
class TaskHandle:
    cancel: CancelToken
    key: int = 0
    done: bool = False
    result: object = None
    error: BaseException | None = None


@dataclass
class _Callbacks:
    handle: TaskHandle
    on_success: Callable[[object], None] | None
    on_error: Callable[[BaseException], None] | None
    on_progress: Callable[[int, int, str], None] | None


class TaskRunner(QObject):
    """Owns the thread pool; ``run`` returns a handle whose ``cancel`` stops the work."""

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.pool = pool or QThreadPool(self)
        # One writer at a time, as SQLite wants: work runs serially.
        self.pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._tasks: dict[int, _Callbacks] = {}
        self._next_key = 0

    def run(self, fn: Callable, *, on_success: Callable[[object], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            on_progress: Callable[[int, int, str], None] | None = None) -> TaskHandle:
        """Start ``fn(progress=, cancel=)``; the callbacks run on the GUI thread."""
        self._next_key = (self._next_key + 1) % 2_000_000_000
        key = self._next_key
        handle = TaskHandle(cancel=CancelToken(), key=key)
        self._tasks[key] = _Callbacks(handle, on_success, on_error, on_progress)
        job = _Job(fn, self._relay, key, handle.cancel)
        if self.synchronous:
            job.run()
        else:
            self.pool.start(job)
        return handle

    def _finish(self, key: int, result: object, exc: BaseException | None) -> None:
        task = self._tasks.pop(key, None)
        if task is None:
            return
        handle = task.handle
        handle.done, handle.result, handle.error = True, result, exc
        if exc is None:
            if task.on_success:
                task.on_success(result)
        elif task.on_error:
            task.on_error(exc)
        elif not isinstance(exc, Cancelled):
            log.error("unhandled task error: %r", exc)

    def _progress(self, key: int, done: int, total: int, message: str) -> None:
        task = self._tasks.get(key)
        if task is not None and task.on_progress:
            task.on_progress(done, total, message)

    def cancel_all(self) -> None:
        """Ask every running task to stop (on closing the window)."""
        for task in list(self._tasks.values()):
            task.handle.cancel.cancel()

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)


def run_with_progress(runner: TaskRunner, parent: QWidget, title: str, fn: Callable, *,
                      on_success: Callable[[object], None],
                      on_error: Callable[[BaseException], None]) -> TaskHandle:
    """Run ``fn`` with a modal progress dialog whose Cancel button cancels the work."""
    dialog = QProgressDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(title)
    dialog.setCancelButtonText(QCoreApplication.translate("TaskRunner", "取消"))
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setRange(0, 0)
    # Wide enough for the step messages ("正在导入第 12000 行…") without the dialog jumping in size.
    dialog.setMinimumWidth(dialog.fontMetrics().horizontalAdvance("正") * 26)

    def progress(done: int, total: int, message: str) -> None:
        if total > 0:
            dialog.setRange(0, total)
            dialog.setValue(min(done, total))
        if message:
            dialog.setLabelText(message)

    def ok(result: object) -> None:
        dialog.close()
        dialog.deleteLater()
        on_success(result)

    def err(exc: BaseException) -> None:
        dialog.close()
        dialog.deleteLater()
        on_error(exc)

    handle = runner.run(fn, on_success=ok, on_error=err, on_progress=progress)
    dialog.canceled.connect(handle.cancel.cancel)
    if not handle.done:
        dialog.show()
    return handle
