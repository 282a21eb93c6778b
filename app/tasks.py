"""Long work without Qt: a progress callback and a cancel token.

Long operations (imports, exports, PDF batches, merges) take ``progress`` and ``cancel``
keyword arguments; the GUI runs them on a thread pool, the CLI runs them inline.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

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
