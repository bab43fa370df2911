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
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .._atomic import atomic_path
from ..face_mesh import N_BLENDSHAPES, N_LANDMARKS

__all__ = [
    "FaceLandmarks",
    "LandmarkTrack",
    "TrackBuilder",
    "video_fingerprint",
    "save_track",
    "load_track",
]


@dataclass(frozen=True)
class FaceLandmarks:
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
CHUNK_FRAMES = 512
"""Frames whose landmarks are held in memory at once (about 3 MB) while a track is
built, written, read or turned into signals: memory stays flat in video length."""
_ROW_BYTES = N_LANDMARKS * 3 * 4  # one frame's float32 landmarks


@dataclass
class LandmarkTrack:
    """All frames of one video after the landmark stage.

    Attributes
    ----------
    time_s : (n,) float64
    index : (n,) int64
    landmarks : (n, 478, 3) float32, NaN where the subject was not found
        An array in memory, or mapped from a file (a long video's landmarks
        are kept on disk, not in memory; read them in pieces with
        :meth:`landmark_chunks`).
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
        """(n,) bool: whether the subject was found (with a head pose). Landmarks
        mapped from a file are not read for it: the matrices, kept in memory, tell."""
        found = ~np.isnan(self.matrices[:, 0, 0])
        if _mapped_file(self.landmarks) is None:
            found &= ~np.isnan(self.landmarks[:, 0, 0])
        return found

    def __len__(self) -> int:
        return len(self.time_s)

    def landmark_chunks(self, size: int = CHUNK_FRAMES) -> Iterator[tuple[int, np.ndarray]]:
        """``(first row, landmarks)`` pieces of at most ``size`` frames, in order.

        A track mapped from a file is read with plain reads, piece by piece, so
        the process never holds more than one piece (a mapping would keep every
        page it touched).
        """
        n = len(self)
        source = _mapped_file(self.landmarks)
        for start in range(0, n, size):
            stop = min(n, start + size)
            if source is None:
                yield start, np.asarray(self.landmarks[start:stop])
                continue
            handle, offset = source
            size_bytes, at = (stop - start) * _ROW_BYTES, offset + start * _ROW_BYTES
            data = os.pread(handle.fileno(), size_bytes, at)
            yield start, np.frombuffer(data, np.float32).reshape(stop - start, N_LANDMARKS, 3)

    def face_frame(self, i: int) -> FaceLandmarks:
        """Frame ``i`` as the landmark stage gave it."""
        face = bool(self.face[i])
        return FaceLandmarks(
            int(self.index[i]), float(self.time_s[i]),
            np.asarray(self.landmarks[i]) if face else None,
            self.blendshapes[i] if face else None,
            self.matrices[i] if face else None, int(self.n_faces[i]),
        )  # fmt: skip


def _mapped_file(landmarks: np.ndarray):
    """``(open file, byte offset)`` behind a track's mapped landmarks, or None."""
    return getattr(landmarks, "_hfs_source", None)


class _MappedLandmarks(np.memmap):
    """Landmarks mapped from a file, which remember the file for plain reads."""

    _hfs_source = None


def _map_landmarks(handle, offset: int, n: int) -> np.ndarray:
    if n == 0:
        handle.close()
        return np.empty((0, N_LANDMARKS, 3), np.float32)
    mapped = _MappedLandmarks(handle, np.float32, "r", offset, (n, N_LANDMARKS, 3))
    mapped._hfs_source = (handle, offset)
    return mapped


class TrackBuilder:
    """Collects :class:`FaceLandmarks` objects into a :class:`LandmarkTrack`.

    The landmarks go to an unnamed temporary file every :data:`CHUNK_FRAMES`
    frames (5.7 KB a frame: 100 MB for ten minutes at 30 fps), so building a
    long video's track does not grow memory; the track maps them from there.
    """

    def __init__(self) -> None:
        self._time_s: list[float] = []
        self._index: list[int] = []
        self._n_faces: list[int] = []
        self._blendshapes: list[np.ndarray] = []
        self._matrices: list[np.ndarray] = []
        self._pending: list[np.ndarray | None] = []
        self._spill = None

    def append(self, face_frame: FaceLandmarks) -> None:
        """Add the next frame."""
        f = face_frame
        self._time_s.append(f.time_s)
        self._index.append(f.index)
        self._n_faces.append(f.n_faces)
        found = f.landmarks is not None
        blend = f.blendshapes if found and f.blendshapes is not None else None
        matrix = f.matrix if found and f.matrix is not None else None
        blend = _NO_BLENDSHAPES if blend is None else np.asarray(blend, np.float32)
        self._blendshapes.append(blend)
        # no head pose, no measures: such a frame counts as one without the face
        self._matrices.append(_NO_MATRIX if matrix is None else np.asarray(matrix, np.float32))
        self._pending.append(f.landmarks if found else None)
        if len(self._pending) >= CHUNK_FRAMES:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        block = np.full((len(self._pending), N_LANDMARKS, 3), np.nan, np.float32)
        for row, points in enumerate(self._pending):
            if points is not None:
                block[row] = points
        if self._spill is None:
            self._spill = tempfile.TemporaryFile(prefix="hfs-detect-landmarks-")
        self._spill.write(block.tobytes())
        self._pending = []

    def build(self, meta: dict) -> LandmarkTrack:
        """The track of the frames collected so far (its landmarks mapped from disk)."""
        self._flush()
        n = len(self._time_s)
        if self._spill is not None:
            self._spill.flush()
            landmarks = _map_landmarks(self._spill, 0, n)
        else:
            landmarks = np.empty((0, N_LANDMARKS, 3), np.float32)
        return LandmarkTrack(
            time_s=np.array(self._time_s, np.float64),
            index=np.array(self._index, np.int64),
            landmarks=landmarks,
            blendshapes=np.array(self._blendshapes, np.float32).reshape(n, N_BLENDSHAPES),
            matrices=np.array(self._matrices, np.float32).reshape(n, 4, 4),
            n_faces=np.array(self._n_faces, np.int16),
            meta=meta,
        )


