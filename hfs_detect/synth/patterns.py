"""Named spasm patterns and distractors: session plans for the evaluation sets.

Each session tests one thing. A *spasm pattern* session holds 3-4 true
bursts of that pattern on one side, among ordinary blinks; a *distractor*
session holds no spasm, only the movement that must not be flagged. Scores
are reported per pattern (recall, precision) and per distractor (false
bursts), so a weakness shows where it is.

Spasm patterns (:data:`SPASM_PATTERNS`) and distractors
(:data:`DISTRACTOR_PATTERNS`) are listed with what they hold. Plans are
seeded: the same arguments give the same plan. On a moving real face, spasms
go only where the source face is quiet (``quiet``), so every true burst is
one the detector can judge at rest.
"""

from __future__ import annotations

import numpy as np

from .._checks import HFSDetectError, check_number, check_option
from ..face_mesh import SIDES
from .plan import (
    Blink,
    BrowRaise,
    Droop,
    EyesClosed,
    HeadTurn,
    Smile,
    Spasm,
    Squint,
    SynthPlan,
    Talk,
    UnevenEyes,
)

__all__ = ["SPASM_PATTERNS", "DISTRACTOR_PATTERNS", "PATTERNS", "plan_pattern", "session_length_s"]

SPASM_PATTERNS: dict[str, str] = {
    "mixed": "eye-led clonic trains and tonic holds, cheek and mouth often joining",
    "lower_lid": "lower-lid-led twitches: the lower lid rises, small closures",
    "spread": "eye, then cheek, then mouth corner, each 0.1-0.35 s later",
    "lower_face": "cheek-only, mouth-only or cheek-and-mouth twitches, the eye still",
    "tonic_hold": "tonic holds of 5-10 s during which both eyes blink",
    "first_second": "the first spasm within the first second of the session",
    "clonic_train": "clonic trains at 2-8 Hz, 4-12 twitches",
    "full_closure": "strong to full one-sided closures (real closed lids)",
    "full_closure_other": "full one-sided closures while the other eye narrows 20-45%",
    "long_hold": "tonic holds of 5-15 s, the eye held shut while the other eye blinks",
}
"""Spasm patterns: name -> what the session holds."""

DISTRACTOR_PATTERNS: dict[str, str] = {
    "uneven_blinks": "blinks with one eye shut and the other 40-80%, or one reopening late",
    "eyes_closed": "rest with both eyes closed for 3-8 s, the eyes closing apart",
    "squint": "a one-sided squint held 15-25 s",
    "droop": "one upper lid drooping 20-40% over 4-10 s and staying",
    "expressions": "bilateral smiles, talking and head turns",
    "uneven_eyes": "one eye narrower from the first frame, each lid fluttering at its own times",
    "brow_raise": "one brow raised alone, 0.3-1.5 s, 4-6 times",
    "blepharospasm": "blepharospasm-like: 30-40 blinks a minute and 4-6 forceful closures of "
    "both eyes, 0.8-3 s (its verdict is bilateral_pattern)",
}
"""Distractor sessions (no spasm): name -> what the session holds."""

PATTERNS: tuple[str, ...] = (*SPASM_PATTERNS, *DISTRACTOR_PATTERNS)


def session_length_s(pattern: str) -> float:
    """The default length of a session of ``pattern``."""
    return {"tonic_hold": 45.0, "long_hold": 60.0}.get(pattern, 30.0)


class _Placer:
    """Places intervals without overlap, where the source is quiet."""

    def __init__(
        self, rng, duration_s: float, fps: float, quiet: np.ndarray | None,
        onset_free: np.ndarray | None = None,
    ):  # fmt: skip
        self.rng, self.duration_s, self.fps = rng, duration_s, fps
        self.quiet, self.onset_free = quiet, onset_free
        self.busy: list[tuple[float, float]] = []

    def is_quiet(self, start_s: float, end_s: float, mask: np.ndarray | None = None) -> bool:
        mask = self.quiet if mask is None else mask
        if mask is None:
            return True
        a = max(int(np.floor(start_s * self.fps)), 0)
        b = min(int(np.ceil(end_s * self.fps)) + 1, len(mask))
        return bool(mask[a:b].all()) if b > a else False

    def onset_seen(self, start_s: float) -> bool:
        """No real blink of the source around the onset (a twitch inside a blink closes
        both eyes alike and leaves nothing to judge)."""
        return self.onset_free is None or self.is_quiet(start_s - 0.1, start_s + 0.3,
                                                        self.onset_free)  # fmt: skip

    def free(self, start_s: float, end_s: float, gap_s: float) -> bool:
        return all(end_s + gap_s < s or start_s > e + gap_s for s, e in self.busy)

    def place(self, make, earliest_s: float, *, gap_s: float = 1.2, quiet: bool = True, tries=300):
        """``make(start_s)`` -> item with ``start_s``/``end_s``; placed or None."""
        for _ in range(tries):
            start = float(self.rng.uniform(earliest_s, max(earliest_s, self.duration_s - 1.0)))
            item = make(start)
            if item.end_s > self.duration_s - 0.6 or not self.free(item.start_s, item.end_s, gap_s):
                continue
            if quiet and not (
                self.is_quiet(item.start_s - 1.0, item.end_s + 0.3)
                and self.onset_seen(item.start_s)
            ):
                continue
            self.busy.append((item.start_s, item.end_s))
            return item
        return None


