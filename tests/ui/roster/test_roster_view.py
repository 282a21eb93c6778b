"""The roster screen, driven like a user: search, filters, sorting, opening, roles, export."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QCollator, QLocale, QPoint, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QMessageBox

from app.roster.candidates import CandidateRow
from app.roster.search import Filters
from ui.common.tasks import TaskRunner
from ui.roster.roster_model import COLUMN_KEYS, RosterModel
from ui.roster.roster_view import RosterView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

N = 30


@pytest.fixture
def roster(container, actor, make_candidate_raw):
    return [container.candidates.create(actor, make_candidate_raw(i)) for i in range(N)]


def make_view(qtbot, container, actor) -> RosterView:
    view = RosterView(actor, TaskRunner(synchronous=True), candidates=container.candidates, capture=container.capture,
                      roster=container.roster, waivers=container.waivers, settings=container.settings,
                      printing=container.printing, printed_dir=container.printed_dir)
    qtbot.addWidget(view)
    view.resize(1366, 700)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    return view


def shown(view: RosterView, column: str) -> list[str]:
    c = COLUMN_KEYS.index(column)
    return [view.model.index(r, c).data() for r in range(view.model.rowCount())]


def click_header(qtbot, view: RosterView, column: str) -> None:
    header = view.table.horizontalHeader()
    section = COLUMN_KEYS.index(column)
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_search_as_you_type_and_clear(qtbot, gui, container, actor, roster):
    view = make_view(qtbot, container, actor)
    assert view.count_label.text() == f"显示 {N} / 共 {N} 人"
    target = roster[13].data
    search = view.findChild(QLineEdit, "rosterSearch")
    assert search.placeholderText() == "搜索 姓名或拼音 / 学号 / 身份证号 / 班级"
    assert "zhangsan、zs" in search.toolTip()

    qtbot.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert search.hasFocus()
    gui.type_text(search, target.name)
    names = shown(view, "name")
    assert target.name in names and all(n == target.name for n in names)
    assert view.count_label.text() == f"显示 {len(names)} / 共 {N} 人"

    qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert search.text() == ""
    assert view.model.rowCount() == N

    # Student number and ID number fragments work too, as does a class name.
    gui.type_text(search, target.student_no)
    assert shown(view, "student_no") == [target.student_no]
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    gui.type_text(search, target.id_number[-6:].lower())
    assert shown(view, "id_number") == [target.id_number]
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    gui.type_text(search, "网络")
    assert set(shown(view, "class_name")) == {"计算机网络技术2301"}
    gui.type_text(search, "zzz")
    assert view.model.rowCount() == 0
    assert view.count_label.text() == f"显示 0 / 共 {N} 人"


def test_search_by_pinyin_initials_and_full(qtbot, gui, container, actor, roster, make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw(100, name="曾乐"))
    container.candidates.create(actor, make_candidate_raw(101, name="尉迟恭"))
    view = make_view(qtbot, container, actor)
    search = view.findChild(QLineEdit, "rosterSearch")
    qtbot.keyClick(view.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    gui.type_text(search, "zengyue")
    assert shown(view, "name") == ["曾乐"]
    assert view.count_label.text() == f"显示 1 / 共 {N + 2} 人"
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    gui.type_text(search, "ZY")  # initials, in any case
    assert "曾乐" in shown(view, "name")
    assert all(n[0] in "曾张赵周朱郑" for n in shown(view, "name"))
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    gui.type_text(search, "cengle")  # 曾 is zeng as a surname
    assert shown(view, "name") == []
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    gui.type_text(search, "yuchig")
    assert shown(view, "name") == ["尉迟恭"]
    # One hit found by pinyin: Enter opens it, as any single hit.
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.editor is not None and view.editor.isVisible())
    assert view.editor.findChild(QLineEdit, "field_name").text() == "尉迟恭"
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view.editor)
    qtbot.keyClick(view.editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.editor is None)


def test_pinyin_keys_arrive_after_the_rows(qapp):
    """The table shows the rows first; pinyin search starts when their keys come."""
    from app.roster.search import pinyin_keys

    rows = [CandidateRow(f"u{i}", f"2023{i:06d}", name, "男", f"4101022002{i:08d}", "班1", "李红", "软件技术",
                         "计算机科学与技术", "普通考生", "roster", "") for i, name in enumerate(["张三", "李四", "赵六"])]
    model = RosterModel()
    counts = []
    model.visible_count_changed.connect(lambda visible, total: counts.append(visible))
    model.set_rows(rows)
    model.set_filters(Filters(text="zs"))
    assert model.rowCount() == 0 and not model.has_pinyin
    assert not model.set_pinyin_keys(list(rows), pinyin_keys(rows))  # keys of other rows: ignored
    assert model.rowCount() == 0 and not model.has_pinyin
    assert model.set_pinyin_keys(rows, pinyin_keys(rows))
    assert [model.index(r, 1).data() for r in range(model.rowCount())] == ["张三"]
    assert counts[-1] == 1


def test_filter_combos(qtbot, gui, container, actor, roster):
    view = make_view(qtbot, container, actor)
    klass = view.findChild(QComboBox, "classFilter")
    assert klass.itemText(0) == "全部"
    assert klass.count() == 1 + 5
    gui.choose(klass, "软件技术2302")
    expected = sum(1 for c in roster if c.data.class_name == "软件技术2302")
    assert view.model.rowCount() == expected
    assert set(shown(view, "class_name")) == {"软件技术2302"}

    counsellor = view.findChild(QComboBox, "counsellorFilter")
    gui.choose(counsellor, "张敏")
    both = [c for c in roster if c.data.class_name == "软件技术2302" and c.data.counsellor == "张敏"]
    assert view.model.rowCount() == len(both)
    assert view.count_label.text() == f"显示 {len(both)} / 共 {N} 人"

    status = view.findChild(QComboBox, "statusFilter")
    assert [status.itemText(i) for i in range(status.count())] == ["全部", "在册"]
    category = view.findChild(QComboBox, "categoryFilter")
    assert category.itemText(1) == "普通考生"

    gui.choose(klass, "全部")
    gui.choose(counsellor, "全部")
    assert view.model.rowCount() == N


def test_sort_by_clicking_a_header_survives_filtering(qtbot, gui, container, actor, roster):
    view = make_view(qtbot, container, actor)
    collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    click_header(qtbot, view, "name")
    names = shown(view, "name")
    assert names == sorted(names, key=collator.sortKey)
    click_header(qtbot, view, "name")
    assert shown(view, "name") == sorted(names, key=collator.sortKey, reverse=True)

    click_header(qtbot, view, "student_no")
    assert shown(view, "student_no") == sorted(c.data.student_no for c in roster)
    gui.type_text(view.search, "软件")
    numbers = shown(view, "student_no")
    assert len(numbers) < N and numbers == sorted(numbers)


def test_enter_and_double_click_open_the_editor(qtbot, gui, container, actor, roster):
    view = make_view(qtbot, container, actor)
    target = roster[4].data
    gui.type_text(view.search, target.class_name)  # many hits: Enter goes to the first, a second Enter opens it
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert view.table.hasFocus() and view.editor is None
    view.search.clear()
    view.search.setFocus()
    gui.type_text(view.search, target.student_no)  # one hit: Enter opens it at once
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.editor is not None and view.editor.isVisible())
    assert view.editor.findChild(QLineEdit, "field_name").text() == target.name
    assert view.editor.save_button is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view.editor)
    qtbot.keyClick(view.editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: view.editor is None)

    rect = view.table.visualRect(view.model.index(0, 1))
    # A real double click: press and release, then the second press that Qt reports as a double click.
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: view.editor is not None and view.editor.isVisible())


def test_edit_refreshes_the_table_and_signals(qtbot, container, actor, roster):
    view = make_view(qtbot, container, actor)
    target = roster[2]
    view.table.setFocus()
    view.table.selectRow(view.model.row_of_uuid(target.uuid))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.editor is not None and view.editor.isVisible())
    phone = view.editor.findChild(QLineEdit, "field_phone")
    phone.setFocus()
    qtbot.keyClick(phone, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(phone, "13600001111")
    qtbot.waitUntil(view.editor.save_button.isEnabled)
    with qtbot.waitSignal(view.roster_changed, timeout=2000):
        qtbot.keyClick(view.editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    row = view.model.row_of_uuid(target.uuid)
    assert view.model.index(row, COLUMN_KEYS.index("phone")).data() == "13600001111"
    assert view.table.selectionModel().isRowSelected(row)


def test_new_candidate_button(qtbot, container, actor, roster):
    view = make_view(qtbot, container, actor)
    button = view.toolbar.widgetForAction(view.new_action)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.editor is not None and view.editor.isVisible())
    assert view.editor.windowTitle() == "新增考生"


def test_supervisor_reads_only(qtbot, container, actor, roster):
    container.setup.create_user(actor, "jjjc", "纪检监察员", "supervisor", "Passw0rd9")
    supervisor = container.setup.login("jjjc", "Passw0rd9")
    view = make_view(qtbot, container, supervisor)
    visible = {a.text() for a in view.toolbar.actions() if a.isVisible() and not a.isSeparator()}
    assert visible == {"刷新"}  # 纪检监察 reads; exporting the roster with ID and phone numbers is not reading
    qtbot.keyClick(view.table, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert view.wizard is None
    view.table.setFocus()
    view.table.selectRow(0)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.editor is not None and view.editor.isVisible())
    assert view.editor.save_button is None
    assert view.editor.findChild(QLineEdit, "field_name").isReadOnly()


def test_empty_roster_says_how_to_start(qtbot, container, actor):
    view = make_view(qtbot, container, actor)
    assert view.count_label.text() == "显示 0 / 共 0 人"
    assert view.empty_label.isVisible() and "导入名单" in view.empty_label.text()


def test_refresh_picks_up_changes_from_elsewhere(qtbot, container, actor, roster, make_candidate_raw):
    view = make_view(qtbot, container, actor)
    container.candidates.create(actor, make_candidate_raw(100, class_name="新班级2301"))
    assert view.model.total_count == N
    qtbot.keyClick(view.table, Qt.Key.Key_F5)
    assert view.model.total_count == N + 1
    klass = view.findChild(QComboBox, "classFilter")
    assert klass.findText("新班级2301") > 0


def test_export_and_template(qtbot, file_dialogs, gui, container, actor, roster, tmp_path: Path):
    view = make_view(qtbot, container, actor)
    asked: list[str] = []

    def answer(default):
        asked.append(default)
        return str(tmp_path / Path(default).name)

    file_dialogs.save_answer = answer
    qtbot.mouseClick(view.toolbar.widgetForAction(view.export_action), Qt.MouseButton.LeftButton)
    name = f"考生名单_{dt.date.today():%Y%m%d}.xlsx"
    assert Path(asked[0]).name == name
    out = tmp_path / name
    qtbot.waitUntil(out.exists)
    sheet = openpyxl.load_workbook(out).active
    assert sheet.max_row >= N + 1
    qtbot.waitUntil(lambda: str(out) in gui.message_text())

    qtbot.mouseClick(view.toolbar.widgetForAction(view.template_action), Qt.MouseButton.LeftButton)
    assert Path(asked[1]).name == "考生名单导入模板.xlsx"
    qtbot.waitUntil((tmp_path / "考生名单导入模板.xlsx").exists)


def test_model_filter_and_sort_at_scale(qapp):
    """20,000 rows: the filter returns the right rows and a sort survives re-filtering."""
    rows = [CandidateRow(f"u{i}", f"2023{i:06d}", f"考生{i}", "男女"[i % 2], f"4101022002{i:08d}",
                         f"班{i % 50}", "李红", "软件技术", "计算机科学与技术", "普通考生", "roster", "")
            for i in range(20000)]
    model = RosterModel()
    model.set_rows(rows)
    model.sort(COLUMN_KEYS.index("student_no"), Qt.SortOrder.DescendingOrder)
    model.set_filters(Filters(text="20230199"))
    got = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert got == [f"2023{i:06d}" for i in range(19999, 19899, -1)]
    model.set_filters(Filters(class_name="班7"))
    assert model.rowCount() == 400


def test_waiver_from_the_row_menu(qtbot, gui, container, actor, roster):
    view = make_view(qtbot, container, actor)
    row = view.model.row_of_uuid(roster[0].uuid)
    labels = [a.text() for a in view.context_menu_for(row).actions()]
    assert labels == ["查看 / 修改…", "查看采集材料…", "登记放弃报名…"]
    add = next(a for a in view.context_menu_for(row).actions() if a.text() == "登记放弃报名…")
    add.trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "waiverDialog" and w.isVisible())
    reason = dialog.findChild(QLineEdit, "waiverReason")
    reason.setFocus()
    gui.type_text(reason, "已就业")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: container.candidates.get(roster[0].uuid).status == "waived")
    qtbot.waitUntil(lambda: view.model.row_at(view.model.row_of_uuid(roster[0].uuid)).status == "waived")
    row = view.model.row_of_uuid(roster[0].uuid)
    assert [a.text() for a in view.context_menu_for(row).actions()][2] == "撤回放弃报名…"


def test_readers_get_no_waiver_action(qtbot, container, roster):
    from app.auth import Actor

    view = make_view(qtbot, container, Actor("jjjc", "纪检", "supervisor"))
    qtbot.waitUntil(lambda: view.model.rowCount() == N)
    assert [a.text() for a in view.context_menu_for(0).actions()] == ["查看 / 修改…", "查看采集材料…"]


def test_todo_column_and_filter_show_who_still_needs_data(qtbot, container, actor, roster, make_candidate_raw):
    container.candidates.create(actor, make_candidate_raw(N, category="退役大学生士兵"))
    container.candidates.create(actor, make_candidate_raw(N + 1, category="获奖考生", award_level="省一"))
    view = make_view(qtbot, container, actor)
    qtbot.waitUntil(lambda: view.model.total_count == N + 2)
    assert sorted(t for t in shown(view, "todo_text") if t) == ["入伍/退役时间", "获奖项目"]
    checkbox = view.todo_check
    checkbox.setFocus()
    qtbot.keyClick(checkbox, Qt.Key.Key_Space)
    assert checkbox.isChecked()
    assert sorted(shown(view, "todo_text")) == ["入伍/退役时间", "获奖项目"]
    assert view.count_label.text() == f"显示 2 / 共 {N + 2} 人"
    qtbot.keyClick(checkbox, Qt.Key.Key_Space)
    assert view.model.visible_count == N + 2


def test_onsite_column_and_filter_show_who_has_not_come(qtbot, gui, container, actor, roster):
    container.capture.record(actor, roster[0].uuid, "photo", b"p", "jpg")
    view = make_view(qtbot, container, actor)
    qtbot.waitUntil(lambda: view.model.total_count == N)
    assert shown(view, "onsite").count("未完成") == 1 and shown(view, "onsite").count("未到") == N - 1
    gui.choose(view.onsite_combo, "未到")
    assert view.model.visible_count == N - 1 and set(shown(view, "onsite")) == {"未到"}
    gui.choose(view.onsite_combo, "未完成")
    assert shown(view, "name") == [roster[0].data.name]


def test_an_empty_result_names_the_filters_still_on(qtbot, gui, container, actor, roster):
    view = make_view(qtbot, container, actor)
    klass = roster[0].data.class_name
    gui.choose(view.class_combo, klass)
    other = next(r.data for r in roster if r.data.class_name != klass)
    view.search.setFocus()
    gui.type_text(view.search, other.student_no)
    assert view.model.visible_count == 0 and view.empty_label.isVisible()
    assert f"班级“{klass}”" in view.empty_label.text()


def test_a_saved_edit_is_confirmed(qtbot, gui, container, actor, roster):
    view = make_view(qtbot, container, actor)
    editor = view.open_editor(roster[3].uuid)
    phone = editor.findChild(QLineEdit, "field_phone")
    phone.setFocus()
    phone.selectAll()
    gui.type_text(phone, "13912345678")
    qtbot.waitUntil(editor.save_button.isEnabled)
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: view.notice.isVisible())
    assert view.notice.text() == f"✓ 已保存 {roster[3].data.name}（{roster[3].data.student_no}）的信息。"


def test_export_into_a_folder_that_is_gone_says_so(qtbot, gui, file_dialogs, container, actor, roster, tmp_path: Path):
    """A typed path, or a folder removed after it was chosen: an error naming the folder, which
    is not created behind the user's back."""
    view = make_view(qtbot, container, actor)
    missing = tmp_path / "U盘" / "导出"
    file_dialogs.save_answer = lambda _proposed: str(missing / "名单.xlsx")
    qtbot.mouseClick(view.toolbar.widgetForAction(view.export_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: f"“{missing}”不存在" in gui.message_text())
    for box in [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]:
        box.close()
    assert not (tmp_path / "U盘").exists()


# -- nothing clipped at the desk's 1366×768 ------------------------------------------------------------

LONG_NAME = "阿卜杜热依木·买买提艾力"
LONG_CLASS = "电子信息工程技术2023级1班"


@pytest.fixture
def long_roster(container, actor, make_candidate_raw):
    """A roster of everyday rows, and a class of long minority names with long everything."""
    people = [container.candidates.create(actor, make_candidate_raw(i)) for i in range(40)]
    people.append(container.candidates.create(actor, make_candidate_raw(
        40, name=LONG_NAME, ethnicity="维吾尔族", class_name=LONG_CLASS, major="电子信息工程技术",
        counsellor="欧阳娜迪拉·艾尼瓦尔", intended_major="土木工程（智能建造方向，中外合作办学）")))
    people.append(container.candidates.create(actor, make_candidate_raw(
        41, name="古丽米热·阿不都热合曼", class_name=LONG_CLASS, major="电子信息工程技术",
        category="退役大学生士兵")))
    return people


def desk_window(qtbot, container, actor, tmp_path: Path):
    """The real main window at the desk's screen size, navigation panel and all."""
    from PySide6.QtCore import QSettings

    from ui.shell.main_window import MainWindow

    settings = QSettings(str(tmp_path / "qt.ini"), QSettings.Format.IniFormat)
    window = MainWindow(container, actor, TaskRunner(synchronous=True), settings=settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def fits(view, text: str, width: int) -> bool:
    """Whether ``text`` shows whole in a cell ``width`` wide (the delegate's margins and grid line)."""
    from PySide6.QtWidgets import QStyle

    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return view.fontMetrics().horizontalAdvance(text) + 2 * margin + 1 <= width


def test_the_roster_fits_the_desk_screen_and_every_cell_has_its_full_text(qtbot, container, actor, long_roster,
                                                                          tmp_path):
    window = desk_window(qtbot, container, actor, tmp_path)
    view = window.roster_view
    qtbot.waitUntil(lambda: view.model.total_count == len(long_roster))
    table, header, model = view.table, view.table.horizontalHeader(), view.model
    # 13 columns, no horizontal scrollbar beside the navigation panel at 1366 wide.
    assert table.viewport().width() < 1366 - window.nav.width()
    assert header.length() <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    # No title is cut; the sorted column has room for its arrow too.
    from PySide6.QtWidgets import QStyle

    margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
    for c in range(header.count()):
        title = model.headerData(c, Qt.Orientation.Horizontal)
        assert header.sectionSize(c) >= header.fontMetrics().horizontalAdvance(title) + 2 * margin, title
    click_header(qtbot, view, "gender")
    gender = COLUMN_KEYS.index("gender")
    assert header.sortIndicatorSection() == gender
    assert header.sectionSize(gender) >= header.sectionSizeFromContents(gender).width()
    assert header.length() <= table.viewport().width()
    # Numbers and the everyday classes show whole; any text that does not fit is its cell's tooltip.
    for r in range(model.rowCount()):
        for c, key in enumerate(COLUMN_KEYS):
            text = model.index(r, c).data() or ""
            if key in ("student_no", "id_number", "gender", "category", "status_label", "onsite") or (
                    key == "class_name" and text != LONG_CLASS):
                assert fits(table, text, table.columnWidth(c)), (key, text, table.columnWidth(c))
            if text and not fits(table, text, table.columnWidth(c)):
                assert model.index(r, c).data(Qt.ItemDataRole.ToolTipRole) == text, (key, text)
    veteran = shown(view, "name").index("古丽米热·阿不都热合曼")
    todo = model.index(veteran, COLUMN_KEYS.index("todo_text"))
    assert todo.data() == "入伍/退役时间"
    assert todo.data(Qt.ItemDataRole.ToolTipRole) == "待补：入伍时间、退役时间"


def test_a_long_class_chosen_and_its_long_names_show_whole(qtbot, gui, container, actor, long_roster, tmp_path):
    window = desk_window(qtbot, container, actor, tmp_path)
    view = window.roster_view
    qtbot.waitUntil(lambda: view.model.total_count == len(long_roster))
    combo = view.class_combo
    gui.choose(combo, LONG_CLASS)
    assert view.model.visible_count == 2
    # The chosen class is shown whole in the filter (its text area, not the arrow), and said in the tooltip.
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    field = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                         QStyle.SubControl.SC_ComboBoxEditField, combo)
    assert combo.fontMetrics().horizontalAdvance(LONG_CLASS) <= field.width()
    assert combo.toolTip() == LONG_CLASS
    # The columns fit the two rows shown: the long names and the class whole, still no scrollbar.
    table = view.table
    name, klass = COLUMN_KEYS.index("name"), COLUMN_KEYS.index("class_name")
    qtbot.waitUntil(lambda: fits(table, LONG_NAME, table.columnWidth(name)))
    assert fits(table, "古丽米热·阿不都热合曼", table.columnWidth(name))
    assert fits(table, LONG_CLASS, table.columnWidth(klass))
    assert table.horizontalHeader().length() <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()


def test_a_person_also_on_another_colleges_roster_can_be_shown_alone(qtbot, container, actor, roster,
                                                                     make_candidate_raw):
    from db.models import College

    view = make_view(qtbot, container, actor)
    qtbot.waitUntil(lambda: view.model.total_count == N)
    assert view.conflict_check.isHidden()  # one college: nothing to show
    with container.db.transaction() as s:
        s.add(College(code="2002", name="机电工程学院"))
    twin = make_candidate_raw(3)
    container.candidates.create(actor, {**twin, "student_no": "9900003"}, college="2002")
    qtbot.keyClick(view.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: view.model.total_count == N + 1)
    checkbox = view.conflict_check
    assert checkbox.isVisible()
    checkbox.setFocus()
    qtbot.keyClick(checkbox, Qt.Key.Key_Space)
    assert sorted(shown(view, "student_no")) == sorted([twin["student_no"], "9900003"])
    assert view.count_label.text() == f"显示 2 / 共 {N + 1} 人"
