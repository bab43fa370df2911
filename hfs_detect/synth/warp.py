"""Image edits that move one side's eyelids, cheek, mouth corner, jaw; real closed lids.

These make synthetic contractions in a real face picture for ground truth
(:mod:`hfs_detect.synth.plan`). Every warp is a backward map applied with
``cv2.remap``; amounts are fractions (0 = rest, 1 = the full movement).
A warp narrows an eye but never shows a closed lid (it compresses the eye
to about a quarter closed, as MediaPipe measures it): strong closures paste
the person's own closed eye from one of their blink frames
(:func:`paste_closed_lid`).
Landmark positions come in pixels, ``(478, 2)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..face_mesh import LOWER_LID, SIDE_INDICES, UPPER_LID

__all__ = [
    "eyelid_curves",
    "close_eye_map",
    "shift_map",
    "apply_maps",
    "open_mouth_map",
    "yaw_homography",
    "LidDonor",
    "paste_closed_lid",
]


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


def open_mouth_map(
    map_x: np.ndarray, map_y: np.ndarray, points_px: np.ndarray, amount: float
) -> None:
    """Drop the lower lip and jaw by ``amount`` (0 closed .. 1 wide open), in place.

    Skin below the line between the mouth corners moves down, most at the
    lower lip, fading towards the chin's edge; the upper lip stays.
    """
    if amount <= 0:
        return
    height, width = map_y.shape
    left, right = points_px[291], points_px[61]
    lower_lip, chin = points_px[17], points_px[152]
    mouth_w = float(np.linalg.norm(left - right))
    drop = 0.35 * mouth_w * min(float(amount), 1.0)
    x0 = int(max(min(left[0], right[0]) - 0.8 * mouth_w, 0))
    x1 = int(min(max(left[0], right[0]) + 0.8 * mouth_w, width - 1)) + 1
    lip_y = float((left[1] + right[1]) / 2)
    y0 = int(max(lip_y - 0.2 * mouth_w, 0))
    y1 = int(min(chin[1] + 0.6 * mouth_w, height - 1)) + 1
    if x0 >= x1 or y0 >= y1:
        return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    across = np.exp(-((xx - lower_lip[0]) ** 2) / (2 * (0.55 * mouth_w) ** 2))
    below = np.clip((yy - lip_y) / max(lower_lip[1] - lip_y, 1.0), 0, 1)  # 0 at the lip line
    fade = np.clip((chin[1] + 0.6 * mouth_w - yy) / (0.9 * mouth_w), 0, 1)
    map_y[y0:y1, x0:x1] -= drop * across * np.minimum(below, fade)


def yaw_homography(width: int, height: int, center_px: np.ndarray, yaw_deg: float) -> np.ndarray:
    """A 3x3 homography that turns a face plane at ``center_px`` by ``yaw_deg``.

    The face is taken as a plane facing the camera (focal length = image
    width) and rotated about its vertical axis: a head turn as far as a
    still picture can show one.
    """
    f = float(width)
    k = np.array([[f, 0, width / 2], [0, f, height / 2], [0, 0, 1.0]])
    cx, cy = (float(center_px[0]) - width / 2), (float(center_px[1]) - height / 2)
    # plane points X = C + u e1 + v e2 at depth f (so u, v are pixels at the plane)
    c = np.array([cx, cy, f])
    a = np.column_stack([[1.0, 0, 0], [0, 1.0, 0], c])
    angle = np.radians(yaw_deg)
    rot = np.array(
        [[np.cos(angle), 0, np.sin(angle)], [0, 1, 0], [-np.sin(angle), 0, np.cos(angle)]]
    )
    b = np.column_stack([rot @ [1.0, 0, 0], rot @ [0, 1.0, 0], c])
    return k @ b @ np.linalg.inv(a) @ np.linalg.inv(k)


LID_ANCHORS: dict[str, tuple[int, ...]] = {
    # canthi, brow, nose bridge and the cheek below the eye: points a blink does not move
    "left": (263, 362, 293, 334, 296, 300, 168, 6, 346, 347, 330, 265, 353),
    "right": (33, 133, 63, 105, 66, 70, 168, 6, 117, 118, 101, 35, 124),
}
"""Per side, the landmarks that align a donor's closed eye with another frame."""


@dataclass(frozen=True)
class LidDonor:
    """A real closed eye to paste onto other frames of the same person.

    Attributes
    ----------
    image : (h, w, 3) uint8
        The frame in which the eye is closed (RGB).
    points_px : (478, 2) float
        Its landmarks in pixels.
    side : {'left', 'right'}
        The patient's side of the eye.
    closure : float
        How closed MediaPipe measured the eye in that frame (0 open .. 1 shut).
    """

    image: np.ndarray
    points_px: np.ndarray
    side: str
    closure: float


def paste_closed_lid(
    image: np.ndarray, points_px: np.ndarray, donor: LidDonor, alpha: float
) -> np.ndarray:
    """Blend the donor's closed eye over the same eye of ``image`` (``alpha`` 0..1).

    The donor frame is aligned on :data:`LID_ANCHORS` (a similarity
    transform), matched in brightness on a ring around the eye, and blended
    through a feathered ellipse that covers the lids from the lower lid to
    below the brow.
    """
    import cv2

    if alpha <= 0:
        return image
    side = donor.side
    anchors = list(LID_ANCHORS[side])
    matrix, _ = cv2.estimateAffinePartial2D(
        donor.points_px[anchors].astype(np.float32), points_px[anchors].astype(np.float32)
    )
    if matrix is None:
        return image
    ix = SIDE_INDICES[side]
    outer, inner = points_px[ix.eye_outer], points_px[ix.eye_inner]
    eye_w = float(np.linalg.norm(outer - inner))
    center = (outer + inner) / 2 - np.array([0.0, 0.08 * eye_w])
    height, width = image.shape[:2]
    r = int(1.2 * eye_w)
    x0, x1 = int(max(center[0] - r, 0)), int(min(center[0] + r, width))
    y0, y1 = int(max(center[1] - r, 0)), int(min(center[1] + r, height))
    if x0 >= x1 or y0 >= y1:
        return image
    shifted = matrix.copy()
    shifted[:, 2] -= (x0, y0)
    patch = cv2.warpAffine(
        donor.image, shifted, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    ).astype(np.float32)  # fmt: skip
    angle = float(np.degrees(np.arctan2(outer[1] - inner[1], outer[0] - inner[0])))
    mask = np.zeros((y1 - y0, x1 - x0), np.float32)
    axes = (int(0.72 * eye_w), int(0.40 * eye_w))
    cv2.ellipse(mask, (int(center[0] - x0), int(center[1] - y0)), axes, angle, 0, 360, 1.0, -1)
    ring = cv2.dilate(mask, np.ones((int(0.3 * eye_w) | 1,) * 2, np.uint8)) - mask
    sigma = max(0.1 * eye_w, 1.0)
    mask = cv2.GaussianBlur(mask, (0, 0), sigma)
    target = image[y0:y1, x0:x1].astype(np.float32)
    if ring.sum() > 0:
        gain = (target * ring[..., None]).sum(axis=(0, 1)) / np.maximum(
            (patch * ring[..., None]).sum(axis=(0, 1)), 1e-6
        )
        patch *= np.clip(gain, 0.7, 1.4)
    weight = (min(float(alpha), 1.0) * mask)[..., None]
    out = image.copy()
    out[y0:y1, x0:x1] = np.clip(target * (1 - weight) + patch * weight, 0, 255).astype(np.uint8)
    return out
