"""The burst detector on signal rows with known contractions (no video needed).

Each test builds a still face at rest (per-side measures with landmark jitter)
and moves it the way one pattern or distractor does; the detector must find
the spasms on their side and nothing in the distractors. Video-level checks
with real MediaPipe are in tests/integration.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hfs_detect.detector import BurstDetector, DetectorParams, detect_bursts
from hfs_detect.signals import signal_rows

FPS = 30.0
PROPERTY = settings(max_examples=30, deadline=None, derandomize=True)


def quiet_face(duration_s=20.0, seed=0, asymmetric=False, *, fps=FPS, eyes=None,
               eye_noise=0.004, rng=None):  # fmt: skip
    """A still face at rest: per-side measures with small landmark jitter.

    With ``asymmetric`` the left eye is 25% narrower and the left mouth corner
    higher at rest (an old palsy or a naturally asymmetric face). ``eyes``: the
    left and right eye apertures (0.30 each); ``eye_noise``: their jitter; ``rng``:
    the generator to draw from (one seeded with ``seed``).
    """
    rng = np.random.default_rng(seed) if rng is None else rng
    n = int(duration_s * fps)
    t = np.arange(n) / fps
    left_eye, right_eye = eyes or (0.30 * (0.75 if asymmetric else 1.0), 0.30)
    base = {
        "eye_aperture": (left_eye, right_eye, eye_noise),
        "lower_lid_height": (-0.05, -0.05, 0.001),
        "cheek_height": (-0.38, -0.39, 0.002),
        "mouth_eye_distance": (1.15 - (0.05 if asymmetric else 0.0), 1.17, 0.002),
        "mouth_corner_height": (-0.75 + (0.04 if asymmetric else 0.0), -0.75, 0.002),
        "brow_height": (0.30, 0.31, 0.002),
    }
    table = {"time_s": t, "face": np.ones(n, bool)}
    for measure, (left, right, noise) in base.items():
        table[f"{measure}_left"] = left + rng.normal(0, noise, n)
        table[f"{measure}_right"] = right + rng.normal(0, noise, n)
    table.update(head_speed_deg_s=np.full(n, 1.0), head_shift_per_s=np.full(n, 0.02))
    table["lower_lip_height"] = -0.9 + rng.normal(0, 0.001, n)
    for name in ("bs_jawOpen", "bs_browInnerUp", "bs_mouthSmile_left", "bs_mouthSmile_right"):
        table[name] = np.full(n, 0.01)
    return pd.DataFrame(table)


def pulse(t, start_s, duration_s, ramp_s=None):
    """0-1 contraction profile: rising over ``ramp_s`` (default a quarter), held, falling."""
    ramp = max(duration_s / 4 if ramp_s is None else ramp_s, 1 / FPS)
    up = np.clip((t - start_s) / ramp, 0, 1)
    down = np.clip((t - start_s - duration_s + ramp) / ramp, 0, 1)
    return up - down


def close_eyes(frames, start_s, duration_s, left_depth, right_depth, ramp_s=None):
    """Both eyes close along the same profile, to their own depths."""
    level = pulse(frames.time_s.to_numpy(), start_s, duration_s, ramp_s)
    frames["eye_aperture_left"] *= 1 - left_depth * level
    frames["eye_aperture_right"] *= 1 - right_depth * level
    return frames


def pull_mouth(frames, side, start_s, duration_s, amount=0.08, other=0.0, ramp_s=None):
    """The mouth corner of ``side`` pulled up towards its eye by ``amount`` face units
    (``other``: how far the other corner moves the same way, a fraction)."""
    level = pulse(frames.time_s.to_numpy(), start_s, duration_s, ramp_s)
    away = "right" if side == "left" else "left"
    frames[f"mouth_eye_distance_{side}"] -= amount * level
    frames[f"mouth_corner_height_{side}"] += amount * level
    frames[f"mouth_eye_distance_{away}"] += other * amount * level  # a sideways shift
    frames[f"mouth_corner_height_{away}"] -= other * amount * level
    return frames


def sides(events):
    return [e.side for e in events]


def assert_one_tonic_hold(frames, side, length_s):
    """The frames give one tonic burst on ``side`` within 20% of ``length_s``, and no
    lasting change re-learned."""
    _, events, asymmetries = detect_bursts(frames)
    assert asymmetries == []
    (event,) = events
    assert (event.side, event.kind) == (side, "tonic")
    assert event.end_s - event.start_s == pytest.approx(length_s, rel=0.2)


@PROPERTY
@given(
    depth=st.floats(0.05, 1.0),
    duration_s=st.floats(0.1, 4.0),
    lag=st.floats(0.85, 1.0),
    seed=st.integers(0, 1000),
)
def test_a_bilateral_closure_of_any_depth_is_never_a_burst(depth, duration_s, lag, seed):
    frames = close_eyes(quiet_face(seed=seed), 8.0, duration_s, depth, depth * lag)
    assert detect_bursts(frames)[1] == []


@PROPERTY
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
    (event,) = detect_bursts(frames)[1]
    assert event.side == side
    assert abs(event.start_s - 8.0) < 0.3 + duration_s / 4


@PROPERTY
@given(
    side=st.sampled_from(["left", "right"]),
    depth=st.floats(0.6, 1.0),
    share=st.floats(0.45, 0.85),
    duration_s=st.floats(0.15, 0.3),
    seed=st.integers(0, 1000),
)
def test_a_brief_uneven_closure_of_both_eyes_is_a_blink(side, depth, share, duration_s, seed):
    """The other eye closes 45-85% as far, together, for a blink's time: no burst."""
    left, right = (depth, depth * share) if side == "left" else (depth * share, depth)
    frames = close_eyes(quiet_face(seed=seed), 8.0, duration_s, left, right)
    assert detect_bursts(frames)[1] == []


