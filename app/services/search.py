"""In-memory roster search: as-you-type over name, student number, ID number and class."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.services.candidates import CandidateRow


@dataclass(frozen=True)
class Filters:
    text: str = ""
    class_name: str = ""
    counsellor: str = ""
    category: str = ""
    status: str = ""
    todo_only: bool = False  # only candidates with fields still to complete (待补信息)
    onsite: str = ""  # 现场确认 label: 未到 | 未完成 | 已完成


class RosterIndex:
    """Holds the rows and one lower-cased search key per row; filtering is a linear scan.

    A linear scan over 20,000 short strings takes a few milliseconds, well inside the
    30 ms a keystroke may cost, and stays correct for substring matches anywhere.
    """

    def __init__(self, rows: Sequence[CandidateRow]) -> None:
        self.rows = list(rows)
        self._keys = [f"{r.name}\x00{r.student_no}\x00{r.id_number}\x00{r.class_name}".lower() for r in self.rows]

    def filter(self, f: Filters) -> list[int]:
        """Indexes into ``rows`` of the matching candidates, in row order."""
        text = f.text.strip().lower().replace(" ", "")
        rows, keys = self.rows, self._keys
        out = []
        for i, key in enumerate(keys):
            if text and text not in key:
                continue
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
            out.append(i)
        return out
