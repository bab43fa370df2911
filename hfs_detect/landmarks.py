"""Facial landmarks: the landmark stage, with MediaPipe Face Landmarker or LiteRT.

The model is :mod:`hfs_detect.model_file`'s ``face_landmarker.task``. Two engines
run it: MediaPipe's Tasks API (:class:`Landmarker`, ``engine="mediapipe"``) and
its three models run directly with LiteRT (:mod:`hfs_detect.litert`,
``engine="litert"``); :func:`open_landmarker` makes either, and
:func:`extract_landmarks` runs one over a video.

MediaPipe's landmarker runs in VIDEO mode (it tracks the face from frame to frame) and
returns, per frame, 478 landmarks, 52 blendshape scores and the facial
transformation matrix (head pose). One subject is followed through a video:
at the start, the largest and most central face; then the face nearest to the
subject's last position. If the subject is missing for longer than
``reacquire_after_s``, the next largest and most central face is taken.
See :class:`Landmarker` for how this stays as fast as MediaPipe alone.
"""

from __future__ import annotations

import atexit
import os
import weakref
from collections.abc import Iterable, Iterator

import numpy as np

from ._checks import HFSDetectError, native_stderr_silenced
from ._lazy import preload_in_background
from .face_mesh import N_LANDMARKS
from .follow import Face, SubjectFollower
from .model_file import (
    MODEL_ENV_VAR,
    MODEL_SHA256,
    ModelInfo,
    default_model_path,
    resolve_model,
)
from .sources import Frame, VideoFileSource, prefetch
from .track import FaceFrame, LandmarkTrack, TrackBuilder

__all__ = [
    "MODEL_SHA256",
    "MODEL_ENV_VAR",
    "FaceFrame",
    "Landmarker",
    "ModelInfo",
    "default_model_path",
    "resolve_model",
    "extract_landmarks",
    "open_landmarker",
    "ENGINES",
    "DEFAULT_ENGINE",
    "engine_reason",
    "track_meta",
]

ENGINES = ("mediapipe", "litert")
"""Landmark engines: MediaPipe's Tasks API, or the same models run with LiteRT
(:mod:`hfs_detect.litert`)."""


def _litert_missing() -> str | None:
    """Why the LiteRT engine cannot run here (None when it can). Looked up, not imported."""
    import importlib.util

    try:
        found = importlib.util.find_spec("ai_edge_litert") is not None
    except (ImportError, ValueError, AttributeError):  # a blocked or broken install
        found = False
    if found:
        return None
    return (
        "ai-edge-litert is not installed (it has wheels for Linux and macOS only), "
        "so MediaPipe's own graph runs"
    )


LITERT_MISSING = _litert_missing()
DEFAULT_ENGINE = "litert" if LITERT_MISSING is None else "mediapipe"
"""The engine used unless another is asked for: ``litert`` wherever ``ai-edge-litert``
is installed (Linux, macOS), else ``mediapipe`` (:func:`engine_reason` says why)."""
LITERT_REVISION = 2
"""Raised when the LiteRT engine's landmarks change (2: MediaPipe's crops, borders and
depth scale), so that its older caches are not reused."""


def engine_reason(engine: str) -> str:
    """Why ``engine`` made the landmarks, in a sentence (``summary.json`` and ``info``)."""
    if engine == DEFAULT_ENGINE == "litert":
        return (
            "the default: the Face Landmarker's own networks run directly with LiteRT, "
            "faster than MediaPipe's graph"
        )
    if engine == DEFAULT_ENGINE:
        return f"the default on this machine: {LITERT_MISSING}"
    if engine == "mediapipe":
        return "chosen (--engine mediapipe): MediaPipe's own graph, the reference"
    return f"chosen (--engine {engine})"


def engine_version(engine: str) -> str:
    """What makes ``engine``'s landmarks what they are: MediaPipe's version, or the
    LiteRT engine's revision and LiteRT's version (part of the landmark cache's key)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        if engine == "litert":
            return f"{LITERT_REVISION}+litert{version('ai-edge-litert')}"
        return version("mediapipe")
    except PackageNotFoundError:
        return "unknown"


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


def open_landmarker(
    engine: str = DEFAULT_ENGINE,
    model_path: str | os.PathLike | None = None,
    *,
    max_faces: int = 4,
    min_confidence: float = 0.5,
):
    """A landmarker of the chosen engine (``"mediapipe"`` or ``"litert"``); both have
    ``detect(frame) -> FaceFrame``, ``blendshape_names``, ``model`` and ``close()``."""
    if engine == "mediapipe":
        return Landmarker(model_path, max_faces=max_faces, min_confidence=min_confidence)
    if engine == "litert":
        from .litert import LiteRTLandmarker

        return LiteRTLandmarker(model_path, max_faces=max_faces, min_confidence=min_confidence)
    raise HFSDetectError(f"unknown landmark engine {engine!r}: choose {' or '.join(ENGINES)}")


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

    def detect(self, frame: Frame) -> FaceFrame:
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

    def detect_frames(self, frames: Iterable[Frame]) -> Iterator[FaceFrame]:
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


def _frames(source: VideoFileSource, mirrored: bool) -> Iterator[Frame]:
    """The source's frames, un-mirrored when the recording is a mirror image."""
    if not mirrored:
        yield from source
        return
    import cv2

    for frame in source:
        yield Frame(frame.index, frame.time_s, cv2.flip(frame.rgb, 1))


def _progress(total: int | None, name: str, enabled: bool, position: int = 0):
    from tqdm import tqdm

    return tqdm(
        total=total, desc=name, unit="frame", disable=not enabled, leave=False,
        dynamic_ncols=True, position=position,
    )  # fmt: skip


def extract_landmarks(
    source: VideoFileSource,
    *,
    mirrored: bool = False,
    model_path: str | os.PathLike | None = None,
    max_faces: int = 4,
    min_confidence: float = 0.5,
    progress: bool = False,
    progress_position: int = 0,
    engine: str = DEFAULT_ENGINE,
) -> LandmarkTrack:
    """Run the landmarker (of ``engine``) over every frame of ``source`` and return the track."""
    builder = TrackBuilder()
    landmarker = open_landmarker(
        engine, model_path, max_faces=max_faces, min_confidence=min_confidence
    )
    with landmarker:
        # after MediaPipe's import (they would queue on the import lock), during inference
        preload_in_background("pandas", "pyarrow.parquet")
        with _progress(source.n_frames_hint, source.name, progress, progress_position) as bar:
            for face_frame in landmarker.detect_frames(prefetch(_frames(source, mirrored))):
                builder.append(face_frame)
                bar.update()
        names = landmarker.blendshape_names or []
        model = landmarker.model
    return builder.build(track_meta(source, names, model.path, engine))


def track_meta(
    source, blendshape_names: list[str], model_path: str | os.PathLike, engine: str
) -> dict:
    """What a track records of its source, model and engine (a file or a camera alike)."""
    return {
        "engine": engine,
        "width": source.width,
        "height": source.height,
        "fps_nominal": source.fps,
        "rotation_deg": getattr(source, "rotation_deg", 0.0),
        "n_timestamps_repaired": getattr(source, "n_timestamps_repaired", 0),
        "blendshape_names": blendshape_names,
        "model_path": str(model_path),
    }
