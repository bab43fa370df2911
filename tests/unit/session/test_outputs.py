"""The output contract: Analysis written and read back, never mixed with an earlier run."""

import json

import numpy as np
import pandas as pd
import pytest

from hfs_detect import HFSDetectError
from hfs_detect.events import events_to_frame
from hfs_detect.landmarks.track import LandmarkTrack
from hfs_detect.session.outputs import Analysis, load_analysis, load_session, write_outputs
from tests.unit.session.test_summary import a_summary
from tests.unit.test_events import burst


def small_analysis(n=60):
    rng = np.random.default_rng(0)
    track = LandmarkTrack(
        time_s=np.arange(n) / 30, index=np.arange(n),
        landmarks=rng.random((n, 478, 3)).astype(np.float32),
        blendshapes=rng.random((n, 52)).astype(np.float32),
        matrices=rng.random((n, 4, 4)).astype(np.float32),
        n_faces=np.ones(n, np.int16), meta={"width": 64, "height": 48},
    )  # fmt: skip
    frames = pd.DataFrame({"frame": np.arange(n), "time_s": np.arange(n) / 30,
                           "face": True, "rest": np.arange(n) > 5,
                           "eye_aperture_left": 0.3, "eye_aperture_right": 0.3})  # fmt: skip
    summary = a_summary()
    summary.recording.n_frames = n
    return Analysis(frames, events_to_frame([burst()]), summary, track)


def test_an_analysis_is_read_back_as_written(tmp_path):
    analysis = small_analysis()
    written = write_outputs(analysis, tmp_path)
    assert [p.name for p in written][-1] == "summary.json"  # last: it marks a finished set
    frames, events, summary = load_session(tmp_path)
    pd.testing.assert_frame_equal(frames, analysis.frames, check_dtype=False)
    assert list(events.side) == ["left"] and events.regions[0] == "eye+mouth"
    assert summary == analysis.summary


def test_a_rewrite_leaves_nothing_of_the_earlier_run(tmp_path):
    write_outputs(small_analysis(), tmp_path)
    (tmp_path / "report.html").write_text("the earlier report")
    (tmp_path / ".events.csv.x1.tmp").write_text("")
    write_outputs(small_analysis(), tmp_path, parquet=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "events.csv", "frames.csv", "landmarks.npz", "summary.json"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("damage", "words"),
    [(lambda d: (d / "summary.json").write_text('{"video": "vis'), "cut short"),
     (lambda d: (d / "summary.json").write_text("[1, 2]"), "not a session summary"),
     (lambda d: (d / "events.csv").write_text("a,b\n"), "not an events table"),
     (lambda d: [(d / n).unlink() for n in ("frames.csv", "frames.parquet")], "no frames.csv"),
     (lambda d: (d / "summary.json").unlink(), "stopped while its files were being put"),
     (lambda d: [p.unlink() for p in d.iterdir()], "not an analysis folder")],
)  # fmt: skip
def test_a_damaged_folder_is_named_in_one_error(tmp_path, damage, words):
    write_outputs(small_analysis(), tmp_path)
    damage(tmp_path)
    with pytest.raises(HFSDetectError, match=words):
        load_session(tmp_path)


def test_summary_json_is_strict_json(tmp_path):
    analysis = small_analysis()
    analysis.summary.statistics.spasm_fraction = float("nan")
    write_outputs(analysis, tmp_path)
    assert json.loads((tmp_path / "summary.json").read_text())["spasm_fraction"] is None


def test_a_write_that_fails_midway_leaves_the_earlier_set_whole(tmp_path):
    write_outputs(small_analysis(), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    broken = small_analysis()
    broken.frames["mixed"] = [1, "a"] * (len(broken.frames) // 2)  # parquet refuses it
    broken.summary.statistics.verdict = "unilateral_bursts"
    with pytest.raises(Exception):  # noqa: B017 - whatever pyarrow raises
        write_outputs(broken, tmp_path)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before  # no staging folder left, nothing of the failed run


def test_a_run_stopped_while_moving_its_files_in_is_refused_then_remade(tmp_path, monkeypatch):
    import os

    write_outputs(small_analysis(), tmp_path)
    real_replace, moved = os.replace, []

    def stopped_after_two_moves(src, dst):
        if os.path.dirname(dst) == str(tmp_path):
            if len(moved) == 2:
                raise KeyboardInterrupt  # Ctrl-C (or a kill) between two moves
            moved.append(dst)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", stopped_after_two_moves)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(small_analysis(40), tmp_path)
    monkeypatch.setattr(os, "replace", real_replace)
    assert not (tmp_path / "summary.json").exists()  # the mark of a finished set is gone
    with pytest.raises(HFSDetectError, match="stopped while its files were being put in place"):
        load_session(tmp_path)
    write_outputs(small_analysis(40), tmp_path)
    frames, _, summary = load_session(tmp_path)
    assert len(frames) == 40 and not list(tmp_path.glob(".*"))


def test_a_frames_table_from_another_run_is_refused(tmp_path):
    analysis = small_analysis()
    write_outputs(analysis, tmp_path)
    small_analysis(40).frames.to_csv(tmp_path / "frames.csv", index=False)
    (tmp_path / "frames.parquet").unlink()
    with pytest.raises(HFSDetectError, match="different runs"):
        load_session(tmp_path)


def test_an_analysis_folder_loads_lazily_with_its_settings(tmp_path):
    analysis = small_analysis()
    write_outputs(analysis, tmp_path)
    loaded = load_analysis(tmp_path)
    assert loaded._frames is None and loaded._track is None  # nothing read yet
    assert loaded.settings == analysis.settings and loaded.settings.detector.threshold_z == 4.0
    assert loaded.summary.statistics.n_events == 1 and list(loaded.events.side) == ["left"]
    assert len(loaded.frames) == 60 and loaded.track.landmarks.shape == (60, 478, 3)
