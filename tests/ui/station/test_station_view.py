"""The capture station, driven like a counsellor: scan, F-keys, Space, F9, Ctrl+N, with scripted devices."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import threading
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QPushButton

from app.devices.base import DeviceInfo
from app.devices.factory import Devices
from ui.common.tasks import TaskRunner
from ui.station.corner_dialog import CornerDialog
from ui.station.document_kind_dialog import DocumentKindDialog
from ui.station.fingerprint_dialog import FingerprintDialog
from ui.station.frames import LIVE, UNPLUGGED
from ui.station.overlays import guide_rect, photo_guide
from ui.station.override_dialog import OverrideDialog
from ui.station.station_view import MAX_MATCHES, StationView


# -- frames ---------------------------------------------------------------------------------------
def _exam_shots():
    """tests/fixtures/exam_shot.py (not a package), loaded once and shared with the photo-analysis tests."""
    found = sys.modules.get("exam_shot")
    if found is not None:
        return found
    spec = importlib.util.spec_from_file_location("exam_shot", Path(__file__).resolve().parents[2] / "fixtures"
                                                  / "exam_shot.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["exam_shot"] = module
    spec.loader.exec_module(module)
    return module


shots = _exam_shots()


def card_shot() -> np.ndarray:
    """A light ID-1 card with printed-looking detail on a dark desk, slightly rotated."""
    frame = np.full((720, 1280, 3), 45, np.uint8)
    card = np.full((540, 856, 3), (225, 232, 238), np.uint8)
    rng = np.random.default_rng(4)
    for i in range(9):
        cv2.putText(card, f"ID 4101 0220 0201 {i:04d}", (40, 60 + 52 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.1,
                    (40, 40, 60), 2, cv2.LINE_AA)
    card[:, :, 0] = np.clip(card[:, :, 0].astype(int) + rng.integers(-6, 6, card.shape[:2]), 0, 255)
    src = np.float32([[0, 0], [856, 0], [856, 540], [0, 540]])
    dst = np.float32([[230, 110], [1060, 140], [1040, 660], [210, 630]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(card, matrix, (1280, 720))
    mask = cv2.warpPerspective(np.full((540, 856), 255, np.uint8), matrix, (1280, 720))
    frame[mask > 0] = warped[mask > 0]
    return frame


class ScreenCamera:
    """The real MockCamera playing whatever the test puts in front of it (``show``)."""

    def __init__(self, frame: np.ndarray) -> None:
        from app.devices.camera.mock import MockCamera

        self._frame = frame
        self.mock = MockCamera(lambda _i, _w, _h: self._frame, fps=30)
        self.opens = 0
        real_open = self.mock.open

        def counting_open(*args, **kwargs):
            real_open(*args, **kwargs)
            self.opens += 1

        self.mock.open = counting_open  # type: ignore[method-assign]

    def show(self, frame: np.ndarray) -> None:
        self._frame = frame


class ScriptedReader:
    """An ID-card reader test double returning one chip record."""

    driver_name = "test-reader"

    def __init__(self, chip) -> None:
        self.chip = chip

    def open(self, device_id: str = ""):
        return DeviceInfo("r0", "测试阅读器", "test")

    def read(self, timeout_s: float = 10.0, cancel=None, *, subject=None):
        return self.chip

    def close(self) -> None:
        pass


# -- fixtures ---------------------------------------------------------------------------------------
@pytest.fixture
def camera() -> ScreenCamera:
    return ScreenCamera(shots.good_shot())


@pytest.fixture
def station(qtbot, container, actor, make_candidate_raw, camera):
    from app.devices.fingerprint.mock import MockFingerprint

    container.candidates.create(actor, make_candidate_raw(1))
    container.candidates.create(actor, make_candidate_raw(2, category="退役大学生士兵", veteran_service_start="2019-09-01",
                                                        veteran_service_end="2021-09-01"))
    devices = Devices(container.settings.get, mock=True,
                      drivers={"camera": camera.mock, "fingerprint": MockFingerprint()})
    view = StationView(actor, TaskRunner(synchronous=True), capture=container.capture, candidates=container.candidates,
                       settings=container.settings, devices=devices, retry_s=0.1)
    qtbot.addWidget(view)
    view.resize(1180, 680)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.stop_camera()


def scan(qtbot, view: StationView, text: str) -> None:
    view.search.setFocus()
    qtbot.keyClicks(view.search, text)
    qtbot.keyClick(view.search, Qt.Key.Key_Return)


def wait_card_analysis(qtbot, view: StationView) -> None:
    """Until the preview shows the card finder's verdict on a frame taken after the mode changed."""
    from app.station.card import QuadResult

    for _ in range(2):  # twice: the first may be of a frame grabbed before the scene changed
        view.preview.result = None
        qtbot.waitUntil(lambda: isinstance(view.preview.result, QuadResult), timeout=8000)


