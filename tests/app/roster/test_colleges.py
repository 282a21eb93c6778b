"""Many colleges in one database: numbers are unique per college, one person on two colleges'
rosters is a person conflict that is kept and shown, and lookups by number stay in the desk's college."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from app import cli
from app.errors import NotFoundError, ValidationError
from app.roster.search import Filters, RosterIndex
from db.models import Candidate, College
from tests.app.fixtures_roster import person, write_xlsx

OTHER = ("2002", "机电工程学院")


@pytest.fixture
def other_college(container) -> str:
    """A second college in the desk's database (as a central database, or a merged bundle, holds)."""
    with container.db.transaction() as s:
        s.add(College(code=OTHER[0], name=OTHER[1]))
    return OTHER[0]


def test_one_person_in_two_colleges_is_kept_and_shown(container, actor, other_college, make_candidate_raw):
    raw = make_candidate_raw(1)
    mine = container.candidates.create(actor, raw)
    theirs = container.candidates.create(actor, {**raw, "student_no": "9900001", "name": raw["name"]},
                                         college=other_college)
    assert mine.uuid != theirs.uuid
    # By number, the desk finds its own college's record; the other one is a person conflict.
    shown = container.candidates.get(raw["id_number"])
    assert shown.uuid == mine.uuid and shown.college_name == "信息工程学院"
    [conflict] = shown.person_conflicts
    assert (conflict.college_code, conflict.college_name, conflict.uuid, conflict.student_no) == (
        OTHER[0], OTHER[1], theirs.uuid, "9900001")
    assert container.candidates.get(theirs.uuid).person_conflicts[0].college_code == "1001"
    assert set(container.candidates.person_conflicts()) == {mine.uuid, theirs.uuid}
    # The roster marks both, and can show only them.
    rows = container.candidates.rows()
    index = RosterIndex(rows, with_pinyin=False)
    marked = [rows[i].uuid for i in index.filter(Filters(person_conflict_only=True))]
    assert sorted(marked) == sorted([mine.uuid, theirs.uuid])
    # Twice in one college is still refused.
    with pytest.raises(ValidationError, match="身份证号已属于"):
        container.candidates.create(actor, {**raw, "student_no": "9900002"}, college=other_college)


def test_numbers_are_looked_up_in_the_desks_college(container, actor, other_college, make_candidate_raw):
    raw = make_candidate_raw(2)
    container.candidates.create(actor, raw, college=other_college)
    with pytest.raises(NotFoundError):
        container.candidates.get(raw["student_no"])
    with pytest.raises(NotFoundError):
        container.candidates.get(raw["id_number"])
    with pytest.raises(NotFoundError, match="没有代码为"):
        container.candidates.create(actor, make_candidate_raw(3), college="nope")


def test_an_import_matches_numbers_in_the_desks_college_only(container, actor, other_college, tmp_path: Path):
    row = person(5)
    # The same person is already on the other college's roster, with the same student number.
    container.candidates.create(actor, {"student_no": row["学号"], "name": row["姓 名"], "gender": row["性别"],
                                        "id_number": row["身份证号码"], "phone": "13700000000"},
                                college=other_college)
    preview = container.roster.preview(write_xlsx(tmp_path / "r.xlsx", [row]))
    assert [r.kind for r in preview.rows] == ["new"]  # not a change to the other college's record
    result = container.roster.commit(actor, preview)
    assert result.created == 1
    with container.db.read() as s:
        found = s.execute(Candidate.__table__.select().where(Candidate.id_number == row["身份证号码"])).all()
    assert sorted(r.phone for r in found) == ["13700000000", row["联系电话"]]
    assert len({r.college_id for r in found}) == 2
    # Imported again: the desk's own record is the match, unchanged; nothing is written to the other one.
    again = container.roster.preview(write_xlsx(tmp_path / "r2.xlsx", [row]))
    assert [r.kind for r in again.rows] == ["unchanged"]


def test_candidate_show_json_lists_person_conflicts(container, actor, other_college, make_candidate_raw, capsys):
    raw = make_candidate_raw(7)
    container.candidates.create(actor, raw)
    assert cli.main(["--data", str(container.data_dir), "candidate", "show", raw["student_no"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["candidate"]["person_conflicts"] == []
    other = container.candidates.create(actor, {**raw, "student_no": "9900007"}, college=other_college)
    assert cli.main(["--data", str(container.data_dir), "candidate", "show", raw["id_number"], "--json"]) == 0
    [conflict] = json.loads(capsys.readouterr().out)["candidate"]["person_conflicts"]
    assert conflict == {"college_code": OTHER[0], "college_name": OTHER[1], "uuid": other.uuid,
                        "student_no": "9900007", "name": raw["name"], "id_number": raw["id_number"]}


def test_forms_and_the_roster_export_are_the_desks_college(container, actor, other_college, make_candidate_raw,
                                                           tmp_path: Path):
    for n in range(3):
        container.candidates.create(actor, make_candidate_raw(n))
    container.candidates.create(actor, make_candidate_raw(9), college=other_college)
    assert container.printing.print_form(actor, "附件3", tmp_path / "a3.pdf").rows == 3
    assert container.roster.export(actor, tmp_path / "r.xlsx") == 3
