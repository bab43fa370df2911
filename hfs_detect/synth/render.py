"""Draw a synthetic session on a real face: a still picture, or a real video frame by frame.

A :class:`FaceSource` gives the frames to draw on and their landmarks:

- :class:`StillFace`: one picture, repeated, with slight head sway (the first
  synthetic sets);
- :class:`VideoFace`: a real video, played forward and backward
  ("ping-pong") for as long as the session lasts, so the spasms co-occur with
  the person's own micro-motion, blinks and expressions. Every frame is
  warped with its own landmarks.

Either may carry :class:`~hfs_detect.synth.warp.LidDonor` frames: the person's own
closed eyes, taken from their real blinks. A warp only narrows an eye (to
about 27% closed, as MediaPipe measures it); a strong closure blends the
donor's closed lid over the warped eye, so MediaPipe sees a real closed lid.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .._atomic import atomic_path
from .._checks import HFSDetectError
from ..face_mesh import SIDE_INDICES, SIDES
from ..signals import contraction
from .plan import SynthPlan, activation, write_truth
from .warp import (
    LID_ANCHORS,
    LidDonor,
    apply_maps,
    close_eye_map,
    identity_maps,
    open_mouth_map,
    paste_closed_lid,
    region_anchor,
    shift_map,
    yaw_homography,
)

__all__ = [
    "FaceSource",
    "StillFace",
    "VideoFace",
    "face_points",
    "find_lid_donors",
    "warp_face",
    "draw_contraction",
    "render_session",
    "REAL_LID_FROM",
    "prepare_video_face",
    "still_from_video",
    "astronaut_face",
]

REAL_LID_FROM = 0.35
"""Eye closure from which the donor's closed lid is blended in (fully from 0.85)."""
MAX_DONOR_MISFIT = 0.06
"""Largest alignment error (in eye widths) at which a donor lid is still pasted."""


def face_points(image: np.ndarray, model_path: str | os.PathLike | None = None) -> np.ndarray:
    """The face's 478 landmarks in pixels ``(478, 2)``, from MediaPipe."""
    from ..landmarks.mediapipe_tasks import Landmarker
    from ..landmarks.sources import Frame

    with Landmarker(model_path, max_faces=1) as landmarker:
        found = landmarker.detect(Frame(0, 0.0, np.ascontiguousarray(image)))
    if found.landmarks is None:
        raise HFSDetectError("no face found in the picture given to the synthesiser")
    return found.landmarks[:, :2].astype(np.float64) * [image.shape[1], image.shape[0]]


def warp_face(
    image: np.ndarray,
    points_px: np.ndarray,
    state: dict,
    jaw: float = 0.0,
    cheek_spread: float = 0.15,
) -> np.ndarray:
    """Apply one frame's contraction ``state`` to ``image``.

    ``state[side]`` holds amounts 0-1: ``upper`` and ``lower`` (the lids'
    shares of the eye closure) or just ``eye`` (upper-lid led), ``cheek``,
    ``mouth``, ``brow`` (raised) and ``purse``. ``jaw`` opens the mouth (talking).
    ``cheek_spread`` is the reach of the cheek raise in eye widths (see
    :class:`~hfs_detect.synth.plan.SynthPlan`).
    """
    height, width = image.shape[:2]
    map_x, map_y = identity_maps(height, width)
    eye_w = np.linalg.norm(points_px[263] - points_px[33])  # outer canthi: face scale
    sigma = 0.15 * eye_w
    for side in SIDES:
        amounts = state.get(side, {})
        if "upper" in amounts or "lower" in amounts:
            upper, lower = amounts.get("upper", 0.0), amounts.get("lower", 0.0)
            closure = upper + lower
            share = lower / closure if closure > 0 else 0.15
        else:
            closure, share = amounts.get("eye", 0.0), 0.15
        close_eye_map(map_y, points_px, side, closure, lower_share=share)
        toward_eye = 1.0 if side == "left" else -1.0  # the patient's left is image right
        if amounts.get("cheek", 0.0) > 0:
            lift = 0.10 if cheek_spread <= 0.15 else 0.12
            shift = np.array([0.0, -lift * eye_w]) * amounts["cheek"]
            anchor = region_anchor(points_px, side, "cheek")
            if cheek_spread > 0.15:  # zygomaticus: the malar region with the nasolabial fold
                corner = region_anchor(points_px, side, "mouth")
                anchor = anchor + 0.35 * (corner - anchor) + np.array([0.0, 0.05 * eye_w])
            shift_map(map_x, map_y, anchor, shift, cheek_spread * eye_w)
        if amounts.get("brow", 0.0) > 0:  # the frontalis: the brow and the skin below it
            lift = np.array([0.0, -0.10 * eye_w]) * amounts["brow"]
            shift_map(map_x, map_y, region_anchor(points_px, side, "brow"), lift, 1.6 * sigma)
        if amounts.get("purse", 0.0) > 0:  # lips pursed: the corner drawn to the midline
            inward = -toward_eye * 0.10 * eye_w * amounts["purse"]
            shift_map(map_x, map_y, region_anchor(points_px, side, "mouth"),
                      np.array([inward, 0.0]), 0.8 * sigma)  # fmt: skip
        if amounts.get("mouth", 0.0) > 0:
            shift = np.array([0.05 * toward_eye * eye_w, -0.10 * eye_w]) * amounts["mouth"]
            shift_map(map_x, map_y, region_anchor(points_px, side, "mouth"), shift, 0.8 * sigma)
    open_mouth_map(map_x, map_y, points_px, jaw)
    return apply_maps(image, map_x, map_y)


