"""一键通过: confirms which office approves every candidate without findings, and how many that is."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.domain import review as rules
from app.review.service import ReviewRow


def _clean_count(rows: list[ReviewRow], office: str) -> int:
    """Candidates ``approve_clean(office)`` would give a pass (as the service decides it)."""
    offices = list(rules.OFFICES) if office == "all" else [office]
    return sum(1 for r in rows if not r.findings and r.status in ("roster", "eligible", "ineligible")
               and any(o not in r.decisions for o in offices))


class ApproveDialog(QDialog):
    """Confirms 一键通过: which office, and how many candidates that is."""

    def __init__(self, rows: list[ReviewRow], parent: QWidget | None = None, *,
                 offices: tuple[str, ...] = tuple(rules.OFFICES)) -> None:
        """``offices``: those the user may decide for (``app.auth.decidable_offices``)."""
        super().__init__(parent)
        self.setObjectName("approveDialog")
        self.setWindowTitle(self.tr("一键通过无问题考生"))
        self.rows = rows
        self.office_combo = QComboBox(self)
        self.office_combo.setObjectName("approveOffice")
        if set(rules.OFFICES) <= set(offices):
            self.office_combo.addItem(self.tr("三个部门（教务处、学生处、二级学院）"), "all")
        for key, label in rules.OFFICES.items():
            if key in offices:
                self.office_combo.addItem(label, key)
        self.office_combo.currentIndexChanged.connect(self._on_office_combo_changed)
        self.message = QLabel(self)
        self.message.setObjectName("approveMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("approveOk")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("审核部门(&O)"), self.office_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("正") * 36)
        self._on_office_combo_changed()

    @property
    def office(self) -> str:
        return str(self.office_combo.currentData())

    def _on_office_combo_changed(self, *_args: object) -> None:
        n = _clean_count(self.rows, self.office)
        office = self.office_combo.currentText()
        with_findings = sum(1 for r in self.rows if r.findings and r.status in ("roster", "eligible", "ineligible"))
        skipped = self.tr("有比对问题的 %1 名考生跳过（不记录意见），需逐个审核。").replace("%1", str(with_findings)) \
            if with_findings else ""
        if n:
            self.message.setText(self.tr("将为 %1 名没有比对问题的考生记录“%2”审核通过，每人单独记录并写入审计记录。"
                                         "已有该部门意见的考生保持不变。").replace("%1", str(n)).replace("%2", office)
                                 + skipped)
            self.ok_button.setText(self.tr("通过 %1 名考生").replace("%1", str(n)))
        else:
            self.message.setText(self.tr("没有需要“%1”通过的无问题考生。").replace("%1", office))
            self.ok_button.setText(self.tr("通过"))
        self.ok_button.setEnabled(n > 0)
