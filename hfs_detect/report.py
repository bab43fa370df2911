"""A session's report: one self-contained HTML file, and an optional annotated video.

``report.html`` holds, with no outside file and no script: the summary and the
verdict, left/right traces per region with rest shaded and bursts marked, a
burst raster, the burst rate per minute of rest, the events table, the methods
paragraph and how the session was analysed. Plots are inline SVG made with
matplotlib. Pictures of the face are put in only when asked
(``with_frames=True``: one small crop per burst, at its middle).

``annotated.mp4`` (opt-in) is the video with the live view drawn on every
frame: landmarks, traces, rest state and the burst flag, as
``hfs-detect live`` shows them.
"""

from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ._atomic import write_text_atomic
from ._checks import HFSDetectError
from .face_mesh import SIDES
from .session import (
    Summary,
    check_same_video,
    frame_durations,
    load_analysis,
    rest_contraction,
    rest_segments,
)
from .session.grading import grading_rows
from .session.statistics import DISCLAIMER
from .session.summary import StepFigures

__all__ = [
    "write_report",
    "region_traces",
]

SIDE_COLOURS = {"left": "#e8871e", "right": "#1f9bd1"}
MAX_POINTS = 6000  # per trace in the SVG (longer sessions are thinned evenly)


def region_traces(frames: pd.DataFrame) -> dict[str, dict[str, np.ndarray]]:
    """Per region and side, the contraction relative to the median at rest.

    Eye: closure as a fraction of the rest aperture. Cheek: rise. Mouth: how far
    the corner has moved towards the eye. Cheek and mouth in face units.
    """
    rest = frames["rest"].to_numpy(bool) if "rest" in frames else None
    return {
        region: rest_contraction(frames, measure, rest)
        for region, measure in (
            ("eye", "eye_aperture"),
            ("cheek", "cheek_height"),
            ("mouth", "mouth_eye_distance"),
        )
    }


def _svg(fig) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def rest_rates_per_minute(
    frames: pd.DataFrame, events: pd.DataFrame, minutes: int
) -> dict[str, list[float]]:
    """Per side and minute of the session, bursts at rest per minute of rest in it
    (provoked bursts are counted per provocation step, not here)."""
    time_s = frames["time_s"].to_numpy()
    rest = frames["rest"].to_numpy(bool) if "rest" in frames else np.zeros(len(time_s), bool)
    steps = frame_durations(time_s)
    at_rest = events
    if "provoked" in events and len(events):
        at_rest = events[~events["provoked"].astype(bool)]
    rates: dict[str, list[float]] = {}
    for side in SIDES:
        rates[side] = []
        for m in range(minutes):
            in_minute = (time_s >= 60 * m) & (time_s < 60 * (m + 1))
            rest_min = float(steps[in_minute & rest].sum()) / 60.0
            n = int(((at_rest.side == side) & (at_rest.start_s >= 60 * m)
                     & (at_rest.start_s < 60 * (m + 1))).sum())  # fmt: skip
            rates[side].append(n / rest_min if rest_min > 0 else 0.0)
    return rates


