"""Peer methods, run on the same landmarks as hfs-detect, for side-by-side scores.

Bursts: ``blendshape_events`` and ``nomura_sakai_events``. Blinks (issue 30):
``ear_threshold_blinks`` (a plain EAR threshold) and ``jefapato_blinks``
(JeFaPaTo's per-eye EAR peaks, matched left and right).

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


# -- blink peers (issue 30), on the frames table's plain 2-D EAR (``ear_2d_<side>``) ----------

EAR_THRESHOLD = 0.2
"""The plain EAR threshold (Soukupova & Cech 2016's starting point): both eyes' mean
2-D EAR below it for two frames or more is a blink."""


def _blink_rows(spans: list[tuple[float, float, float, float]]) -> pd.DataFrame:
    """Blink rows in ``blinks.csv``'s timing columns from (close_l, reopen_l, close_r, reopen_r)."""
    rows = []
    for close_l, reopen_l, close_r, reopen_r in spans:
        start, end = min(close_l, close_r), max(reopen_l, reopen_r)
        rows.append({"start_s": start, "end_s": end, "duration_s": end - start,
                     "close_s_left": close_l, "reopen_s_left": reopen_l,
                     "close_s_right": close_r, "reopen_s_right": reopen_r})  # fmt: skip
    columns = ["start_s", "end_s", "duration_s", "close_s_left", "reopen_s_left",
               "close_s_right", "reopen_s_right"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def ear_threshold_blinks(frames: pd.DataFrame, threshold: float = EAR_THRESHOLD) -> pd.DataFrame:
    """A plain EAR threshold: runs of two frames or more with both eyes' mean EAR below
    ``threshold``; each run is one blink (both eyes timed alike)."""
    time_s = frames["time_s"].to_numpy(float)
    ear = frames[["ear_2d_left", "ear_2d_right"]].to_numpy(float).mean(axis=1)
    step = float(np.median(np.diff(time_s))) if len(time_s) > 1 else 1 / 30
    spans = []
    for a, b in _runs(np.nan_to_num(ear, nan=1.0) < threshold):
        if b - a + 1 >= 2:
            start, end = float(time_s[a]), float(time_s[b]) + step
            spans.append((start, end, start, end))
    return _blink_rows(spans)


def jefapato_blinks(
    frames: pd.DataFrame,
    *,
    min_distance_s: float = 50 / 240,
    min_prominence: float = 0.05,
    min_width_s: float = 10 / 240,
    max_width_s: float = 250 / 240,
    match_s: float = 0.1,
) -> pd.DataFrame:
    """JeFaPaTo's published approach (Büchner et al. 2024, cvjena/JeFaPaTo), per eye:
    the peaks of the inverted EAR (``scipy.signal.find_peaks`` with a minimum distance,
    prominence and width; wider than ``max_width_s`` dropped), each eye's closing and
    reopening at the half-prominence crossings; left and right peaks closer than
    ``match_s`` are one blink, an unmatched peak a blink of one eye. Its defaults are
    set for 240 fps video in frames; here they are the same times in seconds."""
    from scipy import signal

    time_s = frames["time_s"].to_numpy(float)
    step = float(np.median(np.diff(time_s))) if len(time_s) > 1 else 1 / 30
    per_eye = {}
    for side in ("left", "right"):
        ear = frames[f"ear_2d_{side}"].to_numpy(float)
        ear = pd.Series(ear).interpolate(limit_direction="both").to_numpy()
        peaks, props = signal.find_peaks(
            -ear, distance=max(1, round(min_distance_s / step)), prominence=min_prominence,
            width=max(1.0, min_width_s / step),
        )  # fmt: skip
        index = np.arange(len(time_s))
        found = []
        for k, peak in enumerate(peaks):
            left, right = props["left_ips"][k], props["right_ips"][k]
            if (right - left) * step > max_width_s:
                continue
            close, reopen = np.interp([left, right], index, time_s)
            found.append((float(time_s[peak]), float(close), float(reopen)))
        per_eye[side] = found
    spans, used = [], set()
    for apex, close, reopen in per_eye["left"]:
        near = [(abs(apex - a), j) for j, (a, _, _) in enumerate(per_eye["right"])
                if j not in used and abs(apex - a) <= match_s]  # fmt: skip
        if near:
            _, j = min(near)
            used.add(j)
            _, close_r, reopen_r = per_eye["right"][j]
            spans.append((close, reopen, close_r, reopen_r))
        else:
            spans.append((close, reopen, close, reopen))
    spans += [(c, r, c, r) for j, (_, c, r) in enumerate(per_eye["right"]) if j not in used]
    return _blink_rows(sorted(spans, key=lambda s: min(s[0], s[2])))
