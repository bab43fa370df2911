"""Batch helpers: finding videos, naming folders, the resume key."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hfs_detect._checks import HFSDetectError
from hfs_detect.batch import BatchRun, find_videos, output_names
from hfs_detect.session import Settings


def test_equal_settings_spelled_differently_are_the_same_settings():
    spelled_out = {"detector": {"threshold_z": 3.5}, "max_faces": 4, "mirrored": False}
    default = BatchRun.from_options(None)
    assert default.settings.key() == BatchRun.from_options(spelled_out).settings.key()
    assert default.settings.key() == Settings().key()
    assert BatchRun.from_options({"detector": {"threshold_z": 5}}).settings != default.settings


def test_an_unknown_option_is_refused():
    with pytest.raises(HFSDetectError, match="unknown setting"):
        BatchRun.from_options({"treshold_z": 5})


def test_find_videos_in_folders_and_globs(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/one.mp4", "a/b/two.MOV", "a/notes.txt"):
        (tmp_path / name).write_bytes(b"x")
    found = find_videos(tmp_path / "a")
    assert sorted(p.name for p in found) == ["one.mp4", "two.MOV"]  # not notes.txt
    assert [p.name for p in find_videos(str(tmp_path / "a" / "*.mp4"))] == ["one.mp4"]
    with pytest.raises(HFSDetectError, match="not found"):
        find_videos(tmp_path / "missing")


def test_output_names_are_unique():
    videos = [Path("/x/visit1/p.mp4"), Path("/x/visit2/p.mp4"), Path("/x/q.mp4")]
    names = output_names(videos)
    assert names[Path("/x/q.mp4")] == "q"
    assert len(set(names.values())) == 3


def test_a_pool_gets_the_longest_video_first_and_unreadable_files_last(tmp_path):
    from hfs_detect.batch import longest_first
    from tests.conftest import SAMPLES, data_path

    short = SAMPLES / "synthetic_hfs_left.mp4"  # 20 s
    long = data_path("talkingface_franck_200s.mp4")  # 200 s
    notes = tmp_path / "notes.mp4"
    notes.write_text("not a video\n")
    jobs = [(str(notes), "a"), (str(short), "b"), (str(long), "c")]
    assert [folder for _, folder in longest_first(jobs)] == ["c", "b", "a"]


def test_opencv_runs_on_one_thread_in_hfs_detects_own_processes_unless_the_user_set_it(
    monkeypatch,
):
    from hfs_detect._checks import native_library_defaults

    monkeypatch.delenv("OPENCV_FOR_THREADS_NUM", raising=False)
    native_library_defaults(one_opencv_thread=False)  # a caller's process: left alone
    assert "OPENCV_FOR_THREADS_NUM" not in os.environ
    native_library_defaults()  # the command line, a pool worker
    assert os.environ["OPENCV_FOR_THREADS_NUM"] == "1"
    monkeypatch.setenv("OPENCV_FOR_THREADS_NUM", "4")
    native_library_defaults()
    assert os.environ["OPENCV_FOR_THREADS_NUM"] == "4"  # the user's own setting wins


def test_output_names_stay_stable_across_runs_into_one_folder(tmp_path):
    first, second = Path("/x/visit1/p.mp4"), Path("/x/visit2/p.mp4")
    from tests.unit.session.test_summary import a_summary

    (tmp_path / "p").mkdir()
    summary = a_summary()
    summary.recording.video = str(first)
    (tmp_path / "p" / "summary.json").write_text(json.dumps(summary.to_dict()))
    # the first visit keeps its folder when the second joins it in a run
    names = output_names([first, second], tmp_path)
    assert names[first] == "p" and names[second].startswith("visit2_p_")
    # the second visit alone never takes the first's folder
    assert output_names([second], tmp_path)[second] == names[second]
    assert output_names([second])[second] == "p"  # no output folder given: as before


def _analysis_of(folder: Path, video: Path, recorded: str | None = None) -> None:
    from hfs_detect.session import video_fingerprint
    from tests.unit.session.test_summary import a_summary

    folder.mkdir(parents=True)
    summary = a_summary()
    summary.recording.video = recorded or str(video)
    summary.recording.video_fingerprint = video_fingerprint(video)
    (folder / "summary.json").write_text(json.dumps(summary.to_dict()))


def test_a_video_finds_its_own_folder_by_another_path(tmp_path):
    archive = tmp_path / "archive"
    (archive / "a").mkdir(parents=True)
    (archive / "b").mkdir()
    for sub, data in (("a", b"first visit"), ("b", b"second visit")):
        (archive / sub / "P01.mp4").write_bytes(data)
    out = tmp_path / "results"
    first, second = archive / "a" / "P01.mp4", archive / "b" / "P01.mp4"
    # made when the archive sat elsewhere (or recorded resolved by an older version)
    _analysis_of(out / "P01", first, recorded="/mnt/old/archive/a/P01.mp4")
    assert output_names([first], out) == {first: "P01"}  # the same bytes: its folder
    names = output_names([first, second], out)
    assert names[first] == "P01" and names[second].startswith("b_P01_")
    # the second visit alone, rerun: it finds its longer-named folder again
    _analysis_of(out / names[second], second)
    assert output_names([second], out) == {second: names[second]}


def test_a_damaged_summary_neither_names_nor_stops_a_batch(tmp_path):
    from hfs_detect.batch import _kept

    video = tmp_path / "P01.mp4"
    video.write_bytes(b"x")
    (tmp_path / "out" / "P01").mkdir(parents=True)
    (tmp_path / "out" / "P01" / "summary.json").write_text("[]")
    assert output_names([video], tmp_path / "out") == {video: "P01"}
    assert _kept(video, tmp_path / "out" / "P01", BatchRun(), "0" * 64) is False


def test_a_link_to_a_file_also_found_is_analysed_once(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "P01.mp4").write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    os.symlink(tmp_path / "a" / "P01.mp4", tmp_path / "sub" / "P01.mp4")
    os.symlink(tmp_path / "a" / "P01.mp4", tmp_path / "P07.mp4")  # a pseudonym, alone
    assert find_videos(tmp_path) == [tmp_path / "P07.mp4"]
    assert find_videos(tmp_path / "sub") == [tmp_path / "sub" / "P01.mp4"]  # the link's name
