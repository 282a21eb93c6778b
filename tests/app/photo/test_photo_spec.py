"""PhotoSpec: DESIGN §4 defaults, the JSON setting round trip and refusal of bad settings."""

from __future__ import annotations

import json

import pytest

from app.errors import ValidationError
from app.photo.spec import PhotoSpec


def test_defaults_are_design_section_4() -> None:
    spec = PhotoSpec()
    assert (spec.width, spec.height) == (480, 640)
    assert (spec.min_kb, spec.max_kb) == (20, 40)
    assert spec.hair_top == (50, 110) and spec.eye_line == (200, 300) and spec.face_width == (180, 300)
    assert set(spec.backgrounds.values()) == {(255, 255, 255), (100, 197, 255), (240, 240, 240)}
    assert spec.min_bytes == 20 * 1024 and spec.max_bytes == 40_000


def test_json_round_trip_and_partial_setting() -> None:
    spec = PhotoSpec.from_dict({"hair_top": [40, 100], "check_glasses": True,
                                "backgrounds": {"浅红色": [255, 200, 200]}})
    assert spec.hair_top == (40, 100) and spec.check_glasses
    assert spec.eye_line == (200, 300)  # untouched keys keep their defaults
    again = PhotoSpec.from_dict(json.loads(json.dumps(spec.to_dict(), ensure_ascii=False)))
    assert again == spec
    assert PhotoSpec.from_dict({}) == PhotoSpec() == PhotoSpec.from_dict(None)


@pytest.mark.parametrize("data", [
    {"hair_topp": [50, 110]},
    {"eye_line": [300, 200]},
    {"face_width": [180]},
    {"min_kb": 50},
    {"backgrounds": {}},
    {"backgrounds": {"白色": [255, 255]}},
    {"backgrounds": {"白色": [255, 255, 300]}},
    {"check_glasses": "yes"},
    {"width": 480.5},
    {"max_upscale": 0.5},
])
def test_bad_settings_are_refused_in_chinese(data: dict) -> None:
    with pytest.raises(ValidationError) as err:
        PhotoSpec.from_dict(data)
    assert err.value.field == "photo_spec" and "照片规格" in err.value.message
