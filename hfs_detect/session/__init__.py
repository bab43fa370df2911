"""Stage 5, the session layer: one recording analysed, from frames to the outputs.

- :mod:`~hfs_detect.session.settings`: :class:`Settings`, how a recording is
  analysed, one object through every door (TOML in and out);
- :mod:`~hfs_detect.session.runner`: the one per-frame chain (landmarks -> signals ->
  rest -> detector) that a file, a camera and a replay all go through, and what
  finishes an analysis;
- :mod:`~hfs_detect.session.analyze`: :func:`analyze_video`, one recorded video;
- :mod:`~hfs_detect.session.summary`: :class:`Summary`, ``summary.json`` typed;
- :mod:`~hfs_detect.session.outputs`: the output contract, :class:`Analysis`,
  written and read (:func:`load_analysis`);
- :mod:`~hfs_detect.session.statistics`: a session's figures and verdict;
- :mod:`~hfs_detect.session.grading`: the clinical scales' video proxies;
- :mod:`~hfs_detect.session.protocol`: guided steps and provocations.

The drivers (the command line, live, batch, report, review) go through this layer
and the shared vocabulary (:mod:`hfs_detect.events`), never a stage directly:
what they need of the stages (sources of frames, rest intervals, frame
durations, the engines' names) is named here.
"""

from ..landmarks.engines import DEFAULT_ENGINE, ENGINES, engine_reason
from ..landmarks.litert import THREADS_ENV_VAR, default_threads
from ..landmarks.model_file import resolve_model
from ..landmarks.sources import CameraSource, Frame, open_camera, open_video, unmirrored
from ..landmarks.track import load_track, video_fingerprint
from ..rest import parse_intervals, rest_segments
from ..signals import frame_durations, rest_contraction
from .analyze import analyze_video
from .outputs import (
    CACHE_NAME,
    Analysis,
    check_same_video,
    load_analysis,
    load_session,
    read_summary,
    to_json,
    write_outputs,
)
from .runner import SessionRunner, redetect
from .settings import (
    BlinkParams,
    DetectorParams,
    GradingParams,
    RestParams,
    SessionSettings,
    Settings,
    VerdictParams,
)
from .summary import Grading, LiveTiming, Mark, Provenance, Recording, Statistics, Summary

__all__ = [
    "Analysis",
    "BlinkParams",
    "CACHE_NAME",
    "CameraSource",
    "DEFAULT_ENGINE",
    "DetectorParams",
    "ENGINES",
    "Frame",
    "Grading",
    "GradingParams",
    "LiveTiming",
    "Mark",
    "Provenance",
    "Recording",
    "RestParams",
    "SessionRunner",
    "SessionSettings",
    "Settings",
    "Statistics",
    "Summary",
    "THREADS_ENV_VAR",
    "VerdictParams",
    "analyze_video",
    "redetect",
    "check_same_video",
    "default_threads",
    "engine_reason",
    "frame_durations",
    "load_analysis",
    "load_session",
    "load_track",
    "open_camera",
    "open_video",
    "parse_intervals",
    "resolve_model",
    "rest_contraction",
    "read_summary",
    "rest_segments",
    "to_json",
    "unmirrored",
    "video_fingerprint",
    "write_outputs",
]
