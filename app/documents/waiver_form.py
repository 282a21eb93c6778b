"""附件1 放弃报名考试资格申请书: one student's signed statement (one page)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.platypus import LongTable, Spacer

from app.documents import layout
from app.documents.data import Context, Person

FORM = "waiver_form"
LABEL = "附件1"
SIGNATURES = ("学生本人（签字）", "签字日期", "辅导员（签字）", "审核日期")
STAMP = "二级学院（盖章）"
BLANK_REASON = "（请本人填写）"


def title(ctx: Context) -> str:
    return "放弃专升本报名考试资格申请书"


def info_rows(p: Person) -> dict[str, tuple[str, ...]]:
    return {
        f"{p.uuid}#1": ("姓名", p.name, "性别", p.gender),
        f"{p.uuid}#2": ("学号", p.student_no, "身份证号", p.id_number),
        f"{p.uuid}#3": ("班级", p.class_name, "所学专业", p.major),
        f"{p.uuid}#4": ("辅导员", p.counsellor, "联系电话", p.phone),
    }


def reason_row(p: Person) -> dict[str, tuple[str, ...]]:
    return {f"{p.uuid}#reason": (p.waiver_reason or BLANK_REASON,)}


def rows(p: Person) -> dict[str, tuple[str, ...]]:
    return {**info_rows(p), **reason_row(p)}


def statement(ctx: Context, p: Person) -> str:
    return (f"本人{p.name}，系{ctx.college_name}{p.class_name}学生（学号 {p.student_no}）。经慎重考虑，"
            f"本人自愿放弃{ctx.year}年专升本报名考试资格，不参加本年度专升本报名和考试，"
            "由此产生的一切后果由本人承担。")


def _reason_box(reason: dict[str, tuple[str, ...]], st: layout.Styles) -> LongTable:
    """The reason, then room to write by hand (a blank form is filled in by the student)."""
    (key, (text,)), = reason.items()
    box = LongTable([[layout.text("放弃原因", st.head)],
                     [[layout.Keyed(escape(text), st.body, key), Spacer(1, 70)]]], colWidths=[539])
    box.setStyle(layout.grid_style())
    return box


def page_frame(ctx: Context, p: Person) -> layout.PageFrame:
    """The page's frame; the statement (with the year and the student) is covered by the digest."""
    return layout.PageFrame(LABEL, title(ctx), f"二级学院：{ctx.college_name}", SIGNATURES, STAMP, ctx.doc_uuid,
                            extra=(("申请声明", statement(ctx, p)),))


def render_pdf(out: Path, ctx: Context, p: Person, **kw) -> list[layout.PageRecord]:
    st = layout.styles(11)
    info, reason = info_rows(p), reason_row(p)
    when = f"{p.waived_on:%Y年%m月%d日}" if p.waived_on else "____年__月__日"
    story = [
        layout.keyed_table(("项目", "内容", "项目", "内容"), list(info.items()), (80, 170, 80, 209), st,
                           numbered=False),
        Spacer(1, 14),
        layout.text(statement(ctx, p), st.body),
        Spacer(1, 10),
        _reason_box(reason, st),
        Spacer(1, 14),
        layout.text(f"申请日期：{when}", st.body),
        layout.text("（本表一式两份，学生本人和二级学院各留存一份；须本人手写签名。）", st.cell),
    ]
    return layout.render(out, page_frame(ctx, p), story, {**info, **reason}, **kw)


def render_xlsx(out: Path, ctx: Context, p: Person, records) -> Path:
    from app.documents import xlsx

    frame = layout.PageFrame(LABEL, title(ctx), statement(ctx, p), SIGNATURES, STAMP, ctx.doc_uuid)
    return xlsx.write(out, frame, ("项目", "内容", "项目", "内容"), (12, 24, 12, 30), rows(p), records,
                      numbered=False)
