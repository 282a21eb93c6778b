"""Fixtures for the capture pipelines: a candidate at the table and the media folder's files."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


@pytest.fixture
def candidate(container, actor, make_candidate_raw):
    """A candidate on the roster (its ``CandidateDetail``)."""
    return container.candidates.create(actor, make_candidate_raw(1))


@pytest.fixture
def media_files(container):
    """``media_files()``: every file in the media folder now (what a refused capture must not add)."""
    root = container.capture.media.root
    return lambda: sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="session")
def exam_shots():
    """tests/fixtures/exam_shot.py (not a package), loaded once and shared with the other photo tests."""
    found = sys.modules.get("exam_shot")
    if found is not None:
        return found
    path = Path(__file__).resolve().parents[2] / "fixtures" / "exam_shot.py"
    spec = importlib.util.spec_from_file_location("exam_shot", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["exam_shot"] = module
    spec.loader.exec_module(module)
    return module
