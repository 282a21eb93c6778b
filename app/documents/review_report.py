"""附件4 报名资格审查报告单: counts, review steps, the ineligible candidates, the offices' opinions.

Every block is a keyed table, so each page's digest covers the counts and steps printed on it as
well as the candidate rows (keys ``count:…``, ``step:…``, ``opinion:…`` and candidate uuids).
"""

from __future__ import annotations

from pathlib import Path

from reportlab.platypus import KeepTogether, LongTable, Spacer

from app.documents import layout
from app.documents.data import Context, Report

FORM = "review_report"
LABEL = "附件4"
SIGNATURES = ("学生处（签章）", "教务处（签章）", "二级学院负责人（签字）")
STAMP = "二级学院（盖章）"
OFFICES = (("conduct", "学生处审核意见"), ("academic", "教务处审核意见"), ("college", "二级学院意见"))
SIGN_LINE = "负责人（签字）：________________　　　　（盖章）　　　　　　　　年　　月　　日"
INELIGIBLE_HEADER = ("序号", "姓名", "学号", "班级", "未通过原因")
INELIGIBLE_WIDTHS = (28, 50, 66, 120, 275)


def title(ctx: Context) -> str:
    return f"{ctx.college_name} {ctx.year}年专升本报名资格审查报告单"


def count_rows(report: Report) -> dict[str, tuple[str, ...]]:
    rows = {
        "count:roster": ("应届毕业生（名单）人数", f"{report.roster}"),
        "count:waived": ("放弃报名考试资格人数", f"{report.waived}"),
        "count:applicants": ("申请报名人数", f"{report.applicants}"),
        "count:eligible": ("审核通过人数", f"{report.eligible}"),
        "count:ineligible": ("审核未通过人数", f"{report.ineligible}"),
        "count:pending": ("尚未审核人数", f"{report.pending}"),
    }
    for reason, n in report.by_reason:
        rows[f"count:reason:{reason}"] = (f"其中：{reason}", f"{n}")
    # By type of problem a candidate may count more than once (failed courses and a discipline).
    for problem, n in report.by_problem:
        rows[f"count:problem:{problem}"] = (f"按问题类型：{problem}", f"{n}")
    return rows


def step_rows(report: Report) -> dict[str, tuple[str, ...]]:
    return {f"step:{i}": (f"{i}. {step}",) for i, step in enumerate(report.steps, start=1)}


def ineligible_rows(report: Report) -> dict[str, tuple[str, ...]]:
    return {p.uuid: (p.name, p.student_no, p.class_name, "；".join(p.reasons) or "审核未通过")
            for p in report.ineligible_people}


def opinion_rows() -> dict[str, tuple[str, ...]]:
    return {f"opinion:{key}": (label,) for key, label in OFFICES}


def rows(report: Report) -> dict[str, tuple[str, ...]]:
    return {**count_rows(report), **step_rows(report), **ineligible_rows(report), **opinion_rows()}


def frame(ctx: Context) -> layout.PageFrame:
    heading = f"二级学院：{ctx.college_name}    填报日期：{ctx.printed_on:%Y年%m月%d日}"
    return layout.PageFrame(LABEL, title(ctx), heading, SIGNATURES, STAMP, ctx.doc_uuid)


def page_frame(ctx: Context, _report: Report) -> layout.PageFrame:
    """The frame every page of this form prints (``PrintingService`` rebuilds it to check a page)."""
    return frame(ctx)


def render_pdf(out: Path, ctx: Context, report: Report, **kw) -> list[layout.PageRecord]:
    st = layout.styles(9.5)
    counts, steps, people, opinions = count_rows(report), step_rows(report), ineligible_rows(report), opinion_rows()
    story: list = [layout.text("一、审查结果统计", st.section)]
    story.append(layout.keyed_table(("项目", "人数"), list(counts.items()), (380, 159), st, numbered=False))
    story.append(layout.text("二、审查步骤", st.section))
    story.append(layout.keyed_table(("审查过程",), list(steps.items()), (539,), st, numbered=False))
    story.append(layout.text("三、审核未通过考生名单", st.section))
    if people:
        story.append(layout.keyed_table(INELIGIBLE_HEADER, list(people.items()), INELIGIBLE_WIDTHS, st))
    else:
        story.append(layout.text("无。", st.cell))
    story.append(layout.text("四、审核意见", st.section))
    for key, cells in opinions.items():
        # Room to write the opinion by hand, then the signature line.
        body = [layout.Keyed("", st.cell, key), Spacer(1, 60), layout.text(SIGN_LINE, st.cell)]
        block = LongTable([[layout.text(cells[0], st.head)], [body]], colWidths=[539])
        block.setStyle(layout.grid_style())
        story.append(KeepTogether([block, Spacer(1, 6)]))
    return layout.render(out, frame(ctx), story, {**counts, **steps, **people, **opinions}, **kw)


XLSX_HEADER = ("栏目", "项目 / 姓名", "人数 / 学号", "班级", "原因")
XLSX_WIDTHS = (16, 36, 14, 16, 40)


def render_xlsx(out: Path, ctx: Context, report: Report, records) -> Path:
    from app.documents import xlsx

    sections = {**dict.fromkeys(count_rows(report), "审查结果统计"), **dict.fromkeys(step_rows(report), "审查步骤"),
                **dict.fromkeys(ineligible_rows(report), "审核未通过"), **dict.fromkeys(opinion_rows(), "审核意见")}
    data = rows(report)
    # The opinion rows are blank blocks for handwriting: give them the signature line in the sheet too.
    cells = {k: ((*v, SIGN_LINE) if k.startswith("opinion:") else v)
             for k, v in data.items()}
    return xlsx.write(out, frame(ctx), XLSX_HEADER, XLSX_WIDTHS, cells, records, numbered=False, prefix=sections)