def move_on(qtbot, view: StationView) -> None:
    """Answer “还缺 …，确定下一位？” with 确定下一位."""
    box = view.leave_box
    assert box.isVisible()
    qtbot.mouseClick(next(b for b in box.buttons() if b.text() == "确定下一位"), Qt.MouseButton.LeftButton)


def step_texts(view: StationView) -> list[str]:
    return [view.steps.item(i).text() for i in range(view.steps.count())]


def wait_ok(qtbot, view: StationView, ok: bool = True) -> None:
    qtbot.waitUntil(lambda: view.preview.result is not None and bool(view.preview.result.ok) == ok, timeout=8000)


# -- tests ------------------------------------------------------------------------------------------
def test_scan_student_number_shows_checklist(qtbot, station):
    scan(qtbot, station, "2023000001")
    assert "2023000001" in station.who.text()
    texts = step_texts(station)
    assert [t.split()[2] for t in texts] == ["照片", "身份证正面", "身份证背面", "指纹：右手食指", "指纹：右手中指"]
    assert all(t.startswith("○") for t in texts)
    scan(qtbot, station, "2023000002")
    move_on(qtbot, station)
    assert [t.split()[2] for t in step_texts(station)][-3:] == ["退役证", "补填入伍时间", "补填退役时间"]
    assert step_texts(station)[-1].startswith("✓")  # the roster had the service dates
    scan(qtbot, station, "9999")
    assert station.search_error.isVisible() and "找不到考生" in station.search_error.text()


def match_texts(view: StationView) -> list[str]:
    return [view.matches.item(i).text() for i in range(view.matches.count())] if view.matches.isVisible() else []


def test_a_name_or_its_pinyin_offers_the_matches_to_pick_with_the_keyboard(qtbot, station, container, actor,
                                                                           make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw(3, name="曾国藩"))
    container.candidates.create(actor, make_candidate_raw(4, name="曾乐"))
    # A student number still loads at once, with no list.
    scan(qtbot, station, "2023000001")
    assert "2023000001" in station.who.text() and not station.matches.isVisible()

    # Initials that are no number: the matches, the first one current; ↓ ↓ ↑ and Enter pick one.
    scan(qtbot, station, "z")
    offered = match_texts(station)
    assert len(offered) == 3 and all(t[0] in "曾张" for t in offered)
    assert "“z”" in station.matches_label.text() and "3 人" in station.matches_label.text()
    assert not station.search_error.isVisible()
    assert QApplication.focusWidget() is station.search and station.matches.currentRow() == 0
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Down):
        qtbot.keyClick(station.search, key)
    assert station.matches.currentRow() == 2  # ↓ stops at the last
    with qtbot.waitSignal(station.candidate_loaded) as loaded:
        qtbot.keyClick(station.search, Qt.Key.Key_Return)
        move_on(qtbot, station)  # a pick, like a scan, asks before leaving a student with steps missing
    picked = offered[2].split()
    assert picked[0] != "曾乐"  # so that 曾乐 below is someone else again
    assert loaded.args == [picked[1]] and station.who.text().startswith(picked[0])
    assert not station.matches.isVisible() and station.search.text() == ""

    # Full pinyin, the surname read as a surname: one match, Enter takes it.
    scan(qtbot, station, "zengyue")
    assert [t.split()[0] for t in match_texts(station)] == ["曾乐"]
    qtbot.keyClick(station.search, Qt.Key.Key_Return)
    move_on(qtbot, station)
    assert station.who.text().startswith("曾乐")

    # Esc closes the list and keeps the text; typing on closes it too; Enter then looks up anew.
    scan(qtbot, station, "zeng")
    assert len(match_texts(station)) == 2
    qtbot.keyClick(station.search, Qt.Key.Key_Escape)
    assert not station.matches.isVisible() and station.search.text() == "zeng"
    qtbot.keyClick(station.search, Qt.Key.Key_Return)
    assert len(match_texts(station)) == 2
    qtbot.keyClick(station.search, Qt.Key.Key_End)  # the text stays selected for the next scan
    qtbot.keyClicks(station.search, "g")
    assert not station.matches.isVisible() and station.search.text() == "zengg"
    qtbot.keyClick(station.search, Qt.Key.Key_Return)
    assert [t.split()[0] for t in match_texts(station)] == ["曾国藩"]

    # Nobody at all: the message, no list.
    scan(qtbot, station, "cengguofan")
    assert not station.matches.isVisible()
    assert station.search_error.isVisible() and "找不到考生" in station.search_error.text()


