"""Long work without Qt: a progress callback and a cancel token.

Long operations (imports, exports, PDF batches, merges) take ``progress`` and ``cancel``
keyword arguments; the GUI runs them on a thread pool, the CLI runs them inline.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from app.errors import Cancelled

# progress(done, total, message): total 0 means "unknown"
Progress = Callable[[int, int, str], None]


def no_progress(_done: int, _total: int, _message: str) -> None:
    return None


class CancelToken:
    """Set from any thread; the worker checks it between steps and raises ``Cancelled``."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


_gc_lock = threading.Lock()
_gc_state = {"pauses": 0, "resume": False}


@contextmanager
def bulk_work() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while building many small objects.

    A 20,000-row import allocates a few hundred thousand lists, dicts and records that all stay
    alive until it ends; the collector's full passes over them cost a fifth of the import and
    free nothing. Reference counting still frees everything as usual; the collector resumes
    (if it was on) when the last of overlapping bulk jobs ends.
    """
    with _gc_lock:
        if _gc_state["pauses"] == 0:
            _gc_state["resume"] = gc.isenabled()
            gc.disable()
        _gc_state["pauses"] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state["pauses"] -= 1
            if _gc_state["pauses"] == 0 and _gc_state["resume"]:
                gc.enable()


def waiting_message(waited: float) -> str:
    return f"数据库正被另一项操作（如导入名单）占用，正在等待它完成（已等待 {waited:.0f} 秒）…"


@contextmanager
def lock_waits_reported(progress: Progress) -> Iterator[None]:
    """Inside, a write that waits for another writer says so through ``progress`` (the GUI's task
    runner and the CLI wrap their work in this), instead of the program seeming to hang."""
    from db.session import report_waits

    with report_waits(lambda waited: progress(0, 0, waiting_message(waited))):
        yield
