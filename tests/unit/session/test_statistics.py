"""Each session verdict, and the sentence a clinician reads with it."""

import numpy as np
import pandas as pd
import pytest

from hfs_detect.blinks import Blink
from hfs_detect.detector import Asymmetry
from hfs_detect.events import Event
from hfs_detect.session.statistics import VerdictParams, session_statistics

FPS = 30.0


def frames_at_rest(duration_s=60.0, face=True):
    """A frames table: the face found in every frame (or none), eyes open."""
    n = int(duration_s * FPS)
    return pd.DataFrame(
        {
            "time_s": np.arange(n) / FPS,
            "face": np.full(n, face),
            "eye_aperture_left": np.full(n, 0.30),
            "eye_aperture_right": np.full(n, 0.30),
        }
    )


def burst(start_s, side="left"):
    return Event(start_s, start_s + 0.4, side, ("eye",), "clonic", 2, 9.0, 0.6)


def statistics(frames, events, rest=None, asymmetries=()):
    rest = np.ones(len(frames), bool) if rest is None else rest
    return session_statistics(frames, rest, events, VerdictParams(), asymmetries)


def test_three_bursts_on_one_side_at_rest_are_unilateral_bursts():
    s = statistics(frames_at_rest(), [burst(5), burst(20), burst(40)])
    assert (s["verdict"], s["dominant_side"]) == ("unilateral_bursts", "left")
    assert "patient's left side" in s["verdict_text"]


def test_bursts_split_between_the_sides_are_no_unilateral_pattern():
    s = statistics(frames_at_rest(), [burst(5), burst(20, "right"), burst(40), burst(50, "right")])
    assert s["verdict"] == "none"


def closures(starts_s, duration_s, depth=0.85):
    """Closures of both eyes (blinks.csv rows) at rest."""
    return [
        Blink(t, t + duration_s, "prolonged" if duration_s >= 0.5 else "blink", depth, depth,
              t, t, t + duration_s, t + duration_s, True, True, True)
        for t in starts_s
    ]  # fmt: skip


def test_frequent_prolonged_closures_with_a_raised_blink_rate_are_a_bilateral_pattern():
    frames = frames_at_rest()
    blinks = closures((10, 25, 40), 1.5) + closures(np.arange(0.5, 59, 2.0), 0.2)  # 30 a minute
    s = session_statistics(frames, np.ones(len(frames), bool), [], VerdictParams(), (), blinks)
    assert s["verdict"] == "bilateral_pattern"
    assert s["n_long_bilateral_closures"] == 3 and s["blinks"]["n_prolonged"] == 3
    assert "blepharospasm" in s["verdict_text"]
    assert "3 prolonged closures of both eyes" in s["verdict_text"]
    assert "clinical diagnosis" in s["verdict_text"]


def test_prolonged_closures_at_a_normal_blink_rate_or_a_raised_rate_alone_are_no_pattern():
    frames = frames_at_rest()
    rest = np.ones(len(frames), bool)
    resting_eyes = closures((10, 25, 40), 1.5) + closures((5, 15, 30, 50), 0.2)  # 7 a minute
    s = session_statistics(frames, rest, [], VerdictParams(), (), resting_eyes)
    assert s["verdict"] == "none"
    blinking = closures(np.arange(0.5, 59, 1.5), 0.2)  # 40 a minute, none held
    s = session_statistics(frames, rest, [], VerdictParams(), (), blinking)
    assert s["verdict"] == "none"
    assert s["blinks"]["blinks_per_rest_min"] == pytest.approx(39.0)  # 39 in the 60 s


def test_a_quiet_session_is_none():
    s = statistics(frames_at_rest(), [])
    assert s["verdict"] == "none"
    assert s["verdict_text"] == "no pattern of one-sided bursts at rest"


@pytest.mark.parametrize("case", ["little rest", "face lost"])
def test_too_little_rest_or_face_is_insufficient_data(case):
    frames = frames_at_rest(60.0)
    rest = np.zeros(len(frames), bool)
    if case == "little rest":
        rest[: int(5 * FPS)] = True  # 5 s of rest, 10 s needed
    else:
        frames["face"] = frames.time_s < 20  # the face in a third of the frames
        rest = frames.face.to_numpy()
    s = statistics(frames, [burst(2), burst(3), burst(4)], rest)
    assert s["verdict"] == "insufficient_data"
    if case == "little rest":
        assert "too little rest to judge (5.0 s of rest, 10 s needed)" in s["verdict_text"]
        assert "record longer" in s["verdict_text"]
    else:  # the advice is about the face, not about recording longer
        assert "a face in 33% of the frames, 50% needed" in s["verdict_text"]
        assert "whole face in view" in s["verdict_text"]


