"""Pinyin search keys for names: initials, full pinyin, mixes, surnames read as surnames."""

import pytest

from app.domain import pinyin
from app.domain.pinyin import forms, matches, query, readings


@pytest.mark.parametrize("typed", ["zs", "zhangsan", "zhangs", "zsan", "z", "zhang", "ZhangSan", "zhang san",
                                   "Z S"])
def test_initials_full_and_mixed_pinyin_find_zhang_san(typed):
    assert matches(typed, "张三")


@pytest.mark.parametrize("typed", ["zsf", "zhangsanfeng", "zhangsf", "zsanfeng", "zsanf", "zhangsanfe"])
def test_three_character_names_mix_at_syllable_boundaries(typed):
    assert matches(typed, "张三丰")


@pytest.mark.parametrize("typed", ["s", "san", "sf", "zsx", "zhangsanfengx", "hangsan", "an", "zhs", "张三"])
def test_what_is_not_a_prefix_of_a_reading_does_not_match(typed):
    assert not matches(typed, "张三丰")


@pytest.mark.parametrize(("name", "typed", "wrong"), [
    ("单雄信", "shanxiongxin", "danxiongxin"),
    ("曾国藩", "zengguofan", "cengguofan"),
    ("区家乐", "oujiale", "qujiale"),
    ("仇晓", "qiuxiao", "chouxiao"),
    ("解缙", "xiejin", "jiejin"),
    ("朴树", "piaoshu", "pushu"),
    ("查良镛", "zhaliangyong", "chaliangyong"),
    ("尉迟恭", "yuchigong", "weichigong"),
    ("万俟卨", "moqixie", "wanqixie"),
    ("长孙无忌", "zhangsunwuji", "changsunwuji"),
    ("单于安", "chanyuan", "shanyuan"),
])
def test_polyphonic_surnames_are_read_as_surnames(name, typed, wrong):
    assert matches(typed, name)
    assert matches("".join(s[0] for s in readings(name)[0]), name)
    assert not matches(wrong, name)


def test_a_compound_surname_needs_a_given_name_after_it():
    # 单于 alone is the surname 单 (shan) and the given name 于, not the compound 单于 (chanyu).
    assert matches("shanyu", "单于")
    assert not matches("chanyu", "单于")


def test_surnames_with_two_readings_take_both():
    assert matches("gainie", "盖聂") and matches("genie", "盖聂")
    assert matches("yuefei", "乐飞") and matches("lefei", "乐飞")


def test_polyphonic_given_names_match_their_common_readings():
    assert matches("wangle", "王乐") and matches("wangyue", "王乐")
    assert matches("lixing", "李行") and matches("lihang", "李行")
    assert matches("zhangchangjiang", "张长江") and matches("zhangzhangjiang", "张长江")


def test_u_umlaut_is_typed_as_v():
    assert matches("lvbu", "吕布") and matches("lb", "吕布")
    assert matches("lübu", "吕布") and matches("lu:bu", "吕布")
    assert matches("nvying", "女英")
    assert not matches("lubu", "吕布")


def test_minority_names_skip_the_middle_dot():
    assert matches("ailitu", "艾力·吐尔逊")
    assert matches("altex", "艾力·吐尔逊")
    assert matches("ailituerxun", "艾力·吐尔逊")


def test_latin_letters_in_a_name_are_a_syllable():
    assert matches("annali", "Anna李")


def test_combinations_are_capped_for_long_names_full_of_polyphones():
    name = "单乐行长重朝曾传觉和"  # every character polyphonic
    assert len(readings(name)) == pinyin.MAX_READINGS
    assert len(forms(name)) <= pinyin.MAX_READINGS * 4
    assert matches("shanlexingzhangzhongchaocengchuanjuehe", name)
    assert matches("slxzzcccjh", name)


def test_short_names_get_every_mix_of_full_and_initial():
    assert set(forms("张三")) == {"zhangsan", "zhangs", "zsan", "zs"}


def test_query_is_pinyin_only_for_latin_letters():
    assert query(" Zhang San ") == "zhangsan"
    assert query("xi'an") == "xian"
    assert query("lü") == "lv"
    assert query("2023") == ""
    assert query("张三") == ""
    assert query("41030X") == ""
    assert query("") == ""


def test_names_without_readings_have_no_key():
    assert pinyin.search_key("") == ""
    assert pinyin.search_key("··") == ""
    assert not matches("a", "")
