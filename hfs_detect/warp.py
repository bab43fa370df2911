"""Smooth image warps that move one side's eyelids, cheek, mouth corner, brow.

These make synthetic contractions in a real face picture for ground truth
(:mod:`hfs_detect.synth`). Every warp is a backward map applied with
``cv2.remap``; amounts are fractions (0 = rest, 1 = the full movement).
Landmark positions come in pixels, ``(478, 2)``.
"""

from __future__ import annotations

import numpy as np

from .face_mesh import LOWER_LID, SIDE_INDICES, UPPER_LID

__all__ = ["eyelid_curves", "close_eye_map", "shift_map", "apply_maps"]


def eyelid_curves(points_px: np.ndarray, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Columns ``x`` and the upper and lower lid heights ``y`` along them."""
    upper = points_px[list(UPPER_LID[side])]
    lower = points_px[list(LOWER_LID[side])]
    x0 = int(np.floor(min(upper[:, 0].min(), lower[:, 0].min())))
    x1 = int(np.ceil(max(upper[:, 0].max(), lower[:, 0].max())))
    xs = np.arange(x0, x1 + 1, dtype=np.float64)
    ou, ol = np.argsort(upper[:, 0]), np.argsort(lower[:, 0])
    y_upper = np.interp(xs, upper[ou, 0], upper[ou, 1])
    y_lower = np.interp(xs, lower[ol, 0], lower[ol, 1])
    return xs, y_upper, np.maximum(y_lower, y_upper)


def close_eye_map(
    map_y: np.ndarray, points_px: np.ndarray, side: str, amount: float, lower_share: float = 0.15
) -> None:
    """Close one eye by ``amount`` (0 open .. 1 shut), in place on ``map_y``.

    The upper lid comes down and the lower lid up (``lower_share`` of the
    closure), the skin above and below stretching with them; the eye between
    the lids is compressed to nothing at ``amount=1``. (Compression, not a lid
    sliding over the eye: MediaPipe measures partial closures made this way
    monotonically, which a known-answer generator needs.)
    """
    if amount <= 0:
        return
    amount = min(float(amount), 1.0)
    xs, yu, yl = eyelid_curves(points_px, side)
    gap = yl - yu
    eye_h = max(gap.max(), 2.0)
    reach_up, reach_down = 2.5 * eye_h, 1.5 * eye_h
    du = amount * gap * (1.0 - lower_share)  # upper lid moves down
    dl = amount * gap * lower_share  # lower lid moves up
    height, width = map_y.shape
    cols = xs.astype(int)
    keep = (cols >= 0) & (cols < width)
    cols, yu, yl, du, dl = cols[keep], yu[keep], yl[keep], du[keep], dl[keep]
    top = int(max(np.floor((yu - reach_up).min()), 0))
    bottom = int(min(np.ceil((yl + reach_down).max()) + 1, height))
    y = np.arange(top, bottom, dtype=np.float64)[:, None]
    a0, a1, a2, a3 = yu - reach_up, yu + du, yl - dl, yl + reach_down  # output anchors
    s0, s1, s2, s3 = yu - reach_up, yu, yl, yl + reach_down  # their sources

    def lerp(y, ya, yb, sa, sb):
        span = np.where(yb - ya > 1e-6, yb - ya, 1.0)
        return sa + (y - ya) / span * (sb - sa)

    src = np.where(
        y < a0,
        y,
        np.where(
            y < a1,
            lerp(y, a0, a1, s0, s1),
            np.where(y < a2, lerp(y, a1, a2, s1, s2), np.where(y < a3, lerp(y, a2, a3, s2, s3), y)),
        ),
    )
    map_y[top:bottom, cols] += (src - y).astype(np.float32)


def shift_map(
    map_x: np.ndarray,
    map_y: np.ndarray,
    center_px: np.ndarray,
    shift_px: np.ndarray,
    sigma_px: float,
) -> None:
    """Move the skin around ``center_px`` by ``shift_px`` (Gaussian falloff), in place.

    Keep ``|shift_px| < sigma_px`` so the map does not fold.
    """
    if not np.any(shift_px):
        return
    height, width = map_x.shape
    r = int(3 * sigma_px)
    cx, cy = int(round(center_px[0])), int(round(center_px[1]))
    x0, x1 = max(cx - r, 0), min(cx + r + 1, width)
    y0, y1 = max(cy - r, 0), min(cy + r + 1, height)
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    weight = np.exp(-((xx - center_px[0]) ** 2 + (yy - center_px[1]) ** 2) / (2 * sigma_px**2))
    map_x[y0:y1, x0:x1] -= shift_px[0] * weight
    map_y[y0:y1, x0:x1] -= shift_px[1] * weight


def region_anchor(points_px: np.ndarray, side: str, region: str) -> np.ndarray:
    """A region's centre in pixels (cheek, mouth corner or brow)."""
    ix = SIDE_INDICES[side]
    index = {"cheek": list(ix.cheek), "mouth": [ix.mouth_corner], "brow": list(ix.brow)}[region]
    return points_px[index].mean(axis=0)


def apply_maps(image: np.ndarray, map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    """Warp ``image`` by the backward maps (bilinear, edges replicated)."""
    import cv2

    return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def identity_maps(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Backward maps that leave an image as it is."""
    map_x, map_y = np.meshgrid(
        np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32)
    )
    return map_x, map_y
