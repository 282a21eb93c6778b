"""What the capture station shows of the student at the table, read in one go.

The station's screen reads it on the task runner (never on the GUI thread) whenever a student is
loaded or a capture changes what is done: the checklist, the candidate's details, the capture
history and the bytes of the active photo for the thumbnail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.errors import AppError
from app.roster.candidates import CandidateDetail, CandidateService
from app.station.capture import CaptureInfo, CaptureService, Checklist

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StationStudent:
    checklist: Checklist
    detail: CandidateDetail
    history: list[CaptureInfo]
    photo: CaptureInfo | None = None  # the active photo, newest first in the history
    photo_bytes: bytes | None = None  # None when there is no photo or its file cannot be read

    @property
    def uuid(self) -> str:
        return self.checklist.candidate_uuid


def read_student(capture: CaptureService, candidates: CandidateService, key: str) -> StationStudent:
    """The student ``key`` (student number, ID number or UUID); ``NotFoundError`` if nobody."""
    checklist = capture.checklist(key)
    uuid = checklist.candidate_uuid
    detail = candidates.get(uuid)
    history = capture.history(uuid)
    photo = next((info for info in history if info.kind == "photo" and info.active), None)
    data: bytes | None = None
    if photo is not None:
        try:
            data = capture.media_bytes(photo)
        except AppError as exc:  # a media file gone or damaged: said on the screen, the table keeps working
            log.warning("photo of %s unreadable: %s", uuid, exc.message)
    return StationStudent(checklist, detail, history, photo, data)
