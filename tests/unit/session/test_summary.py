"""The typed summary: summary.json's flat keys written and read back, checked at the boundary."""

import json

import pytest

from hfs_detect import HFSDetectError
from hfs_detect.session.settings import Settings
from hfs_detect.session.summary import (
    Grading,
    Provenance,
    Recording,
    Statistics,
    StepFigures,
    Summary,
)

CONTRACT_KEYS = ("duration_s", "rest_s", "n_events", "events_per_rest_min", "spasm_fraction",
                 "dominant_side", "verdict", "mirrored", "hfs_detect_version",
                 "mediapipe_version", "model_sha256")  # fmt: skip
"""The keys the output contract promises in summary.json (DESIGN.md)."""


def a_summary(**statistics) -> Summary:
    """A small summary of a made-up 2 s recording (``statistics`` override its figures)."""
    figures = {"rest_s": 0.8, "n_events": 1, "verdict": "none", "dominant_side": "left",
               "regions": {"eye": 1}, **statistics}  # fmt: skip
    return Summary(
        recording=Recording(video="/visits/visit.mp4", duration_s=2.0, fps=30.0, n_frames=60,
                            n_frames_face=60, face_fraction=1.0),
        statistics=Statistics(**figures),
        provenance=Provenance(hfs_detect_version="0.2.0", landmark_engine="litert",
                              mediapipe_version="1.2.3", model_sha256="ab" * 32),
        settings=Settings(engine="litert", detector={"threshold_z": 4.0}),
        grading=Grading(affected_side="left", bursts_per_rest_hour=4500.0, graded=False),
        warnings=["only 30 of the 40 frames the file declares could be decoded"],
    )  # fmt: skip


def test_the_contract_keys_are_written_at_the_top_and_read_back_whole():
    summary = a_summary()
    data = json.loads(json.dumps(summary.to_dict()))
    assert set(CONTRACT_KEYS) <= set(data)
    assert data["parameters"]["detector"]["threshold_z"] == 4.0
    again = Summary.from_dict(data)
    assert again == summary
    assert again.settings == summary.settings and again.grading == summary.grading
    assert again.statistics.dominant_side == "left" and again["verdict"] == "none"


def test_protocol_steps_marks_and_unknown_keys_survive_a_round_trip():
    summary = a_summary()
    summary.steps = [StepFigures(step="pursing", rest_step=False, start_s=3.0, duration_s=10.0,
                                 rest_s=0.0, n_events=1, events_left=1, provocation="pursing",
                                 after_s=5.0, regions={"eye": 1})]  # fmt: skip
    summary.protocol = {"name": "steps", "steps": []}
    data = {**summary.to_dict(), "added_by_a_later_version": [1, 2]}
    again = Summary.from_dict(data)
    assert again.steps[0].provocation == "pursing" and again.steps[0].after_s == 5.0
    assert "eye_narrowing_left" not in again.to_dict()["steps"][0]
    assert again.to_dict()["added_by_a_later_version"] == [1, 2]


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [("duration_s", "long", "'duration_s' should be a number, but is 'long'"),
     ("rest_s", None, "'rest_s' should be a number, but is None"),
     ("rest_s", [1], "'rest_s' should be a number"),
     ("duration_s", 1e308, "'duration_s' should be a number"),
     ("verdict", 3, "'verdict' should be a text, but is 3"),
     ("verdict", "spasm", "'verdict' is 'spasm', not one of"),
     ("dominant_side", "both", "'dominant_side' is 'both'"),
     ("grading", "III", "'grading' should be a table"),
     ("parameters", "fast", "'parameters' should be a table"),
     ("n_events", 1.5, "'n_events' should be a whole number")],
)  # fmt: skip
def test_a_bad_value_is_named_with_its_file_and_key(key, value, words):
    data = a_summary().to_dict()
    data[key] = value
    with pytest.raises(HFSDetectError, match=words) as caught:
        Summary.from_dict(data, "out/summary.json")
    message = str(caught.value)
    assert message.startswith("out/summary.json: ") and "\n" not in message


def test_a_missing_key_it_cannot_do_without_is_named():
    data = a_summary().to_dict()
    del data["video"]
    with pytest.raises(HFSDetectError, match="no 'video'"):
        Summary.from_dict(data)


def test_an_earlier_version_s_summary_reads_with_today_s_defaults():
    data = a_summary().to_dict()
    for key in ("landmark_engine", "landmark_engine_reason", "grading", "warnings"):
        del data[key]
    data["parameters"] = {"mirrored": False, "detector": {"threshold_z": 5.0}}
    old = Summary.from_dict(data)
    assert old.provenance.landmark_engine == "mediapipe"  # before engines were recorded
    assert old.settings.engine == "mediapipe" and old.settings.detector.threshold_z == 5.0
    assert old.grading is None and old.warnings == []
    assert old.recorded_parameters == {"mirrored": False, "detector": {"threshold_z": 5.0}}
