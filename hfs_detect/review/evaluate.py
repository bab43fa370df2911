"""Scoring detected bursts against annotated (true) ones.

A predicted burst matches a true one when they are on the same side and
overlap, allowing ``tolerance_s`` at either end; each is matched at most once
(greedily, by onset distance). From the matches: precision, recall, F1,
median onset and offset error, side accuracy (over true bursts found on
either side), and false bursts per rest-minute when the rest time is known.

Works for one session (two ``events.csv`` files) or for two folders of
sessions, paired by name.

Grading proxies (:mod:`hfs_detect.session.grading`) are scored too where the truth
knows them (a synthetic session's ``<name>.plan.json`` with a ``grading``
block, from ``hfs-detect synth --grade``) and the prediction is an analysis
folder: the SMC grade exact, the frequency within 10%, the tonic component
within 0.05, the clonic rate within 35% (:data:`GRADING_TOLERANCES`).

Noise floor of the tonic component: a face without spasm has one too, its
static asymmetry (and MediaPipe's coupling of the eyes). Below
:data:`hfs_detect.session.grading.TONIC_NOISE_FLOOR` (0.15, three times the spread of
resting faces' static eye asymmetry) a tonic component is within that noise;
the 18 real videos without spasm measure at most 0.086
(``benchmarks/accuracy/grading_real.py``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .._checks import HFSDetectError, check_number
from ..events import check_events
from ..session import Summary, read_summary

__all__ = [
    "score_events",
    "evaluate_paths",
    "evaluation_lines",
    "false_by_distractor",
    "matched_pairs",
    "pair_sessions",
    "read_events",
    "TRUTH_SUFFIXES",
    "pooled_regions",
    "region_agreement",
    "regions_line",
    "score_grading",
    "GRADING_TOLERANCES",
]

GRADING_TOLERANCES = {
    "bursts_per_rest_hour": 0.1,
    "tonic_median": 0.05,
    "clonic_twitches_per_min": 0.35,
}
"""Grading items counted as recovered: frequency within 10% (relative), tonic
component within 0.05 (absolute); the SMC grade and the Jankovic band exactly."""


def score_grading(truth: dict, found: dict) -> dict:
    """A session's grading against its known answers: per item, the truth, the found
    value and whether it is recovered (:data:`GRADING_TOLERANCES`)."""
    out = {}
    for key, true in truth.items():
        value = found.get(key)
        if key in ("bursts_per_rest_hour", "clonic_twitches_per_min"):  # relative
            ok = value is not None and abs(value - true) <= GRADING_TOLERANCES[key] * true
        elif key == "tonic_median":
            ok = value is not None and abs(value - true) <= GRADING_TOLERANCES[key]
        elif key in ("smc_grade", "jankovic_frequency", "affected_side"):
            ok = value == true
        else:
            ok = None  # reported, not judged
        out[key] = {"true": true, "found": value, "recovered": ok}
    return out


def _overlaps(a, b, tolerance_s: float) -> bool:
    return a.start_s < b.end_s + tolerance_s and a.end_s > b.start_s - tolerance_s


def matched_pairs(predicted: pd.DataFrame, truth: pd.DataFrame, tolerance_s: float = 0.3):
    """Greedy one-to-one matches ``(truth row, predicted row)``: same side, overlapping.

    Returns
    -------
    matched : list of (int, int)
    near : set of int
        Truth rows overlapped by any prediction, whatever its side.
    """
    pairs = []
    for i, t in enumerate(truth.itertuples()):
        for j, p in enumerate(predicted.itertuples()):
            if _overlaps(p, t, tolerance_s):
                pairs.append((abs(p.start_s - t.start_s), i, j, p.side == t.side))
    used_t, used_p, matched, near = set(), set(), [], set()
    for _distance, i, j, same_side in sorted(pairs):
        near.add(i)
        if same_side and i not in used_t and j not in used_p:
            used_t.add(i)
            used_p.add(j)
            matched.append((i, j))
    return matched, near


def false_by_distractor(
    predicted: pd.DataFrame, truth: pd.DataFrame, distractors, *, tolerance_s: float = 0.3
) -> dict[str, int]:
    """Unmatched predicted bursts, by the distractor they overlap (``other`` if none).

    ``distractors`` is a list of ``(kind, start_s, end_s)``, as
    :meth:`hfs_detect.synth.plan.SynthPlan.distractors` gives.
    """
    matched, _ = matched_pairs(predicted, truth, tolerance_s)
    used = {j for _, j in matched}
    counts: dict[str, int] = {}
    for j, p in enumerate(predicted.itertuples()):
        if j in used:
            continue
        kind = next(
            (k for k, start, end in distractors
             if p.start_s < end + tolerance_s and p.end_s > start - tolerance_s),
            "other",
        )  # fmt: skip
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def region_agreement(
    predicted: pd.DataFrame, truth: pd.DataFrame, matched: list[tuple[int, int]]
) -> dict[str, dict[str, int]] | None:
    """Per region, over matched bursts: how often both name it, only the truth
    (``missed``) or only the prediction (``extra``).

    ``matched`` holds ``(truth row, predicted row)`` pairs (:func:`matched_pairs`).
    None when either table has no ``regions`` column.
    """
    from ..face_mesh import REGIONS

    if "regions" not in predicted or "regions" not in truth:
        return None
    counts = {region: {"both": 0, "missed": 0, "extra": 0} for region in REGIONS}
    for i, j in matched:
        true = set(str(truth.regions.iloc[i]).split("+"))
        found = set(str(predicted.regions.iloc[j]).split("+"))
        for region in REGIONS:
            if region in true or region in found:
                key = "both" if region in true and region in found else (
                    "missed" if region in true else "extra")  # fmt: skip
                counts[region][key] += 1
    return counts


def pooled_regions(counts: list[dict | None]) -> dict[str, dict[str, int]] | None:
    """:func:`region_agreement` counts summed over sessions (None where none named regions)."""
    named = [c for c in counts if c]
    if not named:
        return None
    return {
        region: {key: sum(c[region][key] for c in named) for key in named[0][region]}
        for region in named[0]
    }


def regions_line(counts: dict[str, dict[str, int]]) -> str:
    """The region counts in one line: ``eye 108/1/9, ...`` (both / truth only / found only)."""
    cells = ", ".join(f"{r} {c['both']}/{c['missed']}/{c['extra']}" for r, c in counts.items())
    return f"regions of matched bursts (both / truth only / found only): {cells}"


def score_events(
    predicted: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    tolerance_s: float = 0.3,
    rest_s: float | None = None,
) -> dict:
    """Event-level scores of ``predicted`` against ``truth`` (``events.csv`` tables).

    Parameters
    ----------
    predicted, truth : pandas.DataFrame
        With at least ``start_s``, ``end_s``, ``side``.
    tolerance_s : float
        Slack at either end of a burst when matching.
    rest_s : float, optional
        Rest time of the session, for false bursts per rest-minute.

    Returns
    -------
    dict
        ``n_true``, ``n_predicted``, ``n_matched``, ``precision``, ``recall``,
        ``f1``, ``onset_error_s`` (median, absolute), ``offset_error_s``,
        ``side_accuracy`` (of the bursts matched in time, whatever their side,
        ``n_matched_any_side``, the share on the right side), ``false_per_rest_min``,
        and ``regions``
        (:func:`region_agreement`) when both tables name regions.
    """
    check_number("tolerance_s", tolerance_s, minimum=0.0)
    matched, any_side = matched_pairs(predicted, truth, tolerance_s)
    n_true, n_pred, n_match = len(truth), len(predicted), len(matched)
    precision = n_match / n_pred if n_pred else (1.0 if n_true == 0 else 0.0)
    recall = n_match / n_true if n_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    onset = [abs(predicted.start_s.iloc[j] - truth.start_s.iloc[i]) for i, j in matched]
    offset = [abs(predicted.end_s.iloc[j] - truth.end_s.iloc[i]) for i, j in matched]
    false = n_pred - n_match
    return {
        "n_true": n_true,
        "n_predicted": n_pred,
        "n_matched": n_match,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "onset_error_s": round(float(np.median(onset)), 4) if onset else None,
        "offset_error_s": round(float(np.median(offset)), 4) if offset else None,
        "side_accuracy": round(n_match / len(any_side), 4) if any_side else None,
        "n_matched_any_side": len(any_side),
        "false_per_rest_min": round(false / (rest_s / 60), 4) if rest_s else None,
        "regions": region_agreement(predicted, truth, matched),
    }


def read_events(
    path: Path, duration_s: float | None = None, notes: list[str] | None = None
) -> pd.DataFrame:
    """An events table (``events.csv``, or a reviewed ``.eaf`` / ``.boris``), every burst
    checked (:func:`~hfs_detect.events.check_events`), within ``duration_s`` when known."""
    if path.suffix.lower() in (".eaf", ".boris"):  # a clinician's reviewed annotations
        from .annotations import read_review

        return check_events(read_review(path, notes), str(path), duration_s=duration_s)
    try:
        table = pd.read_csv(path)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise HFSDetectError(f"cannot read events table {path}: {exc}") from None
    return check_events(table, str(path), duration_s=duration_s)


def _events_file(path: Path) -> Path:
    return path / "events.csv" if path.is_dir() else path


TRUTH_SUFFIXES = (".events.csv", ".eaf", ".boris")
"""How a truth file in a folder of truths is named after its session: ``<name>.events.csv``,
or a clinician's reviewed ``<name>.eaf`` (ELAN) or ``<name>.boris`` (BORIS)."""