def _plots(frames: pd.DataFrame, events: pd.DataFrame, summary: Summary) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 9})
    time_s = frames["time_s"].to_numpy(float)
    stride = max(1, len(time_s) // MAX_POINTS)
    traces = region_traces(frames)
    rest_spans = rest_segments(time_s, frames["rest"].to_numpy(bool)) if "rest" in frames else []
    plots = {}

    fig, axes = plt.subplots(3, 1, figsize=(10, 6.2), sharex=True)
    labels = {"eye": "eye closure\n(fraction of rest)", "cheek": "cheek rise\n(face units)",
              "mouth": "mouth corner pull\n(face units)"}  # fmt: skip
    for ax, region in zip(axes, ("eye", "cheek", "mouth"), strict=True):
        for start, end in rest_spans:
            ax.axvspan(start, end, color="#d9f0d3", lw=0, zorder=0)
        for event in events.itertuples():
            ax.axvspan(event.start_s, event.end_s, color=SIDE_COLOURS[event.side], alpha=0.25,
                       lw=0, zorder=1)  # fmt: skip
        for side in SIDES:
            ax.plot(time_s[::stride], traces[region][side][::stride], color=SIDE_COLOURS[side],
                    lw=0.8, label=f"patient's {side}", zorder=2)  # fmt: skip
        ax.set_ylabel(labels[region])
        ax.grid(alpha=0.3)
    axes[0].legend(loc="upper right", ncol=2, frameon=False)
    axes[-1].set_xlabel("time (s); green: at rest; shaded: bursts, coloured by side")
    plots["traces"] = _svg(fig)
    plt.close(fig)

    duration = float(summary.recording.duration_s or (time_s[-1] if len(time_s) else 1.0))
    fig, ax = plt.subplots(figsize=(10, 1.6))
    for start, end in rest_spans:
        ax.axvspan(start, end, color="#d9f0d3", lw=0)
    for event in events.itertuples():
        y = 1 if event.side == "left" else 0
        ax.barh(y, max(event.end_s - event.start_s, duration / 500), left=event.start_s,
                height=0.6, color=SIDE_COLOURS[event.side],
                hatch="///" if event.kind == "tonic" else None, edgecolor="white")  # fmt: skip
    ax.set_yticks([0, 1], ["right", "left"])
    ax.set_xlim(0, duration)
    ax.set_xlabel("time (s); hatched: tonic, plain: clonic")
    plots["raster"] = _svg(fig)
    plt.close(fig)

    minutes = max(int(np.ceil(duration / 60.0)), 1)
    fig, ax = plt.subplots(figsize=(10, 2.0))
    width = 0.4
    per_minute = rest_rates_per_minute(frames, events, minutes)
    for k, side in enumerate(SIDES):
        rates = per_minute[side]
        ax.bar(np.arange(minutes) + (k - 0.5) * width, rates, width, color=SIDE_COLOURS[side],
               label=side)  # fmt: skip
    ax.set_xticks(range(minutes), [f"{m}-{m + 1}" for m in range(minutes)])
    ax.set_xlabel("minute of the session")
    ax.set_ylabel("bursts per\nrest-minute")
    ax.legend(frameon=False)
    plots["rate"] = _svg(fig)
    plt.close(fig)
    return plots


BLINK_COLOURS = {"blink": ("#555555", "grey"), "prolonged": ("#b2182b", "red"),
                 "partial": ("#9ecae1", "light blue")}  # fmt: skip
"""The blink raster's colour for each kind, and its name in the caption."""


def _blink_plot(frames: pd.DataFrame, blinks: pd.DataFrame, duration_s: float) -> str:
    """Each eye's closure over the session, and the blinks as a raster by kind."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    time_s = frames["time_s"].to_numpy(float)
    stride = max(1, len(time_s) // MAX_POINTS)
    eye = region_traces(frames)["eye"]
    fig, (ax, raster) = plt.subplots(2, 1, figsize=(10, 3.2), sharex=True,
                                     gridspec_kw={"height_ratios": [2.2, 1]})  # fmt: skip
    for side in SIDES:
        ax.plot(time_s[::stride], eye[side][::stride], color=SIDE_COLOURS[side], lw=0.7,
                label=f"patient's {side} eye")  # fmt: skip
    ax.set_ylabel("eye closure\n(fraction of rest)")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", ncol=2, frameon=False)
    counts = []
    for kind, (colour, name) in BLINK_COLOURS.items():
        rows = blinks[blinks["kind"] == kind]
        raster.barh(0, np.maximum(rows["duration_s"], duration_s / 800), left=rows["start_s"],
                    height=0.8, color=colour)  # fmt: skip
        counts.append(f"{name}: {kind} ({len(rows)})")
    raster.set_yticks([])
    raster.set_xlim(0, duration_s)
    raster.set_xlabel("time (s); every closure of both eyes that was not a burst, at rest or not: "
                      + ", ".join(counts))  # fmt: skip
    out = _svg(fig)
    plt.close(fig)
    return out


def _blink_html(analysis) -> str:
    """The report's blink section (empty for a folder analysed before blinks)."""
    blinks, figures = analysis.blinks, analysis.summary.statistics.blinks
    if blinks is None or not figures:
        return ""
    params = analysis.summary.settings.blinks

    def value(key: str, unit: str = "") -> str:
        v = figures.get(key)
        return "-" if v is None else f"{v:.3g}{unit}"

    rows = [
        ["blinks at rest", f"{figures['n_blinks']} ({value('blinks_per_rest_min')} per "
                           "rest-minute)"],
        ["median blink duration", value("median_duration_s", " s")],
        [f"incomplete blinks (the eye not closing {params.complete_depth:g} of its aperture)",
         f"left {value('incomplete_share_left')}, right {value('incomplete_share_right')}"],
        ["median depth difference, left - right", value("median_depth_difference")],
        ["median reopening lag between the eyes", value("median_reopen_lag_s", " s")],
        [f"prolonged closures ({params.prolonged_s:g} s or longer) at rest",
         f"{figures['n_prolonged']} ({value('prolonged_per_rest_min')} per rest-minute)"],
        ["rest with both eyes more than half closed", value("both_half_closed_share")],
    ]  # fmt: skip
    duration = float(analysis.summary.recording.duration_s or 1.0)
    return (
        "<h2>Blinks, per eye</h2>"
        f"<figure>{_blink_plot(analysis.frames, blinks, duration)}</figure>"
        + _table([[html.escape(a), html.escape(str(b))] for a, b in rows], ["", ""])
        + "<p class='small'>Each row of blinks.csv gives both eyes' depth, closing and "
        "reopening times and the lag between them.</p>"
    )


def _face_crops(
    video: Path, frames: pd.DataFrame, events: pd.DataFrame, *, mirrored: bool = False
) -> list[str]:
    """One JPEG (base64) per burst: the face at the burst's middle frame (a mirrored
    recording's frame flipped back, as it was analysed, so the face position holds)."""
    import cv2

    cap = cv2.VideoCapture(str(video))
    if not cap.isOpened():
        raise HFSDetectError(f"cannot read {video} for the report's frames")
    time_s = frames["time_s"].to_numpy(float)
    crops = []
    try:
        for event in events.itertuples():
            i = int(np.argmin(np.abs(time_s - (event.start_s + event.end_s) / 2)))
            cap.set(cv2.CAP_PROP_POS_FRAMES, int(frames["frame"].iloc[i]))
            ok, bgr = cap.read()
            if not ok:
                crops.append("")
                continue
            if mirrored:
                bgr = cv2.flip(bgr, 1)
            row = frames.iloc[i]
            if np.isfinite(row.get("face_size_px", np.nan)):
                half = int(2.2 * row["face_size_px"])
                cx, cy = int(row["face_x_px"]), int(row["face_y_px"])
                bgr = bgr[max(cy - half, 0) : cy + half, max(cx - half, 0) : cx + half]
            bgr = cv2.resize(bgr, (160, int(160 * bgr.shape[0] / max(bgr.shape[1], 1))))
            ok, jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 80])
            crops.append(base64.b64encode(jpeg.tobytes()).decode() if ok else "")
    finally:
        cap.release()
    return crops