def draw_contraction(
    source: FaceSource,
    rgb: np.ndarray,
    points_px: np.ndarray,
    act: dict,
    i: int,
    cheek_spread: float = 0.15,
    real_lids: bool = True,
) -> np.ndarray:
    """Frame ``i`` of the activation ``act`` (:func:`~hfs_detect.synth.plan.activation`) drawn
    on ``rgb``: the warps, then the source's real closed lids blended into strong closures."""
    state = {side: {c: float(act[side][c][i]) for c in act[side]} for side in SIDES}
    frame = warp_face(rgb, points_px, state, float(act["jaw"][i]), cheek_spread)
    if real_lids:
        for side in SIDES:
            closure = float(act["eye"][side][i] - act["uneven"][side][i])  # beyond the unevenness
            alpha = np.clip((closure - REAL_LID_FROM) / 0.5, 0.0, 1.0)
            donor = source.best_donor(side, points_px) if alpha > 0 else None
            if donor is not None:
                alpha = float(alpha * alpha * (3 - 2 * alpha))  # smoothstep
                frame = paste_closed_lid(frame, points_px, donor, alpha)
    return frame


def find_lid_donors(
    points_px: np.ndarray,
    apertures: np.ndarray,
    *,
    min_closure: float = 0.7,
    max_donors: int = 6,
) -> list[tuple[int, str, float]]:
    """Frames whose eye is closed, from a video's landmarks: candidate lid donors.

    Parameters
    ----------
    points_px : (n, 478, 2) array
        Landmarks in pixels, NaN where no face.
    apertures : (n, 2) array
        The left and right ``eye_aperture`` of each frame (NaN where no face).
    min_closure : float
        Least closure (against the eye's median) for a donor.
    max_donors : int
        At most this many per side, from different blinks (1 s apart).

    Returns
    -------
    list of (frame, side, closure)
    """
    donors = []
    reference = np.nanmedian(apertures, axis=0)
    closure = contraction("eye_aperture", apertures, reference)
    both = np.nanmin(closure, axis=1)  # both eyes closed: a real blink, not a wink
    for k, side in enumerate(SIDES):
        score = np.where(both >= min_closure - 0.1, closure[:, k], -np.inf)
        order = np.argsort(-np.nan_to_num(score, nan=-np.inf))
        chosen: list[int] = []
        for frame in order:
            if not np.isfinite(score[frame]) or score[frame] < min_closure:
                break
            if all(abs(frame - c) > 30 for c in chosen):
                chosen.append(int(frame))
            if len(chosen) == max_donors:
                break
        donors += [(frame, side, float(closure[frame, k])) for frame in chosen]
    return donors


