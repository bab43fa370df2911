"""Synthetic sessions with known grading answers, and with provoked spasms.

Graded sessions (:func:`plan_graded`) are made to land in one SMC grade
(video proxy, :mod:`hfs_detect.session.grading`) with a chosen frequency, clonic rate
and tonic level:

``I``
    Brief one-sided bursts around the eye only.
``II``
    The same bursts spreading to the cheek and the mouth corner.
``III``
    Tonic holds that shut the eye (real closed lids) for 2.5-3.5 s, over a
    tenth of the session, between brief bursts.
``IV``
    A lasting narrowing of the eye (the tonic level) under brief bursts that
    spread to the cheek and the mouth corner.

The tonic level is a *measured* known answer. MediaPipe's response to the
affected eye narrowed by each amount (a warp, then the person's own closed lid
blended in) is measured in short clips rendered as the session is (sway,
pixel noise, MPEG-4; :func:`narrowing_response`): the relative aperture
difference ``(other - affected) / other``. The lasting
narrowing is drawn at the amount whose difference is the chosen level
(:func:`calibrate_tonic`), and the truth's tonic component and eye held
closed are the plan's narrowing, frame by frame, through that response and the
grading's own functions (:func:`expected_grading_measures`): the face's static
asymmetry and the tonic holds included, as the grading reports them.

Provoked sessions (:func:`plan_provoked`) hold a smile, a forceful eye
closure and a lip-pursing step (:class:`~hfs_detect.synth.plan.Provocation`),
one spasm just after each (``provoked``) and spasms at rest; the steps go to
``analyze --steps``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._checks import HFSDetectError, check_number, check_option
from ..face_mesh import SIDES
from ..session.grading import GradingParams
from .plan import Blink, Droop, Provocation, Spasm, SynthPlan, activation

__all__ = [
    "GRADES",
    "plan_graded",
    "plan_provoked",
    "measure_narrowing",
    "narrowing_response",
    "calibrate_tonic",
    "expected_frames",
    "expected_grading_measures",
    "grading_truth",
    "synthesize_graded",
]

GRADES = ("I", "II", "III", "IV")
HELD_CLOSURE = 0.95  # planned closure of a hold that shuts the eye (real closed lids)
TONIC_FIRST_S = 14.0  # a lasting narrowing is re-learned as rest first (max_burst_s 12 s)


def _place(rng, first_s: float, last_s: float, lengths: list[float], gap_s: float = 2.0):
    """Start times for items of ``lengths``, in their order, in ``[first_s, last_s]`` and
    at least ``gap_s`` apart; the spare time is shared out at random."""
    spare = (last_s - first_s) - sum(lengths) - gap_s * (len(lengths) - 1)
    if spare < 0:
        raise HFSDetectError("the session is too short for its bursts: make it longer")
    slack = spare * rng.dirichlet(np.ones(len(lengths) + 1))
    starts, clock = [], first_s
    for length, extra in zip(lengths, slack, strict=False):
        clock += extra
        starts.append(float(clock))
        clock += length + gap_s
    return starts


def _twitches(rng, n: int) -> tuple[float, ...]:
    gaps = rng.uniform(0.28, 0.45, max(n - 1, 0))
    return tuple(np.round(np.cumsum(np.r_[0.0, gaps]), 3))


def plan_graded(
    grade: str,
    *,
    side: str = "left",
    duration_s: float = 60.0,
    fps: float = 30.0,
    seed: int = 0,
    n_bursts: int = 8,
    clonic_rate_per_min: float = 16.0,
    tonic_amount: float = 0.0,
    n_blinks: int = 5,
) -> SynthPlan:
    """A seeded session meant to grade ``grade`` (see the module's docstring).

    Parameters
    ----------
    grade : {'I', 'II', 'III', 'IV'}
        The SMC grade (video proxy) the session is made for.
    side : {'left', 'right'}
        The spasms' side.
    duration_s : float
        Length of the session.
    fps : float
        Frame rate of the video to render.
    seed : int
        Same seed, same plan.
    n_bursts : int
        Bursts in the session (its frequency: ``n_bursts`` per ``duration_s``).
    clonic_rate_per_min : float
        Twitches of the clonic bursts per minute (spread over them, 2 or more each).
    tonic_amount : float
        The affected eye's lasting narrowing (0-1, as drawn; grade IV; see
        :func:`calibrate_tonic` for the amount that gives a measured level).
    n_blinks : int
        Ordinary bilateral blinks.

    Returns
    -------
    SynthPlan
        ``pattern`` is ``grade_<grade>``.
    """
    check_option("grade", grade, GRADES)
    check_option("side", side, SIDES)
    check_number("duration_s", duration_s, minimum=30.0)
    check_number("tonic_amount", tonic_amount, minimum=0.0, maximum=1.0)
    rng = np.random.default_rng(seed)
    plan = SynthPlan(duration_s, fps, seed=seed, pattern=f"grade_{grade}", sway_deg=0.6,
                       cheek_spread=0.35)  # fmt: skip
    n_holds = 4 if grade == "III" else 0
    holds = [float(rng.uniform(2.5, 3.5)) for _ in range(n_holds)]
    n_clonic = max(n_bursts - n_holds - 2, 1)
    n_brief_tonic = n_bursts - n_holds - n_clonic
    total_twitches = max(int(round(clonic_rate_per_min * duration_s / 60.0)), 2 * n_clonic)
    counts = np.full(n_clonic, total_twitches // n_clonic)
    counts[: total_twitches % n_clonic] += 1
    spreading = grade in ("II", "IV")  # a lasting asymmetry comes with spread spasms
    regions = ("eye", "cheek", "mouth") if spreading else ("eye",)
    spread = 0.12 if spreading else 0.0
    items = (
        [("hold", h) for h in holds]
        + [("clonic", int(c)) for c in counts]
        + [("tonic", float(rng.uniform(0.25, 0.45))) for _ in range(n_brief_tonic)]
    )
    order = rng.permutation(len(items))
    items = [items[k] for k in order]
    lengths = [(v + 0.4 if kind != "clonic" else 0.45 * v + 0.3) for kind, v in items]
    first = TONIC_FIRST_S if tonic_amount > 0 else 2.0
    starts = _place(rng, first, duration_s - 1.0, lengths)
    for (kind, value), start in zip(items, starts, strict=True):
        amplitude = float(rng.uniform(0.55, 0.8))
        if kind == "clonic":
            plan.spasms.append(Spasm(start, side, "clonic", amplitude, regions,
                                     _twitches(rng, value), pattern=plan.pattern,
                                     spread_s=spread))  # fmt: skip
        else:
            hold = kind == "hold"
            plan.spasms.append(Spasm(start, side, "tonic", HELD_CLOSURE if hold else amplitude,
                                     regions, hold_s=value, pattern=plan.pattern,
                                     spread_s=spread))  # fmt: skip
    if tonic_amount > 0:
        plan.droops.append(Droop(0.0, 1e-3, side, float(tonic_amount)))
    busy = [(s.start_s - 0.8, s.end_s + 0.8) for s in plan.spasms]
    for _ in range(n_blinks):
        for _ in range(200):
            start = float(rng.uniform(1.0, duration_s - 1.0))
            if all(start + 0.3 < a or start > b for a, b in busy):
                plan.blinks.append(Blink(start, float(rng.uniform(0.2, 0.3))))
                busy.append((start - 0.8, start + 1.1))
                break
    plan.spasms.sort(key=lambda s: s.start_s)
    plan.blinks.sort(key=lambda b: b.start_s)
    return plan


def plan_provoked(
    *, side: str = "left", duration_s: float = 45.0, fps: float = 30.0, seed: int = 0
) -> SynthPlan:
    """A session with three provocation steps (a smile at 10 s, a forceful eye closure
    at 20 s, lip pursing at 30 s, 3-4 s each), one spasm 0.5-2.5 s after each step
    (provoked) and two at rest (before the first step and after the last one's 5 s)."""
    check_option("side", side, SIDES)
    check_number("duration_s", duration_s, minimum=45.0)
    rng = np.random.default_rng(seed)
    plan = SynthPlan(duration_s, fps, seed=seed, pattern="provoked", sway_deg=0.6,
                       cheek_spread=0.35)  # fmt: skip
    for start, kind in ((10.0, "smile"), (20.0, "closure"), (30.0, "pursing")):
        step = Provocation(start, float(rng.uniform(3.0, 4.0)), kind)
        plan.provocations.append(step)
        onset = step.end_s + float(rng.uniform(0.5, 2.5))
        plan.spasms.append(_brief(rng, onset, side, provoked=True))
    for start in (float(rng.uniform(3.0, 7.0)), float(rng.uniform(40.0, duration_s - 2.5))):
        plan.spasms.append(_brief(rng, start, side))
    plan.blinks += [Blink(float(rng.uniform(1.0, 2.0)), 0.25), Blink(8.0, 0.25)]
    plan.spasms.sort(key=lambda s: s.start_s)
    return plan


def _brief(rng, start: float, side: str, provoked: bool = False) -> Spasm:
    regions = ("eye", "cheek", "mouth") if rng.random() < 0.5 else ("eye",)
    return Spasm(start, side, "clonic", float(rng.uniform(0.6, 0.85)), regions,
                 _twitches(rng, int(rng.integers(2, 4))), pattern="provoked", spread_s=0.1,
                 provoked=provoked)  # fmt: skip


def measure_narrowing(
    source, side: str, amount: float, *, seconds: float = 4.0, sway_deg: float = 0.6
) -> float:
    """``(other - affected) / other`` of the source's face with the ``side`` eye narrowed
    by ``amount`` (a lasting droop), as MediaPipe measures it in a session: a clip of
    ``seconds`` rendered as a session is (sway, pixel noise, MPEG-4), its median over the
    clip's second half."""
    import tempfile

    from ..landmarks.engines import extract_landmarks
    from ..landmarks.sources import open_video
    from ..signals import frames_table
    from .render import render_session

    plan = SynthPlan(seconds, source.fps, seed=int(1000 * amount), sway_deg=sway_deg)
    if amount > 0:
        plan.droops.append(Droop(0.0, 1e-3, side, float(amount)))
    other = "right" if side == "left" else "left"
    with tempfile.TemporaryDirectory(prefix="hfs-detect-calibrate-") as tmp:
        clip = render_session(source, plan, Path(tmp) / "clip.mp4")
        with open_video(clip) as video:
            table = frames_table(extract_landmarks(video, max_faces=1))
    late = table[table.time_s >= seconds / 2]
    difference = 1.0 - late[f"eye_aperture_{side}"] / late[f"eye_aperture_{other}"]
    if not np.isfinite(difference).any():
        raise HFSDetectError("no face found in the source's frames")
    return float(np.nanmedian(difference))


def narrowing_response(source, side: str, amounts=None) -> tuple[np.ndarray, np.ndarray]:
    """How MediaPipe measures the ``side`` eye narrowed by each of ``amounts`` (default
    0, 0.2, ..., 1) on the source's face (:func:`measure_narrowing`): ``(amounts,
    relative differences)``, made non-decreasing."""
    amounts = np.linspace(0.0, 1.0, 6) if amounts is None else np.asarray(amounts, float)
    measured = np.array([measure_narrowing(source, side, float(a)) for a in amounts])
    return amounts, np.maximum.accumulate(measured)


def calibrate_tonic(response: tuple[np.ndarray, np.ndarray], level: float) -> float:
    """The narrowing amount whose measured relative difference is ``level``
    (``response`` from :func:`narrowing_response`); 0 when the face's own is already
    ``level`` or more.

    Raises
    ------
    HFSDetectError
        If the face's eye cannot be narrowed that far.
    """
    check_number("level", level, minimum=-1.0, maximum=1.0)
    amounts, measured = response
    if level <= measured[0]:
        return 0.0
    if level > measured[-1] + 0.01:
        raise HFSDetectError(
            f"this face's eye cannot be narrowed to a tonic level of {level:g} "
            f"(at most {measured[-1]:.2f})"
        )
    first = min(int(np.searchsorted(measured, level)), len(amounts) - 1)
    a0, a1, r0, r1 = amounts[first - 1], amounts[first], measured[first - 1], measured[first]
    return float(a0 + (a1 - a0) * (level - r0) / max(r1 - r0, 1e-9))


def expected_frames(plan: SynthPlan, side: str, response: tuple[np.ndarray, np.ndarray]):
    """The eye apertures the plan should give, frame by frame: the affected eye's planned
    narrowing as MediaPipe measures it on the face (``response``), against the other eye
    (open, or closing in a blink); a frames table for :mod:`hfs_detect.session.grading`."""
    import pandas as pd

    t = np.arange(int(round(plan.duration_s * plan.fps))) / plan.fps
    act = activation(plan, t)
    other = "right" if side == "left" else "left"
    difference = np.interp(act["eye"][side], *response)
    theirs = 1.0 - act["eye"][other]
    return pd.DataFrame({
        "time_s": t, "face": True, "rest": True, f"eye_aperture_{other}": theirs,
        f"eye_aperture_{side}": theirs * (1.0 - difference),
    })  # fmt: skip


def expected_grading_measures(
    plan: SynthPlan, side: str, response: tuple[np.ndarray, np.ndarray], params=None
) -> dict:
    """The measured items the plan should give (:func:`expected_frames` through the
    grading's own functions): ``tonic_median``, ``tonic_p90``, ``held_closed_fraction``."""
    from ..session.grading import held_closed, tonic_component

    p = params or GradingParams()
    frames = expected_frames(plan, side, response)
    tonic = tonic_component(frames, side, p.tonic_window_s)
    held = held_closed(frames, side, p)
    return {
        "tonic_median": float(np.nanmedian(tonic)),
        "tonic_p90": float(np.nanpercentile(tonic, 90)),
        "held_closed_fraction": float(held.mean()),
    }


def grading_truth(plan: SynthPlan, measures: dict, params: GradingParams | None = None) -> dict:
    """The grading items the plan holds (:data:`hfs_detect.session.grading.GRADING_KEYS`), its
    measured ones from :func:`expected_grading_measures`."""
    p = params or GradingParams()
    spasms = [s for s in plan.spasms if not s.provoked]
    side = spasms[0].side if spasms else None
    minutes = plan.duration_s / 60.0
    held = measures["held_closed_fraction"]
    tonic_median = measures["tonic_median"]
    beyond = (
        sum(("cheek" in s.regions or "mouth" in s.regions) for s in spasms) / len(spasms)
        if spasms else None
    )  # fmt: skip
    per_hour = len(spasms) / (plan.duration_s / 3600.0)
    if tonic_median >= p.asymmetry_level:
        smc = "IV"
    elif held >= p.blocked_fraction:
        smc = "III"
    else:
        smc = "II" if (beyond or 0.0) >= p.spread_share else "I"
    if held > 0.5:
        jankovic = 4
    elif any(s.end_s - s.start_s >= p.long_burst_s for s in spasms):
        jankovic = 3
    else:
        jankovic = 2 if per_hour >= p.frequent_per_hour else 1
    clonic = sum(len(s.twitch_onsets_s) for s in spasms if s.kind == "clonic")
    return {
        "affected_side": side,
        "bursts_per_rest_hour": round(per_hour, 2),
        "jankovic_frequency": jankovic if spasms else 0,
        "beyond_eye_fraction": None if beyond is None else round(beyond, 3),
        "held_closed_fraction": round(held, 4),
        "smc_grade": smc if spasms else None,
        "tonic_median": round(tonic_median, 4),
        "tonic_p90": round(measures["tonic_p90"], 4),
        "clonic_twitches_per_min": round(clonic / minutes, 3),
    }


def _refine(source, side: str, response, amount: float, level: float, steps: int = 3):
    """``response`` with direct measurements around ``amount`` until the measured
    difference is within 0.02 of ``level`` (the curve bends where the real lid blends in)."""
    amounts, measured = (list(a) for a in response)
    for _ in range(steps):
        value = measure_narrowing(source, side, amount)
        k = int(np.searchsorted(amounts, amount))
        amounts.insert(k, amount)
        measured.insert(k, value)
        curve = (np.array(amounts), np.maximum.accumulate(np.array(measured)))
        if abs(value - level) <= 0.02:
            return curve
        amount = calibrate_tonic(curve, level)
    return (np.array(amounts), np.maximum.accumulate(np.array(measured)))


def synthesize_graded(
    out_video: str | os.PathLike,
    source,
    *,
    grade: str = "I",
    side: str = "left",
    tonic_level: float | None = None,
    clonic_rate_per_min: float = 16.0,
    duration_s: float = 60.0,
    seed: int = 0,
    response: tuple[np.ndarray, np.ndarray] | None = None,
) -> SynthPlan:
    """Calibrate, plan and render one graded session with its truth.

    ``tonic_level``: the tonic component to give the session, as MediaPipe measures
    it (default 0.35 for grade IV; otherwise the face's own, no narrowing drawn). The
    plan, with its ``grading`` truth, goes beside the video. ``response``: the face's
    :func:`narrowing_response` for ``side`` when already measured (it depends only on
    the face and the side; measuring it renders six short clips).
    """
    from .render import render_session

    check_option("grade", grade, GRADES)
    if response is None:
        response = narrowing_response(source, side)
    level = (0.35 if grade == "IV" else -1.0) if tonic_level is None else float(tonic_level)
    amount = calibrate_tonic(response, level)
    if amount > 0:  # refined where it matters: measured at the amount itself (secant steps)
        response = _refine(source, side, response, amount, level)
        amount = calibrate_tonic(response, level)
    plan = plan_graded(grade, side=side, duration_s=duration_s, fps=source.fps, seed=seed,
                       clonic_rate_per_min=clonic_rate_per_min, tonic_amount=amount)  # fmt: skip
    plan.grading = grading_truth(plan, expected_grading_measures(plan, side, response))
    if plan.grading["smc_grade"] != grade:
        raise HFSDetectError(
            f"this face cannot make a grade {grade} session (its lids, as MediaPipe measures "
            f"them, make it grade {plan.grading['smc_grade']}); grade III needs real closed "
            "lids: give a --source-video with blinks"
        )
    render_session(source, plan, Path(out_video))  # the truth and the plan beside it
    return plan
