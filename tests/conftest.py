"""Shared fixtures.

Real face videos are read from ``../shared/data`` beside the checkout (never
copied into the repository); ``HFS_DETECT_DATA`` points elsewhere. Videos are
analysed once per test session (MediaPipe is the slow part) and the results
shared between tests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
DATA = Path(os.environ.get("HFS_DETECT_DATA", REPO.parent / "shared" / "data"))

REAL_VIDEOS = (
    sorted(
        p.name
        for p in DATA.glob("*")
        if p.suffix.lower() in {".mp4", ".mov", ".mpg", ".avi", ".mkv"}
    )
    if DATA.is_dir()
    else []
)
"""Every real video in the shared data folder (none shows spasm)."""

FACE_LOST_VIDEOS = {"pyfeat_face_noface.mov", "hamilton_stage_hardcase.mp4"}
"""Videos in which the face is missing for a real part of the time."""


def data_path(name: str) -> Path:
    """A file of the shared real data; the test fails loudly if it is missing."""
    path = DATA / name
    assert path.exists(), f"shared test data missing: {path} (set HFS_DETECT_DATA)"
    return path


@pytest.fixture(scope="session")
def bad_files(tmp_path_factory) -> Path:
    """A cut-short MP4 and a text file named .mp4."""
    folder = tmp_path_factory.mktemp("bad")
    data = (SAMPLES / "synthetic_hfs_left.mp4").read_bytes()
    (folder / "cut_short.mp4").write_bytes(data[: len(data) // 3])
    (folder / "notes.mp4").write_text("visit notes, not a video\n")
    return folder


@pytest.fixture(scope="session")
def archive(tmp_path_factory, bad_files):
    """The batch over every real video, both samples and two bad files (2 workers).

    MediaPipe runs once per video in a test session: here. Returns
    ``(out_dir, BatchResult)``.
    """
    from hfs_detect.batch import run_batch

    out = tmp_path_factory.mktemp("archive")
    inputs = [DATA, SAMPLES, bad_files] if DATA.is_dir() else [SAMPLES, bad_files]
    return out, run_batch(inputs, out, workers=2)


@pytest.fixture(scope="session")
def analyzed(tmp_path_factory, archive):
    """``analyzed(path, **options)`` -> Analysis, run once per path and options.

    With default options a video of the archive starts from the archive's
    landmark cache (the same model and landmark options), so MediaPipe is not
    run twice on it.
    """
    from hfs_detect import analyze_video

    root = tmp_path_factory.mktemp("analyses")
    archive_dir, _ = archive
    done = {}

    def run(path, **options):
        key = (str(path), tuple(sorted(options.items())))
        if key not in done:
            out = root / f"{Path(path).stem}-{len(done)}"
            cached = archive_dir / Path(path).stem / "landmarks.npz"
            if not options and cached.is_file():
                out.mkdir()
                shutil.copy(cached, out / "landmarks.npz")
            done[key] = (analyze_video(path, out, **options), out)
        return done[key][0]

    return run


@pytest.fixture(scope="session")
def astronaut():
    """The astronaut picture scikit-image ships: one frontal face, 512x512 RGB."""
    from skimage import data

    return data.astronaut()


@pytest.fixture(scope="session")
def astronaut_points(astronaut):
    """MediaPipe's 478 landmarks of the astronaut picture, in pixels."""
    from hfs_detect.synth.render import face_points

    return face_points(astronaut)


def write_video(path: Path, frames_rgb, fps: float = 30.0) -> Path:
    """Write RGB frames to an MPEG-4 file (a fixture helper)."""
    import cv2

    frames_rgb = list(frames_rgb)
    height, width = frames_rgb[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    assert writer.isOpened()
    for frame in frames_rgb:
        writer.write(cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2BGR))
    writer.release()
    return path


@pytest.fixture(scope="session")
def short_clip(tmp_path_factory) -> Path:
    """The left sample's first 9 s (270 frames): a face at rest, then at 7.3 s a tonic
    left burst (eye, cheek and mouth corner) and its end; small enough for unit tests."""
    import cv2

    path = tmp_path_factory.mktemp("clip") / "left_9s.mp4"
    capture = cv2.VideoCapture(str(SAMPLES / "synthetic_hfs_left.mp4"))
    fps = capture.get(cv2.CAP_PROP_FPS)
    frames = []
    while len(frames) < int(9 * fps):
        ok, bgr = capture.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    capture.release()
    return write_video(path, frames, fps)
