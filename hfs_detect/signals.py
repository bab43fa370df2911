"""Landmarks -> per-frame, per-side facial measures, independent of head pose.

Method
------
Each frame's landmarks are put in pixel units with y up and z towards the
camera, then rotated back by the inverse of the head rotation that MediaPipe's
facial transformation matrix gives (an orthonormalised 3x3 block). The result
is the face seen from the front whatever the head's yaw, pitch and roll. The
origin is the centroid of points that move little with expression
(:data:`~hfs_detect.face_mesh.RIGID`), and lengths are divided by their RMS
distance from it (the *face unit*), so measures do not depend on the distance
to the camera or the image size. In these face coordinates x points to the
image's right (the patient's left), y up.

Measures per side (the patient's ``left`` and ``right``):

``eye_aperture``
    Mean 3-D distance between three upper/lower lid point pairs, divided by
    the eye's 3-D width (outer to inner canthus). Falls when the eye closes.
    On a head-motion video its left/right ratio moved 16 times less with yaw
    than the 2-D eye aspect ratio's (see the README).
``lower_lid_height``
    Height of the lower lid above the line between the canthi (face units).
    Rises when orbicularis oculi contracts.
``brow_height``
    Height of the middle of the brow above the canthi (face units).
``cheek_height``
    Height of the malar (cheek) points above the face origin (face units).
``mouth_corner_height``
    Height of the mouth corner above the face origin (face units).
``mouth_eye_distance``
    Distance from the mouth corner to the same side's outer canthus (face
    units). Falls when the corner is pulled towards the eye.
``mouth_midline_distance``
    Horizontal distance of the mouth corner from the facial midline.
``mouth_opening`` (one column, not per side)
    Gap between the inner lips (face units): speech moves it.
``lower_lip_height`` (one column)
    Height of the middle of the inner lower lip (face units): it moves with
    the jaw when the person talks, and hardly when a spasm pulls the mouth
    corner and the upper lip up.
``ear_2d``
    The plain 2-D eye aspect ratio on image pixels (the field's usual
    measure, kept for comparison; it changes with head pose).

Blendshape scores of the same side (``bs_eyeBlink_left``, ...) are supporting
columns only: MediaPipe's blendshapes under-separate one-eye closures.

Quality columns: ``face``, ``n_faces``, ``yaw_deg``, ``pitch_deg``,
``roll_deg``, ``face_size_px``, the face position ``face_x_px``,
``face_y_px`` (centroid of :data:`~hfs_detect.face_mesh.HEAD_POINTS`, the
forehead and nose, which a spasm does not move) and head motion
(``head_speed_deg_s`` from the head rotation, ``head_shift_per_s`` from the
face position, in face units per second). Measured on synthetic full
closures: the rotation speed spikes as much (p95 14 deg/s during the spasms)
whether taken from MediaPipe's matrix or fitted to the forehead and nose
alone, since the whole mesh jumps with a closing lid; rest takes the median
over a second, which a few such frames do not move.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .face_mesh import (
    BLENDSHAPE_PAIRS,
    BLENDSHAPE_SINGLES,
    HEAD_POINTS,
    INNER_LIPS,
    N_BLENDSHAPES,
    N_LANDMARKS,
    RIGID,
    SIDE_INDICES,
    SIDES,
)

if TYPE_CHECKING:
    import pandas as pd

    from .landmarks.track import FaceLandmarks, LandmarkTrack

__all__ = [
    "MEASURES",
    "signal_columns",
    "face_coordinates",
    "head_pose_deg",
    "head_motion",
    "frame_signals",
    "compute_signals",
    "signal_arrays",
    "frames_table",
    "SignalRow",
    "ROW_MEASURES",
    "signal_rows",
    "frame_durations",
    "contraction",
    "rest_contraction",
]

MEASURES: tuple[str, ...] = (
    "eye_aperture",
    "lower_lid_height",
    "brow_height",
    "cheek_height",
    "mouth_corner_height",
    "mouth_eye_distance",
    "mouth_midline_distance",
    "ear_2d",
)
"""Per-side measures; each is a column ``<measure>_left`` and ``<measure>_right``."""

CONTRACTION_SIGN: dict[str, float] = {
    "eye_aperture": -1.0,
    "lower_lid_height": 1.0,
    "brow_height": 1.0,
    "cheek_height": 1.0,
    "mouth_corner_height": 1.0,
    "mouth_eye_distance": -1.0,
}
"""+1 if the measure grows when its side contracts (the lid, cheek and corner rise), -1 if
it shrinks (the eye narrows, the corner comes towards the eye)."""

_RIGID = np.array(RIGID)
_HEAD = np.array(HEAD_POINTS)
CHUNK_FRAMES = 512  # frames converted at once (about 6 MB per float64 copy)


def signal_columns(measure: str) -> tuple[str, str]:
    """The ``(left, right)`` column names of a per-side measure."""
    return f"{measure}_left", f"{measure}_right"


def _rotations(matrices: np.ndarray) -> np.ndarray:
    """Nearest rotation matrices to the 3x3 blocks of ``(n, 4, 4)`` matrices."""
    u, _, vt = np.linalg.svd(matrices[:, :3, :3].astype(np.float64))
    rotation = u @ vt
    flip = np.linalg.det(rotation) < 0
    if flip.any():
        u[flip, :, -1] *= -1
        rotation[flip] = u[flip] @ vt[flip]
    return rotation


def face_coordinates(
    landmarks: np.ndarray, matrices: np.ndarray, width: int, height: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Landmarks in pose-free face coordinates.

    Parameters
    ----------
    landmarks : (n, 478, 3) array
        MediaPipe's normalised landmarks.
    matrices : (n, 4, 4) array
        Facial transformation matrices.
    width, height : int
        Image size in pixels.

    Returns
    -------
    coords : (n, 478, 3) float64
        Frontal face coordinates in face units (x to the image's right, y up,
        z towards the camera), origin at the rigid points' centroid.
    face_size_px : (n,) float64
        The face unit in pixels.
    rotation : (n, 3, 3) float64
        Head rotation.
    """
    pixels = landmarks.astype(np.float64) * np.array([width, -height, -width], np.float64)
    rotation = _rotations(matrices)
    centered = pixels - pixels[:, _RIGID].mean(axis=1, keepdims=True)
    frontal = centered @ rotation  # row vectors: R^T p
    size = np.sqrt((frontal[:, _RIGID] ** 2).sum(axis=2).mean(axis=1))
    return frontal / size[:, None, None], size, rotation


