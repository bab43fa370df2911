"""How an output was made: versions, model, time, command."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime

__all__ = ["versions", "provenance"]


def versions() -> dict[str, str]:
    """Versions of the package and the libraries whose behaviour shapes results."""
    from importlib.metadata import PackageNotFoundError, version

    from . import __version__

    found = {"hfs_detect": __version__, "python": platform.python_version()}
    for name, dist in (
        ("mediapipe", "mediapipe"),
        ("litert", "ai-edge-litert"),
        ("opencv", "opencv-contrib-python"),
        ("numpy", "numpy"),
        ("pandas", "pandas"),
        ("scipy", "scipy"),
    ):
        try:
            found[name] = version(dist)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def provenance(model_path: str, model_sha256: str) -> dict:
    """A provenance record for an output."""
    return {
        "versions": versions(),
        "model": {"path": str(model_path), "sha256": model_sha256},
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv) if sys.argv and sys.argv[0] else None,
    }


def info_lines() -> list[str]:
    """What ``hfs-detect info`` prints: versions, the model and its check, video decoding."""
    lines: list[str] = []
    from .landmarks.engines import DEFAULT_ENGINE, MODEL_ENV_VAR, engine_reason, resolve_model

    for name, value in versions().items():
        lines.append(f"{name:<12} {value}")
    lines.append(f"{'engine':<12} {DEFAULT_ENGINE}, {engine_reason(DEFAULT_ENGINE)}")
    try:
        model = resolve_model(None)
        state = "ok (shipped model, sha256 checked)" if model.shipped else "custom model"
        lines.append(f"{'model':<12} {model.path}")
        lines.append(f"{'sha256':<12} {model.sha256} {state}")
    except Exception as exc:  # report, do not fail: info is for diagnosing
        lines.append(f"{'model':<12} PROBLEM: {exc}")
    if os.environ.get(MODEL_ENV_VAR):
        lines.append(f"{MODEL_ENV_VAR:<12} {os.environ[MODEL_ENV_VAR]}")
    import cv2

    build = cv2.getBuildInformation()
    ffmpeg = (
        "yes" if any("FFMPEG" in line and "YES" in line for line in build.splitlines()) else "no"
    )
    lines.append(f"{'ffmpeg':<12} {ffmpeg} (video decoding through OpenCV)")
    return lines
