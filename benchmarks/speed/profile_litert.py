"""Where the LiteRT engine's time goes, per frame (a profile of its loop).

    python benchmarks/speed/profile_litert.py [VIDEO] [--frames N]

Decodes the first N frames (default 1000) of VIDEO (default: the 360x288
Talking Face video) into memory, then runs a fresh ``LiteRTLandmarker`` over
them twice: once timed, once under cProfile. Prints ms per frame in total, in
the networks' ``invoke``, in head pose and in cropping. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import REPO

DEFAULT_VIDEO = REPO.parent / "shared" / "data" / "talkingface_franck_200s.mp4"


def main() -> None:
    from hfs_detect.landmarks.litert import LiteRTLandmarker
    from hfs_detect.landmarks.sources import open_video

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--frames", type=int, default=1000)
    args = parser.parse_args()
    frames = []
    with open_video(args.video) as source:
        for frame in source:
            frames.append(frame)
            if len(frames) >= args.frames:
                break
    with LiteRTLandmarker() as landmarker:  # a fresh one per run: frames in time order
        landmarker.detect(frames[0])  # warm up
        start = time.perf_counter()
        for frame in frames[1:]:
            landmarker.detect(frame)
        total_ms = (time.perf_counter() - start) / (len(frames) - 1) * 1000
    with LiteRTLandmarker() as landmarker:
        profile = cProfile.Profile()
        profile.enable()
        for frame in frames:
            landmarker.detect(frame)
        profile.disable()
    stats = pstats.Stats(profile).stats  # (file, line, name) -> (cc, nc, tottime, cumtime, ...)

    def ms(name: str, cumulative: bool = True, file: str = "") -> float:
        """Time in functions whose name ends with ``name`` (builtins read ``<... name>``)."""
        seconds = sum(
            v[3 if cumulative else 2]
            for (path, _, function), v in stats.items()
            if function.strip("<>").endswith(name) and path.endswith(file)
        )
        return seconds / len(frames) * 1000

    print(f"{args.video.name}: {len(frames)} frames, {total_ms:.2f} ms a frame (timed run)")
    print(f"  inside the networks' invoke: {ms('Invoke', False):.2f} ms")
    print(f"  head pose:                   {ms('_pose'):.2f} ms")
    print(f"  cropping (warpAffine):       {ms('warpAffine', False):.2f} ms")
    print(f"  smoothing:                   {ms('apply', file='litert.py'):.2f} ms")


if __name__ == "__main__":
    main()
