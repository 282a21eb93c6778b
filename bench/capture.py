"""The capture station's photo path, with the mock camera at 1280×720.

    .venv/bin/python bench/capture.py [--seconds 5] [--source astronaut|generated|FILE] [--captures 20]

Measures, printing figures (never asserting):
- analysis rate: frames analysed per second by ``app.photo.analysis.analyse`` while a second thread
  keeps reading the paced mock camera, as the preview does (target >= 8/s);
- capture to photo: from a captured frame to the finished JPEG bytes (analysis + crop + JPEG size
  search), database excluded (target <= 300 ms).

The astronaut source (default when scikit-image is installed) is the exam shot the tests accept,
made by tests/fixtures/exam_shot.py; ``generated`` is the mock's drawn scene (no face is found
there, so capture falls back to a centre crop). Each measurement is a function returning a
``Figure``; more (e.g. preview frames delivered to the UI) are added to ``MEASUREMENTS``.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.devices.camera.mock import MockCamera  # noqa: E402
from app.photo.analysis import analyse  # noqa: E402
from app.photo.process import make_exam_photo  # noqa: E402
from app.photo.spec import PhotoSpec  # noqa: E402

WIDTH, HEIGHT = 1280, 720


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str
    met: bool
    detail: str = ""


def frame_source(name: str) -> Callable[[int, int, int], np.ndarray] | str | None:
    """The mock camera's source: the astronaut exam shot, the drawn scene, or a file."""
    if name == "generated":
        return None
    if name == "astronaut":
        spec = importlib.util.spec_from_file_location("exam_shot", ROOT / "tests" / "fixtures" / "exam_shot.py")
        shots = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(shots)
        base = shots.make_shot(width=WIDTH, height=HEIGHT)
        rng = np.random.default_rng(7)
        noise = [rng.normal(0, 2, base.shape).astype(np.int16) for _ in range(8)]

        # Fresh sensor noise per frame, so no two frames are the same array.
        def frame(index: int, width: int, height: int) -> np.ndarray:
            return np.clip(base.astype(np.int16) + noise[index % len(noise)], 0, 255).astype(np.uint8)

        return frame
    return name


def open_camera(source, fps: float = 30.0, paced: bool = True) -> MockCamera:
    cam = MockCamera(source, fps=fps, paced=paced)
    cam.open("mock0", WIDTH, HEIGHT)
    return cam


def measure_analysis_rate(source, seconds: float, spec: PhotoSpec) -> Figure:
    """Analysis on the newest frame, back to back, while a reader thread drains the camera at its fps."""
    cam = open_camera(source)
    latest: list[np.ndarray] = [cam.read()]
    stop = threading.Event()
    read = [0]

    def reader() -> None:
        while not stop.is_set():
            latest[0] = cam.read()
            read[0] += 1

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    analyse(latest[0], spec)  # load the cascades outside the timing
    times: list[float] = []
    accepted = 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        frame = latest[0]
        started = time.perf_counter()
        a = analyse(frame, spec)
        times.append(time.perf_counter() - started)
        accepted += a.ok
    stop.set()
    t.join()
    cam.close()
    rate = len(times) / sum(times)
    camera_fps = read[0] / seconds
    return Figure("analysis rate", rate, "/s", ">= 8/s", rate >= 8,
                  f"{len(times)} analyses, median {statistics.median(times) * 1000:.0f} ms, "
                  f"p95 {sorted(times)[int(len(times) * 0.95) - 1] * 1000:.0f} ms, {accepted} accepted; "
                  f"camera delivered {camera_fps:.1f} fps meanwhile")


def measure_capture(source, captures: int, spec: PhotoSpec) -> Figure:
    """From the frame in hand to the finished JPEG bytes (database excluded)."""
    cam = open_camera(source, paced=False)
    frame = cam.read()
    analyse(frame, spec)
    times: list[float] = []
    sizes: list[int] = []
    for _ in range(captures):
        frame = cam.read()
        started = time.perf_counter()
        a = analyse(frame, spec)
        photo = make_exam_photo(frame, a, spec, centre_crop_without_face=True)
        times.append(time.perf_counter() - started)
        sizes.append(len(photo.jpeg))
    cam.close()
    worst = max(times) * 1000
    return Figure("capture to photo", statistics.median(times) * 1000, "ms", "<= 300 ms", worst <= 300,
                  f"{captures} captures, worst {worst:.0f} ms, JPEG {min(sizes) / 1024:.1f}–"
                  f"{max(sizes) / 1024:.1f} KB")


