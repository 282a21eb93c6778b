"""The whole-record check shared by the import and the editor."""

import datetime as dt

from app.domain import candidate, idnumber

NUMBER = idnumber.make("410302", dt.date(2003, 3, 7), 123)  # male


def raw(**kw):
    base = {"name": "张三", "id_number": NUMBER, "student_no": "2023001", "phone": "13800138000"}
    base.update(kw)
    return base


def test_valid_record_derives_gender_and_birth_date():
    result = candidate.check(raw())
    assert result.ok
    assert result.data.gender == "男"
    assert result.data.birth_date == dt.date(2003, 3, 7)
    assert result.data.category == "普通考生"


def test_gender_that_contradicts_the_id_number_is_a_problem():
    result = candidate.check(raw(gender="女"))
    assert not result.ok
    assert [p.field for p in result.problems] == ["gender"]
    assert "与身份证号不符" in result.problems[0].message


def test_birth_date_that_contradicts_the_id_number_is_a_problem():
    result = candidate.check(raw(birth_date="2003-03-08"))
    assert [p.field for p in result.problems] == ["birth_date"]


def test_every_problem_is_reported_not_just_the_first():
    result = candidate.check(raw(name="张3", id_number="123", phone="12"))
    # A blank gender is not blamed while the ID number (which gives the gender) is wrong.
    assert {p.field for p in result.problems} == {"name", "id_number", "phone"}
    result = candidate.check(raw(name="张3", id_number="123", phone="12", gender="未知"))
    assert {p.field for p in result.problems} == {"name", "id_number", "phone", "gender"}


def test_student_number_from_a_number_cell():
    assert candidate.check(raw(student_no=2023001.0)).data.student_no == "2023001"


def test_veterans_without_service_dates_are_kept_with_a_todo():
    # A 学生处 roster rarely carries 入伍/退役 dates: the veteran is not refused, the dates are a to-do.
    result = candidate.check(raw(category="退役大学生士兵"))
    assert result.ok
    assert [t.field for t in result.todos] == ["veteran_service_start", "veteran_service_end"]
    half = candidate.check(raw(category="退役大学生士兵", veteran_service_start="2021-09"))
    assert half.ok and [t.field for t in half.todos] == ["veteran_service_end"]
    ok = candidate.check(raw(category="退役大学生士兵", veteran_service_start="2021-09",
                             veteran_service_end="2023-09"))
    assert ok.ok and not ok.todos and ok.data.veteran_service_end == dt.date(2023, 9, 1)


def test_service_end_before_start():
    result = candidate.check(raw(category="退役大学生士兵", veteran_service_start="2023-09",
                                 veteran_service_end="2021-09"))
    assert "早于" in result.problems[0].message


def test_award_candidates_without_award_details_are_kept_with_a_todo():
    result = candidate.check(raw(category="获奖考生"))
    assert result.ok and [t.field for t in result.todos] == ["award_level", "award_name"]
    done = candidate.check(raw(category="获奖考生", award_level="省一", award_name="全省技能大赛"))
    assert done.ok and not done.todos
    # An unreadable level is still a problem, not a to-do.
    assert [p.field for p in candidate.check(raw(category="获奖考生", award_level="金奖?")).problems] == ["award_level"]


def test_todos_follow_the_category_only():
    assert candidate.todos({"category": "普通考生"}) == []
    assert candidate.todo_labels({"category": "退役大学生士兵", "veteran_service_start": dt.date(2020, 9, 1)}) \
        == ("退役时间",)


def test_ethnicity_gets_its_suffix():
    assert candidate.check(raw(ethnicity="汉")).data.ethnicity == "汉族"
    assert candidate.check(raw(ethnicity="维吾尔族")).data.ethnicity == "维吾尔族"


def test_overlong_text_is_refused():
    result = candidate.check(raw(class_name="班" * 101))
    assert result.problems[0].field == "class_name"


def test_checker_remembers_values_but_gives_each_record_its_own_result():
    from app.domain.candidate import Checker, check

    good = {"name": "张三", "id_number": "11010519491231002X", "gender": "女", "class_name": "会计1班",
            "category": "普通", "ethnicity": "汉"}
    records = [
        good,
        {**good, "category": "不存在的类别"},  # a bad value after the same field's good one
        {**good, "category": "普通", "gender": "男"},  # gender contradicts the ID number
        {**good, "category": "不存在的类别"},  # the bad value again: same problem again
        {**good, "class_name": " 会计1班\u3000"},  # the same class written with padding
        {**good, "veteran_service_start": "2020-09", "veteran_service_end": "2019-09",
         "category": "退役士兵"},
        {**good, "gender": 1},  # a number cell is not remembered, still checked
    ]
    checker = Checker()
    for raw in records * 2:  # the second pass answers from memory
        alone, batch = check(raw), checker(raw)
        assert batch.problems == alone.problems
        assert batch.data == alone.data
    assert checker(records[1]).problems[0].field == "category"
    assert checker(records[4]).data.class_name == "会计1班"
    assert checker(records[0]).data.ethnicity == "汉族"
    assert [p.field for p in checker(records[5]).problems] == ["veteran_service_end"]


def test_names_as_colleges_write_them():
    from app.domain import fields as f

    assert f.name("阿依古丽．买买提") == f.name("阿依古丽･买买提") == f.name("阿依古丽﹒买买提") == "阿依古丽·买买提"
    assert f.name("王\U0002c317") == "王\U0002c317"  # a 通用规范汉字 beyond the basic block
    assert f.name("张\u200b三") == "张三"
    assert f.name("Aygul  Mamat") == "Aygul Mamat"


def test_student_numbers_full_width_and_with_a_dash():
    from app.domain import fields as f

    assert f.student_no("２０２２００１３００") == "2022001300"
    assert candidate.check(raw(student_no="2022-000303")).data.student_no == "2022-000303"
    assert [p.field for p in candidate.check(raw(student_no="3人")).problems] == ["student_no"]


def test_ethnicity_short_forms_and_others():
    from app.domain import fields as f

    assert len(f.ETHNIC_GROUPS) == 56
    assert candidate.check(raw(ethnicity="汉")).data.ethnicity == "汉族"
    assert candidate.check(raw(ethnicity="柯尔克孜")).data.ethnicity == "柯尔克孜族"
    assert candidate.check(raw(ethnicity="其他")).data.ethnicity == "其他"


def test_not_applicable_markers_mean_blank_in_optional_fields():
    for mark in ("无", "/", "—", "－", "暂无"):
        result = candidate.check(raw(phone=mark, category=mark, art_sports=mark, award_level=mark,
                                     veteran_service_start=mark, veteran_service_end=mark, gender=mark))
        assert result.ok, (mark, result.problems)
        assert (result.data.phone, result.data.category, result.data.veteran_service_start) == ("", "普通考生", None)
    assert [p.field for p in candidate.check(raw(name="无")).problems] == ["name"]  # not for required fields


def test_an_unreadable_service_date_is_not_also_called_missing():
    result = candidate.check(raw(category="退役士兵", veteran_service_start="2020年", veteran_service_end="2022-09"))
    assert [p.field for p in result.problems] == ["veteran_service_start"]


def test_date_written_with_spaces():
    from app.domain import fields as f

    assert f.parse_date("2003 年 11 月 19 日", "birth_date", "出生日期") == dt.date(2003, 11, 19)
