"""``regdesk-cli fingerprint capture``: take one print from a reader, gate it on quality, save a PNG.

The reader, the quality threshold and the number of tries come from the settings unless given.
Prompts for the student (place finger, lift, retry) go to stderr as they happen; the figures go to
stdout (or one JSON object with ``--json``). Errors are in Chinese with exit status 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app import outfile
from app.cli.context import CliContext
from app.cli.parser import Subparsers, command, group
from app.devices.fingerprint import DEFAULT_TIMEOUT_S, create_driver, driver_names
from app.errors import ValidationError
from app.station.fingerprint import capture_fingerprint
from app.tasks import CancelToken

QUALITY_LABELS = {"score": "质量分", "foreground": "指纹面积占比", "coherence": "纹线方向一致性",
                  "contrast": "对比度", "sharpness": "清晰度"}


def cmd_fingerprint_capture(ctx: CliContext, args: argparse.Namespace) -> int:
    from app.settings.service import FINGER_LABELS

    finger = args.finger
    if finger not in FINGER_LABELS:
        by_label = {v: k for k, v in FINGER_LABELS.items()}
        finger = by_label.get(finger, "")
        if not finger:
            raise ValidationError(f"未知的手指“{args.finger}”，可选：{'、'.join(FINGER_LABELS)}。", "finger")
    name = args.driver or str(ctx.container.settings.get("fingerprint_driver"))
    threshold = int(args.threshold if args.threshold is not None
                    else ctx.container.settings.get("fingerprint_quality_threshold"))
    retries = int(args.retries if args.retries is not None else ctx.container.settings.get("fingerprint_retries"))
    opts: dict[str, object] = {}
    if args.mock_script:
        if name != "mock":
            raise ValidationError("--mock-script 只能与 --driver mock 一起使用。", "mock_script")
        opts["script"] = args.mock_script
    out = Path(args.out)
    if out.suffix.lower() != ".png":
        raise ValidationError(f"输出文件须为 .png：{out}", "out")
    outfile.check_target(out)  # before the student puts a finger on the reader, not after

    def on_event(_event: str, message: str) -> None:
        ctx.out.tell(message)

    result, info = capture_fingerprint(create_driver(name, **opts), finger, threshold=threshold, retries=retries,
                                       device_id=args.device or "", timeout_s=args.timeout, cancel=CancelToken(),
                                       on_event=on_event, subject=args.subject or "")
    image = result.image
    outfile.write_bytes(out, image.png())
    quality = result.quality.to_dict()
    if ctx.json:
        ctx.out.emit({"ok": True, "out": str(out), "finger": finger, "driver": image.driver, "device": info.name,
                      "device_id": info.id, "width": image.width, "height": image.height, "ppi": image.ppi,
                      "attempts": result.attempts, "threshold": threshold, "quality": quality})
        return 0
    ctx.out.say(f"已采集 {FINGER_LABELS[finger]}（{info.name}，{image.width}×{image.height}，{image.ppi} ppi，"
                f"第 {result.attempts} 次），已保存到 {out}")
    for key, label in QUALITY_LABELS.items():
        value = quality[key]
        ctx.out.say(f"  {label}：{value:.3f}" if isinstance(value, float) else f"  {label}：{value}")
    ctx.out.say(f"  合格线：{threshold}")
    return 0


def register(sub: Subparsers) -> None:
    fsub = group(sub, "fingerprint", "指纹采集器")
    p = command(fsub, "capture", cmd_fingerprint_capture, "采集一枚指纹，检查质量，保存为 8 位灰度 PNG")
    p.add_argument("--driver", metavar="NAME",
                   help=f"驱动（默认取设置 fingerprint_driver）：{'、'.join(driver_names())}")
    p.add_argument("--device", metavar="ID", help="设备编号（默认第一台）")
    p.add_argument("--finger", default="right_index", metavar="NAME", help="手指，例如 right_index（默认右手食指）")
    p.add_argument("--out", required=True, metavar="FILE.png", help="保存指纹图像的 PNG 文件")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                   help=f"等待手指的秒数（默认 {DEFAULT_TIMEOUT_S:g}）")
    p.add_argument("--threshold", type=int, metavar="N", help="质量合格线 0–100（默认取设置）")
    p.add_argument("--retries", type=int, metavar="N", help="最多采集几次（默认取设置）")
    p.add_argument("--subject", metavar="KEY", help="模拟采集器：考生的学号或身份证号（决定生成的指纹）")
    p.add_argument("--mock-script", metavar="STEPS",
                   help="模拟采集器的故障脚本，例如 retry:too_short,poor,ok（演示和测试用）")
