"""One settings object: defaults, TOML out and back, bad files named, earlier summaries read."""

import re

import pytest

from hfs_detect import HFSDetectError
from hfs_detect.session.settings import DetectorParams, Settings


def test_a_settings_file_round_trips_every_value(tmp_path):
    settings = Settings(
        engine="mediapipe", mirrored=True, max_faces=2, rest_intervals_s="0:10-1:30",
        steps="pursing=0:30-0:40", detector={"threshold_z": 5.0},
        rest={"max_head_speed_deg_s": 30.0},
    )  # fmt: skip
    path = settings.write(tmp_path / "clinic.toml")
    again = Settings.read(path)
    assert again == settings
    assert again.rest_intervals_s == ((10.0, 90.0),) and again.steps == (("pursing", 30.0, 40.0),)
    assert again.key() == settings.key() != Settings().key()


def test_keys_left_out_keep_their_defaults(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text('engine = "mediapipe"\n[detector]\nthreshold_z = 4.5\n')
    settings = Settings.read(path)
    assert settings.engine == "mediapipe" and settings.detector.threshold_z == 4.5
    assert settings.detector.region_z == DetectorParams().region_z and settings.max_faces == 4


@pytest.mark.parametrize(
    ("text", "words"),
    [('engien = "litert"\n', "unknown setting(s) engien"),
     ('[detector]\ntreshold_z = 4\n', "unknown detector setting(s) treshold_z"),
     ('[detector]\nthreshold_z = -1\n', "threshold_z must be at least 0"),
     ('[detector]\nthreshold_z = "high"\n', "threshold_z must be a number"),
     ('engine = "tflite"\n', "Allowed values are 'mediapipe' and 'litert'"),
     ("max_faces = 0\n", "max_faces must be at least 1"),
     ('steps = [["yawn", 1, 2]]\n', "steps kind"),
     ("rest_intervals_s = [[5, 1]]\n", "is not an interval"),
     ("engine = \n", "is not a TOML settings file")],
)  # fmt: skip
def test_a_bad_settings_file_is_named_in_one_line(tmp_path, text, words):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(HFSDetectError, match=re.escape(words)) as caught:
        Settings.read(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_settings_file_is_named(tmp_path):
    with pytest.raises(HFSDetectError, match="settings file not found"):
        Settings.read(tmp_path / "nowhere.toml")


def test_changes_by_name_and_a_stage_s_table_as_a_dict():
    settings = Settings().replace(engine="mediapipe", detector={"threshold_z": 6})
    assert settings.detector.threshold_z == 6 and settings.detector.region_z == 3.0
    with pytest.raises(HFSDetectError, match="unknown setting"):
        Settings().replace(threshold=6)


def test_an_earlier_summary_s_parameters_give_its_settings_back():
    settings = Settings(mirrored=True, max_faces=2, rest_intervals_s=[(1.0, 4.5)])
    summary = {"mirrored": True, "parameters": settings.to_dict()}
    assert Settings.from_summary(summary) == settings
    before_engines = {"parameters": {"max_faces": 3}}
    assert Settings.from_summary(before_engines).engine == "mediapipe"
