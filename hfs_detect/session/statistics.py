"""The session summary a clinician reads: rates, side, regions, verdict, methods.

Verdicts
--------
``insufficient_data``
    Less than ``min_rest_s`` of rest, or the face found in less than half
    of the frames.
``unilateral_bursts``
    At least ``min_events`` bursts, at least ``min_side_share`` of them on
    one side.
``bilateral_pattern``
    Grounded in the blink table (:mod:`hfs_detect.blinks`): at least
    ``min_events`` prolonged closures of both eyes (``>= 0.5 s``, longer than a
    blink) at rest, and the eyes closing more than ``raised_blink_rate_per_min``
    (27) times a rest-minute, blinks and prolonged closures together (a resting
    blink rate above 27 a minute told blepharospasm from healthy people best in
    Bentivoglio et al. 2006, Mov Disord 21:1225). Blepharospasm-like, not
    hemifacial spasm; a screening pattern, not a diagnosis.
``none``
    Otherwise.

A screening and research aid, not a diagnosis.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .._checks import Parameters
from ..events import Event, dominant_side, in_events
from ..face_mesh import REGIONS
from ..signals import frame_durations, rest_contraction
from .grading import grading_sentence

__all__ = [
    "VerdictParams",
    "session_statistics",
    "verdict_sentence",
    "methods_paragraph",
    "blink_statistics",
    "blink_line",
    "BLINK_FIGURES",
    "DISCLAIMER",
]

DISCLAIMER = "Screening aid, not a diagnosis."
LONG_CLOSURE_S = 0.5


@dataclass(frozen=True)
class VerdictParams(Parameters):
    """Thresholds of the session verdict.

    Attributes
    ----------
    min_rest_s : float
        Rest needed for any verdict but ``insufficient_data`` (10 s).
    min_face_fraction : float
        Share of frames with the face (0.5).
    min_events : int
        Bursts (or long bilateral closures) needed for a pattern (3).
    min_side_share : float
        Share of bursts on the dominant side for ``unilateral_bursts`` (0.75).
    raised_blink_rate_per_min : float
        Closures of both eyes per rest-minute (blinks and prolonged closures)
        above which the rate is raised, for ``bilateral_pattern`` (27: Bentivoglio
        et al. 2006, the resting rate that best told blepharospasm from healthy
        people).
    """

    min_rest_s: float = 10.0
    min_face_fraction: float = 0.5
    min_events: int = 3
    min_side_share: float = 0.75
    raised_blink_rate_per_min: float = 27.0


def session_statistics(
    frames,
    rest: np.ndarray,
    events: list[Event],
    params: VerdictParams | None = None,
    asymmetries=(),
    blinks=(),
) -> dict:
    """The detector's summary keys for ``summary.json``.

    Parameters
    ----------
    frames : pandas.DataFrame
        The per-frame table.
    rest : (n,) bool
        Rest state of each frame.
    events : list of Event
        The bursts found.
    params : VerdictParams, optional
        Verdict thresholds; defaults when omitted.
    asymmetries : list of Asymmetry
        Lasting one-sided changes the detector re-learned as rest.
    blinks : list of Blink
        The closures of both eyes outside bursts (:mod:`hfs_detect.blinks`).

    Returns
    -------
    dict
        ``rest_s``, ``n_events``, ``events_per_rest_min``, ``spasm_fraction``,
        ``dominant_side``, ``dominant_side_share``, ``regions``,
        ``kinds``, ``n_long_bilateral_closures`` (the prolonged closures of both
        eyes at rest), ``persistent_asymmetry``, ``blinks``
        (:func:`blink_statistics`), ``verdict`` and ``verdict_text`` (the verdict in
        a sentence).
    """
    p = params or VerdictParams()
    time_s = frames["time_s"].to_numpy()
    durations = frame_durations(time_s)
    rest_s = round(float(np.sum(durations[rest])), 3)  # 300 frames of 1/30 s are 10 s
    in_burst = in_events(time_s, events)
    spasm_s = float(np.sum(durations[rest & in_burst]))
    dominant = dominant_side(events)  # None on a tie: neither dominates
    share = max(Counter(e.side for e in events).values()) / len(events) if events else None
    figures = blink_statistics(list(blinks), frames, rest)
    long_closures = figures["n_prolonged"]
    face_fraction = float(frames["face"].mean()) if len(frames) else 0.0
    if rest_s < p.min_rest_s or face_fraction < p.min_face_fraction:
        verdict = "insufficient_data"
    elif len(events) >= p.min_events and dominant is not None and share >= p.min_side_share:
        verdict = "unilateral_bursts"
    elif long_closures >= p.min_events and _closure_rate(figures) > p.raised_blink_rate_per_min:
        verdict = "bilateral_pattern"
    else:
        verdict = "none"
    return {
        "rest_s": round(rest_s, 3),
        "n_events": len(events),
        "events_per_rest_min": round(len(events) / (rest_s / 60), 3) if rest_s > 0 else None,
        "spasm_fraction": round(spasm_s / rest_s, 4) if rest_s > 0 else None,
        "dominant_side": dominant,
        "dominant_side_share": round(share, 3) if share is not None else None,
        "regions": {r: sum(r in e.regions for e in events) for r in REGIONS},
        "kinds": {k: sum(e.kind == k for e in events) for k in ("clonic", "tonic")},
        "n_brow_raised": sum(e.brow_raised for e in events),
        "n_long_bilateral_closures": long_closures,
        "persistent_asymmetry": [
            {
                "start_s": a.start_s,
                "side": a.side,
                "regions": "+".join(a.regions),
                "size_z": a.size_z,
            }
            for a in asymmetries
        ],  # fmt: skip
        "blinks": figures,
        "verdict": verdict,
        "verdict_text": verdict_sentence(
            verdict, events, dominant, rest_s, p, asymmetries, face_fraction, figures
        ),
    }


def blink_line(figures: dict) -> str | None:
    """The blink figures in one short line (``analyze`` and ``live`` print it); None
    without rest or for a session analysed before blinks were measured."""
    if not figures or figures.get("blinks_per_rest_min") is None:
        return None
    median = figures["median_duration_s"]
    n = figures["n_prolonged"]
    return (
        f"blinks: {figures['n_blinks']} at rest ({figures['blinks_per_rest_min']:.1f} per "
        f"rest-minute{f', median {median:.2f} s' if median is not None else ''}), "
        f"{n} prolonged {'closure' if n == 1 else 'closures'}"
    )


def _closure_rate(figures: dict) -> float:
    """Closures of both eyes per rest-minute: blinks and prolonged closures."""
    blinks, prolonged = figures["blinks_per_rest_min"], figures["prolonged_per_rest_min"]
    return (blinks or 0.0) + (prolonged or 0.0)


BLINK_FIGURES: tuple[str, ...] = (
    "n_blinks", "blinks_per_rest_min", "median_duration_s", "incomplete_share_left",
    "incomplete_share_right", "median_depth_difference", "median_reopen_lag_s", "n_prolonged",
    "prolonged_per_rest_min", "both_half_closed_share",
)  # fmt: skip
"""The keys of :func:`blink_statistics` (``summary.json``'s ``blinks``), in order."""


def blink_statistics(blinks, frames, rest: np.ndarray) -> dict:
    """The blink figures of ``summary.json`` (``statistics.blinks``).

    Parameters
    ----------
    blinks : list of Blink
        The closures of both eyes outside bursts (:mod:`hfs_detect.blinks`).
    frames : pandas.DataFrame
        The per-frame table.
    rest : (n,) bool
        Rest state of each frame.

    Returns
    -------
    dict
        ``n_blinks`` (blinks and partial blinks at rest), ``blinks_per_rest_min``,
        ``median_duration_s``; per eye ``incomplete_share_<side>`` (the share of
        those blinks in which that eye did not close completely);
        ``median_depth_difference`` (left minus right: + when the left lid closes
        deeper) and ``median_reopen_lag_s``; ``n_prolonged`` and
        ``prolonged_per_rest_min`` (closures of 0.5 s or longer at rest); and
        ``both_half_closed_share``, the share of rest time (with the closures that
        set in from rest) with both eyes more than half closed (Peterson et al. 2016:
        it tracked the Jankovic scale in blepharospasm). A blink is at rest when it
        set in from rest. Rates and the half-closed share are None without rest;
        medians and the incomplete shares are None without blinks.
    """
    time_s = frames["time_s"].to_numpy()
    durations = frame_durations(time_s)
    rest_s = float(np.sum(durations[rest]))
    minutes = rest_s / 60
    at_rest = [b for b in blinks if b.at_rest]
    ordinary = [b for b in at_rest if b.kind != "prolonged"]
    prolonged = [b for b in at_rest if b.kind == "prolonged"]

    def median(values) -> float | None:
        return round(float(np.median(values)), 4) if values else None

    def share(values) -> float | None:
        return round(float(np.mean(values)), 4) if values else None

    half_closed = None
    if rest.any():
        face = frames["face"].to_numpy(bool)
        eyes = rest_contraction(frames, "eye_aperture", rest & face)
        # rest, and the closures that set in from it (a forceful closure may itself look
        # like an expression to the rest segmenter: its time still counts)
        context = rest.copy()
        for b in at_rest:
            context |= (time_s >= b.start_s) & (time_s <= b.end_s)
        both = (eyes["left"] > 0.5) & (eyes["right"] > 0.5) & context & face
        half_closed = round(float(np.sum(durations[both]) / np.sum(durations[context])), 4)
    return {
        "n_blinks": len(ordinary),
        "blinks_per_rest_min": round(len(ordinary) / minutes, 3) if minutes > 0 else None,
        "median_duration_s": median([b.duration_s for b in ordinary]),
        "incomplete_share_left": share([not b.complete_left for b in ordinary]),
        "incomplete_share_right": share([not b.complete_right for b in ordinary]),
        "median_depth_difference": median([b.depth_left - b.depth_right for b in ordinary]),
        "median_reopen_lag_s": median([b.reopen_lag_s for b in ordinary]),
        "n_prolonged": len(prolonged),
        "prolonged_per_rest_min": round(len(prolonged) / minutes, 3) if minutes > 0 else None,
        "both_half_closed_share": half_closed,
    }


def verdict_sentence(
    verdict: str,
    events: list[Event],
    dominant_side: str | None,
    rest_s: float,
    params: VerdictParams | None = None,
    asymmetries=(),
    face_fraction: float | None = None,
    blinks: dict | None = None,
) -> str:
    """The verdict in a sentence a clinician reads, with what to do when it cannot say more.

    ``face_fraction`` (the share of frames with a face) lets an insufficient
    verdict say that the face, not the rest, was missing; ``blinks`` (the blink
    figures) give a bilateral pattern its figures.
    """
    p = params or VerdictParams()
    no_face = face_fraction is not None and face_fraction < p.min_face_fraction
    if verdict == "unilateral_bursts":
        text = f"one-sided contraction bursts at rest, on the patient's {dominant_side} side"
    elif verdict == "bilateral_pattern":
        text = "repeated bilateral eye closures beyond normal blinking (blepharospasm-like)"
        if blinks:
            share = blinks.get("both_half_closed_share")
            text += (
                f": {blinks['n_prolonged']} prolonged closures of both eyes "
                f"({blinks['prolonged_per_rest_min']:.1f} per rest-minute) and "
                f"{_closure_rate(blinks):.1f} closures per rest-minute in all (above "
                f"{p.raised_blink_rate_per_min:g})"
                + (f", both eyes more than half closed {100 * share:.1f}% of rest" if share
                   is not None else "")
                + "; not hemifacial spasm. Frequent blinking also comes with dry eyes, "
                "bright light and tiredness: blepharospasm is a clinical diagnosis"
            )  # fmt: skip
    elif verdict == "insufficient_data" and face_fraction == 0:
        text = "no face found in the video"
    elif verdict == "insufficient_data" and no_face:
        text = (
            f"too little face to judge (a face in {100 * face_fraction:.0f}% of the frames, "
            f"{100 * p.min_face_fraction:.0f}% needed)"
        )
    elif verdict == "insufficient_data":
        text = f"too little rest to judge ({rest_s:.1f} s of rest, {p.min_rest_s:g} s needed)"
    else:
        text = "no pattern of one-sided bursts at rest"
    if verdict != "unilateral_bursts" and 0 < len(events) < p.min_events:
        sides = Counter(e.side for e in events)
        found = " and ".join(f"{n} on the {side}" for side, n in sides.most_common())
        plural = "burst" if len(events) == 1 else "bursts"
        text += (
            f"; only {len(events)} clear one-sided {plural} ({found}), fewer than the "
            f"{p.min_events} a pattern needs: record longer"
        )
    elif verdict == "insufficient_data" and no_face:
        text += ": record with the whole face in view, facing the camera"
    elif verdict == "insufficient_data":
        text += ": record longer at rest"
    for a in asymmetries:
        text += (
            f"; a lasting asymmetry (the {a.side} side's {'+'.join(a.regions)}) from "
            f"{a.start_s:.0f} s was taken as the new rest, not as a spasm"
        )
    return text


def early_evidence(det: dict) -> str:
    """The methods' words for the evidence asked of a new face (empty for older outputs)."""
    factor, rest_s = det.get("early_z_factor"), det.get("early_rest_s")
    if not factor or factor == 1 or not rest_s:
        return ""
    return (
        f", asking {factor:g} times the evidence at first, falling to the usual by "
        f"{rest_s:g} s of the person's rest"
    )


def shut_hold(det: dict) -> str:
    """The methods' words for the longest hold of a shut eye (empty for older outputs)."""
    if not det.get("max_shut_hold_s"):
        return ""
    if "lone_flicker_s" in det:  # the forceful onset of this detector on
        return (
            f" ({det['max_shut_hold_s']} s when the eye had shut, or the mouth corner"
            f" moved {det['weak_z']} z units, within 1 s of its onset)"
        )
    return f" ({det['max_shut_hold_s']} s when the eye had shut within 1 s of its onset)"


def held_open(det: dict) -> str:
    """The methods' words for the regions a burst needs and an eye held shut (empty for
    outputs of a detector before them)."""
    if "max_shut_hold_s" not in det:
        return ""
    return (
        " A burst needed the eye, the cheek or the mouth corner (a raised brow was named "
        "only with one of them), and an eye held closed kept its burst going while the other "
        "eye blinked."
    ) + lone_flicker(det)


def slow_train(det: dict) -> str:
    """The methods' words for a faint hold's twitch rate (empty for older outputs)."""
    if "train_min_hz" not in det:
        return ""
    return (
        f" (unless it twitched at {det['train_min_hz']} Hz or faster, {det['train_twitches']}"
        " times or more: a clonic train)"
    )


def lone_flicker(det: dict) -> str:
    """The methods' words for lone lid flickers (empty for outputs of a detector before)."""
    if "lone_flicker_s" not in det:
        return ""
    return (
        f" A single twitch of the eye alone, shorter than {det['lone_flicker_s']} s and below "
        f"{det['weak_z']} z units and not joined to another burst of its side (within "
        f"{det['join_gap_s']} s), was taken as a lid flicker, not a spasm."
    )


def blink_methods(summary: dict) -> str:
    """The methods' words for blinks and the bilateral pattern (empty for older outputs)."""
    figures = summary.get("blinks") or {}
    params = summary["parameters"]
    if not figures or "blinks" not in params:
        return ""
    det, verdict = params["detector"], params["verdict"]
    rate = figures.get("blinks_per_rest_min")
    counted = f", {rate:.1f} per rest-minute" if rate is not None else ""
    return (
        f" Closures of both eyes (each more than {det['blink_closure']} of its open aperture "
        "closed, for two frames or more) outside bursts were listed as blinks "
        f"({figures['n_blinks']} at rest{counted}; {figures['n_prolonged']} prolonged, "
        f"{params['blinks']['prolonged_s']} s or longer); a blepharospasm-like pattern "
        f"needed {verdict['min_events']} prolonged closures at rest and more than "
        f"{verdict['raised_blink_rate_per_min']:g} closures per rest-minute (Bentivoglio et "
        "al. 2006)."
    )


def methods_paragraph(summary: dict) -> str:
    """A plain-language account of how the numbers were made, for reports."""
    det = summary["parameters"]["detector"]
    rest = summary["parameters"]["rest"]
    lasting = len(summary.get("persistent_asymmetry") or [])
    if summary.get("landmark_engine") == "litert":
        litert = str(summary.get("landmark_engine_version", "")).partition("+litert")[2]
        engine = (
            "the networks of MediaPipe Face Landmarker run directly with LiteRT "
            f"{litert or 'unknown'} (hfs-detect's litert engine"
        )
    else:
        engine = f"MediaPipe Face Landmarker (MediaPipe {summary['mediapipe_version']}"
    return (
        f"Video frames were analysed with {engine}, model sha256 "
        f"{summary['model_sha256'][:12]}) by hfs-detect {summary['hfs_detect_version']}. "
        "The eye aperture, lower lid, cheek, mouth corner and brow were measured on each side "
        "after removing head rotation. Rest was defined as face present, head still (median "
        f"rotation below {rest['max_head_speed_deg_s']} deg/s), not talking (jaw and lower lip "
        "still) and no bilateral expression beyond the person's resting face. Each left-right "
        "asymmetry was judged in robust z units against the person's own rest, and in the "
        "first seconds against a symmetric-face prior handing over to it"
        f"{early_evidence(det)}. Within rest, a "
        f"burst began where one eye closed by at least {det['threshold_z']} z units, or by "
        f"{det.get('joint_eye_z', det['threshold_z'])} together with the same side's cheek or "
        f"mouth corner at {det['region_z']}, or where "
        f"the cheek or mouth corner moved by {det['lower_face_z']} z units, on one side, "
        "setting in from rest. A closure counted as one-sided when the other eye's deepest "
        f"closure was at most {det['coupling_share']} of its own or at most "
        f"{det['open_eye_closure']} outright, or up to {det['blink_share']} as far if held "
        f"{det['min_hold_s']} s or joined by the same side's mouth corner; eyes closing "
        f"together to similar depths (blinks) were not judged.{held_open(det)} Bursts closer than "
        f"{det['merge_gap_s']} s were merged; two or more twitches made a burst clonic, a "
        f"single contraction of {det['tonic_min_s']} s or more tonic; a departure lasting "
        f"over {det['max_burst_s']} s{shut_hold(det)}, or a faint one (below {det['weak_z']} "
        f"z units) held over {det['max_weak_hold_s']} s{slow_train(det)}, was taken as a "
        "lasting asymmetry, not a spasm "
        f"({lasting} found).{blink_methods(summary)} {summary['rest_s']:.1f} s of rest were "
        "analysed and "
        f"{summary['n_events']} bursts found; the screening verdict was '{summary['verdict']}'"
        f". {grading_sentence(summary.get('grading') or {}, summary.get('rest_s'))} {DISCLAIMER}"
    ).replace(".  ", ". ")
