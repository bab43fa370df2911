"""Grading proxies from known frames tables and bursts: each item and each grade."""

import numpy as np
import pandas as pd
import pytest

from hfs_detect.events import Event
from hfs_detect.session.grading import (
    TONIC_NOISE_FLOOR,
    GradingParams,
    grade_session,
    held_closed,
    savgol_smooth,
    tonic_component,
)

FPS = 30.0
OPEN = 0.30


def frames(duration_s=120.0, left=OPEN, right=OPEN):
    """A frames table at rest: the face in every frame, eyes open at ``left``/``right``."""
    n = int(duration_s * FPS)
    return pd.DataFrame(
        {
            "time_s": np.arange(n) / FPS,
            "face": np.ones(n, bool),
            "eye_aperture_left": np.full(n, float(left)),
            "eye_aperture_right": np.full(n, float(right)),
        }
    )


def burst(start_s, side="left", regions=("eye",), kind="clonic", twitches=2, length_s=0.4):
    return Event(start_s, start_s + length_s, side, regions, kind, twitches, 9.0, 0.9)


def grade(table, events, verdict="unilateral_bursts", **kwargs):
    return grade_session(table, np.ones(len(table), bool), events, verdict, **kwargs)


def test_frequency_counts_bursts_on_the_affected_side_per_rest_hour():
    events = [burst(5.0 + 10 * k) for k in range(10)] + [burst(101.0, "right")]
    g = grade(frames(), events)
    assert g["affected_side"] == "left"
    assert g["bursts_per_rest_hour"] == pytest.approx(10 / (120 / 3600))  # 300 per hour
    assert g["jankovic_frequency"] == 2  # brief bursts, more than one a rest-minute
    assert g["clonic_twitches_per_min"] == pytest.approx(20 / 2.0)


def test_few_brief_bursts_are_band_1_and_a_long_one_band_3():
    few = [burst(5.0), burst(250.0), burst(500.0)]  # 18 per rest-hour
    assert grade(frames(duration_s=600.0), few)["jankovic_frequency"] == 1
    held = [burst(5.0), burst(50.0, kind="tonic", twitches=1, length_s=1.5), burst(90.0)]
    assert grade(frames(), held)["jankovic_frequency"] == 3


def test_no_pattern_means_band_0_and_no_smc_grade_but_figures_are_kept():
    g = grade(frames(), [burst(5.0), burst(50.0)], verdict="insufficient_data")
    assert (g["jankovic_frequency"], g["smc_grade"], g["graded"]) == (0, None, False)
    assert g["bursts_per_rest_hour"] == pytest.approx(60.0)


def test_smc_grade_i_is_the_eye_only_and_ii_is_spread_beyond_it():
    eye_only = [burst(10.0 * k + 5) for k in range(6)]
    assert grade(frames(), eye_only)["smc_grade"] == "I"
    spread = eye_only[:4] + [burst(70.0, regions=("eye", "cheek")), burst(90.0, regions=("mouth",))]
    g = grade(frames(), spread)
    assert g["beyond_eye_fraction"] == pytest.approx(2 / 6, abs=1e-3)
    assert g["smc_grade"] == "II"


def test_smc_grade_iii_when_the_eye_is_held_closed_over_a_tenth_of_rest():
    table = frames()
    for start_s in (10, 40, 70):  # the left eye shut for 5 s, three times: 15 s of 120
        table.loc[table.time_s.between(start_s, start_s + 5), "eye_aperture_left"] = 0.05
    events = [burst(s, kind="tonic", twitches=1, length_s=5.0) for s in (10, 40, 70)]
    g = grade(table, events)
    assert g["held_closed_fraction"] == pytest.approx(15 / 120, abs=0.01)
    assert g["smc_grade"] == "III"
    assert g["jankovic_frequency"] == 3


def test_a_blink_is_not_the_eye_held_closed():
    table = frames()
    shut = table.time_s.between(10, 12)  # both eyes shut 2 s: eyes closed, not a spasm
    table.loc[shut, ["eye_aperture_left", "eye_aperture_right"]] = 0.05
    assert not held_closed(table.assign(rest=True), "left").any()


def test_tonic_component_recovers_a_sustained_narrowing_and_ignores_blinks():
    table = frames(left=OPEN * (1 - 0.2))  # the left eye 20% narrower throughout
    eyes = ["eye_aperture_left", "eye_aperture_right"]
    for start_s in range(3, 118, 4):  # blinks every 4 s
        table.loc[table.time_s.between(start_s, start_s + 0.2), eyes] = 0.03
    tonic = tonic_component(table, "left")
    assert np.nanmedian(tonic) == pytest.approx(0.2, abs=0.01)
    g = grade(table, [burst(10.0 * k + 5) for k in range(6)])
    assert g["tonic_median"] == pytest.approx(0.2, abs=0.01)
    assert g["smc_grade"] == "I"  # below the persistent-asymmetry level


@pytest.mark.parametrize(("n", "window"), [(600, 91), (91, 91), (50, 49), (7, 5), (1000, 3)])
def test_the_tonic_trend_is_scipys_savitzky_golay_filter(n, window):
    from scipy.signal import savgol_filter

    values = np.random.default_rng(n).normal(size=n).cumsum()
    np.testing.assert_allclose(
        savgol_smooth(values, window, 2), savgol_filter(values, window, 2), atol=1e-9
    )


def test_a_persistent_resting_asymmetry_is_smc_grade_iv():
    g = grade(frames(left=OPEN * 0.6), [burst(10.0 * k + 5) for k in range(6)])
    assert g["tonic_median"] == pytest.approx(0.4, abs=0.01)
    assert g["smc_grade"] == "IV"


def test_a_symmetric_face_is_below_the_noise_floor_and_short_rest_gives_no_tonic():
    rng = np.random.default_rng(0)
    table = frames()
    table["eye_aperture_right"] += rng.normal(0, 0.005, len(table))
    assert abs(grade(table, [])["tonic_median"]) < TONIC_NOISE_FLOOR
    assert grade(frames(duration_s=5.0), [])["tonic_median"] is None


def test_a_given_affected_side_is_graded_even_when_the_bursts_are_on_the_other():
    events = [burst(10.0 * k + 5, "right") for k in range(4)]
    g = grade(frames(), events, affected_side="left")
    assert g["affected_side"] == "left"
    assert (g["bursts_per_rest_hour"], g["jankovic_frequency"], g["smc_grade"]) == (0.0, 0, None)


def test_grading_thresholds_are_checked_where_they_enter():
    from hfs_detect._checks import HFSDetectError

    with pytest.raises(HFSDetectError, match="held_closure"):
        GradingParams(held_closure=-1.0)


def test_a_short_recording_is_said_to_give_extrapolated_rates():
    from hfs_detect.session.grading import grading_sentence

    graded = {"graded": True, "affected_side": "left", "bursts_per_rest_hour": 540.0,
              "jankovic_frequency": 2, "smc_grade": "II"}  # fmt: skip
    assert "extrapolated from 20 s of rest" in grading_sentence(graded, 20.0)
    assert "extrapolated" not in grading_sentence(graded, 600.0)
    assert "extrapolated" not in grading_sentence({**graded, "graded": False}, 20.0)


def test_as_many_bursts_on_each_side_grade_the_narrower_eye_not_the_first_burst():
    events = [burst(5.0, "left"), burst(20.0, "right")]
    g = grade(frames(right=0.8 * OPEN), events, verdict="none")
    assert g["affected_side"] == "right"  # the left burst came first
