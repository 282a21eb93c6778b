"""Bulk work pauses the cyclic garbage collector and always gives it back."""

import gc
import threading

import pytest

from app.tasks import bulk_work


@pytest.fixture
def gc_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_collector_paused_inside_and_resumed_after(gc_on):
    with bulk_work():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_resumed_after_an_error(gc_on):
    with pytest.raises(ValueError), bulk_work():
        raise ValueError("boom")
    assert gc.isenabled()


def test_overlapping_jobs_resume_only_when_the_last_ends(gc_on):
    first_inside, release = threading.Event(), threading.Event()

    def worker():
        with bulk_work():
            first_inside.set()
            release.wait(5)

    t = threading.Thread(target=worker)
    t.start()
    first_inside.wait(5)
    with bulk_work():
        pass
    assert not gc.isenabled()  # the worker's job is still running
    release.set()
    t.join(5)
    assert gc.isenabled()


def test_left_off_when_it_was_off_before():
    was = gc.isenabled()
    gc.disable()
    try:
        with bulk_work():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_works_as_a_decorator(gc_on):
    @bulk_work()
    def job():
        return gc.isenabled()

    assert job() is False
    assert gc.isenabled()
