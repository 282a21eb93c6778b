"""``regdesk-cli photo check`` and ``regdesk-cli devices list``, in-process."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.photo.process import jpeg_markers
from tests.app.cli.cli_helpers import run

_spec = importlib.util.spec_from_file_location(
    "exam_shot", Path(__file__).resolve().parents[2] / "fixtures" / "exam_shot.py")
shots = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("exam_shot", shots)
_spec.loader.exec_module(shots)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("photos")
    good, astro = folder / "考生.jpg", folder / "astronaut.png"
    cv2.imencode(".jpg", shots.good_shot(), [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tofile(str(good))
    cv2.imencode(".png", shots.astronaut_bgr())[1].tofile(str(astro))
    return {"good": good, "astro": astro}


def test_accepted_photo_is_written(capsys, tmp_path: Path, files) -> None:
    out = tmp_path / "out" / "photo.jpg"
    out.parent.mkdir()
    code, stdout, stderr = run(capsys, "--data", tmp_path / "d", "photo", "check", files["good"], "--out", out)
    assert code == 0, stderr
    assert "✓ 人脸" in stdout and "✗" not in stdout and "合格，已写出照片" in stdout
    data = out.read_bytes()
    assert 20 * 1024 <= len(data) <= 40_000 and 0xE1 not in jpeg_markers(data)
    assert cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR).shape == (640, 480, 3)


def test_photo_into_a_missing_folder(capsys, tmp_path: Path, files) -> None:
    out = tmp_path / "nope" / "photo.jpg"
    code, _stdout, stderr = run(capsys, "--data", tmp_path / "d", "photo", "check", files["good"], "--out", out)
    assert code == 1 and f"“{out.parent}”不存在" in stderr
    assert not out.parent.exists()


def test_refused_photo_exits_1_with_hints(capsys, tmp_path: Path, files) -> None:
    out = tmp_path / "photo.jpg"
    code, stdout, stderr = run(capsys, "--data", tmp_path / "d", "photo", "check", files["astro"], "--out", out)
    assert code == 1
    assert "✗ 脸部大小" in stdout and "请靠近一点" in stdout
    assert stderr.startswith("不合格：请靠近一点") and "背景不均匀" in stderr
    assert not out.exists()


def test_json(capsys, tmp_path: Path, files) -> None:
    code, stdout, _ = run(capsys, "--data", tmp_path / "d", "photo", "check", files["astro"], "--json")
    assert code == 1
    result = json.loads(stdout)
    assert result["ok"] is False and result["hints"][0] == "请靠近一点"
    assert {c["name"]: c["ok"] for c in result["checks"]}["face"] is True


def test_unreadable_file(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"nope")
    code, _, stderr = run(capsys, "--data", tmp_path / "d", "photo", "check", bad)
    assert code == 1 and "无法读取图片" in stderr
    code, _, stderr = run(capsys, "--data", tmp_path / "d", "photo", "check", tmp_path / "missing.jpg")
    assert code == 1 and "找不到文件" in stderr


def test_devices_list(capsys, tmp_path: Path) -> None:
    code, stdout, _ = run(capsys, "--data", tmp_path / "d", "devices", "list", "--json")
    assert code == 0
    kinds = {k["kind"]: k for k in json.loads(stdout)["kinds"]}
    mock = next(d for d in kinds["camera"]["drivers"] if d["driver"] == "mock")
    assert mock["devices"] == [{"id": "mock0", "name": "模拟摄像头", "driver": "mock"}]
    code, stdout, _ = run(capsys, "--data", tmp_path / "d", "devices", "list")
    assert code == 0 and "摄像头（camera）：" in stdout and "mock：mock0  模拟摄像头" in stdout
