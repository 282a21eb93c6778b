"""Run Qt-free long work on a thread pool and deliver its outcome on the GUI thread.

The work is a plain callable taking ``progress`` and ``cancel`` keyword arguments (see
``app.tasks``). Tests build ``TaskRunner(synchronous=True)`` so that work runs inline, which
keeps them deterministic without waiting on threads.

Signals (of ``_Relay``, internal): ``succeeded(object)``, ``failed(object)``,
``progressed(int, int, str)``; they are emitted on the worker thread and delivered on the GUI thread.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.errors import AppError, Cancelled
from app.tasks import CancelToken

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, the relay's own slots run the callbacks.

    Connecting the signals to slots of an object that lives on the GUI thread makes the
    connection queued when the worker emits, so callbacks always run on the GUI thread.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(int, int, str)

    def __init__(self, on_success: Callable[[object], None], on_error: Callable[[BaseException], None],
                 on_progress: Callable[[int, int, str], None] | None) -> None:
        super().__init__()
        self._on_success, self._on_error, self._on_progress = on_success, on_error, on_progress
        self.succeeded.connect(self._deliver_success)
        self.failed.connect(self._deliver_error)
        self.progressed.connect(self._deliver_progress)

    @Slot(object)
    def _deliver_success(self, result: object) -> None:
        self._on_success(result)

    @Slot(object)
    def _deliver_error(self, exc: object) -> None:
        self._on_error(exc)  # type: ignore[arg-type]

    @Slot(int, int, str)
    def _deliver_progress(self, done: int, total: int, message: str) -> None:
        if self._on_progress is not None:
            self._on_progress(done, total, message)


class _Job(QRunnable):
    def __init__(self, fn: Callable, relay: _Relay, cancel: CancelToken) -> None:
        super().__init__()
        self.fn, self.relay, self.cancel = fn, relay, cancel
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn(progress=self._progress, cancel=self.cancel)
        except BaseException as exc:  # delivered to the GUI thread, never lost
            if not isinstance(exc, AppError):
                log.error("background task failed\n%s", traceback.format_exc())
            self.relay.failed.emit(exc)
        else:
            self.relay.succeeded.emit(result)

    def _progress(self, done: int, total: int, message: str) -> None:
        self.relay.progressed.emit(done, total, message)


@dataclass
class TaskHandle:
    cancel: CancelToken
    relay: _Relay
    done: bool = False
    result: object = None
    error: BaseException | None = None


class TaskRunner(QObject):
    """Owns the thread pool; ``run`` returns a handle whose ``cancel`` stops the work."""

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self.pool = pool or QThreadPool(self)
        # One writer at a time, as SQLite wants: work runs serially.
        self.pool.setMaxThreadCount(1)
        self._handles: dict[int, TaskHandle] = {}

    def run(self, fn: Callable, *, on_success: Callable[[object], None] | None = None,
            on_error: Callable[[BaseException], None] | None = None,
            on_progress: Callable[[int, int, str], None] | None = None) -> TaskHandle:
        """Start ``fn(progress=, cancel=)``; the callbacks run on the GUI thread."""
        cancel = CancelToken()
        handle: TaskHandle

        def finish_ok(result: object) -> None:
            handle.done, handle.result = True, result
            self._handles.pop(id(handle), None)
            if on_success:
                on_success(result)

        def finish_err(exc: BaseException) -> None:
            handle.done, handle.error = True, exc
            self._handles.pop(id(handle), None)
            if on_error:
                on_error(exc)
            elif not isinstance(exc, Cancelled):
                log.error("unhandled task error: %r", exc)

        relay = _Relay(finish_ok, finish_err, on_progress)
        handle = TaskHandle(cancel=cancel, relay=relay)
        self._handles[id(handle)] = handle
        job = _Job(fn, relay, cancel)
        if self.synchronous:
            job.run()
        else:
            self.pool.start(job)
        return handle

    def cancel_all(self) -> None:
        """Ask every running task to stop (on closing the window)."""
        for handle in list(self._handles.values()):
            handle.cancel.cancel()

    @property
    def busy(self) -> bool:
        return bool(self._handles)

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
