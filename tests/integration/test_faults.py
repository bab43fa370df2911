"""Faults a new user met (issue 27): signals and races, timestamps that cannot be true,
hand-edited or damaged files, an environment that cannot run the tool, bad requests.
Each gives one clear line and its exit status, or a correct result with a warning; no
process outlives a command, nothing is left half-written."""

import json
import os
import resource
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import SAMPLES, write_video
from tests.integration.test_batch import _four_videos
from tests.integration.test_cli import assert_one_line_error, run

COMMAND = [sys.executable, "-m", "hfs_detect"]


# -- processes, signals, races ---------------------------------------------------------------


def _session_processes(session_id: int) -> list[int]:
    """The processes of a session (the process table, /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == session_id:  # state, ..., session
            found.append(int(entry.name))
    return found


def _start_batch(tmp_path: Path, workers: int, out: Path) -> subprocess.Popen:
    (tmp_path / "in").mkdir(exist_ok=True)
    command = [*COMMAND, "batch", str(_four_videos(tmp_path / "in")), "-o", str(out), "--workers",
               str(workers), "--no-progress"]  # fmt: skip
    return subprocess.Popen(command, start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=_ctrl_c_as_at_a_terminal)  # fmt: skip


def _ctrl_c_as_at_a_terminal() -> None:
    """A batch started from a terminal has SIGINT at its default; one started in the
    background by a shell (as CI may start these tests) has it ignored, and keeps it so."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_workers(proc: subprocess.Popen, n: int, settle_s: float = 4.0) -> None:
    """Until the batch has its ``n`` workers, and they have started analysing."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_session_processes(proc.pid)) < n + 1:
        assert proc.poll() is None, proc.stderr.read()
        time.sleep(0.1)
    time.sleep(settle_s)  # models loaded, frames being analysed


def _no_process_left(session_id: int, within_s: float = 20.0) -> list[int]:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        left = _session_processes(session_id)
        if not left:
            return []
        time.sleep(0.2)
    return _session_processes(session_id)


def _only_whole_folders(out: Path) -> None:
    """Every video's folder holds a whole analysis, or is not there; no staging, no lock."""
    for folder in out.iterdir():
        if folder.is_dir():
            assert (folder / "summary.json").is_file(), f"{folder.name}: {list(folder.iterdir())}"
            assert not list(folder.glob(".staging-*")), folder
    assert not (out / ".hfs-detect-batch.lock").exists()


