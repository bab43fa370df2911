"""The landmark cache: round trip, provenance, reuse only when inputs match."""

import numpy as np

from hfs_detect import analyze_video
from hfs_detect.track import LandmarkTrack, load_track, save_track
from tests.conftest import data_path


def test_a_saved_track_loads_back_unchanged(tmp_path):
    rng = np.random.default_rng(1)
    track = LandmarkTrack(
        time_s=np.arange(4) / 30,
        index=np.arange(4),
        landmarks=rng.random((4, 478, 3)).astype(np.float32),
        blendshapes=rng.random((4, 52)).astype(np.float32),
        matrices=rng.random((4, 4, 4)).astype(np.float32),
        n_faces=np.ones(4, np.int16),
        meta={"width": 64, "height": 48},
    )
    track.landmarks[2] = np.nan
    save_track(tmp_path / "landmarks.npz", track)
    back = load_track(tmp_path / "landmarks.npz")
    np.testing.assert_array_equal(back.landmarks, track.landmarks)
    assert list(back.face) == [True, True, False, True]
    assert back.meta["width"] == 64


def test_an_unreadable_cache_is_ignored(tmp_path):
    bad = tmp_path / "landmarks.npz"
    bad.write_bytes(b"garbage")
    assert load_track(bad) is None


def test_a_rerun_reads_the_cache_and_gives_the_same_table(tmp_path):
    video = data_path("grid_bbaf2n.mpg")
    first = analyze_video(video, tmp_path)
    second = analyze_video(video, tmp_path)
    assert not first.summary["landmarks_from_cache"]
    assert second.summary["landmarks_from_cache"]
    assert first.frames.equals(second.frames)
    meta = load_track(tmp_path / "landmarks.npz").meta
    assert meta["key"]["model_sha256"] == first.summary["model_sha256"]
    assert meta["key"]["video_size_bytes"] == video.stat().st_size


def test_the_cache_is_not_used_for_other_landmark_options(tmp_path):
    video = data_path("grid_bbaf2n.mpg")
    analyze_video(video, tmp_path)
    again = analyze_video(video, tmp_path, mirrored=True)
    assert not again.summary["landmarks_from_cache"]
    assert again.summary["mirrored"] is True
