"""Does the default engine (LiteRT) find what MediaPipe's finds? Every real video, both engines.

    python benchmarks/accuracy/engine_findings.py [--out DIR]

Analyses the two shipped samples and every video of ``../shared/data`` with
``--engine mediapipe`` (the reference) and with the default engine (``litert``)
into ``--out`` (landmark caches kept, so a rerun takes seconds), and prints
per video:

- the bursts of each engine (count and sides);
- **same events**: the same number of bursts, on the same sides, with onsets
  within 0.1 s (asked of the samples, d3 and d19, which hold one-sided bursts);
- **false bursts** of each engine: every burst in a video without spasm; in d3
  and d19, every burst that is not one of their annotated one-sided
  contractions (``gt/``) on its side. The default engine may add none;
- **rest**: seconds judged at rest by each engine, which must agree within 5%;
  where they do not, MediaPipe's own rest seconds on the same video one grey
  level brighter (a change no one could see) are printed beside them;
- **face**: the frames where only one engine found the face, at most 1%.

The synthetic sets are scored by ``eval_synthetic.py --engine mediapipe litert``
and the grading sets by ``eval_grading.py --engine ...``. Printed, never
asserted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import DATA, SAMPLES, VIDEO_SUFFIXES

TRUTHS = {
    "liveportrait_d3_onesided_closures": DATA / "gt" / "liveportrait_d3_onesided_events.csv",
    "liveportrait_d19_mouth": DATA / "gt" / "liveportrait_d19_onesided_events.csv",
}
"""Real videos with annotated one-sided contractions: the rest of their bursts are false."""
ONSET_S, REST_SHARE, FACE_PCT, SLACK_S = 0.1, 0.05, 1.0, 0.3


def same_events(ours: pd.DataFrame, theirs: pd.DataFrame) -> bool:
    """The same number of bursts, on the same sides, with onsets within 0.1 s."""
    if len(ours) != len(theirs) or list(ours.side) != list(theirs.side):
        return False
    onsets = np.abs(ours.start_s.to_numpy() - theirs.start_s.to_numpy())
    return bool(np.all(onsets <= ONSET_S))


def false_bursts(video: Path, events: pd.DataFrame) -> int:
    """Bursts that are not an annotated one-sided contraction on its side."""
    if video.parent != DATA:  # the samples: scored by `same events`, their truth is synthetic
        return 0
    truth_file = TRUTHS.get(video.stem)
    if truth_file is None:
        return len(events)
    truth = pd.read_csv(truth_file, comment="#")
    truth = truth[truth.kind == "unilateral"]
    false = 0
    for burst in events.itertuples():
        hit = (
            (truth.side == burst.side)
            & (truth.start_s < burst.end_s + SLACK_S)
            & (truth.end_s > burst.start_s - SLACK_S)
        )
        false += not hit.any()
    return false


def brightened_rest_s(video: Path) -> float:
    """Seconds at rest with MediaPipe's landmarks of the video one grey level brighter."""
    from common.runs import landmarks

    from hfs_detect.session import SessionRunner, Settings
    from hfs_detect.signals import frames_table

    track = landmarks(video, "mediapipe", True, 1)
    runner = SessionRunner(Settings(engine="mediapipe"), width=track.meta["width"],
                           height=track.meta["height"],
                           blendshape_names=track.meta["blendshape_names"])  # fmt: skip
    frames = frames_table(track)
    runner.run_table(frames)
    return runner.finish(track, frames, video=video).summary.statistics.rest_s


def sides(events: pd.DataFrame) -> str:
    return "".join(side[0].upper() for side in events.side) or "-"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("engine-findings"))
    args = parser.parse_args()
    from hfs_detect import analyze_video
    from hfs_detect.landmarks import DEFAULT_ENGINE

    videos = SAMPLES + sorted(p for p in DATA.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    print(f"reference: mediapipe; default: {DEFAULT_ENGINE}")
    print(f"{'video':<36} {'bursts mp/df':>13} {'same':>5} {'false mp/df':>12} "
          f"{'rest s mp/df':>14} {'rest':>5} {'face %':>7}")  # fmt: skip
    problems = []
    for video in videos:
        reference = analyze_video(video, args.out / "mediapipe" / video.stem, engine="mediapipe")
        ours = analyze_video(video, args.out / DEFAULT_ENGINE / video.stem)
        same = same_events(ours.events, reference.events)
        false_mp, false_ours = (false_bursts(video, a.events) for a in (reference, ours))
        rest_mp, rest_ours = reference.summary["rest_s"], ours.summary["rest_s"]
        rest_ok = abs(rest_ours - rest_mp) <= REST_SHARE * max(rest_mp, 1e-9) or (
            rest_mp == rest_ours == 0
        )
        a, b = reference.frames.face.to_numpy(bool), ours.frames.face.to_numpy(bool)
        n = min(len(a), len(b))
        face_pct = 100.0 * float(np.mean(a[:n] != b[:n])) + 100.0 * abs(len(a) - len(b)) / max(
            len(a), 1
        )
        must_match = video in SAMPLES or video.stem in TRUTHS
        print(f"{video.stem[:36]:<36} {len(reference.events):>6}/{len(ours.events):<6} "
              f"{'yes' if same else 'NO':>5} {false_mp:>6}/{false_ours:<5} "
              f"{rest_mp:>7.1f}/{rest_ours:<6.1f} {'ok' if rest_ok else 'NO':>5} "
              f"{face_pct:>7.2f}  {sides(reference.events)} / {sides(ours.events)}",
              flush=True)  # fmt: skip
        if must_match and not same:
            problems.append(f"{video.stem}: not the same events")
        if false_ours > false_mp:
            problems.append(f"{video.stem}: {false_ours - false_mp} new false burst(s)")
        if not rest_ok:
            itself = brightened_rest_s(video)
            problems.append(
                f"{video.stem}: rest {rest_mp:.3f} s -> {rest_ours:.3f} s (mediapipe itself one "
                f"grey level brighter: {itself:.3f} s)"
            )
        if face_pct > FACE_PCT:
            problems.append(f"{video.stem}: face differs in {face_pct:.2f}% of frames")
    print(f"\n{len(videos)} videos; " + ("every finding holds" if not problems else
          "not holding: " + "; ".join(problems)))  # fmt: skip


if __name__ == "__main__":
    main()
