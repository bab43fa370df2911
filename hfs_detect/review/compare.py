"""Follow-up: compare two sessions (for example before and after botulinum toxin).

Takes two analysis folders (``analyze``, ``live`` or ``batch`` outputs) and
reports the change in bursts per rest-minute, fraction of rest in spasm,
regions and sides, and in every grading proxy (:mod:`hfs_detect.session.grading`),
with a plot. The grading of every visit is taken on one affected side: that
of a pre-treatment visit when one is given (``baseline``), else that of the
earlier visit, so a follow-up whose few bursts fall on the other side is
still graded on the treated side. Rates are per minute of rest, so sessions of
different lengths compare fairly; the rest time of each is shown, because a
rate over a short rest is uncertain.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from .. import __version__
from .._atomic import atomic_path
from .._checks import HFSDetectError
from ..events import events_from_frame
from ..face_mesh import REGIONS, SIDES
from ..report import SIDE_COLOURS
from ..session import Analysis, load_analysis
from ..session.grading import GRADING_KEYS, SMC_GRADES, grade_session

__all__ = ["compare_sessions", "comparison_lines", "comparison_warnings", "plot_comparison"]

RATIO_GRADING_KEYS = ("bursts_per_rest_hour", "clonic_twitches_per_min")
"""Grading items on a ratio scale, the only ones whose change is also given in %
(a band or grade is ordinal; the tonic component is signed and near 0 without
spasm; the fractions change in points)."""


def _affected_side(out_dir: Path) -> str | None:
    """The affected side of a session's grading (or its dominant side, for older outputs)."""
    summary = load_analysis(out_dir).summary
    graded = summary.grading.affected_side if summary.grading is not None else None
    return graded or summary.statistics.dominant_side


def _grading(analysis: Analysis, events, affected_side: str | None) -> dict:
    """The session's grading on ``affected_side`` (recomputed from its tables when the
    side differs from its own, or for outputs made before grading existed)."""
    summary = analysis.summary
    own = summary.grading
    if own is not None and (affected_side is None or own.affected_side == affected_side):
        return own.to_dict()
    frames = analysis.frames
    return grade_session(
        frames, frames["rest"].to_numpy(bool), events_from_frame(events),
        summary.statistics.verdict, summary.settings.grading, affected_side,
    )  # fmt: skip


def _session_figures(out_dir: Path, affected_side: str | None = None) -> dict:
    analysis = load_analysis(out_dir)
    summary, events = analysis.summary, analysis.events
    stats = summary.statistics
    if "provoked" in events:  # the bursts at rest only (provoked ones are per step)
        events = events[~events["provoked"].astype(bool)].reset_index(drop=True)
    rest_min = stats.rest_s / 60.0
    by_side = {side: int((events.side == side).sum()) for side in SIDES}
    regions = {r: int(events.regions.str.split("+").apply(lambda x, r=r: r in x).sum())
               for r in REGIONS} if len(events) else dict.fromkeys(REGIONS, 0)  # fmt: skip
    settings = summary.settings
    recorded = summary.recorded_parameters  # an older version's: fewer settings
    return {
        "folder": str(out_dir),
        "video": summary.recording.video,
        "verdict": stats.verdict,
        "rest_s": stats.rest_s,
        "n_events": int(len(events)),
        "events_per_rest_min": stats.events_per_rest_min,
        "spasm_fraction": stats.spasm_fraction,
        "dominant_side": stats.dominant_side,
        "events_per_rest_min_by_side": {
            side: round(n / rest_min, 3) if rest_min > 0 else None for side, n in by_side.items()
        },
        "regions": regions,
        "median_duration_s": round(float(events.duration_s.median()), 3) if len(events) else None,
        "grading": _grading(analysis, events, affected_side),
        "blinks": dict(stats.blinks),  # empty for a session analysed before blinks
        "method": {
            "landmark_engine": summary.provenance.landmark_engine,
            **{
                f"{part}.{k}": v
                for part in ("rest", "detector", "blinks", "verdict")
                for k, v in getattr(settings, part).to_dict().items()
                if recorded is None or k in (recorded.get(part) or {})
            },
        },  # fmt: skip
    }


