"""Which MediaPipe face-mesh landmarks make up each facial region, per side.

Sides are the patient's anatomical sides in an unmirrored camera image (the
patient's left eye is on the image's right). MediaPipe's own "left eye"
indices (263, 362, 386, 374, ...) are the subject's left eye in such an image.
"""

from __future__ import annotations

from dataclasses import dataclass

SIDES: tuple[str, str] = ("left", "right")
"""The patient's anatomical sides, in the order used for every column pair."""

REGIONS: tuple[str, ...] = ("eye", "cheek", "mouth", "brow")
"""Facial regions, in the order they are joined in ``events.csv``."""

N_LANDMARKS = 478
N_BLENDSHAPES = 52
"""MediaPipe's blendshape scores per face."""


@dataclass(frozen=True)
class SideIndices:
    """Landmark indices of one side of the face."""

    eye_outer: int
    eye_inner: int
    upper_lid: tuple[int, ...]  # outer -> inner, paired with lower_lid
    lower_lid: tuple[int, ...]
    brow: tuple[int, ...]
    cheek: tuple[int, ...]
    mouth_corner: int


SIDE_INDICES: dict[str, SideIndices] = {
    "left": SideIndices(
        eye_outer=263,
        eye_inner=362,
        upper_lid=(387, 386, 385),
        lower_lid=(373, 374, 380),
        brow=(293, 334, 296),
        cheek=(346, 347, 330, 280, 425),
        mouth_corner=291,
    ),
    "right": SideIndices(
        eye_outer=33,
        eye_inner=133,
        upper_lid=(160, 159, 158),
        lower_lid=(144, 145, 153),
        brow=(63, 105, 66),
        cheek=(117, 118, 101, 50, 205),
        mouth_corner=61,
    ),
}

RIGID: tuple[int, ...] = (
    # forehead and nose bridge (midline), nose, inner canthi, upper face outline
    10,
    151,
    9,
    8,
    168,
    6,
    197,
    195,
    5,
    4,
    1,
    98,
    327,
    133,
    362,
    127,
    356,
    162,
    389,
)
"""Points that move little with facial expression: they define the face's
origin (their centroid) and size (their RMS distance from it)."""

HEAD_POINTS: tuple[int, ...] = (
    # forehead (midline and its upper sides), nose bridge and nose: no eye, cheek or mouth point
    10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1, 109, 67, 103, 54, 338, 297, 332, 284,
)  # fmt: skip
"""Points a spasm does not move: the head's position (and so its motion) is their
centroid. Measured on synthetic full closures, their centroid moves 25-30% less
during the spasm than that of :data:`RIGID` (which has the inner canthi and the face
outline beside the eyes): p95 0.18-0.26 against 0.25-0.35 face units per second."""

INNER_LIPS: tuple[int, int] = (13, 14)
"""Middle of the upper and lower inner lip (midline)."""

UPPER_LID: dict[str, tuple[int, ...]] = {
    "left": (263, 466, 388, 387, 386, 385, 384, 398, 362),
    "right": (33, 246, 161, 160, 159, 158, 157, 173, 133),
}
"""Upper lid margin, outer canthus -> inner canthus (drawing, synthetic warps)."""

LOWER_LID: dict[str, tuple[int, ...]] = {
    "left": (263, 249, 390, 373, 374, 380, 381, 382, 362),
    "right": (33, 7, 163, 144, 145, 153, 154, 155, 133),
}
"""Lower lid margin, outer canthus -> inner canthus."""

BLENDSHAPE_PAIRS: tuple[str, ...] = (
    "eyeBlink",
    "eyeSquint",
    "eyeWide",
    "cheekSquint",
    "browDown",
    "browOuterUp",
    "mouthSmile",
    "mouthPress",
    "mouthStretch",
    "mouthDimple",
    "noseSneer",
)
"""MediaPipe blendshapes that come as a Left/Right pair, kept per side."""

BLENDSHAPE_SINGLES: tuple[str, ...] = (
    "jawOpen",
    "browInnerUp",
    "mouthPucker",
    "mouthFunnel",
    "cheekPuff",
)
"""Bilateral blendshapes kept as they are (speech, expressions)."""
