"""Does the LiteRT engine find what MediaPipe's finds? Bursts per video, both engines.

    python benchmarks/engine_findings.py [EVAL_OUT]

Analyses the two shipped samples and ``liveportrait_d3_onesided_closures.mp4``
with ``--engine mediapipe`` and ``--engine litert``; with ``EVAL_OUT`` (an
``eval_synthetic.py --set dev --out`` folder: its ``truth/*.mp4`` renders and
``pred/*/`` MediaPipe analyses) every session of that set too. A video agrees
when both engines report the same number of bursts, on the same sides, with
onsets within 0.1 s, and find the face in the same frames to within 1%.
Printed, never asserted.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
VIDEOS = [
    REPO / "samples" / "synthetic_hfs_left.mp4",
    REPO / "samples" / "synthetic_hfs_right.mp4",
    REPO.parent / "shared" / "data" / "liveportrait_d3_onesided_closures.mp4",
]


def agreement(ours: pd.DataFrame, theirs: pd.DataFrame, face_a, face_b) -> tuple[bool, str]:
    """Whether two events tables agree (count, sides, onsets within 0.1 s) and faces too."""
    same = len(ours) == len(theirs) and list(ours.side) == list(theirs.side)
    if same and len(ours):
        same = bool(np.all(np.abs(ours.start_s.to_numpy() - theirs.start_s.to_numpy()) <= 0.1))
    n = min(len(face_a), len(face_b))
    face_pct = 100.0 * float(np.mean(face_a[:n] != face_b[:n])) if n else 0.0
    sides = lambda t: "".join(s[0].upper() for s in t.side)  # noqa: E731
    text = (
        f"mediapipe {len(theirs)} {sides(theirs) or '-'}, litert {len(ours)} {sides(ours) or '-'}"
    )
    return same and face_pct <= 1.0, f"{text}; face differs in {face_pct:.2f}% of frames"


def main() -> None:
    from hfs_detect import analyze_video
    from hfs_detect.outputs import load_session

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for video in VIDEOS:
            mp = analyze_video(video, Path(tmp) / f"{video.stem}-mp")
            lt = analyze_video(video, Path(tmp) / f"{video.stem}-lt", engine="litert")
            ok, text = agreement(lt.events, mp.events, lt.frames.face.to_numpy(),
                                 mp.frames.face.to_numpy())  # fmt: skip
            rows.append((video.stem, ok, text))
            print(f"{'agree' if ok else 'DIFFER':<7} {video.stem:<40} {text}", flush=True)
        if len(sys.argv) > 1:
            root = Path(sys.argv[1])
            for render in sorted((root / "truth").glob("*.mp4")):
                frames, events, _ = load_session(root / "pred" / render.stem)
                lt = analyze_video(render, Path(tmp) / render.stem, engine="litert")
                ok, text = agreement(lt.events, events, lt.frames.face.to_numpy(),
                                     frames.face.to_numpy(bool))  # fmt: skip
                rows.append((render.stem, ok, text))
                print(f"{'agree' if ok else 'DIFFER':<7} {render.stem:<40} {text}", flush=True)
    print(f"\n{sum(ok for _, ok, _ in rows)} of {len(rows)} videos agree")


if __name__ == "__main__":
    main()
