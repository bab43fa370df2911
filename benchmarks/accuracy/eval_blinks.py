"""Blinks (``blinks.csv``) against annotated blinks of real people.

    python benchmarks/accuracy/eval_blinks.py [--out DIR] [--tolerance-s 0.3] [--synthetic DIR ...]

- **Talking Face, first 12 s** (``../shared/data/gt/talkingface_first300frames_blinks.csv``,
  the published Fogelton/Drutarovsky annotation at 25 fps): blink precision,
  recall, onset error, per-eye closed frames.
- **Talking Face, all 200 s**, against this project's hand annotation
  (``benchmarks/accuracy/data/talkingface_franck_200s.tag``, made from the
  frames, see its README), and its two halves (0-100 s, 100-200 s).
- **eyeclosures_fellway.mp4**: its deliberate closures (5.4 s and 1.7 s) must be
  ``prolonged`` blinks, not bursts.
- **Every other real video**: blinks found, per rest-minute, kinds, bursts.

- **Synthetic sessions** (``--synthetic``: a set rendered and analysed by
  ``eval_synthetic.py``, e.g. ``eval-synthetic/dev``): each planned uneven blink
  (one eye shut, the other 40-80%; or one eye reopening 0.1-0.2 s late) found
  or not, the reopening lag and each eye's depth measured against the plan;
  the ``bilateral_pattern`` verdicts of the blepharospasm-like sessions and of
  every other session.

Beside hfs-detect, on the same landmarks (the frames table's plain 2-D EAR):
a plain EAR threshold (both eyes' mean below 0.2 for two frames) and
JeFaPaTo's published approach (per-eye EAR peaks by prominence, left and right
matched within 0.1 s), both from ``benchmarks/common/peers.py``.

The blink thresholds were not chosen on these files: ``blink_closure`` is the
detector's own (0.3), the others were set before the hand annotation was
scored. Landmarks are cached in ``--out``, so reruns take seconds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import DATA, VIDEO_SUFFIXES
from common.peers import ear_threshold_blinks, jefapato_blinks

HERE = Path(__file__).resolve().parent
TALKING = DATA / "talkingface_franck_200s.mp4"
HAND_TAG = HERE / "data" / "talkingface_franck_200s.tag"
PUBLISHED = DATA / "gt" / "talkingface_first300frames_blinks.csv"
FELLWAY = DATA / "eyeclosures_fellway.mp4"


def published_tag(path: Path) -> Path:
    """The published first-12-s annotation (25 fps frames) as a .tag file."""
    from hfs_detect.review.blinks import write_tag

    truth = pd.read_csv(PUBLISHED, comment="#")
    blinks = []
    for blink in truth.itertuples():
        shut = [int(x) for x in str(blink.fully_closed_frames25).split("-")]  # "227" or "170-171"
        shut = set(range(shut[0], shut[-1] + 1))
        blinks.append((blink.start_frame25, blink.end_frame25, shut, shut))
    return write_tag(path, 300, blinks)


def synthetic_blinks(root: Path, engine: str = "litert", tol: float = 0.3) -> None:
    """Planned uneven blinks against blinks.csv; bilateral_pattern verdicts."""
    import json

    import numpy as np

    rows, verdicts = [], {"blepharospasm": [], "other": []}
    held = {"eyes_closed": {}, "blepharospasm": {}}  # planned closures of both eyes: called
    for plan_path in sorted((root / "truth").glob("*.plan.json")):
        name = plan_path.name.removesuffix(".plan.json")
        pred = root / f"pred-{engine}" / name
        if not (pred / "blinks.csv").is_file():
            continue
        summary = json.loads((pred / "summary.json").read_text())
        kind = "blepharospasm" if "_blepharospasm_" in name else "other"
        uneven_session = "_uneven_blinks_" in name
        verdicts[kind].append((name, summary["verdict"]))
        plan = json.loads(plan_path.read_text())
        found = pd.read_csv(pred / "blinks.csv")
        fps = plan["fps"]
        pattern = next((k for k in held if f"_{k}_" in name), None)
        for closed in plan["eyes_closed"] if pattern else []:
            start, end = closed["start_s"], closed["start_s"] + closed["duration_s"]
            over = found[(found.start_s < end) & (found.end_s > start)]
            called = ("prolonged" if (over.kind == "prolonged").any()
                      else "+".join(over.kind) or "nothing")  # fmt: skip
            held[pattern][called] = held[pattern].get(called, 0) + 1
        for blink in plan["blinks"]:
            depth = {side: blink.get(f"depth_{side}") for side in ("left", "right")}
            lags = {side: blink.get(f"lag_{side}_s") or 0.0 for side in ("left", "right")}
            uneven = any(d is not None for d in depth.values()) or any(lags.values())
            if not (uneven and uneven_session):  # the distractor's uneven blinks
                continue
            depth = {k: blink["depth"] if v is None else v for k, v in depth.items()}
            onset = blink["start_s"] + 0.2 * blink["duration_s"]  # half-way up the closing
            near = found[(found.start_s - onset).abs() <= tol]
            row = {"session": name, "planned_lag_s": abs(lags["left"] - lags["right"]),
                   "planned_left": depth["left"], "planned_right": depth["right"],
                   "found": len(near) > 0, "frame_s": 1 / fps}  # fmt: skip
            if len(near):
                hit = near.iloc[int(np.argmin((near.start_s - onset).abs()))]
                row.update(lag_s=hit.reopen_lag_s, left=hit.depth_left, right=hit.depth_right)
            rows.append(row)
    if not rows:
        print(f"\n{root}: no analysed synthetic sessions with blinks.csv")
        return
    table = pd.DataFrame(rows)
    hits = table[table.found]
    print(f"\nsynthetic uneven blinks ({root}): {len(hits)} of {len(table)} found")
    lagged = hits[hits.planned_lag_s > 0]
    if len(lagged):
        error = (lagged.lag_s - lagged.planned_lag_s).abs()
        within = int((error <= lagged.frame_s + 1e-9).sum())
        print(f"  reopening lag (planned 0.1-0.2 s): median error {error.median():.3f} s, "
              f"within one frame {within}/{len(lagged)}; measured/planned median "
              f"{(lagged.lag_s / lagged.planned_lag_s).median():.2f}")  # fmt: skip
    uneven = hits[(hits.planned_left != hits.planned_right)]
    if len(uneven):
        deeper = np.where(uneven.planned_left > uneven.planned_right, uneven.left, uneven.right)
        shallower = np.where(uneven.planned_left > uneven.planned_right, uneven.right, uneven.left)
        planned = np.minimum(uneven.planned_left, uneven.planned_right)
        named = int((shallower < deeper).sum())
        print(
            f"  uneven depths ({len(uneven)}): the shut eye reads median "
            f"{np.median(deeper):.2f}, the other (planned median {np.median(planned):.2f}) "
            f"{np.median(shallower):.2f}; the shallower eye named right {named}/{len(uneven)}"
        )
    for pattern, called in held.items():
        total = sum(called.values())
        print(f"  planned closures of both eyes ({pattern} sessions): "
              f"{called.get('prolonged', 0)}/{total} prolonged; otherwise {called}")  # fmt: skip
    for kind, items in verdicts.items():
        bilateral = [n for n, v in items if v == "bilateral_pattern"]
        print(
            f"  bilateral_pattern in {kind} sessions: {len(bilateral)}/{len(items)}"
            + (f" ({', '.join(bilateral)})" if kind == "other" and bilateral else "")
        )


def show(name: str, scores: dict) -> None:
    def fmt(value) -> str:
        return "-" if value is None else f"{value:.3f}"

    print(
        f"{name:<52} true {scores['n_true']:>3} found {scores['n_found']:>3} "
        f"matched {scores['n_matched']:>3}  P {fmt(scores['precision'])} "
        f"R {fmt(scores['recall'])} F1 {fmt(scores['f1'])}  onset error "
        f"{fmt(scores['median_onset_error_s'])} s  closed frames L "
        f"{fmt(scores['closed_recall_left'])} R {fmt(scores['closed_recall_right'])}"
    )
    if scores["missed_s"]:
        print(f"{'':<52} missed at {', '.join(f'{t:g}' for t in scores['missed_s'])} s")
    if scores["false_s"]:
        print(f"{'':<52} not annotated at {', '.join(f'{t:g}' for t in scores['false_s'])} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("eval-blinks"))
    parser.add_argument("--tolerance-s", type=float, default=0.3)
    parser.add_argument("--synthetic", type=Path, nargs="*", default=[],
                        help="synthetic set folders analysed by eval_synthetic.py")  # fmt: skip
    args = parser.parse_args()
    from hfs_detect import analyze_video
    from hfs_detect.review.blinks import read_tag, score_blinks

    args.out.mkdir(parents=True, exist_ok=True)
    tol = args.tolerance_s
    talking = analyze_video(TALKING, args.out / TALKING.stem)
    time_s = talking.frames["time_s"].to_numpy(float)
    blinks = talking.blinks
    methods = {
        "hfs-detect": blinks,
        "EAR threshold": ear_threshold_blinks(talking.frames),
        "JeFaPaTo peaks": jefapato_blinks(talking.frames),
    }
    print(f"blink onsets matched within {tol:g} s\n")
    first = read_tag(published_tag(args.out / "talkingface_first300.tag"))
    for method, found in methods.items():
        show(f"{method}: Talking Face 0-12 s (published)",
             score_blinks(found, first, fps=25.0, tolerance_s=tol))  # fmt: skip
    if HAND_TAG.is_file():
        hand = read_tag(HAND_TAG)
        for name, span in (("all 200 s", None), ("0-100 s", (0.0, 100.0)),
                           ("100-200 s", (100.0, 200.0))):  # fmt: skip
            truth = hand
            if span is not None:
                onsets = time_s[hand["start_frame"].clip(upper=len(time_s) - 1)]
                truth = hand[(onsets >= span[0]) & (onsets < span[1])].copy()
                truth.attrs = hand.attrs
            for method, found in methods.items():
                show(f"{method}: Talking Face {name} (hand)", score_blinks(
                    found, truth, time_s=time_s, tolerance_s=tol, span_s=span))  # fmt: skip
    else:
        print(f"(no hand annotation at {HAND_TAG})")
    kinds = blinks["kind"].value_counts().to_dict()
    print(f"  Talking Face rows by kind: {kinds}; bursts {len(talking.events)}")

    fellway = analyze_video(FELLWAY, args.out / FELLWAY.stem)
    print(f"\n{FELLWAY.name}: bursts {len(fellway.events)}; closures:")
    print(fellway.blinks[["start_s", "end_s", "duration_s", "kind", "depth_left",
                          "depth_right"]].round(2).to_string(index=False))  # fmt: skip

    print(f"\n{'video':<40} {'rest s':>7} {'blinks':>6} {'/rest-min':>9} {'prolonged':>9} "
          f"{'partial':>7} {'bursts':>6}")  # fmt: skip
    for video in sorted(p for p in DATA.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES):
        analysis = analyze_video(video, args.out / video.stem)
        figures = analysis.summary.statistics.blinks
        kinds = analysis.blinks["kind"].value_counts()
        rate = figures["blinks_per_rest_min"]
        print(f"{video.name:<40} {analysis.summary.statistics.rest_s:>7.1f} "
              f"{len(analysis.blinks):>6} {'-' if rate is None else f'{rate:.1f}':>9} "
              f"{kinds.get('prolonged', 0):>9} {kinds.get('partial', 0):>7} "
              f"{len(analysis.events):>6}")  # fmt: skip
    for root in args.synthetic:
        synthetic_blinks(root, tol=tol)


if __name__ == "__main__":
    main()
