"""Captures at the table: content-addressed files, retake history, overrides, the checklist."""

import datetime as dt
import hashlib

import pytest

from app.auth import Actor
from app.errors import NotFoundError, PermissionDenied, ValidationError
from app.station.media import MediaStore


def test_media_store_is_content_addressed_and_checks_what_it_reads(tmp_path):
    store = MediaStore(tmp_path / "media")
    sha = store.put(b"photo-bytes", "jpg")
    assert sha == hashlib.sha256(b"photo-bytes").hexdigest()
    path = store.path(sha, "jpg")
    assert path == tmp_path / "media" / sha[:2] / sha[2:4] / f"{sha}.jpg"
    assert store.put(b"photo-bytes", "jpg") == sha  # stored once
    assert store.read(sha, "jpg") == b"photo-bytes"
    path.write_bytes(b"tampered")
    with pytest.raises(Exception, match="已损坏"):
        store.read(sha, "jpg")
    with pytest.raises(NotFoundError):
        store.read("0" * 64, "jpg")
    assert not list(path.parent.glob(".incoming-*"))


def test_retake_keeps_history_and_is_audited(container, actor, make_candidate_raw):
    cand = container.candidates.create(actor, make_candidate_raw())
    first = container.capture.record(actor, cand.uuid, "photo", b"first", "jpg", quality={"sharpness": 120},
                                     device="mock:0", width=480, height=640)
    second = container.capture.record(actor, cand.uuid, "photo", b"second", "jpg", device="mock:0")
    history = container.capture.history(cand.uuid, "photo")
    assert [h.uuid for h in history] == [second.uuid, first.uuid]
    assert [h.active for h in history] == [True, False]
    assert container.capture.media_bytes(history[1]) == b"first"
    assert first.quality == {"sharpness": 120} and first.desk_name == "一号桌"
    events = container.candidates.history(cand.uuid)
    assert events[0].action == "capture.record" and "重拍" in events[0].summary
    assert events[0].before == {"capture": first.uuid}


def test_override_needs_its_reason_in_the_trail(container, actor, make_candidate_raw):
    cand = container.candidates.create(actor, make_candidate_raw())
    container.capture.record(actor, cand.uuid, "photo", b"x", "jpg", override_reason="  背景偏暗，学生无法重拍 ")
    event = container.candidates.history(cand.uuid)[0]
    assert event.action == "capture.override"
    assert "背景偏暗，学生无法重拍" in event.summary
    assert event.after["override_reason"] == "背景偏暗，学生无法重拍"


def test_checklist_follows_category_and_finger_setting(container, actor, make_candidate_raw):
    veteran = container.candidates.create(actor, make_candidate_raw(
        category="退役大学生士兵", veteran_service_start="2021-09", veteran_service_end="2023-09"))
    steps = container.capture.checklist(veteran.uuid).steps
    assert [(s.kind, s.subkind) for s in steps] == [
        ("photo", ""), ("id_front", ""), ("id_back", ""), ("fingerprint", "right_index"),
        ("fingerprint", "right_middle"), ("document", "discharge"), ("info", "veteran_service_start"),
        ("info", "veteran_service_end")]
    assert all(s.done for s in steps if s.kind == "info")
    container.settings.set(actor, "fingerprint_fingers", ["右手中指"])
    container.capture.record(actor, veteran.uuid, "fingerprint", b"fp", "png", subkind="right_middle")
    checklist = container.capture.checklist(veteran.uuid)
    assert [(s.subkind, s.done) for s in checklist.steps if s.kind == "fingerprint"] == [("right_middle", True)]
    assert not checklist.complete
    for kind, sub in (("photo", ""), ("id_front", ""), ("id_back", ""), ("document", "discharge")):
        container.capture.record(actor, veteran.uuid, kind, kind.encode(), "jpg", subkind=sub)
    assert container.capture.checklist(veteran.uuid).complete


def test_missing_category_data_is_a_step_before_the_checklist_completes(container, actor, make_candidate_raw):
    # A veteran imported without service dates: every capture done is not enough.
    veteran = container.candidates.create(actor, make_candidate_raw(category="退役大学生士兵"))
    container.settings.set(actor, "fingerprint_fingers", ["右手中指"])
    for kind, sub in (("photo", ""), ("id_front", ""), ("id_back", ""), ("document", "discharge"),
                      ("fingerprint", "right_middle")):
        container.capture.record(actor, veteran.uuid, kind, kind.encode(), "jpg", subkind=sub)
    checklist = container.capture.checklist(veteran.uuid)
    assert [(s.label, s.done) for s in checklist.steps if s.kind == "info"] == [
        ("补填入伍时间", False), ("补填退役时间", False)]
    assert not checklist.complete
    raw = {**vars(container.candidates.get(veteran.uuid).data), "veteran_service_start": "2021-09",
           "veteran_service_end": "2023-09"}
    container.candidates.update(actor, veteran.uuid, raw)
    assert container.capture.checklist(veteran.uuid).complete


