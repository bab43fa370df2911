"""Bursts on the shipped synthetic samples, quiet on real videos without spasm."""

import json

import numpy as np
import pandas as pd
import pytest

from hfs_detect.session.runner import SessionRunner
from tests.conftest import REAL_VIDEOS, SAMPLES, data_path


def matches(event, truth, slack_s=0.3):
    return (
        event.side == truth.side
        and event.start_s < truth.end_s + slack_s
        and (event.end_s > truth.start_s - slack_s)
    )


@pytest.mark.parametrize(
    "stem, side", [("synthetic_hfs_left", "left"), ("synthetic_hfs_right", "right")]
)
def test_the_samples_give_bursts_on_the_spasm_side_and_the_verdict(analyzed, stem, side):
    analysis = analyzed(SAMPLES / f"{stem}.mp4")
    truth = pd.read_csv(SAMPLES / f"{stem}.events.csv")
    events = analysis.events
    assert len(events) >= 3
    assert set(events.side) == {side}  # never the other side
    found = [any(matches(e, t) for e in events.itertuples()) for t in truth.itertuples()]
    assert sum(found) >= 3
    onsets = [
        min(abs(e.start_s - t.start_s) for e in events.itertuples() if matches(e, t))
        for t, hit in zip(truth.itertuples(), found, strict=True)
        if hit
    ]
    assert np.median(onsets) <= 0.3
    summary = analysis.summary
    assert summary["verdict"] == "unilateral_bursts"
    assert summary["dominant_side"] == side
    assert summary["rest_s"] > 15
    assert "not a diagnosis" in summary["methods"]


D3 = "liveportrait_d3_onesided_closures.mp4"
"""Real one-sided eye closures (annotated in gt/); every other real video holds no spasm."""


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL_VIDEOS)
def test_real_videos_without_spasm_are_never_called_unilateral(analyzed, name):
    summary = analyzed(data_path(name)).summary
    assert summary["verdict"] != "unilateral_bursts"


@pytest.mark.slow
def test_the_real_one_sided_closures_are_found_on_their_side(analyzed):
    truth = pd.read_csv(data_path("gt/liveportrait_d3_onesided_events.csv"), comment="#")
    events = analyzed(data_path(D3)).events
    for closure in truth[truth.kind == "unilateral"].itertuples():
        assert any(matches(e, closure) for e in events.itertuples()), (closure, events)
    assert set(events.side) <= {"left", "right"}
    for closure in truth[truth.kind == "bilateral"].itertuples():
        inside = events[(events.start_s >= closure.start_s) & (events.end_s <= closure.end_s)]
        assert inside.empty, (closure, inside)


@pytest.mark.slow
def test_real_videos_false_burst_rate_does_not_grow(analyzed):
    """False bursts per rest-minute over every real video but d3, against today's level.

    The goal of issue 10 is 0.2 and it is not met: the measured rate is 0.54 (2 bursts
    in 221.5 s of rest, ``benchmarks/accuracy/eval_real.py`` on 2026-12-03: liveportrait_d19's two
    voluntary one-sided smirks, eye narrowed 30%, measure like spasms). This bound
    catches a change that makes it worse.
    """
    n_events = rest_s = 0.0
    lines = []
    for name in REAL_VIDEOS:
        if name == D3:
            continue  # its one-sided closures are true bursts
        s = analyzed(data_path(name)).summary
        n_events += s["n_events"]
        rest_s += s["rest_s"]
        lines.append(f"{name}: {s['n_events']} bursts in {s['rest_s']:.1f} s rest")
    print("\n".join(lines))
    assert rest_s > 194.0, "\n".join(lines)  # rest judged: not below the earlier detector's
    assert n_events / (rest_s / 60) <= 0.6, "\n".join(lines)


def test_frame_by_frame_gives_the_same_events_as_analyze(analyzed):
    analysis = analyzed(SAMPLES / "synthetic_hfs_right.mp4")
    track = analysis.track
    runner = SessionRunner(
        width=track.meta["width"],
        height=track.meta["height"],
        blendshape_names=track.meta["blendshape_names"],
    )
    rows = [runner.process_face_frame(track.face_frame(i))[0] for i in range(len(track))]
    runner.close()
    live = runner.events
    offline = analysis.events
    assert [e.side for e in live] == list(offline.side)
    np.testing.assert_allclose([e.start_s for e in live], offline.start_s, atol=1e-6)
    assert [r.rest for r in rows] == list(analysis.frames.rest)


def test_summary_json_holds_the_detector_keys(analyzed, tmp_path):
    from hfs_detect import analyze_video

    analyze_video(SAMPLES / "synthetic_hfs_left.mp4", tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["n_events"] == len(pd.read_csv(tmp_path / "events.csv"))
    assert summary["events_per_rest_min"] == pytest.approx(
        summary["n_events"] / (summary["rest_s"] / 60), rel=1e-3
    )
    assert 0 < summary["spasm_fraction"] < 1
    assert summary["parameters"]["detector"]["threshold_z"] > 0
    frames = pd.read_csv(tmp_path / "frames.csv")
    assert {"rest", "burst"} <= set(frames.columns)
    assert set(frames.burst.dropna()) <= {"left"}