def test_exactly_the_rest_needed_is_enough():
    frames = frames_at_rest(30.0)
    rest = np.zeros(len(frames), bool)
    rest[192:492] = True  # 300 frames of 1/30 s: 10 s, though their float sum is 9.999...
    s = statistics(frames, [], rest)
    assert s["rest_s"] == 10.0
    assert s["verdict"] == "none"


def test_a_video_without_a_face_says_so():
    frames = frames_at_rest(30.0, face=False)
    s = statistics(frames, [], np.zeros(len(frames), bool))
    assert s["verdict"] == "insufficient_data"
    assert s["verdict_text"].startswith("no face found in the video")


def test_as_many_bursts_on_each_side_name_no_dominant_side():
    s = statistics(frames_at_rest(), [burst(5), burst(20, "right")])
    assert s["dominant_side"] is None
    assert s["dominant_side_share"] == 0.5


@pytest.mark.parametrize("n_bursts", [1, 2])
def test_one_or_two_clear_bursts_say_record_longer(n_bursts):
    s = statistics(frames_at_rest(), [burst(10 + 10 * k) for k in range(n_bursts)])
    assert s["verdict"] == "none"  # the contract's value, unchanged
    assert f"only {n_bursts} clear one-sided burst" in s["verdict_text"]
    assert s["verdict_text"].endswith("record longer")


def test_a_lasting_asymmetry_is_reported_not_counted():
    asym = Asymmetry(12.0, "right", ("eye",), 9.5)
    s = statistics(frames_at_rest(), [], asymmetries=[asym])
    assert s["n_events"] == 0
    assert s["persistent_asymmetry"] == [
        {"start_s": 12.0, "side": "right", "regions": "eye", "size_z": 9.5}
    ]
    assert "lasting asymmetry" in s["verdict_text"]


@pytest.mark.parametrize("engine", ["mediapipe", "litert"])
def test_the_methods_paragraph_names_the_engine_that_made_the_landmarks(engine):
    from hfs_detect.detector import DetectorParams
    from hfs_detect.rest import RestParams
    from hfs_detect.session.statistics import methods_paragraph

    summary = {
        "parameters": {"detector": DetectorParams().to_dict(), "rest": RestParams().to_dict()},
        "mediapipe_version": "1.2.3", "model_sha256": "ab" * 32, "hfs_detect_version": "0.1.0",
        "rest_s": 30.0, "n_events": 0, "verdict": "none", "landmark_engine": engine,
        "landmark_engine_version": "2+litert2.3.0" if engine == "litert" else "1.2.3",
    }  # fmt: skip
    text = methods_paragraph(summary)
    if engine == "litert":
        assert "run directly with LiteRT 2.3.0" in text and "MediaPipe 1.2.3" not in text
    else:
        assert "MediaPipe Face Landmarker (MediaPipe 1.2.3, model sha256 abab" in text
    assert "or by 2.5 together with the same side's cheek or mouth corner at 3.0" in text


def test_a_bursts_frames_and_its_share_of_rest_agree_with_events_csv():
    from hfs_detect.detector import burst_labels

    frames = frames_at_rest(20.0)
    time_s = frames.time_s.to_numpy()
    # times as events.csv rounds them: frame 5 at 0.1666... starts at 0.1667
    events = [
        Event(round(time_s[5], 4), round(time_s[22], 4), "left", ("eye",), "tonic", 1, 9.0, 0.9),
        Event(round(time_s[61], 4), round(time_s[73], 4), "right", ("eye",), "tonic", 1, 9.0, 0.9),
    ]  # fmt: skip
    labels = burst_labels(time_s, events)
    assert list(np.flatnonzero(labels == "left")) == list(range(5, 22))
    assert list(np.flatnonzero(labels == "right")) == list(range(61, 73))
    stats = statistics(frames, events)
    durations = sum(e.end_s - e.start_s for e in events)
    assert stats["spasm_fraction"] == pytest.approx(durations / stats["rest_s"], abs=1e-4)
