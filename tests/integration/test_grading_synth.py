"""Grading proxies recovered from synthetic sessions with known answers (rendered on a
real face, analysed by MediaPipe), and provoked spasms reported for their steps."""

from __future__ import annotations

import json

import pytest

from hfs_detect import analyze_video
from tests.conftest import data_path


@pytest.fixture(scope="module")
def face():
    """A still of a real face (liveportrait d9) with its own closed lids as donors."""
    from hfs_detect.synth.render import prepare_video_face, still_from_video

    return still_from_video(prepare_video_face(data_path("liveportrait_d9_blinks.mp4")), 5)


@pytest.fixture(scope="module")
def left_response(face):
    """How MediaPipe measures the face's left eye narrowed (measured once: six clips)."""
    from hfs_detect.synth.grading import narrowing_response

    return narrowing_response(face, "left")


@pytest.mark.parametrize(("grade", "seed"), [("III", 22), ("IV", 23)])
def test_a_graded_session_is_graded_as_made(face, left_response, grade, seed, tmp_path):
    """A grade III session (the eye held closed) and a grade IV one (a tonic narrowing):
    frequency within 10%, the SMC grade exact, the tonic level within 0.05, the clonic
    rate within 35%. (Grades I and II, from the bursts' regions alone, are unit-tested;
    ``benchmarks/accuracy/eval_grading.py`` runs every grade on six faces.)"""
    from hfs_detect.synth.grading import synthesize_graded

    side = "left"
    video = tmp_path / f"grade_{grade}.mp4"
    plan = synthesize_graded(video, face, grade=grade, side=side, duration_s=40.0, seed=seed,
                             response=left_response)  # fmt: skip
    truth = json.loads(video.with_suffix(".plan.json").read_text())["grading"]
    assert truth == plan.grading and truth["smc_grade"] == grade
    found = analyze_video(video, tmp_path / "out").summary["grading"]
    assert found["affected_side"] == side
    assert found["smc_grade"] == grade
    assert found["bursts_per_rest_hour"] == pytest.approx(truth["bursts_per_rest_hour"], rel=0.1)
    assert found["tonic_median"] == pytest.approx(truth["tonic_median"], abs=0.05)
    assert found["clonic_twitches_per_min"] == pytest.approx(
        truth["clonic_twitches_per_min"], rel=0.35
    )
    assert found["jankovic_frequency"] == truth["jankovic_frequency"]


def test_provoked_spasms_are_reported_for_their_steps(face, tmp_path):
    from hfs_detect.synth.grading import plan_provoked
    from hfs_detect.synth.render import render_session

    video = tmp_path / "provoked.mp4"
    plan = plan_provoked(side="right", fps=face.fps, seed=4)
    render_session(face, plan, video)
    steps = [step.step() for step in plan.provocations]
    analysis = analyze_video(video, tmp_path / "out", steps=steps)
    events = analysis.events
    assert list(events.side) == ["right"] * len(plan.spasms)
    assert list(events.provoked) == [s.provoked for s in plan.spasms]
    by_step = {s["step"]: s for s in analysis.summary["steps"]}
    for kind in ("smile", "closure", "pursing"):
        assert (by_step[kind]["n_events"], by_step[kind]["events_right"]) == (1, 1)
    assert analysis.summary["n_events"] == 2  # at rest
    assert analysis.summary["n_provoked_events"] == 3
