"""The command line as a user meets it: outputs written, one-line errors, help."""

import json
import os
import shutil
import struct
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import SAMPLES, data_path


def run(*args, cwd=None):
    """Run ``hfs-detect`` (this interpreter's copy) and capture everything."""
    return subprocess.run(
        [sys.executable, "-m", "hfs_detect", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def assert_one_line_error(result, *words):
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_analyze_on_the_shipped_sample_writes_the_three_files(tmp_path):
    result = run("analyze", SAMPLES / "synthetic_hfs_left.mp4", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no native log noise
    assert "600 frames" in result.stdout
    assert "blinks: " in result.stdout and "per rest-minute" in result.stdout
    written = ("events.csv", "blinks.csv", "frames.csv", "summary.json", "frames.parquet")
    for name in (*written, "landmarks.npz"):
        assert (tmp_path / "out" / name).is_file(), name
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["n_frames"] == 600 and summary["face_fraction"] > 0.99
    assert len(pd.read_csv(tmp_path / "out" / "frames.csv")) == 600
    assert not (tmp_path / "out" / "report.html").exists()  # only when asked
    again = run("analyze", SAMPLES / "synthetic_hfs_left.mp4", "-o", tmp_path / "out", "--report")
    assert "from cache" in again.stdout and "report.html" in again.stdout
    assert "unilateral_bursts" in (tmp_path / "out" / "report.html").read_text()


def test_a_settings_file_and_the_same_flags_give_identical_outputs(tmp_path):
    """One settings object, whichever door: a clinic's settings file, or the same values
    as flags, make the same files (all but when and by which command they were made)."""
    video = SAMPLES / "synthetic_hfs_right.mp4"
    clinic = tmp_path / "clinic.toml"
    made = run("settings", "--threshold-z", "4", "--max-faces", "2", "-o", clinic)
    assert made.returncode == 0, made.stderr
    by_file = run("analyze", video, "-o", tmp_path / "file", "--settings", clinic,
                  "--rest", "0:02-0:18", "--no-progress")  # fmt: skip
    by_flags = run("analyze", video, "-o", tmp_path / "flags", "--threshold-z", "4",
                   "--max-faces", "2", "--rest", "0:02-0:18", "--no-progress")  # fmt: skip
    assert by_file.returncode == by_flags.returncode == 0, by_file.stderr + by_flags.stderr
    for name in ("events.csv", "frames.csv"):
        a, b = ((tmp_path / k / name).read_bytes() for k in ("file", "flags"))
        assert a == b, name
    a, b = (json.loads((tmp_path / k / "summary.json").read_text()) for k in ("file", "flags"))
    assert (a["settings_file"], b["settings_file"]) == (str(clinic), None)  # where they came from
    assert a["settings_sha256"] == b["settings_sha256"]  # the same settings
    for summary in (a, b):
        del summary["provenance"], summary["settings_file"]  # when, how and from which file
    assert a == b
    assert a["parameters"]["detector"]["threshold_z"] == 4.0 and a["parameters"]["max_faces"] == 2
    assert a["parameters"]["rest_intervals_s"] == [[2.0, 18.0]]
    from hfs_detect import load_analysis

    assert load_analysis(tmp_path / "file").settings.detector.threshold_z == 4.0


def test_the_console_script_is_installed():
    exe = shutil.which(
        "hfs-detect", path=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]
    )
    assert exe, "the hfs-detect command is not installed"
    result = subprocess.run([exe, "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("hfs-detect ")


def bad_file(name, content):
    def make(folder):
        path = folder / name
        path.write_bytes(content)
        return path

    return make


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda d: d / "missing.mp4", ["video not found"]),
        (bad_file("empty.mp4", b""), ["empty"]),
        (bad_file("notes.mp4", b"not a video\n"), ["cannot decode"]),
        (bad_file("noise.mp4", os.urandom(100_000)), ["cannot decode"]),
        (lambda d: d, ["folder"]),
    ],
    ids=["missing", "empty", "text-named-mp4", "random-bytes", "directory"],
)
def test_bad_videos_get_a_one_line_error(tmp_path, make, words):
    video = make(tmp_path)
    result = run("analyze", video, "-o", tmp_path / "out")
    assert_one_line_error(result, "hfs-detect: error:", *words)
    assert result.returncode == 1


def test_an_unwritable_output_folder_gets_a_one_line_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = run("analyze", data_path("grid_bbaf2n.mpg"), "-o", blocker / "out")
    assert_one_line_error(result, "output folder")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write into a read-only folder")
def test_a_read_only_output_folder_gets_a_one_line_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    result = run("analyze", data_path("grid_bbaf2n.mpg"), "-o", folder)
    assert_one_line_error(result, "not writable")


def test_an_unknown_option_gets_a_one_line_error(tmp_path):
    result = run("analyze", data_path("grid_bbaf2n.mpg"), "-o", tmp_path, "--frobnicate")
    assert_one_line_error(result, "unrecognized arguments: --frobnicate", "--help")
    assert result.returncode == 2


def test_a_bad_value_names_the_option(tmp_path):
    result = run("analyze", data_path("grid_bbaf2n.mpg"), "-o", tmp_path, "--min-confidence", "3")
    assert_one_line_error(result, "--min-confidence", "at most 1")


def test_a_failed_run_leaves_no_partial_outputs(tmp_path):
    (tmp_path / "notes.mp4").write_text("not a video\n")
    (tmp_path / "kept").mkdir()
    run("analyze", tmp_path / "notes.mp4", "-o", tmp_path / "out")
    run("analyze", tmp_path / "notes.mp4", "-o", tmp_path / "kept")
    assert not (tmp_path / "out").exists()  # the folder it made is gone
    assert list((tmp_path / "kept").iterdir()) == []  # the user's own folder stays


def test_help_teaches_the_sides_and_the_outputs():
    result = run("analyze", "--help")
    assert result.returncode == 0
    for words in ("--mirrored", "patient's left", "frames.csv", "summary.json", "example"):
        assert words in result.stdout


def test_info_names_versions_model_and_ffmpeg():
    result = run("info")
    assert result.returncode == 0
    assert "mediapipe" in result.stdout
    assert "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff" in result.stdout
    assert "ffmpeg       yes" in result.stdout


def test_importing_the_package_loads_no_model_and_no_mediapipe():
    code = "import sys, hfs_detect; print('mediapipe' in sys.modules, 'cv2' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "False"]


def test_synth_then_analyze_then_evaluate(tmp_path):
    video = tmp_path / "synthetic.mp4"
    options = ["--side", "right", "--duration-s", "14", "--spasms", "2", "--blinks", "2"]
    made = run("synth", video, *options, "--seed", "4")
    assert made.returncode == 0, made.stderr
    truth = pd.read_csv(tmp_path / "synthetic.events.csv")
    assert len(truth) == 2 and set(truth.side) == {"right"}
    again = tmp_path / "again.mp4"
    run("synth", again, *options, "--seed", "4")
    assert pd.read_csv(tmp_path / "again.events.csv").equals(truth)  # same seed, same truth
    analyzed = run("analyze", video, "-o", tmp_path / "out")
    assert analyzed.returncode == 0, analyzed.stderr
    assert "verdict:" in analyzed.stdout
    scored = run(
        "evaluate",
        tmp_path / "out",
        video.with_suffix(".events.csv"),
        "--json",
        tmp_path / "scores.json",
    )
    assert scored.returncode == 0, scored.stderr
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["overall"]["n_true"] == 2
    assert "precision" in scored.stdout


def test_bad_rest_intervals_get_a_one_line_error(tmp_path):
    result = run(
        "analyze", SAMPLES / "synthetic_hfs_left.mp4", "-o", tmp_path, "--rest", "2:00-1:00"
    )
    assert_one_line_error(result, "rest interval", "2:00-1:00")
    result = run(
        "analyze", SAMPLES / "synthetic_hfs_left.mp4", "-o", tmp_path, "--rest", "0:75-0:80"
    )
    assert_one_line_error(result, "0:75", "seconds run 0-59")
    result = run("analyze", SAMPLES / "synthetic_hfs_left.mp4", "-o", tmp_path, "--rest", "")
    assert_one_line_error(result, "no rest interval given")  # not silently the whole video


def test_bad_provocation_steps_get_a_one_line_error(tmp_path):
    sample = SAMPLES / "synthetic_hfs_left.mp4"
    result = run("analyze", sample, "-o", tmp_path, "--steps", "frown=0:05-0:08")
    assert_one_line_error(result, "unknown kind 'frown'", "pursing, closure, smile")
    result = run("analyze", sample, "-o", tmp_path, "--steps", "pursing=0:08-0:05")
    assert_one_line_error(result, "the end is not after the start")


def test_rest_intervals_past_the_end_of_the_video_are_warned_about(tmp_path, archive):
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(archive[0] / "synthetic_hfs_left" / "landmarks.npz", out)  # MediaPipe ran there
    result = run("analyze", SAMPLES / "synthetic_hfs_left.mp4", "-o", out, "--rest", "1:00-2:00")
    assert result.returncode == 0, result.stderr
    assert "warning: rest interval 60-120 s starts after the video ends (20 s)" in result.stderr
    warnings = json.loads((out / "summary.json").read_text())["warnings"]
    assert any("0 s of rest" in w for w in warnings), warnings


def test_a_tonic_level_without_a_grade_gets_a_one_line_error(tmp_path):
    result = run("synth", tmp_path / "s.mp4", "--tonic-level", "0.3")
    assert_one_line_error(result, "--tonic-level and --clonic-rate set a graded session")
    assert not (tmp_path / "s.mp4").exists()


def test_steps_past_the_end_of_the_video_are_warned_about(tmp_path, archive):
    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(archive[0] / "synthetic_hfs_left" / "landmarks.npz", out)  # MediaPipe ran there
    steps = "smile=0:06-0:09,pursing=0:15-0:30"
    result = run("analyze", SAMPLES / "synthetic_hfs_left.mp4", "-o", out, "--steps", steps)
    assert result.returncode == 0, result.stderr
    assert "step pursing 15-30 s ends after the video ends (20.0 s): cut short" in result.stderr
    # the step's start and length, and its provoked bursts counted
    assert "smile (smile from 6.0 s, 3.0 s and the 5 s after):" in result.stdout


def test_a_model_folder_gets_a_one_line_error_naming_the_file_wanted(tmp_path, monkeypatch):
    models = SAMPLES.parent / "models"
    result = run("analyze", SAMPLES / "synthetic_hfs_left.mp4", "-o", tmp_path / "o", "--model",
                 models)  # fmt: skip
    assert_one_line_error(result, "must be a .task file, not a folder", "face_landmarker.task")
    assert not (tmp_path / "o").exists()
    monkeypatch.setenv("HFS_DETECT_MODEL", str(models))  # the same through the environment
    result = run("analyze", SAMPLES / "synthetic_hfs_left.mp4", "-o", tmp_path / "o")
    assert_one_line_error(result, "must be a .task file, not a folder", "face_landmarker.task")
    assert not (tmp_path / "o").exists()


def test_a_synthetic_session_too_short_for_its_plan_gets_a_one_line_error(tmp_path):
    result = run("synth", tmp_path / "s.mp4", "--duration-s", "3")
    assert_one_line_error(result, "--duration-s must be at least", "got 3")
    assert not (tmp_path / "s.mp4").exists()


def damaged(folder):
    """Ways an analysis folder gets damaged: name -> what is done to the folder."""
    return {
        "no frames table": lambda: [(folder / n).unlink(missing_ok=True)
                                    for n in ("frames.csv", "frames.parquet")],
        "summary cut short": lambda: (folder / "summary.json").write_text(
            (folder / "summary.json").read_text()[:200]),
        "events with wrong columns": lambda: (folder / "events.csv").write_text("a,b\n1,2\n"),
    }  # fmt: skip


FRAMES_GONE = ("no frames table", ["frames.csv", "rerun analyze"])
SUMMARY_CUT = ("summary cut short", ["summary.json", "cut short"])
EVENTS_WRONG = ("events with wrong columns", ["events.csv", "not an events table"])


@pytest.mark.parametrize(
    ("command", "damage"),
    [("report", FRAMES_GONE), ("report", SUMMARY_CUT), ("report", EVENTS_WRONG),
     ("compare", SUMMARY_CUT), ("compare", EVENTS_WRONG),
     ("export", SUMMARY_CUT), ("export", EVENTS_WRONG)],
)  # fmt: skip
def test_a_damaged_analysis_folder_gets_a_one_line_error(tmp_path, archive, command, damage):
    folder = tmp_path / "visit"
    shutil.copytree(archive[0] / "synthetic_hfs_left", folder)
    name, words = damage
    damaged(folder)[name]()
    args = {"report": [folder], "compare": [folder, folder], "export": [folder, tmp_path / "r.eaf"]}
    result = run(command, *args[command])
    assert_one_line_error(result, *words)
    assert "internal error" not in result.stderr


def test_outputs_go_into_new_folders_and_a_file_in_the_way_is_named(tmp_path, archive):
    folder = archive[0] / "synthetic_hfs_left"
    for args, made in (
        (["compare", folder, folder, "--plot", tmp_path / "new" / "change.png"], "change.png"),
        (["export", folder, tmp_path / "new2" / "review.eaf"], "review.eaf"),
        (["evaluate", folder, folder / "events.csv", "--json", tmp_path / "new3" / "s.json"],
         "s.json"),
    ):  # fmt: skip
        result = run(*args)
        assert result.returncode == 0, result.stderr
        assert (args[-1]).name == made and args[-1].is_file()
    result = run("compare", folder, folder, "--json", tmp_path / "new4" / "change.json")
    assert result.returncode == 0 and (tmp_path / "new4" / "change.json").is_file()
    (tmp_path / "a_file").write_text("in the way")
    blocked = tmp_path / "a_file"
    for args in (
        ["export", folder, blocked / "review.eaf"],
        ["compare", folder, folder, "--plot", blocked / "change.png"],
        ["compare", folder, folder, "--json", blocked / "change.json"],
        ["evaluate", folder, folder / "events.csv", "--json", blocked / "s.json"],
    ):
        result = run(*args)
        assert_one_line_error(result, "a_file", "a file stands where a folder is needed")


def test_an_unknown_plot_format_is_refused_before_any_work(tmp_path, archive):
    folder = archive[0] / "synthetic_hfs_left"
    result = run("compare", folder, folder, "--plot", tmp_path / "change.xyz")
    assert_one_line_error(result, "cannot write a plot as .xyz", ".png")
    assert result.stdout == ""


def test_export_warns_when_the_video_it_links_is_gone(tmp_path, archive):
    folder = tmp_path / "visit"
    shutil.copytree(archive[0] / "synthetic_hfs_left", folder)
    summary = json.loads((folder / "summary.json").read_text())
    summary["video"] = str(tmp_path / "moved_away.mp4")
    (folder / "summary.json").write_text(json.dumps(summary))
    result = run("export", folder, tmp_path / "review.eaf")
    assert result.returncode == 0, result.stderr
    assert "warning: the video" in result.stderr and "moved_away.mp4" in result.stderr
    assert (tmp_path / "review.eaf").is_file()


def faststart(data: bytes) -> bytes:
    """The MP4 with its index (``moov``) moved before the frames, as streaming tools write it."""
    boxes, i = [], 0
    while i < len(data):
        size, kind = struct.unpack(">I4s", data[i : i + 8])
        boxes.append((kind, data[i : i + size]))
        i += size
    moov = bytearray(dict(boxes)[b"moov"])
    at = moov.find(b"stco")  # chunk offsets move by the index's size
    while at != -1:
        for k in range(struct.unpack(">I", moov[at + 8 : at + 12])[0]):
            p = at + 12 + 4 * k
            offset = struct.unpack(">I", moov[p : p + 4])[0]
            moov[p : p + 4] = struct.pack(">I", offset + len(moov))
        at = moov.find(b"stco", at + 4)
    head = b"".join(b for k, b in boxes if k in (b"ftyp", b"free"))
    rest = b"".join(b for k, b in boxes if k not in (b"ftyp", b"free", b"moov"))
    return head + bytes(moov) + rest


def test_a_video_cut_short_with_its_index_intact_is_warned_about(tmp_path):
    data = faststart((SAMPLES / "synthetic_hfs_left.mp4").read_bytes())
    video = tmp_path / "videos" / "cut.mp4"
    video.parent.mkdir()
    video.write_bytes(data[: len(data) // 3])
    result = run("analyze", video, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "warning: only" in result.stderr and "of the 600 frames" in result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["warnings"] and "cut short" in summary["warnings"][0]
    result = run("batch", video.parent, "-o", tmp_path / "batch")
    cohort = pd.read_csv(tmp_path / "batch" / "cohort.csv")
    assert "of the 600 frames" in cohort.loc[0, "warnings"]
    page = (tmp_path / "batch" / "cut" / "report.html").read_text()  # the clinician's page
    assert "Warnings" in page and "of the 600 frames" in page
    result = run("live", "--source", video, "--no-display", "-o", tmp_path / "live")
    assert result.returncode == 0, result.stderr  # the same file, played as a camera
    summary = json.loads((tmp_path / "live" / "summary.json").read_text())
    assert summary["warnings"] and "of the 600 frames" in summary["warnings"][0]


def test_an_annotated_video_of_another_video_is_refused(tmp_path, archive):
    folder = tmp_path / "visit"
    shutil.copytree(archive[0] / "synthetic_hfs_left", folder)
    other = SAMPLES / "synthetic_hfs_right.mp4"
    result = run("report", folder, "--annotated-video", "--video", other)
    assert_one_line_error(result, "synthetic_hfs_right.mp4", "is not the video")
    assert not (folder / "annotated.mp4").exists()


def test_a_rerun_leaves_no_file_of_the_earlier_run_behind(tmp_path, archive):
    folder = tmp_path / "visit"
    shutil.copytree(archive[0] / "synthetic_hfs_left", folder)
    (folder / "annotated.mp4").write_bytes(b"an earlier run's video")
    (folder / ".summary.json.k1ll3d.tmp").write_bytes(b"")
    assert (folder / "report.html").is_file() and (folder / "frames.parquet").is_file()
    result = run("analyze", SAMPLES / "synthetic_hfs_left.mp4", "-o", folder, "--no-parquet")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == [
        "blinks.csv", "events.csv", "frames.csv", "landmarks.npz", "summary.json"
    ]  # fmt: skip


@pytest.fixture
def full_disk(tmp_path):
    """A 200 kB filesystem: too small for any analysis (needs the right to mount one)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(disk)],
                             capture_output=True)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root and mount rights)")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_gets_a_one_line_error_and_a_batch_goes_on(full_disk, tmp_path):
    short = [data_path("grid_bbaf2n.mpg"), data_path("grid_lwbsza.mpg")]  # 3 s each
    result = run("analyze", short[0], "-o", full_disk / "out")
    assert_one_line_error(result, "No space left on device", "landmarks.npz")
    assert result.returncode == 1
    assert list(full_disk.iterdir()) == []  # the folder it made is gone
    videos = tmp_path / "videos"
    videos.mkdir()
    for path in short:
        shutil.copy(path, videos)
    result = run("batch", videos, "-o", full_disk / "batch")
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr
    assert result.stderr.count("No space left on device") == 2  # each video named, then on
    failures = pd.read_csv(full_disk / "batch" / "failures.csv")
    assert len(failures) == 2 and (full_disk / "batch" / "batch.json").is_file()


@pytest.mark.parametrize(
    "args, words",
    [
        (["analyze", SAMPLES / "synthetic_hfs_left.mp4", "--threshold-z", "0"],
         ["--threshold-z must be above 0"]),
        (["live", "--no-display", "--camera", "-1"], ["--camera must be at least 0"]),
    ],
    ids=["threshold-z-0", "camera-minus-1"],
)  # fmt: skip
def test_values_that_would_crash_are_refused_naming_the_option(tmp_path, args, words):
    result = run(*args, "-o", tmp_path / "out")
    assert_one_line_error(result, *words)
    assert result.returncode == 1 and not (tmp_path / "out").exists()


def test_a_file_output_the_system_refuses_gets_a_one_line_error_before_any_work(tmp_path, archive):
    folder = archive[0] / "synthetic_hfs_left"
    cannot = "/proc/no-such-folder"  # no one, not even root, can make a folder there
    for args, words in (
        (["export", folder, f"{cannot}/review.eaf"], ["cannot write", cannot]),
        (["compare", folder, folder, "--json", f"{cannot}/c.json"], ["cannot write", cannot]),
        (["compare", folder, folder, "--plot", tmp_path], ["it is a folder"]),
        (["evaluate", folder, folder / "events.csv", "--json", tmp_path], ["it is a folder"]),
        (["synth", f"{cannot}/s.mp4", "--duration-s", "6"], ["cannot write", cannot]),
    ):
        result = run(*args)
        assert_one_line_error(result, *words)
        assert result.returncode == 1 and result.stdout == ""  # refused before any work


def test_output_into_a_closed_pipe_is_no_internal_error():
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as users run it
    process = subprocess.Popen(
        [sys.executable, "-m", "hfs_detect", "info"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    process.stdout.close()  # the reader went away, as `| head -0` does
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141  # as a shell reports SIGPIPE
    assert "internal error" not in stderr and "Traceback" not in stderr


def test_a_relative_path_is_recorded_whole_and_only_written_files_are_listed(tmp_path):
    out = tmp_path / "out"
    result = run("analyze", "synthetic_hfs_left.mp4", "-o", out, "--no-parquet", cwd=SAMPLES)
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["video"] == str((SAMPLES / "synthetic_hfs_left.mp4").resolve())
    listed = result.stdout.strip().splitlines()[-1]
    assert "frames.parquet" not in listed and not (out / "frames.parquet").exists()
    assert "landmarks.npz" in listed and (out / "landmarks.npz").exists()
    late = run("analyze", "synthetic_hfs_left.mp4", "-o", out, "--rest", "0:10-1:30", cwd=SAMPLES)
    assert late.returncode == 0, late.stderr
    assert "rest interval 10-90 s ends after the video ends (20 s): cut short" in late.stderr
