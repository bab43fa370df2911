"""Following one subject through a video, whatever engine finds the faces.

At the start the largest and most central face is taken; then the face nearest
to the subject's last position. If the subject is missing for longer than
``reacquire_after_s``, the next largest and most central face is taken. An
engine (:class:`~hfs_detect.landmarks.Landmarker` for MediaPipe,
:class:`~hfs_detect.landmarks.litert.LiteRTLandmarker`) tracks one face cheaply and
searches for every face only when a subject has to be chosen; this class
decides when, and which face is the subject.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .._checks import check_number
from .sources import Frame
from .track import FaceLandmarks

__all__ = ["Face", "SubjectFollower"]


@dataclass(frozen=True)
class Face:
    """One face an engine found in a frame.

    Attributes
    ----------
    points : (478, 3) float32
        Landmarks in MediaPipe's normalised image coordinates.
    blendshapes : (52,) float32 or None
    matrix : (4, 4) float32 or None
        Facial transformation matrix (canonical face -> camera).
    """

    points: np.ndarray
    blendshapes: np.ndarray | None
    matrix: np.ndarray | None


class SubjectFollower:
    """The subject-choosing half of a landmarker (see the module's description).

    Parameters
    ----------
    max_faces : int
        Faces considered when the subject has to be chosen (1-8). With 1 the
        tracked face is taken as it is.
    min_confidence : float
        Detection, presence and tracking confidence (0-1).
    reacquire_after_s : float
        Seconds the subject may be missing before another face is taken.
    """

    def __init__(self, max_faces: int, min_confidence: float, reacquire_after_s: float):
        check_number("max_faces", max_faces, minimum=1, maximum=8, integer=True)
        check_number("min_confidence", min_confidence, minimum=0.0, maximum=1.0)
        check_number("reacquire_after_s", reacquire_after_s, minimum=0.0)
        self.max_faces = int(max_faces)
        self.min_confidence = float(min_confidence)
        self.reacquire_after_s = float(reacquire_after_s)
        self._last_center: np.ndarray | None = None
        self._last_width = 0.0
        self._last_seen_s = -np.inf
        self.n_searches = 0

    def follow(
        self, frame: Frame, tracked: list[Face], search: Callable[[], list[Face]]
    ) -> tuple[FaceLandmarks, int | None, list[Face]]:
        """The subject in this frame, from the tracked face or, if needed, a search.

        Returns the frame's :class:`FaceLandmarks`, the subject's index in the faces
        used (None when absent) and those faces.
        """
        if not tracked:
            return FaceLandmarks(frame.index, frame.time_s, None, None, None, 0), None, []
        faces = tracked
        following = self._following(frame.time_s)
        if self.max_faces > 1 and not (following and self._near_subject(faces[0], frame)):
            self.n_searches += 1
            faces = search() or faces
        chosen = self._choose(faces, frame, following)
        if chosen is None:
            return (
                FaceLandmarks(frame.index, frame.time_s, None, None, None, len(faces)),
                None,
                faces,
            )
        face = faces[chosen]
        return (
            FaceLandmarks(
                frame.index, frame.time_s, face.points, face.blendshapes, face.matrix, len(faces)
            ),
            chosen,
            faces,
        )

    def _following(self, time_s: float) -> bool:
        return (
            self._last_center is not None and time_s - self._last_seen_s <= self.reacquire_after_s
        )

    @staticmethod
    def _box(face: Face, frame: Frame) -> tuple[np.ndarray, float, float]:
        """Centre (px), width and height of a face's landmarks."""
        height, width = frame.rgb.shape[:2]
        scale = np.array([width, height], dtype=np.float32)
        low, high = face.points[:, :2].min(0) * scale, face.points[:, :2].max(0) * scale
        return (low + high) / 2, float(high[0] - low[0]), float(high[1] - low[1])

    def _near_subject(self, face: Face, frame: Frame) -> bool:
        center, width, _ = self._box(face, frame)
        return float(np.linalg.norm(center - self._last_center)) <= max(self._last_width, width)

    def _choose(self, faces: list[Face], frame: Frame, following: bool) -> int | None:
        """Index of the subject among the faces found, or None if absent."""
        height, width = frame.rgb.shape[:2]
        boxes = [self._box(face, frame) for face in faces]
        centers = np.array([b[0] for b in boxes])
        widths = np.array([b[1] for b in boxes])
        if following:
            distance = np.linalg.norm(centers - self._last_center, axis=1)
            best = int(np.argmin(distance))
            if distance[best] > max(self._last_width, widths[best]):
                return None  # only other people in view: the subject is missing
        else:
            area = widths * np.array([b[2] for b in boxes])
            offset = np.linalg.norm(centers / [width, height] - 0.5, axis=1)
            best = int(np.argmax(area * (1.0 - offset)))
        self._last_center = centers[best]
        self._last_width = float(widths[best])
        self._last_seen_s = frame.time_s
        return best
