"""Grading proxies: the session in the terms of the scales clinicians use.

Every item is computed from the bursts at rest and the per-frame table, and
is a *video proxy* of a clinical scale, never a diagnosis. A band or grade is
given only when the session shows the screening pattern (verdict
``unilateral_bursts``) on the affected side; otherwise the frequency band is 0
and there is no SMC grade, while the measured figures are still reported.

Items (``summary.json`` → ``grading``)
--------------------------------------
``bursts_per_rest_hour``
    One-sided bursts on the affected side per hour of rest.
``jankovic_frequency`` (Jankovic rating scale, frequency item, video proxy)
    0: no pattern of one-sided bursts. 1: brief bursts (all shorter than
    ``long_burst_s``) at fewer than ``frequent_per_hour`` per rest-hour
    ("slightly increased"). 2: brief bursts, more often ("fluttering lasting
    less than 1 s"). 3: a burst of ``long_burst_s`` or longer ("spasms
    lasting more than 1 s, eyes open more than half the time"). 4: the
    affected eye held closed (see below) over half of the rest time
    ("functionally blind").
``beyond_eye_fraction``
    Share of bursts that reached beyond the eye: the cheek or the mouth
    corner. (The same side's brow raised, the "other Babinski sign", is
    counted apart, ``n_brow_raised``: a closing eye moves the brow's landmarks
    on some faces, so it does not make a spread here.)
``held_closed_fraction``
    Share of rest time in which the affected eye was more than
    ``held_closure`` closed (of its rest aperture) for ``min_held_s`` or
    longer while the other eye stayed open (not a blink).
``smc_grade`` (SMC grade of Lee et al. 2012, video proxy)
    I: bursts around the eye only. II: spread beyond the eye in at least
    ``spread_share`` of the bursts. III: the affected eye held closed over
    ``blocked_fraction`` of the rest time ("frequent tonic spasms that block
    vision"). IV: a persistent resting asymmetry: the affected eye's tonic
    narrowing (median) ``asymmetry_level`` or more ("disfiguring asymmetry").
    The highest that applies.
``tonic_median``, ``tonic_p90``
    The tonic component of Nomura & Sakai's method: the relative difference
    of the eye apertures, (other - affected) / other, smoothed by a
    Savitzky-Golay filter (second order, ``tonic_window_s``), over the rest
    frames; blinks (the other eye closed more than half) are bridged first.
    0 for a symmetric face; a face's own static asymmetry stays below the
    noise floor :data:`TONIC_NOISE_FLOOR`. None with less than ``min_rest_s``
    of rest.
``clonic_twitches_per_min``
    Twitches of the clonic bursts per minute of rest.

The affected side is the bursts' dominant side, or a side given by the
caller (a pre-treatment visit, so follow-ups are graded on the same side),
or, with no bursts, the side whose eye is the narrower at rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import Parameters, check_option
from ..events import Event, dominant_side
from ..face_mesh import SIDES
from ..signals import frame_durations, rest_contraction

__all__ = [
    "GradingParams",
    "TONIC_NOISE_FLOOR",
    "GRADING_KEYS",
    "SMC_GRADES",
    "grade_session",
    "grading_rows",
    "grading_sentence",
    "tonic_component",
    "held_closed",
]

TONIC_NOISE_FLOOR = 0.15
"""Tonic component (median over rest) below which a face is within the noise of a
face without spasm: three times the spread of the static eye asymmetry of resting
faces (0.05, the detector's symmetric-face prior). The real videos without spasm
measure at most 0.086 (``benchmarks/accuracy/grading_real.py``; ``hfs-detect evaluate --help``)."""

SMC_GRADES = ("I", "II", "III", "IV")

GRADING_KEYS: tuple[str, ...] = (
    "affected_side",
    "bursts_per_rest_hour",
    "jankovic_frequency",
    "beyond_eye_fraction",
    "held_closed_fraction",
    "smc_grade",
    "tonic_median",
    "tonic_p90",
    "clonic_twitches_per_min",
)
"""The grading items, in order (``cohort.csv`` and ``compare`` columns, prefixed
``grading_`` in cohort tables)."""


@dataclass(frozen=True)
class GradingParams(Parameters):
    """Thresholds of the grading proxies (units in the names).

    Attributes
    ----------
    long_burst_s : float
        A burst this long or longer is a spasm "lasting more than a second" (1 s).
    frequent_per_hour : float
        Brief bursts at least this often are "fluttering", frequency 2 (60 per rest-hour).
    held_closure : float
        Closure (fraction of the rest aperture lost) of an eye held closed (0.5).
    min_held_s : float
        Shortest hold counted as held closed (1 s).
    blocked_fraction : float
        Share of rest time with the eye held closed for SMC III (0.1).
    spread_share : float
        Share of bursts beyond the eye for SMC II (0.25).
    asymmetry_level : float
        Median tonic narrowing of the affected eye for SMC IV (0.25).
    tonic_window_s : float
        Savitzky-Golay window of the tonic component (3 s, as Nomura & Sakai).
    min_rest_s : float
        Rest needed for the tonic component (10 s, as for a verdict).
    """

    long_burst_s: float = 1.0
    frequent_per_hour: float = 60.0
    held_closure: float = 0.5
    min_held_s: float = 1.0
    blocked_fraction: float = 0.1
    spread_share: float = 0.25
    asymmetry_level: float = 0.25
    tonic_window_s: float = 3.0
    min_rest_s: float = 10.0


def grading_rows(grading, params: GradingParams | None = None) -> list[tuple[str, str, str]]:
    """The grading block as ``(item, value, definition)`` rows a clinician reads (the
    report's table). ``grading``: a :class:`~hfs_detect.session.summary.Grading` (or its
    dict); ``params``: the thresholds it was made with."""
    p = params or GradingParams()
    if not isinstance(grading, dict):
        grading = grading.to_dict()

    def show(value, fmt="{:.3g}"):
        return "-" if value is None else fmt.format(value)

    side = grading.get("affected_side") or "-"
    return [
        ("affected side", side, "the side of most bursts at rest (or as given for a "
         "follow-up); with no burst at rest, the narrower eye at rest"),
        ("bursts per rest-hour", show(grading.get("bursts_per_rest_hour"), "{:.1f}"),
         "one-sided bursts on the affected side per hour at rest"),
        ("Jankovic frequency (video proxy)", show(grading.get("jankovic_frequency"), "{}"),
         f"0 no pattern; 1 brief bursts (< {p.long_burst_s:g} s), fewer than "
         f"{p.frequent_per_hour:g} per rest-hour; 2 brief bursts, more often; 3 a burst of "
         f"{p.long_burst_s:g} s or longer; 4 the eye held closed over half the rest"),
        ("bursts beyond the eye", show(grading.get("beyond_eye_fraction")),
         "share of bursts reaching the cheek or the mouth corner"),
        ("rest with the eye held closed", show(grading.get("held_closed_fraction")),
         f"share of rest with the affected eye over {p.held_closure:.0%} closed for "
         f"{p.min_held_s:g} s or more, the other eye open"),
        ("SMC grade (video proxy)", grading.get("smc_grade") or "-",
         f"I eye only; II beyond the eye in {p.spread_share:.0%} of bursts or more; III eye "
         f"held closed over {p.blocked_fraction:.0%} of rest; IV tonic narrowing at rest of "
         f"{p.asymmetry_level:g} or more"),
        ("tonic component, median / 90th pct",
         f"{show(grading.get('tonic_median'))} / {show(grading.get('tonic_p90'))}",
         f"(other - affected) / other eye aperture, {p.tonic_window_s:g} s Savitzky-Golay "
         f"trend, over rest (Nomura & Sakai); below {TONIC_NOISE_FLOOR:g} is within the noise "
         "of faces without spasm"),
        ("clonic twitches per rest-minute", show(grading.get("clonic_twitches_per_min")),
         "twitches of the clonic bursts per minute at rest"),
    ]  # fmt: skip


SHORT_REST_S = 300.0
"""Below this much rest (5 minutes) the methods sentence says the rates are
extrapolated from a short recording."""


def grading_sentence(grading: dict, rest_s: float | None = None) -> str:
    """The grading in a sentence for the methods paragraph; ``rest_s``, the session's
    seconds at rest, adds a caution when under :data:`SHORT_REST_S`."""
    if not grading:
        return ""
    caution = (
        f" The rates are extrapolated from {rest_s:.0f} s of rest: record {SHORT_REST_S / 60:g} "
        "minutes or more at rest to grade the frequency."
        if grading.get("graded") and rest_s is not None and rest_s < SHORT_REST_S
        else ""
    )
    if not grading.get("graded"):
        return (
            "No grading band or grade was given: the session showed no pattern of one-sided "
            "bursts (Jankovic frequency proxy 0)."
        )
    return (
        f"Grading proxies (not a diagnosis), on the {grading['affected_side']} side: "
        f"{grading['bursts_per_rest_hour']:.0f} bursts per rest-hour (Jankovic frequency "
        f"proxy {grading['jankovic_frequency']}), SMC grade proxy {grading['smc_grade']}, "
        "the highest of I (around the eye), II (spread beyond the eye), III (the eye held "
        "closed) and IV (a tonic narrowing at rest, Nomura & Sakai's tonic component: the "
        "3 s Savitzky-Golay trend of the eyes' relative aperture difference) whose "
        "criterion the session meets." + caution
    )


def savgol_smooth(values: np.ndarray, window: int, polyorder: int = 2) -> np.ndarray:
    """Savitzky-Golay smoothing, as ``scipy.signal.savgol_filter(values, window,
    polyorder)`` gives it (its default ``mode="interp"``), in NumPy alone: importing
    ``scipy.signal`` costs about 0.8 s of every analysis here.

    Each value is replaced by a least-squares polynomial of degree ``polyorder`` over
    the ``window`` values centred on it (``window`` odd, at most ``len(values)``); the
    first and last ``window // 2`` values take the polynomial fitted to the first and
    the last ``window`` values.
    """
    values = np.asarray(values, float)
    n, half = len(values), window // 2
    if window % 2 == 0 or not polyorder < window <= n:
        raise ValueError(f"window {window} must be odd, above {polyorder} and at most {n}")
    offsets = np.arange(-half, half + 1, dtype=float)
    centre = np.linalg.pinv(offsets[:, None] ** np.arange(polyorder + 1))[0]
    out = np.empty(n)
    out[half : n - half] = np.convolve(values, centre[::-1], mode="valid")
    positions = np.arange(window, dtype=float)
    for edge, at in (
        (slice(0, window), slice(0, half)),
        (slice(n - window, n), slice(window - half, window)),
    ):
        fit = np.polynomial.polynomial.Polynomial.fit(positions, values[edge], polyorder)
        out[edge][at] = fit(positions[at])
    return out


def tonic_component(frames, affected: str, window_s: float = 3.0) -> np.ndarray:
    """Per frame, the affected eye's sustained narrowing relative to the other eye.

    Nomura & Sakai's tonic part: ``(other - affected) / other`` of the eye
    apertures, blinks bridged (frames where the other eye is more than half
    closed, and frames without a face, are interpolated over), smoothed by a
    second-order Savitzky-Golay filter ``window_s`` long.

    Parameters
    ----------
    frames : pandas.DataFrame
        The per-frame table.
    affected : {'left', 'right'}
        The side whose narrowing is measured.
    window_s : float
        Length of the smoothing window.

    Returns
    -------
    (n,) float array
        NaN where no face was found.
    """
    check_option("affected", affected, SIDES)
    other = "right" if affected == "left" else "left"
    mine = frames[f"eye_aperture_{affected}"].to_numpy(float)
    theirs = frames[f"eye_aperture_{other}"].to_numpy(float)
    face = frames["face"].to_numpy(bool) & np.isfinite(mine) & np.isfinite(theirs)
    out = np.full(len(frames), np.nan)
    if face.sum() < 3:
        return out
    with np.errstate(invalid="ignore", divide="ignore"):
        difference = (theirs - mine) / theirs
    blink = rest_contraction(frames, "eye_aperture")[other] > 0.5
    usable = face & ~blink & np.isfinite(difference)
    if usable.sum() < 3:
        return out
    index = np.arange(len(frames))
    filled = np.interp(index, index[usable], difference[usable])
    time_s = frames["time_s"].to_numpy(float)
    step_s = float(np.median(np.diff(time_s))) if len(time_s) > 1 else 1.0
    window = int(round(window_s / step_s)) | 1  # odd
    if window > len(filled):
        window = len(filled) if len(filled) % 2 else len(filled) - 1
    trend = savgol_smooth(filled, window, 2) if window > 2 else filled
    out[face] = trend[face]
    return out


def held_closed(frames, affected: str, params: GradingParams | None = None) -> np.ndarray:
    """Per frame, whether the affected eye is held closed (more than ``held_closure``
    of its rest aperture lost, for ``min_held_s`` or longer) while the other eye is open."""
    p = params or GradingParams()
    other = "right" if affected == "left" else "left"
    rest = frames["rest"].to_numpy(bool) if "rest" in frames else None
    closure = rest_contraction(frames, "eye_aperture", rest)
    closed = (closure[affected] > p.held_closure) & ~(closure[other] > p.held_closure)
    time_s = frames["time_s"].to_numpy(float)
    durations = frame_durations(time_s)
    held = np.zeros(len(frames), bool)
    edges = np.diff(np.r_[0, closed.astype(int), 0])
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        if time_s[b - 1] + durations[b - 1] - time_s[a] >= p.min_held_s - 1e-9:
            held[a:b] = True
    return held


def _affected_side(frames, rest: np.ndarray, events: list[Event], given: str | None) -> str:
    if given is not None:
        check_option("affected_side", given, SIDES)
        return given
    side = dominant_side(events)
    if side is not None:
        return side  # the side with more bursts; on a tie, as with none, the narrower eye
    apertures = [frames.loc[rest, f"eye_aperture_{s}"].to_numpy(float) for s in SIDES]
    medians = [float(np.nanmedian(a)) if np.isfinite(a).any() else np.nan for a in apertures]
    if not np.isfinite(medians).all():
        return "left"
    return SIDES[int(np.argmin(medians))]  # the narrower eye


def _jankovic(events, per_hour, held_fraction, p: GradingParams) -> int:
    if held_fraction > 0.5:
        return 4
    if any(e.duration_s >= p.long_burst_s for e in events):
        return 3
    return 2 if per_hour >= p.frequent_per_hour else 1


def _smc(beyond, held_fraction, tonic_median, p: GradingParams) -> str:
    if tonic_median is not None and tonic_median >= p.asymmetry_level:
        return "IV"
    if held_fraction >= p.blocked_fraction:
        return "III"
    return "II" if beyond >= p.spread_share else "I"


def _round(value, digits: int = 4):
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def grade_session(
    frames,
    rest: np.ndarray,
    events: list[Event],
    verdict: str,
    params: GradingParams | None = None,
    affected_side: str | None = None,
) -> dict:
    """The ``grading`` block of ``summary.json``.

    Parameters
    ----------
    frames : pandas.DataFrame
        The per-frame table.
    rest : (n,) bool
        Each frame's rest state.
    events : list of Event
        The bursts at rest.
    verdict : str
        The screening verdict; bands and grades need ``unilateral_bursts``.
    params : GradingParams, optional
        Thresholds (defaults when omitted).
    affected_side : {'left', 'right'}, optional
        Grade this side (a pre-treatment visit's); by default the bursts' side.

    Returns
    -------
    dict
        The items of :data:`GRADING_KEYS` (see the module's docstring), plus
        ``graded`` (whether the pattern allowed a band and grade).
    """
    p = params or GradingParams()
    rest = np.asarray(rest, bool)
    time_s = frames["time_s"].to_numpy(float)
    durations = frame_durations(time_s)
    rest_s = float(durations[rest].sum())
    side = _affected_side(frames, rest, events, affected_side)
    on_side = [e for e in events if e.side == side]
    per_hour = len(on_side) / (rest_s / 3600.0) if rest_s > 0 else None
    beyond = (
        sum(("cheek" in e.regions or "mouth" in e.regions) for e in on_side) / len(on_side)
        if on_side
        else None
    )
    held = held_closed(frames.assign(rest=rest), side, p) & rest
    held_fraction = float(durations[held].sum() / rest_s) if rest_s > 0 else None
    tonic = tonic_component(frames, side, p.tonic_window_s)
    at_rest = tonic[rest & np.isfinite(tonic)] if rest_s >= p.min_rest_s else np.array([])
    tonic_median = float(np.median(at_rest)) if len(at_rest) else None
    tonic_p90 = float(np.percentile(at_rest, 90)) if len(at_rest) else None
    clonic = sum(e.n_twitches for e in on_side if e.kind == "clonic")
    dominant = dominant_side(events)
    graded = verdict == "unilateral_bursts" and dominant == side
    return {
        "affected_side": side,
        "bursts_per_rest_hour": _round(per_hour, 2),
        "jankovic_frequency": (
            _jankovic(on_side, per_hour or 0.0, held_fraction or 0.0, p) if graded else 0
        ),
        "beyond_eye_fraction": _round(beyond, 3),
        "held_closed_fraction": _round(held_fraction),
        "smc_grade": _smc(beyond or 0.0, held_fraction or 0.0, tonic_median, p) if graded else None,
        "tonic_median": _round(tonic_median),
        "tonic_p90": _round(tonic_p90),
        "clonic_twitches_per_min": _round(clonic / (rest_s / 60.0), 3) if rest_s > 0 else None,
        "graded": graded,
    }