def pair_sessions(predicted: str | os.PathLike, truth: str | os.PathLike) -> dict[str, tuple]:
    """The analysis folders of ``predicted`` with their truth files in ``truth``, by name.

    A folder ``NAME`` (one with an ``events.csv``) pairs with ``NAME.events.csv``,
    ``NAME/events.csv``, ``NAME.eaf`` or ``NAME.boris`` in ``truth``, or with the same
    named after the analysed video's stem (a batch names a folder after its video).

    Returns
    -------
    dict
        Session name -> ``(analysis folder, truth file or folder)``, sorted by name.

    Raises
    ------
    HFSDetectError
        When no folder has a truth.
    """
    predicted, truth = Path(predicted), Path(truth)
    pairs: dict[str, tuple[Path, Path]] = {}
    for folder in sorted(p for p in predicted.iterdir() if (p / "events.csv").is_file()):
        names = [folder.name]
        summary = _summary(folder)
        if summary is not None:
            names.append(Path(str(summary.recording.video)).stem)
        for name in dict.fromkeys(names):
            found = [truth / f"{name}{suffix}" for suffix in TRUTH_SUFFIXES]
            found += [truth / name / "events.csv"]
            found = [c for c in found if c.is_file()]
            if found:
                pairs[folder.name] = (folder, found[0])
                break
    if not pairs:
        raise HFSDetectError(
            f"no sessions in {predicted} have a truth file in {truth} (looked for "
            f"<name>.events.csv, <name>.eaf, <name>.boris or <name>/events.csv)"
        )
    return pairs


