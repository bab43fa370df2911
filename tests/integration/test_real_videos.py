"""Every real video in ../shared/data: one row per frame, container times, the face found."""

import cv2
import numpy as np
import pandas as pd
import pytest

from hfs_detect.events import EVENT_COLUMNS
from tests.conftest import FACE_LOST_VIDEOS, REAL_VIDEOS, data_path


def test_the_shared_real_videos_are_there():
    assert len(REAL_VIDEOS) >= 10, "expected the real videos of ../shared/data"


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL_VIDEOS)
def test_every_frame_has_a_row_timed_by_the_container(analyzed, name):
    path = data_path(name)
    frames = analyzed(path).frames
    cap = cv2.VideoCapture(str(path))
    times_ms = []
    while cap.grab():
        times_ms.append(cap.get(cv2.CAP_PROP_POS_MSEC))
    assert len(frames) == len(times_ms)
    np.testing.assert_allclose(frames.time_s.to_numpy() * 1000, times_ms, atol=1e-6)
    assert list(frames.frame) == list(range(len(frames)))


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in REAL_VIDEOS if n not in FACE_LOST_VIDEOS])
def test_the_face_is_found_in_at_least_99_percent_of_frames(analyzed, name):
    analysis = analyzed(data_path(name))
    assert analysis.summary["face_fraction"] >= 0.99, analysis.summary["face_fraction"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FACE_LOST_VIDEOS))
def test_frames_without_the_face_are_kept_as_nan_rows(analyzed, name):
    frames = analyzed(data_path(name)).frames
    lost = frames[~frames.face]
    assert len(lost) > 0.1 * len(frames)
    assert lost.filter(like="eye_aperture").isna().all().all()
    assert frames[frames.face].eye_aperture_left.notna().all()


@pytest.mark.slow
def test_the_face_video_loses_the_face_when_the_cartoon_starts(analyzed):
    frames = analyzed(data_path("pyfeat_face_noface.mov")).frames
    # the man is on screen until frame 71 (2.37 s); frame 72 is black, then a cartoon
    assert frames[frames.time_s < 2.35].face.all()
    assert frames[frames.time_s > 2.39].face.mean() < 0.05


@pytest.mark.slow
def test_the_output_folder_holds_the_contract_files(analyzed, tmp_path):
    from hfs_detect import analyze_video

    analyze_video(data_path("grid_lwbsza.mpg"), tmp_path)
    events = pd.read_csv(tmp_path / "events.csv")
    assert tuple(events.columns) == EVENT_COLUMNS
    frames = pd.read_csv(tmp_path / "frames.csv")
    parquet = pd.read_parquet(tmp_path / "frames.parquet")
    assert list(frames.columns) == list(parquet.columns)
    assert len(frames) == 75
    for column in (
        "frame",
        "time_s",
        "face",
        "yaw_deg",
        "eye_aperture_left",
        "eye_aperture_right",
        "lower_lid_height_left",
        "brow_height_right",
        "cheek_height_left",
        "mouth_eye_distance_right",
        "mouth_midline_distance_left",
    ):
        assert column in frames
    import json

    summary = json.loads((tmp_path / "summary.json").read_text())
    detector_keys = (  # the output contract's (DESIGN.md)
        "rest_s", "n_events", "events_per_rest_min", "spasm_fraction", "dominant_side", "verdict",
    )  # fmt: skip
    provenance_keys = (
        "duration_s",
        "mirrored",
        "hfs_detect_version",
        "mediapipe_version",
        "model_sha256",
        "parameters",
        "fps",
        "n_frames",
        "n_frames_face",
    )
    for key in detector_keys + provenance_keys:
        assert key in summary
    assert summary["duration_s"] == pytest.approx(3.0, abs=0.05)
    assert summary["n_frames"] == 75
