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


@pytest.fixture(scope="session")
def _small_demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-small-demo")
    assert main(["--data", str(folder), "demo", "--candidates", "12", "--no-samples"]) == 0
    return folder


@pytest.fixture
def desk(_small_demo_dir: Path, tmp_path: Path) -> tuple[Path, list]:
    """A demo desk of 12 candidates (its own copy per test) and its roster rows by student number."""
    from app.container import Container

    target = tmp_path / "desk"
    shutil.copytree(_small_demo_dir, target)
    c = Container.open(target)
    try:
        rows = sorted(c.candidates.rows(), key=lambda r: r.student_no)
    finally:
        c.close()
    return target, rows