@PROPERTY
@given(
    side=st.sampled_from(["left", "right"]),
    depth=st.floats(0.6, 1.0),
    share=st.floats(0.3, 0.7),
    duration_s=st.floats(0.6, 3.0),
    seed=st.integers(0, 1000),
)
def test_a_held_closure_that_narrows_the_other_eye_is_a_burst(side, depth, share, duration_s, seed):
    """A forceful one-sided closure: the other eye narrows 30-70% as far, held (as in d3)."""
    left, right = (depth, depth * share) if side == "left" else (depth * share, depth)
    frames = close_eyes(quiet_face(seed=seed), 8.0, duration_s, left, right)
    assert sides(detect_bursts(frames)[1]) == [side]


@PROPERTY
@given(
    side=st.sampled_from(["left", "right"]),
    share=st.floats(0.45, 0.7),
    seed=st.integers(0, 1000),
)
def test_a_brief_closure_that_narrows_the_other_eye_counts_with_the_mouth(side, share, seed):
    """Brief and uneven, but the same side's mouth corner moves with it: a spasm, not a blink."""
    left, right = (0.8, 0.8 * share) if side == "left" else (0.8 * share, 0.8)
    frames = close_eyes(quiet_face(seed=seed), 8.0, 0.25, left, right)
    frames = pull_mouth(frames, side, 8.0, 0.25)
    assert sides(detect_bursts(frames)[1]) == [side]


@pytest.mark.parametrize("lagging", ["left", "right"])
def test_a_blink_whose_eye_reopens_late_is_not_a_burst(lagging):
    frames = quiet_face()
    first = ("left", "right")[lagging == "left"]
    frames = close_eyes(frames, 8.0, 0.25, *((0.95, 0.0) if first == "left" else (0.0, 0.95)))
    frames = close_eyes(frames, 8.0, 0.42, *((0.0, 0.95) if first == "left" else (0.95, 0.0)))
    assert detect_bursts(frames)[1] == []


def test_resting_with_eyes_closed_that_close_apart_is_not_a_burst():
    frames = close_eyes(quiet_face(), 6.0, 6.0, 0.95, 0.0, ramp_s=0.2)
    frames = close_eyes(frames, 6.15, 6.0, 0.0, 0.95, ramp_s=0.2)  # the right eye 150 ms late
    assert detect_bursts(frames)[1] == []


def test_a_lasting_squint_is_persistent_asymmetry_not_a_burst():
    frames = close_eyes(quiet_face(40.0), 8.0, 30.0, 0.3, 0.0, ramp_s=0.4)
    frames["lower_lid_height_left"] += 0.01 * pulse(frames.time_s.to_numpy(), 8.0, 30.0, 0.4)
    _, events, asymmetries = detect_bursts(frames)
    assert events == []
    assert [a.side for a in asymmetries] == ["left"]


