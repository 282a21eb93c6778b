"""Cheap checks of build.spec; the real build and its --self-test run in scripts/test.sh.

The spec's helper functions are plain Python; they are lifted out of the spec and run here, so
these tests check the spec's own code rather than a copy of it.
"""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

import pytest

import app
import db.migrate

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build.spec"


@pytest.fixture(scope="module")
def spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"), filename=str(SPEC))


@pytest.fixture(scope="module")
def spec(spec_tree: ast.Module) -> dict:
    """The spec's top-level imports, constants and functions, without the PyInstaller part."""
    keep = [node for node in spec_tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.Assign))]
    namespace: dict = {}
    exec(compile(ast.Module(body=keep, type_ignores=[]), str(SPEC), "exec"), namespace)
    return namespace


def test_spec_builds_the_gui_entry_point_as_one_folder(spec: dict, spec_tree: ast.Module):
    assert spec["ENTRY"] == "ui/shell/main.py"
    assert (ROOT / "ui" / "shell" / "main.py").exists(), "build.spec's entry ui/shell/main.py is missing"
    called = {node.func.id for node in ast.walk(spec_tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT"} <= called
    exe = next(node for node in ast.walk(spec_tree)
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "EXE")
    keywords = {k.arg: k.value for k in exe.keywords}
    # One-folder: the executable leaves the libraries to COLLECT.
    assert isinstance(keywords["exclude_binaries"], ast.Constant) and keywords["exclude_binaries"].value is True


def test_spec_reads_the_package_version(spec: dict):
    assert spec["read_version"](ROOT / "app" / "__init__.py") == app.__version__


def test_spec_version_reader_refuses_a_file_without_version(spec: dict, tmp_path: Path):
    init = tmp_path / "__init__.py"
    init.write_text('"""no version here"""\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="no __version__"):
        spec["read_version"](init)


def test_migrations_land_where_db_migrate_looks_for_them(spec: dict):
    # In the bundle db/migrate.py sits at <_MEIPASS>/db/, so MIGRATIONS_DIR resolves to the
    # same relative path there as in the source tree.
    relative = Path(db.migrate.MIGRATIONS_DIR).relative_to(ROOT).as_posix()
    assert spec["MIGRATIONS"] == relative == "db/migrations"

    datas = spec["tree_datas"](ROOT, spec["MIGRATIONS"])
    bundled = {(Path(dest) / Path(src).name).as_posix() for src, dest in datas}
    assert "db/migrations/env.py" in bundled
    assert "db/migrations/script.py.mako" in bundled
    revisions = {f"db/migrations/versions/{p.name}" for p in (ROOT / "db/migrations/versions").glob("*.py")}
    assert revisions and revisions <= bundled
    assert not any("__pycache__" in b or b.endswith(".pyc") for b in bundled)


def test_resources_are_bundled_under_resources(spec: dict, tmp_path: Path):
    (tmp_path / "resources" / "i18n").mkdir(parents=True)
    (tmp_path / "resources" / "i18n" / "regdesk_zh_CN.qm").write_bytes(b"qm")
    (tmp_path / "resources" / "fonts").mkdir()
    assert spec["tree_datas"](tmp_path, spec["RESOURCES"]) == [
        (str(tmp_path / "resources" / "i18n" / "regdesk_zh_CN.qm"), "resources/i18n"),
    ]


def test_migration_imports_are_hidden_imports(spec: dict):
    names = spec["migration_imports"](ROOT)
    # env.py loads the models; the revisions use alembic.op and SQLAlchemy.
    assert {"alembic", "alembic.op", "alembic.context", "sqlalchemy", "db.models"} <= set(names)
    assert "sqlalchemy.Integer" not in names  # a class, not a module


@pytest.mark.parametrize("script", ["scripts/setup.sh", "scripts/run.sh", "scripts/test.sh", ".ci/run"])
def test_scripts_are_executable_bash(script: str):
    path = ROOT / script
    assert os.access(path, os.X_OK), f"{script} is not executable (chmod +x, and commit the mode)"
    assert path.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
    proc = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
