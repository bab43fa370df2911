"""Blinks per eye: what a researcher reads in blinks.csv for closures of known shape."""

import numpy as np
import pytest

from hfs_detect.blinks import BlinkTracker, blinks_to_frame, outside_bursts
from hfs_detect.events import Event

FPS = 30.0


def closure_pulse(t, start_s, close_s, hold_s, open_s, depth):
    """One eye's closure: a linear close, a hold, a linear reopening."""
    rise = np.clip((t - start_s) / close_s, 0, 1)
    fall = np.clip((t - start_s - close_s - hold_s) / open_s, 0, 1)
    return depth * (rise - fall)


def track(left, right, t, rest=True):
    tracker = BlinkTracker(blink_closure=0.3)
    blinks = []
    for time_s, a, b in zip(t, left, right, strict=True):
        blinks += tracker.update(float(time_s), np.array([a, b]), rest)
    return blinks + tracker.finish()


def test_a_lid_reopening_late_is_measured_to_within_a_frame():
    t = np.arange(0, 3, 1 / FPS)
    left = closure_pulse(t, 1.0, 0.08, 0.05, 0.1, 0.85)
    right = closure_pulse(t, 1.0, 0.08, 0.05 + 0.12, 0.1, 0.85)  # reopens 0.12 s later
    (blink,) = track(left, right, t)
    assert blink.kind == "blink"
    assert blink.reopen_lag_s == pytest.approx(0.12, abs=1 / FPS)
    assert blink.lag_s == pytest.approx(0.0, abs=1 / FPS)
    assert blink.reopen_s_right > blink.reopen_s_left
    assert blink.depth_left == pytest.approx(0.85, abs=0.01)


def test_uneven_depths_name_the_incomplete_eye():
    t = np.arange(0, 3, 1 / FPS)
    left = closure_pulse(t, 1.0, 0.07, 0.07, 0.1, 0.9)
    right = closure_pulse(t, 1.0, 0.07, 0.07, 0.1, 0.45)
    (blink,) = track(left, right, t)
    assert blink.depth_left == pytest.approx(0.9, abs=0.01)
    assert blink.depth_right == pytest.approx(0.45, abs=0.01)
    assert blink.complete_left and not blink.complete_right
    assert blink.kind == "blink"


def test_a_closure_held_a_second_is_prolonged_and_a_shallow_one_partial():
    t = np.arange(0, 5, 1 / FPS)
    held = closure_pulse(t, 1.0, 0.1, 1.0, 0.1, 0.9)
    shallow = closure_pulse(t, 3.5, 0.07, 0.07, 0.1, 0.42)
    left = right = held + shallow
    held_blink, shallow_blink = track(left, right, t)
    assert held_blink.kind == "prolonged"
    assert held_blink.duration_s == pytest.approx(1.1, abs=2 / FPS)
    assert shallow_blink.kind == "partial"


def test_one_eye_closing_alone_or_a_one_frame_crossing_is_no_blink():
    t = np.arange(0, 3, 1 / FPS)
    one_eye = closure_pulse(t, 1.0, 0.07, 0.2, 0.1, 0.9)
    assert track(one_eye, 0.1 * one_eye, t) == []
    crossing = np.where(np.isclose(t, 2.0, atol=0.5 / FPS), 0.5, 0.0)
    assert track(crossing, crossing, t) == []


def test_a_closure_overlapping_a_burst_is_the_bursts():
    t = np.arange(0, 4, 1 / FPS)
    left = closure_pulse(t, 1.0, 0.07, 0.07, 0.1, 0.9) + closure_pulse(t, 3.0, 0.07, 0.07, 0.1, 0.9)
    blinks = track(left, left, t)
    assert len(blinks) == 2
    burst = Event(0.9, 1.5, "left", ("eye",), "tonic")
    (kept,) = outside_bursts(blinks, [burst])
    assert kept.start_s > 2.5
    table = blinks_to_frame(blinks)
    assert list(table.columns[:4]) == ["start_s", "end_s", "duration_s", "kind"]
    assert len(table) == 2 and table["at_rest"].all()


def test_a_closure_is_at_rest_when_it_set_in_from_rest():
    t = np.arange(0, 3, 1 / FPS)
    eyes = closure_pulse(t, 1.0, 0.1, 0.8, 0.1, 0.9)
    tracker = BlinkTracker(blink_closure=0.3)
    blinks = []
    for time_s, a in zip(t, eyes, strict=True):
        closing = a > 0.3  # a forceful closure looks like an expression: not rest itself
        blinks += tracker.update(float(time_s), np.array([a, a]), rest=not closing)
    (held,) = blinks + tracker.finish()
    assert held.kind == "prolonged" and held.at_rest
    (talking,) = track(eyes, eyes, t, rest=False)  # set in while talking
    assert not talking.at_rest


def test_a_held_closure_with_a_brief_dip_stays_one_prolonged_closure():
    t = np.arange(0, 3, 1 / FPS)
    eyes = np.where((t >= 0.5) & (t < 1.8), 0.9, 0.0)
    eyes[(t >= 0.7) & (t < 0.72)] = 0.4  # one frame half open, still past 0.3
    (held,) = track(eyes, eyes, t)
    assert held.kind == "prolonged" and held.duration_s == pytest.approx(1.3, abs=2 / FPS)


def test_a_blink_soon_after_another_is_timed_from_its_own_frames():
    t = np.arange(0, 2, 1 / FPS)
    first = closure_pulse(t, 0.2, 0.07, 0.03, 0.07, 0.9)
    second = closure_pulse(t, 0.45, 0.07, 0.03, 0.07, 0.45)  # shallow, right after
    one, two = track(first + second, first + second, t)
    assert two.depth_left == pytest.approx(0.45, abs=0.02) and two.kind == "partial"
    assert two.start_s > one.end_s


def test_frames_without_a_face_beside_a_closure_give_finite_times():
    t = np.arange(0, 3, 1 / FPS)
    eyes = closure_pulse(t, 1.0, 0.07, 0.1, 0.07, 0.9)
    eyes[np.flatnonzero(eyes >= 0.45)[0] - 1] = np.nan  # no face as the lids went down
    (blink,) = track(eyes, eyes, t)
    assert np.isfinite([blink.start_s, blink.end_s, blink.duration_s]).all()


def test_a_closure_still_open_when_the_recording_ends_is_not_reported():
    t = np.arange(0, 3, 1 / FPS)
    eyes = np.where(t >= 2.0, 0.9, 0.0)
    assert track(eyes, eyes, t) == []
