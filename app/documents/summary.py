"""附件3 报名申请总表: one row per applying candidate, landscape A4."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.documents import layout
from app.documents.data import Context, Person

FORM = "summary"
LABEL = "附件3"
HEADER = ("序号", "姓名", "性别", "身份证号", "学号", "所学专业", "报考专业(类)", "考生类别", "班级", "联系电话", "备注")
WIDTHS = (24, 46, 24, 96, 60, 86, 92, 52, 110, 62, 134)  # 786 pt: landscape A4 less the margins
SIGNATURES = ("学生处（签章）", "教务处（签章）", "二级学院负责人（签字）", "经办人（签字）")
STAMP = "二级学院（盖章）"


def title(ctx: Context) -> str:
    which = f"（{ctx.class_name}）" if ctx.class_name else ""
    return f"{ctx.college_name} {ctx.year}年专升本报名申请总表{which}"


def remark(p: Person) -> str:
    if p.status == "ineligible":
        return "审核未通过" + ("：" + "；".join(p.reasons) if p.reasons else "")
    if p.status == "roster":
        return "待审核（审核意见需重新审核）" if p.needs_review else "待审核"
    return ""


def rows(people: Sequence[Person]) -> dict[str, tuple[str, ...]]:
    """Key -> printed cells (序号 excluded), in print order."""
    return {p.uuid: (p.name, p.gender, p.id_number, p.student_no, p.major, p.intended_major, p.category,
                     p.class_name, p.phone, remark(p)) for p in people}


def frame(ctx: Context, count: int) -> layout.PageFrame:
    klass = f"班级：{ctx.class_name}    " if ctx.class_name else ""
    heading = (f"二级学院：{ctx.college_name}    {klass}报名人数：{count} 人    "
               f"填表日期：{ctx.printed_on:%Y年%m月%d日}")
    return layout.PageFrame(LABEL, title(ctx), heading, SIGNATURES, STAMP, ctx.doc_uuid, landscape=True)


def page_frame(ctx: Context, people: Sequence[Person]) -> layout.PageFrame:
    """The frame every page of this form prints (``PrintingService`` rebuilds it to check a page)."""
    return frame(ctx, len(people))


def render_pdf(out: Path, ctx: Context, people: Sequence[Person], **kw) -> list[layout.PageRecord]:
    data = rows(people)
    st = layout.styles()
    table = layout.keyed_table(HEADER, list(data.items()), WIDTHS, st)
    return layout.render(out, frame(ctx, len(data)), [table], data, **kw)


XLSX_WIDTHS = (5, 9, 5, 21, 13, 16, 18, 10, 16, 13, 26)


def render_xlsx(out: Path, ctx: Context, people: Sequence[Person], records: Sequence[layout.PageRecord]) -> Path:
    from app.documents import xlsx

    data = rows(people)
    return xlsx.write(out, frame(ctx, len(data)), HEADER, XLSX_WIDTHS, data, records)