def evaluate_paths(
    predicted: str | os.PathLike, truth: str | os.PathLike, *, tolerance_s: float = 0.3
) -> dict:
    """Score one session (files or output folders) or folders of sessions.

    ``predicted`` may be an ``events.csv``, an analysis output folder (its
    ``summary.json`` gives the rest time), or a folder of such folders.
    ``truth`` is an ``events.csv`` or a reviewed ``.eaf`` / ``.boris`` file, or a
    folder of them paired with the predicted folders by name (:func:`pair_sessions`).

    Returns
    -------
    dict
        ``sessions`` (name -> scores) and ``overall`` (pooled over sessions).
    """
    predicted, truth = Path(predicted), Path(truth)
    for path in (predicted, truth):
        if not path.exists():
            raise HFSDetectError(f"not found: {path}")
    one = _events_file(predicted).is_file()  # one session: a table or an analysis folder
    name = predicted.stem if predicted.is_file() else predicted.name
    if one and (truth.is_file() or (truth / "events.csv").is_file()):
        pairs = {name: (predicted, truth)}
    elif one:  # its truth in a folder of truths, by the folder's name or the video's
        summary = _summary(predicted)
        video = summary.recording.video if summary is not None else name
        names = dict.fromkeys([name, Path(video).stem])
        candidates = [truth / f"{n}{suffix}" for n in names for suffix in TRUTH_SUFFIXES]
        candidates += [truth / n / "events.csv" for n in names]
        found = [c for c in candidates if c.is_file()]
        if not found:
            raise HFSDetectError(
                f"no truth for {predicted} in {truth} (looked for "
                f"{', '.join(str(c.relative_to(truth)) for c in candidates)})"
            )
        pairs = {name: (predicted, found[0])}
    else:
        pairs = pair_sessions(predicted, truth)
    sessions, all_pred, all_true, rest_total = {}, [], [], 0.0
    warnings = []
    for name, (pred_path, true_path) in pairs.items():
        other = _other_media(pred_path, true_path)
        if other:
            warnings.append(
                f"{true_path.name} was made for {other}, not for {name}'s video: "
                "its bursts are scored all the same"
            )
        summary = _summary(pred_path)
        duration_s = summary.recording.duration_s if summary is not None else None
        notes: list[str] = []
        pred = read_events(_events_file(pred_path), duration_s)
        true = read_events(_events_file(true_path), duration_s, notes)
        warnings += notes
        rest_s = _rest_seconds(pred_path)
        sessions[name] = score_events(pred, true, tolerance_s=tolerance_s, rest_s=rest_s)
        grading = _grading_pair(pred_path, true_path)
        if grading is not None:
            sessions[name]["grading"] = score_grading(*grading)
        all_pred.append(pred.assign(session=name))
        all_true.append(true.assign(session=name))
        rest_total += rest_s or 0.0
    pooled = [
        score_events(p, t, tolerance_s=tolerance_s) for p, t in zip(all_pred, all_true, strict=True)
    ]
    n_true = sum(s["n_true"] for s in pooled)
    n_pred = sum(s["n_predicted"] for s in pooled)
    n_match = sum(s["n_matched"] for s in pooled)
    precision = n_match / n_pred if n_pred else (1.0 if n_true == 0 else 0.0)  # as per session
    recall = n_match / n_true if n_true else 1.0
    onsets = [s["onset_error_s"] for s in sessions.values() if s["onset_error_s"] is not None]
    any_side = sum(s["n_matched_any_side"] for s in pooled)
    offsets = [s["offset_error_s"] for s in sessions.values() if s["offset_error_s"] is not None]
    overall = {
        "n_sessions": len(sessions),
        "n_true": n_true,
        "n_predicted": n_pred,
        "n_matched": n_match,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(2 * precision * recall / (precision + recall), 4) if n_match else 0.0,
        "median_session_onset_error_s": round(float(np.median(onsets)), 4) if onsets else None,
        "median_session_offset_error_s": round(float(np.median(offsets)), 4) if offsets else None,
        "side_accuracy": round(n_match / any_side, 4) if any_side else None,
        "n_matched_any_side": any_side,
        "false_per_rest_min": round((n_pred - n_match) / (rest_total / 60), 4)
        if rest_total
        else None,
    }
    regions = pooled_regions([s["regions"] for s in pooled])
    if regions:
        overall["regions"] = regions
    graded = [s["grading"] for s in sessions.values() if "grading" in s]
    if graded:
        overall["grading"] = {
            key: f"{sum(bool(g[key]['recovered']) for g in graded if key in g)}/{len(graded)}"
            for key in (
                "smc_grade",
                "bursts_per_rest_hour",
                "tonic_median",
                "jankovic_frequency",
                "clonic_twitches_per_min",
            )
        }
    from .. import __version__

    return {
        "sessions": sessions, "overall": overall, "tolerance_s": tolerance_s,
        "warnings": warnings,
        "predicted": str(Path(predicted).resolve()), "truth": str(Path(truth).resolve()),
        "hfs_detect_version": __version__,
    }  # fmt: skip


