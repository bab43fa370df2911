"""The detector on every real video of ../shared/data: rest judged, bursts found, d3 scored.

    python benchmarks/accuracy/eval_real.py [--out DIR] [--peers] [--engine mediapipe|litert]

None of these videos shows hemifacial spasm, except that
``liveportrait_d3_onesided_closures.mp4`` holds two real one-sided eye
closures (made voluntarily; annotated in ``gt/``). For each video: seconds
judged as rest, bursts found (false, except d3's annotated ones), verdict.
For d3: each annotated one-sided closure found on its side or not, and any
burst inside an annotated bilateral closure. Landmarks are cached in
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
D3_TRUTH = DATA / "gt" / "liveportrait_d3_onesided_events.csv"
NEW_IN_ISSUE_10 = {D3, "liveportrait_d6_grimaces.mp4", "liveportrait_d18_mouth.mp4",
                   "liveportrait_d19_mouth.mp4"}  # fmt: skip
"""Videos added with issue 10; the other 15 were there before (194 s of rest then)."""


def d3_check(events: pd.DataFrame, slack_s: float = 0.3) -> dict:
    """Annotated one-sided closures found on their side; bursts inside bilateral ones."""
    truth = pd.read_csv(D3_TRUTH, comment="#")
    found = {}
    for row in truth[truth.kind == "unilateral"].itertuples():
        hit = events[(events.side == row.side) & (events.start_s < row.end_s + slack_s)
                     & (events.end_s > row.start_s - slack_s)]  # fmt: skip
        found[f"{row.side} {row.start_s:.2f}-{row.end_s:.2f} s"] = len(hit) > 0
    inside = 0
    for row in truth[truth.kind == "bilateral"].itertuples():
        inside += int(((events.start_s >= row.start_s) & (events.end_s <= row.end_s)).sum())
    return {"one_sided_found": found, "bursts_inside_bilateral": inside}


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
    d3_events = None
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
        if video.name == D3:
            d3_events = analysis.events
            continue
        total["rest_s"] += s["rest_s"]
        total["n"] += s["n_events"]
        if video.name not in NEW_IN_ISSUE_10:
            total["old_rest_s"] += s["rest_s"]
    rate = total["n"] / (total["rest_s"] / 60) if total["rest_s"] else float("nan")
    print(f"\nall but d3: {total['n']} false bursts in {total['rest_s']:.1f} s of rest "
          f"({rate:.3f} per rest-minute); rest over the 15 earlier videos: "
          f"{total['old_rest_s']:.1f} s")  # fmt: skip
    if d3_events is not None:
        check = d3_check(d3_events)
        print("d3 one-sided closures found on their side:", check["one_sided_found"])
        print("d3 bursts inside annotated bilateral closures:", check["bursts_inside_bilateral"])
        print(d3_events[["start_s", "end_s", "side", "regions", "kind", "peak"]].to_string())


if __name__ == "__main__":
    main()