def test_a_faint_squint_held_a_few_seconds_is_not_a_burst():
    frames = close_eyes(quiet_face(30.0), 8.0, 6.0, 0.0, 0.1, ramp_s=0.3)
    _, events, asymmetries = detect_bursts(frames)
    assert events == []
    assert [a.side for a in asymmetries] == ["right"]


def test_a_faint_fast_clonic_train_whose_lid_never_relaxes_is_a_burst_not_a_squint():
    """3 s of twitches at 3 Hz between 7.5% and 11.5% closure: the lid never comes back
    near rest, as in a held squint, but it twitches: one clonic burst."""
    frames = quiet_face(30.0)
    t = frames.time_s.to_numpy()
    inside = (t >= 8.0) & (t < 11.0)
    wave = np.sign(np.sin(2 * np.pi * 3.0 * (t - 8.0)))
    frames["eye_aperture_right"] *= 1 - np.where(inside, 0.095 + 0.02 * wave, 0.0)
    _, events, asymmetries = detect_bursts(frames)
    assert asymmetries == []
    (event,) = events
    assert (event.side, event.kind) == ("right", "clonic")
    assert event.n_twitches >= 6


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_twitch_whose_other_eye_narrows_late_is_one_sided(side):
    """The other eye narrows a little and lags: on the closing eye's way back it is
    the more closed for a frame or two, but its deepest closure is under a third of
    the twitch's. One burst, on the twitching side."""
    frames = quiet_face()
    t = frames.time_s.to_numpy()
    other = "right" if side == "left" else "left"
    for onset_s in (8.0, 8.35, 8.7):
        frames[f"eye_aperture_{side}"] *= 1 - 0.6 * pulse(t, onset_s, 0.2, 0.07)
        frames[f"eye_aperture_{other}"] *= 1 - 0.18 * pulse(t, onset_s + 0.067, 0.2, 0.07)
    assert sides(detect_bursts(frames)[1]) == [side]


def test_spasms_with_a_run_of_blinks_between_them_are_two_bursts():
    frames = close_eyes(quiet_face(), 8.0, 0.4, 0.9, 0.0)
    for blink_s in (8.6, 8.95, 9.3, 9.65, 10.0):
        frames = close_eyes(frames, blink_s, 0.2, 0.9, 0.9)
    frames = close_eyes(frames, 10.5, 0.4, 0.9, 0.0)
    assert sides(detect_bursts(frames)[1]) == ["left", "left"]


def test_an_eye_narrowing_while_the_other_cheek_rises_is_not_a_burst():
    """A head turn: perspective narrows one eye and lifts the other side's cheek."""
    frames = close_eyes(quiet_face(), 8.0, 0.3, 0.0, 0.12)
    level = pulse(frames.time_s.to_numpy(), 8.0, 0.3)
    frames["cheek_height_left"] += 0.03 * level
    assert detect_bursts(frames)[1] == []


def test_a_mouth_corner_pulled_from_a_mouth_already_moving_is_a_burst():
    """The mouth was lower than its resting median when the spasm began (a talking
    face between words): the other corner did not move the opposite way."""
    frames = quiet_face()
    t = frames.time_s.to_numpy()
    for side in ("left", "right"):
        frames[f"mouth_corner_height_{side}"] -= 0.02 * pulse(t, 7.0, 3.0, 0.3)
        frames[f"mouth_eye_distance_{side}"] += 0.02 * pulse(t, 7.0, 3.0, 0.3)
    frames = pull_mouth(frames, "right", 8.0, 1.0, amount=0.06)
    assert sides(detect_bursts(frames)[1]) == ["right"]


def test_a_slowly_drooping_lid_is_not_a_burst():
    frames = quiet_face(30.0)
    droop = np.clip((frames.time_s.to_numpy() - 6.0) / 8.0, 0, 1) * 0.35
    frames["eye_aperture_right"] *= 1 - droop
    assert detect_bursts(frames)[1] == []


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_mouth_corner_twitch_alone_is_a_burst_on_its_side(side):
    frames = pull_mouth(quiet_face(), side, 8.0, 0.4)
    (event,) = detect_bursts(frames)[1]
    assert (event.side, event.regions) == (side, ("mouth",))


