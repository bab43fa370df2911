"""Throughput and memory of ``analyze`` against the bare MediaPipe loop, same video, one run.

    python benchmarks/bench_analyze.py [VIDEO ...] [--repeat N]

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
    ``hfs_detect.analyze_video`` end to end with outputs written (no cache).
analyze-cached
    The same, rerun into the same folder: landmarks come from the cache.

Timings are for this machine and are printed, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VIDEOS = [
    REPO.parent / "shared" / "data" / "webcam_rest_mounish.mp4",
    REPO.parent / "shared" / "data" / "talkingface_franck_200s.mp4",
    REPO / "samples" / "synthetic_hfs_left.mp4",
]

CHILD = r"""
import json, resource, sys, time
variant, video, out = sys.argv[1], sys.argv[2], sys.argv[3]
start = time.perf_counter()
if variant.startswith("bare"):
    import cv2, mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision
    from hfs_detect.landmarks import default_model_path
    same = variant == "bare-same"
    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(default_model_path())),
        running_mode=vision.RunningMode.VIDEO,
        num_faces=1,
        output_face_blendshapes=same,
        output_facial_transformation_matrixes=same,
    )
    landmarker = vision.FaceLandmarker.create_from_options(options)
    cap = cv2.VideoCapture(video)
    n = 0
    last = -1
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        ms = max(int(cap.get(cv2.CAP_PROP_POS_MSEC)), last + 1)
        last = ms
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)
        landmarker.detect_for_video(image, ms)
        n += 1
    landmarker.close()
else:
    from hfs_detect import analyze_video
    n = len(analyze_video(video, out).frames)
wall = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"frames": n, "wall_s": wall, "peak_rss_mb": peak_mb}))
"""


def run_variant(variant: str, video: Path, out: Path) -> dict:
    env = dict(os.environ, GLOG_minloglevel="2")
    result = subprocess.run(
        [sys.executable, "-c", CHILD, variant, str(video), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench(video: Path, repeat: int) -> dict:
    best: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(repeat):
            out = Path(tmp) / f"run{r}"
            for variant in ("bare-1", "bare-same", "analyze", "analyze-cached"):
                got = run_variant(variant, video, out)
                if variant not in best or got["wall_s"] < best[variant]["wall_s"]:
                    best[variant] = got
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("videos", nargs="*", type=Path, default=DEFAULT_VIDEOS)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    import cv2

    print(
        f"{'video':<34} {'WxH':>9} {'frames':>6} {'variant':<15} {'wall s':>7} {'fps':>7} "
        f"{'vs bare-1':>9} {'vs bare-same':>12} {'peak MB':>8}"
    )
    for video in args.videos:
        cap = cv2.VideoCapture(str(video))
        size = f"{int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))}x{int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))}"
        cap.release()
        results = bench(video, args.repeat)
        fps = {k: v["frames"] / v["wall_s"] for k, v in results.items()}
        for variant, res in results.items():
            print(
                f"{video.name[:34]:<34} {size:>9} {res['frames']:>6} {variant:<15} "
                f"{res['wall_s']:>7.2f} {fps[variant]:>7.1f} {fps[variant] / fps['bare-1']:>8.2f}x "
                f"{fps[variant] / fps['bare-same']:>11.2f}x {res['peak_rss_mb']:>8.0f}"
            )
        sys.stdout.flush()
    print(
        f"\n{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores; wall time includes start-up "
        "and model loading in every variant; best of --repeat."
    )


if __name__ == "__main__":
    main()
