"""The LiteRT engine (the default) against MediaPipe's (the reference): the same landmarks,
the same bursts, its own cache; MediaPipe's graph where LiteRT is not installed."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import SAMPLES, data_path


@pytest.mark.parametrize("name", ["synthetic_hfs_left", "synthetic_hfs_right"])
def test_the_litert_engine_finds_the_bursts_mediapipe_finds(analyzed, name):
    reference = analyzed(SAMPLES / f"{name}.mp4", engine="mediapipe")
    ours = analyzed(SAMPLES / f"{name}.mp4")  # the default engine
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
    reference, ours = analyzed(video, engine="mediapipe"), analyzed(video)
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
    shutil.copy(archive[0] / "synthetic_hfs_left" / "landmarks.npz", out)  # LiteRT's
    first = analyze_video(SAMPLES / "synthetic_hfs_left.mp4", out, engine="mediapipe")
    assert not first.summary["landmarks_from_cache"]
    again = analyze_video(SAMPLES / "synthetic_hfs_left.mp4", out, engine="mediapipe")
    assert again.summary["landmarks_from_cache"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["landmark_engine"] == summary["parameters"]["engine"] == "mediapipe"
    assert summary["landmark_engine_reason"].startswith("chosen (--engine mediapipe)")
    assert "MediaPipe Face Landmarker (MediaPipe" in summary["methods"]


def test_the_default_engine_is_litert_and_says_so(analyzed):
    summary = analyzed(SAMPLES / "synthetic_hfs_left.mp4").summary
    assert summary["landmark_engine"] == summary["parameters"]["engine"] == "litert"
    assert summary["landmark_engine_reason"].startswith("the default")
    assert "hfs-detect's litert engine" in summary["methods"]


def test_without_litert_the_default_falls_back_to_mediapipe_and_says_why(tmp_path):
    """A machine where ai-edge-litert is not installed (Windows): MediaPipe's graph runs,
    and ``info`` and ``summary.json`` say why."""
    blocked = (
        "import sys; sys.modules['ai_edge_litert'] = None; "
        "from hfs_detect.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    info = subprocess.run([sys.executable, "-c", blocked, "info"], capture_output=True,
                          text=True, env=env, check=True)  # fmt: skip
    engine_line = next(line for line in info.stdout.splitlines() if line.startswith("engine"))
    assert "mediapipe, the default on this machine: ai-edge-litert is not" in engine_line
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-c", blocked, "analyze", str(SAMPLES / "synthetic_hfs_right.mp4"),
         "-o", str(out), "--no-progress"], capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["landmark_engine"] == "mediapipe"
    assert "ai-edge-litert is not installed" in summary["landmark_engine_reason"]
    assert summary["verdict"] == "unilateral_bursts" and summary["dominant_side"] == "right"
    blocked_engine = subprocess.run(
        [sys.executable, "-c", blocked, "analyze", str(SAMPLES / "synthetic_hfs_right.mp4"),
         "-o", str(tmp_path / "litert"), "--engine", "litert"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert blocked_engine.returncode == 1
    assert blocked_engine.stderr.strip().splitlines() == [
        "hfs-detect: error: the litert engine needs the ai-edge-litert package "
        "(pip install ai-edge-litert), or use --engine mediapipe"
    ]


def test_a_live_session_with_the_default_engine_finds_what_analyze_finds(tmp_path, analyzed):
    from hfs_detect.landmarks.sources import open_video
    from hfs_detect.live import run_live

    video = SAMPLES / "synthetic_hfs_left.mp4"
    with open_video(video) as source:
        live = run_live(source, tmp_path / "live", display=False)
    offline = analyzed(video)
    assert live.analysis.summary["landmark_engine"] == "litert"
    assert list(live.analysis.events.side) == list(offline.events.side)
    np.testing.assert_allclose(live.analysis.events.start_s, offline.events.start_s, atol=1e-6)
