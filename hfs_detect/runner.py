"""The session runner: one session's per-frame chain, its settings and its provenance.

:class:`SessionRunner` owns the landmarker (or the landmark cache), the
per-frame chain landmarks -> signals -> rest -> detector, the parameters and
what the session found, and puts the :class:`~hfs_detect.outputs.Analysis`
together at the end. Every driver goes through it, so they find the same bursts:

- :func:`~hfs_detect.analyze_video` over a file's frames table
  (:meth:`SessionRunner.landmarks`, then :meth:`SessionRunner.run_table`);
- :func:`~hfs_detect.live.run_live` over a camera's frames, one at a time
  (:meth:`SessionRunner.process_frame`), adding only the feed, keys, protocol
  clock and view;
- the annotated video over a saved session (:meth:`SessionRunner.from_summary`,
  then :meth:`SessionRunner.process_face_frame`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .detector import BurstDetector, DetectorParams, burst_labels, chain_step
from .events import Event, events_to_frame
from .grading import GradingParams, grade_session
from .landmarks import (
    DEFAULT_ENGINE,
    engine_reason,
    engine_version,
    extract_landmarks,
    open_landmarker,
    resolve_model,
    track_meta,
)
from .outputs import Analysis
from .provenance import provenance
from .rest import RestParams, RestSegmenter
from .signals import FrameRow, frame_rows, frames_table, head_motion, signal_arrays
from .track import FaceFrame, LandmarkTrack, TrackBuilder, load_track, video_fingerprint
from .verdict import DISCLAIMER, VerdictParams, methods_paragraph, session_statistics

if TYPE_CHECKING:
    import pandas as pd

    from .protocol import Protocol
    from .sources import Frame

__all__ = ["SessionRunner", "SessionSettings", "summarize", "input_warnings"]

DETECTOR_KEYS = (
    "rest_s",
    "n_events",
    "events_per_rest_min",
    "spasm_fraction",
    "dominant_side",
    "verdict",
)
"""Summary keys the burst detector fills in (see :mod:`hfs_detect.verdict`)."""


@dataclass(frozen=True)
class SessionSettings:
    """How a session is analysed: the landmark options and every stage's thresholds.

    Attributes
    ----------
    mirrored : bool
        The recording is a mirror image; frames are flipped back before analysis.
    engine : {'mediapipe', 'litert'}
        The landmark engine (:data:`hfs_detect.landmarks.ENGINES`).
    model_path : str or None
        Another face landmark model (None: the shipped one).
    max_faces : int
        Faces looked for per frame; see :class:`~hfs_detect.landmarks.Landmarker`.
    min_confidence : float
        MediaPipe's detection/tracking confidence.
    rest_intervals_s : list of (float, float) or None
        Rest given by hand instead of judged.
    rest, detector, verdict, grading : RestParams, DetectorParams, VerdictParams, GradingParams
        The thresholds of rest segmentation, the burst detector, the verdict and
        the grading proxies.
    """

    mirrored: bool = False
    engine: str = DEFAULT_ENGINE
    model_path: str | os.PathLike | None = None
    max_faces: int = 4
    min_confidence: float = 0.5
    rest_intervals_s: list[tuple[float, float]] | None = None
    rest: RestParams = field(default_factory=RestParams)
    detector: DetectorParams = field(default_factory=DetectorParams)
    verdict: VerdictParams = field(default_factory=VerdictParams)
    grading: GradingParams = field(default_factory=GradingParams)

    def parameters(self) -> dict:
        """The ``parameters`` block of ``summary.json``."""
        return {
            "mirrored": bool(self.mirrored),
            "engine": self.engine,
            "max_faces": int(self.max_faces),
            "min_confidence": float(self.min_confidence),
            "rest_intervals_s": self.rest_intervals_s,
            "rest": self.rest.to_dict(),
            "detector": self.detector.to_dict(),
            "verdict": self.verdict.to_dict(),
            "grading": self.grading.to_dict(),
        }

    @classmethod
    def from_summary(cls, summary: dict) -> SessionSettings:
        """The settings a saved session was analysed with (its ``summary.json``)."""
        params = summary.get("parameters", {})
        intervals = params.get("rest_intervals_s")
        return cls(
            mirrored=bool(summary.get("mirrored", params.get("mirrored", False))),
            engine=params.get("engine", "mediapipe"),  # before engines were recorded
            max_faces=int(params.get("max_faces", 4)),
            min_confidence=float(params.get("min_confidence", 0.5)),
            rest_intervals_s=[tuple(i) for i in intervals] if intervals else None,
            rest=RestParams(**params.get("rest", {})),
            detector=DetectorParams(**params.get("detector", {})),
            verdict=VerdictParams(**params.get("verdict", {})),
            grading=GradingParams(**params.get("grading", {})),
        )

    def cache_key(self, fingerprint: dict, model_sha256: str) -> dict:
        """What a landmark cache must have been made from to be reused."""
        return {
            "video_size_bytes": fingerprint["size_bytes"],
            "video_head_sha256": fingerprint["head_sha256"],
            "model_sha256": model_sha256,
            "engine": self.engine,
            "engine_version": engine_version(self.engine),
            "mirrored": bool(self.mirrored),
            "max_faces": int(self.max_faces),
            "min_confidence": float(self.min_confidence),
        }


class SessionRunner:
    """One session's per-frame chain, from landmarks to the :class:`Analysis`.

    Parameters
    ----------
    settings : SessionSettings, optional
        How to analyse (defaults when omitted).
    width, height : int, optional
        Image size; needed to take frames one at a time.
    blendshape_names : list of str, optional
        MediaPipe's blendshape names; taken from the landmarker when it runs here.

    Attributes
    ----------
    rest : RestSegmenter
    detector : BurstDetector
        The stages; a view reads the detector's ``active_side``, ``latest`` and
        ``current_regions()``.
    events : list of Event
        The bursts that have ended so far.
    """

    def __init__(
        self,
        settings: SessionSettings | None = None,
        *,
        width: int | None = None,
        height: int | None = None,
        blendshape_names: list[str] | None = None,
    ):
        self.settings = settings or SessionSettings()
        self.model = resolve_model(self.settings.model_path)
        self.width, self.height = width, height
        self.blendshape_names = blendshape_names
        self.rest = RestSegmenter(self.settings.rest, self.settings.rest_intervals_s)
        self.detector = BurstDetector(self.settings.detector)
        self.events: list[Event] = []
        self._rest_states: list[bool] = []
        self._steps: list[str] = []
        self._provoked: list[bool] = []
        self._builder = TrackBuilder()
        self._landmarker = None  # Landmarker or LiteRTLandmarker, for process_frame
        self._previous: dict | None = None
        self.declared_frames: int | None = None  # the file's own count: warns if cut short
        self._closed = False

    @classmethod
    def from_summary(cls, summary: dict, track: LandmarkTrack) -> SessionRunner:
        """A runner that repeats a saved session's analysis over its landmark cache."""
        meta = track.meta
        return cls(
            SessionSettings.from_summary(summary),
            width=meta["width"],
            height=meta["height"],
            blendshape_names=meta.get("blendshape_names"),
        )

    @property
    def n_frames(self) -> int:
        """Frames taken so far."""
        return len(self._rest_states)

    # -- landmarks -------------------------------------------------------------
    def landmarks(
        self,
        source,
        cache_path: Path | None = None,
        *,
        progress: bool = False,
        progress_position: int = 0,
    ) -> tuple[LandmarkTrack, bool]:
        """A file's landmarks: from ``cache_path`` when it was made from the same video,
        model and landmark options, else from the landmarker. Returns ``(track, from_cache)``."""
        s = self.settings
        key = s.cache_key(video_fingerprint(source.path), self.model.sha256)
        self.declared_frames = source.n_frames_hint
        track = load_track(cache_path) if cache_path is not None and cache_path.exists() else None
        if track is not None and track.meta.get("key") == key:
            return track, True
        track = extract_landmarks(
            source,
            mirrored=s.mirrored,
            model_path=self.model.path if s.model_path else None,
            max_faces=s.max_faces,
            min_confidence=s.min_confidence,
            progress=progress,
            progress_position=progress_position,
            engine=s.engine,
        )
        track.meta["key"] = key
        track.meta["video"] = str(source.path)
        return track, False

    def open_landmarker(self):
        """Start the landmarker for :meth:`process_frame` (a context manager)."""
        s = self.settings
        self._landmarker = open_landmarker(
            s.engine,
            self.model.path if s.model_path else None,
            max_faces=s.max_faces,
            min_confidence=s.min_confidence,
        )
        return self._landmarker

    # -- per frame -------------------------------------------------------------
    def process_frame(
        self,
        frame: Frame,
        rest_allowed: bool = True,
        step: str | None = None,
        provoked: bool = False,
    ) -> tuple[FaceFrame, FrameRow, list[Event]]:
        """One video frame in (after :meth:`open_landmarker`): its landmarks, its row and
        the bursts that ended with it (the options as for :meth:`process_row`)."""
        face_frame = self._landmarker.detect(frame)
        if self.blendshape_names is None:
            self.blendshape_names = self._landmarker.blendshape_names
        self._builder.append(face_frame)
        row, ended = self.process_face_frame(face_frame, rest_allowed, step, provoked)
        return face_frame, row, ended

    def process_face_frame(
        self,
        face_frame: FaceFrame,
        rest_allowed: bool = True,
        step: str | None = None,
        provoked: bool = False,
    ) -> tuple[FrameRow, list[Event]]:
        """One landmarked frame in; its row (with ``rest`` and ``burst``) and ended bursts."""
        columns = signal_arrays(
            np.array([face_frame.time_s]),
            _or_nan(face_frame.landmarks, (478, 3))[None],
            _or_nan(face_frame.matrix, (4, 4))[None],
            _or_nan(face_frame.blendshapes, (52,))[None],
            self.width,
            self.height,
            self.blendshape_names,
        )
        previous = self._previous
        if previous is not None:  # motion since the previous frame, as over a whole table
            speed, shift = head_motion(
                np.append(previous["time_s"], columns["time_s"]),
                np.array([[c[f"{a}_deg"][0] for a in ("yaw", "pitch", "roll")]
                          for c in (previous, columns)]),
                np.array([[c["face_x_px"][0], c["face_y_px"][0]] for c in (previous, columns)]),
                np.append(previous["face_size_px"], columns["face_size_px"]),
            )  # fmt: skip
            columns["head_speed_deg_s"], columns["head_shift_per_s"] = speed[1:], shift[1:]
        self._previous = columns
        columns["frame"] = np.array([face_frame.index])
        (row,) = frame_rows(columns)
        return row, self.process_row(row, rest_allowed, step, provoked)

    def process_row(
        self,
        row: FrameRow,
        rest_allowed: bool = True,
        step: str | None = None,
        provoked: bool = False,
    ) -> list[Event]:
        """One frame's row through rest and the detector; returns the bursts that ended.

        ``rest_allowed=False`` marks a voluntary task (a protocol step): never rest.
        ``step`` names the protocol step the frame belongs to. ``provoked`` marks a
        provocation step or the seconds after it: judged for bursts, never rest.
        """
        ended = chain_step(self.rest, self.detector, row, rest_allowed, provoked)
        self._rest_states.append(row.rest)
        self._provoked.append(bool(provoked))
        if step is not None:
            self._steps.append(step)
        self.events += ended
        return ended

    def run_table(
        self, frames: pd.DataFrame, rest_allowed=None, protocol: Protocol | None = None
    ) -> None:
        """Every frame of a frames table through the chain.

        ``rest_allowed``: per frame, whether it may be rest. ``protocol``: steps
        timed from the video's start (:func:`~hfs_detect.protocol.steps_from_intervals`),
        which name each frame's step and mark provocations.
        """
        for i, row in enumerate(frame_rows(frames)):
            allowed = True if rest_allowed is None else bool(rest_allowed[i])
            if protocol is None:
                self.process_row(row, allowed)
                continue
            where = protocol.step_at(row.time_s)
            step = where[1] if where is not None else protocol.steps[-1]
            provoked = protocol.provoked_by(row.time_s) is not None
            self.process_row(row, allowed and step.rest, step.name, provoked)

    def close(self) -> list[Event]:
        """End the session's frames: the bursts still open are reported (and returned).
        A second call returns nothing (``finish`` calls it for a caller that did not)."""
        if self._closed:
            return []
        self._closed = True
        ended = self.detector.finish()
        self.events += ended
        return ended

    # -- the analysis ----------------------------------------------------------
    def finish(
        self,
        track: LandmarkTrack | None = None,
        frames: pd.DataFrame | None = None,
        *,
        video: Path | str,
        meta_source=None,
        from_cache: bool = False,
    ) -> Analysis:
        """Put the session's tables, summary and verdict together.

        Parameters
        ----------
        track : LandmarkTrack, optional
            The session's landmarks; by default those :meth:`process_frame` collected.
        frames : pandas.DataFrame, optional
            The frames table of ``track`` (computed when omitted); ``rest``,
            ``burst`` (and ``step``, if steps were given) columns are added.
        video : path or str
            What was analysed (a file, or a camera's name).
        meta_source : CameraSource or VideoFileSource, optional
            Where the frames of :meth:`process_frame` came from (the track's metadata).
        from_cache : bool
            Whether the landmarks came from the cache.
        """
        self.close()
        if track is None:
            track = self._builder.build(
                track_meta(
                    meta_source, self.blendshape_names or [], self.model.path, self.settings.engine
                )
            )
            track.meta["video"] = str(video)
        frames = frames_table(track) if frames is None else frames
        if self._steps:
            frames["step"] = self._steps
        rest = np.array(self._rest_states, dtype=bool)
        frames["rest"] = rest
        frames["provoked"] = np.array(self._provoked, dtype=bool)
        at_rest = [e for e in self.events if not e.provoked]
        frames["burst"] = burst_labels(frames["time_s"].to_numpy(), self.events)
        s = self.settings
        summary = summarize(track, frames, s.parameters(), model=self.model, video=video,
                            from_cache=from_cache)  # fmt: skip
        summary.update(
            session_statistics(frames, rest, at_rest, s.verdict, self.detector.asymmetries)
        )
        summary["n_provoked_events"] = len(self.events) - len(at_rest)
        summary["grading"] = grade_session(frames, rest, at_rest, summary["verdict"], s.grading)
        summary["methods"] = methods_paragraph(summary)
        summary["disclaimer"] = DISCLAIMER
        summary["warnings"] = input_warnings(frames, rest, s.rest_intervals_s, self.declared_frames)
        return Analysis(
            frames=frames, events=events_to_frame(self.events), summary=summary, track=track
        )