def _grading_pair(pred_path: Path, true_path: Path) -> tuple[dict, dict] | None:
    """The truth's known grading (its plan.json) and the prediction's, if both exist."""
    import json

    stem = true_path.name.removesuffix(".csv").removesuffix(".events")
    plan = true_path.with_name(f"{stem}.plan.json")
    summary = _summary(pred_path)
    try:
        truth = json.loads(plan.read_text()).get("grading") if plan.is_file() else None
    except (OSError, ValueError):
        return None
    found = summary.grading.to_dict() if summary is not None and summary.grading else None
    return (truth, found) if truth and found else None


def _other_media(pred_path: Path, true_path: Path) -> str | None:
    """The video a review file (``.eaf``, ``.boris``) links, when it is not the analysed
    one (compared by file name, the link's or its target's)."""
    if true_path.suffix.lower() not in (".eaf", ".boris"):
        return None
    import ntpath
    from urllib.parse import unquote, urlsplit

    from .annotations import review_media

    summary = _summary(pred_path)
    video = summary.recording.video if summary is not None else None
    links = [unquote(urlsplit(m).path) if "://" in m else m for m in review_media(true_path)]
    if not video or not links:
        return None
    folder = os.path.realpath(pred_path if pred_path.is_dir() else pred_path.parent)
    if any(os.path.realpath(m).startswith(folder + os.sep) for m in links):
        return None  # a video of the analysis itself (export --video annotated.mp4)
    media = [ntpath.basename(m) for m in links]  # a Windows path's name, too
    names = {Path(video).name, Path(os.path.realpath(video)).name}
    return None if names & set(media) else media[0]


