"""The report's traces: each side's contraction against its own rest."""

import numpy as np
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