def test_a_cheek_twitch_alone_is_a_burst():
    """The cheek rises and lifts the mouth corner with it (a zygomatic twitch), the eye still."""
    frames = quiet_face()
    level = pulse(frames.time_s.to_numpy(), 8.0, 0.5)
    frames["cheek_height_right"] += 0.05 * level
    frames["mouth_corner_height_right"] += 0.02 * level
    (event,) = detect_bursts(frames)[1]
    assert event.side == "right"
    assert event.regions[0] == "cheek" and "eye" not in event.regions


def test_the_cheek_points_alone_do_not_start_a_burst():
    """MediaPipe's cheek points follow the face's shape; without the corner, no burst."""
    frames = quiet_face()
    frames["cheek_height_right"] += 0.05 * pulse(frames.time_s.to_numpy(), 8.0, 0.5)
    assert detect_bursts(frames)[1] == []


def test_a_mouth_shifted_sideways_is_not_a_burst():
    frames = pull_mouth(quiet_face(), "left", 8.0, 0.6, other=0.8)
    assert detect_bursts(frames)[1] == []


def test_a_tonic_hold_with_blinks_in_it_is_one_burst():
    frames = close_eyes(quiet_face(30.0), 8.0, 8.0, 0.6, 0.1, ramp_s=0.15)
    for blink_s in (10.0, 12.5, 14.2):  # both eyes blink during the hold
        frames = close_eyes(frames, blink_s, 0.25, 0.9, 0.9)
    (event,) = detect_bursts(frames)[1]
    assert (event.side, event.kind) == ("left", "tonic")
    assert event.end_s - event.start_s > 7.0


def test_a_spasm_in_the_first_second_is_found():
    frames = close_eyes(quiet_face(), 0.3, 0.6, 0.0, 0.7)
    (event,) = detect_bursts(frames)[1]
    assert event.side == "right"
    assert event.start_s < 0.6


@pytest.mark.parametrize("rate_hz", [2.0, 4.0, 8.0])
def test_a_clonic_train_is_one_clonic_burst(rate_hz):
    frames = quiet_face()
    for k in range(6):
        frames = close_eyes(frames, 8.0 + k / rate_hz, 0.6 / rate_hz, 0.7, 0.0)
    (event,) = detect_bursts(frames)[1]
    assert (event.side, event.kind) == ("left", "clonic")
    assert event.n_twitches >= 2


def test_a_face_asymmetric_at_rest_gives_no_burst_and_its_spasms_are_found():
    frames = quiet_face(asymmetric=True)
    assert detect_bursts(frames)[1] == []
    spasm = close_eyes(quiet_face(asymmetric=True), 14.0, 1.0, 0.0, 0.6)
    assert sides(detect_bursts(spasm)[1]) == ["right"]


def test_a_departure_carried_into_rest_is_not_an_onset():
    frames = close_eyes(quiet_face(), 7.0, 3.0, 0.6, 0.0, ramp_s=0.2)
    frames.loc[frames.time_s.between(6.5, 8.0), "head_speed_deg_s"] = 90.0  # turning, not rest
    assert detect_bursts(frames)[1] == []


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
    frames = pull_mouth(frames, "left", 8.0, 1.0, amount=0.06)
    (event,) = detect_bursts(frames)[1]
    assert event.regions == ("eye", "mouth")
    assert 0 < event.confidence <= 1


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_faint_eye_twitch_with_its_mouth_corner_is_a_burst_though_neither_is_alone(side):
    """The eye narrowing 5.5% (about 2.7 z, under threshold_z) and the corner pulled
    0.025 (about 4 z, under lower_face_z): each alone is noise, together a spasm of the
    eye and the mouth. The mouth's distance to the eye alone does not count with a
    faint eye (a closing eye's own canthus moves it)."""
    rng = np.random.default_rng(3)
    depths = (0.055, 0.0) if side == "left" else (0.0, 0.055)

    def faint_face():
        frames = quiet_face()
        for s in ("left", "right"):  # a steady eye, so that its z is about 2.7 throughout
            frames[f"eye_aperture_{s}"] = 0.30 + rng.normal(0, 0.0005, len(frames))
        return frames

    eye_only = close_eyes(faint_face(), 8.0, 1.0, *depths)
    corner_only = pull_mouth(faint_face(), side, 8.0, 1.0, amount=0.025)
    both = pull_mouth(close_eyes(faint_face(), 8.0, 1.0, *depths), side, 8.0, 1.0, amount=0.025)
    distance_only = close_eyes(faint_face(), 8.0, 1.0, *depths)
    distance_only.loc[distance_only.time_s.between(8.2, 8.8), f"mouth_eye_distance_{side}"] -= 0.03
    assert detect_bursts(eye_only)[1] == []
    assert detect_bursts(corner_only)[1] == []
    assert detect_bursts(distance_only)[1] == []
    (event,) = detect_bursts(both)[1]
    assert event.side == side
    assert event.regions == ("eye", "mouth")
    assert event.confidence > 0.5


