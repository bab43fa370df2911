"""Two visits compared: rates change by the rate, fractions in points, and settings that
differ are named."""

import pytest

from hfs_detect.review.compare import compare_sessions, comparison_warnings
from hfs_detect.session import write_outputs
from tests.unit.session.test_outputs import small_analysis


def _visit(folder, rest_s: float, n_events: int, threshold_z: float = 4.0):
    analysis = small_analysis()
    stats = analysis.summary.statistics
    stats.rest_s, stats.n_events = rest_s, n_events
    stats.events_per_rest_min = round(n_events / (rest_s / 60), 3)
    stats.spasm_fraction = 0.1 * n_events
    summary = analysis.summary
    summary.settings = summary.settings.replace(detector={"threshold_z": threshold_z})
    write_outputs(analysis, folder)
    return folder


def test_a_rate_changes_in_percent_and_a_fraction_in_points(tmp_path):
    before = _visit(tmp_path / "before", rest_s=60.0, n_events=4)
    after = _visit(tmp_path / "after", rest_s=60.0, n_events=1)
    result = compare_sessions(before, after)
    rate = result["changes"]["events_per_rest_min"]
    assert (rate["before"], rate["after"], rate["change_pct"]) == (4.0, 1.0, -75.0)
    fraction = result["changes"]["spasm_fraction"]
    assert fraction["change"] == pytest.approx(-0.3) and fraction["change_pct"] is None
    assert result["warnings"] == []


def test_visits_analysed_with_other_settings_are_named(tmp_path):
    before = _visit(tmp_path / "before", rest_s=60.0, n_events=4)
    after = _visit(tmp_path / "after", rest_s=60.0, n_events=1, threshold_z=6.0)
    warnings = compare_sessions(before, after)["warnings"]
    assert len(warnings) == 1 and "detector.threshold_z 4.0 vs 6.0" in warnings[0]


def test_a_pattern_on_the_side_not_graded_is_warned_about():
    figures = {"folder": "after", "verdict": "unilateral_bursts", "dominant_side": "right"}
    warnings = comparison_warnings({**figures, "folder": "before", "dominant_side": "left"},
                                   figures, graded_side="left")  # fmt: skip
    assert any("bursts on the right, but the left side is graded" in w for w in warnings)
