"""``hfs-detect batch``: bad files, resuming after kill -9, Dask, the cohort table."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfs_detect.cli import main
from tests.conftest import DATA, REAL_VIDEOS, SAMPLES


def _check_complete(folder: Path) -> None:
    """Every output file in a video's folder is whole and readable."""
    assert not list(folder.glob(".*.tmp")), "temporary files left behind"
    summary = json.loads((folder / "summary.json").read_text())
    frames = pd.read_csv(folder / "frames.csv")
    assert len(frames) == summary["n_frames"]
    assert len(pd.read_csv(folder / "events.csv")) == summary["n_events"]
    assert len(pd.read_parquet(folder / "frames.parquet")) == summary["n_frames"]
    with np.load(folder / "landmarks.npz") as cache:
        assert cache["landmarks"].shape[0] == summary["n_frames"]


def test_batch_over_the_real_archive_with_bad_files(archive, bad_files, capsys):
    out, result = archive  # run_batch over DATA, SAMPLES and bad_files, 2 workers (conftest)
    failures = pd.read_csv(out / "failures.csv")
    assert sorted(Path(v).name for v in failures.video) == ["cut_short.mp4", "notes.mp4"]
    assert failures.reason.str.contains("cannot read").all()
    cohort = pd.read_csv(out / "cohort.csv")
    expected = set(REAL_VIDEOS) | {"synthetic_hfs_left.mp4", "synthetic_hfs_right.mp4"}
    assert {Path(v).name for v in cohort.video} == expected
    assert result.n_done == len(expected) and len(result.failures) == 2
    by_name = cohort.set_index("name")
    for side in ("left", "right"):
        row = by_name.loc[f"synthetic_hfs_{side}"]
        assert (row.verdict, row.dominant_side) == ("unilateral_bursts", side)
    real = cohort[~cohort.name.str.startswith("synthetic")]
    assert not (real.verdict == "unilateral_bursts").any()
    for row in cohort.itertuples():
        folder = out / row.name
        _check_complete(folder)
        assert (folder / "report.html").is_file()
        summary = json.loads((folder / "summary.json").read_text())
        assert row.n_events == summary["n_events"] and row.verdict == summary["verdict"]
        # each row says what made it: a rerun keeps rows of earlier runs
        assert row.hfs_detect_version == summary["hfs_detect_version"]
        assert row.landmark_engine == summary["landmark_engine"] == "litert"  # the default
        assert row.created_utc == summary["provenance"]["created_utc"]
    assert not (out / "notes").exists()  # nothing written for a file that failed

    # the same command again: every finished video is kept, the bad ones fail again, exit 1
    args = ["batch", str(DATA), str(SAMPLES), str(bad_files), "-o", str(out), "--workers", "2"]
    assert main(args) == 1
    printed = capsys.readouterr()
    assert "2 failed" in printed.out and "notes.mp4" in printed.err
    log = json.loads((out / "batch.json").read_text())
    assert log["n_kept"] == len(expected) and log["n_done"] == 0 and log["n_failed"] == 2
    pd.testing.assert_frame_equal(pd.read_csv(out / "cohort.csv"), cohort)


def _four_videos(tmp_path: Path) -> Path:
    folder = tmp_path / "four"
    folder.mkdir()
    for name in ("synthetic_hfs_left.mp4", "synthetic_hfs_right.mp4"):
        os.symlink(SAMPLES / name, folder / name)
    for name in ("evm_face_rest.mp4", "webcam_rest_mounish.mp4"):
        os.symlink(DATA / name, folder / name)
    return folder


