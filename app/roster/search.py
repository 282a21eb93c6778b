"""In-memory roster search: as-you-type over name, its pinyin, student number, ID number and class."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain import pinyin

if TYPE_CHECKING:
    from app.roster.candidates import CandidateRow


@dataclass(frozen=True)
class Filters:
    text: str = ""
    class_name: str = ""
    counsellor: str = ""
    category: str = ""
    status: str = ""
    todo_only: bool = False  # only candidates with fields still to complete (待补信息)
    onsite: str = ""  # 现场确认 label: 未到 | 未完成 | 已完成
    person_conflict_only: bool = False  # only people also on another college's roster


def pinyin_keys(rows: Sequence[CandidateRow]) -> list[str]:
    """One pinyin key per row (``app.domain.pinyin.search_key`` of the name).

    About 20 µs a new name (names seen before in this process are cached), plus pypinyin's
    dictionary load, a third of a second or more, the first time in a process: run it off
    the GUI thread.
    """
    return [pinyin.search_key(r.name) for r in rows]


class RosterIndex:
    """Holds the rows, one lower-cased search key and one pinyin key per row; filtering is a linear scan.

    A linear scan over 20,000 short strings takes a few milliseconds, well inside the
    30 ms a keystroke may cost, and stays correct for substring matches anywhere. A text of
    Latin letters also matches names by pinyin (``app.domain.pinyin``: “zs”, “zhangsan”,
    “zsan” find 张三) with one more substring test per row on its pinyin key.

    ``with_pinyin=False`` leaves the pinyin keys out (text then matches as before) until
    ``set_pinyin_keys``: the roster shows its rows first and computes the keys next, in the
    background, so that pypinyin's load never delays the first screen.
    """

    def __init__(self, rows: Sequence[CandidateRow], *, with_pinyin: bool = True) -> None:
        self.rows = list(rows)
        self._keys = [f"{r.name}\x00{r.student_no}\x00{r.id_number}\x00{r.class_name}".lower() for r in self.rows]
        self._pinyin: list[str] | None = pinyin_keys(self.rows) if with_pinyin else None

    @property
    def has_pinyin(self) -> bool:
        return self._pinyin is not None

    def set_pinyin_keys(self, keys: Sequence[str]) -> None:
        """The keys ``pinyin_keys(self.rows)`` returned (computed elsewhere, e.g. on a worker thread)."""
        if len(keys) != len(self.rows):
            raise ValueError("one pinyin key per row")
        self._pinyin = list(keys)

    def filter(self, f: Filters) -> list[int]:
        """Indexes into ``rows`` of the matching candidates, in row order."""
        text = f.text.strip().lower().replace(" ", "")
        keys = self._keys
        hits: Sequence[int]
        if not text:
            hits = range(len(keys))
        else:
            typed = pinyin.query(f.text) if self._pinyin is not None else ""
            if typed:
                spoken = "\x00" + typed
                hits = [i for i, (key, spoken_key) in enumerate(zip(keys, self._pinyin, strict=True))  # type: ignore[arg-type]
                        if text in key or spoken in spoken_key]
            else:
                hits = [i for i, key in enumerate(keys) if text in key]
        if not (f.class_name or f.counsellor or f.category or f.status or f.todo_only or f.onsite
                or f.person_conflict_only):
            return list(hits)
        rows = self.rows
        out = []
        for i in hits:
            r = rows[i]
            if f.class_name and r.class_name != f.class_name:
                continue
            if f.counsellor and r.counsellor != f.counsellor:
                continue
            if f.category and r.category != f.category:
                continue
            if f.status and r.status != f.status:
                continue
            if f.todo_only and not r.todos:
                continue
            if f.onsite and r.onsite != f.onsite:
                continue
            if f.person_conflict_only and not r.person_conflict:
                continue
            out.append(i)
        return out