_NO_BLENDSHAPES = np.full(N_BLENDSHAPES, np.nan, np.float32)
_NO_MATRIX = np.full((4, 4), np.nan, np.float32)


def video_fingerprint(path: str | os.PathLike) -> dict:
    """Size and sha256 of the first MiB: enough to notice a different file."""
    path = Path(path)
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    return {"size_bytes": path.stat().st_size, "head_sha256": hashlib.sha256(head).hexdigest()}


def save_track(path: str | os.PathLike, track: LandmarkTrack) -> None:
    """Write the track as an ``.npz`` (atomically).

    Uncompressed (landmark floats shrink by only ~4% under zlib, which costs
    seconds on long videos), and the landmarks are copied in pieces
    (:meth:`LandmarkTrack.landmark_chunks`), so writing a long video's cache
    does not grow memory. ``numpy.load`` reads it as any ``.npz``.
    """
    meta = dict(track.meta, cache_format=CACHE_FORMAT)
    small = {
        "time_s": track.time_s, "index": track.index, "blendshapes": track.blendshapes,
        "matrices": track.matrices, "n_faces": track.n_faces, "meta": np.array(json.dumps(meta)),
    }  # fmt: skip
    with atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as bundle:
            for name, values in small.items():
                with bundle.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asarray(values), allow_pickle=False)
            with bundle.open("landmarks.npy", "w", force_zip64=True) as member:
                shape = (len(track), N_LANDMARKS, 3)
                header = {"descr": "<f4", "fortran_order": False, "shape": shape}
                np.lib.format.write_array_header_1_0(member, header)
                for _, block in track.landmark_chunks():
                    member.write(np.ascontiguousarray(block, "<f4").tobytes())


def load_track_meta(path: str | os.PathLike) -> dict | None:
    """The metadata of a cached track only (cheap), or None if it cannot be read."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return json.loads(str(data["meta"]))
    except (OSError, ValueError, KeyError, json.JSONDecodeError, EOFError, zipfile.BadZipFile):
        return None


def load_track(path: str | os.PathLike) -> LandmarkTrack | None:
    """Read a cached track, or None if the file is missing or unreadable.

    The landmarks stay on disk, mapped from the file (see :class:`LandmarkTrack`).
    """
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("cache_format") != CACHE_FORMAT:
                return None
            small = {name: data[name] for name in ("time_s", "index", "blendshapes",
                                                   "matrices", "n_faces")}  # fmt: skip
        landmarks = _mapped_member(path, "landmarks.npy", len(small["time_s"]))
        return LandmarkTrack(landmarks=landmarks, meta=meta, **small)
    except (OSError, ValueError, KeyError, json.JSONDecodeError, EOFError, zipfile.BadZipFile):
        return None


def _mapped_member(path, name: str, n: int) -> np.ndarray:
    """An uncompressed ``.npz`` member of landmarks, mapped where it lies in the file."""
    with zipfile.ZipFile(path) as bundle:
        info = bundle.getinfo(name)
    if info.compress_type != zipfile.ZIP_STORED:
        raise ValueError(f"{name} is compressed")
    handle = open(path, "rb")  # kept open by the mapping
    try:
        handle.seek(info.header_offset)
        local = handle.read(30)  # the member's local header: names its own lengths
        if local[:4] != b"PK\x03\x04":
            raise ValueError("not a zip member")
        name_length, extra_length = (
            int.from_bytes(local[26:28], "little"),
            int.from_bytes(local[28:30], "little"),
        )
        handle.seek(info.header_offset + 30 + name_length + extra_length)
        version = np.lib.format.read_magic(handle)
        if version != (1, 0):  # what numpy and save_track write
            raise ValueError(f"npy format {version}")
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(handle)
        if shape != (n, N_LANDMARKS, 3) or fortran_order or dtype != np.dtype("<f4"):
            raise ValueError("unexpected landmark array")
        return _map_landmarks(handle, handle.tell(), n)
    except BaseException:
        handle.close()
        raise
