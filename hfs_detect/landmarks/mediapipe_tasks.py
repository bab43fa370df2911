"""MediaPipe's own engine: Face Landmarker through its Tasks API (``--engine mediapipe``).

The reference the default engine (:mod:`hfs_detect.landmarks.litert`) is
measured against. MediaPipe's landmarker runs in VIDEO mode (it tracks the
face from frame to frame) and returns, per frame, 478 landmarks, 52 blendshape
scores and the facial transformation matrix (head pose). See
:class:`Landmarker` for how following one subject stays as fast as MediaPipe
alone.
"""

from __future__ import annotations

import atexit
import os
import weakref
from collections.abc import Iterable, Iterator

import numpy as np

from .._checks import HFSDetectError, native_stderr_silenced
from ..face_mesh import N_LANDMARKS
from .follow import Face, SubjectFollower
from .model_file import resolve_model
from .sources import Frame
from .track import FaceLandmarks

__all__ = ["Landmarker"]


def _faces(result) -> list[Face]:
    """MediaPipe's result as arrays, one entry per face."""
    faces = []
    for k, face in enumerate(result.face_landmarks):
        points = np.array([(p.x, p.y, p.z) for p in face], dtype=np.float32)[:N_LANDMARKS]
        blend = result.face_blendshapes[k] if result.face_blendshapes else None
        scores = np.array([c.score for c in blend], dtype=np.float32) if blend else None
        matrices = result.facial_transformation_matrixes
        matrix = np.asarray(matrices[k], dtype=np.float32) if matrices else None
        faces.append(Face(points, scores, matrix))
    return faces


_OPEN: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _close_open_landmarkers() -> None:
    """Close landmarkers left open, before MediaPipe's own clean-up fails at exit."""
    for landmarker in list(_OPEN):
        landmarker.close()


class Landmarker(SubjectFollower):
    """MediaPipe Face Landmarker that follows one subject through a video.

    Parameters
    ----------
    model_path : path-like, optional
        See :func:`resolve_model`.
    max_faces : int
        Faces considered when the subject has to be chosen (1-8). With 1 the
        face MediaPipe tracks is taken as it is.
    min_confidence : float
        MediaPipe's face detection, presence and tracking confidence (0-1).
    reacquire_after_s : float
        Seconds the subject may be missing before another face is taken.

    Notes
    -----
    A single-face landmarker in VIDEO mode tracks the face from frame to
    frame (MediaPipe's fast path). A multi-face search (IMAGE mode, up to
    ``max_faces``) runs only when a subject has to be chosen: when a face
    appears after none was followed (the largest and most central face is
    taken), and when the tracked face is not near the subject's last position
    (someone else is tracked: the subject is the face nearest its last
    position, or missing). So a video with one person costs what MediaPipe
    alone costs. Use as a context manager, or call :meth:`close`.
    """

    engine = "mediapipe"

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        *,
        max_faces: int = 4,
        min_confidence: float = 0.5,
        reacquire_after_s: float = 1.0,
    ):
        super().__init__(max_faces, min_confidence, reacquire_after_s)
        self.model = resolve_model(model_path)
        self._tracker = self._create(video=True, num_faces=1)
        _OPEN.add(self)
        self._finder = None  # the multi-face search, made when first needed
        self._last_ms = -1
        self._quiet_calls = {"tracker": True, "finder": True}
        self.blendshape_names: list[str] | None = None

    def _create(self, *, video: bool, num_faces: int):
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model.path)),
            running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
            num_faces=num_faces,
            min_face_detection_confidence=self.min_confidence,
            min_face_presence_confidence=self.min_confidence,
            min_tracking_confidence=self.min_confidence,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        try:
            with native_stderr_silenced():
                return vision.FaceLandmarker.create_from_options(options)
        except Exception as exc:  # MediaPipe raises RuntimeError/ValueError variants
            raise HFSDetectError(
                f"cannot load the face landmark model {self.model.path}: "
                f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            ) from None

    def _call(self, name: str, run, *args):
        if self._quiet_calls[name]:  # MediaPipe logs its delegate set-up on the first run
            self._quiet_calls[name] = False
            with native_stderr_silenced():
                return run(*args)
        return run(*args)

    def detect(self, frame: Frame) -> FaceLandmarks:
        """Find the subject's landmarks in one frame.

        Frames must come in time order (VIDEO mode tracks from one to the next).
        """
        import mediapipe as mp

        timestamp_ms = max(int(round(frame.time_s * 1000.0)), self._last_ms + 1)
        self._last_ms = timestamp_ms
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(frame.rgb))
        result = self._call("tracker", self._tracker.detect_for_video, image, timestamp_ms)
        found = [result]

        def search() -> list[Face]:
            if self._finder is None:
                self._finder = self._create(video=False, num_faces=self.max_faces)
            searched = self._call("finder", self._finder.detect, image)
            if searched.face_landmarks:
                found[0] = searched
            return _faces(searched)

        face_frame, chosen, _ = self.follow(frame, _faces(result), search)
        result = found[0]
        if chosen is not None and self.blendshape_names is None and result.face_blendshapes:
            self.blendshape_names = [c.category_name for c in result.face_blendshapes[chosen]]
        return face_frame

    def detect_frames(self, frames: Iterable[Frame]) -> Iterator[FaceLandmarks]:
        """:meth:`detect` over many frames in time order (one protocol with the LiteRT
        engine, which overlaps part of its work)."""
        for frame in frames:
            yield self.detect(frame)

    def close(self) -> None:
        """Release MediaPipe's resources."""
        for name in ("_tracker", "_finder"):
            task = getattr(self, name, None)
            if task is not None:
                task.close()
                setattr(self, name, None)

    def __enter__(self) -> Landmarker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