def _onsets(rng, n: int, gap_s=(0.25, 0.45)) -> tuple[float, ...]:
    return tuple(np.round(np.cumsum(np.r_[0.0, rng.uniform(*gap_s, n - 1)]), 3))


def _eye_led(rng, start, side, pattern, k, amplitude, **extra) -> Spasm:
    regions = ("eye",) + tuple(r for r in ("cheek", "mouth") if rng.random() < 0.6)
    if k % 2 == 0:
        return Spasm(start, side, "clonic", amplitude, regions,
                     _onsets(rng, int(rng.integers(1, 6))), pattern=pattern, **extra)  # fmt: skip
    return Spasm(start, side, "tonic", amplitude, regions, hold_s=float(rng.uniform(0.4, 2.0)),
                 pattern=pattern, **extra)  # fmt: skip


def _spasm(pattern: str, rng, start: float, side: str, k: int) -> Spasm:
    u = rng.uniform
    if pattern == "mixed":
        return _eye_led(rng, start, side, pattern, k, float(u(0.35, 0.8)))
    if pattern == "lower_lid":
        regions = ("eye", "cheek") if rng.random() < 0.4 else ("eye",)
        common = dict(pattern=pattern, lower_share=float(u(0.6, 0.85)))
        amplitude = float(u(0.3, 0.6))
        if k % 2 == 0:
            return Spasm(start, side, "clonic", amplitude, regions,
                         _onsets(rng, int(rng.integers(1, 5))), **common)  # fmt: skip
        return Spasm(start, side, "tonic", amplitude, regions, hold_s=float(u(0.5, 1.5)), **common)
    if pattern == "spread":
        common = dict(pattern=pattern, spread_s=float(u(0.1, 0.35)))
        amplitude = float(u(0.4, 0.9))
        regions = ("eye", "cheek", "mouth")
        if k % 2 == 0:
            return Spasm(start, side, "clonic", amplitude, regions,
                         _onsets(rng, int(rng.integers(2, 6))), **common)  # fmt: skip
        return Spasm(start, side, "tonic", amplitude, regions, hold_s=float(u(0.5, 2.0)), **common)
    if pattern == "lower_face":
        regions = [("cheek",), ("mouth",), ("cheek", "mouth")][k % 3]
        amplitude = float(u(0.6, 1.0))
        if k % 2 == 0:
            return Spasm(start, side, "clonic", amplitude, regions,
                         _onsets(rng, int(rng.integers(1, 5))), pattern=pattern)  # fmt: skip
        return Spasm(start, side, "tonic", amplitude, regions, hold_s=float(u(0.5, 2.0)),
                     pattern=pattern)  # fmt: skip
    if pattern == "tonic_hold":
        regions = ("eye",) + tuple(r for r in ("cheek", "mouth") if rng.random() < 0.7)
        return Spasm(start, side, "tonic", float(u(0.4, 1.0)), regions,
                     hold_s=float(u(5.0, 10.0)), pattern=pattern)  # fmt: skip
    if pattern == "long_hold":
        regions = ("eye",) + tuple(r for r in ("cheek", "mouth") if rng.random() < 0.6)
        return Spasm(start, side, "tonic", float(u(0.75, 1.0)), regions,
                     hold_s=float(u(5.0, 15.0)), pattern=pattern)  # fmt: skip
    if pattern == "first_second":
        return _eye_led(rng, start, side, pattern, k + 1, float(u(0.4, 0.9)))
    if pattern == "clonic_train":
        rate = float(u(2.0, 8.0))
        n = int(rng.integers(4, 13))
        onsets = tuple(np.round(np.arange(n) / rate + rng.normal(0, 0.08 / rate, n).clip(0), 3))
        regions = ("eye",) + tuple(r for r in ("cheek", "mouth") if rng.random() < 0.5)
        return Spasm(start, side, "clonic", float(u(0.35, 0.9)), regions, tuple(sorted(onsets)),
                     pattern=pattern, twitch_rise_s=min(0.05, 0.3 / rate),
                     twitch_fall_s=min(0.15, 0.55 / rate))  # fmt: skip
    if pattern in ("full_closure", "full_closure_other"):
        extra = {}
        if pattern == "full_closure_other":
            extra = dict(other_eye=float(u(0.2, 0.45)), other_lag_s=float(u(0.0, 0.1)))
        return _eye_led(rng, start, side, pattern, k, float(u(0.9, 1.0)), **extra)
    raise HFSDetectError(f"unknown spasm pattern {pattern!r}")


