"""公示: the eligible candidates for the notice board and website, ID numbers masked.

Only ``idnumber.mask`` output ever reaches these rows: the full number is not in the data the
renderers receive, so no layout slip can print it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.documents import layout
from app.documents.data import Context, Person
from app.domain.idnumber import mask

FORM = "publicity"
LABEL = "公示"
HEADER = ("序号", "姓名", "二级学院", "所学专业", "报考专业(类)", "考生类别", "身份证号")
WIDTHS = (28, 52, 80, 96, 100, 78, 105)  # 539 pt
SIGNATURES = ("二级学院（盖章）", "公示人（签字）")
STAMP = "二级学院（盖章）"


def title(ctx: Context) -> str:
    return f"{ctx.college_name} {ctx.year}年专升本报名资格审查合格名单公示"


def period(ctx: Context) -> str:
    if ctx.publicity_start and ctx.publicity_end:
        return f"公示时间：{ctx.publicity_start:%Y年%m月%d日} 至 {ctx.publicity_end:%Y年%m月%d日}"
    return "公示时间：____年__月__日 至 ____年__月__日"


def rows(people: Sequence[Person]) -> dict[str, tuple[str, ...]]:
    return {p.uuid: (p.name, p.college_name, p.major, p.intended_major, p.category, mask(p.id_number))
            for p in people}


def frame(ctx: Context, count: int) -> layout.PageFrame:
    heading = f"{period(ctx)}    合格人数：{count} 人    如有异议，请在公示期内向二级学院反映"
    return layout.PageFrame(LABEL, title(ctx), heading, SIGNATURES, STAMP, ctx.doc_uuid)


def page_frame(ctx: Context, people: Sequence[Person]) -> layout.PageFrame:
    """The frame every page of this form prints (``PrintingService`` rebuilds it to check a page)."""
    return frame(ctx, len(people))


def render_pdf(out: Path, ctx: Context, people: Sequence[Person], **kw) -> list[layout.PageRecord]:
    data = rows(people)
    table = layout.keyed_table(HEADER, list(data.items()), WIDTHS, layout.styles(9))
    return layout.render(out, frame(ctx, len(data)), [table], data, **kw)


XLSX_WIDTHS = (5, 10, 16, 18, 20, 10, 21)


def render_xlsx(out: Path, ctx: Context, people: Sequence[Person], records: Sequence[layout.PageRecord]) -> Path:
    from app.documents import xlsx

    data = rows(people)
    return xlsx.write(out, frame(ctx, len(data)), HEADER, XLSX_WIDTHS, data, records)