@pytest.mark.parametrize(
    ("signum", "workers"),
    [(signal.SIGTERM, 2), (signal.SIGHUP, 2), (signal.SIGINT, 2), (signal.SIGTERM, 1)],
)
def test_a_signal_stops_a_batch_and_no_worker_outlives_it(tmp_path, signum, workers):
    out = tmp_path / "out"
    proc = _start_batch(tmp_path, workers, out)
    try:
        _wait_for_workers(proc, workers if workers > 1 else 0)
        os.kill(proc.pid, signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == "hfs-detect: interrupted"
    assert _no_process_left(proc.pid) == []
    _only_whole_folders(out)


def test_a_batch_killed_outright_takes_its_workers_with_it(tmp_path):
    out = tmp_path / "out"
    proc = _start_batch(tmp_path, 2, out)
    try:
        _wait_for_workers(proc, 2)
        os.kill(proc.pid, signal.SIGKILL)  # no handler runs: the workers must notice
        proc.wait(timeout=30)
        assert _no_process_left(proc.pid) == []
    finally:
        if _session_processes(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
    for folder in out.iterdir():  # what the workers were doing is whole, or gone
        if folder.is_dir():
            assert (folder / "summary.json").is_file(), f"{folder.name}: {list(folder.iterdir())}"
    assert (out / ".hfs-detect-batch.lock").exists()  # stale: the next batch takes it over


def test_sigterm_to_analyze_leaves_no_folder_as_ctrl_c_does(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([*COMMAND, "analyze", str(SAMPLES / "synthetic_hfs_left.mp4"),
                             "-o", str(out), "--no-progress"], start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    time.sleep(2.5)  # the model runs
    os.kill(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.strip() == "hfs-detect: interrupted"
    assert not out.exists()


def test_a_second_batch_into_the_same_folder_is_refused_naming_the_first(tmp_path):
    out = tmp_path / "out"
    first = _start_batch(tmp_path, 1, out)
    try:
        deadline = time.monotonic() + 60
        while not (out / ".hfs-detect-batch.lock").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        second = run("batch", SAMPLES, "-o", out, "--no-progress")
        assert_one_line_error(second, "another batch is writing into", str(first.pid))
        assert second.returncode == 1
    finally:
        os.kill(first.pid, signal.SIGTERM)
        first.communicate(timeout=60)
    assert _no_process_left(first.pid) == []


def test_a_stale_lock_of_a_batch_that_is_gone_is_taken_over(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    import socket

    (out / ".hfs-detect-batch.lock").write_text(
        json.dumps({"pid": int(gone), "host": socket.gethostname(), "started_utc": "x"})
    )
    result = run("batch", SAMPLES / "synthetic_hfs_left.mp4", "-o", out, "--no-progress")
    assert result.returncode == 0, result.stderr
    assert not (out / ".hfs-detect-batch.lock").exists()


# -- timestamps that cannot be true ----------------------------------------------------------


@pytest.fixture(scope="module")
def equal_timestamps(tmp_path_factory) -> Path:
    """60 frames (2 s at 30 fps) whose MP4 timestamps are all equal (every stts delta 0)."""
    import cv2

    folder = tmp_path_factory.mktemp("timestamps")
    capture = cv2.VideoCapture(str(SAMPLES / "synthetic_hfs_left.mp4"))
    frames = [cv2.cvtColor(capture.read()[1], cv2.COLOR_BGR2RGB) for _ in range(60)]
    capture.release()
    path = write_video(folder / "equal.mp4", frames, 30.0)
    data = bytearray(path.read_bytes())
    at = data.find(b"stts")
    (entries,) = struct.unpack(">I", data[at + 8 : at + 12])
    for k in range(entries):
        data[at + 16 + 8 * k : at + 20 + 8 * k] = struct.pack(">I", 0)
    path.write_bytes(bytes(data))
    return path


def test_timestamps_that_cannot_be_true_are_replaced_by_the_declared_rate(
    equal_timestamps, tmp_path
):
    result = run("analyze", equal_timestamps, "-o", tmp_path / "out", "--no-progress")
    assert result.returncode == 0, result.stderr
    assert "warning: the file's timestamps cannot be true (0.5 frames a second)" in result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["duration_s"] == pytest.approx(2.0, abs=0.01)  # not 120 s
    assert summary["rest_s"] <= 2.0
    assert any("timed at 30 frames a second" in w for w in summary["warnings"])


# -- an environment that cannot run the tool -------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [("HFS_DETECT_THREADS", "abc", "HFS_DETECT_THREADS must be a whole number from 1 to 64"),
     ("HFS_DETECT_THREADS", "0", "but is '0'"),
     ("HFS_DETECT_THREADS", "-3", "but is '-3'"),
     ("HFS_DETECT_THREADS", "100000", "but is '100000'"),
     ("OPENCV_FOR_THREADS_NUM", "abc", "OPENCV_FOR_THREADS_NUM must be a whole number")],
)  # fmt: skip
def test_a_bad_thread_count_in_the_environment_is_one_line(tmp_path, variable, value, words):
    result = subprocess.run(
        [*COMMAND, "analyze", str(SAMPLES / "synthetic_hfs_left.mp4"), "-o", str(tmp_path)],
        capture_output=True, text=True, env={**os.environ, variable: value}, timeout=120,
    )  # fmt: skip
    assert_one_line_error(result, words)
    assert result.returncode == 1


def test_too_little_address_space_is_one_line_not_a_crash(tmp_path):
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (600_000 * 1024, 600_000 * 1024))

    result = subprocess.run(
        [*COMMAND, "analyze", str(SAMPLES / "synthetic_hfs_left.mp4"), "-o", str(tmp_path / "o")],
        capture_output=True, text=True, preexec_fn=limit, timeout=120,
    )  # fmt: skip
    assert_one_line_error(result, "address space is limited to 585 MB (ulimit -v)")
    assert result.returncode == 1 and not (tmp_path / "o").exists()


def test_a_model_bundle_with_another_network_inside_is_one_line(tmp_path):
    import zipfile

    bundle = tmp_path / "wrong.task"
    with zipfile.ZipFile(SAMPLES.parent / "models" / "face_landmarker.task") as shipped:
        with zipfile.ZipFile(bundle, "w") as wrong:
            for name in shipped.namelist():
                swapped = "face_blendshapes.tflite" if "landmarks_detector" in name else name
                wrong.writestr(name, shipped.read(swapped))
    for engine in ("litert", "mediapipe"):
        out = tmp_path / engine
        result = run("analyze", SAMPLES / "synthetic_hfs_left.mp4", "-o", out, "--model",
                     bundle, "--engine", engine)  # fmt: skip
        assert_one_line_error(result, "wrong.task")
        assert result.returncode == 1 and not out.exists()


# -- inputs that are not what they seem ------------------------------------------------------


def test_a_device_or_a_pipe_is_named_as_such(tmp_path):
    fifo = tmp_path / "pipe.mp4"
    os.mkfifo(fifo)
    for path in ("/dev/zero", fifo):
        result = run("analyze", path, "-o", tmp_path / "o")
        assert_one_line_error(result, "is not a video file but a device or a pipe")


def test_a_rest_interval_between_the_last_frame_and_the_end_holds_no_frame(
    equal_timestamps, tmp_path
):
    result = run("analyze", equal_timestamps, "-o", tmp_path / "o", "--rest", "0-1,1.98-1.99")
    assert result.returncode == 0, result.stderr
    assert "rest interval 1.98-1.99 s holds no frame" in result.stderr
    assert "starts after the video ends" not in result.stderr


def test_batch_without_dask_leaves_no_folder(tmp_path):
    blocked = ("import sys; sys.modules['dask'] = sys.modules['dask.distributed'] = None; "
               "from hfs_detect.cli import main; sys.exit(main(sys.argv[1:]))")  # fmt: skip
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-c", blocked, "batch", str(SAMPLES), "-o", str(out), "--scheduler",
         "tcp://127.0.0.1:1"], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert_one_line_error(result, "--scheduler needs Dask")
    assert not out.exists()


# -- hand-edited or damaged analysis folders -------------------------------------------------


@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("analysed") / "left"
    assert run("analyze", SAMPLES / "synthetic_hfs_left.mp4", "-o", out).returncode == 0
    return out


def _edited(analysed: Path, tmp_path: Path, summary=None, events=None) -> Path:
    folder = tmp_path / "edited"
    shutil.copytree(analysed, folder)
    if summary is not None:
        data = json.loads((folder / "summary.json").read_text())
        summary(data)
        (folder / "summary.json").write_text(json.dumps(data))
    if events is not None:
        table = pd.read_csv(folder / "events.csv")
        table = events(table)
        table.to_csv(folder / "events.csv", index=False)
    return folder


def _set(key, value):
    def edit(data):
        data[key] = value

    return edit


def _drop(key):
    def edit(data):
        del data[key]

    return edit


@pytest.mark.parametrize(
    ("edit", "words"),
    [(_set("duration_s", "long"), "'duration_s' should be a number"),
     (_set("rest_s", None), "'rest_s' should be a number, but is None"),
     (_set("events_per_rest_min", [1]), "'events_per_rest_min' should be a number"),
     (_set("verdict", None), "'verdict' should be a text, but is None"),
     (_set("verdict", 3), "'verdict' should be a text, but is 3"),
     (_set("grading", "III"), "'grading' should be a table"),
     (_set("parameters", "fast"), "'parameters' should be a table"),
     (_set("duration_s", 1e308), "'duration_s' should be a number"),
     (_drop("verdict"), "no 'verdict'"),
     (_drop("video"), "no 'video'"),
     (_drop("dominant_side"), "unilateral_bursts but no 'dominant_side'")],
)  # fmt: skip
def test_an_edited_summary_is_one_line_for_report_compare_and_export(
    analysed, tmp_path, edit, words
):
    folder = _edited(analysed, tmp_path, summary=edit)
    for args in (["report", folder], ["compare", analysed, folder],
                 ["export", folder, tmp_path / "r.eaf"]):  # fmt: skip
        started = time.monotonic()
        result = run(*args)
        assert_one_line_error(result, "summary.json", words)
        assert result.returncode == 1 and time.monotonic() - started < 60


def _row(column, value):
    def edit(table):
        table[column] = table[column].astype(object)
        table.loc[0, column] = value
        return table

    return edit


@pytest.mark.parametrize(
    ("edit", "words"),
    [(_row("start_s", "nan"), "start_s should be a time in seconds from 0"),
     (_row("end_s", "inf"), "end_s should be a time in seconds from 0"),
     (_row("start_s", -2.0), "start_s should be a time in seconds from 0, but is -2.0"),
     (_row("end_s", 0.0), "end_s should be at or after its start_s"),
     (_row("side", "both"), "side should be left or right, but is 'both'"),
     (_row("side", "LEFT"), "side should be left or right, but is 'LEFT'"),
     (_row("n_twitches", "three"), "n_twitches should be a whole number from 0"),
     (lambda t: pd.concat([t] * 40_000, ignore_index=True), "more than the video's 600 frames")],
)  # fmt: skip
def test_an_edited_events_table_is_one_line_for_report_and_export(analysed, tmp_path, edit, words):
    folder = _edited(analysed, tmp_path, events=edit)
    for args in (["report", folder], ["export", folder, tmp_path / "r.boris"]):
        started = time.monotonic()
        result = run(*args)
        assert_one_line_error(result, "events.csv", words)
        assert time.monotonic() - started < 60


def test_export_to_a_missing_video_given_by_hand_does_not_ask_for_it_again(analysed, tmp_path):
    result = run("export", analysed, tmp_path / "r.eaf", "--video", "/missing.mp4")
    assert result.returncode == 0
    assert "/missing.mp4 is not there" in result.stderr and "--video" not in result.stderr


# -- review files and truths -----------------------------------------------------------------


def test_evaluate_names_the_tiers_an_elan_file_has_and_those_it_expects(analysed, tmp_path):
    eaf = tmp_path / "review.eaf"
    assert run("export", analysed, eaf).returncode == 0
    eaf.write_text(eaf.read_text().replace('TIER_ID="burst_left"', 'TIER_ID="burst_left_日本"')
                   .replace('TIER_ID="burst_right"', 'TIER_ID="spasms"'))  # fmt: skip
    result = run("evaluate", analysed, eaf)
    assert_one_line_error(result, "no burst tier", "'burst_left_日本'", "'spasms'",
                          "expected 'burst_left' and 'burst_right'")  # fmt: skip


def test_evaluate_names_the_behaviours_a_boris_file_has(analysed, tmp_path):
    boris = tmp_path / "review.boris"
    assert run("export", analysed, boris).returncode == 0
    boris.write_text(boris.read_text().replace('"burst_left"', '"twitch"'))
    result = run("evaluate", analysed, boris)
    assert_one_line_error(result, "no burst behaviour", "'twitch'")


@pytest.mark.parametrize(
    ("change", "words"),
    [({"end_s": 0.5}, "end_s should be at or after its start_s"),
     ({"start_s": -1.0}, "start_s should be a time in seconds from 0"),
     ({"start_s": 30.0, "end_s": 31.0}, "end_s should be within the video (20 s long)")],
)  # fmt: skip
def test_evaluate_refuses_an_impossible_true_burst(analysed, tmp_path, change, words):
    truth = pd.read_csv(SAMPLES / "synthetic_hfs_left.events.csv")
    for column, value in change.items():
        truth.loc[1, column] = value
    truth.to_csv(tmp_path / "truth.events.csv", index=False)
    result = run("evaluate", analysed, tmp_path / "truth.events.csv")
    assert_one_line_error(result, "truth.events.csv: line 3", words)


# -- the generator's bad requests ------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [(["--duration-s", "6", "--spasms", "50"], "only 1 of 50 spasms"),
     (["--clonic-rate", "-1", "--grade", "II"], "--clonic-rate must be above 0"),
     (["--duration-s", "1e308"], "--duration-s must be at most 3600"),
     (["--seed", "-1"], "--seed must be at least 0"),
     (["--spasms", "100000"], "--spasms must be at most 1000")],
)  # fmt: skip
def test_synth_refuses_what_it_cannot_make(tmp_path, args, words):
    started = time.monotonic()
    result = run("synth", tmp_path / "s.mp4", *args)
    assert_one_line_error(result, words)
    assert not (tmp_path / "s.mp4").exists() and time.monotonic() - started < 60


def test_synth_refuses_a_source_video_without_a_face(tmp_path):
    import numpy as np

    grey = write_video(tmp_path / "wall.mp4", [np.full((240, 320, 3), 120, np.uint8)] * 60)
    result = run("synth", tmp_path / "s.mp4", "--source-video", grey)
    assert_one_line_error(result, "shows a face in 0% of its first 60 frames")
    assert not (tmp_path / "s.events.csv").exists()
