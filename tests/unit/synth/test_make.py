"""hfs-detect synth end to end: a session with its truth beside it, and bad requests named."""

import pandas as pd
import pytest

from hfs_detect import HFSDetectError
from hfs_detect.synth.make import synthesize


def test_a_short_session_is_written_with_its_truth(tmp_path):
    video = tmp_path / "left.mp4"
    plan = synthesize(video, side="left", duration_s=8.0, n_spasms=1, n_blinks=1, seed=3)
    truth = pd.read_csv(tmp_path / "left.events.csv")
    assert video.stat().st_size > 10_000 and (tmp_path / "left.plan.json").is_file()
    assert list(truth.side) == ["left"] and len(plan.spasms) == 1
    assert truth.start_s.iloc[0] == pytest.approx(plan.spasms[0].start_s, abs=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [({"out_video": "x.avi"}, "must be an .mp4"),
     ({"pattern": "lower_lid", "side": None}, "needs a side"),
     ({"duration_s": 3.0}, "at least 6 s")],
)  # fmt: skip
def test_a_bad_request_is_named_before_any_work(tmp_path, kwargs, words):
    args = {"out_video": tmp_path / "s.mp4", "side": "left", **kwargs}
    if isinstance(args["out_video"], str):
        args["out_video"] = tmp_path / args["out_video"]
    with pytest.raises(HFSDetectError, match=words):
        synthesize(**args)
    assert not list(tmp_path.iterdir())