class FaceSource:
    """Frames to draw a session on, with their landmarks and lid donors."""

    fps: float = 30.0
    moving: bool = False
    donors: dict[str, list[LidDonor]]

    def frame(self, i: int) -> tuple[np.ndarray, np.ndarray | None]:
        """The ``i``-th output frame's picture (RGB) and landmarks in pixels."""
        raise NotImplementedError

    def best_donor(self, side: str, points_px: np.ndarray) -> LidDonor | None:
        """The donor of ``side`` that aligns best with ``points_px`` (None if none fits)."""
        import cv2

        best, best_err = None, MAX_DONOR_MISFIT
        anchors = list(LID_ANCHORS[side])
        ix = SIDE_INDICES[side]
        eye_w = float(np.linalg.norm(points_px[ix.eye_outer] - points_px[ix.eye_inner]))
        for donor in self.donors.get(side, []):
            src = donor.points_px[anchors].astype(np.float32)
            dst = points_px[anchors].astype(np.float32)
            matrix, _ = cv2.estimateAffinePartial2D(src, dst)
            if matrix is None:
                continue
            moved = src @ matrix[:, :2].T + matrix[:, 2]
            err = float(np.sqrt(((moved - dst) ** 2).sum(axis=1).mean())) / max(eye_w, 1.0)
            if err < best_err:
                best, best_err = donor, err
        return best


@dataclass
class StillFace(FaceSource):
    """One picture, repeated (the session's head sway comes from the plan)."""

    image: np.ndarray
    points_px: np.ndarray
    donors: dict[str, list[LidDonor]] = field(default_factory=dict)
    fps: float = 30.0
    moving: bool = False

    def frame(self, i: int) -> tuple[np.ndarray, np.ndarray | None]:
        return self.image, self.points_px


@dataclass
class VideoFace(FaceSource):
    """A real video's frames and landmarks, played ping-pong over ``first..last``.

    Attributes
    ----------
    frames : list of (h, w, 3) uint8
        The source frames in use (RGB).
    points_px : (n, 478, 2) float
        Their landmarks, NaN where no face.
    quiet : (n,) bool
        Frames where the source face is present, the head still, the mouth
        shut and the eyes open (blinks allowed): where the session is played.
    blinking : (n,) bool, optional
        Frames in or within 0.15 s of one of the source's own blinks: no true
        spasm sets in over them (a twitch inside a real blink closes both eyes
        alike and leaves nothing to judge); a long one may go on through them.
    """

    frames: list
    points_px: np.ndarray
    quiet: np.ndarray
    donors: dict[str, list[LidDonor]] = field(default_factory=dict)
    blinking: np.ndarray | None = None
    fps: float = 30.0
    moving: bool = True
    first: int = 0
    last: int | None = None

    def index(self, i: int) -> int:
        """Source frame of output frame ``i`` (forward, then backward, ...)."""
        last = len(self.frames) - 1 if self.last is None else self.last
        n = last - self.first + 1
        if n <= 1:
            return self.first
        period = 2 * (n - 1)
        k = i % period
        return self.first + (k if k < n else period - k)

    def quiet_part(self, min_s: float = 2.0) -> VideoFace:
        """The same face played over its longest quiet stretch only (if that is ``min_s`` long)."""
        edges = np.diff(np.r_[0, self.quiet.astype(int), 0])
        runs = list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))
        if not runs:
            return self
        start, end = max(runs, key=lambda r: r[1] - r[0])
        if (end - start) / self.fps < min_s:
            return self
        return replace(self, first=int(start), last=int(end - 1))

    def frame(self, i: int) -> tuple[np.ndarray, np.ndarray | None]:
        j = self.index(i)
        points = self.points_px[j]
        return self.frames[j], (None if np.isnan(points[0, 0]) else points)

    def quiet_times(self, duration_s: float) -> np.ndarray:
        """Per output frame of a session of ``duration_s``: whether the source is quiet."""
        n = int(round(duration_s * self.fps))
        return np.array([self.quiet[self.index(i)] for i in range(n)], bool)

    def blink_free_times(self, duration_s: float) -> np.ndarray | None:
        """Per output frame: whether the source is also away from its own blinks (where
        a true spasm may set in); None if unknown."""
        if self.blinking is None:
            return None
        n = int(round(duration_s * self.fps))
        return np.array([not self.blinking[self.index(i)] for i in range(n)], bool)


def _sway(plan: SynthPlan, t: float, phase: np.ndarray, width: int) -> tuple[float, float]:
    angle = plan.sway_deg * np.sin(2 * np.pi * 0.13 * t + phase[0])
    shift = 0.01 * width * np.sin(2 * np.pi * 0.07 * t + phase[1])
    return float(angle), float(shift)


