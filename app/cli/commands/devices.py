"""``regdesk-cli devices list``: the devices every driver can see, kind by kind."""

from __future__ import annotations

import argparse

from app.cli.context import CliContext
from app.cli.parser import Subparsers, command, group


def cmd_devices_list(ctx: CliContext, args: argparse.Namespace) -> int:
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
        ctx.out.emit({"ok": True, "kinds": kinds})
        return 0
    for k in kinds:
        ctx.out.say(f"{k['label']}（{k['kind']}）：")
        for d in k["drivers"]:
            if d["error"]:
                ctx.out.say(f"  {d['driver']}：{d['error']}")
            elif not d["devices"]:
                ctx.out.say(f"  {d['driver']}：未检测到设备")
            else:
                for dev in d["devices"]:
                    ctx.out.say(f"  {d['driver']}：{dev['id']}  {dev['name']}")
    return 0


def register(sub: Subparsers) -> None:
    dsub = group(sub, "devices", "设备（摄像头、指纹采集器、身份证阅读器）", "设备")
    command(dsub, "list", cmd_devices_list, "列出每种设备的驱动和检测到的设备")
