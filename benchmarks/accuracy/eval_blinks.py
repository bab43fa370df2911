"""Blinks (``blinks.csv``) against annotated blinks of real people.

    python benchmarks/accuracy/eval_blinks.py [--out DIR] [--tolerance-s 0.3]

- **Talking Face, first 12 s** (``../shared/data/gt/talkingface_first300frames_blinks.csv``,
  the published Fogelton/Drutarovsky annotation at 25 fps): blink precision,
  recall, onset error, per-eye closed frames.
- **Talking Face, all 200 s**, against this project's hand annotation
  (``benchmarks/accuracy/data/talkingface_franck_200s.tag``, made from the
  frames, see its README), and its two halves (0-100 s, 100-200 s).
- **eyeclosures_fellway.mp4**: its deliberate closures (5.4 s and 1.7 s) must be
  ``prolonged`` blinks, not bursts.
- **Every other real video**: blinks found, per rest-minute, kinds, bursts.

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

HERE = Path(__file__).resolve().parent
TALKING = DATA / "talkingface_franck_200s.mp4"
HAND_TAG = HERE / "data" / "talkingface_franck_200s.tag"
PUBLISHED = DATA / "gt" / "talkingface_first300frames_blinks.csv"
FELLWAY = DATA / "eyeclosures_fellway.mp4"


def published_tag(path: Path) -> Path:
    """The published first-12-s annotation (25 fps frames) as a .tag file."""
    truth = pd.read_csv(PUBLISHED, comment="#")
    lines = ["#eye-blink annotation file version 1.1", "#start", "#end"]
    for frame in range(300):
        blink_id, closed = -1, "X"
        for blink in truth.itertuples():
            if blink.start_frame25 <= frame <= blink.end_frame25:
                shut = [int(x) for x in str(blink.fully_closed_frames25).split("-")]
                blink_id = blink.blink_id
                closed = "C" if shut[0] <= frame <= shut[-1] else "X"
        lines.append(f"{frame}:{blink_id}:X:{closed}:X:{closed}:X" + ":0" * 12)
    path.write_text("\n".join(lines) + "\n")
    return path


def show(name: str, scores: dict) -> None:
    def fmt(value) -> str:
        return "-" if value is None else f"{value:.3f}"

    print(
        f"{name:<34} true {scores['n_true']:>3} found {scores['n_found']:>3} "
        f"matched {scores['n_matched']:>3}  P {fmt(scores['precision'])} "
        f"R {fmt(scores['recall'])} F1 {fmt(scores['f1'])}  onset error "
        f"{fmt(scores['median_onset_error_s'])} s  closed frames L "
        f"{fmt(scores['closed_recall_left'])} R {fmt(scores['closed_recall_right'])}"
    )
    if scores["missed_s"]:
        print(f"{'':<34} missed at {', '.join(f'{t:g}' for t in scores['missed_s'])} s")
    if scores["false_s"]:
        print(f"{'':<34} not annotated at {', '.join(f'{t:g}' for t in scores['false_s'])} s")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("eval-blinks"))
    parser.add_argument("--tolerance-s", type=float, default=0.3)
    args = parser.parse_args()
    from hfs_detect import analyze_video
    from hfs_detect.review.blinks import read_tag, score_blinks

    args.out.mkdir(parents=True, exist_ok=True)
    tol = args.tolerance_s
    talking = analyze_video(TALKING, args.out / TALKING.stem)
    time_s = talking.frames["time_s"].to_numpy(float)
    blinks = talking.blinks
    print(f"blink onsets matched within {tol:g} s\n")
    first = read_tag(published_tag(args.out / "talkingface_first300.tag"))
    show("Talking Face 0-12 s (published)", score_blinks(blinks, first, fps=25.0,
                                                          tolerance_s=tol))  # fmt: skip
    if HAND_TAG.is_file():
        hand = read_tag(HAND_TAG)
        for name, span in (("all 200 s", None), ("0-100 s", (0.0, 100.0)),
                           ("100-200 s", (100.0, 200.0))):  # fmt: skip
            truth = hand
            if span is not None:
                onsets = time_s[hand["start_frame"].clip(upper=len(time_s) - 1)]
                truth = hand[(onsets >= span[0]) & (onsets < span[1])].copy()
                truth.attrs = hand.attrs
            show(f"Talking Face {name} (hand)", score_blinks(
                blinks, truth, time_s=time_s, tolerance_s=tol, span_s=span))  # fmt: skip
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


if __name__ == "__main__":
    main()