def test_many_matches_make_a_short_list(qtbot, station, container, actor, make_candidate_raw):
    for n, given in enumerate("一二三四五六七八九十", start=3):
        container.candidates.create(actor, make_candidate_raw(n, name="曾" + given))
    scan(qtbot, station, "zeng")
    assert len(match_texts(station)) == MAX_MATCHES == 8
    assert "10 人" in station.matches_label.text() and "只列出前 8 人" in station.matches_label.text()
    for _ in range(MAX_MATCHES + 2):
        qtbot.keyClick(station.search, Qt.Key.Key_Down)
    assert station.matches.currentRow() == MAX_MATCHES - 1
    qtbot.keyClick(station.search, Qt.Key.Key_PageUp)
    assert station.matches.currentRow() == 0


def test_space_with_a_good_shot_stores_the_photo(qtbot, station, container):
    qtbot.waitUntil(lambda: station.preview.state == LIVE, timeout=5000)
    scan(qtbot, station, "2023000001")
    qtbot.keyClick(station.preview, Qt.Key.Key_F1)
    wait_ok(qtbot, station)
    assert "合格" in station.hints.text()
    with qtbot.waitSignal(station.capture_stored, timeout=5000) as stored:
        qtbot.keyClick(station.preview, Qt.Key.Key_Space)
    info = stored.args[0]
    assert info.kind == "photo" and info.width == 480 and info.height == 640
    assert 20 * 1024 <= info.size_bytes <= 40_000
    assert [h.kind for h in container.capture.history("2023000001")] == ["photo"]
    assert step_texts(station)[0].startswith("✓")
    # The station moves on to the next camera step by itself.
    assert station.mode == "id_front"
    assert station.thumb.pixmap() is not None and not station.thumb.pixmap().isNull()
    # A retake replaces it; the old one stays in the history, shown as replaced.
    qtbot.keyClick(station.preview, Qt.Key.Key_F1)
    wait_ok(qtbot, station)
    with qtbot.waitSignal(station.capture_stored, timeout=5000):
        qtbot.keyClick(station.preview, Qt.Key.Key_Space)
    history = container.capture.history("2023000001", "photo")
    assert [h.active for h in history] == [True, False]
    assert any("已被重拍替换" in station.history.item(i).text() for i in range(station.history.count()))


def test_bad_frame_is_refused_with_hint_then_overridden_with_reason(qtbot, station, container, camera):
    scan(qtbot, station, "2023000001")
    dark = shots.darkened(shots.good_shot(), 0.18)
    camera.show(dark)
    wait_ok(qtbot, station, ok=False)
    with qtbot.waitSignal(station.capture_refused, timeout=3000) as refused:
        qtbot.keyClick(station.preview, Qt.Key.Key_Space)
    assert refused.args[0], "a refusal says why"
    assert "未保存" in station.message.text()
    assert container.capture.history("2023000001") == []
    qtbot.keyClick(station.preview, Qt.Key.Key_F9)
    dialog = station.findChild(OverrideDialog)
    assert dialog is not None and dialog.isVisible()
    # No reason: refused again.
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "理由" in dialog.error.text()
    qtbot.keyClicks(dialog.reason, "lamp broken, checked in person")
    with qtbot.waitSignal(station.capture_stored, timeout=5000) as stored:
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert stored.args[0].override_reason == "lamp broken, checked in person"
    events = [e for e in container.audit_log.entries() if e.action == "capture.override"]
    assert events and "lamp broken" in events[0].summary


def test_unplug_mid_preview_says_so_and_recovers(qtbot, station, camera):
    qtbot.waitUntil(lambda: station.preview.state == LIVE, timeout=5000)
    camera.mock.unplug()
    qtbot.waitUntil(lambda: station.preview.state == UNPLUGGED, timeout=5000)
    assert "断开" in station.hints.text()
    camera.mock.replug()
    qtbot.waitUntil(lambda: station.preview.state == LIVE, timeout=5000)
    shown = station.preview.frames_shown
    qtbot.waitUntil(lambda: station.preview.frames_shown > shown + 3, timeout=5000)
    assert camera.opens >= 2


def test_fingerprints_are_captured_with_quality(qtbot, station, container):
    scan(qtbot, station, "2023000001")
    qtbot.keyClick(station.preview, Qt.Key.Key_F4)
    fps = container.capture.history("2023000001", "fingerprint")
    assert sorted(f.subkind for f in fps) == ["right_index", "right_middle"]
    assert all(f.ext == "png" and f.quality["score"] >= 40 for f in fps)
    assert [t.startswith("✓") for t in step_texts(station)[3:5]] == [True, True]
    assert "质量" in station.message.text()


