"""GB 11643-1999 ID numbers: normalising, checking, deriving, masking."""

import datetime as dt

import pytest

from app.domain import idnumber
from app.errors import ValidationError

VALID = "11010519491231002X"  # the standard's own example


def test_standard_example_is_valid_and_female():
    info = idnumber.parse(VALID)
    assert info.number == VALID
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.gender == "女"
    assert info.area_code == "110105"


def test_check_char_follows_the_weights():
    # sum of weights * digits for 11010519491231002 is 167; 167 % 11 = 2 -> "X"
    assert idnumber.check_char("11010519491231002") == "X"


@pytest.mark.parametrize("typed", [
    "11010519491231002x",
    " 110105 19491231 002X ",
    "１１０１０５１９４９１２３１００２Ｘ",
    "１１０１０５１９４９１２３１００２ｘ",
    "110105\u300019491231002X",
    "'11010519491231002X",
])
def test_normalises_what_people_type(typed):
    assert idnumber.parse(typed).number == VALID


def test_make_builds_valid_numbers_with_gender_from_sequence():
    male = idnumber.make("410302", dt.date(2004, 2, 29), 123)
    female = idnumber.make("410302", dt.date(2004, 2, 29), 124)
    assert idnumber.parse(male).gender == "男"
    assert idnumber.parse(female).gender == "女"
    assert idnumber.parse(male).birth_date == dt.date(2004, 2, 29)


@pytest.mark.parametrize(("value", "fragment"), [
    ("", "为空"),
    ("11010519491231002", "18 位，现为 17 位"),
    ("110105194912310021", "校验位错误"),
    ("110105194913310021", "不是有效日期"),
    ("1101051949123100A2", "前 17 位只能是数字"),
    ("11010519491231002Y", "最后一位"),
    ("990105194912310028", "地区码"),
    ("110105491231002", "15 位的旧身份证号"),
])
def test_rejects_bad_numbers_with_a_chinese_reason(value, fragment):
    with pytest.raises(ValidationError) as err:
        idnumber.parse(value)
    assert fragment in err.value.message
    assert err.value.field == "id_number"


def test_future_birth_date_is_rejected():
    future = dt.date.today().replace(year=dt.date.today().year + 1)
    number = idnumber.make("410302", future, 11)
    with pytest.raises(ValidationError, match="不合理"):
        idnumber.parse(number)


def test_excel_float_that_lost_digits_is_refused_with_the_fix():
    real = idnumber.make("410302", dt.date(1990, 3, 7), 123)
    as_excel_number = float(real[:-1] + ("0" if real[-1] == "X" else real[-1]))
    with pytest.raises(ValidationError) as err:
        idnumber.parse(as_excel_number)
    assert "Excel" in err.value.message and "文本" in err.value.message


def test_excel_float_that_happens_to_pass_the_check_is_still_refused():
    # 410302199003071234 stored by Excel becomes the double nearest 4.10302199003071e17,
    # whose exact value (...070976) happens to carry a valid check digit: a number to refuse.
    value = 4.10302199003071e17
    assert idnumber.check_char(str(int(value))[:17]) == str(int(value))[17]
    with pytest.raises(ValidationError, match="Excel"):
        idnumber.parse(value)


def test_scientific_text_from_a_spreadsheet_is_refused():
    with pytest.raises(ValidationError, match="Excel"):
        idnumber.parse("4.10302199003071E+17")


def test_exact_integer_cell_is_accepted():
    number = idnumber.make("410302", dt.date(2003, 3, 7), 123)
    if number.endswith("X"):
        number = idnumber.make("410302", dt.date(2003, 3, 7), 125)
    assert idnumber.parse(int(number)).number == number


def test_text_with_trailing_point_zero_is_accepted():
    number = idnumber.make("410302", dt.date(2003, 3, 7), 125)
    assert idnumber.parse(number + ".0").number == number


def test_mask_keeps_first_six_and_last_four():
    assert idnumber.mask("41030219900307123X") == "410302********123X"
    assert idnumber.mask("123") == "***"


def test_check_char_refuses_what_is_not_17_ascii_digits():
    for bad in ("1101051949123100", "1101051949123100X", "１１０１０５１９４９１２３１００２", "11010519491231٠٠2"):
        with pytest.raises(ValueError):
            idnumber.check_char(bad)


def test_non_ascii_digits_are_not_an_id_number():
    # Arabic-Indic digits pass str.isdigit(); they are not digits of a Chinese ID number.
    with pytest.raises(ValidationError, match="只能是数字"):
        idnumber.parse("11010519491231٠٠2X")


def test_excel_number_with_zeroed_tail_is_refused_even_when_it_checks():
    # Excel turned ...016377 into ...016000, and ...016000 happens to carry a valid check digit:
    # a number cell of 16+ digits is refused whatever it says, or it would replace a stored ID.
    truncated = 410102200201016000
    assert idnumber.check_char(str(truncated)[:17]) == str(truncated)[17]
    with pytest.raises(ValidationError, match="Excel"):
        idnumber.parse(float(truncated))


def test_invisible_characters_pasted_into_a_number_are_removed():
    assert idnumber.parse("1101051949123100\u200b2X\ufeff").number == "11010519491231002X"
