"""analyze_video: one settings object in, the contract out; earlier keyword names still work;
a bad setting is refused before any work."""

import json

import pytest

from hfs_detect import HFSDetectError
from hfs_detect.detector import DetectorParams
from hfs_detect.session import Settings, analyze_video, load_analysis


def test_the_settings_given_are_the_settings_recorded_and_read_back(short_clip, tmp_path):
    never = {"threshold_z": 60.0, "joint_eye_z": 60.0, "lower_face_z": 60.0}  # nothing starts
    settings = Settings(detector=never)
    assert analyze_video(short_clip).summary.statistics.n_events == 2  # the defaults find two
    analysis = analyze_video(short_clip, tmp_path / "out", settings)
    assert analysis.summary.statistics.n_events == 0
    written = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert written["parameters"]["detector"]["threshold_z"] == 60.0
    assert load_analysis(tmp_path / "out").settings == settings


def test_earlier_keyword_names_still_mean_the_same(short_clip):
    earlier = analyze_video(short_clip, detector_params=DetectorParams(threshold_z=60.0))
    assert earlier.settings == Settings(detector={"threshold_z": 60.0})
    named = analyze_video(short_clip, settings=Settings(), detector={"threshold_z": 60.0})
    assert named.settings == earlier.settings


def test_a_bad_setting_is_refused_before_any_work(short_clip, tmp_path):
    with pytest.raises(HFSDetectError, match="unknown setting"):
        analyze_video(short_clip, tmp_path / "never", treshold_z=5)
    with pytest.raises(HFSDetectError, match="max_faces must be at most 8"):
        analyze_video(short_clip, tmp_path / "never", max_faces=9)
    assert not (tmp_path / "never").exists()
