"""``regdesk-cli candidate show|find|set``."""

from __future__ import annotations

import datetime as dt
import json

from app.cli.output import text_width
from app.demo.service import PROGRAMME_YEARS
from app.domain import idnumber
from app.settings.service import DEFINITIONS
from tests.app.cli.cli_helpers import open_desk, run, run_json

# The first seat of the first demo class (the cohort graduating in this season's graduation year).
KEY = f"{DEFINITIONS['graduation_year'].default() - PROGRAMME_YEARS}010101"


# -- candidate --------------------------------------------------------------------------------
def test_candidate_show_text_and_json(capsys, data):
    code, out, _ = run(capsys, "--data", data, "candidate", "show", KEY)
    assert code == 0
    assert "学号" in out and KEY in out and "信息工程学院" in out and "在册" in out
    code, obj, _ = run_json(capsys, "--data", data, "candidate", "show", KEY)
    assert code == 0 and obj["ok"] is True
    cand = obj["candidate"]
    assert cand["data"]["student_no"] == KEY
    assert cand["status"] == "roster" and cand["status_label"] == "在册" and cand["revision"] == 1
    assert idnumber.parse(cand["data"]["id_number"]).gender == cand["data"]["gender"]
    # The ID number finds the same person.
    code, again, _ = run_json(capsys, "--data", data, "candidate", "show", cand["data"]["id_number"])
    assert again["candidate"]["uuid"] == cand["uuid"]


def test_candidate_show_unknown_key(capsys, data):
    code, out, err = run(capsys, "--data", data, "candidate", "show", "999")
    assert code == 1 and out == "" and err.startswith("错误：找不到考生“999”")
    code, out, err = run(capsys, "--data", data, "candidate", "show", "999", "--json")
    assert code == 1 and "找不到考生" in err
    assert json.loads(out) == {"ok": False, "error": {"type": "NotFoundError",
                                                      "message": err.strip().removeprefix("错误：")}}


def test_candidate_find_by_pinyin_initials_number_id_tail_and_class(capsys, data):
    assert run(capsys, "--data", data, "candidate", "set", KEY, "姓名=单雄信")[0] == 0
    code, obj, _ = run_json(capsys, "--data", data, "candidate", "show", KEY)
    id_number, class_name = obj["candidate"]["data"]["id_number"], obj["candidate"]["data"]["class_name"]
    for text in ("shanxiongxin", "SXX", "shanxx", "单雄", KEY, id_number[-6:], id_number.lower()):
        code, obj, err = run_json(capsys, "--data", data, "candidate", "find", text)
        assert code == 0 and err == ""
        assert KEY in [c["student_no"] for c in obj["candidates"]], text
        assert obj["count"] == len(obj["candidates"])
    first = obj["candidates"][0]
    assert {"student_no", "id_number", "name", "class_name", "status"} <= set(first)
    assert first["name"] == "单雄信" and first["status"] == "roster" and first["id_number"] == id_number
    # A surname read as a surname: 单 is shan, not dan.
    code, obj, _ = run_json(capsys, "--data", data, "candidate", "find", "danxiongxin")
    assert code == 0 and obj == {"ok": True, "count": 0, "candidates": []}
    code, obj, _ = run_json(capsys, "--data", data, "candidate", "find", class_name)
    assert code == 0 and obj["count"] > 1 and {c["class_name"] for c in obj["candidates"]} == {class_name}


def test_candidate_find_text_table_and_nothing_found(capsys, data):
    assert run(capsys, "--data", data, "candidate", "set", KEY, "姓名=曾乐")[0] == 0
    code, out, err = run(capsys, "--data", data, "candidate", "find", "zengyue")
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert lines[0].split() == ["学号", "姓名", "性别", "身份证号", "班级", "考生类别", "状态"]
    assert lines[1].split()[:2] == [KEY, "曾乐"] and lines[-1] == "共 1 人。"
    # The columns line up under their headers (a Chinese character is two columns wide).
    header, row = lines[0], lines[1]
    assert text_width(header[: header.index("姓名")]) == text_width(row[: row.index("曾乐")])
    assert text_width(header[: header.index("状态")]) == text_width(row[: row.index("在册")])
    code, out, err = run(capsys, "--data", data, "candidate", "find", "qqqq")
    assert code == 0 and out == "没有找到与“qqqq”相符的考生。\n" and err == ""
    code, out, err = run(capsys, "--data", data, "candidate", "find", "  ")
    assert code == 1 and out == "" and "请输入要查找" in err


def test_candidate_set_by_key_and_by_chinese_label(capsys, data):
    code, out, _ = run(capsys, "--data", data, "candidate", "set", KEY, "phone=139 1234 5678", "备注=转专业")
    assert code == 0
    assert "联系电话：" in out and "→ 13912345678" in out and "备注：（空） → 转专业" in out
    code, obj, _ = run_json(capsys, "--data", data, "candidate", "set", KEY, "班级=计算机应用技术2023级9班")
    assert code == 0 and obj["revision"] == 3
    assert obj["changes"]["class_name"]["after"] == "计算机应用技术2023级9班"
    c = open_desk(data)
    try:
        d = c.candidates.get(KEY)
        assert (d.data.phone, d.data.note, d.data.class_name) == ("13912345678", "转专业", "计算机应用技术2023级9班")
        history = [e.action for e in c.candidates.history(KEY)]
        assert history.count("candidate.update") == 2
    finally:
        c.close()
    code, out, _ = run(capsys, "--data", data, "candidate", "set", KEY, "phone=13912345678")
    assert code == 0 and "没有变化" in out


def test_candidate_set_new_id_number_brings_its_birth_date_and_gender(capsys, data):
    c = open_desk(data)
    try:
        before = c.candidates.get(KEY).data
    finally:
        c.close()
    woman = before.gender == "男"
    new_number = idnumber.make("410102", dt.date(2004, 2, 29), 222 if woman else 221)
    code, obj, err = run_json(capsys, "--data", data, "candidate", "set", KEY, f"身份证号={new_number}")
    assert code == 0, err
    changes = obj["changes"]
    assert changes["id_number"]["after"] == new_number
    assert changes["birth_date"]["after"] == "2004-02-29"
    assert changes["gender"]["after"] == ("女" if woman else "男")


def test_candidate_set_refuses_bad_values_and_fields(capsys, data):
    code, out, err = run(capsys, "--data", data, "candidate", "set", KEY, "phone=123")
    assert code == 1 and out == "" and err.startswith("错误：") and "11 位手机号" in err
    code, _, err = run(capsys, "--data", data, "candidate", "set", KEY, "shoe_size=42")
    assert code == 1 and "未知字段“shoe_size”" in err and "phone（联系电话）" in err
    code, _, err = run(capsys, "--data", data, "candidate", "set", KEY, "no-equals-sign")
    assert code == 1 and "字段=值" in err
    code, _, err = run(capsys, "--data", data, "candidate", "set", KEY, "二级学院=别的学院")
    assert code == 1 and "二级学院" in err
    c = open_desk(data)
    try:
        assert c.candidates.get(KEY).revision == 1
    finally:
        c.close()