def measure_stored(source, captures: int, spec: PhotoSpec) -> Figure:
    """From the capture key to the photo stored: analysis, JPEG, media file (fsync) and the
    audited database row, through the same CaptureService the station calls."""
    import tempfile

    from app.auth import Actor
    from app.container import Container

    cam = open_camera(source, paced=False)
    actor = Actor("bench", "基准测试", "admin")
    with tempfile.TemporaryDirectory() as tmp:
        app = Container.open(Path(tmp))
        try:
            app.setup.initialise("C01", "基准学院", "基准报名点")
            app.audit.desk_name = "基准报名点"
            app.demo.create(actor, n=captures, seed=1)
            keys = [r.uuid for r in app.candidates.rows()]
            analyse(cam.read(), spec)
            times: list[float] = []
            for key in keys:
                frame = cam.read()
                started = time.perf_counter()
                a = analyse(frame, spec)
                photo = make_exam_photo(frame, a, spec, centre_crop_without_face=True)
                app.capture.record(actor, key, "photo", photo.jpeg, "jpg", quality=photo.figures,
                                   device="mock:0", width=photo.width, height=photo.height)
                times.append(time.perf_counter() - started)
        finally:
            app.close()
    cam.close()
    worst = max(times) * 1000
    return Figure("capture to stored", statistics.median(times) * 1000, "ms", "<= 300 ms", worst <= 300,
                  f"{captures} captures, worst {worst:.0f} ms (analysis + JPEG + media fsync + audited row)")


def measure_preview(source, seconds: float, spec: PhotoSpec) -> Figure:
    """Frames the station's preview widget actually painted per second while analysis runs."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer
    from PySide6.QtWidgets import QApplication

    from ui.station.camera_preview import CameraPreview

    app = QApplication.instance() or QApplication([])
    preview = CameraPreview()
    preview.resize(800, 600)
    preview.show()
    analyses: list[int] = [0]
    preview.analysed.connect(lambda _r: analyses.__setitem__(0, analyses[0] + 1))
    preview.start(lambda: MockCamera(source, fps=30.0), lambda f: analyse(f, spec), device_id="mock0",
                  width=WIDTH, height=HEIGHT)
    # Warm up until the first frame is painted, then count for ``seconds``.
    timer = QElapsedTimer()
    timer.start()
    while preview.frames_shown == 0 and timer.elapsed() < 10_000:
        app.processEvents()
    start_frames, start_analyses = preview.frames_shown, analyses[0]
    timer.restart()
    while timer.elapsed() < seconds * 1000:
        app.processEvents()
        time.sleep(0.001)
    elapsed = timer.elapsed() / 1000
    fps = (preview.frames_shown - start_frames) / elapsed
    rate = (analyses[0] - start_analyses) / elapsed
    preview.stop()
    return Figure("preview to UI", fps, "fps", ">= 25 fps", fps >= 25,
                  f"camera 30 fps; analysis {rate:.1f}/s meanwhile (bench event loop, offscreen)")


MEASUREMENTS: dict[str, Callable[[argparse.Namespace, object, PhotoSpec], Figure]] = {
    "analysis": lambda args, source, spec: measure_analysis_rate(source, args.seconds, spec),
    "capture": lambda args, source, spec: measure_capture(source, args.captures, spec),
    "stored": lambda args, source, spec: measure_stored(source, args.captures, spec),
    "preview": lambda args, source, spec: measure_preview(source, args.seconds, spec),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to run the analysis loop")
    parser.add_argument("--captures", type=int, default=20)
    parser.add_argument("--source", default="", help="astronaut (default if scikit-image is installed), "
                                                      "generated, or an image/video file")
    parser.add_argument("--only", choices=sorted(MEASUREMENTS), action="append")
    args = parser.parse_args(argv)
    name = args.source
    if not name:
        name = "astronaut" if importlib.util.find_spec("skimage") else "generated"
    source = frame_source(name)
    spec = PhotoSpec()
    print(f"mock camera {WIDTH}×{HEIGHT}, source: {name}")
    for key in args.only or MEASUREMENTS:
        fig = MEASUREMENTS[key](args, source, spec)
        mark = "ok" if fig.met else "MISSED"
        print(f"{fig.name:>18}: {fig.value:7.1f} {fig.unit:<3} (target {fig.target}, {mark})  {fig.detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