def _blink(rng, start: float) -> Blink:
    return Blink(start, float(rng.uniform(0.2, 0.35)))


def _uneven_blink(rng, start: float, k: int) -> Blink:
    shut, partial = ("left", "right") if rng.random() < 0.5 else ("right", "left")
    duration = float(rng.uniform(0.2, 0.35))
    if k % 2 == 0:
        return Blink(
            start,
            duration,
            **{f"depth_{shut}": 1.0, f"depth_{partial}": float(rng.uniform(0.4, 0.8))},
        )
    return Blink(start, duration, **{f"lag_{shut}_s": float(rng.uniform(0.1, 0.2))})


def plan_pattern(
    pattern: str,
    *,
    side: str | None = "left",
    duration_s: float | None = None,
    fps: float = 30.0,
    seed: int = 0,
    quiet: np.ndarray | None = None,
    onset_free: np.ndarray | None = None,
    n_blinks: int = 5,
) -> SynthPlan:
    """A seeded session plan for one named pattern or distractor.

    Parameters
    ----------
    pattern : str
        One of :data:`PATTERNS`.
    side : {'left', 'right'}
        The spasm side (spasm patterns); for one-sided distractors, the side
        of the squint, the droop, the raised brow or the narrower eye.
    duration_s : float, optional
        Session length (default :func:`session_length_s`).
    fps : float
        Frame rate of the video to render.
    seed : int
        Same seed, same plan.
    quiet : (n,) bool array, optional
        Per output frame, whether the source face is quiet; spasms are placed
        only where it is (with 1 s of quiet before).
    onset_free : (n,) bool array, optional
        Per output frame, whether the source is also free of its own blinks; a
        spasm's onset goes only where it is.
    n_blinks : int
        Ordinary bilateral blinks besides what the pattern holds.

    Returns
    -------
    SynthPlan
    """
    check_option("pattern", pattern, PATTERNS)
    side = side or "left"
    check_option("side", side, SIDES)
    duration_s = float(duration_s or session_length_s(pattern))
    check_number("duration_s", duration_s, minimum=12.0)
    rng = np.random.default_rng(seed)
    placer = _Placer(rng, duration_s, fps, quiet, onset_free)
    plan = SynthPlan(duration_s, fps, seed=seed, pattern=pattern, sway_deg=0.6, cheek_spread=0.35)
    if pattern in SPASM_PATTERNS:
        n = 3 if pattern in ("tonic_hold", "long_hold") else 4
        k = 0
        if pattern == "first_second":
            first = _spasm(pattern, rng, float(rng.uniform(0.0, 0.8)), side, 0)
            if (
                first.end_s < duration_s
                and placer.is_quiet(0.0, first.end_s + 0.3)
                and (placer.onset_seen(first.start_s))
            ):
                placer.busy.append((first.start_s, first.end_s))
                plan.spasms.append(first)
                k = 1
        lead_in_s = 1.5 if pattern == "first_second" else 2.0
        while k < n:
            spasm = placer.place(lambda s, k=k: _spasm(pattern, rng, s, side, k), lead_in_s)
            if spasm is None:
                break
            plan.spasms.append(spasm)
            k += 1
        if pattern == "tonic_hold":  # both eyes blink during each hold
            for spasm in plan.spasms:
                hold_start = spasm.start_s + 0.4
                for _ in range(int(rng.integers(1, 4))):
                    start = float(rng.uniform(hold_start + 0.5, spasm.end_s - 1.0))
                    plan.blinks.append(_blink(rng, start))
        if pattern == "long_hold":  # the other eye blinks while the held eye stays shut
            for spasm in plan.spasms:
                for _ in range(int(rng.integers(2, 5))):
                    start = float(rng.uniform(spasm.start_s + 0.8, spasm.end_s - 1.0))
                    plan.blinks.append(Blink(start, float(rng.uniform(0.2, 0.35)),
                                             **{f"depth_{spasm.side}": 0.0}))  # fmt: skip
    elif pattern == "uneven_eyes":

        def flutters() -> tuple[float, ...]:
            times = np.cumsum(np.r_[rng.uniform(0.3, 1.0), rng.uniform(0.6, 3.0, int(duration_s))])
            return tuple(np.round(times[times < duration_s - 0.5], 3))

        plan.uneven_eyes.append(UnevenEyes(
            side, float(rng.uniform(0.25, 0.4)), float(rng.uniform(0.25, 0.4)),
            float(rng.uniform(0.12, 0.25)), flutters(), flutters(),
        ))  # fmt: skip
    elif pattern == "brow_raise":
        for _ in range(int(rng.integers(4, 7))):
            raise_ = placer.place(lambda s: BrowRaise(s, float(rng.uniform(0.3, 1.5)), side,
                                                      float(rng.uniform(0.6, 1.0))),
                                  1.0, quiet=False)  # fmt: skip
            plan.brow_raises += [raise_] if raise_ else []
    elif pattern == "uneven_blinks":
        for k in range(8):
            blink = placer.place(lambda s, k=k: _uneven_blink(rng, s, k), 0.5, gap_s=0.8,
                                 quiet=False)  # fmt: skip
            if blink is not None:
                plan.blinks.append(blink)
    elif pattern == "eyes_closed":
        for _ in range(2):

            def make(s):
                lag = float(rng.uniform(0.0, 0.2))
                lagging = "left" if rng.random() < 0.5 else "right"
                return EyesClosed(
                    s, float(rng.uniform(3.0, 8.0)), float(rng.uniform(0.85, 1.0)),
                    float(rng.uniform(0.85, 1.0)), **{f"lag_{lagging}_s": lag},
                )  # fmt: skip

            closed = placer.place(make, 1.0, gap_s=2.0, quiet=False)
            if closed is not None:
                plan.eyes_closed.append(closed)
    elif pattern == "blepharospasm":  # forceful closures of both eyes, and frequent blinks

        def forceful(s):
            depths = rng.uniform(0.9, 1.0, 2)
            return EyesClosed(s, float(rng.uniform(0.8, 3.0)), float(depths[0]), float(depths[1]))

        for _ in range(int(rng.integers(4, 7))):
            closed = placer.place(forceful, 0.5, gap_s=1.0, quiet=False)
            plan.eyes_closed += [closed] if closed else []
        per_min = float(rng.uniform(30.0, 40.0))
        for _ in range(round(per_min * duration_s / 60) - n_blinks):
            blink = placer.place(lambda s: _blink(rng, s), 0.3, gap_s=0.4, quiet=False)
            plan.blinks += [blink] if blink else []
    elif pattern == "squint":
        start = float(rng.uniform(3.0, 6.0))
        length = min(float(rng.uniform(15.0, 25.0)), duration_s - start - 0.5)
        squint = Squint(
            start, length, side, float(rng.uniform(0.25, 0.5)), float(rng.uniform(0.3, 0.6))
        )
        plan.squints.append(squint)
        placer.busy.append((squint.start_s, squint.start_s + 1.0))
    elif pattern == "droop":
        start = float(rng.uniform(3.0, 8.0))
        droop = Droop(start, float(rng.uniform(4.0, 10.0)), side, float(rng.uniform(0.2, 0.4)))
        plan.droops.append(droop)
    elif pattern == "expressions":
        for _ in range(2):
            smile = placer.place(
                lambda s: Smile(s, float(rng.uniform(1.0, 2.5)), float(rng.uniform(0.6, 1.0)),
                                float(rng.uniform(0.1, 0.2))), 1.0, quiet=False)  # fmt: skip
            plan.smiles += [smile] if smile else []
            talk = placer.place(
                lambda s: Talk(s, float(rng.uniform(2.0, 4.0)), float(rng.uniform(3.0, 5.0)),
                               float(rng.uniform(0.4, 0.8))), 1.0, quiet=False)  # fmt: skip
            plan.talks += [talk] if talk else []
            turn = placer.place(
                lambda s: HeadTurn(s, float(rng.uniform(1.5, 3.0)),
                                   float(rng.uniform(15.0, 30.0)) * rng.choice([-1, 1])),
                1.0, quiet=False)  # fmt: skip
            plan.head_turns += [turn] if turn else []
    for _ in range(n_blinks):
        blink = placer.place(lambda s: _blink(rng, s), 0.3, gap_s=0.5, quiet=False)
        if blink is not None:
            plan.blinks.append(blink)
    plan.spasms.sort(key=lambda s: s.start_s)
    plan.blinks.sort(key=lambda b: b.start_s)
    return plan
