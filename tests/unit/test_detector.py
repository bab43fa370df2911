"""The burst detector on signal rows with known contractions (no video needed)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hfs_detect.detector import BurstDetector, DetectorParams
from hfs_detect.stream import detect_bursts

FPS = 30.0


def quiet_face(duration_s=20.0, seed=0, asymmetric=False):
    """A still face at rest: per-side measures with small landmark jitter.

    With ``asymmetric`` the left eye is 25% narrower and the left mouth corner
    higher at rest (an old palsy or a naturally asymmetric face).
    """
    rng = np.random.default_rng(seed)
    n = int(duration_s * FPS)
    t = np.arange(n) / FPS
    base = {
        "eye_aperture": (0.30 * (0.75 if asymmetric else 1.0), 0.30),
        "cheek_height": (-0.38, -0.39),
        "mouth_eye_distance": (1.15 - (0.05 if asymmetric else 0.0), 1.17),
        "brow_height": (0.30, 0.31),
    }
    table = {"time_s": t, "face": np.ones(n, bool)}
    for measure, (left, right) in base.items():
        noise = 0.004 if measure == "eye_aperture" else 0.002
        table[f"{measure}_left"] = left + rng.normal(0, noise, n)
        table[f"{measure}_right"] = right + rng.normal(0, noise, n)
    table.update(head_speed_deg_s=np.full(n, 1.0), head_shift_per_s=np.full(n, 0.02))
    for name in ("bs_jawOpen", "bs_browInnerUp", "bs_mouthSmile_left", "bs_mouthSmile_right"):
        table[name] = np.full(n, 0.01)
    return pd.DataFrame(table)


def pulse(t, start_s, duration_s):
    """0-1 smooth contraction profile: quarter of the time rising, held, falling."""
    ramp = max(duration_s / 4, 1 / FPS)
    up = np.clip((t - start_s) / ramp, 0, 1)
    down = np.clip((t - start_s - duration_s + ramp) / ramp, 0, 1)
    return up - down


def close_eyes(frames, start_s, duration_s, left_depth, right_depth):
    level = pulse(frames.time_s.to_numpy(), start_s, duration_s)
    frames["eye_aperture_left"] *= 1 - left_depth * level
    frames["eye_aperture_right"] *= 1 - right_depth * level
    return frames


@settings(max_examples=40, deadline=None)
@given(
    depth=st.floats(0.05, 1.0),
    duration_s=st.floats(0.1, 4.0),
    lag=st.floats(0.85, 1.0),
    seed=st.integers(0, 1000),
)
def test_a_bilateral_closure_of_any_depth_is_never_a_burst(depth, duration_s, lag, seed):
    frames = close_eyes(quiet_face(seed=seed), 8.0, duration_s, depth, depth * lag)
    _, events = detect_bursts(frames)
    assert events == []


@settings(max_examples=40, deadline=None)
@given(
    side=st.sampled_from(["left", "right"]),
    depth=st.floats(0.3, 1.0),
    duration_s=st.floats(0.15, 3.0),
    coupling=st.floats(0.0, 0.3),
    seed=st.integers(0, 1000),
)
def test_a_one_sided_closure_is_reported_on_its_side_only(side, depth, duration_s, coupling, seed):
    left, right = (depth, depth * coupling) if side == "left" else (depth * coupling, depth)
    frames = close_eyes(quiet_face(seed=seed), 8.0, duration_s, left, right)
    _, events = detect_bursts(frames)
    assert len(events) == 1
    assert events[0].side == side
    assert abs(events[0].start_s - 8.0) < 0.3 + duration_s / 4


def test_a_face_asymmetric_at_rest_gives_no_burst_and_its_spasms_are_found():
    frames = quiet_face(asymmetric=True)
    assert detect_bursts(frames)[1] == []
    spasm = close_eyes(quiet_face(asymmetric=True), 10.0, 1.0, 0.6, 0.0)
    events = detect_bursts(spasm)[1]
    assert [e.side for e in events] == ["left"]


def test_a_held_contraction_is_tonic_and_a_train_of_twitches_clonic():
    tonic = close_eyes(quiet_face(), 8.0, 2.0, 0.7, 0.0)
    clonic = quiet_face()
    for k in range(4):
        clonic = close_eyes(clonic, 8.0 + 0.35 * k, 0.18, 0.0, 0.7)
    (held,) = detect_bursts(tonic)[1]
    (train,) = detect_bursts(clonic)[1]
    assert (held.kind, held.side) == ("tonic", "left")
    assert (train.kind, train.side, train.n_twitches) == ("clonic", "right", 4)


def test_the_mouth_corner_with_the_eye_names_both_regions():
    frames = close_eyes(quiet_face(), 8.0, 1.0, 0.5, 0.0)
    frames["mouth_eye_distance_left"] -= 0.06 * pulse(frames.time_s.to_numpy(), 8.0, 1.0)
    (event,) = detect_bursts(frames)[1]
    assert event.regions == ("eye", "mouth")


def test_nothing_is_judged_outside_rest():
    frames = close_eyes(quiet_face(), 8.0, 1.0, 0.7, 0.0)
    frames.loc[frames.time_s.between(7.0, 10.0), "head_speed_deg_s"] = 60.0  # head turning
    assert detect_bursts(frames)[1] == []


def test_frames_fed_one_by_one_give_the_offline_events():
    frames = close_eyes(quiet_face(), 8.0, 1.0, 0.7, 0.0)
    frames = close_eyes(frames, 14.0, 0.4, 0.0, 0.8)
    _, offline = detect_bursts(frames)
    detector = BurstDetector()
    live = []
    for row in frames.to_dict("records"):
        live += detector.update(row, True)
    live += detector.finish()
    assert [(e.side, e.start_s) for e in live] == [(e.side, e.start_s) for e in offline]
    assert [e.side for e in offline] == ["left", "right"]


def test_bad_parameters_are_refused_with_their_name():
    from hfs_detect import HFSDetectError

    with pytest.raises(HFSDetectError, match="threshold_z"):
        DetectorParams(threshold_z=-1)
    with pytest.raises(HFSDetectError, match="other_eye_share"):
        DetectorParams(other_eye_share=2)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("blink_offset_s", [0.0, 0.15, 0.3])
def test_a_twitch_during_a_blink_is_still_found(side, blink_offset_s):
    depths = (0.6, 0.0) if side == "left" else (0.0, 0.6)
    frames = close_eyes(quiet_face(), 8.0, 0.6, *depths)  # the twitch
    frames = close_eyes(frames, 8.0 + blink_offset_s, 0.25, 0.9, 0.9)  # a blink inside it
    events = detect_bursts(frames)[1]
    assert [e.side for e in events] == [side]


@pytest.mark.parametrize("blink_not_rest", [False, True])
def test_a_blink_whose_eyes_reopen_apart_is_not_a_burst(blink_not_rest):
    frames = quiet_face()
    frames = close_eyes(frames, 8.0, 0.30, 0.95, 0.0)  # left reopens first
    frames = close_eyes(frames, 8.0, 0.45, 0.0, 0.95)  # right 150 ms later
    if blink_not_rest:  # e.g. the head moved during the blink
        frames.loc[frames.time_s.between(8.0, 8.35), "head_speed_deg_s"] = 60.0
    assert detect_bursts(frames)[1] == []
