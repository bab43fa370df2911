"""The LiteRT engine against MediaPipe's: the same landmarks, the same bursts, its own cache."""

import json
import shutil

import numpy as np
import pytest

from tests.conftest import SAMPLES, data_path


@pytest.mark.parametrize("name", ["synthetic_hfs_left", "synthetic_hfs_right"])
def test_the_litert_engine_finds_the_bursts_mediapipe_finds(analyzed, name):
    reference = analyzed(SAMPLES / f"{name}.mp4")
    ours = analyzed(SAMPLES / f"{name}.mp4", engine="litert")
    assert ours.summary["landmark_engine"] == "litert"
    assert reference.summary["landmark_engine"] == "mediapipe"
    assert list(ours.events.side) == list(reference.events.side)
    np.testing.assert_allclose(ours.events.start_s, reference.events.start_s, atol=0.1)
    size = np.array([ours.summary["width"], ours.summary["height"]])
    p, q = reference.track.landmarks[:, :, :2] * size, ours.track.landmarks[:, :, :2] * size
    eye = np.linalg.norm(p[:, 33] - p[:, 263], axis=1)
    assert np.mean(np.linalg.norm(p - q, axis=2).mean(axis=1) / eye) < 0.01


def test_the_litert_engine_follows_a_real_face_as_mediapipe_does(analyzed):
    video = data_path("webcam_rest_mounish.mp4")
    reference, ours = analyzed(video), analyzed(video, engine="litert")
    assert (reference.frames.face == ours.frames.face).mean() > 0.99
    both = (reference.frames.face & ours.frames.face).to_numpy()
    size = np.array([reference.summary["width"], reference.summary["height"]])
    p = reference.track.landmarks[both, :, :2] * size
    q = ours.track.landmarks[both, :, :2] * size
    eye = np.linalg.norm(p[:, 33] - p[:, 263], axis=1)
    assert np.mean(np.linalg.norm(p - q, axis=2).mean(axis=1) / eye) < 0.002  # 0.01% here
    for column in ("eye_aperture_left", "eye_aperture_right"):
        x, y = reference.frames[column].to_numpy()[both], ours.frames[column].to_numpy()[both]
        span = np.percentile(x, 99) - np.percentile(x, 1)
        assert np.median(np.abs(x - y)) < 0.02 * span, column


def test_a_landmark_cache_is_never_reused_by_the_other_engine(tmp_path, archive):
    from hfs_detect import analyze_video

    out = tmp_path / "visit"
    out.mkdir()
    shutil.copy(archive[0] / "synthetic_hfs_left" / "landmarks.npz", out)  # MediaPipe's
    first = analyze_video(SAMPLES / "synthetic_hfs_left.mp4", out, engine="litert")
    assert not first.summary["landmarks_from_cache"]
    again = analyze_video(SAMPLES / "synthetic_hfs_left.mp4", out, engine="litert")
    assert again.summary["landmarks_from_cache"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["landmark_engine"] == summary["parameters"]["engine"] == "litert"


def test_a_live_session_with_the_litert_engine_finds_what_analyze_finds(tmp_path, analyzed):
    from hfs_detect.live import run_live
    from hfs_detect.sources import open_video

    video = SAMPLES / "synthetic_hfs_left.mp4"
    with open_video(video) as source:
        live = run_live(source, tmp_path / "live", display=False, engine="litert")
    offline = analyzed(video, engine="litert")
    assert live.analysis.summary["landmark_engine"] == "litert"
    assert list(live.analysis.events.side) == list(offline.events.side)
    np.testing.assert_allclose(live.analysis.events.start_s, offline.events.start_s, atol=1e-6)
