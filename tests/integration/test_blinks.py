"""The annotated blinks of the Talking Face video show in both eye apertures.

The annotation (Fogelton/Drutarovsky) is for the original 25 fps video;
frames map to this 24 fps copy as round(frame25 * 24 / 25), with 2-3 frames of
slack. Between blinks 2 and 3 the man looks down and MediaPipe's lids stay
nearly closed, so blink 3 is checked by its reopening.
"""

import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import data_path

SLACK = 3  # frames


def to_mp4(frame25: float) -> int:
    return int(round(float(frame25) * 24 / 25))


@pytest.mark.slow
def test_annotated_blinks_are_closures_of_both_eyes_at_the_annotated_times(analyzed):
    truth = pd.read_csv(data_path("gt/talkingface_first300frames_blinks.csv"), comment="#")
    frames = analyzed(data_path("talkingface_franck_200s.mp4")).frames
    assert len(truth) == 3
    for _, blink in truth.iterrows():
        start, end = to_mp4(blink.start_frame25), to_mp4(blink.end_frame25)
        closed25 = [int(x) for x in str(blink.fully_closed_frames25).split("-")]
        closed_first, closed_last = to_mp4(closed25[0]), to_mp4(closed25[-1])
        for side in ("left", "right"):
            aperture = frames[f"eye_aperture_{side}"].to_numpy()
            open_level = np.nanmedian(aperture[:150])
            window = np.arange(start - SLACK, end + SLACK + 1)
            shut = window[aperture[window] < 0.5 * open_level]
            assert len(shut), f"blink {blink.blink_id}: no closure of the {side} eye"
            assert shut[0] - SLACK <= closed_first and closed_last <= shut[-1] + SLACK
            open_before = aperture[window[0] - 1] > 0.5 * open_level
            open_after = aperture[window[-1] + 1] > 0.5 * open_level
            assert open_before or open_after, f"blink {blink.blink_id}: no edge to check"
            if open_before:  # closing: within the slack of the annotated closed frames
                assert shut[0] <= closed_first + SLACK, (blink.blink_id, side, shut[0])
            if open_after:  # reopening: at the annotated end
                reopened = shut[-1] + 1
                assert abs(reopened - end) <= SLACK, (blink.blink_id, side, reopened, end)
                assert np.nanmax(aperture[reopened : reopened + 12]) > 0.8 * open_level


def write_published_tag(path):
    """The published first-12-s annotation (gt/, 25 fps frames) as a .tag file."""
    from hfs_detect.review.blinks import write_tag

    truth = pd.read_csv(data_path("gt/talkingface_first300frames_blinks.csv"), comment="#")
    blinks = []
    for blink in truth.itertuples():
        shut = [int(x) for x in str(blink.fully_closed_frames25).split("-")]
        closed = set(range(shut[0], shut[-1] + 1))
        blinks.append((blink.start_frame25, blink.end_frame25, closed, closed))
    return write_tag(path, 300, blinks)


@pytest.mark.slow
def test_analyze_writes_each_blink_with_both_eyes_timed(analyzed):
    from hfs_detect.blinks import BLINK_COLUMNS

    analysis = analyzed(data_path("talkingface_franck_200s.mp4"))
    blinks = pd.read_csv(analysis.folder / "blinks.csv") if analysis.folder else analysis.blinks
    assert list(blinks.columns) == list(BLINK_COLUMNS)
    # the annotated blink at 6.72-7.04 s: one blink, both eyes shut, reopening together
    (first,) = blinks[(blinks.start_s > 6.6) & (blinks.start_s < 7.0)].itertuples()
    assert first.kind == "blink" and first.complete_left and first.complete_right
    assert first.reopen_lag_s < 0.1
    assert set(analysis.frames["blink"]) <= {"", "blink", "prolonged", "partial"}
    figures = analysis.summary.statistics.blinks
    assert 5 < figures["blinks_per_rest_min"] < 40  # a man talking: ~18 a minute
    assert 0.1 < figures["median_duration_s"] < 0.4


@pytest.mark.slow
def test_evaluate_scores_blinks_against_a_tag_file(analyzed, tmp_path):
    from tests.integration.test_cli import run

    analysis = analyzed(data_path("talkingface_franck_200s.mp4"))
    tag = write_published_tag(tmp_path / "talking_first300.tag")
    result = run("evaluate", analysis.folder, tag, "--tag-fps", "25", "--json", tmp_path / "b.json")
    assert result.returncode == 0, result.stderr
    assert "precision" in result.stdout and "recall" in result.stdout
    scores = json.loads((tmp_path / "b.json").read_text())["blinks"]
    assert scores["n_true"] == 3
    found = [t for t in (6.72, 9.0, 10.96) if t not in scores["missed_s"]]
    assert 6.72 in found and 9.0 in found  # the blink in the down look is missed: documented


@pytest.mark.slow
def test_deliberate_closures_are_prolonged_blinks_not_bursts(analyzed):
    analysis = analyzed(data_path("eyeclosures_fellway.mp4"))
    assert len(analysis.events) == 0
    prolonged = analysis.blinks[analysis.blinks["kind"] == "prolonged"]
    assert len(prolonged) == 2
    assert prolonged["duration_s"].tolist() == pytest.approx([5.4, 1.7], abs=0.15)
