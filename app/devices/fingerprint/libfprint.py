"""Fingerprint readers through libfprint 2 (Linux), via PyGObject's GObject introspection.

Any reader libfprint supports that can hand out images works, and so does libfprint's own
``virtual_image`` device (``FP_VIRTUAL_IMAGE=/path/to/socket`` in the environment before the first
context is made), which the tests drive.

Threading: libfprint's ``*_sync`` calls spin the process-wide default GLib main context, which a
Qt GUI thread on Linux also spins; two threads on one context can hand libfprint's callbacks to
the wrong thread and hang. So this driver owns a private main context, makes it the thread-default
around every call (libfprint attaches its sources and completions to that), uses the async API and
iterates the private context itself. Calls run in the caller's thread (the station's worker); one
call at a time. Only the first device enumeration spins the default context (libfprint offers no
other way); a Qt process should therefore run Qt without its GLib dispatcher (``QT_NO_GLIB=1``
before the QApplication exists) so that no GUI-thread source is ever dispatched from a worker.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from app.devices.base import DeviceError, DeviceInfo, DeviceTimeout, NoDevice, PoorQuality, Unplugged
from app.devices.fingerprint.interface import (
    DEFAULT_PPI,
    DEFAULT_TIMEOUT_S,
    EVENT_LIFT,
    EVENT_PLACE,
    EVENT_PRESENT,
    EVENT_RETRY,
    MESSAGES,
    NO_READER,
    FingerprintDriver,
    FingerprintImage,
    OnEvent,
    no_events,
    retry_message,
)
from app.errors import Cancelled
from app.tasks import CancelToken

OPEN_TIMEOUT_S = 15.0
MAX_REJECTED_SCANS = 5  # scans the reader itself rejects in one capture before we stop asking
TICK_MS = 50  # how often a wait looks at the cancel token and the deadline
UNPLUGGED = "指纹采集器已断开，请重新插好 USB 线后重试。"


def _load() -> tuple[Any, Any, Any]:
    """FPrint, GLib and Gio, imported on first use: PyGObject and libfprint are optional."""
    try:
        import gi

        gi.require_version("FPrint", "2.0")
        from gi.repository import FPrint, Gio, GLib
    except (ImportError, ValueError) as exc:
        raise NoDevice("无法使用 libfprint 指纹驱动：未安装 libfprint 或 PyGObject"
                       f"（Debian：apt-get install libfprint-2-2 gir1.2-fprint-2.0，"
                       f"并 pip install PyGObject）。详情：{exc}") from exc
    return FPrint, GLib, Gio


class LibfprintDriver(FingerprintDriver):
    name = "libfprint"

    def __init__(self, **_opts: object) -> None:
        self._fp, self._glib, self._gio = _load()
        self._loop_context = self._glib.MainContext.new()
        self._context: Any = None
        self._device: Any = None
        self._info: DeviceInfo | None = None
        self._removed = False

    # -- the private main context --------------------------------------------------------------
    def _within(self, fn: Callable[[], Any]) -> Any:
        ctx = self._loop_context
        ctx.push_thread_default()
        try:
            return fn()
        finally:
            ctx.pop_thread_default()

    def _run(self, start: Callable[[Any, Callable], None], finish: Callable[[Any], Any], *,
             deadline: float | None, cancel: CancelToken | None) -> tuple[Any, str]:
        """Start an async call and spin the private context until it completes.

        Returns ``(result, "")``, or ``(None, why)`` with why "cancel"/"deadline" when it had to
        be cancelled (the GLib error is swallowed then: the caller knows better what happened).
        """
        cancellable = self._gio.Cancellable.new()
        box: dict[str, Any] = {}

        def done(_source: object, result: object, *_data: object) -> None:
            box["result"] = result

        def tick() -> bool:
            if "why" not in box:
                if cancel is not None and cancel.cancelled:
                    box["why"] = "cancel"
                elif deadline is not None and time.monotonic() >= deadline:
                    box["why"] = "deadline"
                if "why" in box:
                    cancellable.cancel()
            return True

        timer = self._glib.timeout_source_new(TICK_MS)
        timer.set_callback(lambda *_a: tick())
        timer.attach(self._loop_context)
        try:
            start(cancellable, done)
            while "result" not in box:
                self._loop_context.iteration(True)
        finally:
            timer.destroy()
        try:
            return finish(box["result"]), ""
        except self._glib.Error as exc:
            if "why" in box and exc.matches(self._gio.io_error_quark(), self._gio.IOErrorEnum.CANCELLED):
                return None, box["why"]
            raise

    # -- driver --------------------------------------------------------------------------------
    def _ensure_context(self) -> Any:
        if self._context is None:
            # Not inside the private context: enumerate() waits for the probes by spinning the
            # default context itself, so the probes must report there.
            context = self._fp.Context.new()
            context.enumerate()
            context.connect("device-removed", self._on_device_removed)
            self._context = context
        return self._context

    def _on_device_removed(self, _context: object, device: object) -> None:
        if device is self._device:
            self._removed = True

    def _infos(self) -> list[tuple[DeviceInfo, Any]]:
        context = self._ensure_context()
        devices = context.get_devices()
        out = []
        for device in devices:
            if not device.supports_capture():
                continue  # a match-on-chip reader never hands out the image the province wants
            out.append((DeviceInfo(f"{device.get_driver()}:{device.get_device_id()}", device.get_name(),
                                   self.name), device))
        return out

    def list_devices(self) -> list[DeviceInfo]:
        return [info for info, _ in self._infos()]

    def open(self, device_id: str = "") -> DeviceInfo:
        self.close()
        found = self._infos()
        if not found:
            raise NoDevice(NO_READER, device=device_id)
        match = [(i, d) for i, d in found if not device_id or i.id == device_id]
        if not match:
            raise NoDevice(f"找不到指纹采集器“{device_id}”，请检查连接或在设置中重新选择。", device=device_id)
        info, device = match[0]
        try:
            _, why = self._within(lambda: self._run(
                lambda c, cb: device.open(c, cb, None), device.open_finish,
                deadline=time.monotonic() + OPEN_TIMEOUT_S, cancel=None))
        except self._glib.Error as exc:
            raise self._map_error(exc, info.name) from exc
        if why:
            raise DeviceTimeout("指纹采集器打开超时，请拔插 USB 线后重试。", device=info.name)
        self._device, self._info, self._removed = device, info, False
        return info

    def close(self) -> None:
        device, self._device, self._info = self._device, None, None
        if device is None or not device.is_open():
            return
        # Closing a reader that went away fails; there is nothing left to release then.
        with contextlib.suppress(self._glib.Error):
            self._within(lambda: self._run(lambda c, cb: device.close(c, cb, None), device.close_finish,
                                           deadline=time.monotonic() + OPEN_TIMEOUT_S, cancel=None))
        self._drain()

    def __del__(self) -> None:
        # libfprint's device keeps sources on the private context; the device must go first, or
        # its finalizer destroys sources the context already freed (a GLib critical at exit).
        self._device = None
        self._context = None

    def _drain(self) -> None:
        """Let libfprint's clean-up callbacks run now, not during interpreter shutdown."""
        end = time.monotonic() + 1.0
        while self._loop_context.pending() and time.monotonic() < end:
            self._loop_context.iteration(False)

    def capture(self, finger: str, timeout_s: float = DEFAULT_TIMEOUT_S, cancel: CancelToken | None = None,
                on_event: OnEvent = no_events, *, subject: str = "") -> FingerprintImage:
        device, info = self._device, self._info
        if device is None or info is None:
            raise DeviceError("指纹采集器尚未打开。")
        if self._removed:
            raise Unplugged(UNPLUGGED, device=info.name)
        deadline = time.monotonic() + float(timeout_s)
        flags = self._fp.FingerStatusFlags
        seen = {"present": False}

        def on_status(dev: Any, _pspec: object) -> None:
            status = dev.get_finger_status()
            if status & flags.PRESENT and not seen["present"]:
                seen["present"] = True
                on_event(EVENT_PRESENT, MESSAGES[EVENT_PRESENT])

        handler = device.connect("notify::finger-status", on_status)
        rejected = 0
        try:
            while True:
                seen["present"] = False
                on_event(EVENT_PLACE, MESSAGES[EVENT_PLACE])
                try:
                    image, why = self._within(lambda: self._run(
                        lambda c, cb: device.capture(True, c, cb, None), device.capture_finish,
                        deadline=deadline, cancel=cancel))
                except self._glib.Error as exc:
                    reason = self._retry_reason(exc)
                    if not reason:
                        raise self._map_error(exc, info.name) from exc
                    rejected += 1
                    if rejected >= MAX_REJECTED_SCANS or time.monotonic() >= deadline:
                        raise PoorQuality(f"采集器连续 {rejected} 次未能读取指纹：{retry_message(reason)}。",
                                          device=info.name) from exc
                    on_event(EVENT_RETRY, retry_message(reason))
                    continue
                if why == "cancel":
                    raise Cancelled("已取消指纹采集。")
                if why == "deadline":
                    raise DeviceTimeout(f"{timeout_s:g} 秒内没有检测到手指，请重新采集。", device=info.name)
                on_event(EVENT_LIFT, MESSAGES[EVENT_LIFT])
                return self._to_image(image, info, finger)
        finally:
            device.disconnect(handler)

    # -- helpers -------------------------------------------------------------------------------
    def _to_image(self, image: Any, info: DeviceInfo, finger: str) -> FingerprintImage:
        width, height = image.get_width(), image.get_height()
        data = bytes(image.get_data())
        if width <= 0 or height <= 0 or len(data) < width * height:
            raise DeviceError(f"指纹采集器返回的图像无效（{width}×{height}，{len(data)} 字节）。", device=info.name)
        pixels = np.frombuffer(data, dtype=np.uint8, count=width * height).reshape(height, width).copy()
        ppmm = image.get_ppmm()
        ppi = round(ppmm * 25.4) if ppmm and ppmm > 0 else DEFAULT_PPI
        return FingerprintImage(pixels, ppi, info.name, self.name, finger)

    def _retry_reason(self, exc: Any) -> str:
        retry = self._fp.DeviceRetry
        if not exc.matches(retry.quark(), exc.code):
            return ""
        return {int(retry.TOO_SHORT): "too_short", int(retry.CENTER_FINGER): "center_finger",
                int(retry.REMOVE_FINGER): "remove_finger"}.get(exc.code, "general")

    def _map_error(self, exc: Any, device: str) -> DeviceError:
        errors = self._fp.DeviceError
        if exc.matches(errors.quark(), exc.code):
            code = exc.code
            if code == int(errors.REMOVED) or self._removed:
                self._removed = True
                return Unplugged(UNPLUGGED, device=device)
            if code == int(errors.NOT_SUPPORTED):
                return NoDevice("该指纹采集器不能输出指纹图像，请换用支持采集图像的设备。", device=device)
            if code == int(errors.BUSY):
                return DeviceError("指纹采集器正忙（可能被其他程序占用），请关闭其他程序后重试。", device=device)
            if code == int(errors.TOO_HOT):
                return DeviceError("指纹采集器过热，请稍候几分钟再试。", device=device)
            if code in (int(errors.NOT_OPEN), int(errors.ALREADY_OPEN)):
                return DeviceError("指纹采集器状态异常，请重新打开设备。", device=device)
            return DeviceError(f"指纹采集器出错：{exc.message}。请拔插 USB 线后重试。", device=device)
        if exc.matches(self._gio.io_error_quark(), exc.code) and self._removed:
            return Unplugged(UNPLUGGED, device=device)
        return DeviceError(f"指纹采集器出错：{exc.message}", device=device)
