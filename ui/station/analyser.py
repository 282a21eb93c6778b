"""``Analyser`` takes the latest frame whenever it is free (several times a second), runs a Qt-free
analysis function on it (the photo checks, or the ID-card finder) and sends the result together
with the frame it judged, so a capture stores exactly the frame whose checks were shown.

Signals: ``Analyser.analysed(object, object, int, int)`` (result, frame, frame number, analysis generation).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QThread, Signal

from ui.station.frame_grabber import FrameGrabber

log = logging.getLogger(__name__)


class Analyser(QThread):
    """Runs ``fn(frame)`` on the latest frame, at most ``max_rate`` times a second."""

    analysed = Signal(object, object, int, int)  # result, frame, frame number, analysis generation

    def __init__(self, grabber: FrameGrabber, fn: Callable[[np.ndarray], Any], *, max_rate: float = 12.0,
                 parent=None) -> None:
        super().__init__(parent)
        self.grabber = grabber
        self._fn = fn
        self._generation = 0  # bumped by set_function: a result of an older function is dropped
        self._fn_lock = threading.Lock()
        self.max_rate = max_rate
        self._stop = threading.Event()
        self.count = 0

    @property
    def generation(self) -> int:
        with self._fn_lock:
            return self._generation

    def set_function(self, fn: Callable[[np.ndarray], Any]) -> None:
        with self._fn_lock:
            self._fn = fn
            self._generation += 1

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        seq = 0
        while not self._stop.is_set():
            latest = self.grabber.wait_newer(seq, 0.25)
            if latest is None:
                continue
            seq = latest.seq
            started = time.perf_counter()
            with self._fn_lock:
                fn, generation = self._fn, self._generation
            try:
                result = fn(latest.frame)
            except Exception:
                log.exception("frame analysis failed")
                result = None
            self.count += 1
            with self._fn_lock:
                stale = generation != self._generation
            if stale:
                # The mode changed while this frame was analysed (F2 pressed during a photo check):
                # a photo verdict must not stand for the card the station now looks for.
                continue
            self.analysed.emit(result, latest.frame, latest.seq, generation)
            rest = 1.0 / self.max_rate - (time.perf_counter() - started)
            if rest > 0:
                self._stop.wait(rest)
