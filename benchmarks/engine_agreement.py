"""How closely the LiteRT engine agrees with MediaPipe's, per real video and measure.

    python benchmarks/engine_agreement.py [VIDEO ...] [--no-smooth] [--still N | --brighten LEVELS]

For each video (default: every video in ``../shared/data``), the landmarks are
found once with ``--engine mediapipe`` and once with ``--engine litert``, and
the per-frame measures compared on the frames where both found the face:

- per measure (eye aperture, lower lid, cheek, mouth corner, mouth-to-eye, each
  side), the median absolute difference as a percentage of the measure's range
  over the video (its 1st to 99th percentile under MediaPipe);
- the frames where only one engine found the face (% of frames);
- the mean landmark distance, in % of the distance between the eye corners.

``--no-smooth`` runs the LiteRT engine without MediaPipe's temporal smoothing.

``--brighten LEVELS`` asks how much of that any engine would change anyway:
each engine against itself, on the video and on the same video made LEVELS
grey levels (of 255) brighter, a change no one could see; printed per video
beside the engines' own difference, the same measures, with how many
(video, measure) cells the engines differ by no more than MediaPipe against
itself. ``--brighten 0`` compares each engine with an identical rerun.

``--still N`` asks instead whether the two engines do the same thing: each
video's first frame is given to both engines N times, 1/30 s apart, so that
both settle on the same still picture; printed per video: the mean landmark
distance between the engines on the first and the last frame, and each
engine's own last step, in pixels. Printed, never asserted.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from hfs_detect.sources import Frame

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
MEASURES = (
    "eye_aperture",
    "lower_lid_height",
    "cheek_height",
    "mouth_corner_height",
    "mouth_eye_distance",
)


def brightened(frame: Frame, levels: int) -> Frame:
    """The frame with every pixel ``levels`` grey levels (of 255) brighter."""
    rgb = np.clip(frame.rgb.astype(np.int16) + levels, 0, 255).astype(np.uint8)
    return Frame(frame.index, frame.time_s, rgb)


def landmarks(video: Path, engine: str, smooth: bool = True, brighten: int = 0):
    """The video's track from one engine (the LiteRT one with or without smoothing),
    its frames ``brighten`` grey levels brighter."""
    from hfs_detect.landmarks import Landmarker, track_meta
    from hfs_detect.litert import LiteRTLandmarker
    from hfs_detect.sources import open_video, prefetch
    from hfs_detect.track import TrackBuilder

    builder = TrackBuilder()
    landmarker = LiteRTLandmarker(smooth=smooth) if engine == "litert" else Landmarker()
    with open_video(video) as source, landmarker:
        for frame in prefetch(iter(source)):
            builder.append(landmarker.detect(brightened(frame, brighten) if brighten else frame))
        meta = track_meta(source, landmarker.blendshape_names or [], landmarker.model.path, engine)
    return builder.build(meta)


def still(video: Path, repeats: int) -> dict:
    """Both engines on one still frame (the video's first) given ``repeats`` times."""
    from hfs_detect.landmarks import Landmarker
    from hfs_detect.litert import LiteRTLandmarker
    from hfs_detect.sources import open_video

    with open_video(video) as source:
        first = next(iter(source))
    size = np.array(first.rgb.shape[1::-1], float)
    tracks = {}
    for name, landmarker in (("mediapipe", Landmarker()), ("litert", LiteRTLandmarker())):
        with landmarker:
            found = [landmarker.detect(Frame(k, k / 30.0, first.rgb)) for k in range(repeats)]
        if any(f.landmarks is None for f in found):
            return {}
        tracks[name] = np.array([f.landmarks[:, :2] for f in found]) * size

    def apart(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.linalg.norm(a - b, axis=-1).mean())

    a, b = tracks["mediapipe"], tracks["litert"]
    return {
        "first_px": apart(a[0], b[0]),
        "last_px": apart(a[-1], b[-1]),
        "mediapipe_step_px": apart(a[-1], a[-2]),
        "litert_step_px": apart(b[-1], b[-2]),
        "eye_px": float(np.linalg.norm(a[-1, 33] - a[-1, 263])),
    }


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


def brighten_table(videos: list[Path], levels: int, smooth: bool) -> None:
    """Print, per video and measure, the engines' difference beside each engine's
    difference from itself on the video ``levels`` grey levels brighter."""
    names = ("eye", "lid", "cheek", "corner", "mouth")
    print(f"median difference as % of each measure's range (worse side): the engines "
          f"(litert - mediapipe), and each engine against itself {levels} grey level(s) "
          "brighter; ratio: engines / mediapipe against itself")  # fmt: skip
    print(f"{'video':<36} {'compared':<18} " + " ".join(f"{n:>6}" for n in names))
    n_cells = n_within = 0
    ratios = []
    for video in videos:
        mediapipe, litert = landmarks(video, "mediapipe"), landmarks(video, "litert", smooth)
        rows = {
            "engines": compare(mediapipe, litert),
            "mediapipe vs self": compare(mediapipe, landmarks(video, "mediapipe", True, levels)),
            "litert vs self": compare(litert, landmarks(video, "litert", smooth, levels)),
        }
        for label, r in rows.items():
            cells = " ".join(f"{r.get(m, float('nan')):>6.2f}" for m in MEASURES)
            print(f"{video.stem[:36]:<36} {label:<18} {cells}", flush=True)
        for m in MEASURES:
            engines, itself = rows["engines"].get(m), rows["mediapipe vs self"].get(m)
            if engines is None or itself is None:
                continue
            n_cells += 1
            n_within += engines <= itself
            if itself > 0:
                ratios.append((engines / itself, video.stem, m))
    if ratios:
        worst = max(ratios)
        print(f"{n_within} of {n_cells} cells: the engines differ by no more than mediapipe "
              f"against itself; ratio median {np.median([r[0] for r in ratios]):.2f}, largest "
              f"{worst[0]:.2f} ({worst[1]}, {worst[2]})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", nargs="*", type=Path)
    parser.add_argument("--no-smooth", action="store_true")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--still", type=int, metavar="N", help="one still frame, N times")
    mode.add_argument(
        "--brighten",
        type=int,
        metavar="LEVELS",
        help="each engine against itself on the video LEVELS grey levels brighter "
        "(0: against an identical rerun)",
    )
    args = parser.parse_args()
    videos = args.videos or sorted(
        p for p in DATA.iterdir() if p.suffix in (".mp4", ".mpg", ".mov")
    )
    if args.still:
        print(f"the first frame given {args.still} times: landmarks apart (px), first and "
              "last frame; each engine's last step (px); eye-corner distance (px)")  # fmt: skip
        for video in videos:
            r = still(video, args.still)
            if r:
                print(f"{video.stem[:36]:<36} first {r['first_px']:.3f} last {r['last_px']:.3f}"
                      f"  steps mediapipe {r['mediapipe_step_px']:.3f} litert "
                      f"{r['litert_step_px']:.3f}  eye {r['eye_px']:.0f}", flush=True)  # fmt: skip
        return
    if args.brighten is not None:
        brighten_table(videos, args.brighten, not args.no_smooth)
        return
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
