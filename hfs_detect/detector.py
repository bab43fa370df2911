"""Streaming, causal detector of unilateral contraction bursts at rest.

Method
------
Per region, a closing-direction measure per side, relative to the subject's
own running rest baseline (median over ``baseline_window_s`` of rest frames
outside bursts and bilateral closures, so an eyes-closed rest does not shift
it): the fraction by which the eye is closed, how far the mouth corner has
moved towards the eye, how far the cheek and the brow have moved.
Their left-minus-right difference is standardised against its own robust
spread at rest (median and 1.4826 x MAD, with a floor per region so a very
still face does not make noise significant). Static asymmetry and an old
palsy sit in the baseline, so they are not bursts.

A frame is active on side S when the eye departs by ``threshold_z`` towards
S, or by ``region_z`` while the cheek or mouth corner departs by
``threshold_z`` on the same side. The eye is required because hemifacial
spasm typically begins in orbicularis oculi; cheek and mouth movements alone
come with speech, expressions and head motion far more often (measured on
the real test videos). The closing eye must close by at least
``min_eye_closure`` and the other eye by at most ``other_eye_share`` of that: a blink or a
forceful squeeze closes both and is never a burst. Eye frames within
``blink_guard_s`` before or ``reopen_guard_s`` after a bilateral closure are
not judged (the two eyes of a blink do not move in the same frame, and one
often reopens 100-150 ms after the other); the cheek and mouth still are, so
a twitch that overlaps a blink is still found. Active frames closer than
``merge_gap_s`` form one burst; a burst with two or more separate twitches
is ``clonic``, a single contraction held ``tonic_min_s`` or longer ``tonic``.

The detector sees each frame once, in order, and decides it ``blink_guard_s``
later; a burst is reported ``merge_gap_s`` after its last active frame.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from ._checks import Parameters, check_number
from .events import Event

__all__ = ["DetectorParams", "BurstDetector", "REGION_SCALE_FLOOR"]

REGION_SCALE_FLOOR = {"eye": 0.02, "cheek": 0.004, "mouth": 0.006, "brow": 0.005}
"""Smallest robust spread per region (eye: closure fraction; others: face
units), so that a perfectly still face does not make noise significant."""

_RAW = (
    "eye_aperture_left", "eye_aperture_right",
    "cheek_height_left", "cheek_height_right",
    "mouth_eye_distance_left", "mouth_eye_distance_right",
    "brow_height_left", "brow_height_right",
)  # fmt: skip


@dataclass(frozen=True)
class DetectorParams(Parameters):
    """Parameters of the burst detector (units in the names).

    Attributes
    ----------
    threshold_z : float
        Unilateral departure, in robust z units, that makes a frame active (4).
    region_z : float
        Departure at which a region counts as involved in a burst (3).
    min_eye_closure : float
        Fraction of its rest aperture the closing eye must lose (0.05).
    other_eye_share : float
        The other eye may close at most this share of the closing eye (0.5).
    blink_closure : float
        Both eyes closed by more than this fraction: a bilateral closure (0.3).
    blink_guard_s : float
        Eye frames this long before a bilateral closure are not judged (0.1 s).
    reopen_guard_s : float
        Eye frames this long after a bilateral closure are not judged (0.25 s).
    merge_gap_s : float
        Active frames closer than this form one burst (0.5 s).
    twitch_gap_s : float
        A pause at least this long between active frames separates twitches (0.06 s).
    min_duration_s : float
        Shortest burst reported (0.05 s).
    tonic_min_s : float
        A single contraction held this long or longer is tonic (0.5 s).
    baseline_window_s : float
        Rest history the baseline is taken from (60 s).
    min_baseline_s : float
        Rest seen before anything is judged (3 s).
    update_every_s : float
        How often the baseline is recomputed (0.5 s).
    """

    threshold_z: float = 4.0
    region_z: float = 3.0
    min_eye_closure: float = 0.05
    other_eye_share: float = 0.5
    blink_closure: float = 0.3
    blink_guard_s: float = 0.1
    reopen_guard_s: float = 0.25
    merge_gap_s: float = 0.5
    twitch_gap_s: float = 0.06
    min_duration_s: float = 0.05
    tonic_min_s: float = 0.5
    baseline_window_s: float = 60.0
    min_baseline_s: float = 3.0
    update_every_s: float = 0.5

    def __post_init__(self) -> None:
        super().__post_init__()
        check_number("other_eye_share", self.other_eye_share, maximum=1.0)


@dataclass
class _Judged:
    """One frame's verdict, kept while its burst is open."""

    time_s: float
    side: str | None
    z: dict  # region -> signed z (+ = left more contracted)
    eye_valid: bool


