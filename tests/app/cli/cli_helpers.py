"""What the CLI tests share: run ``regdesk-cli`` in-process and read what it printed."""

from __future__ import annotations

import json
from pathlib import Path

from app import cli
from app.container import Container


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: object) -> tuple[int, dict, str]:
    code, out, err = run(capsys, *argv, "--json")
    return code, json.loads(out), err  # json.loads fails on anything but exactly one object


def open_desk(data: Path) -> Container:
    return Container.open(data)