def head_pose_deg(rotation: np.ndarray) -> np.ndarray:
    """``(n, 3)`` yaw, pitch, roll in degrees from ``(n, 3, 3)`` rotations.

    Yaw is positive when the face turns towards the image's right, pitch when
    it tilts up, roll when it tilts clockwise in the image.
    """
    yaw = np.degrees(np.arctan2(rotation[:, 0, 2], rotation[:, 2, 2]))
    pitch = np.degrees(np.arcsin(np.clip(-rotation[:, 1, 2], -1.0, 1.0)))
    roll = np.degrees(np.arctan2(rotation[:, 1, 0], rotation[:, 1, 1]))
    return np.stack([yaw, -pitch, -roll], axis=1)


def _side_measures(coords: np.ndarray, pixels_2d: np.ndarray, side: str) -> dict[str, np.ndarray]:
    ix = SIDE_INDICES[side]
    upper, lower = list(ix.upper_lid), list(ix.lower_lid)
    outer, inner = coords[:, ix.eye_outer], coords[:, ix.eye_inner]
    canthi_y = (outer[:, 1] + inner[:, 1]) / 2
    eye_width = np.linalg.norm(outer - inner, axis=1)
    lid_gap = np.linalg.norm(coords[:, upper] - coords[:, lower], axis=2).mean(axis=1)
    corner = coords[:, ix.mouth_corner]
    px_gap = np.linalg.norm(pixels_2d[:, upper] - pixels_2d[:, lower], axis=2).mean(axis=1)
    px_width = np.linalg.norm(pixels_2d[:, ix.eye_outer] - pixels_2d[:, ix.eye_inner], axis=1)
    return {
        "eye_aperture": lid_gap / eye_width,
        "lower_lid_height": coords[:, lower, 1].mean(axis=1) - canthi_y,
        "brow_height": coords[:, list(ix.brow), 1].mean(axis=1) - canthi_y,
        "cheek_height": coords[:, list(ix.cheek), 1].mean(axis=1),
        "mouth_corner_height": corner[:, 1],
        "mouth_eye_distance": np.linalg.norm(corner - outer, axis=1),
        "mouth_midline_distance": np.abs(corner[:, 0]),
        "ear_2d": px_gap / px_width,
    }


