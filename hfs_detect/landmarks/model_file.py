"""The face landmark model: where it lies, and the check that it is the shipped one.

The model ``face_landmarker.task`` ships with the package (``models/`` in the
repository) and is checked against its sha256 when it is loaded. ``--model``
or the environment variable ``HFS_DETECT_MODEL`` point to another file. Both
landmark engines (:mod:`hfs_detect.landmarks`, :mod:`hfs_detect.landmarks.litert`) read it.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .._checks import HFSDetectError

__all__ = [
    "MODEL_SHA256",
    "MODEL_ENV_VAR",
    "ModelInfo",
    "default_model_path",
    "file_sha256",
    "resolve_model",
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
    candidates.append(Path(__file__).resolve().parents[2] / "models" / MODEL_FILENAME)
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


def resolve_model(model_path: str | os.PathLike | ModelInfo | None = None) -> ModelInfo:
    """Find the model to use and check it (once: a resolved model is taken as it is).

    Parameters
    ----------
    model_path : path-like or ModelInfo, optional
        A model file, or a model already resolved. Default: ``$HFS_DETECT_MODEL``
        if set, else the shipped model.

    Returns
    -------
    ModelInfo

    Raises
    ------
    HFSDetectError
        If the file is missing, or is the shipped model with a wrong checksum
        (a damaged or incomplete copy).
    """
    if isinstance(model_path, ModelInfo):
        return model_path
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
