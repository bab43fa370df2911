"""Timed runs in fresh processes, and one engine's landmarks of a video."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .videos import brightened

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
    from hfs_detect._checks import native_library_defaults
    native_library_defaults()  # as `hfs-detect analyze` starts: OpenCV on one thread
    from hfs_detect import analyze_video
    if variant == "analyze-mediapipe":
        n = len(analyze_video(video, out + "-mediapipe", engine="mediapipe").frames)
    else:
        n = len(analyze_video(video, out).frames)
wall = time.perf_counter() - start
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"frames": n, "wall_s": wall, "peak_rss_mb": peak_mb}))
"""


def run_variant(variant: str, video: Path, out: Path) -> dict:
    """One variant (``bare-1``, ``bare-same``, ``analyze``, ``analyze-mediapipe``,
    ``analyze-cached``) over ``video`` in a fresh process: frames, wall seconds and peak
    resident memory (MB), start-up and model loading included."""
    env = dict(os.environ, GLOG_minloglevel="2")
    result = subprocess.run(
        [sys.executable, "-c", CHILD, variant, str(video), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def landmarks(video: Path, engine: str, smooth: bool = True, brighten: int = 0):
    """The video's track from one engine (the LiteRT one with or without smoothing),
    its frames ``brighten`` grey levels brighter."""
    from hfs_detect.landmarks import track_meta
    from hfs_detect.landmarks.litert import LiteRTLandmarker
    from hfs_detect.landmarks.mediapipe_tasks import Landmarker
    from hfs_detect.landmarks.sources import open_video, prefetch
    from hfs_detect.landmarks.track import TrackBuilder

    builder = TrackBuilder()
    landmarker = LiteRTLandmarker(smooth=smooth) if engine == "litert" else Landmarker()
    with open_video(video) as source, landmarker:
        frames = prefetch(iter(source))
        if brighten:
            frames = (brightened(frame, brighten) for frame in frames)
        for face_frame in landmarker.detect_frames(frames):
            builder.append(face_frame)
        meta = track_meta(source, landmarker.blendshape_names or [], landmarker.model.path, engine)
    return builder.build(meta)
