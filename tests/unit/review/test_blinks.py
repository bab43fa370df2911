"""Scoring blinks against an eye-blink annotation (.tag): what evaluate prints."""

import pandas as pd
import pytest

from hfs_detect._checks import HFSDetectError
from hfs_detect.review.blinks import read_tag, score_blinks


def write_tag(path, n_frames, blinks):
    """A .tag file: ``blinks`` maps id -> (first, last, closed frames), both eyes."""
    from hfs_detect.review.blinks import write_tag as write

    return write(path, n_frames, [(a, b, shut, shut) for a, b, shut in blinks.values()])


def found_row(start_s, end_s):
    return {
        "start_s": start_s, "end_s": end_s, "duration_s": end_s - start_s, "kind": "blink",
        "close_s_left": start_s, "close_s_right": start_s,
        "reopen_s_left": end_s, "reopen_s_right": end_s,
    }  # fmt: skip


def test_a_tag_file_reads_as_blinks_with_each_eyes_closed_frames(tmp_path):
    tag = write_tag(tmp_path / "v.tag", 100, {1: (10, 17, {13, 14}), 2: (60, 66, {62})})
    truth = read_tag(tag)
    assert truth["start_frame"].tolist() == [10, 60]
    assert truth["end_frame"].tolist() == [17, 66]
    assert truth["closed_left"].iloc[0] == [13, 14]
    assert truth.attrs["n_frames"] == 100


def test_precision_and_recall_count_onsets_within_the_tolerance(tmp_path):
    fps = 25.0
    tag = write_tag(tmp_path / "v.tag", 250, {1: (50, 57, {53}), 2: (150, 156, {152})})
    found = pd.DataFrame([found_row(2.08, 2.3), found_row(4.5, 4.7)])  # one true, one not
    scores = score_blinks(found, read_tag(tag), fps=fps, tolerance_s=0.25)
    assert (scores["n_true"], scores["n_found"], scores["n_matched"]) == (2, 2, 1)
    assert scores["precision"] == 0.5 and scores["recall"] == 0.5
    assert scores["missed_s"] == [6.0] and scores["false_s"] == [4.5]
    assert scores["closed_recall_left"] == 0.5  # frame 53 inside, frame 152 not
    assert scores["median_onset_error_s"] == pytest.approx(0.08)


def test_a_file_that_is_not_a_tag_is_refused_in_one_line(tmp_path):
    bad = tmp_path / "notes.tag"
    bad.write_text("#start\nthis is not a frame line\n")
    with pytest.raises(HFSDetectError, match="line 2: not an eye-blink annotation"):
        read_tag(bad)
    empty = tmp_path / "empty.tag"
    empty.write_text("#only comments\n")
    with pytest.raises(HFSDetectError, match="holds no frame lines"):
        read_tag(empty)


def test_a_tag_with_a_byte_order_mark_or_spaces_reads_and_a_negative_tolerance_is_refused(tmp_path):
    tag = write_tag(tmp_path / "v.tag", 50, {1: (10, 15, {12})})
    spaced = tmp_path / "spaced.tag"
    spaced.write_text("\ufeff" + tag.read_text().replace(":", " : "), encoding="utf-8")
    truth = read_tag(spaced)
    assert truth["start_frame"].tolist() == [10] and truth["closed_left"].iloc[0] == [12]
    found = pd.DataFrame([found_row(0.4, 0.6)])
    with pytest.raises(HFSDetectError, match="tolerance_s must be at least 0"):
        score_blinks(found, truth, fps=25.0, tolerance_s=-1.0)
