"""The detector on every real video of ../shared/data: rest judged, bursts found, d3 and d19 scored.

    python benchmarks/accuracy/eval_real.py [--out DIR] [--peers] [--engine mediapipe|litert]

None of these videos shows hemifacial spasm, except that
``liveportrait_d3_onesided_closures.mp4`` holds two real one-sided eye
closures and ``liveportrait_d19_mouth.mp4`` two real one-sided smirks (made
voluntarily; annotated in ``gt/``). For each video: seconds judged as rest,
bursts found (false, except in the two annotated videos), verdict. For the
annotated ones: each one-sided contraction found on its side or not, any
burst inside an annotated bilateral closure, and bursts matching no
annotation (false). Landmarks are cached in
``--out``/ENGINE, so reruns take seconds. ``--engine``: the landmark engine
(default: the default one).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from hfs_detect.landmarks import DEFAULT_ENGINE, ENGINES

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import DATA, VIDEO_SUFFIXES

D3 = "liveportrait_d3_onesided_closures.mp4"
D19 = "liveportrait_d19_mouth.mp4"
ANNOTATED = {D3: DATA / "gt" / "liveportrait_d3_onesided_events.csv",
             D19: DATA / "gt" / "liveportrait_d19_onesided_events.csv"}  # fmt: skip
"""The videos with real one-sided contractions, and their annotations."""
NEW_IN_ISSUE_10 = {D3, "liveportrait_d6_grimaces.mp4", "liveportrait_d18_mouth.mp4", D19}
"""Videos added with issue 10; the other 15 were there before (194 s of rest then)."""


def annotation_check(events: pd.DataFrame, truth_csv: Path, slack_s: float = 0.3) -> dict:
    """Annotated one-sided contractions found on their side; bursts inside bilateral ones;
    bursts overlapping no annotated contraction (false)."""
    truth = pd.read_csv(truth_csv, comment="#")
    found = {}
    matched = pd.Series(False, index=events.index)
    for row in truth[truth.kind == "unilateral"].itertuples():
        near = (events.start_s < row.end_s + slack_s) & (events.end_s > row.start_s - slack_s)
        found[f"{row.side} {row.start_s:.2f}-{row.end_s:.2f} s"] = bool(
            (near & (events.side == row.side)).any()
        )
        matched |= near
    for row in truth[truth.kind == "ambiguous"].itertuples():
        matched |= (events.start_s < row.end_s + slack_s) & (events.end_s > row.start_s - slack_s)
    inside = 0
    for row in truth[truth.kind == "bilateral"].itertuples():
        inside += int(((events.start_s >= row.start_s) & (events.end_s <= row.end_s)).sum())
    return {"one_sided_found": found, "bursts_inside_bilateral": inside,
            "unmatched": int((~matched).sum())}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("eval-real"))
    parser.add_argument("--peers", action="store_true", help="also count the peers' bursts")
    parser.add_argument("--engine", choices=ENGINES, default=DEFAULT_ENGINE)
    args = parser.parse_args()
    from hfs_detect import analyze_video

    print(f"engine {args.engine}")
    videos = sorted(p for p in DATA.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    print(f"{'video':<40} {'length s':>8} {'rest s':>7} {'bursts':>6}  {'verdict':<18} peers")
    total = {"rest_s": 0.0, "n": 0, "old_rest_s": 0.0}
    annotated_events = {}
    for video in videos:
        out = args.out / args.engine / video.stem
        analysis = analyze_video(video, out, engine=args.engine)
        s = analysis.summary
        peers = ""
        if args.peers:
            from common.peers import blendshape_events, nomura_sakai_events

            track = analysis.track
            ns, _ = nomura_sakai_events(track.time_s, track.landmarks, track.meta["width"],
                                        track.meta["height"])  # fmt: skip
            peers = f"blendshape {len(blendshape_events(analysis.frames))}, N&S {len(ns)}"
        counts = analysis.events.side.value_counts()
        sides = "/".join(f"{counts[k]}{k[0].upper()}" for k in ("left", "right") if k in counts)
        print(f"{video.name:<40} {s['duration_s']:>8.1f} {s['rest_s']:>7.1f} "
              f"{s['n_events']:>6} {sides:<5} {s['verdict']:<18} {peers}")  # fmt: skip
        if video.name in ANNOTATED:
            annotated_events[video.name] = analysis.events
            total["rest_s"] += s["rest_s"]
            total["n"] += annotation_check(analysis.events, ANNOTATED[video.name])["unmatched"]
            continue
        total["rest_s"] += s["rest_s"]
        total["n"] += s["n_events"]
        if video.name not in NEW_IN_ISSUE_10:
            total["old_rest_s"] += s["rest_s"]
    rate = total["n"] / (total["rest_s"] / 60) if total["rest_s"] else float("nan")
    print(f"\nall videos: {total['n']} false bursts in {total['rest_s']:.1f} s of rest "
          f"({rate:.3f} per rest-minute); rest over the 15 earlier videos: "
          f"{total['old_rest_s']:.1f} s")  # fmt: skip
    for name, events in annotated_events.items():
        check = annotation_check(events, ANNOTATED[name])
        print(f"\n{name}: annotated one-sided contractions found on their side:",
              check["one_sided_found"])  # fmt: skip
        print(f"  bursts inside annotated bilateral closures: {check['bursts_inside_bilateral']}; "
              f"bursts matching no annotation: {check['unmatched']}")  # fmt: skip
        print(events[["start_s", "end_s", "side", "regions", "kind", "peak"]].to_string())


if __name__ == "__main__":
    main()