def render_session(
    image_or_source,
    plan: SynthPlan,
    out_video: str | os.PathLike,
    *,
    out_truth: str | os.PathLike | None = None,
    model_path: str | os.PathLike | None = None,
    real_lids: bool = True,
) -> Path:
    """Render ``plan`` on a face to an MP4, and write its truth.

    Parameters
    ----------
    image_or_source : (h, w, 3) uint8 RGB array, or FaceSource
        A picture with one frontal face, or a prepared :class:`FaceSource`
        (a video played frame by frame, donors of real closed lids).
    plan : SynthPlan
        What happens when.
    out_video : path-like
        The ``.mp4`` to write (MPEG-4 Part 2, readable by FFmpeg).
    out_truth : path-like, optional
        Where to write the true events (default: ``<video stem>.events.csv``
        beside the video); the plan goes beside it as ``.plan.json``.
    model_path : path-like, optional
        Landmark model used to find the face in a picture.
    real_lids : bool
        Blend the source's real closed lids into strong closures when it has
        donors.

    Returns
    -------
    pathlib.Path
        The video written.
    """
    import cv2

    out_video = Path(out_video)
    if isinstance(image_or_source, FaceSource):
        source = image_or_source
    else:
        image = np.ascontiguousarray(image_or_source)
        source = StillFace(image, face_points(image, model_path), fps=plan.fps)
    first, _ = source.frame(0)
    height, width = first.shape[:2]
    n = int(round(plan.duration_s * plan.fps))
    t = np.arange(n) / plan.fps
    act = activation(plan, t)
    rng = np.random.default_rng(plan.seed + 1)
    sway_phase = rng.uniform(0, 2 * np.pi, 2)
    with atomic_path(out_video) as tmp:
        writer = cv2.VideoWriter(
            str(tmp.with_suffix(".mp4")), cv2.VideoWriter_fourcc(*"mp4v"), plan.fps, (width, height)
        )
        if not writer.isOpened():
            raise HFSDetectError(f"cannot write video {out_video}: no MPEG-4 encoder")
        for i in range(n):
            rgb, points = source.frame(i)
            frame = rgb
            if points is not None:
                frame = draw_contraction(source, rgb, points, act, i, plan.cheek_spread, real_lids)
                center = points.mean(axis=0)
            else:
                center = np.array([width / 2, height / 2])
            angle, shift = _sway(plan, t[i], sway_phase, width)
            if not source.moving and (angle or shift):
                m = cv2.getRotationMatrix2D((float(center[0]), float(center[1])), angle, 1.0)
                m[0, 2] += shift
                frame = cv2.warpAffine(frame, m, (width, height), borderMode=cv2.BORDER_REFLECT)
            if act["yaw_deg"][i]:
                h = yaw_homography(width, height, center, float(act["yaw_deg"][i]))
                frame = cv2.warpPerspective(
                    frame, h, (width, height), borderMode=cv2.BORDER_REFLECT
                )
            if plan.noise_sd:
                noisy = frame.astype(np.float32) + rng.normal(0, plan.noise_sd, frame.shape)
                frame = np.clip(noisy, 0, 255).astype(np.uint8)
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        writer.release()
        tmp.with_suffix(".mp4").replace(tmp)
    write_truth(plan, out_truth or out_video.with_suffix(".events.csv"))
    return out_video


def _rolling(values: np.ndarray, window: int, fn) -> np.ndarray:
    import pandas as pd

    return fn(pd.Series(values).rolling(window, center=True, min_periods=1)).to_numpy()


