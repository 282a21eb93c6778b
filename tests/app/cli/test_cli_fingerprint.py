"""``regdesk-cli fingerprint capture`` with the simulated reader."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from app.devices.fingerprint.mock import synthetic_print
from tests.app.cli.cli_helpers import run


def test_capture_writes_a_grey_png_and_prints_the_figures(tmp_path: Path, capsys) -> None:
    out = tmp_path / "fp" / "right_index.png"
    out.parent.mkdir()
    code, stdout, stderr = run(capsys, "--data", tmp_path / "data", "fingerprint", "capture", "--driver", "mock",
                               "--subject", "2021001", "--out", out)
    assert code == 0, stderr
    assert "请将手指放在采集器上" in stderr and "请抬起手指" in stderr
    assert "质量分：" in stdout and "纹线方向一致性" in stdout and str(out) in stdout
    pixels = cv2.imread(str(out), cv2.IMREAD_UNCHANGED)
    assert pixels.dtype == np.uint8 and pixels.ndim == 2
    assert np.array_equal(pixels, synthetic_print("2021001", "right_index"))


def test_a_missing_folder_is_refused_before_the_finger_is_asked_for(tmp_path: Path, capsys) -> None:
    out = tmp_path / "nope" / "f.png"
    code, _stdout, stderr = run(capsys, "--data", tmp_path / "data", "fingerprint", "capture", "--driver", "mock",
                                "--out", out)
    assert code == 1 and f"“{out.parent}”不存在" in stderr
    assert "请将手指放在采集器上" not in stderr
    assert not out.parent.exists()


def test_json_output_after_a_retake(tmp_path: Path, capsys) -> None:
    out = tmp_path / "f.png"
    code, stdout, stderr = run(capsys, "--data", tmp_path / "data", "fingerprint", "capture", "--driver", "mock",
                               "--finger", "右手中指", "--mock-script", "retry:center_finger,poor,ok",
                               "--out", out, "--json")
    assert code == 0, stderr
    result = json.loads(stdout)
    assert result["ok"] and result["finger"] == "right_middle" and result["attempts"] == 2
    assert (result["width"], result["height"], result["ppi"]) == (300, 400, 500)
    assert result["quality"]["score"] >= result["threshold"] == 40
    assert "请将手指放在采集器中央" in stderr and "指纹不清晰" in stderr


def test_threshold_and_retries_come_from_the_settings(tmp_path: Path, capsys) -> None:
    data = tmp_path / "data"
    assert run(capsys, "--data", data, "init", "--college-code", "10001", "--college-name", "测试学院")[0] == 0
    assert run(capsys, "--data", data, "settings", "set", "fingerprint_retries=1")[0] == 0
    code, _out, stderr = run(capsys, "--data", data, "fingerprint", "capture", "--driver", "mock",
                             "--mock-script", "poor,ok", "--out", tmp_path / "x.png")
    assert code == 1
    assert "错误：指纹质量不合格：1 次采集的最高分" in stderr
    assert not (tmp_path / "x.png").exists()


def test_errors_are_in_chinese_with_exit_1(tmp_path: Path, capsys) -> None:
    data = tmp_path / "data"
    code, stdout, stderr = run(capsys, "--data", data, "fingerprint", "capture", "--driver", "mock",
                               "--mock-script", "unplugged", "--out", tmp_path / "a.png", "--json")
    assert code == 1 and "错误：指纹采集器已断开" in stderr
    assert json.loads(stdout)["error"]["type"] == "Unplugged"
    code, _out, stderr = run(capsys, "--data", data, "fingerprint", "capture", "--driver", "mock",
                             "--mock-script", "no_finger", "--timeout", "0.1", "--out", tmp_path / "a.png")
    assert code == 1 and "没有检测到手指" in stderr
    code, _out, stderr = run(capsys, "--data", data, "fingerprint", "capture", "--driver", "nope",
                             "--out", tmp_path / "a.png")
    assert code == 1 and "未知的指纹采集器驱动“nope”" in stderr
    code, _out, stderr = run(capsys, "--data", data, "fingerprint", "capture", "--driver", "mock",
                             "--finger", "nose", "--out", tmp_path / "a.png")
    assert code == 1 and "未知的手指“nose”" in stderr
    code, _out, stderr = run(capsys, "--data", data, "fingerprint", "capture", "--driver", "mock",
                             "--out", tmp_path / "a.jpg")
    assert code == 1 and "输出文件须为 .png" in stderr
