"""Graded and provoked session plans, and their known answers (no rendering here)."""

import numpy as np
import pytest

from hfs_detect import HFSDetectError
from hfs_detect.synth.grading import (
    calibrate_tonic,
    expected_grading_measures,
    grading_truth,
    plan_graded,
    plan_provoked,
)

# how MediaPipe might see an eye narrowed by each amount: a warp barely, a real lid fully
RESPONSE = (np.linspace(0.0, 1.0, 6), np.array([0.02, 0.06, 0.10, 0.35, 0.60, 0.70]))


@pytest.mark.parametrize("grade", ["I", "II", "III", "IV"])
def test_a_graded_plan_has_the_grade_it_was_made_for(grade):
    amount = calibrate_tonic(RESPONSE, 0.35) if grade == "IV" else 0.0
    plan = plan_graded(grade, side="right", seed=3, tonic_amount=amount, clonic_rate_per_min=20)
    truth = grading_truth(plan, expected_grading_measures(plan, "right", RESPONSE))
    assert truth["smc_grade"] == grade and truth["affected_side"] == "right"
    assert truth["bursts_per_rest_hour"] == pytest.approx(8 / (60 / 3600))
    assert truth["clonic_twitches_per_min"] == pytest.approx(20.0, abs=1.0)
    starts = sorted(s.start_s for s in plan.spasms)
    ends = sorted(s.end_s for s in plan.spasms)
    assert all(b > a for a, b in zip(ends, starts[1:], strict=False))  # apart
    if grade == "IV":
        assert truth["tonic_median"] == pytest.approx(0.35, abs=0.03)


def test_calibration_inverts_the_response_and_refuses_what_the_face_cannot_show():
    assert calibrate_tonic(RESPONSE, 0.01) == 0.0  # the face's own is already there
    amount = calibrate_tonic(RESPONSE, 0.475)
    assert np.interp(amount, *RESPONSE) == pytest.approx(0.475)
    with pytest.raises(HFSDetectError, match="cannot be narrowed"):
        calibrate_tonic(RESPONSE, 0.9)


def test_a_provoked_plan_has_a_spasm_just_after_each_step_and_spasms_at_rest():
    plan = plan_provoked(side="left", seed=1)
    assert [p.kind for p in plan.provocations] == ["smile", "closure", "pursing"]
    provoked = [s for s in plan.spasms if s.provoked]
    assert len(provoked) == 3 and len(plan.spasms) == 5
    for step, spasm in zip(plan.provocations, provoked, strict=True):
        assert step.end_s < spasm.start_s <= step.end_s + 3.0
