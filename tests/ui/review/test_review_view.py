"""The review screen, driven like a user: import a 学籍 list, run the comparison, filter, decide, approve."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QToolButton

from app.domain.review import default_graduation_year
from ui.common.import_flow_dialog import ImportFlowDialog
from ui.common.tasks import TaskRunner
from ui.review.approve_dialog import ApproveDialog
from ui.review.review_view import DIFF_BG, ReviewView
from ui.review.run_result_dialog import RunResultDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

YEAR = default_graduation_year(dt.date.today())  # the season's graduates
HEADER = ["序号", "学号", "姓名", "身份证号", "专业", "学籍状态", "预计毕业时间", "不及格课程"]


def academic_workbook(path: Path, raws: list[dict], *, name_of_1: str, status_of_2: str) -> Path:
    """Candidate 0 clean, 1 with another name, 2 not 在籍, 3 missing; a row with a bad ID number."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([f"{YEAR}届毕业生学籍名单"])
    ws.append(HEADER)
    for i, r in enumerate(raws[:3]):
        name = name_of_1 if i == 1 else r["name"]
        status = status_of_2 if i == 2 else "在籍"
        ws.append([i + 1, r["student_no"], name, r["id_number"], r["major"], status, f"{YEAR}-07", "无"])
    ws.append([9, "2099000001", "外人", "41010220030101001", "软件技术", "在籍", f"{YEAR}-07", ""])
    for row in ws.iter_rows(min_row=3):
        row[3].number_format = "@"
    wb.save(path)
    return path


@pytest.fixture
def raws(container, actor, make_candidate_raw) -> list[dict]:
    out = [make_candidate_raw(i) for i in range(4)]
    for r in out:
        container.candidates.create(actor, r)
    return out


def make_view(qtbot, container, actor, runner) -> ReviewView:
    view = ReviewView(actor, runner, review=container.review, reference=container.reference, waivers=container.waivers,
                      settings=container.settings, printing=container.printing, printed_dir=container.printed_dir)
    qtbot.addWidget(view)
    view.resize(1240, 700)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    return view


def click_action(qtbot, view: ReviewView, action) -> None:
    button = view.toolbar.widgetForAction(action)
    assert button is not None and button.isVisible(), action.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def import_academic(gui, file_dialogs, view: ReviewView, path: Path) -> ImportFlowDialog:
    file_dialogs.open_answer = lambda _proposed: str(path)
    view.import_actions["academic"].trigger()  # the 导入名单… menu's first entry
    dialog = view.import_dialog
    assert dialog is not None and dialog.isVisible()
    gui.click(dialog.browse_button)
    assert dialog.stack.currentIndex() == ImportFlowDialog.PREVIEW
    with gui.qtbot.waitSignal(view.review_changed, timeout=3000):
        gui.click(dialog.next_button)
    assert dialog.stack.currentIndex() == ImportFlowDialog.RESULT
    gui.click(dialog.next_button)  # 完成
    gui.qtbot.waitUntil(lambda: view.import_dialog is None)
    return dialog


def run_comparison(qtbot, view: ReviewView) -> RunResultDialog:
    click_action(qtbot, view, view.run_action)
    dialog = view.dialog
    assert isinstance(dialog, RunResultDialog) and dialog.isVisible()
    return dialog


def summaries(view: ReviewView) -> list[tuple[str, str]]:
    m = view.model
    return [(m.index(r, 1).data(), m.index(r, 4).data()) for r in range(m.rowCount())]


