"""``regdesk-cli photo check`` and ``regdesk-cli devices list``: the exam-photo checks on a file, and
the devices every driver can see.

``register(sub, command)`` is called by ``app.cli.build_parser`` with its sub-parser set and its
``command`` helper (which adds ``--json`` and binds the handler). Image libraries are imported in
the handlers, so other commands do not pay for OpenCV at start-up.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app import outfile
from app.errors import NotFoundError, ValidationError


def _emit(obj: dict) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def _value_text(value: object) -> str:
    if isinstance(value, dict):
        return "，".join(f"{k}={v}" for k, v in value.items())
    return "" if value is None else str(value)


def cmd_photo_check(ctx, args: argparse.Namespace) -> int:
    from app.station.photo import check_photo, photo_spec, read_image

    path = Path(args.image)
    if not path.is_file():
        raise NotFoundError(f"找不到文件：{path}")
    out = Path(args.out) if args.out else None
    if out is not None and out.suffix.lower() not in (".jpg", ".jpeg"):
        raise ValidationError(f"--out 应为 .jpg 文件：{out}", "out")
    if out is not None:
        outfile.check_target(out)
    frame = read_image(path)
    checked = check_photo(frame, photo_spec(ctx.c.settings.get("photo_spec")), make=out is not None)
    analysis, photo = checked.analysis, checked.photo
    if photo is not None and out is not None:
        outfile.write_bytes(out, photo.jpeg)
    if ctx.json:
        result = analysis.to_dict()
        result.update({"file": str(path), "hints": analysis.hints,
                       "out": str(out) if photo else None,
                       "bytes": len(photo.jpeg) if photo else None,
                       "quality": photo.quality if photo else None})
        _emit(result)
    else:
        print(f"{path}（{frame.shape[1]}×{frame.shape[0]}）")
        for c in analysis.checks:
            value = _value_text(c.value)
            line = f"  {'✓' if c.ok else '✗'} {c.label}" + (f"：{value}" if value else "")
            print(line + (f" — {c.hint_zh}" if c.hint_zh else ""))
        if photo is not None:
            print(f"合格，已写出照片：{out}（{photo.width}×{photo.height}，{len(photo.jpeg) / 1024:.1f} KB，"
                  f"JPEG 质量 {photo.quality}）")
        elif analysis.ok:
            print("合格。")
    if not analysis.ok:
        print("不合格：" + "；".join(analysis.hints), file=sys.stderr)
        if out is not None:
            print(f"未写出照片：{out}", file=sys.stderr)
        return 1
    return 0


def cmd_devices_list(ctx, args: argparse.Namespace) -> int:
    from app.devices.base import DeviceError, registries

    kinds = []
    for kind, registry in registries().items():
        drivers = []
        for name in registry.names():
            entry: dict = {"driver": name, "devices": [], "error": None}
            try:
                driver = registry.create(name)
                try:
                    entry["devices"] = [d.to_dict() for d in driver.list_devices()]
                finally:
                    close = getattr(driver, "close", None)
                    if close is not None:
                        close()
            except DeviceError as exc:
                entry["error"] = exc.message
            except Exception as exc:  # a vendor driver's fault must not hide the other kinds
                entry["error"] = f"驱动出错：{exc}"
            drivers.append(entry)
        kinds.append({"kind": kind, "label": registry.label, "drivers": drivers})
    if ctx.json:
        _emit({"ok": True, "kinds": kinds})
        return 0
    for k in kinds:
        print(f"{k['label']}（{k['kind']}）：")
        for d in k["drivers"]:
            if d["error"]:
                print(f"  {d['driver']}：{d['error']}")
            elif not d["devices"]:
                print(f"  {d['driver']}：未检测到设备")
            else:
                for dev in d["devices"]:
                    print(f"  {d['driver']}：{dev['id']}  {dev['name']}")
    return 0


def register(sub, command) -> None:
    photo = sub.add_parser("photo", help="考生照片", description="考生照片")
    psub = photo.add_subparsers(dest="photo_command", metavar="ACTION", required=True, parser_class=type(photo))
    p = command(psub, "check", cmd_photo_check, "按照片规格检查一张图片（合格时可用 --out 写出处理后的照片）")
    p.add_argument("image", metavar="IMAGE", help="图片文件（JPEG、PNG…）")
    p.add_argument("--out", metavar="OUT.jpg", help="合格时把裁剪、压缩后的考试照片写到这个文件")

    devices = sub.add_parser("devices", help="设备（摄像头、指纹采集器、身份证阅读器）", description="设备")
    dsub = devices.add_subparsers(dest="devices_command", metavar="ACTION", required=True,
                                  parser_class=type(devices))
    command(dsub, "list", cmd_devices_list, "列出每种设备的驱动和检测到的设备")
