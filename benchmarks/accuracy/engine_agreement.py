"""How closely the LiteRT engine (the default) agrees with MediaPipe's, per real video and measure.

    python benchmarks/accuracy/engine_agreement.py [VIDEO ...] [--brighten LEVELS] [--no-smooth]
    python benchmarks/accuracy/engine_agreement.py --still N [VIDEO ...]

For each video (default: every video in ``../shared/data``), the landmarks are
found with ``--engine mediapipe``, with ``--engine litert``, and with
``--engine mediapipe`` again on the same video made LEVELS grey levels (of 255;
default 1) brighter, a change no one could see. The per-frame measures are
compared on the frames where both runs found the face: per measure (eye
aperture, lower lid, cheek, mouth corner, mouth-to-eye; the worse side), the
median absolute difference as a percentage of the measure's range over the
video (its 1st to 99th percentile under MediaPipe).

The agreement asked of the engines: on every video and measure, the engines
differ by at most max(2% of the range, 1.5 x MediaPipe's own difference on the
brightened video). Printed per video: the engines' difference, MediaPipe's own,
the limit, and the frames where only one engine found the face (% of frames)
and the mean landmark distance (% of the eye-corner distance); at the end, how
many (video, measure) cells hold and which do not. ``--brighten 0`` compares
MediaPipe with an identical rerun instead. ``--no-smooth`` runs the LiteRT
engine without MediaPipe's temporal smoothing.

``--still N`` asks instead whether the two engines do the same thing: each
video's first frame is given to both engines N times, 1/30 s apart, so that
both settle on the same still picture; printed per video: the mean landmark
distance between the engines on the first and the last frame, and each
engine's own last step, in pixels. Printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from hfs_detect.landmarks.sources import Frame

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import DATA
from common.runs import landmarks

MEASURES = (
    "eye_aperture",
    "lower_lid_height",
    "cheek_height",
    "mouth_corner_height",
    "mouth_eye_distance",
)


def still(video: Path, repeats: int) -> dict:
    """Both engines on one still frame (the video's first) given ``repeats`` times."""
    from hfs_detect.landmarks.litert import LiteRTLandmarker
    from hfs_detect.landmarks.mediapipe_tasks import Landmarker
    from hfs_detect.landmarks.sources import open_video

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


LIMIT_PCT, LIMIT_FACTOR = 2.0, 1.5
"""The engines agree on a measure when they differ by at most max(2% of its range,
1.5 x MediaPipe's own difference on the video one grey level brighter)."""
SHORT = {"eye_aperture": "eye", "lower_lid_height": "lid", "cheek_height": "cheek",
         "mouth_corner_height": "corner", "mouth_eye_distance": "mouth"}  # fmt: skip


def agreement_table(videos: list[Path], levels: int, smooth: bool) -> bool:
    """Print, per video and measure, the engines' difference beside MediaPipe's own
    difference ``levels`` grey levels brighter and the limit; True when every cell holds."""
    print(f"median |difference| as % of each measure's range (worse side). engines: litert - "
          f"mediapipe; mediapipe: against itself {levels} grey level(s) brighter; limit: "
          f"max({LIMIT_PCT:g}%, {LIMIT_FACTOR:g} x mediapipe's own)")  # fmt: skip
    print(f"{'video':<36} {'row':<10} " + " ".join(f"{SHORT[m]:>7}" for m in MEASURES)
          + f" {'face %':>7} {'points %':>8}")  # fmt: skip
    failing, n_cells = [], 0
    for video in videos:
        mediapipe, litert = landmarks(video, "mediapipe"), landmarks(video, "litert", smooth)
        engines = compare(mediapipe, litert)
        itself = compare(mediapipe, landmarks(video, "mediapipe", True, levels))
        limits, marks = {}, {}
        for m in MEASURES:
            if m not in engines or m not in itself:
                continue
            limits[m] = max(LIMIT_PCT, LIMIT_FACTOR * itself[m])
            n_cells += 1
            if engines[m] > limits[m]:
                failing.append(f"{video.stem} {SHORT[m]} {engines[m]:.2f} > {limits[m]:.2f}")
                marks[m] = "!"
        rows = (("engines", engines, marks), ("mediapipe", itself, {}), ("limit", limits, {}))
        for label, r, mark in rows:
            cells = " ".join(f"{r[m]:>6.2f}{mark.get(m, ' ')}" if m in r else f"{'-':>7}"
                             for m in MEASURES)  # fmt: skip
            extra = (f" {r['face_disagree_pct']:>7.2f} {r.get('landmarks_pct_eye', np.nan):>8.2f}"
                     if label == "engines" else "")  # fmt: skip
            print(f"{video.stem[:36]:<36} {label:<10} {cells}{extra}", flush=True)
    print(
        f"\n{n_cells - len(failing)} of {n_cells} (video, measure) cells within the limit"
        + (": every video agrees" if not failing else "; not: " + "; ".join(failing))
    )
    return not failing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", nargs="*", type=Path)
    parser.add_argument("--no-smooth", action="store_true")
    parser.add_argument("--still", type=int, metavar="N", help="one still frame, N times")
    parser.add_argument(
        "--brighten",
        type=int,
        default=1,
        metavar="LEVELS",
        help="MediaPipe against itself on the video LEVELS grey levels brighter (default 1; "
        "0: against an identical rerun)",
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
    agreement_table(videos, args.brighten, not args.no_smooth)


if __name__ == "__main__":
    main()
