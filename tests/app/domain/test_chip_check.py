"""The chip-against-roster cross-check: what differs, what is only written differently."""

from __future__ import annotations

import dataclasses
import datetime as dt

from app.devices.idcard import ChipData
from app.domain import candidate, idnumber
from app.domain.chip_check import EMPTY, compare, norm_ethnicity, norm_name

TODAY = dt.date(2025, 3, 1)
BIRTH = dt.date(2003, 5, 1)
NUMBER = idnumber.make("410102", BIRTH, 123)  # odd sequence: male
FEMALE_NUMBER = idnumber.make("410102", BIRTH, 124)


def chip(**changes: object) -> ChipData:
    base = ChipData(name="张伟", gender="男", ethnicity="汉", birth_date=BIRTH, address="河南省郑州市建设路1号",
                    id_number=NUMBER, valid_from=dt.date(2019, 6, 1), valid_to=dt.date(2029, 6, 1),
                    photo_jpeg=b"", issuer="郑州市公安局")
    return dataclasses.replace(base, **changes)


def roster(**changes: object) -> candidate.CandidateData:
    result = candidate.check({"name": "张伟", "gender": "男", "id_number": NUMBER, "ethnicity": "汉族",
                              **changes})
    assert result.ok, result.problems
    assert result.data is not None
    return result.data


def test_a_matching_card_has_no_differences() -> None:
    assert compare(chip(), roster(), today=TODAY) == []


def test_writing_alone_is_not_a_difference() -> None:
    raw = {"name": " 张　伟 ", "gender": "男性", "id_number": NUMBER[:-1] + NUMBER[-1].lower(),
           "ethnicity": "汉", "birth_date": "2003/5/1"}
    assert compare(chip(), raw, today=TODAY) == []
    full_width = {"name": "张伟", "gender": "男", "ethnicity": "汉族", "birth_date": "2003-05-01",
                  "id_number": NUMBER.translate(str.maketrans("0123456789", "０１２３４５６７８９"))}
    assert compare(chip(), full_width, today=TODAY) == []
    dotted = chip(name="买买提·艾力", ethnicity="维吾尔")
    assert compare(dotted, {**full_width, "name": "买买提.艾力", "ethnicity": "维吾尔族"}, today=TODAY) == []
    assert compare(dotted, {**full_width, "name": "买买提・艾力", "ethnicity": "维吾尔族"}, today=TODAY) == []
    assert norm_ethnicity(" 蒙古 族") == norm_ethnicity("蒙古") == "蒙古"
    assert norm_name("ＡＢＣ") == "ABC"


def test_each_difference_names_the_field_and_both_values() -> None:
    other = idnumber.make("410102", dt.date(2003, 6, 2), 125)
    card = chip(name="张玮", ethnicity="回", birth_date=dt.date(2003, 6, 2), id_number=other)
    found = {d.field: d for d in compare(card, roster(), today=TODAY)}
    assert list(found) == ["name", "ethnicity", "birth_date", "id_number"]
    assert found["name"].label == "姓名"
    assert (found["name"].chip_value, found["name"].roster_value) == ("张玮", "张伟")
    assert found["name"].message == "姓名不一致：身份证为“张玮”，花名册为“张伟”。"
    assert (found["ethnicity"].chip_value, found["ethnicity"].roster_value) == ("回族", "汉族")
    assert (found["birth_date"].chip_value, found["birth_date"].roster_value) == ("2003-06-02", "2003-05-01")
    assert found["id_number"].label == "身份证号"
    assert (found["id_number"].chip_value, found["id_number"].roster_value) == (other, NUMBER)


def test_gender_difference() -> None:
    card = chip(gender="女", id_number=FEMALE_NUMBER)
    found = {d.field: d for d in compare(card, roster(), today=TODAY)}
    assert set(found) == {"gender", "id_number"}
    assert (found["gender"].chip_value, found["gender"].roster_value) == ("女", "男")


def test_an_empty_roster_field_is_reported_with_the_chip_value() -> None:
    found = compare(chip(), {"name": "张伟", "gender": "男", "birth_date": BIRTH, "id_number": NUMBER},
                    today=TODAY)
    assert [(d.field, d.chip_value, d.roster_value) for d in found] == [("ethnicity", "汉族", EMPTY)]
    assert "花名册未填写" in found[0].message


def test_expired_card() -> None:
    card = chip(valid_from=dt.date(2014, 6, 1), valid_to=dt.date(2024, 6, 1))
    found = compare(card, roster(), today=TODAY)
    assert [d.field for d in found] == ["valid_to"]
    assert found[0].label == "有效期限"
    assert "已过期" in found[0].message and "2024-06-01" in found[0].message
    # Valid on its last day; a long-term card never expires.
    assert compare(card, roster(), today=dt.date(2024, 6, 1)) == []
    assert compare(chip(valid_to=None), roster(), today=TODAY) == []


def test_a_card_valid_only_from_the_future_is_suspect() -> None:
    found = compare(chip(valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2036, 1, 1)), roster(), today=TODAY)
    assert [d.field for d in found] == ["valid_to"]


def test_candidate_detail_shaped_records() -> None:
    class Detail:  # like app.roster.candidates.CandidateDetail: the fields live in .data
        def __init__(self, data: candidate.CandidateData) -> None:
            self.uuid = "x"
            self.data = data

    assert compare(chip(), Detail(roster()), today=TODAY) == []
    assert [d.field for d in compare(chip(name="李四"), Detail(roster()), today=TODAY)] == ["name"]
