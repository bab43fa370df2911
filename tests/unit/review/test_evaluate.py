"""Event scoring: matches need the same side and overlap."""

import json

import pandas as pd
import pytest

from hfs_detect import HFSDetectError
from hfs_detect.review.evaluate import evaluate_paths, score_events


def table(*rows):
    return pd.DataFrame(rows, columns=["start_s", "end_s", "side"])


def test_perfect_predictions_score_one():
    truth = table((1.0, 2.0, "left"), (5.0, 5.5, "left"))
    scores = score_events(truth, truth)
    assert scores["f1"] == 1.0 and scores["onset_error_s"] == 0.0 and scores["side_accuracy"] == 1.0


def test_a_burst_on_the_wrong_side_is_no_match():
    scores = score_events(table((1.0, 2.0, "right")), table((1.0, 2.0, "left")))
    assert scores["n_matched"] == 0 and scores["f1"] == 0.0 and scores["side_accuracy"] == 0.0


def test_misses_and_false_bursts_lower_recall_and_precision():
    truth = table((1.0, 2.0, "left"), (5.0, 5.5, "left"))
    predicted = table((1.1, 1.9, "left"), (9.0, 9.2, "left"))
    scores = score_events(predicted, truth, rest_s=60.0)
    assert (scores["precision"], scores["recall"]) == (0.5, 0.5)
    assert scores["onset_error_s"] == pytest.approx(0.1)
    assert scores["false_per_rest_min"] == 1.0


def test_one_prediction_matches_one_truth_only():
    truth = table((1.0, 1.2, "left"), (1.3, 1.5, "left"))
    scores = score_events(table((1.0, 1.5, "left")), truth)
    assert scores["n_matched"] == 1


def test_folders_are_paired_by_name(tmp_path):
    (tmp_path / "pred" / "a").mkdir(parents=True)
    table((1.0, 2.0, "left")).to_csv(tmp_path / "pred" / "a" / "events.csv", index=False)
    (tmp_path / "truth").mkdir()
    table((1.0, 2.0, "left")).to_csv(tmp_path / "truth" / "a.events.csv", index=False)
    result = evaluate_paths(tmp_path / "pred", tmp_path / "truth")
    assert result["overall"]["f1"] == 1.0 and list(result["sessions"]) == ["a"]


def test_one_analysis_folder_finds_its_truth_in_a_folder_of_truths(tmp_path):
    from hfs_detect.review.evaluate import evaluation_lines

    session = tmp_path / "visit1"
    session.mkdir()
    table((1.0, 2.0, "left"), (4.0, 4.5, "left")).to_csv(session / "events.csv", index=False)
    from tests.unit.session.test_summary import a_summary

    summary = a_summary(rest_s=60.0)
    summary.recording.video, summary.recording.duration_s = "/clinic/patient01.mp4", 60.0
    (session / "summary.json").write_text(json.dumps(summary.to_dict()))
    (tmp_path / "truth").mkdir()
    truth = table((1.1, 2.0, "left"), (4.0, 4.4, "right"))  # named after the video
    truth.to_csv(tmp_path / "truth" / "patient01.events.csv", index=False)
    result = evaluate_paths(session, tmp_path / "truth")
    overall = result["overall"]
    assert list(result["sessions"]) == ["visit1"] and overall["n_matched"] == 1
    assert overall["side_accuracy"] == 0.5  # two matched in time, one on the wrong side
    assert overall["false_per_rest_min"] == 1.0
    printed = "\n".join(evaluation_lines(result))
    assert "side accuracy 0.500" in printed and "false bursts per rest-minute 1.000" in printed
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(HFSDetectError, match="no truth for .* patient01.events.csv"):
        evaluate_paths(session, tmp_path / "elsewhere")  # no truth there


def test_a_file_that_is_not_an_events_table_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(HFSDetectError, match="missing column"):
        evaluate_paths(bad, bad)


def test_grading_items_are_recovered_within_their_tolerances():
    from hfs_detect.review.evaluate import score_grading

    truth = {"smc_grade": "II", "bursts_per_rest_hour": 480.0, "tonic_median": 0.10,
             "jankovic_frequency": 2, "clonic_twitches_per_min": 20.0,
             "tonic_p90": 0.2}  # fmt: skip
    close = {"smc_grade": "II", "bursts_per_rest_hour": 520.0, "tonic_median": 0.14,
             "jankovic_frequency": 2, "clonic_twitches_per_min": 14.0,
             "tonic_p90": 0.9}  # fmt: skip
    scored = score_grading(truth, close)
    assert all(scored[k]["recovered"] for k in truth if k != "tonic_p90")
    assert scored["tonic_p90"]["recovered"] is None  # reported, not judged
    off = {**close, "smc_grade": "I", "bursts_per_rest_hour": 540.0, "tonic_median": 0.16,
           "clonic_twitches_per_min": 12.0}  # fmt: skip
    scored = score_grading(truth, off)
    assert not any(
        scored[k]["recovered"]
        for k in ("smc_grade", "bursts_per_rest_hour", "tonic_median", "clonic_twitches_per_min")
    )


def test_regions_of_matched_bursts_are_counted_per_region():
    from hfs_detect.review.evaluate import evaluation_lines

    truth = pd.DataFrame(
        {"start_s": [1.0, 5.0], "end_s": [2.0, 6.0], "side": ["left"] * 2,
         "regions": ["eye+cheek", "eye"]}
    )  # fmt: skip
    found = pd.DataFrame(
        {"start_s": [1.1, 5.1, 9.0], "end_s": [2.0, 6.0, 9.5], "side": ["left"] * 3,
         "regions": ["eye+mouth", "eye+brow", "eye"]}
    )  # fmt: skip
    regions = score_events(found, truth)["regions"]
    assert regions["eye"] == {"both": 2, "missed": 0, "extra": 0}
    assert regions["cheek"] == {"both": 0, "missed": 1, "extra": 0}
    assert regions["mouth"] == {"both": 0, "missed": 0, "extra": 1}
    assert regions["brow"] == {"both": 0, "missed": 0, "extra": 1}  # the unmatched burst: not
    assert score_events(found.drop(columns="regions"), truth)["regions"] is None
    result = {"sessions": {}, "overall": {"precision": 0.67, "recall": 1.0, "f1": 0.8,
              "n_sessions": 1, "regions": regions}}  # fmt: skip
    assert "eye 2/0/0, cheek 0/1/0, mouth 0/0/1, brow 0/0/1" in "\n".join(evaluation_lines(result))
