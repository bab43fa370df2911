"""The landmark cache: round trip, provenance, reuse only when inputs match."""

import numpy as np

from hfs_detect import analyze_video
from hfs_detect.landmarks.track import LandmarkTrack, load_track, save_track
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
    track.landmarks[2] = track.matrices[2] = np.nan  # the subject not found
    save_track(tmp_path / "landmarks.npz", track)
    back = load_track(tmp_path / "landmarks.npz")
    np.testing.assert_array_equal(back.landmarks, track.landmarks)
    assert list(back.face) == [True, True, False, True]
    assert back.meta["width"] == 64


def test_a_long_track_keeps_its_landmarks_on_disk_and_reads_back_whole(tmp_path):
    from hfs_detect.landmarks.track import CHUNK_FRAMES, FaceLandmarks, TrackBuilder

    rng = np.random.default_rng(2)
    n = 2 * CHUNK_FRAMES + 7  # three pieces, the last one short
    points = rng.random((n, 478, 3)).astype(np.float32)
    builder = TrackBuilder()
    for i in range(n):
        found = i % 100 != 5
        builder.append(
            FaceLandmarks(
                i, i / 30, points[i] if found else None,
                np.zeros(52, np.float32) if found else None,
                np.eye(4, dtype=np.float32) if found else None, int(found),
            )
        )  # fmt: skip
    track = builder.build({"width": 64, "height": 48})
    assert isinstance(track.landmarks, np.memmap)  # not held in memory
    lost = np.arange(n) % 100 == 5
    assert list(track.face) == list(~lost)
    pieces = list(track.landmark_chunks())
    assert [start for start, _ in pieces] == [0, CHUNK_FRAMES, 2 * CHUNK_FRAMES]
    whole = np.concatenate([block for _, block in pieces])
    np.testing.assert_array_equal(whole[~lost], points[~lost])
    assert np.isnan(whole[lost]).all()
    save_track(tmp_path / "landmarks.npz", track)
    with np.load(tmp_path / "landmarks.npz") as plain:  # an ordinary .npz for numpy
        np.testing.assert_array_equal(plain["landmarks"], whole)
    back = load_track(tmp_path / "landmarks.npz")
    assert isinstance(back.landmarks, np.memmap)
    np.testing.assert_array_equal(np.asarray(back.landmarks), whole)
    np.testing.assert_array_equal(back.face_frame(3).landmarks, points[3])


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
