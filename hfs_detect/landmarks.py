"""Facial landmarks with MediaPipe Face Landmarker: the model, and one subject.

The model ``face_landmarker.task`` ships with the package (``models/`` in the
repository) and is checked against its sha256 when it is loaded. ``--model``
or the environment variable ``HFS_DETECT_MODEL`` point to another file.

The landmarker runs in VIDEO mode (it tracks the face from frame to frame) and
returns, per frame, 478 landmarks, 52 blendshape scores and the facial
transformation matrix (head pose). One subject is followed through a video:
at the start, the largest and most central face; then the face nearest to the
subject's last position. If the subject is missing for longer than
``reacquire_after_s``, the next largest and most central face is taken.
See :class:`Landmarker` for how this stays as fast as MediaPipe alone.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import sys
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ._checks import HFSDetectError, check_number
from ._lazy import preload_in_background
from .face_mesh import N_LANDMARKS
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
    "track_meta",
]

MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
"""sha256 of the shipped ``face_landmarker.task`` (MediaPipe Face Landmarker v1, float16)."""

MODEL_ENV_VAR = "HFS_DETECT_MODEL"
MODEL_FILENAME = "face_landmarker.task"


@dataclass(frozen=True)
class ModelInfo:
    """The model file in use and whether it is the shipped, checked one."""

    path: Path
    sha256: str
    shipped: bool


def default_model_path() -> Path:
    """Where the shipped model lies (installed package or source checkout)."""
    candidates = []
    try:
        from importlib.resources import files

        candidates.append(Path(str(files("hfs_detect.models") / MODEL_FILENAME)))
    except (ModuleNotFoundError, TypeError):
        pass
    candidates.append(Path(__file__).resolve().parents[1] / "models" / MODEL_FILENAME)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return candidates[-1]


@lru_cache(maxsize=8)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    # size and mtime_ns are only cache keys: a changed file is hashed again
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_sha256(path: str | os.PathLike) -> str:
    """sha256 of a file (memoised while the file is unchanged)."""
    path = Path(path)
    stat = path.stat()
    return _sha256(path.resolve(), stat.st_size, stat.st_mtime_ns)


def resolve_model(model_path: str | os.PathLike | None = None) -> ModelInfo:
    """Find the model to use and check it.

    Parameters
    ----------
    model_path : path-like, optional
        A model file. Default: ``$HFS_DETECT_MODEL`` if set, else the shipped model.

    Returns
    -------
    ModelInfo

    Raises
    ------
    HFSDetectError
        If the file is missing, or is the shipped model with a wrong checksum
        (a damaged or incomplete copy).
    """
    chosen = model_path or os.environ.get(MODEL_ENV_VAR) or None
    path = Path(chosen) if chosen else default_model_path()
    if path.is_dir():
        raise HFSDetectError(
            f"the face landmark model must be a .task file, not a folder: {path} "
            f"(for example {path / default_model_path().name})"
        )
    if not path.is_file():
        where = "" if chosen else f" (set --model or {MODEL_ENV_VAR})"
        raise HFSDetectError(f"face landmark model not found: {path}{where}")
    sha = file_sha256(path)
    shipped = chosen is None
    if shipped and sha != MODEL_SHA256:
        raise HFSDetectError(
            f"the shipped model {path} is damaged: sha256 {sha[:12]}..., "
            f"expected {MODEL_SHA256[:12]}... (restore it from the repository)"
        )
    return ModelInfo(path=path, sha256=sha, shipped=shipped or sha == MODEL_SHA256)


@contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Hide MediaPipe's native start-up log lines (absl/TFLite write to fd 2).

    No environment variable turns them off in MediaPipe 1.x. Python-level
    errors are unaffected: they are raised as exceptions.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


@dataclass(frozen=True)
class _Face:
    points: np.ndarray  # (478, 3)
    blendshapes: np.ndarray | None
    matrix: np.ndarray | None


def _faces(result) -> list[_Face]:
    """MediaPipe's result as arrays, one entry per face."""
    faces = []
    for k, face in enumerate(result.face_landmarks):
        points = np.array([(p.x, p.y, p.z) for p in face], dtype=np.float32)[:N_LANDMARKS]
        blend = result.face_blendshapes[k] if result.face_blendshapes else None
        scores = np.array([c.score for c in blend], dtype=np.float32) if blend else None
        matrices = result.facial_transformation_matrixes
        matrix = np.asarray(matrices[k], dtype=np.float32) if matrices else None
        faces.append(_Face(points, scores, matrix))
    return faces


_OPEN: weakref.WeakSet = weakref.WeakSet()


