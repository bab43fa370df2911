"""How an output was made: versions, model, time, command."""

from __future__ import annotations

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