_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;
color:#222;padding:0 1em}
h1{font-size:1.5em;margin-bottom:0}.sub{color:#666;margin-top:.2em}
.verdict{font-size:1.2em;padding:.6em 1em;border-radius:6px;background:#f3f3f3;margin:1em 0}
.verdict b{font-size:1.1em}.warn{color:#8a4b00}
table{border-collapse:collapse;margin:.5em 0 1.5em}
td,th{border-bottom:1px solid #ddd;padding:.25em .7em;text-align:left;font-size:.92em}
th{background:#fafafa}.num{text-align:right;font-variant-numeric:tabular-nums}
.left{color:#b85f00}.right{color:#0f6f99}figure{margin:0 0 1.5em}svg{max-width:100%;height:auto}
.small{color:#666;font-size:.85em}img{border-radius:4px}
"""


def _table(rows: list[list], header: list[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = ""
    for row in rows:
        cells = ""
        for value in row:
            numeric = isinstance(value, (int, float, np.integer, np.floating))
            text = f"{value:.3f}" if isinstance(value, (float, np.floating)) else str(value)
            cells += f'<td class="{"num" if numeric else ""}">{text if value != "" else ""}</td>'
        body += f"<tr>{cells}</tr>"
    return f"<table><tr>{head}</tr>{body}</table>"


def _step_kind(step: StepFigures) -> str:
    if step.provocation:
        return f"provocation: {step.provocation} (bursts during and {step.after_s:g} s after)"
    return "rest" if step.rest_step else "task"


def write_report(
    out_dir: str | os.PathLike,
    *,
    video: str | os.PathLike | None = None,
    with_frames: bool = False,
    path: str | os.PathLike | None = None,
) -> Path:
    """Write ``report.html`` for an analysis output folder.

    Parameters
    ----------
    out_dir : path-like
        A folder written by ``analyze``, ``live`` or ``batch``.
    video : path-like, optional
        The video (default: the one named in ``summary.json``); used only with
        ``with_frames``.
    with_frames : bool
        Put a small picture of the face at each burst into the report.
    path : path-like, optional
        Where to write (default ``out_dir/report.html``).

    Returns
    -------
    pathlib.Path
    """
    out_dir = Path(out_dir)
    analysis = load_analysis(out_dir)
    frames, events, summary = analysis.frames, analysis.events, analysis.summary
    recording, stats, made_by = summary.recording, summary.statistics, summary.provenance
    plots = _plots(frames, events, summary)
    name = Path(recording.video or out_dir.name).name
    side = stats.dominant_side
    verdict = stats.verdict
    verdict_text = stats.verdict_text or verdict
    key_rows = [
        ["duration", f"{recording.duration_s:.1f} s"],
        ["face found", f"{100 * recording.face_fraction:.1f}% of frames"],
        ["at rest", f"{stats.rest_s:.1f} s"],
        ["bursts at rest", stats.n_events],
        *([["provoked bursts (in and just after provocation steps)",
            stats.n_provoked_events]] if stats.n_provoked_events else []),
        ["bursts per rest-minute", stats.events_per_rest_min],
        ["fraction of rest in spasm", stats.spasm_fraction],
        ["dominant side", f"{side} ({stats.dominant_side_share} of the bursts)"
         if side else "-"],
        ["regions (bursts involving)", ", ".join(f"{k} {v}" for k, v in stats.regions.items())],
        ["kinds", ", ".join(f"{k} {v}" for k, v in stats.kinds.items())],
        ["same-side brow raised (other Babinski sign)", stats.n_brow_raised],
    ]  # fmt: skip
    crops = []
    if with_frames and len(events):
        chosen = Path(video or recording.video)
        check_same_video(chosen, summary, out_dir)
        crops = _face_crops(chosen, frames, events, mirrored=recording.mirrored)
    event_rows = []
    for k, e in enumerate(events.itertuples()):
        row = [k + 1, float(e.start_s), float(e.end_s), float(e.duration_s),
               f"<span class='{e.side}'>{e.side}</span>", html.escape(e.regions),
               f"{e.kind}, provoked" if getattr(e, "provoked", False) else e.kind,
               int(e.n_twitches), float(e.peak), float(e.confidence)]  # fmt: skip
        if crops:
            row.append(f"<img alt='face at burst {k + 1}' src='data:image/jpeg;base64,{crops[k]}'>"
                       if crops[k] else "")  # fmt: skip
        event_rows.append(row)
    header = ["#", "start s", "end s", "duration s", "side", "regions", "kind", "twitches",
              "peak z", "confidence (rank)"] + (["face"] if crops else [])  # fmt: skip
    steps_html = ""
    if summary.steps:
        steps_html = "<h2>Protocol steps</h2>" + _table(
            [[s.step, _step_kind(s), s.duration_s, s.rest_s, s.n_events,
              f"L {s.events_left} R {s.events_right}",
              s.events_per_rest_min if s.events_per_rest_min is not None else ""]
             for s in summary.steps],
            ["step", "kind", "duration s", "rest s", "bursts", "sides", "per rest-minute"],
        )  # fmt: skip
    grading_html = ""
    if summary.grading is not None:
        grading_html = (
            "<h2>Grading (video proxies, not a diagnosis)</h2>"
            + _table([[html.escape(a), html.escape(b), f"<span class='small'>{html.escape(c)}"
                       "</span>"] for a, b, c in grading_rows(summary.grading,
                                                                summary.settings.grading)],
                     ["item", "value", "definition"])
        )  # fmt: skip
    warnings_html = (
        "<div class='verdict'><b>Warnings</b><ul>"
        + "".join(f"<li class='warn'>{html.escape(str(w))}</li>" for w in summary.warnings)
        + "</ul></div>"
    ) if summary.warnings else ""  # fmt: skip
    made = (
        f"hfs-detect {made_by.hfs_detect_version}, landmarks by {made_by.landmark_engine} "
        f"{made_by.landmark_engine_version or made_by.mediapipe_version}, "
        f"model sha256 {made_by.model_sha256}; "
        f"{html.escape(str(made_by.created_utc or ''))}"
    )
    document = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>hfs-detect report: {html.escape(name)}</title><style>{_STYLE}</style></head>
<body>
<h1>hfs-detect report</h1>
<p class="sub">{html.escape(name)}</p>
<div class="verdict">Verdict: <b>{html.escape(verdict)}</b>: {html.escape(verdict_text)}.
<br><span class="warn">{html.escape(DISCLAIMER)}</span></div>
{warnings_html}{_table(key_rows, ["", ""])}
<h2>Left and right, per region</h2>
<figure>{plots["traces"]}</figure>
<h2>Bursts</h2>
<figure>{plots["raster"]}</figure>
<figure>{plots["rate"]}</figure>
{_table(event_rows, header) if event_rows else "<p>No burst was found.</p>"}
{_blink_html(analysis)}
{grading_html}
{steps_html}
<h2>Methods</h2>
<p>{html.escape(summary.methods)}</p>
<p class="small">Sides are the patient's anatomical sides. Made by {made}.
Parameters are in summary.json beside this file.</p>
</body></html>
"""
    target = Path(path) if path else out_dir / "report.html"
    write_text_atomic(target, document)
    return target
