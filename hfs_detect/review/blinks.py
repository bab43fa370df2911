"""Scoring found blinks against annotated ones (eye-blink annotation ``.tag`` files).

The eye-blink annotation format v1.1 (``.tag``; Talking Face, Eyeblink8,
Researcher's Night) has one line per frame after a ``#start`` line (``#``
lines are comments)::

    frame:blinkID:NF:LE_FC:LE_NV:RE_FC:RE_NV:F_X:F_Y:F_W:F_H:LE_LX:...

``blinkID`` is -1 outside blinks and the blink's number on each of its
frames; ``LE_FC``/``RE_FC`` is ``C`` where that eye (``LE`` the subject's
left) is 90-100% closed. A found blink (a ``blinks.csv`` row) matches a true
one when their onsets lie within ``tolerance_s`` (each matched at most once,
nearest first); partial closures are scored too (an annotator marks an
incomplete blink as a blink). Per eye, the closed-frame recall is the share
of the frames marked ``C`` for that eye that lie between the eye's closing
and reopening in a found blink.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._checks import HFSDetectError, check_number

__all__ = ["read_tag", "write_tag", "score_blinks", "evaluate_blinks", "blink_lines"]


def read_tag(path: str | os.PathLike) -> pd.DataFrame:
    """The blinks of a ``.tag`` file, one row each, in frames.

    Returns
    -------
    pandas.DataFrame
        ``blink_id``, ``start_frame``, ``end_frame`` (inclusive), and
        ``closed_left`` / ``closed_right``: the frames that eye is marked ``C``
        (lists). Its ``attrs["n_frames"]`` is the number of frame lines.

    Raises
    ------
    HFSDetectError
        A missing file or a line that is not a ``.tag`` frame line (one line
        naming the file and the line).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError as exc:
        raise HFSDetectError(f"cannot read the blink annotation {path}: {exc}") from None
    blinks: dict[int, dict] = {}
    n_frames = 0
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [field.strip() for field in line.split(":")]
        try:
            frame, blink_id = int(fields[0]), int(fields[1])
            left_closed, right_closed = fields[3] == "C", fields[5] == "C"
        except (IndexError, ValueError):
            raise HFSDetectError(
                f"{path}, line {number}: not an eye-blink annotation (.tag) frame line "
                f"(frame:blinkID:NF:LE_FC:LE_NV:RE_FC:RE_NV:...): {line[:60]!r}"
            ) from None
        n_frames += 1
        if blink_id < 0:
            continue
        blink = blinks.setdefault(
            blink_id, {"start_frame": frame, "end_frame": frame, "left": [], "right": []}
        )
        blink["start_frame"] = min(blink["start_frame"], frame)
        blink["end_frame"] = max(blink["end_frame"], frame)
        if left_closed:
            blink["left"].append(frame)
        if right_closed:
            blink["right"].append(frame)
    if n_frames == 0:
        raise HFSDetectError(f"{path} holds no frame lines: not an eye-blink annotation (.tag)")
    table = pd.DataFrame(
        [
            {
                "blink_id": k,
                "start_frame": b["start_frame"],
                "end_frame": b["end_frame"],
                "closed_left": b["left"],
                "closed_right": b["right"],
            }
            for k, b in sorted(blinks.items())
        ],  # fmt: skip
        columns=["blink_id", "start_frame", "end_frame", "closed_left", "closed_right"],
    )
    table.attrs["n_frames"] = n_frames
    return table


def write_tag(
    path: str | os.PathLike,
    n_frames: int,
    blinks: list[tuple[int, int, set[int], set[int]]],
    comments: tuple[str, ...] = (),
) -> Path:
    """Write an eye-blink annotation (``.tag``, format v1.1) of ``n_frames`` frames.

    Parameters
    ----------
    path : path-like
        Where to write it (whole, or not at all).
    n_frames : int
        Frame lines to write (0 to ``n_frames - 1``).
    blinks : list of (first, last, closed_left, closed_right)
        Each blink's first and last frame (inclusive), and the frames in which the
        subject's left and right eye are 90-100% closed (``C``). Numbered 1, 2, ...
        in the order given.
    comments : tuple of str
        Lines for the file's message block (how it was made).
    """
    from .._atomic import write_text_atomic

    marks = {}
    for number, (first, last, left, right) in enumerate(blinks, 1):
        for frame in range(first, last + 1):
            marks[frame] = (number, "C" if frame in left else "X", "C" if frame in right else "X")
    lines = ["#eye-blink annotation file version 1.1", "#message start"]
    lines += [f"#{c}" for c in comments] + ["#message end", "#start", "#end"]
    for frame in range(n_frames):
        number, left, right = marks.get(frame, (-1, "X", "X"))
        lines.append(f"{frame}:{number}:X:{left}:X:{right}:X" + ":0" * 12)
    write_text_atomic(Path(path), "\n".join(lines) + "\n")
    return Path(path)


