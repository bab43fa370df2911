"""Stage 1, video -> landmarks: frame sources, the two engines, following one subject,
the landmark track and its cache, and the model file.

- :mod:`~hfs_detect.landmarks.sources`: a video file or a camera, as frames;
- :mod:`~hfs_detect.landmarks.engines`: which engine runs (:data:`DEFAULT_ENGINE`),
  :func:`open_landmarker` and :func:`extract_landmarks`;
- :mod:`~hfs_detect.landmarks.litert` (the default) and
  :mod:`~hfs_detect.landmarks.mediapipe_tasks` (the reference): the engines;
- :mod:`~hfs_detect.landmarks.follow`: whom to follow when several faces are in view;
- :mod:`~hfs_detect.landmarks.track`: a video's landmarks, and the landmark cache;
- :mod:`~hfs_detect.landmarks.model_file`: the shipped model and its sha256.
"""

from .engines import (
    DEFAULT_ENGINE,
    ENGINES,
    LITERT_MISSING,
    engine_reason,
    engine_version,
    extract_landmarks,
    open_landmarker,
    track_meta,
)
from .model_file import MODEL_ENV_VAR, MODEL_SHA256, ModelInfo, default_model_path, resolve_model
from .sources import Frame, open_camera, open_video
from .track import FaceLandmarks, LandmarkTrack

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "LITERT_MISSING",
    "MODEL_ENV_VAR",
    "MODEL_SHA256",
    "FaceLandmarks",
    "Frame",
    "LandmarkTrack",
    "Landmarker",
    "ModelInfo",
    "default_model_path",
    "engine_reason",
    "engine_version",
    "extract_landmarks",
    "open_camera",
    "open_landmarker",
    "open_video",
    "resolve_model",
    "track_meta",
]


def __getattr__(name: str):
    if name == "Landmarker":  # MediaPipe's engine, made when asked for
        from .mediapipe_tasks import Landmarker

        return Landmarker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
