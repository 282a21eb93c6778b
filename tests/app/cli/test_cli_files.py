"""``regdesk-cli`` writing to a place that cannot take the file: exit 1, the reason in Chinese on
stderr, no folder created, nothing half done."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.app.cli.cli_helpers import run


@pytest.fixture
def data(container, actor, make_candidate_raw) -> Path:
    for i in range(3):
        container.candidates.create(actor, make_candidate_raw(i))
    return container.data_dir


@pytest.mark.parametrize("command", [("roster", "export"), ("roster", "template")])
def test_roster_files_into_a_missing_folder(capsys, data: Path, tmp_path: Path, command) -> None:
    missing = tmp_path / "nope"
    code, stdout, stderr = run(capsys, "--data", data, *command, missing / "x.xlsx")
    assert code == 1 and stdout == ""
    assert stderr.startswith("错误：") and f"“{missing}”不存在" in stderr
    assert not missing.exists()


def test_export_error_as_json(capsys, data: Path, tmp_path: Path) -> None:
    code, stdout, _stderr = run(capsys, "--data", data, "roster", "export", tmp_path / "nope" / "x.xlsx", "--json")
    assert code == 1
    error = json.loads(stdout)["error"]
    assert error["type"] == "BadFileError" and "不存在" in error["message"]


def test_export_onto_a_folder_name(capsys, data: Path, tmp_path: Path) -> None:
    (tmp_path / "名单.xlsx").mkdir()
    code, _stdout, stderr = run(capsys, "--data", data, "roster", "export", tmp_path / "名单.xlsx")
    assert code == 1 and "是一个文件夹" in stderr


def test_print_with_its_xlsx_into_a_missing_folder_writes_no_pdf(capsys, data: Path, tmp_path: Path) -> None:
    pdf, missing = tmp_path / "附件3.pdf", tmp_path / "nope"
    code, _stdout, stderr = run(capsys, "--data", data, "print", "summary", "--out", pdf,
                                "--xlsx", missing / "附件3.xlsx")
    assert code == 1 and f"“{missing}”不存在" in stderr
    assert not pdf.exists() and not missing.exists()
    code, _stdout, stderr = run(capsys, "--data", data, "print", "summary", "--out", missing / "附件3.pdf")
    assert code == 1 and f"“{missing}”不存在" in stderr


def test_import_report_into_a_missing_folder_imports_nothing(capsys, container, data: Path, tmp_path: Path,
                                                             make_candidate_raw) -> None:
    good = make_candidate_raw(10)
    source = tmp_path / "名单.csv"
    source.write_text(f"姓名,身份证号\n{good['name']},{good['id_number']}\n张三,123\n", encoding="utf-8")
    before = container.candidates.count()
    code, _stdout, stderr = run(capsys, "--data", data, "roster", "import", source,
                                "--report", tmp_path / "nope" / "错误行.xlsx")
    assert code == 1 and "不存在" in stderr
    assert container.candidates.count() == before
