"""Analyse one video end to end, and the session it makes.

``analyze_video`` reads the video, finds the subject's landmarks in every
frame (or reads them from the landmark cache), computes the per-side signals
and, when given an output folder, writes the output contract:
``events.csv``, ``frames.csv`` (+ ``frames.parquet``), ``summary.json`` and the
landmark cache ``landmarks.npz``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ._checks import HFSDetectError, check_output_dir
from .detector import DetectorParams, burst_labels, detect_bursts
from .events import events_to_frame
from .landmarks import extract_landmarks, resolve_model
from .outputs import CACHE_NAME, Analysis
from .provenance import provenance
from .rest import RestParams
from .signals import frames_table
from .sources import open_video
from .track import LandmarkTrack, load_track, video_fingerprint
from .verdict import DISCLAIMER, VerdictParams, methods_paragraph, session_statistics

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["analyze_video", "assemble_analysis", "session_parameters", "summarize"]


DETECTOR_KEYS = (
    "rest_s",
    "n_events",
    "events_per_rest_min",
    "spasm_fraction",
    "dominant_side",
    "verdict",
)
"""Summary keys the burst detector fills in (see :mod:`hfs_detect.verdict`)."""


def _cache_key(
    fingerprint: dict, model_sha256: str, mirrored: bool, max_faces: int, min_confidence: float
) -> dict:
    return {
        "video_size_bytes": fingerprint["size_bytes"],
        "video_head_sha256": fingerprint["head_sha256"],
        "model_sha256": model_sha256,
        "mirrored": bool(mirrored),
        "max_faces": int(max_faces),
        "min_confidence": float(min_confidence),
    }


def analyze_video(
    path: str | os.PathLike,
    out_dir: str | os.PathLike | None = None,
    *,
    mirrored: bool = False,
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
        model = resolve_model(model_path)
        with open_video(path) as source:
            key = _cache_key(
                video_fingerprint(source.path), model.sha256, mirrored, max_faces, min_confidence
            )
            declared_frames = source.n_frames_hint
            cache_path = Path(out_dir) / CACHE_NAME if out_dir is not None else None
            cached = use_cache and cache_path is not None and cache_path.exists()
            track = load_track(cache_path) if cached else None
            from_cache = track is not None and track.meta.get("key") == key
            if not from_cache:
                track = extract_landmarks(
                    source,
                    mirrored=mirrored,
                    model_path=model.path if model_path else None,
                    max_faces=max_faces,
                    min_confidence=min_confidence,
                    progress=progress,
                    progress_position=progress_position,
                )
                track.meta["key"] = key
                track.meta["video"] = str(source.path)
        if len(track) == 0:
            raise HFSDetectError(f"cannot read {path}: no frame could be decoded")
        frames = frames_table(track)
        rest_params = rest_params or RestParams()
        detector_params = detector_params or DetectorParams()
        verdict_params = verdict_params or VerdictParams()
        rest, events, asymmetries = detect_bursts(
            frames, rest_params, detector_params, rest_intervals_s
        )
        parameters = session_parameters(
            mirrored=mirrored, max_faces=max_faces, min_confidence=min_confidence,
            rest_intervals_s=rest_intervals_s, rest_params=rest_params,
            detector_params=detector_params, verdict_params=verdict_params,
        )  # fmt: skip
        analysis = assemble_analysis(
            track, frames, rest, events, parameters, model=model, video=Path(path),
            from_cache=from_cache, verdict_params=verdict_params, asymmetries=asymmetries,
        )  # fmt: skip
        analysis.summary.update(summary_extra or {})
        analysis.summary["warnings"] = input_warnings(
            frames, rest, rest_intervals_s, declared_frames
        )
        if out_dir is not None:
            analysis.write(out_dir, parquet=parquet)
        return analysis
    except BaseException:
        if created and out_dir.is_dir() and not any(out_dir.iterdir()):
            out_dir.rmdir()  # a failed run leaves no empty folder behind
        raise


def session_parameters(
    *,
    mirrored: bool,
    max_faces: int,
    min_confidence: float,
    rest_intervals_s,
    rest_params: RestParams,
    detector_params: DetectorParams,
    verdict_params: VerdictParams,
) -> dict:
    """The ``parameters`` block of ``summary.json``, for a file or a live session alike."""
    return {
        "mirrored": bool(mirrored),
        "max_faces": int(max_faces),
        "min_confidence": float(min_confidence),
        "rest_intervals_s": rest_intervals_s,
        "rest": rest_params.to_dict(),
        "detector": detector_params.to_dict(),
        "verdict": verdict_params.to_dict(),
    }


def input_warnings(
    frames: pd.DataFrame,
    rest: np.ndarray,
    rest_intervals_s=None,
    declared_frames: int | None = None,
) -> list[str]:
    """What a user should know about the input that is not an error (``summary["warnings"]``).

    Fewer frames decoded than the file declares (a file cut short whose index
    survived), and rest intervals given by hand that lie past the end of the
    video or hold no frame at all.
    """
    warnings = []
    decoded = len(frames)
    if declared_frames and decoded < 0.9 * declared_frames and declared_frames - decoded >= 5:
        end_s = float(frames["time_s"].iloc[-1]) if decoded else 0.0
        warnings.append(
            f"only {decoded} of the {declared_frames} frames the file declares could be decoded"
            f" (cut short or damaged?): the analysis covers {end_s:.1f} s"
        )
    if rest_intervals_s:
        end_s = float(frames["time_s"].iloc[-1]) if len(frames) else 0.0
        for start, stop in rest_intervals_s:
            if start > end_s:
                late = f"rest interval {start:g}-{stop:g} s starts after the video ends"
                warnings.append(f"{late} ({end_s:.1f} s)")
        if not np.any(rest):
            warnings.append("no frame falls in the rest intervals given: 0 s of rest")
    return warnings


def assemble_analysis(
    track: LandmarkTrack,
    frames: pd.DataFrame,
    rest: np.ndarray,
    events: list,
    parameters: dict,
    *,
    model,
    video: Path | str,
    from_cache: bool = False,
    verdict_params: VerdictParams | None = None,
    asymmetries=(),
) -> Analysis:
    """Put a session's tables, summary and verdict together (offline and live alike).

    Parameters
    ----------
    track : LandmarkTrack
        The session's landmarks.
    frames : pandas.DataFrame
        The frames table of ``track``; ``rest`` and ``burst`` columns are added.
    rest : (n,) bool
        Each frame's rest state.
    events : list of Event
        The bursts found.
    parameters : dict
        How the session was analysed (recorded in the summary).
    model : ModelInfo
        The landmark model used.
    video : path or str
        What was analysed (a file, or a camera's name).
    from_cache : bool
        Whether the landmarks came from the cache.
    verdict_params : VerdictParams, optional
        Verdict thresholds (defaults when omitted).
    asymmetries : list of Asymmetry
        Lasting one-sided changes the detector re-learned (not bursts).
    """
    frames["rest"] = rest
    frames["burst"] = burst_labels(frames["time_s"].to_numpy(), events)
    summary = summarize(
        track,
        frames,
        parameters,
        model_path=str(model.path),
        model_sha256=model.sha256,
        video=video,
        from_cache=from_cache,
    )
    summary.update(session_statistics(frames, rest, events, verdict_params, asymmetries))
    summary["methods"] = methods_paragraph(summary)
    summary["disclaimer"] = DISCLAIMER
    return Analysis(frames=frames, events=events_to_frame(events), summary=summary, track=track)


def summarize(
    track: LandmarkTrack,
    frames: pd.DataFrame,
    parameters: dict,
    *,
    model_path: str,
    model_sha256: str,
    video: Path,
    from_cache: bool = False,
) -> dict:
    """The session summary (``summary.json``)."""
    time_s = track.time_s
    steps = np.diff(time_s)
    step_s = float(np.median(steps)) if len(steps) else 0.0
    duration_s = float(time_s[-1] - time_s[0] + step_s) if len(time_s) else 0.0
    n_face = int(frames["face"].sum())
    record = provenance(model_path, model_sha256)
    meta = track.meta
    summary = {
        "video": str(video),
        "duration_s": round(duration_s, 6),
        "fps": round(1.0 / step_s, 6) if step_s > 0 else None,
        "fps_nominal": meta.get("fps_nominal"),
        "n_frames": int(len(frames)),
        "n_frames_face": n_face,
        "face_fraction": round(n_face / len(frames), 6) if len(frames) else 0.0,
        "width": meta.get("width"),
        "height": meta.get("height"),
        "rotation_deg": meta.get("rotation_deg"),
        "n_timestamps_repaired": meta.get("n_timestamps_repaired", 0),
        "mirrored": bool(parameters.get("mirrored", False)),
        **{key: None for key in DETECTOR_KEYS},
        "hfs_detect_version": record["versions"]["hfs_detect"],
        "mediapipe_version": record["versions"]["mediapipe"],
        "model_sha256": model_sha256,
        "landmarks_from_cache": bool(from_cache),
        "parameters": parameters,
        "provenance": record,
    }
    return summary
