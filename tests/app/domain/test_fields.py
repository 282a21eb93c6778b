"""Simple candidate fields: names, genders, phones, categories, dates."""

import datetime as dt

import pytest

from app.domain import fields
from app.errors import ValidationError


@pytest.mark.parametrize(("raw", "expected"), [
    ("张　三", "张三"),
    ("张 三", "张三"),
    (" 李四 ", "李四"),
    ("阿依古丽·买买提", "阿依古丽·买买提"),
    ("阿依古丽•买买提", "阿依古丽·买买提"),
    ("阿依古丽.买买提", "阿依古丽·买买提"),
    ("阿依古丽・买买提", "阿依古丽·买买提"),
])
def test_names_are_normalised(raw, expected):
    assert fields.name(raw) == expected


@pytest.mark.parametrize(("raw", "fragment"), [
    ("张三1", "数字"),
    ("", "为空"),
    ("张三#", "不允许的字符"),
    ("·张三", "间隔号"),
])
def test_bad_names_are_rejected(raw, fragment):
    with pytest.raises(ValidationError, match=fragment):
        fields.name(raw)


@pytest.mark.parametrize(("raw", "expected"), [("男", "男"), ("女性", "女"), ("M", "男"), (" f ", "女")])
def test_genders(raw, expected):
    assert fields.gender(raw) == expected


def test_unknown_gender_says_what_to_write():
    with pytest.raises(ValidationError, match="“男”或“女”"):
        fields.gender("未知")


@pytest.mark.parametrize(("raw", "expected"), [
    ("138 0013 8000", "13800138000"),
    ("+86 13800138000", "13800138000"),
    ("１３８００１３８０００", "13800138000"),
    (13800138000.0, "13800138000"),
    ("0371-66668888", "037166668888"),
    ("", ""),
])
def test_phones(raw, expected):
    assert fields.phone(raw) == expected


@pytest.mark.parametrize(("raw", "fragment"), [("1380013800", "11 位"), ("23800138000", "不是有效"), ("abc", "不是有效")])
def test_bad_phones(raw, fragment):
    with pytest.raises(ValidationError, match=fragment):
        fields.phone(raw)


def test_required_phone():
    with pytest.raises(ValidationError, match="为空"):
        fields.phone("", required=True)


@pytest.mark.parametrize(("raw", "expected"), [
    ("", "普通考生"),
    ("普通", "普通考生"),
    ("建档立卡", "原建档立卡考生"),
    ("退役士兵", "退役大学生士兵"),
    ("获 奖 考 生", "获奖考生"),
])
def test_categories(raw, expected):
    assert fields.category(raw) == expected


def test_unknown_category_lists_the_allowed_ones():
    with pytest.raises(ValidationError) as err:
        fields.category("特长生")
    assert "普通考生、原建档立卡考生、退役大学生士兵、获奖考生" in err.value.message


@pytest.mark.parametrize(("raw", "expected"), [("美术", "艺术"), ("体育类", "体育"), ("否", "")])
def test_art_sports(raw, expected):
    assert fields.art_sports(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("2021-09-01", dt.date(2021, 9, 1)),
    ("2021/9/1", dt.date(2021, 9, 1)),
    ("2021.9", dt.date(2021, 9, 1)),
    ("2021年9月", dt.date(2021, 9, 1)),
    ("2021年9月3日", dt.date(2021, 9, 3)),
    ("20210901", dt.date(2021, 9, 1)),
    (dt.datetime(2021, 9, 1, 0, 0), dt.date(2021, 9, 1)),
    ("", None),
])
def test_dates(raw, expected):
    assert fields.parse_date(raw, "x", "日期") == expected


def test_bad_date():
    with pytest.raises(ValidationError, match="不是有效日期"):
        fields.parse_date("2021-13-01", "x", "入伍时间")


def test_award_levels():
    assert fields.award_level("国一") == "国家级一等奖"
    with pytest.raises(ValidationError, match="获奖等级"):
        fields.award_level("市级一等奖")


def test_forms_seen_in_real_rosters():
    from app.domain import fields as f

    assert f.phone("86-13803710008") == f.phone("８６－１３８０３７１０００８") == "13803710008"
    assert f.phone("0371—66668810") == "037166668810"
    assert f.gender("女生") == "女" and f.gender("男生") == "男"
    assert f.category("建档立卡户") == "原建档立卡考生"