def test_nothing_is_judged_outside_rest():
    frames = close_eyes(quiet_face(), 8.0, 1.0, 0.7, 0.0)
    frames.loc[frames.time_s.between(7.0, 10.0), "head_speed_deg_s"] = 90.0  # head turning
    assert detect_bursts(frames)[1] == []


def test_frames_fed_one_by_one_give_the_offline_events():
    frames = close_eyes(quiet_face(), 8.0, 1.0, 0.7, 0.0)
    frames = close_eyes(frames, 14.0, 0.4, 0.0, 0.8)
    _, offline, _ = detect_bursts(frames)
    detector = BurstDetector()
    live = []
    for row in signal_rows(frames):
        live += detector.update(row, True)
    live += detector.finish()
    assert [(e.side, e.start_s) for e in live] == [(e.side, e.start_s) for e in offline]
    assert sides(offline) == ["left", "right"]


def test_bad_parameters_are_refused_with_their_name():
    from hfs_detect import HFSDetectError

    with pytest.raises(HFSDetectError, match="threshold_z"):
        DetectorParams(threshold_z=-1)
    with pytest.raises(HFSDetectError, match="coupling_share"):
        DetectorParams(coupling_share=2)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("blink_offset_s", [0.0, 0.15, 0.3])
def test_a_twitch_during_a_blink_is_still_found_by_the_mouth_corner(side, blink_offset_s):
    depths = (0.6, 0.0) if side == "left" else (0.0, 0.6)
    frames = close_eyes(quiet_face(), 8.0, 0.6, *depths)  # the twitch
    frames = close_eyes(frames, 8.0 + blink_offset_s, 0.25, 0.9, 0.9)  # a blink inside it
    frames = pull_mouth(frames, side, 8.0, 0.6)
    assert sides(detect_bursts(frames)[1]) == [side]


def test_confidence_runs_from_a_faint_lower_face_burst_to_a_forceful_closure():
    from hfs_detect.detector import burst_confidence

    faint = burst_confidence(3.6, eye=False, threshold_z=3.5)
    forceful = burst_confidence(40.0, eye=True, threshold_z=3.5)
    assert 0.0 < faint < 0.5 < forceful < 1.0
    assert forceful > 0.99


def test_bursts_of_one_side_less_than_join_gap_apart_are_one_clonic_burst():
    """A clonic train whose middle twitch is too faint: two bursts 0.8 s apart on the
    left are one; a right burst as close is not joined to them."""
    frames = close_eyes(quiet_face(30.0), 8.0, 0.4, 0.6, 0.05)
    frames = close_eyes(frames, 9.2, 0.4, 0.6, 0.05)  # 0.8 s after the first ends
    (event,) = detect_bursts(frames)[1]
    assert (event.side, event.kind) == ("left", "clonic")
    assert event.start_s < 8.3 and event.end_s > 9.3 and event.n_twitches >= 2
    frames = close_eyes(close_eyes(quiet_face(30.0), 8.0, 0.4, 0.6, 0.05), 9.2, 0.4, 0.05, 0.6)
    assert sides(detect_bursts(frames)[1]) == ["left", "right"]


@pytest.mark.parametrize("brow_shift, named", [(-0.03, False), (0.03, True)])
def test_the_brow_is_named_when_it_rises_not_when_it_follows_the_closing_eye(brow_shift, named):
    """A closing eye pulls its brow down (orbicularis, or MediaPipe's mesh): that is the
    eye. A brow rising on the spasm's side is its own muscle (the other Babinski sign)."""
    frames = close_eyes(quiet_face(), 10.0, 1.0, 0.6, 0.0)
    level = pulse(frames.time_s.to_numpy(), 10.0, 1.0)
    frames["brow_height_left"] += brow_shift * level
    _, events, _ = detect_bursts(frames)
    assert sides(events) == ["left"]
    assert ("brow" in events[0].regions) == named
    assert events[0].brow_raised == named


