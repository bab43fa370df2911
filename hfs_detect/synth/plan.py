"""Synthetic hemifacial-spasm sessions with known answers: what happens, and when.

A session plan lists true spasms and distractors in seconds. Its
:func:`activation` turns it into per-frame amounts (0-1) for each side's
upper and lower eyelid, cheek, mouth corner and brow, plus the jaw and the
head's yaw. :mod:`hfs_detect.synth.render` draws those amounts on a real face
(a still picture, or a real video frame by frame), and
:mod:`hfs_detect.synth.patterns` makes the named patterns and distractors of
the evaluation sets.

True spasms (:class:`Spasm`): clonic trains or tonic holds on one side, led
by the upper or the lower lid, spreading from the eye to the cheek and the
mouth corner after a delay, or in the cheek or mouth alone; optionally the
other eye narrows a little too (as in a forceful real closure).

Distractors (never bursts): bilateral blinks, even or uneven
(:class:`Blink`), eyes-closed rest (:class:`EyesClosed`), a lasting
one-sided squint (:class:`Squint`), a slowly drooping lid (:class:`Droop`),
smiles (:class:`Smile`), talking (:class:`Talk`), head turns
(:class:`HeadTurn`), one brow raised alone (:class:`BrowRaise`) and a face
resting with one eye narrower and both lids fluttering a little, each on its
own (:class:`UnevenEyes`). Provocation steps (:class:`Provocation`: lip pursing,
forceful eye closure, a smile) are drawn too; spasms planned in or just after
them are ``provoked``.

Everything is drawn from one seeded random generator, so a plan and its
video are reproducible. The truth is written as an ``events.csv`` in the
output contract, and the whole plan as JSON.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .._atomic import atomic_path, write_text_atomic
from .._checks import check_number, check_option
from ..events import EVENT_COLUMNS, Event, events_to_frame
from ..face_mesh import SIDES

__all__ = [
    "Spasm",
    "Blink",
    "Smile",
    "EyesClosed",
    "Squint",
    "Droop",
    "Talk",
    "HeadTurn",
    "BrowRaise",
    "UnevenEyes",
    "Provocation",
    "SynthPlan",
    "plan_session",
    "activation",
    "write_truth",
    "TRUTH_COLUMNS",
]

TWITCH_RISE_S = 0.05
TWITCH_FALL_S = 0.15
TONIC_RAMP_S = 0.15
CHANNELS: tuple[str, ...] = ("upper", "lower", "cheek", "mouth", "brow", "purse")
"""Per-side activation channels: the upper lid's and the lower lid's share of
the eye closure (their sum is the closure, 0-1), cheek rise, mouth-corner pull,
brow movement and the mouth corner drawn to the midline (pursing)."""


def _other(side: str) -> str:
    return "right" if side == "left" else "left"


@dataclass(frozen=True)
class Spasm:
    """One true burst: a clonic train or a tonic hold on one side.

    Attributes
    ----------
    start_s : float
        Onset of the first movement.
    side : {'left', 'right'}
    kind : {'tonic', 'clonic'}
    amplitude : float
        Eye closure at the peak (0-1).
    regions : tuple of str
        Regions that move, from ``eye``, ``cheek``, ``mouth``.
    twitch_onsets_s : tuple of float
        Clonic: onsets of the twitches after ``start_s``.
    hold_s : float
        Tonic: time at full contraction.
    pattern : str
        Name of the pattern it stands for (scores are reported per pattern).
    lower_share : float
        Share of the eye closure made by the lower lid rising (0.15: upper-lid
        led; 0.6 or more: lower-lid led, as HFS often starts).
    spread_s : float
        Delay from the eye to the cheek, and again to the mouth corner.
    lower_face_amplitude : float, optional
        Cheek and mouth amount (default: ``amplitude``).
    other_eye : float
        The other eye narrows by this share of the closing eye's closure
        (a forceful real closure; MediaPipe's own coupling comes on top).
    other_lag_s : float
        How much later the other eye's narrowing follows.
    twitch_rise_s, twitch_fall_s : float
        Shape of one clonic twitch.
    """

    start_s: float
    side: str
    kind: str
    amplitude: float
    regions: tuple[str, ...] = ("eye", "cheek", "mouth")
    twitch_onsets_s: tuple[float, ...] = ()
    hold_s: float = 0.0
    pattern: str = "mixed"
    lower_share: float = 0.15
    spread_s: float = 0.0
    lower_face_amplitude: float | None = None
    other_eye: float = 0.0
    other_lag_s: float = 0.0
    twitch_rise_s: float = TWITCH_RISE_S
    twitch_fall_s: float = TWITCH_FALL_S
    provoked: bool = False

    def __post_init__(self) -> None:
        check_option("side", self.side, SIDES)
        check_option("kind", self.kind, ("tonic", "clonic"))
        check_number("amplitude", self.amplitude, minimum=0.0, maximum=1.0)
        check_number("lower_share", self.lower_share, minimum=0.0, maximum=1.0)
        if self.kind == "clonic" and not self.twitch_onsets_s:
            object.__setattr__(self, "twitch_onsets_s", (0.0,))

    @property
    def _delays(self) -> dict[str, float]:
        order = [r for r in ("eye", "cheek", "mouth") if r in self.regions]
        return {region: k * self.spread_s for k, region in enumerate(order)}

    @property
    def end_s(self) -> float:
        """When the last region is back at rest."""
        last = max(self._delays.values(), default=0.0)
        if self.kind == "clonic":
            tail = max(self.twitch_onsets_s) + self.twitch_rise_s + self.twitch_fall_s
        else:
            tail = 2 * TONIC_RAMP_S + self.hold_s
        return self.start_s + last + tail

    def level(self, t: np.ndarray, delay_s: float = 0.0) -> np.ndarray:
        """The 0-1 contraction profile at times ``t``, started ``delay_s`` late."""
        start = self.start_s + delay_s
        if self.kind == "tonic":
            return _pulse(t, start, TONIC_RAMP_S, self.hold_s, TONIC_RAMP_S)
        level = np.zeros_like(t)
        for onset in self.twitch_onsets_s:
            pulse = _pulse(t, start + onset, self.twitch_rise_s, 0.0, self.twitch_fall_s)
            np.maximum(level, pulse, out=level)
        return level

    def to_event(self) -> Event:
        """The true burst, as the detector should report it."""
        n = len(self.twitch_onsets_s) if self.kind == "clonic" else 1
        return Event(
            round(self.start_s, 4), round(self.end_s, 4), self.side, self.regions, self.kind, n,
            self.amplitude, 1.0, provoked=self.provoked,
        )  # fmt: skip


class _Span:
    """A distractor lasting ``duration_s`` from ``start_s``."""

    start_s: float
    duration_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


class _TwoEyes(_Span):
    """A closure of both eyes; each eye may close to its own depth and reopen late."""

    lag_left_s: float
    lag_right_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s + max(self.lag_left_s, self.lag_right_s)

    def _eye(self, side: str) -> tuple[float | None, float]:
        """``(depth, lag_s)`` of one eye."""
        if side == "left":
            return self.depth_left, self.lag_left_s
        return self.depth_right, self.lag_right_s


@dataclass(frozen=True)
class Blink(_TwoEyes):
    """A bilateral blink (a distractor), even or uneven.

    ``depth`` closes both eyes; ``depth_left``/``depth_right`` override it
    per eye (an uneven blink: one eye shut, the other 40-80%). An eye with a
    ``lag_left_s``/``lag_right_s`` reopens that much later than the other.
    """

    start_s: float
    duration_s: float = 0.25
    depth: float = 1.0
    depth_left: float | None = None
    depth_right: float | None = None
    lag_left_s: float = 0.0
    lag_right_s: float = 0.0

    def closure(self, t: np.ndarray, side: str) -> np.ndarray:
        """One eye's closure at times ``t``."""
        depth, lag = self._eye(side)
        half = self.duration_s / 2
        depth = self.depth if depth is None else depth
        return depth * _pulse(t, self.start_s, half * 0.8, half * 0.4 + lag, half * 0.8)


@dataclass(frozen=True)
class Smile(_Span):
    """A voluntary bilateral smile (a distractor): both mouth corners and cheeks."""

    start_s: float
    duration_s: float = 1.5
    amplitude: float = 0.8
    eye_narrowing: float = 0.0  # a real smile narrows both eyes a little (0.1-0.2)


@dataclass(frozen=True)
class EyesClosed(_TwoEyes):
    """Resting with both eyes closed (a distractor); the eyes may close and open apart."""

    start_s: float
    duration_s: float
    depth_left: float = 1.0
    depth_right: float = 1.0
    lag_left_s: float = 0.0
    lag_right_s: float = 0.0

    def closure(self, t: np.ndarray, side: str) -> np.ndarray:
        """One eye's closure at times ``t``."""
        depth, lag = self._eye(side)
        return depth * _pulse(t, self.start_s + lag, 0.2, self.duration_s - 0.4, 0.2)


@dataclass(frozen=True)
class Squint(_Span):
    """A voluntary one-sided squint held for a long time (a distractor).

    The lower lid rises and the cheek lifts a little; it sets in over
    ``onset_s`` and lasts ``duration_s``.
    """

    start_s: float
    duration_s: float
    side: str
    amount: float = 0.35
    onset_s: float = 0.4

    def level(self, t: np.ndarray) -> np.ndarray:
        return _pulse(
            t, self.start_s, self.onset_s, self.duration_s - 2 * self.onset_s, self.onset_s
        )


@dataclass(frozen=True)
class Droop:
    """One upper lid drooping slowly and staying down (a distractor: ptosis, fatigue)."""

    start_s: float
    ramp_s: float
    side: str
    amount: float = 0.3

    @property
    def end_s(self) -> float:
        return self.start_s + self.ramp_s

    def level(self, t: np.ndarray) -> np.ndarray:
        return self.amount * np.clip((t - self.start_s) / self.ramp_s, 0, 1)


@dataclass(frozen=True)
class Talk(_Span):
    """Talking (a distractor): the jaw opens and closes irregularly at syllable rate."""

    start_s: float
    duration_s: float
    rate_hz: float = 4.0
    amount: float = 0.6

    def level(self, t: np.ndarray, phase: float = 0.0) -> np.ndarray:
        inside = (t >= self.start_s) & (t < self.end_s)
        wobble = 0.5 - 0.5 * np.cos(2 * np.pi * self.rate_hz * (t - self.start_s) + phase)
        syllables = 0.6 + 0.4 * np.sin(2 * np.pi * 0.9 * (t - self.start_s) + 2 * phase)
        return np.where(inside, self.amount * wobble * syllables, 0.0)


@dataclass(frozen=True)
class HeadTurn(_Span):
    """The head turns by ``yaw_deg`` and back (a distractor)."""

    start_s: float
    duration_s: float = 2.0
    yaw_deg: float = 20.0

    def level(self, t: np.ndarray) -> np.ndarray:
        ramp = min(0.6, self.duration_s / 3)
        return self.yaw_deg * _pulse(t, self.start_s, ramp, self.duration_s - 2 * ramp, ramp)


@dataclass(frozen=True)
class BrowRaise(_Span):
    """One brow raised alone (a distractor: the frontalis, voluntary or a habit).

    The brow rises by ``amount`` (1: a tenth of an eye width) and the
    skin above the eye with it, so the upper lid lifts a little too.
    """

    start_s: float
    duration_s: float = 0.8
    side: str = "left"
    amount: float = 1.0

    def level(self, t: np.ndarray) -> np.ndarray:
        rise = min(0.12, self.duration_s / 3)
        return self.amount * _pulse(t, self.start_s, rise, self.duration_s - 2.5 * rise,
                                    1.5 * rise)  # fmt: skip


@dataclass(frozen=True)
class UnevenEyes:
    """A face that rests with one eye narrower, both lids fluttering a little, each on its
    own (a distractor: a naturally uneven face, a tired or nervous patient).

    From the first frame, the eye of ``side`` is ``narrowing`` closed (against the
    other); each lid flutters, ``flutter_depth`` closed for ``flutter_s``, at its own
    times ``flutter_left_s`` and ``flutter_right_s``.
    """

    side: str
    narrowing: float = 0.1
    flutter_depth: float = 0.06
    flutter_s: float = 0.15
    flutter_left_s: tuple[float, ...] = ()
    flutter_right_s: tuple[float, ...] = ()
    start_s: float = 0.0

    @property
    def end_s(self) -> float:
        last = max((*self.flutter_left_s, *self.flutter_right_s), default=self.start_s)
        return last + self.flutter_s

    def closure(self, t: np.ndarray, side: str) -> np.ndarray:
        """One eye's closure at times ``t``: its narrowing, and its flutters."""
        level = np.full_like(t, self.narrowing if side == self.side else 0.0)
        onsets = self.flutter_left_s if side == "left" else self.flutter_right_s
        for onset in onsets:
            pulse = _pulse(t, onset, 0.4 * self.flutter_s, 0.0, 0.6 * self.flutter_s)
            level += self.flutter_depth * pulse
        return level


@dataclass(frozen=True)
class Provocation(_Span):
    """A provocation step of a clinic protocol: ``pursing`` (both mouth corners drawn to
    the midline), ``closure`` (both eyes squeezed shut, the cheeks rising) or ``smile``.

    Spasms planned during it or just after it are ``provoked``; ``analyze --steps``
    takes the step as ``kind=start-end``.
    """

    start_s: float
    duration_s: float
    kind: str = "pursing"
    amplitude: float = 0.8

    def level(self, t: np.ndarray) -> np.ndarray:
        return self.amplitude * _pulse(t, self.start_s, 0.3, self.duration_s - 0.6, 0.3)

    def step(self) -> tuple[str, float, float]:
        """The step as ``(kind, start_s, end_s)``
        (:func:`hfs_detect.session.protocol.parse_steps`)."""
        return (self.kind, round(self.start_s, 3), round(self.end_s, 3))


DISTRACTOR_TYPES = {
    "blinks": Blink,
    "smiles": Smile,
    "eyes_closed": EyesClosed,
    "squints": Squint,
    "droops": Droop,
    "talks": Talk,
    "head_turns": HeadTurn,
    "brow_raises": BrowRaise,
    "uneven_eyes": UnevenEyes,
    "provocations": Provocation,
}
"""The plan's distractor lists and the type each holds."""


@dataclass
class SynthPlan:
    """What happens in a synthetic session, second by second.

    ``pattern`` names what the session tests (a spasm pattern or a
    distractor); scores are reported per pattern.
    """

    duration_s: float
    fps: float = 30.0
    spasms: list[Spasm] = field(default_factory=list)
    blinks: list[Blink] = field(default_factory=list)
    smiles: list[Smile] = field(default_factory=list)
    sway_deg: float = 1.0
    noise_sd: float = 2.0
    seed: int = 0
    eyes_closed: list[EyesClosed] = field(default_factory=list)
    squints: list[Squint] = field(default_factory=list)
    droops: list[Droop] = field(default_factory=list)
    talks: list[Talk] = field(default_factory=list)
    head_turns: list[HeadTurn] = field(default_factory=list)
    provocations: list[Provocation] = field(default_factory=list)
    brow_raises: list[BrowRaise] = field(default_factory=list)
    uneven_eyes: list[UnevenEyes] = field(default_factory=list)
    pattern: str = "mixed"
    cheek_spread: float = 0.15
    """Reach of the cheek raise in eye widths. 0.15 moves only the skin over the cheek
    landmarks (the first sets), which MediaPipe hardly sees (its cheek points moved
    0.002 face units for a 0.1 eye-width shift of the astronaut's cheek). Above 0.15
    the raise is a contracting zygomaticus: the malar region with the nasolabial
    fold and the corner of the upper lip (0.35 of the way to the mouth corner); the
    astronaut's cheek points then rise 0.02 and the mouth corner 0.08 face units."""
    grading: dict | None = None
    """Known answers of the grading items (:func:`hfs_detect.synth.grading.grading_truth`)."""

    def distractors(self) -> list[tuple[str, float, float]]:
        """Every distractor as ``(kind, start_s, end_s)``; an uneven blink is ``uneven_blink``."""
        found = []
        for name in DISTRACTOR_TYPES:
            for item in getattr(self, name):
                kind = name.rstrip("s") if name not in ("eyes_closed", "uneven_eyes") else name
                if isinstance(item, Blink) and (
                    item.depth_left is not None or item.depth_right is not None
                    or item.lag_left_s or item.lag_right_s
                ):  # fmt: skip
                    kind = "uneven_blink"
                found.append((kind, item.start_s, item.end_s))
        return sorted(found, key=lambda d: d[1])

    def to_dict(self) -> dict:
        """The whole plan as plain data (JSON)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SynthPlan:
        """The inverse of :meth:`to_dict`."""
        data = dict(data)
        data["spasms"] = [
            Spasm(**{**s, "regions": tuple(s["regions"]),
                     "twitch_onsets_s": tuple(s["twitch_onsets_s"])})
            for s in data.get("spasms", [])
        ]  # fmt: skip
        for name, kind in DISTRACTOR_TYPES.items():
            data[name] = [
                kind(**{k: tuple(v) if isinstance(v, list) else v for k, v in item.items()})
                for item in data.get(name, [])
            ]
        return cls(**data)


def _pulse(t: np.ndarray, start: float, rise: float, hold: float, fall: float) -> np.ndarray:
    """Smooth 0-1-0 pulse: raised-cosine rise, flat hold, raised-cosine fall."""
    up = np.clip((t - start) / max(rise, 1e-6), 0, 1)
    down = np.clip((t - start - rise - hold) / max(fall, 1e-6), 0, 1)
    return 0.5 - 0.5 * np.cos(np.pi * up) - (0.5 - 0.5 * np.cos(np.pi * down))


def activation(plan: SynthPlan, t: np.ndarray) -> dict:
    """Per-frame amounts at times ``t``.

    Returns
    -------
    dict
        ``out[side][channel]`` for each side and channel of :data:`CHANNELS`
        (0-1; ``upper + lower`` is the eye's closure, at most 1), plus
        ``out["eye"][side]`` (the closure), ``out["uneven"][side]`` (the part of it
        that is resting unevenness and flutter), ``out["jaw"]`` (mouth opening)
        and ``out["yaw_deg"]`` (head turn).
    """
    t = np.asarray(t, float)
    zero = np.zeros_like(t)
    out: dict = {side: {c: zero.copy() for c in CHANNELS} for side in SIDES}
    spasm_eye = {side: zero.copy() for side in SIDES}
    spasm_lower = {side: zero.copy() for side in SIDES}
    for spasm in plan.spasms:
        delays = spasm._delays
        side, other = spasm.side, _other(spasm.side)
        if "eye" in spasm.regions:
            level = spasm.amplitude * spasm.level(t, delays["eye"])
            lower = np.where(level > spasm_eye[side], spasm.lower_share, spasm_lower[side])
            spasm_lower[side] = lower
            np.maximum(spasm_eye[side], level, out=spasm_eye[side])
            if spasm.other_eye > 0:
                follow = spasm.other_eye * spasm.amplitude
                follow = follow * spasm.level(t, delays["eye"] + spasm.other_lag_s)
                np.maximum(spasm_eye[other], follow, out=spasm_eye[other])
        lower_face = spasm.amplitude if spasm.lower_face_amplitude is None else (
            spasm.lower_face_amplitude
        )  # fmt: skip
        for region in ("cheek", "mouth"):
            if region in spasm.regions:
                level = lower_face * spasm.level(t, delays[region])
                np.maximum(out[side][region], level, out=out[side][region])
    eye = {side: spasm_eye[side].copy() for side in SIDES}
    lower_part = {side: spasm_eye[side] * spasm_lower[side] for side in SIDES}
    for squint in plan.squints:
        level = squint.amount * squint.level(t)
        eye[squint.side] += level
        lower_part[squint.side] += 0.6 * level  # a squint lifts the lower lid
        np.maximum(out[squint.side]["cheek"], 0.2 * squint.level(t), out=out[squint.side]["cheek"])
    for droop in plan.droops:
        eye[droop.side] += droop.level(t)
    uneven_part = {side: zero.copy() for side in SIDES}
    for uneven in plan.uneven_eyes:
        for side in SIDES:
            level = uneven.closure(t, side)
            eye[side] += level
            uneven_part[side] += level
            lower_part[side] += 0.5 * (level - (uneven.narrowing if side == uneven.side else 0))
    for raise_ in plan.brow_raises:
        np.maximum(out[raise_.side]["brow"], raise_.level(t), out=out[raise_.side]["brow"])
    for smile in plan.smiles:
        level = smile.amplitude * _pulse(t, smile.start_s, 0.3, smile.duration_s - 0.6, 0.3)
        for side in SIDES:
            for region in ("cheek", "mouth"):
                np.maximum(out[side][region], level, out=out[side][region])
            eye[side] += smile.eye_narrowing * level
    for step in plan.provocations:
        level = step.level(t)
        for side in SIDES:
            if step.kind == "pursing":
                np.maximum(out[side]["purse"], level, out=out[side]["purse"])
            elif step.kind == "smile":
                for region in ("cheek", "mouth"):
                    np.maximum(out[side][region], level, out=out[side][region])
                eye[side] += 0.15 * level
            else:  # forceful closure: the eyes squeezed shut, the cheeks pushed up
                eye[side] += level / max(step.amplitude, 1e-9)
                np.maximum(out[side]["cheek"], 0.5 * level, out=out[side]["cheek"])
    for closure in (*plan.blinks, *plan.eyes_closed):
        for side in SIDES:
            level = closure.closure(t, side)
            eye[side] += level
            lower_part[side] += 0.15 * level  # the lower lid's usual share of a blink
    for side in SIDES:
        total = np.clip(eye[side], 0.0, 1.0)
        lower = np.clip(np.minimum(lower_part[side], total), 0.0, None)
        scale = np.where(eye[side] > 1.0, 1.0 / np.maximum(eye[side], 1e-9), 1.0)
        out[side]["lower"] = lower * scale
        out[side]["upper"] = total - out[side]["lower"]
    out["eye"] = {side: out[side]["upper"] + out[side]["lower"] for side in SIDES}
    # how much of each eye's closure is its resting unevenness and flutter, drawn by the
    # warp alone (a real closed lid is pasted only for a closure beyond it)
    out["uneven"] = {side: np.minimum(uneven_part[side], out["eye"][side]) for side in SIDES}
    jaw = zero.copy()
    for k, talk in enumerate(plan.talks):
        np.maximum(jaw, talk.level(t, phase=1.7 * k), out=jaw)
    out["jaw"] = jaw
    yaw = zero.copy()
    for turn in plan.head_turns:
        yaw += turn.level(t)
    out["yaw_deg"] = yaw
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
) -> SynthPlan:
    """A random but reproducible mixed session (the first synthetic sets' plan).

    Parameters
    ----------
    duration_s : float
        Length of the session (at least 6 s).
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
    check_number("duration_s", duration_s, minimum=6.0)
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
        else:  # no room left: the later ones would not fit either
            break
    blinks = []
    for _ in range(n_blinks):
        for _ in range(100):
            start = float(rng.uniform(0.5, duration_s - 0.5))
            if free(start, start + 0.3, gap=0.4):
                blinks.append(Blink(start, float(rng.uniform(0.2, 0.35))))
                busy.append((start, start + 0.3))
                break
        else:
            break
    smiles = []
    for _ in range(n_smiles):
        for _ in range(100):
            start, length = float(rng.uniform(1.0, duration_s - 2.5)), float(rng.uniform(1.0, 2.0))
            if free(start, start + length):
                smiles.append(Smile(start, length, float(rng.uniform(0.6, 1.0))))
                busy.append((start, start + length))
                break
        else:
            break
    spasms.sort(key=lambda s: s.start_s)
    blinks.sort(key=lambda b: b.start_s)
    smiles.sort(key=lambda s: s.start_s)
    return SynthPlan(duration_s, fps, spasms, blinks, smiles, seed=seed)


TRUTH_COLUMNS = (*EVENT_COLUMNS[: EVENT_COLUMNS.index("n_twitches") + 1], "peak_closure")
"""Columns of a truth file: those of ``events.csv`` up to ``n_twitches``, then
``peak_closure``, the planned eye closure at the burst's peak (0-1). A truth file has
no ``peak`` (the detector's departure in z) nor ``confidence``: its bursts are known."""


def write_truth(plan: SynthPlan, out_truth: str | os.PathLike) -> Path:
    """Write the true bursts (:data:`TRUTH_COLUMNS`) and, beside them, the plan as JSON.

    The plan goes to ``<stem>.plan.json`` where the truth is ``<stem>.events.csv``.
    """
    out_truth = Path(out_truth)
    table = events_to_frame([s.to_event() for s in plan.spasms])
    table = table.rename(columns={"peak": "peak_closure"})[list(TRUTH_COLUMNS)]
    with atomic_path(out_truth) as tmp:
        table.to_csv(tmp, index=False, float_format="%.4f")
    stem = out_truth.name.removesuffix(".csv").removesuffix(".events")
    write_text_atomic(
        out_truth.with_name(f"{stem}.plan.json"), json.dumps(plan.to_dict(), indent=1)
    )
    return out_truth