def _frame_times(time_s: np.ndarray | None, fps: float | None):
    """Frame number -> seconds: the analysed video's own frame times, or ``frame / fps``."""
    if fps is not None:
        return lambda frame: frame / fps
    if time_s is None:
        raise HFSDetectError("a .tag file is scored against an analysis folder, or give its fps")
    step = float(np.median(np.diff(time_s))) if len(time_s) > 1 else 0.0

    def at(frame: int) -> float:
        if 0 <= frame < len(time_s):
            return float(time_s[frame])
        return float(time_s[-1] + (frame - len(time_s) + 1) * step)

    return at


def score_blinks(
    found: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    time_s: np.ndarray | None = None,
    fps: float | None = None,
    tolerance_s: float = 0.3,
    span_s: tuple[float, float] | None = None,
) -> dict:
    """Blink precision and recall, onset error, and per-eye closed-frame recall.

    Parameters
    ----------
    found : pandas.DataFrame
        A ``blinks.csv`` table.
    truth : pandas.DataFrame
        :func:`read_tag`'s table (in frames), or a table of ``start_s`` and ``end_s``
        (a reviewed file's blink tier: no per-eye closed frames).
    time_s : (n,) array, optional
        The analysed frames' times (frame ``i`` of the ``.tag`` is ``time_s[i]``).
    fps : float, optional
        Time the ``.tag``'s frames as ``frame / fps`` instead (a file annotated on
        another copy of the video).
    tolerance_s : float
        Largest onset difference of a match (0.3 s, as ``evaluate``'s default).
    span_s : (float, float), optional
        Score only this stretch of a longer annotation: the found blinks whose onset
        lies in it (``truth`` holds the true ones). By default, the annotated frames
        (a found blink may set in up to ``tolerance_s`` before the first).

    Returns
    -------
    dict
        ``n_true``, ``n_found``, ``n_matched``, ``precision``, ``recall``, ``f1``,
        ``median_onset_error_s`` (found minus true), ``closed_recall_left`` and
        ``closed_recall_right``, ``missed_s`` and ``false_s`` (onsets).
    """
    check_number("tolerance_s", tolerance_s, minimum=0.0)
    in_seconds = "start_s" in truth
    at = _frame_times(time_s, fps) if not in_seconds else float
    span_given = span_s is not None
    if in_seconds:
        true_onsets = truth["start_s"].to_numpy(float)
        if span_s is None:
            span_s = (-np.inf, np.inf)
    else:
        true_onsets = np.array([at(f) for f in truth["start_frame"]], float)
        if span_s is None:
            span_s = (at(0), at(max(int(truth.attrs.get("n_frames", 1)) - 1, 0)) + 1e-9)
    inside = (found["start_s"] >= span_s[0] - tolerance_s) & (found["start_s"] < span_s[1])
    if span_given:  # a stretch of a longer annotation: its edges cut alike for both sides
        inside = (found["start_s"] >= span_s[0]) & (found["start_s"] < span_s[1])
    found = found[inside].reset_index(drop=True)
    found_onsets = found["start_s"].to_numpy(float)
    pairs = sorted(
        (abs(f - t), i, j)
        for i, t in enumerate(true_onsets)
        for j, f in enumerate(found_onsets)
        if abs(f - t) <= tolerance_s
    )
    used_true, used_found, matches = set(), set(), []
    for _, i, j in pairs:
        if i not in used_true and j not in used_found:
            used_true.add(i)
            used_found.add(j)
            matches.append((i, j))
    n_true, n_found, n_matched = len(true_onsets), len(found_onsets), len(matches)
    precision = n_matched / n_found if n_found else None
    recall = n_matched / n_true if n_true else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision and recall
        else (0.0 if n_true and n_found else None)
    )
    closed = {}
    for side in ("left", "right"):
        marked_frames = truth[f"closed_{side}"] if f"closed_{side}" in truth else []
        frames = [f for marked in marked_frames for f in marked]
        if not frames:
            closed[side] = None
            continue
        windows = found[[f"close_s_{side}", f"reopen_s_{side}"]].to_numpy(float)
        hits = sum(
            bool(np.any((windows[:, 0] <= at(f) + 1e-9) & (at(f) <= windows[:, 1] + 1e-9)))
            for f in frames
        )
        closed[side] = round(hits / len(frames), 4)
    errors = [found_onsets[j] - true_onsets[i] for i, j in matches]
    return {
        "n_true": n_true,
        "n_found": n_found,
        "n_matched": n_matched,
        "precision": _round(precision),
        "recall": _round(recall),
        "f1": _round(f1),
        "median_onset_error_s": _round(float(np.median(errors)) if errors else None),
        "closed_recall_left": closed["left"],
        "closed_recall_right": closed["right"],
        "missed_s": [round(float(true_onsets[i]), 3) for i in range(n_true) if i not in used_true],
        "false_s": [
            round(float(found_onsets[j]), 3) for j in range(n_found) if j not in used_found
        ],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def evaluate_blinks(
    predicted: str | os.PathLike,
    tag: str | os.PathLike,
    *,
    tolerance_s: float = 0.3,
    fps: float | None = None,
    truth: pd.DataFrame | None = None,
) -> dict:
    """Score an analysis folder's ``blinks.csv`` against a ``.tag`` file (or ``truth``,
    the blink tier read from the reviewed file ``tag``).

    Raises
    ------
    HFSDetectError
        ``predicted`` is not an analysis folder with blinks (one analysed before
        blinks were measured: rerun analyze), or the ``.tag`` is unreadable.
    """
    from ..session.outputs import load_analysis

    predicted = Path(predicted)
    if not predicted.is_dir():
        raise HFSDetectError(
            f"blinks are scored from an analysis folder (analyze's -o OUT), not {predicted}"
        )
    analysis = load_analysis(predicted)
    if analysis.blinks is None:
        raise HFSDetectError(
            f"{predicted} has no blinks.csv (analysed before blinks were measured): rerun analyze"
        )
    time_s = analysis.frames["time_s"].to_numpy(float)
    warnings = []
    if truth is None:
        truth = read_tag(tag)
        n_tag = int(truth.attrs["n_frames"])
    else:
        n_tag = len(time_s)
    if fps is None and abs(n_tag - len(time_s)) > max(2, 0.01 * len(time_s)):
        warnings.append(
            f"{Path(tag).name} has {n_tag} frames but the video {len(time_s)}: if it was "
            "annotated on another copy of the video, give its frame rate with --tag-fps"
        )
    scores = score_blinks(analysis.blinks, truth, time_s=time_s, fps=fps, tolerance_s=tolerance_s)
    return {"predicted": str(predicted), "truth": str(tag), "tolerance_s": tolerance_s,
            "blinks": scores, "warnings": warnings}  # fmt: skip


def blink_lines(result: dict) -> list[str]:
    """The blink scores as the lines ``evaluate`` prints."""
    s = result["blinks"]

    def fmt(value) -> str:
        return "-" if value is None else f"{value:.3f}"

    lines = [
        f"blinks: {s['n_matched']} of {s['n_true']} true blinks found, {s['n_found']} found "
        f"(onsets within {result['tolerance_s']:g} s)",
        f"  precision {fmt(s['precision'])}  recall {fmt(s['recall'])}  F1 {fmt(s['f1'])}"
        f"  median onset error {fmt(s['median_onset_error_s'])} s",
        f"  closed frames found per eye: left {fmt(s['closed_recall_left'])}, "
        f"right {fmt(s['closed_recall_right'])}",
    ]
    if s["missed_s"]:
        lines.append("  missed at " + ", ".join(f"{t:g}" for t in s["missed_s"]) + " s")
    if s["false_s"]:
        lines.append("  not in the truth at " + ", ".join(f"{t:g}" for t in s["false_s"]) + " s")
    return lines
