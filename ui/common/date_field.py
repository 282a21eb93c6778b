"""A date the user can type as they write it (2026-12-05, 2026.12.5, 20261205, 2026年12月5日) or pick
from a calendar that opens at the date shown, or today. Blank means “not set” where that is allowed.

Qt's QDateEdit with a special “not set” value throws a typed date away and opens its calendar in
January 2000; this field keeps what was typed, says what it could not read, and commits on Enter
or when the focus leaves.

Signals: ``date_committed(object)`` with a ``datetime.date`` or None (cleared), once per change.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QStyle,
    QStyleOptionFrame,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain import fields as f
from app.errors import ValidationError
from ui.common.errors import InlineError


def parse(text: str) -> dt.date | None:
    """The date in ``text`` (None for blank); ``ValidationError`` in Chinese when unreadable."""
    text = text.strip()
    if not text:
        return None
    value = f.parse_date(text, "date", "日期")
    if value is None or not 1900 <= value.year <= 2100:
        raise ValidationError(f"日期“{text}”不合理，请写成 2026-12-05 的形式。", "date")
    return value


def _line_edit_width(edit: QLineEdit, text: str) -> int:
    """The width ``edit`` needs to show ``text`` whole (frame, margins and cursor included)."""
    option = QStyleOptionFrame()
    edit.initStyleOption(option)
    margins = edit.textMargins()
    content = QSize(edit.fontMetrics().horizontalAdvance(text) + margins.left() + margins.right() + 8,
                    edit.fontMetrics().height())
    return edit.style().sizeFromContents(QStyle.ContentsType.CT_LineEdit, option, content, edit).width()


class DateField(QWidget):
    date_committed = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, optional: bool = True, name: str = "") -> None:
        super().__init__(parent)
        if name:
            self.setObjectName(name)
        self.optional = optional
        self._value: dt.date | None = None
        self.edit = QLineEdit(self)
        self.edit.setObjectName(f"{name}Text" if name else "dateText")
        self.edit.setPlaceholderText(self.tr("未设置（如 2026-12-05）") if optional else self.tr("如 2026-12-05"))
        # Exactly as wide as the hint, which says how to type a date: never squeezed into “未设置（如 2026-…”.
        self.edit.setFixedWidth(_line_edit_width(self.edit, self.edit.placeholderText()))
        self.edit.editingFinished.connect(self._on_edit_editing_finished)
        self.button = QToolButton(self)
        self.button.setObjectName(f"{name}Calendar" if name else "dateCalendar")
        self.button.setText(self.tr("日历…"))
        self.button.setToolTip(self.tr("从日历中选择日期"))
        self.button.clicked.connect(self.open_calendar)
        self.error = InlineError(self)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit)
        row.addWidget(self.button)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(row)
        lay.addWidget(self.error)
        self.setFocusProxy(self.edit)
        self.calendar_dialog: QDialog | None = None

    # -- value ----------------------------------------------------------------------------------
    def date(self) -> dt.date | None:
        return self._value

    def set_date(self, value: dt.date | None) -> None:
        """Show ``value`` without committing it (loading a stored setting)."""
        self._value = value
        self.edit.setText(value.isoformat() if value else "")
        self.error.clear_message()

    def text_is_valid(self) -> bool:
        try:
            parse(self.edit.text())
        except ValidationError:
            return False
        return True

    def _commit(self, value: dt.date | None) -> None:
        self.edit.setText(value.isoformat() if value else "")
        self.error.clear_message()
        if value != self._value:
            self._value = value
            self.date_committed.emit(value)

    def _on_edit_editing_finished(self) -> None:
        try:
            value = parse(self.edit.text())
        except ValidationError as exc:
            self.error.show_message(exc.message)  # the typed text stays, to be corrected
            return
        if value is None and not self.optional:
            self.error.show_message(self.tr("请填写日期。"))
            return
        self._commit(value)

    # -- calendar -------------------------------------------------------------------------------
    def open_calendar(self) -> QCalendarWidget:
        """A calendar at the date shown (or today); a click or Enter picks the date, Esc leaves it."""
        try:
            shown = parse(self.edit.text()) or self._value
        except ValidationError:
            shown = self._value
        day = shown or dt.date.today()
        dialog = QDialog(self)
        dialog.setObjectName("dateDialog")
        dialog.setWindowTitle(self.tr("选择日期"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        calendar = QCalendarWidget(dialog)
        calendar.setObjectName("datePopup")
        calendar.setGridVisible(True)
        calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, dialog)
        if self.optional:
            clear = buttons.addButton(self.tr("清除（未设置）"), QDialogButtonBox.ButtonRole.ResetRole)
            clear.clicked.connect(lambda: (self._commit(None), dialog.accept()))
        buttons.rejected.connect(dialog.reject)
        lay = QVBoxLayout(dialog)
        lay.addWidget(calendar)
        lay.addWidget(buttons)

        def pick(d: QDate) -> None:
            self._commit(dt.date(d.year(), d.month(), d.day()))
            dialog.accept()

        calendar.clicked.connect(pick)
        calendar.activated.connect(pick)
        dialog.finished.connect(lambda _r: self.edit.setFocus())
        self.calendar_dialog = dialog
        dialog.open()
        calendar.setFocus(Qt.FocusReason.OtherFocusReason)
        return calendar
