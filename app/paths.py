"""Where things live: the desk's data folder and the bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "RegDesk"
DB_FILE = "regdesk.sqlite"


def default_data_dir() -> Path:
    """``REGDESK_DATA`` if set, else the platform's per-user data folder."""
    env = os.environ.get("REGDESK_DATA")
    if env:
        return Path(env).expanduser()
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR_NAME


def demo_data_dir() -> Path:
    """Demo data lives apart from the real desk's data, so the two never mix."""
    return default_data_dir() / "demo"


def resource_path(*parts: str) -> Path:
    """A file under ``resources/``, from the source tree or from a PyInstaller bundle."""
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parent.parent
    return root.joinpath("resources", *parts)


def manual_dir() -> Path:
    """The user manual (``docs/manual/``), from the source tree or from a PyInstaller bundle."""
    base = getattr(sys, "_MEIPASS", None)
    root = Path(base) if base else Path(__file__).resolve().parent.parent
    return root / "docs" / "manual"