def comparison_warnings(a: dict, b: dict, graded_side: str | None = None) -> list[str]:
    """What makes two sessions' figures not comparable: a session too short or faceless
    to judge, a pattern of bursts on the side that is not graded, or different analysis
    settings."""
    out = [
        f"the {when} session ({figures['folder']}) has too little rest or face to judge "
        "(insufficient_data): its changes mean little"
        for when, figures in (("before", a), ("after", b))
        if figures["verdict"] == "insufficient_data"
    ]
    for when, figures in (("before", a), ("after", b)):
        side = figures.get("dominant_side")
        if (graded_side and side is not None and figures["verdict"] == "unilateral_bursts"
                and side != graded_side):  # fmt: skip
            out.append(
                f"the {when} session ({figures['folder']}) shows a pattern of bursts on the "
                f"{side}, but the {graded_side} side is graded: the {side} side's bursts "
                "are not in the graded changes (check the side, or --baseline)"
            )
    before, after = a.get("method") or {}, b.get("method") or {}
    keys = sorted(set(before) & set(after))  # settings both recorded (older versions, fewer)
    differ = [k for k in keys if before[k] != after[k]]
    if differ:
        shown = ", ".join(f"{k} {before[k]} vs {after[k]}" for k in differ[:4])
        more = f" and {len(differ) - 4} more" if len(differ) > 4 else ""
        out.append(f"the sessions were analysed with different settings ({shown}{more}): "
                   "rerun them alike to compare")  # fmt: skip
    return out


def _change(a, b, pct: bool = True) -> dict:
    if a is None or b is None:
        return {"before": a, "after": b, "change": None, "change_pct": None}
    change = b - a
    pct = round(100.0 * change / a, 1) if a and pct else None
    return {"before": a, "after": b, "change": round(change, 4), "change_pct": pct}


def compare_sessions(
    before: str | os.PathLike,
    after: str | os.PathLike,
    baseline: str | os.PathLike | None = None,
) -> dict:
    """Changes from session ``before`` to session ``after``.

    Parameters
    ----------
    before, after : path
        Two analysis folders, the earlier visit first.
    baseline : path, optional
        A pre-treatment visit: both sessions are graded on its affected side
        (by default, on the side of ``before``).

    Returns
    -------
    dict
        ``before`` and ``after`` (each session's figures), ``changes``:
        bursts per rest-minute (overall and per side), spasm fraction, number
        of bursts involving each region, median burst duration, every
        grading item (``grading_<item>``) and the blink rates, durations, shares
        and lags (``blink_<figure>``, :data:`BLINK_LABELS`), with the absolute and
        relative change; ``affected_side`` (the side graded) and ``side`` (a note on
        the dominant sides).
    """
    reference = Path(baseline) if baseline is not None else Path(before)
    graded_side = _affected_side(reference)
    a = _session_figures(Path(before), graded_side)
    b = _session_figures(Path(after), graded_side)
    # a percentage only for rates (bursts per time): fractions change in points,
    # durations and counts in their own units
    changes = {
        "events_per_rest_min": _change(a["events_per_rest_min"], b["events_per_rest_min"]),
        "spasm_fraction": _change(a["spasm_fraction"], b["spasm_fraction"], pct=False),
        "median_duration_s": _change(a["median_duration_s"], b["median_duration_s"], pct=False),
    }
    for side in SIDES:
        changes[f"events_per_rest_min_{side}"] = _change(
            a["events_per_rest_min_by_side"][side], b["events_per_rest_min_by_side"][side]
        )
    for region in REGIONS:
        changes[f"bursts_with_{region}"] = _change(
            a["regions"][region], b["regions"][region], pct=False
        )
    for key in GRADING_KEYS:
        if key != "affected_side":
            changes[f"grading_{key}"] = _grading_change(
                key, a["grading"].get(key), b["grading"].get(key)
            )
    for key, (_, rate) in BLINK_LABELS.items():
        changes[f"blink_{key}"] = _change(a["blinks"].get(key), b["blinks"].get(key), pct=rate)
    first, second = a["dominant_side"], b["dominant_side"]
    if first == second:
        side_note = "same dominant side" if first else "no dominant side in either"
    else:
        side_note = f"dominant side {first or 'none'} -> {second or 'none'}"
    return {
        "before": a, "after": b, "changes": changes, "side": side_note,
        "affected_side": graded_side, "baseline": str(baseline) if baseline is not None else None,
        "warnings": comparison_warnings(a, b, graded_side), "hfs_detect_version": __version__,
    }  # fmt: skip