def _or_nan(values, shape) -> np.ndarray:
    return np.full(shape, np.nan, np.float32) if values is None else values


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
        time_s = frames["time_s"].to_numpy()
        end_s = float(time_s[-1]) if len(time_s) else 0.0
        video_end_s = end_s + (float(np.median(np.diff(time_s))) if len(time_s) > 1 else 0.0)
        for start, stop in rest_intervals_s:
            if start > end_s:
                late = f"rest interval {start:g}-{stop:g} s starts after the video ends"
                warnings.append(f"{late} ({end_s:.1f} s)")
            elif stop > video_end_s + 1e-6:
                late = f"rest interval {start:g}-{stop:g} s ends after the video ends"
                warnings.append(f"{late} ({video_end_s:.1f} s): cut short")
        if not np.any(rest):
            warnings.append("no frame falls in the rest intervals given: 0 s of rest")
    return warnings


def _fingerprint(cache_key: dict) -> dict | None:
    """The analysed file's size and first bytes' sha256 (None for a camera)."""
    if "video_head_sha256" not in cache_key:
        return None
    return {
        "size_bytes": cache_key["video_size_bytes"],
        "head_sha256": cache_key["video_head_sha256"],
    }


def summarize(
    track: LandmarkTrack,
    frames: pd.DataFrame,
    parameters: dict,
    *,
    model,
    video: Path | str,
    from_cache: bool = False,
) -> dict:
    """The session summary (``summary.json``) before the detector's keys are filled in."""
    time_s = track.time_s
    steps = np.diff(time_s)
    step_s = float(np.median(steps)) if len(steps) else 0.0
    duration_s = float(time_s[-1] - time_s[0] + step_s) if len(time_s) else 0.0
    n_face = int(frames["face"].sum())
    record = provenance(str(model.path), model.sha256)
    meta = track.meta
    return {
        "video": os.path.abspath(video) if Path(video).is_file() else str(video),
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
        "landmark_engine": parameters.get("engine", DEFAULT_ENGINE),
        "landmark_engine_version": engine_version(parameters.get("engine", DEFAULT_ENGINE)),
        "landmark_engine_reason": engine_reason(parameters.get("engine", DEFAULT_ENGINE)),
        "model_sha256": model.sha256,
        "landmarks_from_cache": bool(from_cache),
        "video_fingerprint": _fingerprint(meta.get("key") or {}),
        "parameters": parameters,
        "provenance": record,
    }