def test_kill_9_mid_batch_then_rerun_finishes_without_redoing(tmp_path):
    videos, out = _four_videos(tmp_path), tmp_path / "out"
    command = [sys.executable, "-m", "hfs_detect", "batch", str(videos), "-o", str(out),
               "--no-progress"]  # fmt: skip
    proc = subprocess.Popen(command, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            finished = list(out.glob("*/report.html"))  # a video done, its report too
            if finished:
                break
            time.sleep(0.05)
        assert finished, "no video finished before the deadline"
        time.sleep(0.7)  # into the next video's work
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    # after the kill: what is there is whole (a file is the old one or the whole new one)
    for path in out.rglob("*"):
        if path.suffix == ".json":
            json.loads(path.read_text())
        elif path.suffix == ".csv":
            pd.read_csv(path)
    done_before = {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/summary.json")}
    assert 1 <= len(done_before) < 4
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    log = json.loads((out / "batch.json").read_text())
    assert log["n_kept"] == len(done_before) and log["n_done"] == 4 - len(done_before)
    for name, mtime in done_before.items():  # not redone
        assert (out / name / "summary.json").stat().st_mtime_ns == mtime
    cohort = pd.read_csv(out / "cohort.csv")
    assert len(cohort) == 4
    for name in cohort.name:
        _check_complete(out / name)


def test_a_dask_cluster_gives_the_same_cohort_as_local_processes(archive, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    videos = _four_videos(tmp_path)
    remote = tmp_path / "dask"
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:  # fmt: skip
        args = ["batch", str(videos), "-o", str(remote), "--scheduler", cluster.scheduler_address]
        assert main([*args, "--no-progress"]) == 0
    # the same videos in the archive's batch (local worker processes), paths aside
    when = ["video", "created_utc"]
    dask_rows = pd.read_csv(remote / "cohort.csv").drop(columns=when).set_index("name")
    local = pd.read_csv(archive[0] / "cohort.csv").drop(columns=when).set_index("name")
    assert len(dask_rows) == 4
    pd.testing.assert_frame_equal(dask_rows, local.loc[dask_rows.index], check_dtype=False)
    assert json.loads((remote / "batch.json").read_text())["scheduler"] == cluster.scheduler_address


def test_a_settings_file_drives_a_batch_and_the_cohort_names_it(archive, tmp_path):
    """A tuned settings file given to batch: its thresholds are the ones used (the video
    is re-analysed from the archive's landmarks, its settings having changed), and
    cohort.csv and summary.json name the file and the settings' hash."""
    from hfs_detect.session import Settings

    out, clinic = tmp_path / "out", tmp_path / "clinic.toml"
    tuned = Settings(detector={"threshold_z": 4.5}).write(clinic)
    shutil.copytree(archive[0] / "synthetic_hfs_left", out / "synthetic_hfs_left")
    video = SAMPLES / "synthetic_hfs_left.mp4"
    assert main(["batch", str(video), "-o", str(out), "--settings", str(tuned),
                 "--workers", "1", "--no-progress"]) == 0  # fmt: skip
    cohort = pd.read_csv(out / "cohort.csv")
    summary = json.loads((out / "synthetic_hfs_left" / "summary.json").read_text())
    assert summary["landmarks_from_cache"] and summary["settings_file"] == str(clinic)
    assert summary["parameters"]["detector"]["threshold_z"] == 4.5
    assert list(cohort.settings_file) == [str(clinic)]
    assert list(cohort.settings_sha256) == [Settings.read(clinic).key()]
    default = pd.read_csv(archive[0] / "cohort.csv").set_index("name").loc["synthetic_hfs_left"]
    assert pd.isna(default.settings_file) and default.settings_sha256 == Settings().key()


def test_an_unreachable_scheduler_gives_one_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "hfs_detect", "batch", str(SAMPLES), "-o", str(tmp_path / "o"),
         "--scheduler", "tcp://127.0.0.1:9", "--no-progress"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "hfs-detect: error: cannot reach the Dask scheduler tcp://127.0.0.1:9"
    )


def test_an_empty_folder_gives_one_line(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "hfs_detect", "batch", str(empty), "-o", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"hfs-detect: error: no video files in {empty} (looked for .mp4, .mov, .avi, .mkv, "
        ".mpg, .mpeg, .m4v, .webm, .wmv)"
    ]


def test_same_stem_in_two_folders_gets_two_output_folders(tmp_path):
    for sub in ("visit1", "visit2"):
        (tmp_path / "in" / sub).mkdir(parents=True)
        shutil.copy(DATA / "grid_bbaf2n.mpg", tmp_path / "in" / sub / "patient.mpg")  # 3 s
    out = tmp_path / "out"
    assert (
        main(["batch", str(tmp_path / "in"), "-o", str(out), "--no-report", "--no-progress"]) == 0
    )
    cohort = pd.read_csv(out / "cohort.csv")
    assert len(cohort) == 2 and cohort.name.nunique() == 2
    assert all(name.startswith(("visit1_patient", "visit2_patient")) for name in cohort.name)


def test_a_rerun_finishes_a_video_whose_report_was_never_written(tmp_path):
    """Killed (or the disk full) between a video's summary.json and its report.html."""
    from hfs_detect.batch import run_batch

    video = DATA / "grid_bbaf2n.mpg"  # 3 s
    run_batch([video], tmp_path)
    (tmp_path / "grid_bbaf2n" / "report.html").unlink()
    result = run_batch([video], tmp_path)
    assert result.n_done == 1
    assert (tmp_path / "grid_bbaf2n" / "report.html").is_file()
    assert run_batch([video], tmp_path).n_done == 0  # now complete: kept


@pytest.mark.parametrize("inside", ["results", "."])
def test_outputs_inside_the_input_folder_are_not_taken_for_new_videos(tmp_path, inside):
    videos = tmp_path / "visits"
    videos.mkdir()
    shutil.copy(DATA / "grid_bbaf2n.mpg", videos / "patient.mpg")  # 3 s
    out = videos / inside  # the batch's outputs inside (or in) the folder it searches
    args = ["batch", str(videos), "-o", str(out), "--no-report", "--no-progress"]
    assert main(args) == 0
    shutil.copy(videos / "patient.mpg", out / "patient" / "annotated.mpg")  # as report makes
    assert main(args) == 0
    cohort = pd.read_csv(out / "cohort.csv")
    assert list(cohort.name) == ["patient"]
    record = json.loads((out / "batch.json").read_text())
    assert record["n_videos"] == 1 and record["versions"]["hfs_detect"]


def test_a_missing_name_among_several_is_a_failure_and_the_batch_goes_on(tmp_path, capsys):
    missing = tmp_path / "missing.mp4"
    args = [str(DATA / "grid_bbaf2n.mpg"), str(missing), "-o", str(tmp_path / "out")]
    assert main(["batch", *args, "--no-report", "--no-progress"]) == 1  # one failed
    assert f"{missing}: not found" in capsys.readouterr().err  # named, not only counted
    cohort = pd.read_csv(tmp_path / "out" / "cohort.csv")
    failures = pd.read_csv(tmp_path / "out" / "failures.csv")
    assert list(cohort.name) == ["grid_bbaf2n"]
    reason = f"not found: {missing}"
    assert failures.to_dict("records") == [{"video": str(missing), "reason": reason}]


def test_a_later_visit_with_the_same_name_never_overwrites_the_first(tmp_path, capsys):
    visits = tmp_path / "in"
    for sub, video in (("visit1", "grid_bbaf2n.mpg"), ("visit2", "grid_lwbsza.mpg")):
        (visits / sub).mkdir(parents=True)
        shutil.copy(DATA / video, visits / sub / "P01.mpg")  # 3 s each, two faces
    out = tmp_path / "results"
    quiet = ["--no-report", "--no-progress"]
    assert main(["batch", str(visits / "visit1"), "-o", str(out), *quiet]) == 0
    first = json.loads((out / "P01" / "summary.json").read_text())
    capsys.readouterr()
    # the second visit, batched on its own into the same results
    assert main(["batch", str(visits / "visit2"), "-o", str(out), *quiet]) == 0
    assert json.loads((out / "P01" / "summary.json").read_text()) == first  # untouched
    (second,) = pd.read_csv(out / "cohort.csv").name
    assert second.startswith("visit2_P01_")
    assert "not in this cohort.csv: P01" in capsys.readouterr().err
    # both visits together: each keeps its folder, nothing analysed again
    assert main(["batch", str(visits), "-o", str(out), *quiet]) == 0
    cohort = pd.read_csv(out / "cohort.csv").set_index("name")
    assert cohort.loc["P01", "video"] == str(visits / "visit1" / "P01.mpg")
    assert cohort.loc[second, "video"] == str(visits / "visit2" / "P01.mpg")
    log = json.loads((out / "batch.json").read_text())
    assert (log["n_done"], log["n_kept"]) == (0, 2)
    assert len(log["kept"]) == 2 and log["per_video_seconds"] == {}  # no made-up 0 s


def test_a_linked_video_keeps_the_links_name(tmp_path):
    farm = tmp_path / "pseudonyms"
    farm.mkdir()
    os.symlink(DATA / "grid_bbaf2n.mpg", farm / "P07.mpg")  # the link names the patient
    out = tmp_path / "results"
    assert main(["batch", str(farm), "-o", str(out), "--no-report", "--no-progress"]) == 0
    (row,) = pd.read_csv(out / "cohort.csv").itertuples()
    assert (row.name, row.video) == ("P07", str(farm / "P07.mpg"))
    assert json.loads((out / "P07" / "summary.json").read_text())["video"] == row.video
    assert "grid_bbaf2n" not in (out / "cohort.csv").read_text()


def test_a_batch_into_one_videos_analysis_folder_is_refused(tmp_path, capsys):
    session = tmp_path / "visit1"
    session.mkdir()
    (session / "summary.json").write_text('{"verdict": "none"}')
    args = ["batch", str(SAMPLES / "synthetic_hfs_left.mp4"), "-o", str(session)]
    assert main(args) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"hfs-detect: error: {session} is one video's analysis folder (it has a summary.json): "
        "give the batch a folder of its own"
    ]
    assert sorted(p.name for p in session.iterdir()) == ["summary.json"]  # nothing mixed in
