"""``regdesk-cli photo check``: the exam-photo checks on a file, and the exam photo made from it.

Image libraries are imported in the handler, so other commands do not pay for OpenCV at start-up.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from app import outfile
from app.cli.context import CliContext
from app.cli.parser import Subparsers, command, group
from app.errors import NotFoundError, ValidationError


def _value_text(value: object) -> str:
    if isinstance(value, dict):
        return "，".join(f"{k}={v}" for k, v in value.items())
    return "" if value is None else str(value)


def cmd_photo_check(ctx: CliContext, args: argparse.Namespace) -> int:
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
    checked = check_photo(frame, photo_spec(ctx.container.settings.get("photo_spec")), make=out is not None)
    analysis, photo = checked.analysis, checked.photo
    if photo is not None and out is not None:
        outfile.write_bytes(out, photo.jpeg)
    if ctx.json:
        result = analysis.to_dict()
        result.update({"file": str(path), "hints": analysis.hints,
                       "out": str(out) if photo else None,
                       "bytes": len(photo.jpeg) if photo else None,
                       "quality": photo.quality if photo else None})
        ctx.out.emit(result)
    else:
        ctx.out.say(f"{path}（{frame.shape[1]}×{frame.shape[0]}）")
        for c in analysis.checks:
            value = _value_text(c.value)
            line = f"  {'✓' if c.ok else '✗'} {c.label}" + (f"：{value}" if value else "")
            ctx.out.say(line + (f" — {c.hint_zh}" if c.hint_zh else ""))
        if photo is not None:
            ctx.out.say(f"合格，已写出照片：{out}（{photo.width}×{photo.height}，{len(photo.jpeg) / 1024:.1f} KB，"
                        f"JPEG 质量 {photo.quality}）")
        elif analysis.ok:
            ctx.out.say("合格。")
    if not analysis.ok:
        ctx.out.tell("不合格：" + "；".join(analysis.hints))
        if out is not None:
            ctx.out.tell(f"未写出照片：{out}")
        return 1
    return 0


def register(sub: Subparsers) -> None:
    psub = group(sub, "photo", "考生照片")
    p = command(psub, "check", cmd_photo_check, "按照片规格检查一张图片（合格时可用 --out 写出处理后的照片）")
    p.add_argument("image", metavar="IMAGE", help="图片文件（JPEG、PNG…）")
    p.add_argument("--out", metavar="OUT.jpg", help="合格时把裁剪、压缩后的考试照片写到这个文件")
