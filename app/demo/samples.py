"""The demo's sample reference lists: the 教务处 学籍 list, the 学生处 处分 list and the 专业对照表,
made to fit the demo students, as the offices would send them (a title row, a 序号 column, text
cells for numbers), with the problems a real review meets sprinkled in.

``sample_lists`` is pure and deterministic (same people, year and seed: same lists);
``write_samples`` saves them as .xlsx files the user can open, and the demo imports those very
files through the reference import, so what the review finds is what the files say.

Planted problems (each on a different ordinary candidate; fewer on a very small roster):
not in the 学籍 list, a name and an ID number that disagree with the roster, 休学 and 保留学籍,
a graduation a year later than this year's (``graduation_year``), failed courses, an unlifted and
a lifted sanction; the 学生处 list also names students of other colleges, as a school-wide list
does. The major mapping allows the art majors from every 专科 major but no sports majors, so the
demo's few sports candidates show “报考专业不符合对照表”.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.domain import demo_names as names
from app.domain import idnumber

KIND_FILES = {"academic": "教务处学籍名单.xlsx", "conduct": "学生处处分名单.xlsx", "majors": "专业对照表.xlsx"}
SAMPLES_FOLDER = "样例名单"

ACADEMIC_HEADER = ("序号", "学号", "姓名", "身份证号", "专业", "学籍状态", "预计毕业时间", "不及格课程")
CONDUCT_HEADER = ("序号", "学号", "姓名", "身份证号", "违纪事由", "处分类型", "处分日期", "是否解除")
MAJORS_HEADER = ("序号", "专科专业", "可报考本科专业")

# Characters a clerk's input method offers for the one meant (same sound): a name typed wrong.
_HOMOPHONES = {
    "涵": "晗", "轩": "萱", "杰": "洁", "明": "铭", "浩": "皓", "宇": "雨", "子": "梓", "欣": "馨",
    "怡": "仪", "佳": "家", "俊": "骏", "文": "雯", "静": "婧", "博": "波", "航": "杭", "一": "依",
    "思": "斯", "雅": "亚", "天": "添", "伟": "玮", "强": "蔷", "军": "君", "丽": "莉", "娜": "纳",
    "华": "桦", "红": "虹", "萌": "蒙", "宁": "凝", "国": "帼", "建": "健", "志": "智", "鹏": "朋",
    "晨": "辰", "阳": "洋", "敏": "民", "涛": "韬", "磊": "蕾", "超": "潮", "勇": "涌", "婷": "亭",
}
_FAILED = ("高等数学", "大学英语、C语言程序设计", "2")
# In the order they are handed out: a small roster gets the first few.
PROBLEMS = ("not_in_academic", "status_suspended", "failed_courses", "name_mismatch", "discipline",
            "discipline_lifted", "not_graduating", "id_mismatch", "not_in_academic", "status_reserved",
            "failed_courses", "failed_courses")
# Students of other colleges on the school-wide 学生处 list. Born outside Henan, so their ID numbers
# can never be a demo student's: (学号, 姓名, area, birth date, sequence, 违纪事由, 处分).
_OTHER_COLLEGES = (("2023150311", "孙浩然", "420106", dt.date(2004, 3, 11), 13, "使用违章电器", "通报批评"),
                   ("2023210127", "周雨桐", "370102", dt.date(2004, 7, 12), 24, "考试作弊", "记过"))


@dataclass
class Person:
    """What the lists need of one demo candidate."""

    student_no: str
    name: str
    id_number: str
    major: str
    category: str = "普通考生"
    art_sports: str = ""


@dataclass
class SampleLists:
    """Rows (header first) of each list, and who carries which planted problem."""

    academic: list[list[object]]
    conduct: list[list[object]]
    majors: list[list[object]]
    titles: dict[str, str]
    planted: dict[str, list[str]] = field(default_factory=dict)  # problem -> student numbers

    def rows(self, kind: str) -> list[list[object]]:
        return {"academic": self.academic, "conduct": self.conduct, "majors": self.majors}[kind]


def misspelt(name: str) -> str:
    """``name`` with one character swapped for one that sounds the same."""
    for i in range(len(name) - 1, 0, -1):
        if name[i] in _HOMOPHONES:
            return name[:i] + _HOMOPHONES[name[i]] + name[i + 1:]
    return name[:-1] + ("伟" if name[-1] != "伟" else "玮")


def other_id(number: str) -> str:
    """A valid ID number one day of birth off: a digit typed wrong in another office's system."""
    info = idnumber.parse(number)
    birth = info.birth_date + dt.timedelta(days=1 if info.birth_date.day < 28 else -1)
    return idnumber.make(number[:6], birth, int(number[14:17]))


