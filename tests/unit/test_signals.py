"""Signals: pose independence, sides, missing faces (landmarks from the astronaut picture)."""

import numpy as np
import pytest

from hfs_detect.face_mesh import SIDES
from hfs_detect.landmarks.mediapipe_tasks import Landmarker
from hfs_detect.landmarks.sources import Frame
from hfs_detect.signals import MEASURES, compute_signals

W, H = 512, 512


@pytest.fixture(scope="module")
def face(astronaut):
    """One real face frame: landmarks (478, 3), matrix (4, 4), blendshapes (52,)."""
    with Landmarker() as landmarker:
        found = landmarker.detect(Frame(0, 0.0, astronaut))
        names = landmarker.blendshape_names
    assert found.face
    return found.landmarks, found.matrix, found.blendshapes, names


def rotate(landmarks, matrix, yaw_deg, pitch_deg, roll_deg):
    """The same face turned by a known rotation (pixel space, y up, z to camera)."""
    scale = np.array([W, -H, -W])
    pixels = landmarks.astype(np.float64) * scale
    a, b, c = np.radians([yaw_deg, pitch_deg, roll_deg])
    ry = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    rx = np.array([[1, 0, 0], [0, np.cos(b), -np.sin(b)], [0, np.sin(b), np.cos(b)]])
    rz = np.array([[np.cos(c), -np.sin(c), 0], [np.sin(c), np.cos(c), 0], [0, 0, 1]])
    q = rz @ rx @ ry
    center = pixels.mean(axis=0)
    turned = (pixels - center) @ q.T + center
    new_matrix = matrix.astype(np.float64).copy()
    new_matrix[:3, :3] = q @ new_matrix[:3, :3]
    return (turned / scale).astype(np.float32), new_matrix.astype(np.float32)


def table(face, landmarks=None, matrix=None):
    lm, mx, bs, names = face
    lm = lm if landmarks is None else landmarks
    mx = mx if matrix is None else matrix
    return compute_signals(np.array([0.0]), lm[None], mx[None], bs[None], W, H, names)


@pytest.mark.parametrize("turn", [(25, 0, 0), (-25, 0, 0), (0, 15, 0), (0, 0, 20), (15, -10, 10)])
def test_measures_do_not_change_when_the_head_turns(face, turn):
    still = table(face)
    turned = table(face, *rotate(face[0], face[1], *turn))
    for measure in MEASURES:
        if measure == "ear_2d":
            continue
        for side in SIDES:
            column = f"{measure}_{side}"
            assert turned[column].iloc[0] == pytest.approx(
                still[column].iloc[0], rel=1e-4, abs=1e-6
            ), column


def test_plain_2d_ear_does_change_when_the_head_turns(face):
    still = table(face)
    turned = table(face, *rotate(face[0], face[1], 30, 0, 0))
    ratio_still = still.ear_2d_left.iloc[0] / still.ear_2d_right.iloc[0]
    ratio_turned = turned.ear_2d_left.iloc[0] / turned.ear_2d_right.iloc[0]
    assert abs(np.log(ratio_turned / ratio_still)) > 0.02


def test_pose_angles_follow_the_turn(face):
    still = table(face)
    turned = table(face, *rotate(face[0], face[1], 20, 0, 0))
    assert turned.yaw_deg.iloc[0] - still.yaw_deg.iloc[0] == pytest.approx(20, abs=0.5)


def test_a_frame_without_face_keeps_its_row_with_nan_measures(face):
    lm, mx, bs, names = face
    lms = np.stack([lm, np.full_like(lm, np.nan), lm])
    mxs = np.stack([mx, np.full_like(mx, np.nan), mx])
    bss = np.stack([bs, np.full_like(bs, np.nan), bs])
    out = compute_signals(np.array([0.0, 0.04, 0.08]), lms, mxs, bss, W, H, names)
    assert list(out.face) == [True, False, True]
    assert out.loc[1, "eye_aperture_left"] != out.loc[1, "eye_aperture_left"]  # NaN
    assert np.isfinite(out.loc[2, "eye_aperture_left"])


def test_blendshape_columns_are_named_by_the_patients_side(face):
    out = table(face)
    for pair in ("eyeBlink", "eyeSquint", "cheekSquint", "mouthSmile"):
        assert f"bs_{pair}_left" in out and f"bs_{pair}_right" in out
    assert "bs_jawOpen" in out