def prepare_video_face(
    path: str | os.PathLike,
    *,
    max_side: int = 640,
    max_s: float = 60.0,
    model_path: str | os.PathLike | None = None,
    min_face_share: float = 0.5,
) -> VideoFace:
    """Decode a real video, find its landmarks, quiet stretches and closed-eye donors.

    Parameters
    ----------
    path : path-like
        A video with one face (any format FFmpeg reads).
    max_side : int
        Frames larger than this are scaled down (memory: every frame is kept).
    max_s : float
        Only the first ``max_s`` seconds are used.
    model_path : path-like, optional
        Landmark model (default: the shipped one).
    min_face_share : float
        Least share of frames with a face (0.5: a video to draw on frame by frame;
        0 when only one frame is taken, :func:`still_from_video`).

    Returns
    -------
    VideoFace
        The whole video (see :meth:`VideoFace.quiet_part`).
    """
    import cv2

    from ..landmarks.mediapipe_tasks import Landmarker
    from ..landmarks.sources import Frame, open_video
    from ..landmarks.track import TrackBuilder
    from ..signals import frames_table

    frames, builder = [], TrackBuilder()
    with open_video(path) as source, Landmarker(model_path, max_faces=1) as landmarker:
        scale = min(1.0, max_side / max(source.width, source.height))
        size = (int(round(source.width * scale / 2)) * 2, int(round(source.height * scale / 2)) * 2)
        for frame in source:
            if frame.time_s >= max_s:
                break
            rgb = frame.rgb if scale == 1.0 else cv2.resize(frame.rgb, size, cv2.INTER_AREA)
            frames.append(rgb)
            builder.append(landmarker.detect(Frame(frame.index, frame.time_s, rgb)))
        fps = source.fps or 30.0
        names = landmarker.blendshape_names or []
    track = builder.build({"width": size[0], "height": size[1], "blendshape_names": names})
    found = track.face
    if found.mean() < min_face_share or not found.any():
        raise HFSDetectError(
            f"{path} shows a face in {100 * found.mean():.0f}% of its first {len(found)} "
            f"frames: the generator needs a video of one face in view ({min_face_share:.0%} of "
            "the time or more)"
        )
    table = frames_table(track)
    points = track.landmarks[:, :, :2].astype(np.float64) * [size[0], size[1]]
    window = max(int(round(fps)), 3)
    speed = _rolling(table["head_speed_deg_s"].fillna(0).to_numpy(), window, lambda r: r.median())
    shift = _rolling(table["head_shift_per_s"].fillna(0).to_numpy(), window, lambda r: r.median())
    lips = _rolling(table["mouth_opening"].to_numpy(), window, lambda r: r.std())
    face = table["face"].to_numpy(bool)
    apertures = table[["eye_aperture_left", "eye_aperture_right"]].to_numpy()
    open_level = np.nanpercentile(apertures, 80, axis=0)
    # eyes open: blinks are welcome, eyes lowered or closed for a second are not
    openness = 1.0 - contraction("eye_aperture", apertures, open_level)
    eyes_open = _rolling(np.nanmin(openness, axis=1), window, lambda r: r.median())
    quiet = (
        face & (speed < 20.0) & (shift < 0.5) & (np.nan_to_num(lips, nan=1.0) < 0.02)
        & (np.nan_to_num(eyes_open) > 0.7)
    )  # fmt: skip
    donors: dict[str, list[LidDonor]] = {side: [] for side in SIDES}
    for j, side, closure in find_lid_donors(points, apertures):
        donors[side].append(LidDonor(frames[j], points[j], side, closure))
    closed = np.nan_to_num(np.nanmax(1.0 - openness, axis=1)) > 0.25  # either eye a quarter shut
    reach = max(int(round(0.15 * fps)), 1)
    blinking = np.convolve(closed.astype(float), np.ones(2 * reach + 1), "same") > 0
    return VideoFace(frames, points, quiet, donors, fps=float(fps), blinking=blinking)


def still_from_video(face: VideoFace, index: int) -> StillFace:
    """One frame of a prepared video as a still face, with the video's lid donors."""
    image, points = face.frames[index], face.points_px[index]
    if np.isnan(points[0, 0]):
        raise HFSDetectError(f"no face in frame {index} of the source video")
    return StillFace(image, points, face.donors, fps=face.fps)


def read_face_picture(path: str | os.PathLike) -> np.ndarray:
    """A face picture from a file, as RGB."""
    import cv2

    image = cv2.imread(str(path))
    if image is None:
        raise HFSDetectError(f"cannot read the face picture {path}")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def astronaut_face() -> np.ndarray:
    """scikit-image's astronaut picture (Eileen Collins, NASA, public domain), cropped
    to head and shoulders (288 x 272 px): the default face of ``hfs-detect synth``."""
    try:
        from skimage import data
    except ImportError:
        raise HFSDetectError(
            "the default face needs scikit-image (pip install scikit-image), "
            "or give a face with --face"
        ) from None
    return data.astronaut()[16:304, 104:376].copy()
