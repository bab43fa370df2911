"""Synthetic spasms and distractors drawn on a real moving face, analysed by real MediaPipe.

The face is webcam_rest_mounish.mp4 from ../shared/data, played forward and
backward and warped frame by frame; strong closures paste the man's own
closed eye from one of his real blinks. Each test renders one short session
with a known answer and checks what ``analyze_video`` reports.
"""

import json

import pandas as pd
import pytest

from hfs_detect import analyze_video
from hfs_detect.synth.plan import Blink, EyesClosed, Spasm, SynthPlan
from hfs_detect.synth.render import prepare_video_face, render_session
from tests.conftest import data_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def moving_face():
    """The webcam video's quiet stretch, with the man's closed eyes as lid donors."""
    face = prepare_video_face(data_path("webcam_rest_mounish.mp4"), max_s=13.0)
    assert face.donors["left"] and face.donors["right"], "expected real closed lids"
    return face.quiet_part()


def session(tmp_path, face, name, *, spasms=(), blinks=(), eyes_closed=(), duration_s=12.0):
    plan = SynthPlan(
        duration_s, face.fps, list(spasms), list(blinks), sway_deg=0.0, noise_sd=1.0, seed=7,
        eyes_closed=list(eyes_closed), cheek_spread=0.35,
    )  # fmt: skip
    video = render_session(face, plan, tmp_path / f"{name}.mp4")
    return analyze_video(video, tmp_path / name)


def closure(frames, side, start_s, end_s):
    """How closed MediaPipe measured an eye in a stretch, against the first 2 s."""
    aperture = frames[f"eye_aperture_{side}"]
    before = aperture[frames.time_s < 2.0].median()
    return 1 - aperture[frames.time_s.between(start_s, end_s)].median() / before


@pytest.mark.parametrize("side", ["left", "right"])
def test_a_full_closure_with_a_real_lid_is_found_on_its_side(tmp_path, moving_face, side):
    other = "right" if side == "left" else "left"
    spasm = Spasm(4.0, side, "tonic", 1.0, ("eye", "mouth"), hold_s=1.2, pattern="full_closure")
    analysis = session(tmp_path, moving_face, "full", spasms=[spasm])
    frames = analysis.frames
    assert closure(frames, side, 4.4, 5.3) > 0.3  # a real closed lid, as MediaPipe sees it
    assert closure(frames, other, 4.4, 5.3) < closure(frames, side, 4.4, 5.3) / 2
    assert list(analysis.events.side) == [side]
    assert analysis.events.start_s.iloc[0] == pytest.approx(4.0, abs=0.3)


def test_a_full_closure_that_narrows_the_other_eye_is_found(tmp_path, moving_face):
    spasm = Spasm(4.0, "left", "tonic", 1.0, ("eye",), hold_s=1.5, pattern="full_closure_other",
                  other_eye=0.4, other_lag_s=0.07)  # fmt: skip
    analysis = session(tmp_path, moving_face, "other", spasms=[spasm])
    assert list(analysis.events.side) == ["left"]


def test_uneven_blinks_are_not_bursts(tmp_path, moving_face):
    blinks = [
        Blink(3.0, 0.3, depth_left=1.0, depth_right=0.5),  # one eye shut, the other half
        Blink(5.0, 0.25, depth_left=0.6, depth_right=1.0),
        Blink(7.0, 0.25, lag_left_s=0.15),  # the left reopens 150 ms late
        Blink(9.0, 0.3, lag_right_s=0.2),
    ]
    analysis = session(tmp_path, moving_face, "uneven", blinks=blinks)
    assert analysis.events.empty


def test_resting_with_eyes_closed_is_not_a_burst(tmp_path, moving_face):
    closed = [EyesClosed(3.0, 5.0, 1.0, 0.9, lag_right_s=0.15)]
    analysis = session(tmp_path, moving_face, "closed", eyes_closed=closed)
    assert analysis.events.empty


def test_a_mouth_corner_twitch_alone_is_found_with_its_region(tmp_path, moving_face):
    spasm = Spasm(5.0, "right", "clonic", 0.9, ("mouth",), twitch_onsets_s=(0.0, 0.35, 0.7),
                  pattern="lower_face")  # fmt: skip
    analysis = session(tmp_path, moving_face, "mouth", spasms=[spasm])
    events = analysis.events
    assert list(events.side) == ["right"]
    assert "mouth" in events.regions.iloc[0] and "eye" not in events.regions.iloc[0]


def test_a_spasm_in_the_first_second_is_found(tmp_path, moving_face):
    spasm = Spasm(0.3, "left", "tonic", 0.9, ("eye", "cheek"), hold_s=0.6, pattern="first_second")
    analysis = session(tmp_path, moving_face, "first", spasms=[spasm])
    assert list(analysis.events.side) == ["left"]
    assert analysis.events.start_s.iloc[0] < 1.0


def test_the_truth_and_the_plan_are_written_beside_the_video(tmp_path, moving_face):
    spasm = Spasm(4.0, "left", "tonic", 0.8, ("eye",), hold_s=0.6)
    session(tmp_path, moving_face, "truth", spasms=[spasm], blinks=[Blink(8.0)])
    truth = pd.read_csv(tmp_path / "truth.events.csv")
    assert list(truth.side) == ["left"]
    plan = SynthPlan.from_dict(json.loads((tmp_path / "truth.plan.json").read_text()))
    assert plan.spasms == [spasm]
    assert [kind for kind, _, _ in plan.distractors()] == ["blink"]
