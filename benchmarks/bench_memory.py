"""Peak memory of ``analyze`` on a 1-minute and a 10-minute video, both engines, one run.

    python benchmarks/bench_memory.py [VIDEO] [--minutes SHORT LONG]

The two videos are made from one real video (default: the 360x288 Talking
Face video) by playing it forwards and backwards until the length is reached
(MPEG-4, in a temporary folder), so they differ only in length. Each variant
runs in a fresh process (``bench_analyze.py``'s), and its peak resident memory
(``ru_maxrss``) is printed with its wall time:

bare-1
    The bare MediaPipe loop, for reference.
analyze / analyze-mediapipe
    ``analyze_video`` end to end with the default engine (``litert``) and with
    ``--engine mediapipe``, outputs written.
analyze-cached
    ``analyze`` again into the same folder: landmarks read from the cache.

The last lines give the growth from the short to the long video. Printed,
never asserted.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench_analyze import DATA, run_variant

VARIANTS = ("bare-1", "analyze", "analyze-mediapipe", "analyze-cached")


def looped_copy(video: Path, minutes: float, folder: Path) -> Path:
    """``video`` played forwards and backwards until ``minutes`` long (MPEG-4)."""
    import cv2

    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(bgr)
    cap.release()
    out = folder / f"{video.stem}_{minutes:g}min.mp4"
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    wanted = int(round(minutes * 60 * fps))
    order = list(range(len(frames))) + list(range(len(frames) - 2, 0, -1))
    for i in range(wanted):
        writer.write(frames[order[i % len(order)]])
    writer.release()
    return out


def looped_copy_apart(video: Path, minutes: float, folder: Path) -> Path:
    """:func:`looped_copy` in a process of its own: it holds the whole video's frames,
    and a benchmark child started from a process that big would inherit its peak
    memory figure (Linux keeps ``ru_maxrss`` across ``exec``)."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(looped_copy, (video, minutes, folder))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("video", nargs="?", type=Path, default=DATA / "talkingface_franck_200s.mp4")
    parser.add_argument("--minutes", nargs=2, type=float, default=(1.0, 10.0))
    args = parser.parse_args()
    peaks: dict[str, list[float]] = {v: [] for v in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        for minutes in args.minutes:
            video = looped_copy_apart(args.video, minutes, Path(tmp))
            out = Path(tmp) / f"out-{minutes:g}"
            print(f"{video.name}:", flush=True)
            for variant in VARIANTS:
                got = run_variant(variant, video, out)
                peaks[variant].append(got["peak_rss_mb"])
                print(f"  {variant:<15} {got['frames']:>6} frames  {got['wall_s']:7.1f} s  "
                      f"peak {got['peak_rss_mb']:6.0f} MB", flush=True)  # fmt: skip
    short, long = args.minutes
    print(f"peak memory growth from {short:g} to {long:g} minutes:")
    for variant, (a, b) in peaks.items():
        print(f"  {variant:<15} {b - a:+6.0f} MB ({a:.0f} -> {b:.0f})")


if __name__ == "__main__":
    main()
