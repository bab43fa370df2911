"""The grading proxies on every real video of ../shared/data (none shows spasm but d3).

    python benchmarks/accuracy/grading_real.py [--out DIR]

Analyses each video into ``--out`` (the landmark cache makes reruns take
seconds; ``benchmarks/eval_real.py`` uses the same folders) and prints its
``grading`` block: the frequency band and SMC grade, which must say "no
spasm" (0 and none), and the tonic component, which must stay below the noise
floor (``hfs_detect.session.grading.TONIC_NOISE_FLOOR``). Printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import DATA, VIDEO_SUFFIXES


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("eval-real"))
    args = parser.parse_args()
    from hfs_detect import analyze_video
    from hfs_detect.session.grading import TONIC_NOISE_FLOOR

    videos = sorted(p for p in DATA.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
    print(f"{'video':<36} {'rest s':>6} {'side':>5} {'/hour':>6} {'JRS':>3} {'SMC':>4} "
          f"{'tonic med':>9} {'p90':>6} {'held':>5} {'clonic/min':>10}")  # fmt: skip
    worst = 0.0
    for video in videos:
        g = analyze_video(video, args.out / video.stem).summary
        grading, rest_s = g["grading"], g["rest_s"]
        cell = lambda v, w, f="{:.3f}": f"{'-':>{w}}" if v is None else f"{f.format(v):>{w}}"  # noqa: E731
        print(
            f"{video.stem[:36]:<36} {rest_s:>6.1f} {grading['affected_side']:>5} "
            f"{cell(grading['bursts_per_rest_hour'], 6, '{:.0f}')} "
            f"{grading['jankovic_frequency']:>3} {grading['smc_grade'] or '-':>4} "
            f"{cell(grading['tonic_median'], 9)} {cell(grading['tonic_p90'], 6)} "
            f"{cell(grading['held_closed_fraction'], 5, '{:.2f}')} "
            f"{cell(grading['clonic_twitches_per_min'], 10, '{:.1f}')}"
        )
        if "d3_onesided" not in video.stem and grading["tonic_median"] is not None:
            worst = max(worst, abs(grading["tonic_median"]))
    print(f"largest |tonic median| without spasm: {worst:.3f} (noise floor {TONIC_NOISE_FLOOR})")


if __name__ == "__main__":
    main()
