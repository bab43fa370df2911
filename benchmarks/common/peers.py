"""Two peer methods, run on the same landmarks as hfs-detect, for side-by-side scores.

``blendshape_events``
    What a user would write first: MediaPipe's ``eyeBlinkLeft`` minus
    ``eyeBlinkRight``; a frame is active when the difference exceeds a
    threshold; runs of active frames (at least 0.1 s, gaps under 0.3 s
    bridged) are bursts on the side of the larger score. The threshold is
    chosen on the dev set (``BLENDSHAPE_THRESHOLD``), as ours are.

``nomura_sakai_events``
    The HFS method of Nomura & Sakai ("Automated tonic-clonic decomposition
    of hemifacial spasm severity from smartphone video using MediaPipe Face
    Mesh", software DOI 10.5281/zenodo.18845312), as their public code
    (keinomura/HFS_analysis_app, keinomura/hfs-analyzer-web) does it:

    - eye aperture = mean of two vertical lid distances in pixels (right eye
      160-144 and 158-153, left eye 385-380 and 387-373);
    - affected side = the eye whose aperture varies more (higher CV);
    - relative difference RD = (healthy - affected) / healthy;
    - tonic = Savitzky-Golay filter of RD (3 s window, order 2);
      clonic = RD - tonic;
    - blinks = 2-10 frame runs (at 60 fps; scaled to the frame rate) of the
      healthy eye below half its median, masked with 3 frames (at 60 fps)
      either side;
    - a clonic episode = at least 4 frames (at 60 fps) of clonic above its
      mean + 0.5 SD, outside blinks.

    Their method gives rates, not bursts; to score it as bursts we take each
    episode as a burst on the affected side, merge episodes closer than
    0.5 s (hfs-detect's own merge rule), and add a tonic burst wherever the
    tonic RD stays above 0.15 for 0.5 s or more (our assumption; their code
    reports only the tonic mean). No rest segmentation, as in their method.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BLENDSHAPE_THRESHOLD = 0.2
"""eyeBlink difference that makes a frame active, chosen on the dev set: event F1
0.384, 0.445, 0.474, 0.472, 0.473, 0.345, 0.201 at 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5."""

_NS_RIGHT = ((160, 144), (158, 153))
_NS_LEFT = ((385, 380), (387, 373))


def _runs(active: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    edges = np.diff(np.r_[0, active.astype(int), 0])
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1, strict=True))


def _events(time_s, runs, sides, min_s=0.0, merge_s=0.0) -> pd.DataFrame:
    step = float(np.median(np.diff(time_s))) if len(time_s) > 1 else 1 / 30
    found = []
    for (a, b), side in zip(runs, sides, strict=True):
        start, end = float(time_s[a]), float(time_s[b]) + step
        if found and found[-1]["side"] == side and start - found[-1]["end_s"] < merge_s:
            found[-1]["end_s"] = max(found[-1]["end_s"], end)
            continue
        found.append({"start_s": start, "end_s": end, "side": side})
    found = [e for e in found if e["end_s"] - e["start_s"] >= min_s]
    return pd.DataFrame(found, columns=["start_s", "end_s", "side"])


def blendshape_events(
    frames: pd.DataFrame, threshold: float = BLENDSHAPE_THRESHOLD
) -> pd.DataFrame:
    """Bursts from the eyeBlink blendshape difference (see the module docstring)."""
    left = frames["bs_eyeBlink_left"].fillna(0).to_numpy()
    right = frames["bs_eyeBlink_right"].fillna(0).to_numpy()
    diff = left - right
    runs = _runs(np.abs(diff) > threshold)
    sides = ["left" if diff[a : b + 1].mean() > 0 else "right" for a, b in runs]
    return _events(frames["time_s"].to_numpy(), runs, sides, min_s=0.1, merge_s=0.3)


def nomura_sakai_apertures(landmarks: np.ndarray, width: int, height: int) -> np.ndarray:
    """``(n, 2)`` left and right eye apertures in whole pixels, as their code measures them."""
    pixels = np.floor(landmarks[:, :, :2] * [width, height])
    out = []
    for pairs in (_NS_LEFT, _NS_RIGHT):
        d = [np.linalg.norm(pixels[:, a] - pixels[:, b], axis=1) for a, b in pairs]
        out.append((d[0] + d[1]) / 2)
    return np.stack(out, axis=1)


def nomura_sakai_events(
    time_s: np.ndarray, landmarks: np.ndarray, width: int, height: int
) -> tuple[pd.DataFrame, dict]:
    """Bursts and the tonic/clonic figures of Nomura & Sakai's method.

    Returns
    -------
    events : pandas.DataFrame
        ``start_s``, ``end_s``, ``side``.
    figures : dict
        ``affected_side``, ``tonic_mean``, ``clonic_rate_per_min``.
    """
    from scipy.signal import savgol_filter

    apertures = nomura_sakai_apertures(landmarks, width, height)
    series = pd.DataFrame(apertures).interpolate(limit_direction="both").to_numpy()
    if np.isnan(series).all() or len(series) < 5:
        return pd.DataFrame(columns=["start_s", "end_s", "side"]), {}
    fps = 1.0 / float(np.median(np.diff(time_s)))
    cv = series.std(axis=0) / series.mean(axis=0)
    affected = int(np.argmax(cv))  # 0 left, 1 right
    healthy = 1 - affected
    side = ("left", "right")[affected]
    rd = (series[:, healthy] - series[:, affected]) / (series[:, healthy] + 1e-6)
    window = min(int(round(3.0 * fps)) | 1, len(rd) if len(rd) % 2 else len(rd) - 1)
    tonic = savgol_filter(rd, window, 2) if window > 2 else rd
    clonic = rd - tonic
    per60 = fps / 60.0
    low = series[:, healthy] < 0.5 * np.median(series[:, healthy])
    masked = np.zeros(len(rd), bool)
    pad = max(int(round(3 * per60)), 1)
    for a, b in _runs(low):
        if max(int(round(2 * per60)), 1) <= b - a + 1 <= max(int(round(10 * per60)), 2):
            masked[max(a - pad, 0) : b + pad + 1] = True
    use = ~masked
    threshold = clonic[use].mean() + 0.5 * clonic[use].std()
    min_frames = max(int(round(4 * per60)), 1)
    runs = [(a, b) for a, b in _runs((clonic > threshold) & use) if b - a + 1 >= min_frames]
    tonic_runs = [(a, b) for a, b in _runs((tonic > 0.15) & use) if time_s[b] - time_s[a] >= 0.5]
    everything = sorted(runs + tonic_runs)
    events = _events(time_s, everything, [side] * len(everything), merge_s=0.5)
    figures = {
        "affected_side": side,
        "tonic_mean": float(np.mean(tonic)),
        "clonic_rate_per_min": len(runs) / (len(rd) / fps / 60.0),
    }
    return events, figures
