"""Synthetic hemifacial-spasm videos with known answers.

A real face (a picture, e.g. ``skimage.data.astronaut()``) is animated: one
side's eyelids close, its cheek rises and its mouth corner is pulled up and out
towards the eye, following a known activation: clonic trains of brief
twitches or tonic holds. Distractors that must *not* be flagged are added:
bilateral blinks, bilateral smiles and slight head sway, plus camera noise. The truth is written
as an ``events.csv`` in the output contract.

Everything is drawn from one seeded random generator, so a plan and its video
are reproducible.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._atomic import atomic_path
from ._checks import HFSDetectError, check_number, check_option
from .events import Event, events_to_frame
from .face_mesh import SIDES
from .warp import apply_maps, close_eye_map, identity_maps, region_anchor, shift_map

__all__ = ["Spasm", "Blink", "Smile", "SessionPlan", "plan_session", "activation", "render_session"]

TWITCH_RISE_S = 0.05
TWITCH_FALL_S = 0.15
TONIC_RAMP_S = 0.15


@dataclass(frozen=True)
class Spasm:
    """One true burst: a clonic train or a tonic hold on one side.

    ``amplitude`` is the eye closure at the peak (0-1); the cheek and mouth
    move in proportion when they are among ``regions``.
    """

    start_s: float
    side: str
    kind: str
    amplitude: float
    regions: tuple[str, ...] = ("eye", "cheek", "mouth")
    twitch_onsets_s: tuple[float, ...] = ()  # clonic: offsets from start_s
    hold_s: float = 0.0  # tonic: time at full contraction

    def __post_init__(self) -> None:
        check_option("side", self.side, SIDES)
        check_option("kind", self.kind, ("tonic", "clonic"))

    @property
    def end_s(self) -> float:
        if self.kind == "clonic":
            return self.start_s + max(self.twitch_onsets_s) + TWITCH_RISE_S + TWITCH_FALL_S
        return self.start_s + 2 * TONIC_RAMP_S + self.hold_s

    def to_event(self) -> Event:
        n = len(self.twitch_onsets_s) if self.kind == "clonic" else 1
        return Event(
            self.start_s, self.end_s, self.side, self.regions, self.kind, n, self.amplitude, 1.0
        )


@dataclass(frozen=True)
class Blink:
    """A normal bilateral blink (a distractor): both eyes, ~250 ms."""

    start_s: float
    duration_s: float = 0.25
    depth: float = 1.0


@dataclass(frozen=True)
class Smile:
    """A voluntary bilateral smile (a distractor): both mouth corners and cheeks."""

    start_s: float
    duration_s: float = 1.5
    amplitude: float = 0.8


@dataclass
class SessionPlan:
    """What happens in a synthetic session, second by second."""

    duration_s: float
    fps: float = 30.0
    spasms: list[Spasm] = field(default_factory=list)
    blinks: list[Blink] = field(default_factory=list)
    smiles: list[Smile] = field(default_factory=list)
    sway_deg: float = 1.0
    noise_sd: float = 2.0
    seed: int = 0


def _pulse(t: np.ndarray, start: float, rise: float, hold: float, fall: float) -> np.ndarray:
    """Smooth 0-1-0 pulse: raised-cosine rise, flat hold, raised-cosine fall."""
    up = np.clip((t - start) / rise, 0, 1)
    down = np.clip((t - start - rise - hold) / fall, 0, 1)
    return 0.5 - 0.5 * np.cos(np.pi * up) - (0.5 - 0.5 * np.cos(np.pi * down))


def activation(plan: SessionPlan, t: np.ndarray) -> dict[str, dict[str, np.ndarray]]:
    """Per side, the eye closure, cheek rise and mouth pull (0-1) at times ``t``.

    Blinks add to the eye closure of both sides.
    """
    t = np.asarray(t, float)
    out = {side: {r: np.zeros_like(t) for r in ("eye", "cheek", "mouth")} for side in SIDES}
    for spasm in plan.spasms:
        if spasm.kind == "clonic":
            level = np.zeros_like(t)
            for onset in spasm.twitch_onsets_s:
                level = np.maximum(
                    level, _pulse(t, spasm.start_s + onset, TWITCH_RISE_S, 0.0, TWITCH_FALL_S)
                )
        else:
            level = _pulse(t, spasm.start_s, TONIC_RAMP_S, spasm.hold_s, TONIC_RAMP_S)
        for region in ("eye", "cheek", "mouth"):
            if region in spasm.regions:
                target = out[spasm.side][region]
                np.maximum(target, spasm.amplitude * level, out=target)
    for smile in plan.smiles:
        level = smile.amplitude * _pulse(t, smile.start_s, 0.3, smile.duration_s - 0.6, 0.3)
        for side in SIDES:
            for region in ("cheek", "mouth"):
                np.maximum(out[side][region], level, out=out[side][region])
    for blink in plan.blinks:
        half = blink.duration_s / 2
        level = blink.depth * _pulse(t, blink.start_s, half * 0.8, half * 0.4, half * 0.8)
        for side in SIDES:
            out[side]["eye"] = np.minimum(out[side]["eye"] + level, 1.0)
    return out


def plan_session(
    duration_s: float = 30.0,
    *,
    side: str | None = "left",
    n_spasms: int = 4,
    n_blinks: int = 6,
    n_smiles: int = 0,
    amplitude: tuple[float, float] = (0.35, 0.8),
    fps: float = 30.0,
    seed: int = 0,
) -> SessionPlan:
    """A random but reproducible session plan.

    Parameters
    ----------
    duration_s : float
        Length of the session.
    side : {'left', 'right'} or None
        Side of the spasms; None for a session without spasm.
    n_spasms : int
        Bursts to place (alternately clonic and tonic); fewer if they do not fit.
    n_blinks : int
        Normal bilateral blinks to place.
    n_smiles : int
        Voluntary bilateral smiles to place (distractors).
    amplitude : (float, float)
        Range of the spasms' peak eye closure.
    fps : float
        Frame rate of the video to render.
    seed : int
        Same seed, same plan.
    """
    check_number("duration_s", duration_s, minimum=2.0)
    if side is not None:
        check_option("side", side, SIDES)
    rng = np.random.default_rng(seed)
    spasms: list[Spasm] = []
    busy: list[tuple[float, float]] = []

    def free(start: float, end: float, gap: float = 1.0) -> bool:
        return all(end + gap < s or start > e + gap for s, e in busy)

    lead_in_s = min(5.0, duration_s / 4)  # the detector learns the baseline first
    for k in range(n_spasms if side else 0):
        for _ in range(100):
            start = float(rng.uniform(lead_in_s, duration_s - 4.0))
            amp = float(rng.uniform(*amplitude))
            regions = ("eye",) + tuple(r for r in ("cheek", "mouth") if rng.random() < 0.7)
            if k % 2 == 0:
                n = int(rng.integers(1, 9))
                onsets = np.cumsum(np.r_[0.0, rng.uniform(0.25, 0.45, n - 1)])
                spasm = Spasm(start, side, "clonic", amp, regions, tuple(np.round(onsets, 3)))
            else:
                spasm = Spasm(
                    start, side, "tonic", amp, regions, hold_s=float(rng.uniform(0.5, 3.0))
                )
            if spasm.end_s < duration_s - 0.5 and free(spasm.start_s, spasm.end_s):
                spasms.append(spasm)
                busy.append((spasm.start_s, spasm.end_s))
                break
    blinks = []
    for _ in range(n_blinks):
        for _ in range(100):
            start = float(rng.uniform(0.5, duration_s - 0.5))
            if free(start, start + 0.3, gap=0.4):
                blinks.append(Blink(start, float(rng.uniform(0.2, 0.35))))
                busy.append((start, start + 0.3))
                break
    smiles = []
    for _ in range(n_smiles):
        for _ in range(100):
            start, length = float(rng.uniform(1.0, duration_s - 2.5)), float(rng.uniform(1.0, 2.0))
            if free(start, start + length):
                smiles.append(Smile(start, length, float(rng.uniform(0.6, 1.0))))
                busy.append((start, start + length))
                break
    spasms.sort(key=lambda s: s.start_s)
    blinks.sort(key=lambda b: b.start_s)
    smiles.sort(key=lambda s: s.start_s)
    return SessionPlan(duration_s, fps, spasms, blinks, smiles, seed=seed)


def face_points(image: np.ndarray, model_path: str | os.PathLike | None = None) -> np.ndarray:
    """The face's 478 landmarks in pixels ``(478, 2)``, from MediaPipe."""
    from .landmarks import Landmarker
    from .sources import Frame

    with Landmarker(model_path, max_faces=1) as landmarker:
        found = landmarker.detect(Frame(0, 0.0, np.ascontiguousarray(image)))
    if found.landmarks is None:
        raise HFSDetectError("no face found in the picture given to the synthesiser")
    return found.landmarks[:, :2].astype(np.float64) * [image.shape[1], image.shape[0]]


