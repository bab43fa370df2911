"""A video's landmarks as arrays, and the landmark cache on disk.

The cache (``landmarks.npz`` in the output folder) holds every
frame's landmarks, blendshapes and transformation matrix with provenance: the
model's sha256, the package and MediaPipe versions, the video's size and a hash
of its first MiB, and whether the input was declared mirrored. A rerun with
other analysis parameters reads it instead of running the model again, if
everything in that provenance still matches.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._atomic import atomic_path
from .face_mesh import N_LANDMARKS

__all__ = [
    "FaceFrame",
    "LandmarkTrack",
    "TrackBuilder",
    "video_fingerprint",
    "save_track",
    "load_track",
]

N_BLENDSHAPES = 52


@dataclass(frozen=True)
class FaceFrame:
    """The landmark stage's result for one frame.

    Attributes
    ----------
    index : int
    time_s : float
    landmarks : numpy.ndarray or None
        ``(478, 3)`` float32: x, y normalised to the image width and height,
        z in the same scale as x (MediaPipe's convention). None if the subject
        was not found in this frame.
    blendshapes : numpy.ndarray or None
        ``(52,)`` float32 scores in MediaPipe's category order.
    matrix : numpy.ndarray or None
        ``(4, 4)`` facial transformation matrix (canonical face -> camera).
    n_faces : int
        Faces seen: 1 where the subject was simply tracked, every face in
        view where a search for the subject ran (see :class:`Landmarker`).
    """

    index: int
    time_s: float
    landmarks: np.ndarray | None
    blendshapes: np.ndarray | None
    matrix: np.ndarray | None
    n_faces: int

    @property
    def face(self) -> bool:
        """Whether the subject was found."""
        return self.landmarks is not None


CACHE_FORMAT = 1
HEAD_BYTES = 1 << 20


@dataclass
class LandmarkTrack:
    """All frames of one video after the landmark stage.

    Attributes
    ----------
    time_s : (n,) float64
    index : (n,) int64
    landmarks : (n, 478, 3) float32, NaN where the subject was not found
    blendshapes : (n, 52) float32, NaN where not found
    matrices : (n, 4, 4) float32, NaN where not found
    n_faces : (n,) int16
        Faces the landmarker saw: 1 (or 0) where the subject was simply
        tracked; every face in view where a search for the subject ran.
    meta : dict
        Provenance and video properties (width, height, ...).
    """

    time_s: np.ndarray
    index: np.ndarray
    landmarks: np.ndarray
    blendshapes: np.ndarray
    matrices: np.ndarray
    n_faces: np.ndarray
    meta: dict = field(default_factory=dict)

    @property
    def face(self) -> np.ndarray:
        """(n,) bool: whether the subject was found."""
        return ~np.isnan(self.landmarks[:, 0, 0])

    def __len__(self) -> int:
        return len(self.time_s)

    def face_frame(self, i: int) -> FaceFrame:
        """Frame ``i`` as the landmark stage gave it."""
        face = bool(self.face[i])
        return FaceFrame(
            int(self.index[i]), float(self.time_s[i]),
            self.landmarks[i] if face else None, self.blendshapes[i] if face else None,
            self.matrices[i] if face else None, int(self.n_faces[i]),
        )  # fmt: skip


class TrackBuilder:
    """Collects :class:`FaceFrame` objects into a :class:`LandmarkTrack`."""

    def __init__(self) -> None:
        self._frames: list[FaceFrame] = []

    def append(self, face_frame: FaceFrame) -> None:
        """Add the next frame."""
        self._frames.append(face_frame)

    def build(self, meta: dict) -> LandmarkTrack:
        """Stack the frames collected so far."""
        frames = self._frames
        n = len(frames)
        landmarks = np.full((n, N_LANDMARKS, 3), np.nan, np.float32)
        blendshapes = np.full((n, N_BLENDSHAPES), np.nan, np.float32)
        matrices = np.full((n, 4, 4), np.nan, np.float32)
        for row, f in enumerate(frames):
            if f.landmarks is not None:
                landmarks[row] = f.landmarks
                if f.blendshapes is not None:
                    blendshapes[row] = f.blendshapes
                if f.matrix is not None:
                    matrices[row] = f.matrix
        return LandmarkTrack(
            time_s=np.array([f.time_s for f in frames], np.float64),
            index=np.array([f.index for f in frames], np.int64),
            landmarks=landmarks,
            blendshapes=blendshapes,
            matrices=matrices,
            n_faces=np.array([f.n_faces for f in frames], np.int16),
            meta=meta,
        )


def video_fingerprint(path: str | os.PathLike) -> dict:
    """Size and sha256 of the first MiB: enough to notice a different file."""
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    return {"size_bytes": path.stat().st_size, "head_sha256": hashlib.sha256(head).hexdigest()}


def save_track(path: str | os.PathLike, track: LandmarkTrack) -> None:
    """Write the track as an ``.npz`` (atomically; uncompressed: landmark
    floats shrink by only ~4% under zlib, which costs seconds on long videos)."""
    meta = dict(track.meta, cache_format=CACHE_FORMAT)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.savez(
                handle,
                time_s=track.time_s,
                index=track.index,
                landmarks=track.landmarks,
                blendshapes=track.blendshapes,
                matrices=track.matrices,
                n_faces=track.n_faces,
                meta=np.array(json.dumps(meta)),
            )


def load_track_meta(path: str | os.PathLike) -> dict | None:
    """The metadata of a cached track only (cheap), or None if it cannot be read."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return json.loads(str(data["meta"]))
    except (OSError, ValueError, KeyError, json.JSONDecodeError, EOFError):
        return None


def load_track(path: str | os.PathLike) -> LandmarkTrack | None:
    """Read a cached track, or None if the file is missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("cache_format") != CACHE_FORMAT:
                return None
            return LandmarkTrack(
                time_s=data["time_s"],
                index=data["index"],
                landmarks=data["landmarks"],
                blendshapes=data["blendshapes"],
                matrices=data["matrices"],
                n_faces=data["n_faces"],
                meta=meta,
            )
    except (OSError, ValueError, KeyError, json.JSONDecodeError, EOFError):
        return None