def test_poor_fingerprint_offers_retry_and_cancel(qtbot, station, container):
    station.devices.fingerprint().script(["poor"] * 6)
    scan(qtbot, station, "2023000001")
    qtbot.keyClick(station.preview, Qt.Key.Key_F4)
    dialog = station.findChild(FingerprintDialog)
    assert dialog.isVisible() and dialog.retry_button.isVisible() and "质量" in dialog.quality.text()
    assert container.capture.history("2023000001", "fingerprint") == []
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_a_poor_fingerprint_kept_with_a_reason_is_stored_and_the_next_finger_follows(qtbot, station, container):
    station.devices.fingerprint().script(["poor"] * 3)  # the first finger's tries (retries: 3)
    scan(qtbot, station, "2023000001")
    qtbot.keyClick(station.preview, Qt.Key.Key_F4)
    dialog = station.findChild(FingerprintDialog)
    assert dialog.keep_button.isVisible()
    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    override = dialog.findChild(OverrideDialog)
    assert override is not None and override.isVisible()
    qtbot.keyClicks(override.reason, "skin peeling")
    with qtbot.waitSignal(dialog.finished_all, timeout=5000):
        qtbot.keyClick(override.reason, Qt.Key.Key_Return)
    fps = {f.subkind: f for f in container.capture.history("2023000001", "fingerprint")}
    assert fps["right_index"].override_reason == "skin peeling" and fps["right_index"].quality["score"] < 40
    assert fps["right_middle"].override_reason == "" and fps["right_middle"].quality["score"] >= 40


def test_id_card_front_is_found_rectified_and_stored(qtbot, station, container, camera):
    scan(qtbot, station, "2023000001")
    camera.show(card_shot())
    qtbot.keyClick(station.preview, Qt.Key.Key_F2)
    assert station.mode == "id_front"
    qtbot.waitUntil(lambda: station.preview.result is not None
                    and getattr(station.preview.result, "corners", None) is not None, timeout=8000)
    with qtbot.waitSignal(station.capture_stored, timeout=5000) as stored:
        qtbot.keyClick(station.preview, Qt.Key.Key_Space)
    info = stored.args[0]
    assert info.kind == "id_front" and (info.width, info.height) == (1011, 637)
    assert info.extra["manual"] is False


def print_without_outline() -> np.ndarray:
    """A card's print on a desk of the same grey: lines of text, no edge to find."""
    frame = np.full((720, 1280, 3), 128, np.uint8)
    for i in range(6):
        cv2.putText(frame, f"GONGMIN SHENFEN HAOMA 4101 {i:04d}", (260, 200 + 60 * i), cv2.FONT_HERSHEY_SIMPLEX,
                    1.0, (30, 30, 40), 2, cv2.LINE_AA)
    return frame


def test_id_card_back_without_outline_takes_manual_corners(qtbot, station, container, camera):
    scan(qtbot, station, "2023000001")
    camera.show(print_without_outline())
    qtbot.keyClick(station.preview, Qt.Key.Key_F3)
    wait_card_analysis(qtbot, station)
    qtbot.keyClick(station.preview, Qt.Key.Key_Space)
    dialog = station.findChild(CornerDialog)
    assert dialog is not None and dialog.isVisible()
    before = dialog.editor.corners.copy()
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert dialog.editor.corners[0][0] > before[0][0]
    with qtbot.waitSignal(station.capture_stored, timeout=5000) as stored:
        qtbot.keyClick(dialog.editor, Qt.Key.Key_Return)
    info = stored.args[0]
    assert info.kind == "id_back" and info.extra["manual"] is True and (info.width, info.height) == (1011, 637)


def test_chip_read_finds_the_student_and_shows_differences(qtbot, station, container, make_candidate_raw):
    from app.devices.idcard import ChipData

    raw = make_candidate_raw(1)
    chip = ChipData(name="王小明", gender=raw["gender"], ethnicity="回族",
                    birth_date=dt.date(2002, 1, 2), address="河南省郑州市", id_number=raw["id_number"],
                    valid_from=dt.date(2020, 1, 1), valid_to=dt.date(2040, 1, 1), photo_jpeg=b"")
    station.devices._made["idcard"] = ScriptedReader(chip)
    qtbot.keyClick(station.search, Qt.Key.Key_F6)
    assert "2023000001" in station.who.text()
    assert station.chip_box.isVisible()
    text = station.chip_box.text()
    assert "姓名不一致" in text and "民族不一致" in text
    chips = container.capture.history("2023000001", "id_chip")
    assert len(chips) == 1 and chips[0].extra["id_number"] == raw["id_number"]
    assert len(chips[0].extra["differences"]) >= 2