def _grading_change(key: str, a, b) -> dict:
    """A grading item's change; an SMC grade's change is in grade steps (I -> III: +2,
    no grade counting as 0); a percentage only for :data:`RATIO_GRADING_KEYS`."""
    if isinstance(a, str) or isinstance(b, str):
        steps = {g: k + 1 for k, g in enumerate(SMC_GRADES)}  # no grade: 0
        out = _change(steps.get(a, 0), steps.get(b, 0))
        return {**out, "before": a, "after": b, "change_pct": None}
    out = _change(a, b)
    return out if key in RATIO_GRADING_KEYS else {**out, "change_pct": None}


def plot_format(path: str | os.PathLike) -> str:
    """The image format a plot path asks for (by its suffix; none is PNG).

    Raises
    ------
    HFSDetectError
        Matplotlib cannot write that format.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backend_bases import FigureCanvasBase

    kind = Path(path).suffix.lstrip(".").lower() or "png"
    supported = FigureCanvasBase.get_supported_filetypes()
    if kind not in supported:
        raise HFSDetectError(
            f"cannot write a plot as .{kind} ({path}); use one of .{', .'.join(sorted(supported))}"
        )
    return kind


def plot_comparison(result: dict, path: str | os.PathLike) -> Path:
    """A PNG or SVG: bursts per rest-minute by side, spasm fraction, regions, before and after."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = Path(path)
    kind = plot_format(path)

    a, b = result["before"], result["after"]
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.2))
    labels = [f"before\n{Path(a['folder']).name}", f"after\n{Path(b['folder']).name}"]
    for k, side in enumerate(SIDES):
        values = [s["events_per_rest_min_by_side"][side] or 0 for s in (a, b)]
        axes[0].bar([x + (k - 0.5) * 0.38 for x in range(2)], values, 0.38,
                    color=SIDE_COLOURS[side], label=side)  # fmt: skip
    axes[0].set_xticks(range(2), labels)
    axes[0].set_title("bursts per rest-minute")
    axes[0].legend(frameon=False)
    axes[1].bar(labels, [s["spasm_fraction"] or 0 for s in (a, b)], color="#888")
    axes[1].set_title("fraction of rest in spasm")
    for k, session in enumerate((a, b)):
        axes[2].bar([x + (k - 0.5) * 0.38 for x in range(len(REGIONS))],
                    [session["regions"][r] for r in REGIONS], 0.38,
                    color=["#bbb", "#444"][k], label=labels[k])  # fmt: skip
    axes[2].set_xticks(range(len(REGIONS)), REGIONS)
    axes[2].set_title("bursts involving each region")
    axes[2].legend(frameon=False)
    for ax in axes[:2]:
        ax.grid(axis="y", alpha=0.3)
    fig.suptitle(f"rest: {a['rest_s'] or 0:.0f} s before, {b['rest_s'] or 0:.0f} s after")
    fig.text(0.995, 0.005, f"hfs-detect {result.get('hfs_detect_version', '')}",
             ha="right", va="bottom", fontsize=7, color="#888")  # fmt: skip
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format=kind, dpi=120)
    plt.close(fig)
    with atomic_path(path) as tmp:
        tmp.write_bytes(buffer.getvalue())
    return path