def test_an_uneven_face_whose_lids_flutter_gives_no_burst_in_its_first_seconds():
    """A face resting with its left eye 10% narrower, whose lid flutters a little (12%
    closures of 0.15 s) before this person's rest has been seen: not a spasm. Early in a
    session the detector asks for more evidence (``early_z_factor``)."""
    rng = np.random.default_rng(1)
    frames = quiet_face(20.0, seed=1)
    t = frames.time_s.to_numpy()
    for side in ("left", "right"):
        frames[f"eye_aperture_{side}"] *= np.exp(rng.normal(0, 0.01, len(t)))
    frames["eye_aperture_left"] *= 0.9
    for start_s in (0.8, 1.6, 2.4):
        frames["eye_aperture_left"] *= 1 - 0.12 * pulse(t, start_s, 0.15)
    assert detect_bursts(frames)[1] == []
    spasm = close_eyes(frames, 0.4, 0.6, 0.45, 0.0)  # a real one in the first second
    assert sides(detect_bursts(spasm)[1]) == ["left"]


def test_a_brow_raised_alone_is_not_a_burst_whatever_the_mesh_does_below_it():
    """The brow rising on one side (the frontalis) lifts the eye's landmarks, and the
    mouth-to-eye distance with them: no burst names the brow alone."""
    frames = quiet_face(20.0)
    level = pulse(frames.time_s.to_numpy(), 10.0, 0.5)
    frames["brow_height_left"] += 0.04 * level
    frames["mouth_eye_distance_left"] -= 0.08 * level
    frames["mouth_corner_height_left"] += 0.01 * level  # too little to name the mouth
    assert detect_bursts(frames)[1] == []
    spasm = close_eyes(frames, 10.0, 0.5, 0.6, 0.0)  # with the eye, the brow is named
    (event,) = detect_bursts(spasm)[1]
    assert event.side == "left" and "eye" in event.regions and "brow" in event.regions


@pytest.mark.parametrize("held", [0.5, 0.8])
def test_an_eye_held_shut_while_the_other_blinks_is_one_tonic_burst_as_long_as_the_hold(held):
    """A 7.5 s left hold, the other eye blinking three times alone: one tonic burst of
    7.5 s, and nothing on the right when the left eye reopens."""
    frames = close_eyes(quiet_face(30.0), 8.0, 7.5, held, 0.1, ramp_s=0.15)
    for blink_s in (9.5, 11.8, 13.6):
        frames = close_eyes(frames, blink_s, 0.25, 0.0, 0.95)
    (event,) = detect_bursts(frames)[1]
    assert (event.side, event.kind) == ("left", "tonic")
    assert event.end_s - event.start_s == pytest.approx(7.5, rel=0.2)


def test_an_eye_held_shut_for_15_seconds_is_a_tonic_burst_not_a_lasting_change():
    frames = close_eyes(quiet_face(40.0), 8.0, 15.0, 0.7, 0.1, ramp_s=0.15)
    assert_one_tonic_hold(frames, "left", 15.0)


def test_a_forceful_15_second_hold_whose_lid_reads_little_closed_is_one_tonic_burst():
    """A 15 s right hold in which the mesh reads the lid only 0.3 closed while the mouth
    corner is pulled hard: it set in forcefully, so it is a tonic spasm, not a lasting
    change re-learned after 12 s (which left the hold unreported)."""
    frames = close_eyes(quiet_face(40.0), 8.0, 15.0, 0.0, 0.3, ramp_s=0.15)
    frames = pull_mouth(frames, "right", 8.0, 15.0, amount=0.08, ramp_s=0.15)
    assert_one_tonic_hold(frames, "right", 15.0)


