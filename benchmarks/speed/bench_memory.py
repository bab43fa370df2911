"""Peak memory of ``analyze`` on a 1-minute and a 10-minute video, both engines, one run.

    python benchmarks/speed/bench_memory.py [VIDEO] [--minutes SHORT LONG]

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
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import DATA
from common.runs import run_variant
from common.videos import looped_copy_apart

VARIANTS = ("bare-1", "analyze", "analyze-mediapipe", "analyze-cached")


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
