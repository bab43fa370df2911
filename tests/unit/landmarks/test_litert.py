"""The LiteRT engine's parts: the bundle's canonical face, the detector's anchors, smoothing."""

import zipfile

import numpy as np
import pytest

from hfs_detect import HFSDetectError
from hfs_detect.landmarks import default_model_path, open_landmarker
from hfs_detect.landmarks.litert import (
    BLENDSHAPE_NAMES,
    BLENDSHAPE_POINTS,
    OneEuroSmoother,
    _anchors,
    canonical_face,
)


def test_the_bundle_holds_the_canonical_face_mediapipe_fits_head_pose_to():
    with zipfile.ZipFile(default_model_path()) as bundle:
        vertices, ids, weights = canonical_face(
            bundle.read("geometry_pipeline_metadata_landmarks.binarypb")
        )
    assert vertices.shape == (468, 3)
    assert len(ids) == len(weights) > 10 and (weights > 0).all()
    # the canonical face is symmetric: the outer eye corners mirror each other in x
    assert vertices[33, 0] == pytest.approx(-vertices[263, 0], abs=0.05)


def test_the_detector_has_896_anchors_and_the_blendshape_model_146_points():
    assert _anchors().shape == (896, 2)
    assert len(BLENDSHAPE_POINTS) == 146 and len(BLENDSHAPE_NAMES) == 52


def test_smoothing_holds_still_landmarks_and_lets_a_fast_move_through():
    smoother = OneEuroSmoother()
    rng = np.random.default_rng(0)
    face = rng.uniform(100, 300, (478, 3))
    jitter = [smoother.apply(i / 30, face + rng.normal(0, 0.5, face.shape)) for i in range(60)]
    assert np.abs(jitter[-1] - face).mean() < 0.2  # half-pixel noise mostly filtered out
    moved = face + [40.0, 0.0, 0.0]  # the head moves a fifth of the face in one frame
    out = [smoother.apply((60 + i) / 30, moved) for i in range(3)]
    assert np.abs(out[-1] - moved).mean() < 4.0  # followed within a few frames


def test_an_unknown_engine_is_refused_by_name():
    with pytest.raises(HFSDetectError, match="unknown landmark engine 'tflite'"):
        open_landmarker("tflite")
