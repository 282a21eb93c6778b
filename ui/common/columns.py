"""Table columns as wide as their content, within what the table has room for.

A column asks for its content's width (``natural``), never less than its title (``minimum``) and,
where a rare long value must not take the room of the others, at most ``maximum``. When the columns
do not fit the viewport, the ``elastic`` ones (the less important: phone, counsellor …) give way
first, then the others except the ``keep`` ones (ID numbers, student numbers: a cut one is
useless; names: a name cut to one character is no name); a column never goes below its title. Room left over goes back, in ``grow`` order, to
the columns held at their maximum. Cut text is elided, and the view's model gives the full text as
its tooltip. Pure arithmetic in ``fit``; ``ColumnFitter`` applies it to a ``QTableView`` and
refits when the viewport changes size, until the user drags a column border themself.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QHeaderView, QStyle, QTableView


@dataclass
class Column:
    natural: int  # the widest content (or its title), padding included
    minimum: int  # the title, with room for the sort arrow
    maximum: int = 0  # 0: no maximum
    elastic: bool = False  # gives way first when the table is too narrow
    keep: bool = False  # never narrower than ``typical`` (when the titles leave room for it)
    typical: int = 0  # what most rows need (0: natural): rare longer values are elided first


def fit(columns: list[Column], available: int, grow: Iterable[int] = ()) -> list[int]:
    """The widths of ``columns`` in ``available`` pixels (their sum is at most ``available``
    unless even the titles do not fit)."""
    wanted = []
    for c in columns:
        w = c.natural if not c.maximum else min(c.natural, c.maximum)
        wanted.append(max(w, c.minimum))
    widths = list(wanted)
    if sum(widths) > available:
        # Too wide: every column first gives up its rare long values (what most rows need
        # stays), and the room that leaves goes back, in ``grow`` order, to what was cut.
        widths = [max(min(c.typical or c.natural, w), c.minimum) for c, w in zip(columns, wanted, strict=True)]
        titles = [c.minimum for c in columns]
        phases = (
            ([i for i, c in enumerate(columns) if c.elastic], titles),  # the less important columns
            ([i for i, c in enumerate(columns) if not c.keep], titles),
            (list(range(len(columns))), titles),
        )
        excess = sum(widths) - available
        for group, floor in phases:
            if excess <= 0:
                break
            excess = _shrink(widths, floor, group, excess)
    spare = available - sum(widths)
    for i in grow:
        if spare <= 0:
            break
        # Back to what the column wants (within its maximum), then, for a column held at its
        # maximum, to its whole content.
        for target in (wanted[i], columns[i].natural):
            add = min(spare, max(target - widths[i], 0))
            widths[i] += add
            spare -= add
    return widths


def _shrink(widths: list[int], floor: list[int], group: list[int], excess: int) -> int:
    """Take ``excess`` from the columns in ``group``, each in proportion to its room above its
    ``floor``; returns what could not be taken."""
    slack = {i: widths[i] - floor[i] for i in group if widths[i] > floor[i]}
    total = sum(slack.values())
    if total <= 0:
        return excess
    take = min(excess, total)
    taken = 0
    for i, room in slack.items():
        cut = take * room // total
        widths[i] -= cut
        taken += cut
    # The rounding remainder, a pixel at a time from those with the most room left.
    for i in sorted(slack, key=lambda i: widths[i] - floor[i], reverse=True):
        if taken >= take:
            break
        if widths[i] > floor[i]:
            widths[i] -= 1
            taken += 1
    return excess - taken


def widths(texts: Iterable[str], measure: Callable[[str], int], *, share: float = 0.95) -> tuple[int, int]:
    """(widest, typical) of ``texts``: the widest text's width, and the width that ``share`` of
    the texts (empty ones too) fit in. A roster of 20,000 names is not measured one by one: the
    widest is looked for among the longest by length, the typical one is the text at that share
    by length."""
    texts = list(texts)
    distinct = set(texts)
    distinct.discard("")
    if not distinct:
        return 0, 0
    if len(distinct) <= 400:
        widest = max(measure(t) for t in distinct)
    else:
        widest = max(measure(t) for t in heapq.nlargest(40, distinct, key=len))
    by_length = sorted(texts, key=len)
    at = by_length[max(0, math.ceil(len(by_length) * share) - 1)]
    if not at:
        return widest, 0
    same = {t for t in distinct if len(t) == len(at)} if len(distinct) <= 400 else {at}
    return widest, max(measure(t) for t in same)


def cell_padding(view: QTableView) -> int:
    """What a cell adds to its text's width: the delegate's margins, the grid line, a little air."""
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    return 2 * margin + 1 + 2


class ColumnFitter(QObject):
    """Keeps ``view``'s columns fitted: call ``refit(columns)`` when the content changed; the
    fitter refits by itself when the viewport is resized, unless the user sized a column."""

    def __init__(self, view: QTableView, grow: Iterable[int] = ()) -> None:
        super().__init__(view)
        self.view = view
        self.grow = list(grow)
        self.columns: list[Column] = []
        self.user_sized = False
        self._applying = False
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header.sectionResized.connect(self._on_header_section_resized)
        view.viewport().installEventFilter(self)

    def title_width(self, column: int) -> int:
        """The header's own width for ``column``'s title, with room for the sort arrow only where it
        is drawn (Qt reserves it in every column of a sortable table: 13 arrows are a column)."""
        header = self.view.horizontalHeader()
        size = header.sectionSizeFromContents(column)
        if header.isSortIndicatorShown() and header.sortIndicatorSection() != column:
            margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
            return size.width() - size.height() - margin
        return size.width()

    def refit(self, columns: list[Column] | None = None) -> None:
        if columns is not None:
            self.columns = columns
        if not self.columns:
            return
        available = self.view.viewport().width()
        widths = fit(self.columns, available, self.grow)
        self._applying = True
        try:
            header = self.view.horizontalHeader()
            for i, w in enumerate(widths):
                header.resizeSection(i, w)
        finally:
            self._applying = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.view.viewport() and not self.user_sized:
            self.refit()
        return False

    def _on_header_section_resized(self, index: int, _old: int, _new: int) -> None:
        # The last section stretches with the viewport: that is not the user choosing a width.
        header = self.view.horizontalHeader()
        last = header.count() - 1
        if not self._applying and not (header.stretchLastSection() and index == last):
            self.user_sized = True


def fit_to_content(view: QTableView, *, keep: Iterable[int] = (), elastic: Iterable[int] = (),
                   rows: int = 2000) -> ColumnFitter:
    """Fit ``view``'s columns to its model's texts (the first ``rows`` rows), titles never cut; the
    last column takes what is left. The fitter is kept on the view and refits on resize."""
    fitter = view.findChild(ColumnFitter)
    if fitter is None:
        fitter = ColumnFitter(view)
    model = view.model()
    metrics = view.fontMetrics()
    pad = cell_padding(view)
    keep, elastic = set(keep), set(elastic)
    n = min(model.rowCount(), rows)
    columns = []
    for c in range(model.columnCount()):
        texts = [str(model.index(r, c).data() or "") for r in range(n)]
        widest, typical = widths(texts, metrics.horizontalAdvance)
        title = fitter.title_width(c)
        columns.append(Column(max(widest + pad, title), title, elastic=c in elastic, keep=c in keep,
                              typical=max(typical + pad, title)))
    # Room left over goes back to what was cut: the kept columns (names) first.
    fitter.grow = sorted(range(len(columns)), key=lambda c: c not in keep)
    fitter.user_sized = False
    fitter.refit(columns)
    return fitter