@atexit.register
def _close_open_landmarkers() -> None:
    """Close landmarkers left open, before MediaPipe's own clean-up fails at exit."""
    for landmarker in list(_OPEN):
        landmarker.close()


class Landmarker:
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

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        *,
        max_faces: int = 4,
        min_confidence: float = 0.5,
        reacquire_after_s: float = 1.0,
    ):
        check_number("max_faces", max_faces, minimum=1, maximum=8, integer=True)
        check_number("min_confidence", min_confidence, minimum=0.0, maximum=1.0)
        check_number("reacquire_after_s", reacquire_after_s, minimum=0.0)
        self.model = resolve_model(model_path)
        self.max_faces = int(max_faces)
        self.min_confidence = float(min_confidence)
        self.reacquire_after_s = float(reacquire_after_s)
        self._tracker = self._create(video=True, num_faces=1)
        _OPEN.add(self)
        self._finder = None  # the multi-face search, made when first needed
        self._last_ms = -1
        self._quiet_calls = {"tracker": True, "finder": True}
        self._last_center: np.ndarray | None = None
        self._last_width = 0.0
        self._last_seen_s = -np.inf
        self.n_searches = 0
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
            with _native_stderr_silenced():
                return vision.FaceLandmarker.create_from_options(options)
        except Exception as exc:  # MediaPipe raises RuntimeError/ValueError variants
            raise HFSDetectError(
                f"cannot load the face landmark model {self.model.path}: "
                f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            ) from None

    def _call(self, name: str, run, *args):
        if self._quiet_calls[name]:  # MediaPipe logs its delegate set-up on the first run
            self._quiet_calls[name] = False
            with _native_stderr_silenced():
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
        faces = _faces(result)
        if not faces:
            return FaceFrame(frame.index, frame.time_s, None, None, None, 0)
        following = self._following(frame.time_s)
        if self.max_faces > 1 and not (following and self._near_subject(faces[0], frame)):
            if self._finder is None:
                self._finder = self._create(video=False, num_faces=self.max_faces)
            self.n_searches += 1
            searched = self._call("finder", self._finder.detect, image)
            if searched.face_landmarks:
                result, faces = searched, _faces(searched)
        chosen = self._choose(faces, frame, following)
        if chosen is None:
            return FaceFrame(frame.index, frame.time_s, None, None, None, len(faces))
        face = faces[chosen]
        if self.blendshape_names is None and result.face_blendshapes:
            self.blendshape_names = [c.category_name for c in result.face_blendshapes[chosen]]
        return FaceFrame(
            frame.index, frame.time_s, face.points, face.blendshapes, face.matrix, len(faces)
        )

    def _following(self, time_s: float) -> bool:
        return (
            self._last_center is not None and time_s - self._last_seen_s <= self.reacquire_after_s
        )

    def _box(self, face: _Face, frame: Frame) -> tuple[np.ndarray, float, float]:
        """Centre (px), width and height of a face's landmarks."""
        height, width = frame.rgb.shape[:2]
        scale = np.array([width, height], dtype=np.float32)
        low, high = face.points[:, :2].min(0) * scale, face.points[:, :2].max(0) * scale
        return (low + high) / 2, float(high[0] - low[0]), float(high[1] - low[1])

    def _near_subject(self, face: _Face, frame: Frame) -> bool:
        center, width, _ = self._box(face, frame)
        return float(np.linalg.norm(center - self._last_center)) <= max(self._last_width, width)

    def _choose(self, faces: list[_Face], frame: Frame, following: bool) -> int | None:
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
) -> LandmarkTrack:
    """Run the landmarker over every frame of ``source`` and return the track."""
    builder = TrackBuilder()
    with Landmarker(model_path, max_faces=max_faces, min_confidence=min_confidence) as landmarker:
        # after MediaPipe's import (they would queue on the import lock), during inference
        preload_in_background("pandas", "pyarrow.parquet")
        with _progress(source.n_frames_hint, source.name, progress, progress_position) as bar:
            for frame in prefetch(_frames(source, mirrored)):
                builder.append(landmarker.detect(frame))
                bar.update()
        names = landmarker.blendshape_names or []
        model = landmarker.model
    return builder.build(track_meta(source, names, model.path))


def track_meta(source, blendshape_names: list[str], model_path: str | os.PathLike) -> dict:
    """What a track records of its source and model (a file or a camera alike)."""
    return {
        "width": source.width,
        "height": source.height,
        "fps_nominal": source.fps,
        "rotation_deg": getattr(source, "rotation_deg", 0.0),
        "n_timestamps_repaired": getattr(source, "n_timestamps_repaired", 0),
        "blendshape_names": blendshape_names,
        "model_path": str(model_path),
    }
