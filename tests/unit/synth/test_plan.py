"""Session plans of the synthetic generator: seeded, with the patterns they name."""

import numpy as np
import pytest

from hfs_detect.synth.patterns import plan_pattern
from hfs_detect.synth.plan import SynthPlan, activation, plan_session

FPS = 30.0


def test_activation_spreads_from_the_eye_to_the_mouth():
    spasm = plan_pattern("spread", side="left", seed=1).spasms[0]
    plan = SynthPlan(30.0, FPS, [spasm])  # the spasm alone, no blinks
    t = np.arange(0, plan.duration_s, 1 / FPS)
    act = activation(plan, t)
    first = {region: t[np.argmax(act["left"][region] > 0.05)] for region in ("cheek", "mouth")}
    eye_first = t[np.argmax(act["eye"]["left"] > 0.05)]
    assert eye_first < first["cheek"] < first["mouth"]
    assert first["mouth"] - eye_first == pytest.approx(2 * spasm.spread_s, abs=0.05)


def test_the_first_sets_plans_are_unchanged():
    """The first synthetic sets (and the shipped samples) come from plan_session."""
    plan = plan_session(20.0, side="left", n_spasms=4, n_blinks=5, seed=3)
    assert [round(s.start_s, 4) for s in plan.spasms] == [5.9421, 7.3415, 9.7644, 13.1162]


def test_a_truth_file_names_its_own_columns_and_evaluate_reads_it(tmp_path):
    import pandas as pd

    from hfs_detect.review.evaluate import evaluate_paths
    from hfs_detect.synth.plan import write_truth

    plan = plan_session(30.0, side="right", seed=2)
    truth = write_truth(plan, tmp_path / "s.events.csv")
    table = pd.read_csv(truth)
    assert list(table.columns)[-1] == "peak_closure"
    assert "confidence" not in table and "peak" not in table
    assert table.peak_closure.between(0, 1).all()
    assert evaluate_paths(truth, truth)["overall"]["f1"] == 1.0
