"""The report's traces: each side's contraction against its own rest."""

import numpy as np
import pandas as pd
import pytest

from hfs_detect.report import region_traces
from tests.unit.test_detector import close_eyes, quiet_face


def test_traces_are_zero_at_rest_and_show_the_closing_eye():
    frames = close_eyes(quiet_face(), 8.0, 1.0, 0.6, 0.0)
    frames["rest"] = True
    traces = region_traces(frames)
    at_rest = frames.time_s.to_numpy() < 7.0
    for region in ("eye", "cheek", "mouth"):
        for side in ("left", "right"):
            assert np.median(traces[region][side][at_rest]) == pytest.approx(0.0, abs=0.02)
    held = (frames.time_s > 8.3).to_numpy() & (frames.time_s < 8.7).to_numpy()
    assert traces["eye"]["left"][held].mean() == pytest.approx(0.6, abs=0.05)
    assert abs(traces["eye"]["right"][held].mean()) < 0.05


def test_a_comparison_says_when_its_sessions_are_not_comparable():
    from hfs_detect.review.compare import comparison_warnings

    def figures(folder, verdict, threshold_z):
        method = {"landmark_engine": "mediapipe", "detector.threshold_z": threshold_z}
        return {"folder": folder, "verdict": verdict, "method": method}

    same = comparison_warnings(figures("a", "none", 3.5), figures("b", "none", 3.5))
    assert same == []
    warned = comparison_warnings(figures("a", "none", 5.0), figures("b", "insufficient_data", 3.5))
    assert any("after session (b) has too little rest or face" in w for w in warned)
    assert any("detector.threshold_z 5.0 vs 3.5" in w for w in warned)
    moved = {**figures("b", "unilateral_bursts", 3.5), "dominant_side": "right"}
    (warning,) = comparison_warnings(figures("a", "none", 3.5), moved, graded_side="left")
    assert "pattern of bursts on the right, but the left side is graded" in warning


def test_the_rest_rate_plot_counts_bursts_at_rest_only():
    from hfs_detect.report import rest_rates_per_minute

    time_s = np.arange(0, 60, 1 / 30)
    rest = ~((time_s >= 20) & (time_s < 35))  # a provocation step and its 5 s after
    frames = pd.DataFrame({"time_s": time_s, "rest": rest})
    events = pd.DataFrame({
        "start_s": [5.0, 22.0, 26.0], "side": ["left"] * 3,
        "provoked": [False, True, True],
    })  # fmt: skip
    rates = rest_rates_per_minute(frames, events, 1)
    assert rates["left"] == [pytest.approx(1 / 0.75)]  # 1 burst in 45 s of rest
    assert rates["right"] == [0.0]