def sample_lists(people: Sequence[Person], graduation_year: int, seed: int = 2026,
                 college_name: str = "") -> SampleLists:
    """The three lists for ``people`` (the demo roster), for this year's graduates."""
    rng = random.Random(seed)
    ordered = sorted(people, key=lambda p: p.student_no)
    pool = [p for p in ordered if p.category == "普通考生" and not p.art_sports and p.student_no]
    rng.shuffle(pool)
    # Half the ordinary candidates at most carry a problem: the review must still look mostly clean.
    count = min(len(PROBLEMS), len(pool) // 2)
    planted: dict[str, list[str]] = {}
    problem_of: dict[str, str] = {}
    for problem, person in zip(PROBLEMS[:count], pool, strict=False):
        planted.setdefault(problem, []).append(person.student_no)
        problem_of[person.student_no] = problem

    graduation = f"{graduation_year}-06"
    academic: list[list[object]] = [list(ACADEMIC_HEADER)]
    failed_i = 0
    for p in ordered:
        problem = problem_of.get(p.student_no, "")
        if problem == "not_in_academic":
            continue
        name, number, status, grad, failed = p.name, p.id_number, "在籍", graduation, "无"
        if problem == "name_mismatch":
            name = misspelt(p.name)
        elif problem == "id_mismatch":
            number = other_id(p.id_number)
        elif problem == "status_suspended":
            status = "休学"
        elif problem == "status_reserved":
            status = "保留学籍"
        elif problem == "not_graduating":
            grad = f"{graduation_year + 1}-06"
        elif problem == "failed_courses":
            failed = _FAILED[failed_i % len(_FAILED)]
            failed_i += 1
        academic.append([len(academic), p.student_no, name, number, p.major, status, grad, failed])

    conduct: list[list[object]] = [list(CONDUCT_HEADER)]
    # Sanctions fall in the cohort's first and second years of study: always in the past, whatever the
    # season (graduation_year is this year's or next year's).
    year = graduation_year - 2
    for p in ordered:
        problem = problem_of.get(p.student_no, "")
        if problem == "discipline":
            conduct.append([len(conduct), p.student_no, p.name, p.id_number, "夜不归宿", "警告",
                            f"{year}-11-{rng.randrange(3, 28):02d}", "否"])
        elif problem == "discipline_lifted":
            conduct.append([len(conduct), p.student_no, p.name, p.id_number, "旷课累计 30 学时", "严重警告",
                            f"{year - 1}-12-{rng.randrange(3, 28):02d}", "已解除"])
    for k, (sno, name, area, birth, sequence, offence, action) in enumerate(_OTHER_COLLEGES):
        conduct.append([len(conduct), sno, name, idnumber.make(area, birth, sequence), offence, action,
                        f"{year}-{10 + k:02d}-15", "否"])

    majors: list[list[object]] = [list(MAJORS_HEADER)]
    for major, _share, choices in names.MAJORS:
        majors.append([len(majors), major, "、".join([*choices, *names.ART_MAJORS])])

    college = college_name or "本院"
    titles = {
        "academic": f"{college} {graduation_year}届专科毕业生学籍信息（教务处）",
        "conduct": "学生违纪处分名单（学生处）",
        "majors": f"{graduation_year}年专升本专科专业与可报考本科专业对照表",
    }
    return SampleLists(academic, conduct, majors, titles, planted)


def write_samples(folder: Path, lists: SampleLists) -> dict[str, Path]:
    """Save each list as an .xlsx in ``folder`` (a title row, then the header); returns kind -> path."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for kind, file_name in KIND_FILES.items():
        rows = lists.rows(kind)
        wb = Workbook()
        ws = wb.active
        ws.title = {"academic": "学籍", "conduct": "处分", "majors": "专业对照"}[kind]
        ws.append([lists.titles[kind]])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
        ws.cell(1, 1).font = Font(bold=True, size=14)
        ws.cell(1, 1).alignment = Alignment(horizontal="center")
        for row in rows:
            ws.append(row)
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        # Identifiers stay text cells, as the offices' systems export them.
        for col in ws.iter_cols(min_row=3, min_col=2):
            for cell in col:
                if isinstance(cell.value, str) and cell.value.isdigit():
                    cell.number_format = "@"
        for col, head in enumerate(rows[0], start=1):
            longest = max(len(str(r[col - 1])) for r in rows)
            letter = ws.cell(2, col).column_letter
            ws.column_dimensions[letter].width = min(60, max(6, longest * (1.2 if head == "序号" else 2.1) + 2))
        ws.freeze_panes = "A3"
        path = folder / file_name
        wb.save(path)
        out[kind] = path
    return out
