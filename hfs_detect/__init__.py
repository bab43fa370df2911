"""hfs-detect: hemifacial spasm screening from video with MediaPipe face landmarks.

``import hfs_detect`` loads no model, opens no camera and writes no file; the
public functions import what they need when called.

A screening and research aid, not a diagnosis.
"""

from __future__ import annotations

__version__ = "0.3.0"

__all__ = [
    "__version__",
    "HFSDetectError",
    "analyze_video",
    "Analysis",
    "Event",
    "open_video",
    "open_camera",
    "Landmarker",
    "open_landmarker",
    "SessionRunner",
    "SessionSettings",
    "Settings",
    "Summary",
    "load_analysis",
    "compute_signals",
    "run_live",
    "load_protocol",
    "run_batch",
    "write_report",
    "compare_sessions",
]

_LAZY = {
    "HFSDetectError": "._checks",
    "analyze_video": ".session",
    "Analysis": ".session",
    "Event": ".events",
    "open_video": ".landmarks",
    "open_camera": ".landmarks",
    "Landmarker": ".landmarks",
    "open_landmarker": ".landmarks",
    "SessionRunner": ".session",
    "SessionSettings": ".session",
    "Settings": ".session",
    "Summary": ".session",
    "load_analysis": ".session",
    "compute_signals": ".signals",
    "run_live": ".live",
    "load_protocol": ".session.protocol",
    "run_batch": ".batch",
    "write_report": ".report",
    "compare_sessions": ".review.compare",
}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'hfs_detect' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