def warp_face(
    image: np.ndarray, points_px: np.ndarray, state: dict[str, dict[str, float]]
) -> np.ndarray:
    """Apply one frame's contraction ``state`` (per side: eye, cheek, mouth 0-1)."""
    height, width = image.shape[:2]
    map_x, map_y = identity_maps(height, width)
    eye_w = np.linalg.norm(points_px[263] - points_px[33])  # outer canthi: face scale
    sigma = 0.15 * eye_w
    for side in SIDES:
        amounts = state.get(side, {})
        close_eye_map(map_y, points_px, side, amounts.get("eye", 0.0))
        toward_eye = 1.0 if side == "left" else -1.0  # the patient's left is image right
        if amounts.get("cheek", 0.0) > 0:
            shift = np.array([0.0, -0.10 * eye_w]) * amounts["cheek"]
            shift_map(map_x, map_y, region_anchor(points_px, side, "cheek"), shift, sigma)
        if amounts.get("mouth", 0.0) > 0:
            shift = np.array([0.05 * toward_eye * eye_w, -0.10 * eye_w]) * amounts["mouth"]
            shift_map(map_x, map_y, region_anchor(points_px, side, "mouth"), shift, 0.8 * sigma)
    return apply_maps(image, map_x, map_y)


def render_session(
    image: np.ndarray,
    plan: SessionPlan,
    out_video: str | os.PathLike,
    *,
    out_truth: str | os.PathLike | None = None,
    model_path: str | os.PathLike | None = None,
) -> Path:
    """Render ``plan`` on a still face picture to an MP4 and its truth table.

    Parameters
    ----------
    image : (h, w, 3) uint8 RGB
        A picture with one frontal face.
    plan : SessionPlan
        What happens when.
    out_video : path-like
        The ``.mp4`` to write (MPEG-4 Part 2, readable by FFmpeg).
    out_truth : path-like, optional
        Where to write the true events (default: ``<video stem>.events.csv``
        beside the video).
    model_path : path-like, optional
        Landmark model used to find the face in ``image``.

    Returns
    -------
    pathlib.Path
        The video written.
    """
    import cv2

    out_video = Path(out_video)
    points = face_points(image, model_path)
    height, width = image.shape[:2]
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
        center = points.mean(axis=0)
        for i in range(n):
            state = {side: {r: float(act[side][r][i]) for r in act[side]} for side in SIDES}
            frame = warp_face(image, points, state)
            angle = plan.sway_deg * np.sin(2 * np.pi * 0.13 * t[i] + sway_phase[0])
            shift = 0.01 * width * np.sin(2 * np.pi * 0.07 * t[i] + sway_phase[1])
            m = cv2.getRotationMatrix2D((float(center[0]), float(center[1])), float(angle), 1.0)
            m[0, 2] += shift
            frame = cv2.warpAffine(frame, m, (width, height), borderMode=cv2.BORDER_REFLECT)
            noisy = frame.astype(np.float32) + rng.normal(0, plan.noise_sd, frame.shape)
            frame = np.clip(noisy, 0, 255).astype(np.uint8)
            writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        writer.release()
        tmp.with_suffix(".mp4").replace(tmp)
    truth = Path(out_truth) if out_truth else out_video.with_suffix(".events.csv")
    with atomic_path(truth) as tmp:
        events_to_frame([s.to_event() for s in plan.spasms]).to_csv(
            tmp, index=False, float_format="%.4f"
        )
    return out_video