def test_import_run_filter_decide_and_approve(qtbot, file_dialogs, gui, container, actor, runner, raws, tmp_path):
    source = academic_workbook(tmp_path / "学籍.xlsx", raws, name_of_1="错名字", status_of_2="休学")
    view = make_view(qtbot, container, actor, runner)
    assert "未导入" in view.list_labels["academic"].text()
    assert view.year_edit.text() == str(YEAR)

    import_academic(gui, file_dialogs, view, source)
    assert "学籍.xlsx（4 行）" in view.list_labels["academic"].text()

    dialog = run_comparison(qtbot, view)
    summary = dialog.findChild(QLabel, "runSummary").text()
    assert "共比对 4 名考生，3 名有问题" in summary and "第一次比对" in summary
    counted = {dialog.counts_table.item(r, 0).text(): dialog.counts_table.item(r, 1).text()
               for r in range(dialog.counts_table.rowCount())}
    assert counted == {"未在学籍名单中": "1", "姓名不一致": "1", "学籍状态不是在籍": "1"}
    dialog.close()

    rows = summaries(view)
    assert [s for _n, s in rows[:3]] != ["—"] * 3 and all(s != "—" for _n, s in rows[:3])
    assert rows[3] == (raws[0]["name"], "—")  # the clean candidate comes last
    assert view.count_label.text() == "显示 4 / 共 4 人"

    gui.pick(view.finding_combo, "name_mismatch")
    assert summaries(view) == [(raws[1]["name"], "姓名不一致")]
    assert view.detail_title.text().startswith(raws[1]["name"])
    # The 学籍 row sits beside the roster; the differing name is marked.
    table = view.compare_table
    assert table.horizontalHeaderItem(1).text() == "教务处学籍名单\n第 4 行"
    name_row = next(r for r in range(table.rowCount()) if table.verticalHeaderItem(r).text() == "姓名")
    assert table.item(name_row, 1).text() == "错名字"
    assert table.item(name_row, 1).background().color() == DIFF_BG
    assert table.item(name_row, 0).background().color() == DIFF_BG
    assert "姓名不一致" in view.findings_list.item(0).text()

    # A fail needs an opinion: the button waits for it, and Ctrl+Enter says so under the field.
    qtbot.mouseClick(view.fail_radio, Qt.MouseButton.LeftButton)
    assert not view.record_button.isEnabled() and view.decide_hint.text() == "不通过时须填写意见"
    view.opinion_edit.setFocus()
    qtbot.keyClick(view.opinion_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert view.opinion_error.isVisible()
    assert view.opinion_error.text() == "审核不通过时必须填写意见（原因）。"
    assert container.review.get(raws[1]["student_no"]).decisions == {}

    gui.type_text(view.opinion_edit, "姓名与学籍不符")
    qtbot.keyClick(view.opinion_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    stored = container.review.get(raws[1]["student_no"])
    assert stored.status == "ineligible"
    assert stored.decisions["academic"].opinion == "姓名与学籍不符"
    assert stored.decisions["academic"].reviewer == actor.username
    assert not view.opinion_error.isVisible()
    assert view.decisions_table.item(0, 1).text() == "不通过"
    assert view.decisions_table.item(0, 4).text() == "姓名与学籍不符"
    assert view.model.index(0, 3).data() == "审核未通过"
    assert view.focusWidget() is view.table  # ready for the arrow keys

    # Arrow keys move between candidates and the detail follows.
    gui.pick(view.finding_combo, "")
    view.table.setFocus()
    first = view.detail_title.text()
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert view.detail_title.text() != first

    # Status filter.
    gui.pick(view.status_combo, "ineligible")
    assert summaries(view) == [(raws[1]["name"], "姓名不一致")]
    gui.pick(view.status_combo, "")

    # Approve the clean candidate: the confirmation says how many and for which office.
    click_action(qtbot, view, view.approve_action)
    approve = view.dialog
    assert isinstance(approve, ApproveDialog)
    assert "将为 1 名" in approve.message.text() and "三个部门" in approve.message.text()
    gui.pick(approve.office_combo, "conduct")
    assert "“学生处”" in approve.message.text()
    gui.pick(approve.office_combo, "all")
    gui.click(approve.ok_button)
    qtbot.waitUntil(lambda: any("已为 1 名没有比对问题的考生" in b.text() for b in gui.message_boxes()))
    assert container.review.get(raws[0]["student_no"]).status == "eligible"
    assert container.review.get(raws[2]["student_no"]).decisions == {}  # with findings: left alone
    for box in gui.message_boxes():
        box.close()


def test_rerun_shows_what_changed(qtbot, file_dialogs, gui, container, actor, runner, raws, tmp_path):
    view = make_view(qtbot, container, actor, runner)
    import_academic(gui, file_dialogs, view, academic_workbook(tmp_path / "a.xlsx", raws, name_of_1="错名字",
                                                   status_of_2="休学"))
    run_comparison(qtbot, view).close()
    import_academic(gui, file_dialogs, view, academic_workbook(tmp_path / "b.xlsx", raws, name_of_1=raws[1]["name"],
                                                   status_of_2="休学"))
    assert "b.xlsx" in view.list_labels["academic"].text()
    dialog = run_comparison(qtbot, view)
    assert "1 名考生有变化" in dialog.findChild(QLabel, "runSummary").text()
    assert dialog.changes_table.rowCount() == 1
    assert dialog.changes_table.item(0, 1).text() == raws[1]["name"]
    assert "姓名不一致" in dialog.changes_table.item(0, 3).text()


def test_run_without_a_list_says_what_to_do(qtbot, gui, container, actor, runner, raws):
    view = make_view(qtbot, container, actor, runner)
    click_action(qtbot, view, view.run_action)
    qtbot.waitUntil(lambda: any("尚未导入教务处学籍名单" in b.text() for b in gui.message_boxes()))
    assert not isinstance(view.dialog, RunResultDialog)


def test_settings_are_edited_with_inline_errors(qtbot, gui, container, actor, runner, raws):
    view = make_view(qtbot, container, actor, runner)
    view.year_edit.clear()
    gui.type_text(view.year_edit, "20x6")
    gui.click(view.save_settings_button)
    assert view.settings_error.isVisible() and "毕业年份" in view.settings_error.text()
    view.year_edit.clear()
    gui.type_text(view.year_edit, str(YEAR + 1))
    gui.type_text(view.deadline_edit.edit, f"{YEAR + 1}.3.31")  # as people type it
    qtbot.keyClick(view.deadline_edit.edit, Qt.Key.Key_Return)
    assert container.settings.get("graduation_year") == YEAR + 1
    assert container.settings.get("waiver_deadline") == dt.date(YEAR + 1, 3, 31)
    assert "已保存" in view.settings_error.text()


def test_settings_saved_together_are_stored_together_or_not_at_all(qtbot, gui, container, actor, runner, raws):
    view = make_view(qtbot, container, actor, runner)
    year_before = container.settings.get("graduation_year")
    events_before = container.audit_log.count()
    view.year_edit.clear()
    gui.type_text(view.year_edit, str(YEAR + 2))  # a good year
    gui.type_text(view.deadline_edit.edit, "3月32日")  # and a date that does not exist
    gui.click(view.save_settings_button)
    assert view.settings_error.isVisible() and "已保存" not in view.settings_error.text()
    assert container.settings.get("graduation_year") == year_before  # the good half is not stored either
    assert container.audit_log.count() == events_before  # nothing was written


def test_supervisor_reads_only(qtbot, container, actor, runner, raws, tmp_path):
    path = academic_workbook(tmp_path / "学籍.xlsx", raws, name_of_1="错名字", status_of_2="休学")
    container.reference.commit(actor, container.reference.preview("academic", path))
    container.review.run(actor)
    container.setup.create_user(actor, "jj01", "纪检", "supervisor", "Passw0rd9")
    supervisor = container.setup.login("jj01", "Passw0rd9")
    view = make_view(qtbot, container, supervisor, runner)
    assert view.model.rowCount() == 4
    assert view.toolbar.widgetForAction(view.run_action) is None
    assert view.toolbar.widgetForAction(view.approve_action) is None
    assert not view.import_button.isVisible()
    assert not view.decide_box.isVisible() and not view.waiver_row.isVisible()
    assert view.year_edit.isReadOnly() and not view.save_settings_button.isVisible()
    assert view.compare_table.rowCount() > 0  # the detail is there to read
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert container.review.get(view.selected_uuid()).decisions == {}


def _row_of(table, label: str) -> int:
    return next(r for r in range(table.rowCount()) if table.verticalHeaderItem(r).text() == label)


def test_the_run_says_its_year_and_reopens_a_pass(qtbot, file_dialogs, gui, container, actor, runner, raws, tmp_path):
    view = make_view(qtbot, container, actor, runner)
    import_academic(gui, file_dialogs, view, academic_workbook(tmp_path / "a.xlsx", raws, name_of_1="错名字",
                                                   status_of_2="休学"))
    dialog = run_comparison(qtbot, view)
    year = dialog.findChild(QLabel, "runYear").text()
    assert f"按毕业年份 {YEAR} 届比对（未设置，按今天的日期推定" in year
    assert not dialog.findChild(QLabel, "runReopened").isVisible()
    dialog.close()
    # Candidate 0 (clean) is approved by all three offices.
    click_action(qtbot, view, view.approve_action)
    gui.click(view.dialog.ok_button)
    qtbot.waitUntil(lambda: any("教务处：通过 1 名；因有比对问题跳过 3 名。" in b.text() for b in gui.message_boxes()))
    for box in gui.message_boxes():
        box.close()
    assert container.review.get(raws[0]["student_no"]).status == "eligible"
    # A corrected list: candidate 0's name differs now. The pass no longer counts.
    wb = academic_workbook(tmp_path / "b.xlsx", raws, name_of_1="错名字", status_of_2="休学")
    book = openpyxl.load_workbook(wb)
    book.active.cell(3, 3).value = "王某"
    book.save(wb)
    import_academic(gui, file_dialogs, view, wb)
    dialog = run_comparison(qtbot, view)
    reopened = dialog.findChild(QLabel, "runReopened")
    assert reopened.isVisible() and "1 名考生的审核意见因比对结果变化不再成立" in reopened.text()
    row = next(r for r in range(dialog.changes_table.rowCount())
               if dialog.changes_table.item(r, 1).text() == raws[0]["name"])
    assert dialog.changes_table.item(row, 4).text().startswith("教务处的审核通过不再计入，需重新审核（新问题：姓名不一致")
    dialog.close()
    # The list marks the candidate, the status filter finds them, the detail says why.
    gui.pick(view.status_combo, "__needs_review__")
    assert [n for n, _s in summaries(view)] == [raws[0]["name"]]
    assert view.model.index(0, 3).data() == "需重新审核"
    assert summaries(view)[0][1] == "姓名不一致"
    banner = view.standing_label
    assert banner.isVisible() and "教务处：出现新问题，需重新审核（新问题：姓名不一致" in banner.text()
    assert view.decisions_table.item(0, 1).text() == "通过（不再计入）"
    assert view.decisions_table.item(1, 1).text() == "通过"
    # 上次比对结果 shows the same changes again.
    click_action(qtbot, view, view.last_run_action)
    again = view.dialog
    assert isinstance(again, RunResultDialog) and again.isVisible()
    assert again.changes_table.rowCount() == dialog.changes_table.rowCount()
    assert "比对时间：" in again.findChild(QLabel, "runYear").text()


def test_a_fail_without_its_finding_and_the_offence_beside_the_sanction(qtbot, gui, container, actor, runner, raws,
                                                                        tmp_path):
    path = academic_workbook(tmp_path / "a.xlsx", raws, name_of_1=raws[1]["name"], status_of_2="休学")
    container.reference.commit(actor, container.reference.preview("academic", path))
    wb = openpyxl.Workbook()
    wb.active.append(["学号", "姓名", "违纪事由", "处分类别", "是否解除"])
    wb.active.append([raws[1]["student_no"], raws[1]["name"], "考试作弊", "记过", "否"])
    wb.save(tmp_path / "c.xlsx")
    container.reference.commit(actor, container.reference.preview("conduct", tmp_path / "c.xlsx"))
    container.review.run(actor)
    container.review.decide(actor, raws[2]["student_no"], "academic", False, "休学中")
    path = academic_workbook(tmp_path / "b.xlsx", raws, name_of_1=raws[1]["name"], status_of_2="在籍")
    container.reference.commit(actor, container.reference.preview("academic", path))
    container.review.run(actor)
    view = make_view(qtbot, container, actor, runner)
    gui.type_text(view.search, raws[2]["student_no"])
    assert view.detail_title.text().startswith(raws[2]["name"])
    assert view.decisions_table.item(0, 1).text() == "不通过（依据已消除）"
    assert "依据已消除，需重新审核：已消除：学籍状态为“休学”" in view.decisions_table.item(0, 1).toolTip()
    assert "教务处：依据已消除，需重新审核" in view.standing_label.text()
    # The conduct finding: the offence is shown beside the sanction, in the finding and the table.
    view.search.clear()
    gui.type_text(view.search, raws[1]["student_no"])
    assert view.findings_list.item(0).text().startswith("学生处｜有未解除的处分：记过（违纪事由：考试作弊）")
    table = view.compare_table
    assert table.item(_row_of(table, "违纪事由"), 2).text() == "考试作弊"
    assert table.item(_row_of(table, "处分"), 2).text() == "记过"
    # Every column is at least as wide as its title (“学生处处分名单 / 第 2 行”).
    header = table.horizontalHeader()
    assert all(table.columnWidth(c) >= header.sectionSizeFromContents(c).width() for c in range(table.columnCount()))
    # A narrow pane wraps the finding onto more lines: the list grows, nothing is cut off.
    view.splitter.setSizes([900, 300])
    findings = view.findings_list
    qtbot.waitUntil(lambda: findings.visualItemRect(findings.item(0)).height() > 2 * findings.fontMetrics().height())
    assert findings.visualItemRect(findings.item(0)).bottom() <= findings.viewport().height()


# -- the decision, the reviewer, the comparison after an import, the approve-all summary ---------------

def reviewed_view(qtbot, container, actor, runner, raws, tmp_path) -> ReviewView:
    """The screen after a 学籍 list and a comparison: three candidates with findings, one clean."""
    path = academic_workbook(tmp_path / "学籍.xlsx", raws, name_of_1="错名字", status_of_2="休学")
    container.reference.commit(actor, container.reference.preview("academic", path))
    container.review.run(actor)
    view = make_view(qtbot, container, actor, runner)
    view.table.setFocus()
    return view


def test_no_decision_is_chosen_for_the_reviewer_and_none_carries_to_the_next_student(qtbot, gui, container, actor,
                                                                                    runner, raws, tmp_path):
    view = reviewed_view(qtbot, container, actor, runner, raws, tmp_path)
    first = view.detail_title.text()
    # Nothing chosen: the button waits and says why.
    assert not view.pass_radio.isChecked() and not view.fail_radio.isChecked()
    assert not view.record_button.isEnabled()
    assert view.decide_hint.isVisible() and view.decide_hint.text() == "请选择“通过”或“不通过”"
    # Enter in the opinion before choosing records nothing and says what is missing.
    view.opinion_edit.setFocus()
    qtbot.keyClick(view.opinion_edit, Qt.Key.Key_Return)
    assert view.opinion_error.text() == "请先选择“通过”或“不通过”。"
    assert container.review.get(view.selected_uuid()).decisions == {}
    # 不通过 waits for an opinion; with one, the button records it.
    qtbot.mouseClick(view.fail_radio, Qt.MouseButton.LeftButton)
    assert not view.record_button.isEnabled() and view.decide_hint.text() == "不通过时须填写意见"
    gui.type_text(view.opinion_edit, "学籍不符")
    assert view.record_button.isEnabled() and not view.decide_hint.isVisible()
    gui.click(view.record_button)
    uuid = view.selected_uuid()
    assert container.review.get(uuid).decisions["academic"].decision == "fail"
    # Recorded: the form is empty again for the next office.
    assert not view.fail_radio.isChecked() and view.opinion_edit.text() == ""
    assert not view.record_button.isEnabled()
    # A choice half made for one student does not follow to the next one.
    qtbot.mouseClick(view.fail_radio, Qt.MouseButton.LeftButton)
    gui.type_text(view.opinion_edit, "未写完")
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    assert view.detail_title.text() != first
    assert not view.pass_radio.isChecked() and not view.fail_radio.isChecked()
    assert view.opinion_edit.text() == "" and not view.record_button.isEnabled()
    # 通过 needs no opinion.
    qtbot.mouseClick(view.pass_radio, Qt.MouseButton.LeftButton)
    assert view.record_button.isEnabled()
    qtbot.keyClick(view.opinion_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert container.review.get(view.selected_uuid()).decisions["academic"].decision == "pass"


def test_the_reviewer_is_named_as_people_know_them(qtbot, gui, container, actor, runner, raws, tmp_path):
    container.setup.create_user(actor, "jwc01", "欧阳娜迪拉·艾尼瓦尔", "reviewer", "Passw0rd9", "academic")
    reviewer = container.setup.login("jwc01", "Passw0rd9")
    container.review.decide(reviewer, raws[0]["student_no"], "academic", True)
    view = make_view(qtbot, container, reviewer, runner)
    gui.type_text(view.search, raws[0]["student_no"])
    cell = view.decisions_table.item(0, 2)
    assert cell.text() == "欧阳娜迪拉·艾尼瓦尔"
    assert cell.toolTip() == "欧阳娜迪拉·艾尼瓦尔（登录名 jwc01）"
    # The column is wide enough for the name.
    table = view.decisions_table
    assert table.fontMetrics().horizontalAdvance(cell.text()) <= table.columnWidth(2) or cell.toolTip()


def test_after_importing_a_list_the_comparison_is_one_click_away(qtbot, gui, file_dialogs, container, actor, runner, raws, tmp_path):
    view = make_view(qtbot, container, actor, runner)
    assert not view.stale_banner.isVisible()
    # The first 学籍 list: the result page offers to run the comparison, and runs it.
    file_dialogs.open_answer = lambda _proposed: str(academic_workbook(tmp_path / "a.xlsx", raws, name_of_1="错名字",
                                                         status_of_2="休学"))
    view.import_actions["academic"].trigger()
    dialog = view.import_dialog
    gui.click(dialog.browse_button)
    with qtbot.waitSignal(view.review_changed, timeout=3000):
        gui.click(dialog.next_button)
    assert dialog.stack.currentIndex() == ImportFlowDialog.RESULT
    # Until it runs, the screen says the findings are not there yet.
    assert view.stale_banner.isVisible() and "还没有运行比对" in view.stale_label.text()
    assert dialog.compare_button.isVisible() and dialog.compare_button.text() == "运行比对"
    assert dialog.focusWidget() is dialog.compare_button
    gui.click(dialog.compare_button)
    qtbot.waitUntil(lambda: isinstance(view.dialog, RunResultDialog) and view.dialog.isVisible())
    assert "共比对 4 名考生，3 名有问题" in view.dialog.findChild(QLabel, "runSummary").text()
    qtbot.waitUntil(lambda: view.import_dialog is None)
    view.dialog.close()
    assert not view.stale_banner.isVisible()
    # A corrected list, closed with 完成: the banner says the findings are the old list's, and runs it again.
    import_academic(gui, file_dialogs, view, academic_workbook(tmp_path / "b.xlsx", raws, name_of_1=raws[1]["name"],
                                                   status_of_2="休学"))
    assert view.stale_banner.isVisible()
    assert "教务处学籍名单在上次比对" in view.stale_label.text() and "旧名单" in view.stale_label.text()
    assert view.stale_run_button.text() == "重新比对"
    gui.click(view.stale_run_button)
    qtbot.waitUntil(lambda: isinstance(view.dialog, RunResultDialog) and view.dialog.isVisible())
    assert "1 名考生有变化" in view.dialog.findChild(QLabel, "runSummary").text()
    assert not view.stale_banner.isVisible()


def test_a_reader_is_not_offered_the_comparison(qtbot, container, actor, runner, raws, tmp_path):
    container.setup.create_user(actor, "jj01", "纪检", "supervisor", "Passw0rd9")
    path = academic_workbook(tmp_path / "学籍.xlsx", raws, name_of_1="错名字", status_of_2="休学")
    container.reference.commit(actor, container.reference.preview("academic", path))
    view = make_view(qtbot, container, container.setup.login("jj01", "Passw0rd9"), runner)
    assert not view.stale_banner.isVisible()


def test_approve_all_says_who_was_skipped_not_failed(qtbot, gui, container, actor, runner, raws, tmp_path):
    view = reviewed_view(qtbot, container, actor, runner, raws, tmp_path)
    click_action(qtbot, view, view.approve_action)
    approve = view.dialog
    assert "有比对问题的 3 名考生跳过（不记录意见），需逐个审核。" in approve.message.text()
    gui.click(approve.ok_button)
    qtbot.waitUntil(lambda: any("已为 1 名没有比对问题的考生" in b.text() for b in gui.message_boxes()))
    text = next(b.text() for b in gui.message_boxes() if "已为 1 名" in b.text())
    for office in ("教务处", "学生处", "二级学院"):
        assert f"{office}：通过 1 名；因有比对问题跳过 3 名。" in text
    assert "因有比对问题跳过的 3 名考生没有记录任何意见（不是“不通过”）" in text
    assert "未通过" not in text and "未处理" not in text
    for box in gui.message_boxes():
        box.close()
    assert all(container.review.get(r["student_no"]).decisions == {} for r in raws[1:3])


# -- nothing clipped at 1024 and 1366 wide --------------------------------------------------------------

def desk_window(qtbot, container, actor, tmp_path: Path, width: int, height: int):
    """The real main window with the review page, at ``width`` × ``height``."""
    from PySide6.QtCore import QSettings

    from ui.shell.main_window import MainWindow

    settings = QSettings(str(tmp_path / f"qt{width}.ini"), QSettings.Format.IniFormat)
    window = MainWindow(container, actor, TaskRunner(synchronous=True), settings=settings)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    view = window.show_page("review")
    qtbot.waitUntil(lambda: view.model.rowCount() > 0)
    return window, view


def inside(view, widget) -> bool:
    """``widget`` is shown whole inside ``view`` (not cut by its right or bottom edge)."""
    from PySide6.QtCore import QPoint, QRect

    rect = QRect(widget.mapTo(view, QPoint(0, 0)), widget.size())
    return widget.isVisible() and view.rect().contains(rect)


@pytest.mark.parametrize(("width", "height"), [(1024, 740), (1366, 768)])
def test_the_review_screen_fits_the_window(qtbot, gui, container, actor, raws, tmp_path, width, height):
    container.candidates.update(actor, raws[3]["student_no"], {**raws[3], "name": "阿卜杜热依木·买买提艾力",
                                                               "class_name": "电子信息工程技术2023级1班"})
    # Long file names in the bar of lists.
    path = academic_workbook(tmp_path / "2026届毕业生学籍名单（教务处导出，最终版）.xlsx", raws,
                             name_of_1="错名字", status_of_2="休学")
    container.reference.commit(actor, container.reference.preview("academic", path))
    container.review.run(actor)
    container.review.decide(actor, raws[2]["student_no"], "academic", False, "学籍状态为休学，不符合报名条件，请学生本人到教务处核实")
    window, view = desk_window(qtbot, container, actor, tmp_path, width, height)
    assert window.width() == width  # nothing on the page makes the window wider than the screen
    assert window.minimumSizeHint().width() <= 1024
    # Every toolbar button is shown whole, or is in the toolbar's overflow menu (»).
    toolbar = view.toolbar
    extension = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    for act in toolbar.actions():
        button = toolbar.widgetForAction(act)
        if act.isVisible() and button is not None and not act.isSeparator():
            assert (inside(view, button) and toolbar.rect().contains(button.geometry())) \
                or (extension is not None and extension.isVisible()), act.text()
    # The lists and the settings wrap rather than squeeze: each shown whole, the date's hint too.
    for widget in (*view.list_labels.values(), view.year_edit, view.deadline_edit.edit, view.deadline_edit.button,
                   view.save_settings_button, view.search, view.finding_combo, view.status_combo):
        assert inside(view, widget), widget.objectName()
    for label in view.list_labels.values():
        assert label.fontMetrics().horizontalAdvance(label.text().split("<")[0]) <= label.width() + 1
    edit = view.deadline_edit.edit
    assert edit.fontMetrics().horizontalAdvance(edit.placeholderText()) < edit.width() - 8
    # The list: no horizontal scrollbar, numbers whole, the rest whole or in the tooltip.
    table = view.table
    assert not table.horizontalScrollBar().isVisible()
    metrics = table.fontMetrics()
    for r in range(view.model.rowCount()):
        for c in range(view.model.columnCount()):
            index = view.model.index(r, c)
            text = index.data() or ""
            if metrics.horizontalAdvance(text) + 9 > table.columnWidth(c):
                assert c not in (0, 3), text
                assert text in (index.data(Qt.ItemDataRole.ToolTipRole) or ""), text
    # The detail pane is not wider than its place: the findings wrap inside it.
    gui.type_text(view.search, raws[2]["student_no"])
    qtbot.waitUntil(lambda: view.detail_title.text().startswith(raws[2]["name"]))
    scroll = view.detail_scroll
    qtbot.waitUntil(lambda: view.detail_body.width() <= scroll.viewport().width()  # once laid out
                    and not scroll.horizontalScrollBar().isVisible())
    findings = view.findings_list
    for i in range(findings.count()):
        rect = findings.visualItemRect(findings.item(i))
        assert rect.right() <= findings.viewport().width() and rect.bottom() <= findings.viewport().height()
    # The three offices' decisions are all in view, whatever the width (no row behind a scrollbar).
    decisions = view.decisions_table
    qtbot.waitUntil(lambda: all(decisions.visualItemRect(decisions.item(r, 0)).bottom()
                                <= decisions.viewport().height() for r in range(decisions.rowCount())))
    # The record button is in the pane.
    assert view.record_button.mapTo(view.detail_body, view.record_button.rect().topRight()).x() \
        <= scroll.viewport().width()


# -- reads on the task runner ---------------------------------------------------------------------

def test_the_lists_rows_are_read_off_the_gui_thread_and_an_earlier_students_answer_is_dropped(
        qtbot, container, actor, raws, tmp_path, monkeypatch):
    import threading

    from ui.common.tasks import TaskRunner

    path = academic_workbook(tmp_path / "学籍.xlsx", raws, name_of_1="错名字", status_of_2="休学")
    container.reference.commit(actor, container.reference.preview("academic", path))
    container.review.run(actor)
    reference = container.reference
    real = reference.source_rows
    threads: list[threading.Thread] = []
    gate = threading.Event()
    gate.set()

    def source_rows(student_no, id_number, major):
        threads.append(threading.current_thread())
        assert gate.wait(5)
        return real(student_no, id_number, major)

    monkeypatch.setattr(reference, "source_rows", source_rows)
    runner = TaskRunner()  # a real thread pool
    view = make_view(qtbot, container, actor, runner)
    qtbot.waitUntil(lambda: view.model.rowCount() == 4 and view._shown is not None and not view.compare_loading,
                    timeout=5000)
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert view.compare_table.columnCount() == 2  # the roster and the 学籍 list

    fills: list[tuple[str, bool]] = []
    real_fill = view._fill_compare
    monkeypatch.setattr(view, "_fill_compare",
                        lambda row, sources: (fills.append((row.student_no, sources is not None)),
                                              real_fill(row, sources)))
    gate.clear()  # the lists answer slowly now
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    middle = view._shown.student_no
    # Reading: it says so, the roster's own column is there already, the detail is not blocked.
    assert view.compare_loading and view.compare_status.text() == "正在读取各名单中的记录…"
    assert view.compare_table.columnCount() == 1 and view.compare_table.item(0, 0).text() == middle
    qtbot.keyClick(view.table, Qt.Key.Key_Down)
    last = view._shown.student_no
    assert last != middle
    gate.set()
    qtbot.waitUntil(lambda: not view.compare_loading, timeout=5000)
    runner.wait(5000)
    qtbot.wait(50)
    assert (middle, True) not in fills  # the earlier student's late answer was dropped
    assert fills[-1] == (last, True)
    assert view.compare_table.columnCount() == 2 and view.compare_table.item(0, 1).text() == last
    assert all(t is not threading.main_thread() for t in threads)


def test_a_row_read_again_after_a_waiver_change_is_read_off_the_gui_thread(qtbot, container, actor, raws,
                                                                           monkeypatch):
    import threading

    from ui.common.tasks import TaskRunner

    uuid = container.review.get(raws[0]["student_no"]).uuid
    container.waivers.add(actor, uuid, "已找到工作")
    review = container.review
    real = review.get
    threads: list[threading.Thread] = []

    def get(key):
        threads.append(threading.current_thread())
        return real(key)

    monkeypatch.setattr(review, "get", get)
    runner = TaskRunner()
    view = make_view(qtbot, container, actor, runner)
    qtbot.waitUntil(lambda: view.model.rowCount() == 4, timeout=5000)
    view.select_candidate(uuid)
    assert "未交回" in view.waiver_label.text()
    qtbot.mouseClick(view.signed_check, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已签字交回" in view.waiver_label.text(), timeout=5000)
    runner.wait(5000)
    assert threads and all(t is not threading.main_thread() for t in threads)
