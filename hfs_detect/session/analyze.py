"""Analyse one recorded video end to end.

``analyze_video`` reads the video, finds the subject's landmarks in every
frame (or reads them from the landmark cache), feeds them through a
:class:`~hfs_detect.session.runner.SessionRunner`, which finishes the analysis,
and, when given an output folder, writes the output contract: ``events.csv``,
``frames.csv`` (+ ``frames.parquet``), ``summary.json`` and the landmark cache
``landmarks.npz``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .._checks import HFSDetectError, check_output_dir
from ..landmarks.sources import open_video
from ..signals import frames_table
from .outputs import CACHE_NAME, Analysis
from .runner import SessionRunner
from .settings import Settings

__all__ = ["analyze_video"]

_EARLIER_NAMES = {"rest_params": "rest", "detector_params": "detector",
                  "verdict_params": "verdict", "grading_params": "grading"}  # fmt: skip
"""Keyword names of earlier versions, and the setting each now is."""


def analyze_video(
    path: str | os.PathLike,
    out_dir: str | os.PathLike | None = None,
    settings: Settings | None = None,
    *,
    use_cache: bool = True,
    parquet: bool = True,
    progress: bool = False,
    progress_position: int = 0,
    batch_key: str | None = None,
    **changes: Any,
) -> Analysis:
    """Analyse one recorded video.

    Parameters
    ----------
    path : path-like
        The video (any format FFmpeg reads).
    out_dir : path-like, optional
        Where to write the outputs. Checked for writing before any work.
    settings : Settings, optional
        How to analyse (:class:`~hfs_detect.session.settings.Settings`; the
        defaults when omitted): engine, model, mirrored, rest intervals and
        provocation steps given by hand, every stage's thresholds.
    use_cache : bool
        Reuse ``out_dir/landmarks.npz`` when it was made from the same video,
        model and landmark settings, and write it after a fresh run.
    parquet : bool
        Also write ``frames.parquet``.
    progress : bool
        Show a progress bar on stderr.
    progress_position : int
        Line of the progress bar (for several bars at once, as in a batch).
    batch_key : str, optional
        What a batch checks to keep this analysis (recorded in ``summary.json``).
    **changes
        Settings to change from ``settings`` by name, for example
        ``engine="mediapipe"``, ``mirrored=True``, ``steps="auto"`` or
        ``detector={"threshold_z": 5}`` (see :meth:`Settings.replace`).

    Returns
    -------
    Analysis

    Raises
    ------
    HFSDetectError
        On bad input: a missing or undecodable video, an unwritable folder, an
        unknown or bad setting.
    """
    if "summary_extra" in changes:  # an earlier version's way of recording the batch key
        batch_key = (changes.pop("summary_extra") or {}).get("batch_key", batch_key)
    changes = {_EARLIER_NAMES.get(k, k): v for k, v in changes.items() if v is not None}
    settings = (settings or Settings()).replace(**changes)
    created = out_dir is not None and not Path(out_dir).exists()
    if out_dir is not None:
        out_dir = check_output_dir(out_dir)
    try:
        runner = SessionRunner(settings)
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
        runner.plan_steps(frames)
        runner.run_table(frames)
        analysis = runner.finish(track, frames, video=Path(path), from_cache=from_cache)
        analysis.summary.batch_key = batch_key
        if out_dir is not None:
            analysis.write(out_dir, parquet=parquet)
            analysis.folder = Path(out_dir)
        return analysis
    except BaseException:
        if created and out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()  # a failed run leaves no empty folder behind
        raise
