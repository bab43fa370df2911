"""Analyse one video end to end.

``analyze_video`` reads the video, finds the subject's landmarks in every
frame (or reads them from the landmark cache), runs the per-frame chain of a
:class:`~hfs_detect.runner.SessionRunner` over them and, when given an output
folder, writes the output contract: ``events.csv``, ``frames.csv``
(+ ``frames.parquet``), ``summary.json`` and the landmark cache ``landmarks.npz``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._checks import HFSDetectError, check_output_dir
from .detector import DetectorParams
from .landmarks import DEFAULT_ENGINE
from .outputs import CACHE_NAME, Analysis
from .protocol import (
    find_pursing,
    protocol_summary,
    step_statistics,
    step_warnings,
    steps_from_intervals,
)
from .rest import RestParams
from .runner import SessionRunner, SessionSettings
from .signals import frames_table
from .sources import open_video
from .verdict import VerdictParams

__all__ = ["analyze_video"]


def analyze_video(
    path: str | os.PathLike,
    out_dir: str | os.PathLike | None = None,
    *,
    mirrored: bool = False,
    engine: str = DEFAULT_ENGINE,
    model_path: str | os.PathLike | None = None,
    max_faces: int = 4,
    min_confidence: float = 0.5,
    use_cache: bool = True,
    parquet: bool = True,
    progress: bool = False,
    rest_intervals_s: list[tuple[float, float]] | None = None,
    rest_params: RestParams | None = None,
    detector_params: DetectorParams | None = None,
    verdict_params: VerdictParams | None = None,
    progress_position: int = 0,
    summary_extra: dict | None = None,
    steps: list[tuple[str, float, float]] | str | None = None,
) -> Analysis:
    """Analyse one recorded video.

    Parameters
    ----------
    path : path-like
        The video (any format FFmpeg reads).
    out_dir : path-like, optional
        Where to write the outputs. Checked for writing before any work.
    mirrored : bool
        The recording is a mirror image (selfie-style): the patient's left is
        on the image's left. Frames are flipped back before analysis, so sides
        stay anatomical.
    engine : {'mediapipe', 'litert'}
        The landmark engine: MediaPipe's Tasks API, or the same models run with
        LiteRT (:mod:`hfs_detect.litert`).
    model_path : path-like, optional
        Another face landmark model (default: the shipped one).
    max_faces : int
        Faces looked for per frame; see :class:`~hfs_detect.landmarks.Landmarker`.
    min_confidence : float
        MediaPipe's detection/tracking confidence.
    use_cache : bool
        Reuse ``out_dir/landmarks.npz`` when it was made from the same video,
        model and landmark options, and write it after a fresh run.
    parquet : bool
        Also write ``frames.parquet``.
    progress : bool
        Show a progress bar on stderr.
    rest_intervals_s : list of (float, float), optional
        Rest given by hand (a clinic protocol) instead of judged; see
        :func:`hfs_detect.rest.parse_intervals`.
    rest_params, detector_params, verdict_params : optional
        Thresholds of rest segmentation, the burst detector and the verdict
        (see :mod:`hfs_detect.rest`, :mod:`hfs_detect.detector`,
        :mod:`hfs_detect.verdict`); defaults when omitted.
    progress_position : int
        Line of the progress bar (for several bars at once, as in a batch).
    summary_extra : dict, optional
        More keys for ``summary.json`` (a batch records its inputs there).
    steps : list of (str, float, float) or "auto", optional
        Provocation steps of a clinic protocol, ``(kind, start_s, end_s)``
        (:func:`hfs_detect.protocol.parse_steps`), or ``"auto"`` to find the
        mouth pursing from the mouth's shape. Bursts during and just after them
        are reported per step and marked ``provoked``; those frames are not rest.

    Returns
    -------
    Analysis

    Raises
    ------
    HFSDetectError
        On bad input: a missing or undecodable video, an unwritable folder.
    """
    created = out_dir is not None and not Path(out_dir).exists()
    if out_dir is not None:
        out_dir = check_output_dir(out_dir)
    try:
        runner = SessionRunner(
            SessionSettings(
                mirrored=mirrored,
                engine=engine,
                model_path=model_path,
                max_faces=max_faces,
                min_confidence=min_confidence,
                rest_intervals_s=rest_intervals_s,
                rest=rest_params or RestParams(),
                detector=detector_params or DetectorParams(),
                verdict=verdict_params or VerdictParams(),
            )  # fmt: skip
        )
        with open_video(path) as source:
            track, from_cache = runner.landmarks(
                source,
                Path(out_dir) / CACHE_NAME if out_dir is not None and use_cache else None,
                progress=progress,
                progress_position=progress_position,
            )
        if len(track) == 0:
            raise HFSDetectError(f"cannot read {path}: no frame could be decoded")
        frames = frames_table(track)
        protocol = None
        if steps is not None:
            found = find_pursing(frames) if steps == "auto" else steps
            protocol = steps_from_intervals(found) if found else None
        runner.run_table(frames, protocol=protocol)
        analysis = runner.finish(track, frames, video=Path(path), from_cache=from_cache)
        if steps is not None:
            summary = analysis.summary
            summary["protocol"] = protocol_summary(protocol) if protocol else None
            summary["steps"] = (
                step_statistics(frames, frames["rest"].to_numpy(bool), runner.events, protocol)
                if protocol else []
            )  # fmt: skip
            if steps == "auto" and protocol is None:
                summary["warnings"].append("--steps auto found no mouth pursing in the video")
            if steps != "auto":
                summary["warnings"] += step_warnings(steps, float(frames["time_s"].iloc[-1]))
        analysis.summary.update(summary_extra or {})
        if out_dir is not None:
            analysis.write(out_dir, parquet=parquet)
        return analysis
    except BaseException:
        if created and out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()  # a failed run leaves no empty folder behind
        raise
