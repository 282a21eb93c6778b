"""As-you-type search and filters over the roster rows."""

from app.services.candidates import CandidateRow
from app.services.search import Filters, RosterIndex


def row(i, name, cls, counsellor="王老师", category="普通考生", status="roster"):
    return CandidateRow(uuid=str(i), student_no=f"20230{i:03d}", name=name, gender="男",
                        id_number=f"41030220030307{i:03d}1", class_name=cls, counsellor=counsellor,
                        major="计算机应用技术", intended_major="计算机科学与技术", category=category,
                        status=status, phone="")


ROWS = [row(1, "张三", "计应1班"), row(2, "李四", "计应1班", counsellor="李老师"),
        row(3, "张小明", "计应2班", category="退役大学生士兵"), row(4, "王五", "会计1班", status="eligible")]


def names(index, f):
    return [index.rows[i].name for i in index.filter(f)]


def test_text_matches_name_number_id_and_class():
    index = RosterIndex(ROWS)
    assert names(index, Filters(text="张")) == ["张三", "张小明"]
    assert names(index, Filters(text="20230002")) == ["李四"]
    assert names(index, Filters(text="0307004")) == ["王五"]
    assert names(index, Filters(text="计应2")) == ["张小明"]
    assert names(index, Filters(text="")) == ["张三", "李四", "张小明", "王五"]


def test_filters_combine():
    index = RosterIndex(ROWS)
    assert names(index, Filters(class_name="计应1班", counsellor="王老师")) == ["张三"]
    assert names(index, Filters(category="退役大学生士兵")) == ["张小明"]
    assert names(index, Filters(status="eligible", text="王")) == ["王五"]
    assert names(index, Filters(text="不存在")) == []