def test_done_today_counts_candidates_not_captures(container, actor, make_candidate_raw):
    a = container.candidates.create(actor, make_candidate_raw())
    b = container.candidates.create(actor, make_candidate_raw())
    container.capture.record(actor, a.uuid, "photo", b"1", "jpg")
    container.capture.record(actor, a.uuid, "id_front", b"2", "jpg")
    container.capture.record(actor, b.uuid, "photo", b"3", "jpg")
    assert container.capture.done_today() == 2
    assert container.capture.done_today(today=dt.date.today() - dt.timedelta(days=1)) == 0
    assert container.capture.done_today("别的报名点") == 0


def test_bad_requests(container, actor, make_candidate_raw):
    cand = container.candidates.create(actor, make_candidate_raw())
    with pytest.raises(ValidationError, match="未知的采集类型"):
        container.capture.record(actor, cand.uuid, "selfie", b"x", "jpg")
    with pytest.raises(ValidationError, match="未知的手指"):
        container.capture.record(actor, cand.uuid, "fingerprint", b"x", "png", subkind="toe")
    with pytest.raises(PermissionDenied):
        container.capture.record(Actor("jjjc", "纪检", "supervisor"), cand.uuid, "photo", b"x", "jpg")
    with pytest.raises(NotFoundError):
        container.capture.record(actor, "no-such-student", "photo", b"x", "jpg")


def test_onsite_state_and_the_desks_unfinished_list(container, actor, make_candidate_raw):
    from app.station.capture import DONE, NOT_COME, STARTED

    container.settings.set(actor, "fingerprint_fingers", ["右手中指"])
    a = container.candidates.create(actor, make_candidate_raw(1))
    b = container.candidates.create(actor, make_candidate_raw(2))
    c = container.candidates.create(actor, make_candidate_raw(3))
    for kind, sub in (("photo", ""), ("id_front", ""), ("id_back", ""), ("fingerprint", "right_middle")):
        container.capture.record(actor, a.uuid, kind, kind.encode(), "jpg", subkind=sub)
    container.capture.record(actor, b.uuid, "photo", b"p", "jpg")
    states = container.capture.onsite()
    assert (states[a.uuid].state, states[b.uuid].state, states[c.uuid].state) == (DONE, STARTED, NOT_COME)
    assert states[b.uuid].missing == ("身份证正面", "身份证背面", "指纹：右手中指")
    assert states[c.uuid].label == "未到"
    [left] = container.capture.unfinished_today()
    assert (left.uuid, left.missing) == (b.uuid, ("身份证正面", "身份证背面", "指纹：右手中指"))
    assert container.capture.unfinished_today(desk_name="另一报名点") == []


def test_the_checklist_names_the_next_step_and_what_is_missing(container, actor, make_candidate_raw):
    container.settings.set(actor, "fingerprint_fingers", ["right_index", "right_middle"])
    cand = container.candidates.create(actor, make_candidate_raw())
    checklist = container.capture.checklist(cand.uuid)
    assert checklist.next_step is not None and checklist.next_step.kind == "photo"
    assert checklist.missing_labels() == ["照片", "身份证正面", "身份证背面", "指纹"], "the fingers are one “指纹”"
    for kind in ("photo", "id_front", "id_back"):
        container.capture.record(actor, cand.uuid, kind, kind.encode(), "jpg")
    container.capture.record(actor, cand.uuid, "fingerprint", b"fp", "png", subkind="right_middle")
    checklist = container.capture.checklist(cand.uuid)
    assert (checklist.next_step.kind, checklist.next_step.subkind) == ("fingerprint", "right_index")
    assert checklist.missing_labels() == ["指纹"]
    container.capture.record(actor, cand.uuid, "fingerprint", b"fp2", "png", subkind="right_index")
    checklist = container.capture.checklist(cand.uuid)
    assert checklist.complete and checklist.next_step is None and checklist.missing_labels() == []