def _summary(path: Path) -> Summary | None:
    """The summary beside an events table or in an analysis folder (None without one)."""
    folder = path if path.is_dir() else path.parent
    return read_summary(folder) if (folder / "summary.json").is_file() else None


def _rest_seconds(path: Path) -> float | None:
    summary = _summary(path)
    return summary.statistics.rest_s if summary is not None else None


def evaluation_lines(result: dict) -> list[str]:
    """The scores of :func:`evaluate_paths` as a table of text lines (per session, overall)."""
    lines: list[str] = []
    lines.append(
        f"{'session':<32} {'true':>5} {'pred':>5} {'match':>6} {'F1':>6} {'onset s':>8} "
        f"{'offset s':>9}"
    )
    for name, r in result["sessions"].items():
        onset = "" if r["onset_error_s"] is None else f"{r['onset_error_s']:.3f}"
        offset = "" if r.get("offset_error_s") is None else f"{r['offset_error_s']:.3f}"
        lines.append(
            f"{name[:32]:<32} {r['n_true']:>5} {r['n_predicted']:>5} {r['n_matched']:>6} "
            f"{r['f1']:>6.3f} {onset:>8} {offset:>9}"
        )
    o = result["overall"]
    lines.append(
        f"overall: precision {o['precision']:.3f}, recall {o['recall']:.3f}, F1 {o['f1']:.3f}"
        f" over {o['n_sessions']} session(s)"
    )
    side = o.get("side_accuracy")
    false = o.get("false_per_rest_min")
    lines.append(
        f"side accuracy {'-' if side is None else f'{side:.3f}'}"
        f" (bursts matched in time, either side: {o.get('n_matched_any_side', '-')}), "
        f"false bursts per rest-minute {'-' if false is None else f'{false:.3f}'}"
        f"{'' if false is not None else ' (no summary.json gave the rest time)'}"
    )
    if "regions" in o:
        lines.append(regions_line(o["regions"]))
    if "grading" in o:
        g = o["grading"]
        lines.append(
            f"grading recovered: SMC grade {g['smc_grade']}, frequency within 10% "
            f"{g['bursts_per_rest_hour']}, tonic within 0.05 {g['tonic_median']}, "
            f"Jankovic band {g['jankovic_frequency']}, clonic rate within 35% "
            f"{g.get('clonic_twitches_per_min', '-')}"
        )
    return lines
