"""The audit trail for supervisors and secretaries: who changed what, when, at which desk.

The table loads a page at a time as the user scrolls (a trail grows to hundreds of thousands of
events); the search box filters by actor, summary or action label; the pane below compares
before and after field by field with the candidate's Chinese labels; "校验审计链" walks the hash
chain in the background and reports a removed or altered event; "逐条核对数据" also replays the
trail against every audited row and names a row changed without an event. Both run on the task
runner with their progress shown and can be cancelled.

Reading the trail (the count, the first page, each further page) runs on the task runner too,
never on the GUI thread: while it reads, the count label says so; a result that belongs to an
earlier search or refresh (``_generation``) is dropped.

Signals (``AuditView``): ``verified(object)`` with the ``AuditCheck`` after a check.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.audit.log import AuditLogService
from app.audit.service import ACTION_LABELS, AuditCheck, AuditEntry
from app.auth import ROLES
from app.domain.candidate import LABELS, STATUS_LABELS
from app.domain.review import OFFICES
from app.errors import Cancelled
from ui.audit.audit_model import AuditModel
from ui.common.errors import show_error
from ui.common.formatting import local_time
from ui.common.tasks import TaskRunner

# Labels for the fields of the non-candidate entities that the trail also records. The
# candidate's own labels come from the domain (app.domain.candidate.LABELS).
_CTX = "AuditView"
ENTITY_LABELS: dict[str, dict[str, str]] = {
    "candidate": LABELS | {"status": QT_TRANSLATE_NOOP(_CTX, "状态"),
                           "serial_number": QT_TRANSLATE_NOOP(_CTX, "考生序号")},
    "user": {"username": QT_TRANSLATE_NOOP(_CTX, "用户名"), "display_name": QT_TRANSLATE_NOOP(_CTX, "姓名"),
             "role": QT_TRANSLATE_NOOP(_CTX, "角色"), "office": QT_TRANSLATE_NOOP(_CTX, "所属部门"),
             "password_digest": QT_TRANSLATE_NOOP(_CTX, "密码（摘要）")},
    "setting": {"default": QT_TRANSLATE_NOOP(_CTX, "恢复默认")},
    "college": {"code": QT_TRANSLATE_NOOP(_CTX, "学院代码"), "name": QT_TRANSLATE_NOOP(_CTX, "学院名称"),
                "desk": QT_TRANSLATE_NOOP(_CTX, "报名点")},
}
MAX_PROBLEMS_SHOWN = 12  # per kind (chain problems, row differences): the CLI lists them all


def field_label(entity_type: str, key: str) -> str:
    label = ENTITY_LABELS.get(entity_type, {}).get(key) or LABELS.get(key, key)
    return QCoreApplication.translate(_CTX, label)


def show_value(key: str, value: object) -> str:
    if value is None or value == "":
        return ""
    if key == "role" and isinstance(value, str):
        return ROLES.get(value, value)
    if key == "office" and isinstance(value, str):  # a reviewer's office, or a decision's
        return OFFICES.get(value, value)
    if key == "status" and isinstance(value, str):
        return STATUS_LABELS.get(value, value)
    if key == "password_digest" and isinstance(value, str):
        return value[:12] + "…"
    if isinstance(value, bool):
        return QCoreApplication.translate(_CTX, "是") if value else QCoreApplication.translate(_CTX, "否")
    return str(value)


def compare_rows(entry: AuditEntry) -> list[tuple[str, str, str, bool]]:
    """(label, before, after, changed) per field, in the entity's label order."""
    keys = list(dict.fromkeys([*entry.before, *entry.after]))
    order = list(ENTITY_LABELS.get(entry.entity_type, LABELS))
    keys.sort(key=lambda k: order.index(k) if k in order else len(order))
    rows = []
    for k in keys:
        b, a = show_value(k, entry.before.get(k)), show_value(k, entry.after.get(k))
        changed = bool(entry.before) and bool(entry.after) and b != a
        rows.append((field_label(entry.entity_type, k), b, a, changed))
    return rows


