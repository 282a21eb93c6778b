"""The demo desk most ``regdesk-cli`` tests run against: one made per session, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.cli import main


@pytest.fixture(scope="session")
def _demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-demo")
    assert main(["--data", str(folder), "demo", "--candidates", "60", "--no-samples"]) == 0
    return folder


@pytest.fixture
def data(_demo_dir: Path, tmp_path: Path) -> Path:
    """A demo desk with 60 candidates, its own copy per test."""
    target = tmp_path / "desk"
    shutil.copytree(_demo_dir, target)
    return target