def head_motion(
    time_s: np.ndarray, pose_deg: np.ndarray, center_px: np.ndarray, size_px: np.ndarray
):
    """Angular speed (deg/s) and shift (face units/s) since the previous frame.

    Parameters
    ----------
    time_s : (n,) array
        Seconds.
    pose_deg : (n, 3) array
        Yaw, pitch, roll.
    center_px : (n, 2) array
        Face position (centroid of the rigid points) in pixels.
    size_px : (n,) array
        The face unit in pixels.

    Returns
    -------
    speed, shift : (n,) arrays, NaN for the first frame.
    """
    dt = np.diff(time_s, prepend=np.nan)
    speed = np.linalg.norm(np.diff(pose_deg, axis=0, prepend=np.nan), axis=1) / dt
    shift = np.linalg.norm(np.diff(center_px, axis=0, prepend=np.nan), axis=1) / size_px / dt
    return speed, shift


def frame_signals(
    face_frame: FaceLandmarks,
    width: int,
    height: int,
    blendshape_names: list[str] | None = None,
    previous: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """One landmarked frame's columns, as :func:`signal_arrays` gives them over a table.

    ``previous``: this function's result for the frame before, from which the
    head's motion is measured (as :func:`head_motion` does over a whole table).
    """

    def known(values, shape):
        return np.full(shape, np.nan, np.float32) if values is None else values

    columns = signal_arrays(
        np.array([face_frame.time_s]),
        known(face_frame.landmarks, (N_LANDMARKS, 3))[None],
        known(face_frame.matrix, (4, 4))[None],
        known(face_frame.blendshapes, (N_BLENDSHAPES,))[None],
        width,
        height,
        blendshape_names,
    )
    if previous is not None:
        pair = (previous, columns)
        speed, shift = head_motion(
            np.append(previous["time_s"], columns["time_s"]),
            np.array([[c[f"{a}_deg"][0] for a in ("yaw", "pitch", "roll")] for c in pair]),
            np.array([[c["face_x_px"][0], c["face_y_px"][0]] for c in pair]),
            np.append(previous["face_size_px"], columns["face_size_px"]),
        )
        columns["head_speed_deg_s"], columns["head_shift_per_s"] = speed[1:], shift[1:]
    columns["frame"] = np.array([face_frame.index])
    return columns


def compute_signals(
    time_s: np.ndarray,
    landmarks: np.ndarray,
    matrices: np.ndarray,
    blendshapes: np.ndarray,
    width: int,
    height: int,
    blendshape_names: list[str] | None = None,
) -> pd.DataFrame:
    """Per-frame measures for a run of frames (one frame or a whole video).

    The same as :func:`signal_arrays`, as a DataFrame.
    """
    import pandas as pd

    columns = signal_arrays(
        time_s, landmarks, matrices, blendshapes, width, height, blendshape_names
    )
    return pd.DataFrame(columns)


def signal_arrays(
    time_s: np.ndarray,
    landmarks: np.ndarray,
    matrices: np.ndarray,
    blendshapes: np.ndarray,
    width: int,
    height: int,
    blendshape_names: list[str] | None = None,
) -> dict[str, np.ndarray]:
    """Per-frame measures for a run of frames, as named columns (arrays of length n).

    Parameters
    ----------
    time_s : (n,) array
        Seconds from the start of the video.
    landmarks : (n, 478, 3) array
        MediaPipe's normalised landmarks, NaN rows where no face.
    matrices : (n, 4, 4) array
        Facial transformation matrices, NaN where no face.
    blendshapes : (n, 52) array
        Blendshape scores, NaN where no face.
    width, height : int
        Image size in pixels.
    blendshape_names : list of str, optional
        MediaPipe's category names in score order; without them the
        blendshape columns are left out.

    Returns
    -------
    dict of str to numpy.ndarray
        One value per frame in each column: ``time_s``, quality columns, ``<measure>_<side>``
        for every measure in :data:`MEASURES`, and ``bs_*`` columns. Rows
        without a face have NaN measures.
    """
    return _signal_columns(
        time_s, [(0, landmarks)], matrices, blendshapes, width, height, blendshape_names
    )


def _signal_columns(
    time_s, landmark_chunks, matrices, blendshapes, width, height, blendshape_names
) -> dict[str, np.ndarray]:
    """:func:`signal_arrays` over landmarks given in ``(first row, block)`` pieces."""
    n = len(time_s)
    face = np.zeros(n, bool)
    columns: dict[str, np.ndarray] = {"time_s": np.asarray(time_s, np.float64), "face": face}
    pose = np.full((n, 3), np.nan)
    size = np.full(n, np.nan)
    center = np.full((n, 2), np.nan)
    per_side = {side: {m: np.full(n, np.nan) for m in MEASURES} for side in SIDES}
    mouth_opening = np.full(n, np.nan)
    lower_lip = np.full(n, np.nan)
    for first, block in landmark_chunks:
        found = ~np.isnan(block[:, 0, 0]) & ~np.isnan(matrices[first : first + len(block), 0, 0])
        face[first : first + len(block)] = found
        in_block = np.flatnonzero(found)
        for start in range(0, len(in_block), CHUNK_FRAMES):  # bounded memory
            local = in_block[start : start + CHUNK_FRAMES]
            rows = local + first
            coords, size[rows], rotation = face_coordinates(
                block[local], matrices[rows], width, height
            )
            pose[rows] = head_pose_deg(rotation)
            pixels_2d = block[local, :, :2].astype(np.float64) * [width, height]
            center[rows] = pixels_2d[:, _HEAD].mean(axis=1)  # not moved by a spasm
            mouth_opening[rows] = np.linalg.norm(
                coords[:, INNER_LIPS[0]] - coords[:, INNER_LIPS[1]], axis=1
            )
            lower_lip[rows] = coords[:, INNER_LIPS[1], 1]
            for side in SIDES:
                for name, values in _side_measures(coords, pixels_2d, side).items():
                    per_side[side][name][rows] = values
    speed, shift = head_motion(columns["time_s"], pose, center, size)
    columns.update(
        yaw_deg=pose[:, 0],
        pitch_deg=pose[:, 1],
        roll_deg=pose[:, 2],
        face_size_px=size,
        face_x_px=center[:, 0],
        face_y_px=center[:, 1],
        head_speed_deg_s=speed,
        head_shift_per_s=shift,
    )
    for measure in MEASURES:
        for side in SIDES:
            columns[f"{measure}_{side}"] = per_side[side][measure]
    columns["mouth_opening"] = mouth_opening
    columns["lower_lip_height"] = lower_lip
    if blendshape_names:
        position = {name: i for i, name in enumerate(blendshape_names)}
        for pair in BLENDSHAPE_PAIRS:
            # MediaPipe names blendshape sides from the subject's view (checked
            # with one-eye closures): "eyeBlinkLeft" is the patient's left eye.
            for side in SIDES:
                key = f"{pair}{side.capitalize()}"
                if key in position:
                    columns[f"bs_{pair}_{side}"] = blendshapes[:, position[key]].astype(np.float64)
        for single in BLENDSHAPE_SINGLES:
            if single in position:
                columns[f"bs_{single}"] = blendshapes[:, position[single]].astype(np.float64)
    return columns


def frames_table(track: LandmarkTrack) -> pd.DataFrame:
    """The per-frame table of a track: frame index, signals, quality."""
    import pandas as pd

    meta = track.meta
    columns = _signal_columns(
        track.time_s,
        track.landmark_chunks(),  # piece by piece: a long video's landmarks stay on disk
        track.matrices,
        track.blendshapes,
        meta["width"],
        meta["height"],
        meta.get("blendshape_names"),
    )
    table = pd.DataFrame(columns)
    table.insert(0, "frame", track.index)
    table.insert(3, "n_faces", track.n_faces.astype(np.int64))
    return table


ROW_MEASURES: tuple[str, ...] = (
    "eye_aperture",
    "lower_lid_height",
    "cheek_height",
    "mouth_eye_distance",
    "mouth_corner_height",
    "brow_height",
)
"""The per-side measures a :class:`SignalRow` carries, in the order of its ``measures``."""


@dataclass(slots=True)
class SignalRow:
    """One frame as the per-frame chain (rest, then the detector) reads it.

    The typed form of a frames-table row: :func:`signal_rows` makes it from the
    table (``analyze``) or from one frame's columns (``live``). The
    :class:`~hfs_detect.session.runner.SessionRunner` fills in ``rest`` and ``burst``.

    Attributes
    ----------
    frame : int
        The frame's index in its video.
    time_s : float
        Seconds from the start.
    face : bool
        Whether the subject was found.
    measures : (len(ROW_MEASURES), 2) float array
        The per-side measures of :data:`ROW_MEASURES`, columns left and right;
        NaN without a face.
    head_speed_deg_s, head_shift_per_s : float
        Head motion since the previous frame (NaN for the first).
    lower_lip_height : float
        The jaw's position (face units; 0 when unknown).
    mouth_opening : float
        The gap between the inner lips (face units; NaN when unknown).
    jaw_open, brow_inner_up : float
        MediaPipe's ``jawOpen`` and ``browInnerUp`` scores (0 when unknown).
    smile : float
        The smaller of the two ``mouthSmile`` scores: both corners up (0 when unknown).
    rest : bool
        Whether the frame was judged at rest.
    burst : str
        The side of the burst in progress at this frame, or ``""``.
    """

    frame: int
    time_s: float
    face: bool
    measures: np.ndarray
    head_speed_deg_s: float
    head_shift_per_s: float
    lower_lip_height: float
    mouth_opening: float
    jaw_open: float
    brow_inner_up: float
    smile: float
    rest: bool = False
    burst: str = ""


def signal_rows(columns: Mapping | pd.DataFrame) -> list[SignalRow]:
    """The :class:`SignalRow` of every frame of a frames table (or of :func:`signal_arrays`'
    columns); missing blendshape columns count as 0."""
    n = len(columns["time_s"])

    def column(name: str, unknown: float = np.nan) -> np.ndarray:
        if name not in columns:
            return np.full(n, unknown)
        values = np.asarray(columns[name], np.float64)
        return values if np.isnan(unknown) else np.where(np.isfinite(values), values, unknown)

    measures = np.stack(
        [np.stack([column(c) for c in signal_columns(m)], axis=1) for m in ROW_MEASURES], axis=1
    )
    index = np.asarray(columns["frame"]) if "frame" in columns else np.arange(n)
    time_s, face = np.asarray(columns["time_s"], np.float64), np.asarray(columns["face"], bool)
    speed, shift = column("head_speed_deg_s"), column("head_shift_per_s")
    lip, jaw = column("lower_lip_height", 0.0), column("bs_jawOpen", 0.0)
    opening = column("mouth_opening")
    brow = column("bs_browInnerUp", 0.0)
    smile = np.minimum(column("bs_mouthSmile_left", 0.0), column("bs_mouthSmile_right", 0.0))
    return [
        SignalRow(
            int(index[i]),
            float(time_s[i]),
            bool(face[i]),
            measures[i],
            float(speed[i]),
            float(shift[i]),
            float(lip[i]),
            float(opening[i]),
            float(jaw[i]),
            float(brow[i]),
            float(smile[i]),
        )  # fmt: skip
        for i in range(n)
    ]


def frame_durations(time_s: np.ndarray) -> np.ndarray:
    """Seconds each frame stands for (gaps longer than 4 frames count as 4 frames)."""
    steps = np.diff(time_s)
    typical = float(np.median(steps)) if len(steps) else 0.0
    return np.append(np.minimum(steps, 4 * typical), typical)


def contraction(measure: str, values, reference):
    """How far a side has contracted from its rest value, + = contracting.

    The one definition every stage uses. The eye: the fraction of its rest
    aperture lost (its *closure*, 0 open, 1 shut); the other measures: the
    change in face units, signed by :data:`CONTRACTION_SIGN`.
    """
    values = np.asarray(values, float)
    if measure == "eye_aperture":
        return 1.0 - values / reference
    return CONTRACTION_SIGN[measure] * (values - reference)


def rest_contraction(frames: pd.DataFrame, measure: str, rest=None) -> dict[str, np.ndarray]:
    """Per side, :func:`contraction` of every frame against the median over ``rest`` frames
    (all frames with a face if ``rest`` holds none)."""
    rest = np.ones(len(frames), bool) if rest is None else np.asarray(rest, bool)
    if not rest.any():
        rest = frames["face"].to_numpy(bool)
    out = {}
    for side in SIDES:
        values = frames[f"{measure}_{side}"].to_numpy(float)
        at_rest = values[rest]
        reference = float(np.nanmedian(at_rest)) if np.isfinite(at_rest).any() else np.nan
        out[side] = contraction(measure, values, reference)
    return out