class AuditView(QWidget):
    verified = Signal(object)

    def __init__(self, audit_log: AuditLogService, runner: TaskRunner, parent: QWidget | None = None, *,
                 page_size: int = 200) -> None:
        super().__init__(parent)
        self.audit_log = audit_log
        self.runner = runner
        self.setObjectName("auditView")

        self.search = QLineEdit()
        self.search.setObjectName("auditSearch")
        self.search.setPlaceholderText(self.tr("搜索操作人、内容或操作类型（Ctrl+F）"))
        self.search.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.count_label.setObjectName("auditCount")
        self.refresh_button = QPushButton(self.tr("刷新"))
        self.refresh_button.setToolTip(self.tr("重新读取审计记录（F5）"))
        self.refresh_button.clicked.connect(self.refresh)
        self.verify_button = QPushButton(self.tr("校验审计链"))
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.setToolTip(self.tr("逐条核对哈希链，发现被删除或改动的记录"))
        self.verify_button.clicked.connect(self._on_verify_clicked)
        self.deep_button = QPushButton(self.tr("逐条核对数据"))
        self.deep_button.setObjectName("deepVerifyButton")
        self.deep_button.setToolTip(self.tr("校验审计链，并把每一条审计记录与数据库中的考生、审核意见、用户、设置等逐条核对，"
                                            "找出没有记录的直接修改（数据多时需要几秒）"))
        self.deep_button.clicked.connect(self._on_deep_clicked)
        self.cancel_button = QPushButton(self.tr("取消核对"))
        self.cancel_button.setObjectName("cancelVerifyButton")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.cancel_button.hide()
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.refresh_button)
        top.addWidget(self.verify_button)
        top.addWidget(self.deep_button)
        top.addWidget(self.cancel_button)

        self.result = QLabel()
        self.result.setObjectName("verifyResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result.hide()

        self._generation = 0  # bumped by every refresh: older reads' results are dropped
        self._text: str | None = None  # the search the shown rows belong to
        self.model = AuditModel(self._request_page, page_size, self)
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for col in range(4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)

        self.detail_title = QLabel(self.tr("选择一条记录，查看修改前后的逐项对比。"))
        self.detail_title.setObjectName("detailTitle")
        self.detail_title.setWordWrap(True)
        self.detail_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail = QTableWidget(0, 3)
        self.detail.setObjectName("auditDetail")
        self.detail.setHorizontalHeaderLabels([self.tr("项目"), self.tr("修改前"), self.tr("修改后")])
        self.detail.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.detail.verticalHeader().setVisible(False)
        dh = self.detail.horizontalHeader()
        dh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        dh.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        dh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        detail_box = QWidget()
        dl = QVBoxLayout(detail_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.detail_title)
        dl.addWidget(self.detail)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(detail_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.result)
        lay.addWidget(split, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.refresh)
        ctx = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence.StandardKey.Find, self, self._on_find_shortcut, context=ctx)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.refresh, context=ctx)
        self._verify_handle = None
        self._loading = False
        self.refresh()

    # -- loading ---------------------------------------------------------------------
    @property
    def loading(self) -> bool:
        """Whether the count and first page of the latest refresh are still being read."""
        return self._loading

    def refresh(self) -> None:
        """Read the count and the first page again, on the task runner (F5, a new search)."""
        self._debounce.stop()
        self._generation += 1
        generation = self._generation
        text = self._text = self.search.text().strip() or None
        self._loading = True
        self.count_label.setText(self.tr("正在读取…"))
        self.model.clear()
        self._show_entry(None)
        audit_log, limit = self.audit_log, self.model.page_size

        def load(progress, cancel):
            return audit_log.count(text=text), audit_log.entries(limit=limit, offset=0, text=text)

        self.runner.run(load, on_success=lambda result: self._on_loaded(generation, result),
                        on_error=lambda exc: self._on_load_failed(generation, exc))

    def _on_loaded(self, generation: int, result: object) -> None:
        if generation != self._generation:
            return  # an older search's answer
        self._loading = False
        total, page = result  # type: ignore[misc]
        if self._text:
            self.count_label.setText(self.tr("找到 %1 条").replace("%1", str(total)))
        else:
            self.count_label.setText(self.tr("共 %1 条").replace("%1", str(total)))
        self.model.set_first_page(page)
        self._show_entry(None)

    def _on_load_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.model.page_failed()
        # A broken database must not leave a blank view without a word.
        self.count_label.setText(self.tr("读取失败"))
        show_error(self, exc)

    def _request_page(self, limit: int, offset: int) -> None:
        """The model scrolled near its end: read the next page on the runner."""
        generation, text, audit_log = self._generation, self._text, self.audit_log

        def page(progress, cancel):
            return audit_log.entries(limit=limit, offset=offset, text=text)

        def done(result: object) -> None:
            if generation == self._generation:
                self.model.add_page(result)  # type: ignore[arg-type]

        def failed(exc: BaseException) -> None:
            if generation == self._generation:
                self.model.page_failed()
                show_error(self, exc)

        self.runner.run(page, on_success=done, on_error=failed)

    def _on_find_shortcut(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- detail ----------------------------------------------------------------------
    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_entry(self.model.entry(current.row()) if current.isValid() else None)

    def _show_entry(self, entry: AuditEntry | None) -> None:
        if entry is None:
            self.detail_title.setText(self.tr("选择一条记录，查看修改前后的逐项对比。"))
            self.detail.setRowCount(0)
            return
        # The event's number in its desk's chain: the number ``audit verify`` names.
        head = self.tr("第 %1 条 · %2 · %3 · %4 · %5").replace("%1", str(entry.chain_seq or entry.seq)) \
            .replace("%2", local_time(entry.at)).replace("%3", entry.actor) \
            .replace("%4", entry.desk_name or self.tr("（未知报名点）")) \
            .replace("%5", ACTION_LABELS.get(entry.action, entry.action))
        self.detail_title.setText(head + "\n" + entry.summary)
        rows = compare_rows(entry)
        self.detail.setRowCount(len(rows))
        bold = QFont(self.detail.font())
        bold.setBold(True)
        empty = self.tr("（空）")
        for r, (label, before, after, changed) in enumerate(rows):
            items = (QTableWidgetItem(label),
                     QTableWidgetItem(before if entry.before else "—"),
                     QTableWidgetItem(after if entry.after else "—"))
            if entry.before and not before:
                items[1].setText(empty)
            if entry.after and not after:
                items[2].setText(empty)
            for c, item in enumerate(items):
                item.setToolTip(item.text())
                if changed:
                    item.setFont(bold)
                    if c == 2:
                        item.setForeground(QBrush(QColor("#1a5fb4")))
                self.detail.setItem(r, c, item)

    # -- verify ----------------------------------------------------------------------
    def _on_verify_clicked(self) -> None:
        self._start_verify(deep=False)

    def _on_deep_clicked(self) -> None:
        self._start_verify(deep=True)

    def _start_verify(self, deep: bool) -> None:
        self.verify_button.setEnabled(False)
        self.deep_button.setEnabled(False)
        self.cancel_button.show()
        self.result.setStyleSheet("")
        self.result.setText(self.tr("正在逐条核对数据…") if deep else self.tr("正在校验审计链…"))
        self.result.show()
        self._verify_handle = self.runner.run(
            lambda progress, cancel: self.audit_log.verify(deep=deep, progress=progress, cancel=cancel),
            on_success=self._on_verify_done, on_error=self._on_verify_failed, on_progress=self._on_verify_progress)

    def _on_verify_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            message = f"{message}（{done * 100 // total}%）"
        self.result.setText(message)

    def _on_cancel_clicked(self) -> None:
        if self._verify_handle is not None:
            self._verify_handle.cancel.cancel()

    def _verify_finished(self) -> None:
        self.verify_button.setEnabled(True)
        self.deep_button.setEnabled(True)
        self.cancel_button.hide()
        self._verify_handle = None

    def _on_verify_done(self, check: AuditCheck) -> None:
        self._verify_finished()
        lines: list[str] = []
        # Every desk's chain counts here; ``check.count`` is the local chain's alone.
        total = str(sum(c.count for c in check.chains) if check.chains else check.count)
        if check.problems:
            shown = check.problems[:MAX_PROBLEMS_SHOWN]
            lines.append(self.tr("审计链被破坏（共 %1 条记录，发现 %2 处问题）：")
                         .replace("%1", total).replace("%2", str(len(check.problems))))
            lines += [f"• {p}" for p in shown]
            if len(check.problems) > len(shown):
                lines.append(self.tr("……另有 %1 处问题").replace("%1", str(len(check.problems) - len(shown))))
        elif check.ok:
            lines.append(self.tr("审计链完整：共 %1 条记录").replace("%1", total))
        else:
            lines.append(self.tr("审计链本身完整：共 %1 条记录").replace("%1", total))
        if len(check.chains) > 1:  # one line per desk's chain, so the broken one is seen at once
            for chain in check.chains:
                name = self.tr("本报名点") if chain.local else chain.label
                state = self.tr("完整") if chain.ok else self.tr("%1 处问题").replace("%1", str(len(chain.problems)))
                lines.append(self.tr("%1的审计链：%2 条，%3").replace("%1", name)
                             .replace("%2", str(chain.count)).replace("%3", state))
        if check.deep and check.differences:
            shown_d = check.differences[:MAX_PROBLEMS_SHOWN]
            lines.append(self.tr("数据库中有 %1 处数据与审计记录不符（没有记录的修改）：")
                         .replace("%1", str(len(check.differences))))
            lines += [f"• {d.message}" for d in shown_d]
            if len(check.differences) > len(shown_d):
                lines.append(self.tr("……另有 %1 处不符（完整清单：regdesk-cli audit verify --deep）")
                             .replace("%1", str(len(check.differences) - len(shown_d))))
        elif check.deep and check.ok:
            lines[0] += self.tr("；数据库中的数据与审计记录逐条一致")
        lines += [self.tr("说明：%1").replace("%1", note) for note in check.notes]
        if check.ok:
            self.result.setStyleSheet("color: #1e7b34; font-weight: bold;")
        else:
            self.result.setStyleSheet("color: #c0392b; font-weight: bold;")
        self.result.setText("\n".join(lines))
        self.verified.emit(check)

    def _on_verify_failed(self, exc: BaseException) -> None:
        self._verify_finished()
        if isinstance(exc, Cancelled):
            self.result.setStyleSheet("")
            self.result.setText(self.tr("核对已取消。"))
            return
        self.result.hide()
        show_error(self, exc)