def test_lone_lid_flickers_are_not_bursts_but_a_train_of_them_is():
    """A face whose lids flicker at their own times (the right one 10% closed for 0.12 s,
    every 2-3 s, about 5 z, as a narrower eye's flutter reads): no burst. The same flickers 0.3 s
    apart, a clonic train, are one right burst; so is one forceful flicker."""
    frames = quiet_face(30.0, seed=2)
    t = frames.time_s.to_numpy()
    fluttering = frames.copy()
    for start_s in (6.0, 8.7, 11.1, 13.9, 16.2, 19.0, 21.4, 24.3):
        fluttering["eye_aperture_right"] *= 1 - 0.10 * pulse(t, start_s, 0.12)
    for start_s in (7.2, 10.0, 15.1, 20.3, 25.0):
        fluttering["eye_aperture_left"] *= 1 - 0.04 * pulse(t, start_s, 0.12)
    assert detect_bursts(fluttering)[1] == []
    train = frames.copy()
    for start_s in (10.0, 10.3, 10.6, 10.9):
        train["eye_aperture_right"] *= 1 - 0.10 * pulse(t, start_s, 0.12)
    (event,) = detect_bursts(train)[1]
    assert (event.side, event.kind) == ("right", "clonic")
    forceful = close_eyes(frames.copy(), 10.0, 0.15, 0.0, 0.6)
    assert sides(detect_bursts(forceful)[1]) == ["right"]


def test_a_face_that_blinks_every_second_keeps_its_long_holds():
    """A person who blinks every second shows little rest between blinks; a 14 s right
    hold 9 s into the session is still one tonic burst (the rest seen counts the
    blinks: counting only the frames between them left the hold at 12 s, re-learned)."""
    frames = quiet_face(40.0, seed=3)
    for blink_s in np.arange(0.5, 40.0, 1.0):
        frames = close_eyes(frames, blink_s, 0.35, 0.9, 0.9)
    frames = close_eyes(frames, 9.0, 14.0, 0.1, 0.75, ramp_s=0.15)
    assert_one_tonic_hold(frames, "right", 14.0)


def test_twitches_of_a_face_that_blinks_slowly_every_second_are_separate_bursts():
    """Blinks every second whose lids take 0.3 s to reopen: each blink's tail closes both
    eyes 0.2-0.4 alike. Three right twitches 4 s apart are three bursts; the tails are
    not the first twitch's eye held shut (which kept it open until it was re-learned)."""
    frames = quiet_face(30.0, seed=4)
    for blink_s in np.arange(0.5, 30.0, 1.0):
        frames = close_eyes(frames, blink_s, 0.6, 0.9, 0.9, ramp_s=0.3)
    for start_s in (10.0, 14.0, 18.0):
        frames = close_eyes(frames, start_s, 0.4, 0.0, 0.4)
        frames = pull_mouth(frames, "right", start_s, 0.4, amount=0.06)
    _, events, asymmetries = detect_bursts(frames)
    assert asymmetries == []
    assert sides(events) == ["right"] * 3


def test_a_faint_squint_that_wavers_slowly_about_the_threshold_is_not_a_clonic_train():
    """A right squint held 9 s, about 5 z, dipping to 3 z and back once a second: it
    crosses the threshold 10 times, but slower than a clonic train twitches (2-8 Hz),
    so it is a held faint contraction, not a burst."""
    frames = quiet_face(30.0, seed=5)
    t = frames.time_s.to_numpy()
    wave = np.where(np.sin(2 * np.pi * 0.85 * (t - 8.0)) > -0.6, 0.10, 0.055)
    frames["eye_aperture_right"] *= 1 - pulse(t, 8.0, 9.0, ramp_s=0.3) * wave
    assert detect_bursts(frames)[1] == []


def test_a_squint_that_lifts_the_cheek_held_15_seconds_is_not_a_burst():
    """A left squint held 15 s, the eye 0.3 closed, the lower lid and the cheek lifted:
    not a forceful onset (the eye shut, or the mouth corner pulled), so it is a lasting
    change re-learned at 12 s, not a 15 s tonic burst."""
    frames = close_eyes(quiet_face(40.0), 8.0, 15.0, 0.3, 0.0, ramp_s=0.4)
    t = frames.time_s.to_numpy()
    frames["lower_lid_height_left"] += 0.01 * pulse(t, 8.0, 15.0, 0.4)
    frames["cheek_height_left"] += 0.03 * pulse(t, 8.0, 15.0, 0.4)
    assert detect_bursts(frames)[1] == []
