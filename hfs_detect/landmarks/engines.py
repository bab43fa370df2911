"""The landmark engines, the default one, and a video's landmarks from either.

The model is :mod:`hfs_detect.landmarks.model_file`'s ``face_landmarker.task``.
Two engines run it: its three networks run directly with LiteRT
(:mod:`hfs_detect.landmarks.litert`, ``engine="litert"``, the default wherever
``ai-edge-litert`` installs), and MediaPipe's Tasks API
(:mod:`hfs_detect.landmarks.mediapipe_tasks`, ``engine="mediapipe"``, the
reference). :func:`open_landmarker` makes either, and :func:`extract_landmarks`
runs one over a video. Both follow one subject through a video
(:mod:`hfs_detect.landmarks.follow`): at the start, the largest and most
central face; then the face nearest to the subject's last position.
"""

from __future__ import annotations

import os

from .._checks import HFSDetectError
from .._lazy import preload_in_background
from .model_file import (
    MODEL_ENV_VAR,
    MODEL_SHA256,
    ModelInfo,
    default_model_path,
    resolve_model,
)
from .sources import VideoFileSource, prefetch, unmirrored
from .track import FaceLandmarks, LandmarkTrack, TrackBuilder

__all__ = [
    "MODEL_SHA256",
    "MODEL_ENV_VAR",
    "FaceLandmarks",
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
(:mod:`hfs_detect.landmarks.litert`)."""


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


def open_landmarker(
    engine: str = DEFAULT_ENGINE,
    model: str | os.PathLike | ModelInfo | None = None,
    *,
    max_faces: int = 4,
    min_confidence: float = 0.5,
):
    """A landmarker of the chosen engine (``"mediapipe"`` or ``"litert"``); both have
    ``detect(frame) -> FaceLandmarks``, ``detect_frames(frames)``, ``blendshape_names``,
    ``model`` and ``close()``. ``model``: a model file or one already resolved
    (:func:`~hfs_detect.landmarks.model_file.resolve_model`); the shipped one by default."""
    if engine == "mediapipe":
        from .mediapipe_tasks import Landmarker

        return Landmarker(model, max_faces=max_faces, min_confidence=min_confidence)
    if engine == "litert":
        from .litert import LiteRTLandmarker

        return LiteRTLandmarker(model, max_faces=max_faces, min_confidence=min_confidence)
    raise HFSDetectError(f"unknown landmark engine {engine!r}: choose {' or '.join(ENGINES)}")


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
    model: str | os.PathLike | ModelInfo | None = None,
    max_faces: int = 4,
    min_confidence: float = 0.5,
    progress: bool = False,
    progress_position: int = 0,
    engine: str = DEFAULT_ENGINE,
) -> LandmarkTrack:
    """Run the landmarker (of ``engine``) over every frame of ``source`` and return the track."""
    builder = TrackBuilder()
    landmarker = open_landmarker(engine, model, max_faces=max_faces, min_confidence=min_confidence)
    with landmarker:
        # after MediaPipe's import (they would queue on the import lock), during inference
        preload_in_background("pandas", "pyarrow.parquet")
        with _progress(source.n_frames_hint, source.name, progress, progress_position) as bar:
            for face_frame in landmarker.detect_frames(prefetch(unmirrored(source, mirrored))):
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
        "timing_note": getattr(source, "timing_note", None),
        "blendshape_names": blendshape_names,
        "model_path": str(model_path),
    }
