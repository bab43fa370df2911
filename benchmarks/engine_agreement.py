"""How closely the LiteRT engine agrees with MediaPipe's, per real video and measure.

    python benchmarks/engine_agreement.py [VIDEO ...] [--no-smooth]

For each video (default: every video in ``../shared/data``), the landmarks are
found once with ``--engine mediapipe`` and once with ``--engine litert``, and
the per-frame measures compared on the frames where both found the face:

- per measure (eye aperture, lower lid, cheek, mouth corner, mouth-to-eye, each
  side), the median absolute difference as a percentage of the measure's range
  over the video (its 1st to 99th percentile under MediaPipe);
- the frames where only one engine found the face (% of frames);
- the mean landmark distance, in % of the distance between the eye corners.

``--no-smooth`` runs the LiteRT engine without MediaPipe's temporal smoothing.
Printed, never asserted.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
MEASURES = (
    "eye_aperture",
    "lower_lid_height",
    "cheek_height",
    "mouth_corner_height",
    "mouth_eye_distance",
)


def landmarks(video: Path, engine: str, smooth: bool = True):
    """The video's track from one engine (the LiteRT one with or without smoothing)."""
    from hfs_detect.landmarks import Landmarker, track_meta
    from hfs_detect.litert import LiteRTLandmarker
    from hfs_detect.sources import open_video, prefetch
    from hfs_detect.track import TrackBuilder

    builder = TrackBuilder()
    landmarker = LiteRTLandmarker(smooth=smooth) if engine == "litert" else Landmarker()
    with open_video(video) as source, landmarker:
        for frame in prefetch(iter(source)):
            builder.append(landmarker.detect(frame))
        meta = track_meta(source, landmarker.blendshape_names or [], landmarker.model.path, engine)
    return builder.build(meta)


def compare(reference, other) -> dict:
    """Agreement of ``other``'s measures with ``reference``'s (two tracks of one video)."""
    from hfs_detect.signals import frames_table

    a, b = frames_table(reference), frames_table(other)
    n = min(len(a), len(b))
    a, b = a.iloc[:n], b.iloc[:n]
    both = (a.face & b.face).to_numpy()
    result = {
        "frames": n,
        "face_disagree_pct": 100.0 * float((a.face != b.face).mean()),
    }
    if both.sum() < 10:
        return result
    for measure in MEASURES:
        worst = 0.0
        for side in ("left", "right"):
            x = a[f"{measure}_{side}"].to_numpy()[both]
            y = b[f"{measure}_{side}"].to_numpy()[both]
            span = np.percentile(x, 99) - np.percentile(x, 1)
            if span > 0:
                worst = max(worst, 100.0 * float(np.median(np.abs(x - y))) / span)
        result[measure] = worst
    p, q = reference.landmarks[:n][both], other.landmarks[:n][both]
    size = np.array([reference.meta["width"], reference.meta["height"]])
    eye = np.linalg.norm((p[:, 33, :2] - p[:, 263, :2]) * size, axis=1)
    distance = np.linalg.norm((p[:, :, :2] - q[:, :, :2]) * size, axis=2).mean(axis=1)
    result["landmarks_pct_eye"] = 100.0 * float(np.mean(distance / eye))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", nargs="*", type=Path)
    parser.add_argument("--no-smooth", action="store_true")
    args = parser.parse_args()
    videos = args.videos or sorted(
        p for p in DATA.iterdir() if p.suffix in (".mp4", ".mpg", ".mov")
    )
    short = {"eye_aperture": "eye", "lower_lid_height": "lid", "cheek_height": "cheek",
             "mouth_corner_height": "corner", "mouth_eye_distance": "mouth"}  # fmt: skip
    print(
        "median |litert - mediapipe| as % of each measure's range (worse side); face found "
        "by one engine only, % of frames; landmark distance, % of the eye-corner distance"
    )
    header = f"{'video':<36} {'frames':>6} " + " ".join(f"{short[m]:>6}" for m in MEASURES)
    print(header + f" {'face':>6} {'points':>7}")
    worst = dict.fromkeys(MEASURES, 0.0)
    for video in videos:
        r = compare(landmarks(video, "mediapipe"), landmarks(video, "litert", not args.no_smooth))
        cells = " ".join(f"{r.get(m, float('nan')):>6.2f}" for m in MEASURES)
        print(f"{video.stem[:36]:<36} {r['frames']:>6} {cells} {r['face_disagree_pct']:>6.2f} "
              f"{r.get('landmarks_pct_eye', float('nan')):>7.2f}", flush=True)  # fmt: skip
        for m in MEASURES:
            worst[m] = max(worst[m], r.get(m, 0.0))
    print("worst video per measure: " + ", ".join(f"{short[m]} {v:.2f}%" for m, v in worst.items()))


if __name__ == "__main__":
    main()
