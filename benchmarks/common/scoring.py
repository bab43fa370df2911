"""Scores of a synthetic set: per pattern, per distractor, overall; ours and the peers'.

Used by ``eval_synthetic.py``; the truth folder holds ``<name>.events.csv``
and ``<name>.plan.json`` for each session, the prediction folder
``<name>/events.csv`` (with ``summary.json``, ``frames.parquet`` and the
landmark cache, from which the peers are run).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from hfs_detect.review.evaluate import (
    false_by_distractor,
    matched_pairs,
    pooled_regions,
    region_agreement,
    regions_line,
)
from hfs_detect.signals import contraction
from hfs_detect.synth.plan import SynthPlan

METHODS = ("hfs-detect", "blendshape", "nomura-sakai")


def _peer_events(pred: Path) -> dict[str, pd.DataFrame]:
    from common.peers import blendshape_events, nomura_sakai_events
    from hfs_detect.landmarks.track import load_track

    frames = pd.read_parquet(pred / "frames.parquet")
    track = load_track(pred / "landmarks.npz")
    ns, _ = nomura_sakai_events(
        track.time_s, track.landmarks, track.meta["width"], track.meta["height"]
    )
    return {"blendshape": blendshape_events(frames), "nomura-sakai": ns}


def score_set(sessions, truth_dir: Path, pred_dir: Path, summaries: dict, *, peers=False) -> dict:
    """Per-session counts and the pooled scores of each method."""
    rows = []
    for s in sessions:
        name = s["name"]
        truth = pd.read_csv(truth_dir / f"{name}.events.csv")
        plan_file = truth_dir / f"{name}.plan.json"
        plan = (
            SynthPlan.from_dict(json.loads(plan_file.read_text())) if plan_file.exists() else None
        )
        distractors = plan.distractors() if plan else []
        predicted = {"hfs-detect": pd.read_csv(pred_dir / name / "events.csv")}
        if peers:
            predicted.update(_peer_events(pred_dir / name))
        for method, events in predicted.items():
            matched, near = matched_pairs(events, truth)
            rows.append({
                "session": name, "pattern": s["pattern"], "side": s["side"], "method": method,
                "n_true": len(truth), "n_pred": len(events), "n_matched": len(matched),
                "n_near": len(near), "rest_s": summaries[name]["rest_s"],
                "false": false_by_distractor(events, truth, distractors),
                "onsets": [abs(events.start_s.iloc[j] - truth.start_s.iloc[i]) for i, j in matched],
                "verdict": summaries[name]["verdict"] if method == "hfs-detect" else None,
                "verdict_side": summaries[name]["side"] if method == "hfs-detect" else None,
                "regions": region_agreement(events, truth, matched),
            })  # fmt: skip
    return {"sessions": rows, "methods": {m: _pool(rows, m) for m in METHODS if any(
        r["method"] == m for r in rows)}}  # fmt: skip


def _prf(rows) -> dict:
    t = sum(r["n_true"] for r in rows)
    p = sum(r["n_pred"] for r in rows)
    m = sum(r["n_matched"] for r in rows)
    precision = m / p if p else 1.0
    recall = m / t if t else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"n_true": t, "n_pred": p, "n_matched": m, "precision": round(precision, 3),
            "recall": round(recall, 3), "f1": round(f1, 3)}  # fmt: skip


def wilson_interval(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion ``k / n`` (bursts found of bursts made)."""
    if n == 0:
        return (float("nan"), float("nan"))
    phat = k / n
    centre = (phat + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (round(float(centre - half), 3), round(float(centre + half), 3))


def bootstrap_f1(rows, n_resamples: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% interval of the pooled event F1, resampling whole sessions (seeded)."""
    counts = np.array([(r["n_true"], r["n_pred"], r["n_matched"]) for r in rows], float)
    if not len(counts):
        return (float("nan"), float("nan"))
    pick = np.random.default_rng(seed).integers(0, len(counts), (n_resamples, len(counts)))
    true, pred, hit = counts[pick].sum(axis=1).T
    precision = np.where(pred > 0, hit / np.maximum(pred, 1), 1.0)
    recall = np.where(true > 0, hit / np.maximum(true, 1), 1.0)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    low, high = np.percentile(f1, [2.5, 97.5])
    return (round(float(low), 3), round(float(high), 3))


def _pool(rows, method: str) -> dict:
    mine = [r for r in rows if r["method"] == method]
    per_pattern = {}
    for pattern in dict.fromkeys(r["pattern"] for r in mine):
        per_pattern[pattern] = _prf([r for r in mine if r["pattern"] == pattern])
    false = defaultdict(int)
    for r in mine:
        for kind, n in r["false"].items():
            false[kind] += n
    rest_s = sum(r["rest_s"] or 0 for r in mine)
    near = sum(r["n_near"] for r in mine)
    onsets = [o for r in mine for o in r["onsets"]]
    verdicts = [r for r in mine if r["n_true"] >= 3]
    no_spasm = [r for r in mine if r["n_true"] == 0]
    out = {
        "overall": _prf(mine),
        "f1_interval": bootstrap_f1(mine),
        "per_pattern": per_pattern,
        "false_by_distractor": dict(false),
        "false_per_rest_min": round(sum(false.values()) / (rest_s / 60), 3) if rest_s else None,
        "side_accuracy": round(sum(r["n_matched"] for r in mine) / near, 3) if near else None,
        "median_onset_error_s": round(float(np.median(onsets)), 3) if onsets else None,
    }
    if method == "hfs-detect":
        right = [r for r in verdicts if r["verdict"] == "unilateral_bursts"
                 and r["verdict_side"] == r["side"]]  # fmt: skip
        out["verdicts_3plus"] = f"{len(right)}/{len(verdicts)}"
        out["wrong_verdicts"] = [r["session"] for r in verdicts if r not in right] + [
            r["session"] for r in no_spasm if r["verdict"] == "unilateral_bursts"
        ]
        blepharospasm = [r for r in mine if r["pattern"] == "blepharospasm"]
        bilateral = [r for r in blepharospasm if r["verdict"] == "bilateral_pattern"]
        out["bilateral_verdicts"] = f"{len(bilateral)}/{len(blepharospasm)}"
        out["bilateral_elsewhere"] = [
            r["session"] for r in mine
            if r["verdict"] == "bilateral_pattern" and r["pattern"] != "blepharospasm"
        ]  # fmt: skip
    return out


def print_scores(result: dict) -> None:
    """The tables a reader wants: sessions, patterns, distractors, overall per method."""
    ours = [r for r in result["sessions"] if r["method"] == "hfs-detect"]
    print(f"{'session':<40} {'true':>4} {'pred':>4} {'hit':>4}  false  verdict")
    for r in ours:
        false = ",".join(f"{k}:{n}" for k, n in r["false"].items()) or "-"
        print(f"{r['session']:<40} {r['n_true']:>4} {r['n_pred']:>4} {r['n_matched']:>4}  "
              f"{false:<14} {r['verdict']}/{r['verdict_side']}")  # fmt: skip
    methods = result["methods"]
    names = list(methods)
    print(f"\n{'pattern (recall / precision)':<30}" + "".join(f"{m:>22}" for m in names))
    patterns = list(methods[names[0]]["per_pattern"])
    for pattern in patterns:
        cells = []
        for m in names:
            s = methods[m]["per_pattern"].get(pattern)
            cells.append(
                f"{s['recall']:.2f} / {s['precision']:.2f} ({s['n_true']})"
                if s and s["n_true"]
                else f"- / {s['precision']:.2f}"
                if s
                else ""
            )
        print(f"{pattern:<30}" + "".join(f"{c:>22}" for c in cells))
    kinds = sorted({k for m in names for k in methods[m]["false_by_distractor"]})
    print(f"\n{'false bursts by distractor':<30}" + "".join(f"{m:>22}" for m in names))
    for kind in kinds:
        print(
            f"{kind:<30}"
            + "".join(f"{methods[m]['false_by_distractor'].get(kind, 0):>22}" for m in names)
        )
    print(f"\n{'overall':<30}" + "".join(f"{m:>22}" for m in names))
    for key in ("precision", "recall", "f1"):
        print(f"{key:<30}" + "".join(f"{methods[m]['overall'][key]:>22.3f}" for m in names))
    for key in ("side_accuracy", "median_onset_error_s", "false_per_rest_min"):
        print(f"{key:<30}" + "".join(f"{str(methods[m][key]):>22}" for m in names))
    spans = ["{:.3f}-{:.3f}".format(*methods[m]["f1_interval"]) for m in names]
    print(f"{'f1 95% interval (sessions)':<30}" + "".join(f"{span:>22}" for span in spans))
    ours = methods["hfs-detect"]
    intervals = []
    for pattern, s in ours["per_pattern"].items():
        if s["n_true"]:
            low, high = wilson_interval(s["n_matched"], s["n_true"])
            intervals.append(f"{pattern} {s['n_matched']}/{s['n_true']} ({low:.2f}-{high:.2f})")
    print("hfs-detect recall per pattern, found/made (95% Wilson interval): "
          + "; ".join(intervals))  # fmt: skip
    regions = pooled_regions(
        [r.get("regions") for r in result["sessions"] if r["method"] == "hfs-detect"]
    )
    if regions:
        print(f"hfs-detect {regions_line(regions)}")
    print(
        f"\nverdicts right in sessions with 3+ bursts: {ours['verdicts_3plus']}; "
        f"wrong: {', '.join(ours['wrong_verdicts']) or 'none'}"
    )
    print(
        f"bilateral_pattern in the blepharospasm-like sessions: {ours['bilateral_verdicts']}; "
        f"in any other session: {', '.join(ours['bilateral_elsewhere']) or 'none'}"
    )


def lid_depths(sessions, truth_dir: Path, pred_dir: Path) -> list[dict]:
    """How MediaPipe saw the strong closures: the closing eye's depth, the other eye's.

    For every tonic spasm of the ``full_closure`` patterns, the median
    closure of each eye over its hold (blinks of the plan left out), against
    the session's median before its first spasm.
    """
    rows = []
    for s in sessions:
        if s["pattern"] not in ("full_closure", "full_closure_other"):
            continue
        plan = SynthPlan.from_dict(json.loads((truth_dir / f"{s['name']}.plan.json").read_text()))
        frames = pd.read_parquet(pred_dir / s["name"] / "frames.parquet")
        t = frames.time_s.to_numpy()
        blink = np.zeros(len(t), bool)
        for b in plan.blinks:
            blink |= (t >= b.start_s - 0.3) & (t <= b.end_s + 0.4)
        first = min((sp.start_s for sp in plan.spasms), default=t[-1])
        before = frames[(t < first) & ~blink].median(numeric_only=True)
        for spasm in plan.spasms:
            if spasm.kind != "tonic":
                continue
            other = "right" if spasm.side == "left" else "left"
            hold = (t >= spasm.start_s + 0.2) & (t <= spasm.end_s - 0.2) & ~blink
            if hold.sum() < 3:
                continue
            depth, coupled = (
                contraction("eye_aperture", frames.loc[hold, f"eye_aperture_{side}"].median(),
                            before[f"eye_aperture_{side}"])
                for side in (spasm.side, other)
            )  # fmt: skip
            rows.append({"face": s["face"], "pattern": s["pattern"], "amplitude": spasm.amplitude,
                         "other_eye": spasm.other_eye, "closing": round(float(depth), 3),
                         "other": round(float(coupled), 3)})  # fmt: skip
    return rows


def print_lid_depths(rows: list[dict]) -> None:
    """Per face: how closed MediaPipe measured the closing eye, and the untouched one."""
    if not rows:
        return
    table = pd.DataFrame(rows)
    print("\nstrong closures as MediaPipe measures them (median over the holds, 0 open, 1 shut)")
    header = ("face", "pattern", "n", "closing eye", "other eye", "share")
    print("{:<14} {:<20} {:>3} {:>12} {:>10} {:>6}".format(*header))
    for (face, pattern), g in table.groupby(["face", "pattern"], sort=False):
        print(f"{face:<14} {pattern:<20} {len(g):>3} {g.closing.median():>12.2f} "
              f"{g.other.median():>10.2f} {(g.other / g.closing).median():>6.2f}")  # fmt: skip


HOLD_PATTERNS = ("tonic_hold", "long_hold")


def hold_durations(sessions, truth_dir: Path, pred_dir: Path) -> list[dict]:
    """Every true tonic hold of the hold patterns beside the burst matched to it: its
    true and found duration and the kind it was called (issue 29: within 20%, ``tonic``)."""
    rows = []
    for s in sessions:
        if s["pattern"] not in HOLD_PATTERNS:
            continue
        truth = pd.read_csv(truth_dir / f"{s['name']}.events.csv")
        events = pd.read_csv(pred_dir / s["name"] / "events.csv")
        matched, _ = matched_pairs(events, truth)
        found = dict(matched)
        for i, true in truth.iterrows():
            row = {"session": s["name"], "pattern": s["pattern"],
                   "true_s": round(float(true.end_s - true.start_s), 2)}  # fmt: skip
            if i in found:
                event = events.iloc[found[i]]
                row.update(found_s=round(float(event.end_s - event.start_s), 2), kind=event.kind)
            rows.append(row)
    return rows


def print_hold_durations(rows: list[dict]) -> None:
    """Per hold pattern: holds found, median duration error, within 20%, called tonic."""
    if not rows:
        return
    table = pd.DataFrame(rows).reindex(columns=["session", "pattern", "true_s", "found_s", "kind"])
    print("\ntonic holds: duration found against true (matched holds)")
    print(f"{'pattern':<14} {'holds':>6} {'found':>6} {'median error':>13} "
          f"{'within 20%':>11} {'tonic':>6}")  # fmt: skip
    for pattern, g in table.groupby("pattern", sort=False):
        hit = g.dropna(subset=["found_s"])
        error = (hit.found_s - hit.true_s) / hit.true_s
        print(f"{pattern:<14} {len(g):>6} {len(hit):>6} {error.median():>+12.0%} "
              f"{int((error.abs() <= 0.2).sum()):>5}/{len(hit):<5} "
              f"{int((hit.kind == 'tonic').sum()):>3}/{len(hit)}")  # fmt: skip
