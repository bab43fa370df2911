"""Follow-up: compare two sessions (for example before and after botulinum toxin).

Takes two analysis folders (``analyze``, ``live`` or ``batch`` outputs) and
reports the change in bursts per rest-minute, fraction of rest in spasm,
regions and sides, with a plot. Rates are per minute of rest, so sessions of
different lengths compare fairly; the rest time of each is shown, because a
rate over a short rest is uncertain.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from ._atomic import atomic_path
from ._checks import HFSDetectError
from .face_mesh import REGIONS, SIDES
from .outputs import load_session
from .report import SIDE_COLOURS

__all__ = ["compare_sessions", "comparison_lines", "plot_comparison"]


def _session_figures(out_dir: Path) -> dict:
    frames, events, summary = load_session(out_dir)
    rest_min = (summary.get("rest_s") or 0.0) / 60.0
    by_side = {side: int((events.side == side).sum()) for side in SIDES}
    regions = {r: int(events.regions.str.split("+").apply(lambda x, r=r: r in x).sum())
               for r in REGIONS} if len(events) else dict.fromkeys(REGIONS, 0)  # fmt: skip
    return {
        "folder": str(out_dir),
        "video": summary.get("video"),
        "verdict": summary.get("verdict"),
        "rest_s": summary.get("rest_s"),
        "n_events": int(len(events)),
        "events_per_rest_min": summary.get("events_per_rest_min"),
        "spasm_fraction": summary.get("spasm_fraction"),
        "dominant_side": summary.get("dominant_side"),
        "events_per_rest_min_by_side": {
            side: round(n / rest_min, 3) if rest_min > 0 else None for side, n in by_side.items()
        },
        "regions": regions,
        "median_duration_s": round(float(events.duration_s.median()), 3) if len(events) else None,
    }


def _change(a, b) -> dict:
    if a is None or b is None:
        return {"before": a, "after": b, "change": None, "change_pct": None}
    change = b - a
    pct = round(100.0 * change / a, 1) if a else None
    return {"before": a, "after": b, "change": round(change, 4), "change_pct": pct}


def compare_sessions(before: str | os.PathLike, after: str | os.PathLike) -> dict:
    """Changes from session ``before`` to session ``after``.

    Returns
    -------
    dict
        ``before`` and ``after`` (each session's figures) and ``changes``:
        bursts per rest-minute (overall and per side), spasm fraction, number
        of bursts involving each region, median burst duration, with the
        absolute and relative change.
    """
    a, b = _session_figures(Path(before)), _session_figures(Path(after))
    changes = {
        "events_per_rest_min": _change(a["events_per_rest_min"], b["events_per_rest_min"]),
        "spasm_fraction": _change(a["spasm_fraction"], b["spasm_fraction"]),
        "median_duration_s": _change(a["median_duration_s"], b["median_duration_s"]),
    }
    for side in SIDES:
        changes[f"events_per_rest_min_{side}"] = _change(
            a["events_per_rest_min_by_side"][side], b["events_per_rest_min_by_side"][side]
        )
    for region in REGIONS:
        changes[f"bursts_with_{region}"] = _change(a["regions"][region], b["regions"][region])
    side_note = (
        "same dominant side" if a["dominant_side"] == b["dominant_side"]
        else f"dominant side {a['dominant_side']} -> {b['dominant_side']}"
    )  # fmt: skip
    return {"before": a, "after": b, "changes": changes, "side": side_note}


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
    labels = ["before", "after"]
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
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format=kind, dpi=120)
    plt.close(fig)
    with atomic_path(path) as tmp:
        tmp.write_bytes(buffer.getvalue())
    return path


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
        *((f"bursts_with_{r}", f"bursts involving {r}") for r in ("eye", "cheek", "mouth", "brow")),
    ):
        c = result["changes"][key]
        fmt = lambda v: "-" if v is None else f"{v:.3g}"  # noqa: E731
        pct = "" if c["change_pct"] is None else f" ({c['change_pct']:+.0f}%)"
        lines.append(
            f"{label:<34} {fmt(c['before']):>10} {fmt(c['after']):>10} {fmt(c['change']):>10}{pct}"
        )
    lines.append(
        f"rest: {a['rest_s']} s before, {b['rest_s']} s after; "
        f"verdict {a['verdict']} -> {b['verdict']}; {result['side']}"
    )
    return lines