class BurstDetector:
    """Feed frames in order with :meth:`update`; collect finished bursts.

    Parameters
    ----------
    params : DetectorParams, optional
    """

    def __init__(self, params: DetectorParams | None = None):
        self.params = params or DetectorParams()
        self._history: deque = deque()  # (time_s, raw values) of rest frames outside bursts
        self._baseline: dict | None = None
        self._next_update_s = -math.inf
        self._pending: deque = deque()  # frames waiting for the blink guard
        self._last_bilateral_s = -math.inf  # among judged frames
        self._burst: list[_Judged] = []
        self._last_active_s = -math.inf
        self.active_side: str | None = None  # side of the burst in progress, if any
        self.latest: dict | None = None  # the newest frame's features (for a live view)

    # -- per frame ---------------------------------------------------------
    def update(self, row: dict, rest: bool) -> list[Event]:
        """Take one frame (a frames-table row and its rest state).

        Returns the bursts that ended with this frame (usually none).
        """
        t = float(row["time_s"])
        raw = np.array([row.get(k, np.nan) for k in _RAW], dtype=float)
        measured = bool(row["face"] and np.isfinite(raw).all())
        usable = bool(rest and measured)
        # measured outside rest too: a blink there still guards the frames after it
        features = self._features(raw) if measured and self._baseline is not None else None
        self.latest = features
        self._pending.append((t, raw, usable, features))
        ended = []
        while self._pending and self._pending[0][0] <= t - self.params.blink_guard_s:
            ended += self._judge(*self._pending.popleft())
        return ended

    def finish(self) -> list[Event]:
        """Judge what is still pending and close the burst in progress."""
        ended = []
        while self._pending:
            ended += self._judge(*self._pending.popleft())
        return ended + self._close()

    # -- internals ---------------------------------------------------------
    def _features(self, raw: np.ndarray) -> dict:
        b = self._baseline
        closure = 1.0 - raw[0:2] / b["raw"][0:2]
        moved = {
            "eye": closure,
            "cheek": raw[2:4] - b["raw"][2:4],
            "mouth": b["raw"][4:6] - raw[4:6],  # the corner nearer the eye
            "brow": raw[6:8] - b["raw"][6:8],
        }
        z = {
            region: float((v[0] - v[1] - b["center"][region]) / b["scale"][region])
            for region, v in moved.items()
        }
        return {"closure": closure, "z": z, "moved": moved}

    def _update_baseline(self, now_s: float) -> None:
        p = self.params
        while self._history and self._history[0][0] < now_s - p.baseline_window_s:
            self._history.popleft()
        times = [h[0] for h in self._history]
        if len(times) < 10 or self._rest_seconds(times) < p.min_baseline_s:
            return
        raw = np.array([h[1] for h in self._history])
        ref = np.median(raw, axis=0)
        diffs = {
            "eye": (1 - raw[:, 0] / ref[0]) - (1 - raw[:, 1] / ref[1]),
            "cheek": raw[:, 2] - raw[:, 3],
            "mouth": -(raw[:, 4] - raw[:, 5]),
            "brow": raw[:, 6] - raw[:, 7],
        }
        center, scale = {}, {}
        for region, d in diffs.items():
            med = float(np.median(d))
            # the centre of the unmoved difference: a static asymmetry cancels
            offset = {"eye": 0.0, "cheek": ref[2] - ref[3], "mouth": -(ref[4] - ref[5]),
                      "brow": ref[6] - ref[7]}[region]  # fmt: skip
            center[region] = med - offset
            mad = 1.4826 * float(np.median(np.abs(d - med)))
            scale[region] = max(mad, REGION_SCALE_FLOOR[region])
        self._baseline = {"raw": ref, "center": center, "scale": scale}

    @staticmethod
    def _rest_seconds(times: list[float]) -> float:
        steps = np.diff(times)
        return float(np.sum(steps[steps < 0.25]))  # gaps in rest do not count

    def _judge(self, t, raw, usable, features) -> list[Event]:
        p = self.params
        side, z, eye_valid = None, {}, False
        bilateral = features is not None and min(features["closure"]) > p.blink_closure
        if bilateral:
            self._last_bilateral_s = t
        if usable and features is not None:
            z = features["z"]
            closure = features["closure"]
            near_blink = t - self._last_bilateral_s <= p.reopen_guard_s or self._bilateral_ahead(t)
            eye_side = "left" if z["eye"] > 0 else "right"
            closing, other = (
                (closure[0], closure[1]) if eye_side == "left" else (closure[1], closure[0])
            )
            eye_valid = (
                not near_blink
                and closing >= p.min_eye_closure
                and other <= p.other_eye_share * closing
            )
            eye_z = abs(z["eye"]) if eye_valid else 0.0
            sign = 1.0 if eye_side == "left" else -1.0
            lower_face_z = max(sign * z["cheek"], sign * z["mouth"])
            if eye_z >= p.threshold_z or (eye_z >= p.region_z and lower_face_z >= p.threshold_z):
                side = eye_side
        if usable and side is None and not bilateral and not self._burst:
            self._history.append((t, raw))  # quiet open-eyed rest: the baseline learns from it
        if t >= self._next_update_s:
            self._update_baseline(t)
            self._next_update_s = t + p.update_every_s
        ended: list[Event] = []
        if side is not None:
            if self._burst and side != self.active_side:
                ended += self._close()
            self._burst.append(_Judged(t, side, z, eye_valid))
            self._last_active_s = t
            self.active_side = side
        elif self._burst:
            self._burst.append(_Judged(t, None, z, eye_valid))
            if t - self._last_active_s > p.merge_gap_s:
                ended += self._close()
        return ended

    def _bilateral_ahead(self, t: float) -> bool:
        """A bilateral closure within the guard after ``t`` (already seen)."""
        limit = t + self.params.blink_guard_s
        for tp, _, _, feats in self._pending:
            if tp > limit:
                break
            if feats is not None and min(feats["closure"]) > self.params.blink_closure:
                return True
        return False

    @property
    def spread(self) -> dict | None:
        """Per region, the robust spread of the rest baseline (None before it is learned)."""
        return None if self._baseline is None else dict(self._baseline["scale"])

    @property
    def active_since_s(self) -> float | None:
        """Time of the first active frame of the burst in progress, if any."""
        active = [f for f in self._burst if f.side is not None]
        return active[0].time_s if active else None

    def current_regions(self) -> tuple[str, ...]:
        """Regions involved so far in the burst in progress (empty if none)."""
        active = [f for f in self._burst if f.side is not None]
        return self._regions(active, self.active_side) if active else ()

    def _regions(self, active: list[_Judged], side: str | None) -> tuple[str, ...]:
        sign = 1.0 if side == "left" else -1.0
        regions = []
        for region in ("eye", "cheek", "mouth"):
            values = [sign * f.z[region] for f in active if region != "eye" or f.eye_valid]
            if values and max(values) >= self.params.region_z:
                regions.append(region)
        if max(abs(f.z["brow"]) for f in active) >= self.params.region_z:
            regions.append("brow")
        return tuple(regions) or ("eye",)

    def _close(self) -> list[Event]:
        frames, self._burst = self._burst, []
        side, self.active_side = self.active_side, None
        active = [f for f in frames if f.side is not None]
        if not active:
            return []
        p = self.params
        start_s, end_s = active[0].time_s, active[-1].time_s
        steps = np.diff([f.time_s for f in frames]) if len(frames) > 1 else np.array([0.0])
        frame_s = float(np.median(steps)) if len(steps) else 0.0
        end_s += frame_s  # the last active frame lasts one frame
        if end_s - start_s < p.min_duration_s:
            return []
        sign = 1.0 if side == "left" else -1.0
        twitches, previous = 0, None
        for f in active:
            if previous is None or f.time_s - previous > p.twitch_gap_s + frame_s:
                twitches += 1
            previous = f.time_s
        peak = max(max(sign * f.z.get(r, 0.0) for r in ("eye", "cheek", "mouth")) for f in active)
        regions = self._regions(active, side)
        brow = [f.z["brow"] * sign for f in active]
        kind = "clonic" if twitches >= 2 or end_s - start_s < p.tonic_min_s else "tonic"
        return [
            Event(
                start_s=round(start_s, 4),
                end_s=round(end_s, 4),
                side=side,
                regions=regions,
                kind=kind,
                n_twitches=twitches,
                peak=round(float(peak), 3),
                confidence=round(float(peak / (peak + p.threshold_z)), 3),
                brow_raised=bool(brow and max(brow) >= p.region_z and "eye" in regions),
            )
        ]
