"""The layers hold (ui -> app -> db; no Qt below the UI, no database in it) and ruff is clean.

import-linter checks the contracts in pyproject.toml on the import graph; the AST scan below
says the same in plain words, naming each offending file and line.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> top-level modules it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "app": ("PySide6", "shiboken6", "ui"),
    "db": ("PySide6", "shiboken6", "ui", "app"),
    "ui": ("sqlalchemy", "alembic", "db"),
}


def venv_tool(name: str) -> str:
    """The tool installed beside this interpreter (the project's venv), else one on PATH."""
    candidate = Path(sys.executable).with_name(name)
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed; run ./scripts/setup.sh")
    return found


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, nested ones included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append((node.lineno, node.module))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            out.append((node.lineno, node.args[0].value))
    return out


def layer_offenders(root: Path, forbidden: dict[str, tuple[str, ...]]) -> list[str]:
    problems = []
    for package, banned in forbidden.items():
        for path in sorted((root / package).rglob("*.py")):
            for line, module in imported_modules(path):
                top = module.split(".")[0]
                if top in banned:
                    problems.append(f"{path.relative_to(root)}:{line} imports {module}")
    return problems


def test_no_module_crosses_a_layer():
    offenders = layer_offenders(ROOT, FORBIDDEN)
    assert not offenders, "layer rules broken (ui -> app -> db; Qt only in ui/):\n" + "\n".join(offenders)


def test_the_scan_finds_forbidden_imports(tmp_path: Path):
    (tmp_path / "app" / "services").mkdir(parents=True)
    (tmp_path / "ui").mkdir()
    (tmp_path / "db").mkdir()
    (tmp_path / "app" / "services" / "bad.py").write_text(
        "import os\n\ndef f():\n    from PySide6.QtCore import QObject\n", encoding="utf-8")
    (tmp_path / "ui" / "view.py").write_text(
        "from app.services import x\nimport importlib\nimportlib.import_module('sqlalchemy.orm')\n",
        encoding="utf-8")
    (tmp_path / "db" / "models.py").write_text("from . import session\nfrom app import errors\n",
                                               encoding="utf-8")
    assert layer_offenders(tmp_path, FORBIDDEN) == [
        "app/services/bad.py:4 imports PySide6.QtCore",
        "db/models.py:2 imports app",
        "ui/view.py:3 imports sqlalchemy.orm",
    ]


def test_import_linter_contracts_hold():
    proc = subprocess.run([venv_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"lint-imports failed:\n{proc.stdout}\n{proc.stderr}"
    assert "0 broken" in proc.stdout, proc.stdout


def test_ruff_is_clean():
    proc = subprocess.run([venv_tool("ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"ruff check . failed:\n{proc.stdout}\n{proc.stderr}"
