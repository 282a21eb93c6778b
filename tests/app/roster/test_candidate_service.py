"""Finding and correcting candidates."""

import pytest

from app.auth import Actor
from app.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError


def test_find_by_student_number_and_any_form_of_id_number(container, actor, make_candidate_raw):
    raw = make_candidate_raw(student_no="2023001")
    detail = container.candidates.create(actor, raw)
    assert container.candidates.get("2023001").uuid == detail.uuid
    assert container.candidates.get(detail.data.id_number.lower()).uuid == detail.uuid
    with pytest.raises(NotFoundError, match="找不到考生"):
        container.candidates.get("9999999")


def test_update_bumps_revision_and_refuses_stale_edits(container, actor, make_candidate_raw):
    detail = container.candidates.create(actor, make_candidate_raw())
    changed = container.candidates.update(actor, detail.uuid, detail.data.as_dict() | {"class_name": "计应2班"},
                                          expected_revision=detail.revision)
    assert changed.revision == detail.revision + 1
    assert changed.data.class_name == "计应2班"
    with pytest.raises(ConflictError, match="已被其他人修改"):
        container.candidates.update(actor, detail.uuid, detail.data.as_dict() | {"class_name": "计应3班"},
                                    expected_revision=detail.revision)


def test_update_with_no_change_writes_nothing(container, actor, make_candidate_raw):
    detail = container.candidates.create(actor, make_candidate_raw())
    same = container.candidates.update(actor, detail.uuid, detail.data.as_dict())
    assert same.revision == detail.revision
    assert len(container.candidates.history(detail.uuid)) == 1


def test_duplicates_are_refused(container, actor, make_candidate_raw):
    a = container.candidates.create(actor, make_candidate_raw(student_no="2023001"))
    b = container.candidates.create(actor, make_candidate_raw(student_no="2023002"))
    with pytest.raises(ValidationError, match="已属于考生"):
        container.candidates.update(actor, b.uuid, b.data.as_dict() | {"student_no": "2023001"})
    with pytest.raises(ValidationError, match="身份证号已属于"):
        container.candidates.create(actor, make_candidate_raw(student_no="2023009", id_number=a.data.id_number))


def test_invalid_edit_names_the_field(container, actor, make_candidate_raw):
    detail = container.candidates.create(actor, make_candidate_raw())
    with pytest.raises(ValidationError) as err:
        container.candidates.update(actor, detail.uuid, detail.data.as_dict() | {"phone": "123"})
    assert err.value.field == "phone"
    assert err.value.message.startswith("联系电话")


def test_readers_cannot_edit(container, actor, make_candidate_raw):
    detail = container.candidates.create(actor, make_candidate_raw())
    supervisor = Actor("jjjc", "纪检", "supervisor")
    with pytest.raises(PermissionDenied):
        container.candidates.update(supervisor, detail.uuid, detail.data.as_dict())


def test_rows_and_choices(container, actor, make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw(class_name="计应1班", counsellor="王老师"))
    container.candidates.create(actor, make_candidate_raw(class_name="计应2班", counsellor="王老师"))
    rows = container.candidates.rows()
    assert len(rows) == container.candidates.count() == 2
    assert rows[0].status_label == "在册"
    choices = container.candidates.choices()
    assert choices["class_name"] == ["计应1班", "计应2班"]
    assert choices["counsellor"] == ["王老师"]


def test_find_by_pinyin_and_what_the_roster_search_finds(container, actor, make_candidate_raw):
    zeng = container.candidates.create(actor, make_candidate_raw(1, name="曾国藩"))
    container.candidates.create(actor, make_candidate_raw(2, name="张三"))
    assert [r.name for r in container.candidates.find("zgf")] == ["曾国藩"]
    assert [r.name for r in container.candidates.find("zengguofan")] == ["曾国藩"]
    assert container.candidates.find("cengguofan") == []
    assert [r.name for r in container.candidates.find(zeng.data.id_number[-4:])] == ["曾国藩"]
    assert {r.name for r in container.candidates.find("z")} == {"曾国藩", "张三"}
    with pytest.raises(ValidationError):
        container.candidates.find(" ")