def test_keyboard_only_flow_counts_the_day(qtbot, station, container):
    assert station.today.text() == "本桌今日：0 人"
    scan(qtbot, station, "2023000001")
    wait_ok(qtbot, station)
    with qtbot.waitSignal(station.capture_stored, timeout=5000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert station.today.text() == "本桌今日：1 人"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    move_on(qtbot, station)
    assert station.checklist is None and QApplication.focusWidget() is station.search
    scan(qtbot, station, "2023000002")
    assert "2023000002" in station.who.text()
    assert station.today.text() == "本桌今日：1 人"


def test_f5_asks_which_document_and_stores_the_choice(qtbot, station, container, camera):
    scan(qtbot, station, "2023000001")  # 普通考生: no document required, 其他材料 preselected
    camera.show(card_shot())
    qtbot.keyClick(station.preview, Qt.Key.Key_F5)
    dialog = station.findChild(DocumentKindDialog)
    assert dialog is not None and dialog.isVisible()
    assert [dialog.choices.item(i).text() for i in range(3)] == ["1  退役证", "2  获奖证书", "3  其他材料"]
    assert dialog.choices.currentRow() == 2
    qtbot.keyClick(dialog.choices, Qt.Key.Key_1)  # a digit picks and closes at once
    assert not dialog.isVisible()
    assert station.mode == "document" and station.document_kind == "discharge"
    assert "退役证" in station.mode_label.text()
    # Again, and this time 其他材料 with the arrows and Enter.
    qtbot.keyClick(station.preview, Qt.Key.Key_F5)
    dialog = station.document_dialog
    assert dialog.isVisible() and dialog.choices.currentRow() == 2
    qtbot.keyClick(dialog.choices, Qt.Key.Key_Up)
    qtbot.keyClick(dialog.choices, Qt.Key.Key_Down)
    with qtbot.waitSignal(dialog.kind_chosen) as chosen:
        qtbot.keyClick(dialog.choices, Qt.Key.Key_Return)
    assert chosen.args == ["other"] and station.document_kind == "other"
    assert "其他材料" in station.mode_label.text()
    qtbot.waitUntil(lambda: station.preview.result is not None
                    and getattr(station.preview.result, "corners", None) is not None, timeout=8000)
    assert QApplication.focusWidget() is station.preview  # back where Space captures
    with qtbot.waitSignal(station.capture_stored, timeout=5000) as stored:
        qtbot.keyClick(station.preview, Qt.Key.Key_Space)
    info = stored.args[0]
    assert (info.kind, info.subkind, info.label) == ("document", "other", "其他材料")
    assert [(d.kind, d.subkind) for d in container.capture.history("2023000001", "document")] == [("document", "other")]


def test_f5_preselects_the_required_document_and_esc_keeps_the_step(qtbot, station):
    scan(qtbot, station, "2023000002")  # 退役大学生士兵
    qtbot.keyClick(station.preview, Qt.Key.Key_F1)
    qtbot.keyClick(station.preview, Qt.Key.Key_F5)
    dialog = station.document_dialog
    assert dialog.choices.currentRow() == 0 and "需要" in dialog.choices.item(0).text()
    qtbot.keyClick(dialog.choices, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and station.mode == "photo"
    qtbot.keyClick(station.preview, Qt.Key.Key_F5)
    qtbot.keyClick(station.document_dialog.choices, Qt.Key.Key_Return)
    assert station.mode == "document" and station.document_kind == "discharge"


def _drawn_guide(qtbot, station, face_x: int | None):
    """Wait until the overlay has drawn the analysis of the frame on screen; its guide and rectangle."""
    def drawn() -> bool:
        guide, result = station.preview.overlay.last_guide, station.preview.result
        if guide is None or result is None:
            return False
        if face_x is None:
            return not guide.follows_face and result.face is None
        return (guide.follows_face and result.ok and result.face is not None
                and abs(result.face[0] + result.face[2] / 2 - face_x) < 40
                and guide.crop == pytest.approx((result.crop.x, result.crop.y, result.crop.width,
                                                 result.crop.height)))

    qtbot.waitUntil(drawn, timeout=8000)
    return station.preview.overlay.last_guide, QRectF(station.preview.overlay.last_rect), station.preview.result


def test_overlay_draws_the_crop_the_analysis_proposes(qtbot, station, camera):
    qtbot.waitUntil(lambda: station.preview.state == LIVE, timeout=5000)
    spec = station.spec
    rects = {}
    for face_x in (420, 860):
        camera.show(shots.make_shot(face_x=[face_x]))
        guide, rect, result = _drawn_guide(qtbot, station, face_x)
        x, y, w, h = guide.crop
        # The crop follows the face, and the bands sit inside that crop where the spec puts them.
        assert abs(x + w / 2 - face_x) < 0.1 * w
        s = h / spec.height
        assert guide.eye_band == pytest.approx((y + spec.eye_line[0] * s, y + spec.eye_line[1] * s))
        assert guide.hair_band == pytest.approx((y + spec.hair_top[0] * s, y + spec.hair_top[1] * s))
        assert guide.eye_band[0] <= result.eye_y <= guide.eye_band[1]
        m = station.preview.mapping
        frame_rect = m.rect(0, 0, m.frame_w, m.frame_h)
        assert frame_rect.adjusted(-0.5, -0.5, 0.5, 0.5).contains(rect)
        assert rect == m.rect(*guide.crop)
        rects[face_x] = rect
    assert rects[860].center().x() - rects[420].center().x() > 0.25 * m.frame_w * m.scale
    # No face: the fixed, centred guide.
    camera.show(shots.background_only(shots.good_shot()))
    guide, rect, _ = _drawn_guide(qtbot, station, None)
    assert guide.crop == pytest.approx(guide_rect(m.frame_w, m.frame_h, spec))


def test_photo_guide_stays_inside_the_frame_and_ignores_foreign_results():
    from app.photo.analysis import Analysis, Crop
    from app.photo.spec import PhotoSpec

    spec = PhotoSpec()
    spilling = Analysis(checks=[], face=(1100, 200, 150, 150), crop=Crop(1000.0, -20.0, 480.0, 640.0, 1.0),
                        frame_size=(1280, 720))
    g = photo_guide(spilling, spec, 1280, 720)
    x, y, w, h = g.crop
    assert g.follows_face and (x, y) == (1000.0, 0.0) and x + w <= 1280 and y + h <= 720
    for top, bottom in (g.eye_band, g.hair_band):
        assert y <= top <= bottom <= y + h
    hx, hy, hw, hh = g.head
    assert x <= hx and hx + hw <= x + w + 1e-6 and hy + hh <= y + h + 1e-6
    # An analysis of another frame size (or none at all) falls back to the fixed guide.
    other = Analysis(checks=[], face=(10, 10, 50, 50), crop=Crop(0.0, 0.0, 300.0, 400.0, 1.0), frame_size=(640, 480))
    for result in (other, None):
        g = photo_guide(result, spec, 1280, 720)
        assert not g.follows_face and g.crop == pytest.approx(guide_rect(1280, 720, spec))


def test_buttons_are_never_dead(qtbot, station):
    for button in station.findChildren(QPushButton):
        if button.isVisible() and button.isEnabled():
            assert button.receivers("2clicked()") or button.receivers("2clicked(bool)"), button.text()


def test_f7_completes_the_service_dates_the_roster_lacked(qtbot, station, container, actor, make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw(3, category="退役大学生士兵"))
    scan(qtbot, station, "2023000003")
    texts = step_texts(station)
    assert texts[-2:] == ["○  F7  补填入伍时间", "○  F7  补填退役时间"]
    qtbot.keyClick(station.preview, Qt.Key.Key_F7)
    editor = station.editor
    assert editor is not None and editor.isVisible()
    start = editor.findChild(QLineEdit, "field_veteran_service_start")
    qtbot.waitUntil(start.hasFocus)
    qtbot.keyClicks(start, "2020-09-01")
    qtbot.keyClicks(editor.findChild(QLineEdit, "field_veteran_service_end"), "2022-09-01")
    qtbot.waitUntil(editor.save_button.isEnabled)
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: step_texts(station)[-1].startswith("✓"))
    assert step_texts(station)[-2].startswith("✓")
    assert container.candidates.get("2023000003").data.veteran_service_end.isoformat() == "2022-09-01"


def test_a_face_with_manual_corners_is_not_taken_for_an_id_card(qtbot, station, container, camera):
    scan(qtbot, station, "2023000001")
    camera.show(shots.good_shot())
    qtbot.keyClick(station.preview, Qt.Key.Key_F2)
    wait_card_analysis(qtbot, station)
    qtbot.keyClick(station.preview, Qt.Key.Key_Space)
    dialog = station.findChild(CornerDialog)
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(station.capture_refused, timeout=5000) as refused:
        qtbot.keyClick(dialog.editor, Qt.Key.Key_Return)
    assert any("看不到身份证上的文字行" in hint for hint in refused.args[0])
    assert "看不到身份证上的文字行" in station.message.text() and station.override_button.isEnabled()
    assert container.capture.history("2023000001", "id_front") == []
    # The counsellor knows better (a worn card): F9 with a reason keeps it, and the reason is recorded.
    qtbot.keyClick(station.preview, Qt.Key.Key_F9)
    override = station.findChild(OverrideDialog)
    override.reason.setText("身份证磨损严重，文字看不清")
    with qtbot.waitSignal(station.capture_stored, timeout=5000) as stored:
        qtbot.keyClick(override.reason, Qt.Key.Key_Return)
    info = stored.args[0]
    assert info.kind == "id_front" and info.override_reason == "身份证磨损严重，文字看不清"
    assert info.quality["looks_like_card"] is False


def test_cancelling_the_corners_says_nothing_was_saved(qtbot, station, camera):
    scan(qtbot, station, "2023000001")
    camera.show(np.full((720, 1280, 3), 128, np.uint8))
    qtbot.keyClick(station.preview, Qt.Key.Key_F3)
    wait_card_analysis(qtbot, station)
    qtbot.keyClick(station.preview, Qt.Key.Key_Space)
    dialog = station.findChild(CornerDialog)
    qtbot.keyClick(dialog.editor, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert "已取消手动标角，身份证背面未保存" in station.message.text()


def test_next_with_steps_missing_asks_and_keeps_the_student(qtbot, station, container):
    scan(qtbot, station, "2023000001")
    qtbot.keyClick(station.preview, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    box = station.leave_box
    assert box.isVisible() and "还缺 照片、身份证正面、身份证背面、指纹，确定下一位？" in box.text()
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # 继续采集 is the default
    assert not box.isVisible() and "2023000001" in station.who.text()
    # Scanning the next student asks the same; confirming moves on.
    scan(qtbot, station, "2023000002")
    box = station.leave_box
    assert box.isVisible()
    confirm = next(b for b in box.buttons() if b.text() == "确定下一位")
    qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)
    assert "2023000002" in station.who.text()


def test_after_the_last_step_the_scan_box_takes_the_next_student(qtbot, station, container, camera):
    container.settings.set(container.actor, "fingerprint_fingers", ["右手中指"])
    station._load_settings()
    for kind in ("photo", "id_front", "id_back"):
        container.capture.record(container.actor, "2023000001", kind, kind.encode(), "jpg")
    scan(qtbot, station, "2023000001")
    # Only the fingerprint is left: the hint names its key, not a card the camera cannot find.
    qtbot.waitUntil(lambda: "按 F4 采集指纹" in station.hints.text(), timeout=5000)
    qtbot.wait(300)
    assert "未找到" not in station.hints.text()
    qtbot.keyClick(station.preview, Qt.Key.Key_F4)
    qtbot.waitUntil(lambda: station.checklist is not None and station.checklist.complete, timeout=8000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is station.search, timeout=5000)
    assert "全部完成" in station.message.text() and station.hints.text() == "✓ 全部完成"
    scan(qtbot, station, "2023000002")  # no question: the student before is complete
    assert "2023000002" in station.who.text()


def test_f8_lists_todays_unfinished_and_who_has_not_come(qtbot, station, container):
    container.capture.record(container.actor, "2023000002", "photo", b"p", "jpg")
    qtbot.keyClick(station.search, Qt.Key.Key_F8)
    dialog = station.list_dialog
    assert dialog.isVisible()
    unfinished = dialog.unfinished
    assert unfinished.topLevelItemCount() == 1 and unfinished.topLevelItem(0).text(0) == "2023000002"
    assert "身份证正面" in unfinished.topLevelItem(0).text(3)
    groups = dialog.not_come
    assert sum(groups.topLevelItem(i).childCount() for i in range(groups.topLevelItemCount())) == 1
    # Enter on the unfinished student brings them back to the table.
    unfinished.setFocus()
    unfinished.setCurrentItem(unfinished.topLevelItem(0))
    qtbot.keyClick(unfinished, Qt.Key.Key_Return)
    assert not dialog.isVisible() and "2023000002" in station.who.text()


def test_a_photo_verdict_never_stands_for_the_card_after_f2(qtbot, station, camera):
    """An analysis running when the mode changes is dropped: right after F2 the preview holds no
    photo result, only card results (Space then never mistakes a face check for a missing card)."""
    from app.station.card import QuadResult

    scan(qtbot, station, "2023000001")
    qtbot.waitUntil(lambda: station.preview.result is not None, timeout=8000)
    seen: list[object] = []
    station.preview.analysed.connect(seen.append)
    for _ in range(5):
        qtbot.keyClick(station.preview, Qt.Key.Key_F2)
        qtbot.wait(40)
        qtbot.keyClick(station.preview, Qt.Key.Key_F1)
        qtbot.wait(40)
    qtbot.keyClick(station.preview, Qt.Key.Key_F2)
    seen.clear()
    qtbot.waitUntil(lambda: len(seen) >= 3, timeout=8000)
    assert all(isinstance(r, QuadResult) for r in seen)


def test_a_long_name_and_a_long_history_line_are_shown_whole(qtbot, station, container, actor, make_candidate_raw):
    name = "阿卜杜热依木·买买提艾力"
    container.candidates.create(actor, make_candidate_raw(5, name=name, class_name="电子信息工程技术2023级1班"))
    key = make_candidate_raw(5)["student_no"]
    reason = "背景颜色略深，学生坚持使用本人照片，已请其本人在确认表上签字"
    container.capture.record(actor, key, "photo", b"p", "jpg", override_reason=reason)
    scan(qtbot, station, key)
    who = station.who
    assert who.text().startswith(name)
    # The name wraps rather than being cut, however narrow the student's side is made.
    for width in (420, 260):
        who.parentWidget().setFixedWidth(width)
        qtbot.waitUntil(lambda w=width: who.height() >= who.heightForWidth(who.width()) and who.width() <= w)
    # The override's reason wraps inside the history list (no sideways scrolling) and is its tooltip.
    history = station.history
    row = next(i for i in range(history.count()) if reason in history.item(i).text())
    item = history.item(row)
    assert item.toolTip() == item.text()
    qtbot.waitUntil(lambda: history.visualItemRect(item).height() > history.fontMetrics().height() * 1.5)
    assert history.visualItemRect(item).right() <= history.viewport().width()
    assert not history.horizontalScrollBar().isVisible()


# -- reading the student on the task runner -----------------------------------------------------------
class _Gate:
    """Holds each read of a checklist until the test lets it go, noting the thread it ran on."""

    def __init__(self, monkeypatch, capture) -> None:
        self.open = threading.Event()
        self.keys: list[str] = []
        self.threads: set[str] = set()
        real = capture.checklist

        def checklist(key: str):
            self.threads.add(threading.current_thread().name)
            self.keys.append(key)
            assert self.open.wait(5)
            return real(key)

        monkeypatch.setattr(capture, "checklist", checklist)


@pytest.fixture
def threaded(qtbot, container, actor, make_candidate_raw, camera):
    """The station with the real, threaded task runner (as in the application)."""
    from app.devices.fingerprint.mock import MockFingerprint

    container.candidates.create(actor, make_candidate_raw(1))
    container.candidates.create(actor, make_candidate_raw(2))
    devices = Devices(container.settings.get, mock=True,
                      drivers={"camera": camera.mock, "fingerprint": MockFingerprint()})
    runner = TaskRunner()
    view = StationView(actor, runner, capture=container.capture, candidates=container.candidates,
                       settings=container.settings, devices=devices, retry_s=0.1)
    qtbot.addWidget(view)
    view.resize(1180, 680)
    view.show()
    qtbot.waitExposed(view)
    yield view
    view.stop_camera()
    runner.wait(5000)


def test_the_student_is_read_off_the_gui_thread_and_the_keys_wait_for_it(qtbot, threaded, container, monkeypatch):
    view = threaded
    qtbot.waitUntil(lambda: view.preview.state == LIVE, timeout=5000)
    gate = _Gate(monkeypatch, container.capture)
    scan(qtbot, view, "2023000001")
    qtbot.waitUntil(lambda: gate.keys == ["2023000001"], timeout=5000)
    assert view.reading and view.message.text() == "正在读取考生信息…"
    qtbot.keyClick(view.preview, Qt.Key.Key_Space)  # too early: nobody is shown yet
    assert view.message.text() == "正在读取考生信息，请稍候。" and not view.busy
    gate.open.set()
    qtbot.waitUntil(lambda: "2023000001" in view.who.text() and not view.reading, timeout=5000)
    assert threading.current_thread().name not in gate.threads
    assert view.message.text().startswith("已找到")
    # Then the keyboard flow as ever: F1, Space, and on to the ID card's front by itself.
    qtbot.keyClick(view.preview, Qt.Key.Key_F1)
    wait_ok(qtbot, view)
    with qtbot.waitSignal(view.capture_stored, timeout=8000):
        qtbot.keyClick(view.preview, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: view.mode == "id_front" and step_texts(view)[0].startswith("✓"), timeout=5000)
    assert view.thumb.pixmap() is not None and not view.thumb.pixmap().isNull()
    qtbot.waitUntil(lambda: view.today.text() == "本桌今日：1 人", timeout=5000)


def test_a_student_left_before_the_answer_came_is_not_shown(qtbot, threaded, container, monkeypatch):
    view = threaded
    gate = _Gate(monkeypatch, container.capture)
    loaded: list[str] = []
    view.candidate_loaded.connect(loaded.append)
    scan(qtbot, view, "2023000001")
    qtbot.waitUntil(lambda: gate.keys == ["2023000001"], timeout=5000)
    scan(qtbot, view, "2023000002")  # the counsellor moved on before the first answer came
    gate.open.set()
    qtbot.waitUntil(lambda: "2023000002" in view.who.text(), timeout=5000)
    view.runner.wait(5000)
    qtbot.wait(50)  # a late delivery of the first read would land now
    assert loaded == ["2023000002"] and "2023000002" in view.who.text()
    assert not hasattr(view, "leave_box") or not view.leave_box.isVisible()
