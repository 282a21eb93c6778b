"""附件2 放弃报名考试资格学生名单: the college's list of active waivers."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.documents import layout
from app.documents.data import Context, Person

FORM = "waiver_list"
LABEL = "附件2"
HEADER = ("序号", "姓名", "性别", "学号", "班级", "所学专业", "放弃原因", "放弃日期", "辅导员")
WIDTHS = (24, 44, 24, 60, 100, 70, 117, 56, 44)  # 539 pt: portrait A4 less the margins
SIGNATURES = ("二级学院负责人（签字）", "经办人（签字）", "辅导员（签字）")
STAMP = "二级学院（盖章）"


def title(ctx: Context) -> str:
    return f"{ctx.college_name} {ctx.year}年放弃专升本报名考试资格学生名单"


def rows(people: Sequence[Person]) -> dict[str, tuple[str, ...]]:
    return {p.uuid: (p.name, p.gender, p.student_no, p.class_name, p.major, p.waiver_reason,
                     f"{p.waived_on:%Y-%m-%d}" if p.waived_on else "", p.counsellor) for p in people}


def frame(ctx: Context, count: int) -> layout.PageFrame:
    heading = f"二级学院：{ctx.college_name}    放弃人数：{count} 人    填表日期：{ctx.printed_on:%Y年%m月%d日}"
    return layout.PageFrame(LABEL, title(ctx), heading, SIGNATURES, STAMP, ctx.doc_uuid)


def page_frame(ctx: Context, people: Sequence[Person]) -> layout.PageFrame:
    """The frame every page of this form prints (``PrintingService`` rebuilds it to check a page)."""
    return frame(ctx, len(people))


def render_pdf(out: Path, ctx: Context, people: Sequence[Person], **kw) -> list[layout.PageRecord]:
    data = rows(people)
    table = layout.keyed_table(HEADER, list(data.items()), WIDTHS, layout.styles())
    return layout.render(out, frame(ctx, len(data)), [table], data, **kw)


XLSX_WIDTHS = (5, 9, 5, 13, 16, 16, 30, 12, 9)


def render_xlsx(out: Path, ctx: Context, people: Sequence[Person], records: Sequence[layout.PageRecord]) -> Path:
    from app.documents import xlsx

    data = rows(people)
    return xlsx.write(out, frame(ctx, len(data)), HEADER, XLSX_WIDTHS, data, records)
