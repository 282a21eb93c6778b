"""As-you-type search and filters over the roster rows."""

from app.roster.candidates import CandidateRow
from app.roster.search import Filters, RosterIndex, pinyin_keys


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


def test_pinyin_initials_full_and_mixed_find_names():
    index = RosterIndex(ROWS)
    assert names(index, Filters(text="zs")) == ["张三"]
    assert names(index, Filters(text="zhangsan")) == ["张三"]
    assert names(index, Filters(text="Zhang")) == ["张三", "张小明"]
    assert names(index, Filters(text="zxm")) == ["张小明"]
    assert names(index, Filters(text="zhangxm")) == ["张小明"]
    assert names(index, Filters(text="ww")) == ["王五"]
    assert names(index, Filters(text="zhangsi")) == []


def test_pinyin_combines_with_the_filters():
    index = RosterIndex(ROWS)
    assert names(index, Filters(text="z", class_name="计应2班")) == ["张小明"]
    assert names(index, Filters(text="zs", status="eligible")) == []


def test_pinyin_keys_can_come_later():
    index = RosterIndex(ROWS, with_pinyin=False)
    assert not index.has_pinyin
    assert names(index, Filters(text="zs")) == []
    assert names(index, Filters(text="张")) == ["张三", "张小明"]
    index.set_pinyin_keys(pinyin_keys(index.rows))
    assert names(index, Filters(text="zs")) == ["张三"]


def test_the_existing_search_stays_beside_pinyin():
    rows = [*ROWS, row(5, "单丽", "机电1班")]
    index = RosterIndex(rows)
    assert names(index, Filters(text="0307005")) == ["单丽"]
    assert names(index, Filters(text="机电")) == ["单丽"]
    assert names(index, Filters(text="shanli")) == ["单丽"]
    assert names(index, Filters(text="sl")) == ["单丽"]
    assert names(index, Filters(text="danli")) == []


def test_every_filter_applies_with_and_without_text():
    import dataclasses

    rows = [dataclasses.replace(r, onsite="未到" if r.name == "张三" else "已完成") for r in ROWS]
    index = RosterIndex(rows)
    assert names(index, Filters(onsite="未到")) == ["张三"]
    assert names(index, Filters(text="z", onsite="已完成")) == ["张小明"]
    assert names(index, Filters(text="张", onsite="未到")) == ["张三"]