GRADING_LABELS = {
    "bursts_per_rest_hour": "bursts per rest-hour",
    "jankovic_frequency": "Jankovic frequency (proxy)",
    "beyond_eye_fraction": "bursts beyond the eye",
    "held_closed_fraction": "rest with the eye held closed",
    "smc_grade": "SMC grade (video proxy)",
    "tonic_median": "tonic component, median",
    "tonic_p90": "tonic component, 90th pct",
    "clonic_twitches_per_min": "clonic twitches per rest-minute",
}
"""How ``compare`` names each grading item."""


BLINK_LABELS = {
    "blinks_per_rest_min": ("blinks per rest-minute", True),
    "median_duration_s": ("median blink duration (s)", False),
    "incomplete_share_left": ("incomplete blinks, left", False),
    "incomplete_share_right": ("incomplete blinks, right", False),
    "median_depth_difference": ("depth difference, left - right", False),
    "median_reopen_lag_s": ("reopening lag between eyes (s)", False),
    "prolonged_per_rest_min": ("prolonged closures per rest-min", True),
    "both_half_closed_share": ("rest with both eyes half closed", False),
}
"""How ``compare`` names each blink figure, and whether its change is also a percentage
(rates only)."""


def comparison_lines(result: dict) -> list[str]:
    """The comparison as a table of text lines (what ``hfs-detect compare`` prints)."""
    lines: list[str] = []
    a, b = result["before"], result["after"]
    lines.append(f"{'':<34} {'before':>10} {'after':>10} {'change':>10}")
    for key, label in (
        ("events_per_rest_min", "bursts per rest-minute"),
        ("events_per_rest_min_left", "  left"),
        ("events_per_rest_min_right", "  right"),
        ("spasm_fraction", "fraction of rest in spasm"),
        ("median_duration_s", "median burst duration (s)"),
        *(
            (f"bursts_with_{r}", f"bursts involving {r} (count)")
            for r in ("eye", "cheek", "mouth", "brow")
        ),
    ):
        c = result["changes"][key]
        fmt = lambda v: "-" if v is None else f"{v:.3g}"  # noqa: E731
        pct = "" if c["change_pct"] is None else f" ({c['change_pct']:+.0f}%)"
        lines.append(
            f"{label:<34} {fmt(c['before']):>10} {fmt(c['after']):>10} {fmt(c['change']):>10}{pct}"
        )
    lines.append(
        f"grading proxies, the {result.get('affected_side') or '-'} side (not a diagnosis)"
    )
    for key, label in GRADING_LABELS.items():
        c = result["changes"][f"grading_{key}"]
        fmt = lambda v: "-" if v is None else (v if isinstance(v, str) else f"{v:.3g}")  # noqa: E731
        pct = "" if c["change_pct"] is None else f" ({c['change_pct']:+.0f}%)"
        change = "-" if c["change"] is None else f"{c['change']:+.3g}"
        lines.append(
            f"  {label:<32} {fmt(c['before']):>10} {fmt(c['after']):>10} {change:>10}{pct}"
        )
    lines.append("blinks, both eyes (at rest)")
    for key, (label, _) in BLINK_LABELS.items():
        c = result["changes"].get(f"blink_{key}")
        if c is None:
            continue
        fmt = lambda v: "-" if v is None else f"{v:.3g}"  # noqa: E731
        pct = "" if c["change_pct"] is None else f" ({c['change_pct']:+.0f}%)"
        change = "-" if c["change"] is None else f"{c['change']:+.3g}"
        lines.append(
            f"  {label:<32} {fmt(c['before']):>10} {fmt(c['after']):>10} {change:>10}{pct}"
        )
    if result.get("baseline"):
        lines.append(f"graded on the affected side of the pre-treatment visit {result['baseline']}")
    lines.append(
        f"rest: {a['rest_s']} s before, {b['rest_s']} s after; "
        f"verdict {a['verdict']} -> {b['verdict']}; {result['side']}"
    )
    return lines
