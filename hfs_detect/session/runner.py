"""The session runner: one recording's per-frame chain, and what finishes its analysis.

:class:`SessionRunner` owns the landmarker (or the landmark cache), the
per-frame chain landmarks -> signals -> rest -> detector, the protocol clock and
what the session found, and puts the :class:`~hfs_detect.session.outputs.Analysis`
together at the end: tables, statistics, grading, protocol steps, warnings and
the typed :class:`~hfs_detect.session.summary.Summary`. Every driver goes
through it and only feeds frames, so they find the same bursts:

- :func:`~hfs_detect.session.analyze_video` over a file's frames table
  (:meth:`SessionRunner.landmarks`, then :meth:`SessionRunner.run_table`);
- :func:`~hfs_detect.live.run_live` over a camera's frames, one at a time
  (:meth:`SessionRunner.process_frame`), adding only the feed, keys and view;
- the annotated video over a saved analysis (:meth:`SessionRunner.from_summary`,
  then :meth:`SessionRunner.process_face_frame`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..blinks import blink_labels, blinks_to_frame, outside_bursts
from ..detector import BurstDetector, burst_labels, chain_step
from ..events import Event, events_to_frame
from ..landmarks.engines import (
    engine_reason,
    engine_version,
    extract_landmarks,
    open_landmarker,
    track_meta,
)
from ..landmarks.model_file import resolve_model
from ..landmarks.track import (
    FaceLandmarks,
    LandmarkTrack,
    TrackBuilder,
    load_track,
    video_fingerprint,
)
from ..provenance import provenance
from ..rest import RestSegmenter
from ..signals import SignalRow, frame_durations, frame_signals, frames_table, signal_rows
from .grading import grade_session
from .outputs import Analysis
from .protocol import (
    Protocol,
    find_pursing,
    protocol_summary,
    step_statistics,
    step_warnings,
    steps_from_intervals,
)
from .settings import Settings
from .statistics import DISCLAIMER, methods_paragraph, session_statistics
from .summary import (
    Grading,
    LiveTiming,
    Mark,
    Provenance,
    Recording,
    Statistics,
    StepFigures,
    Summary,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..landmarks.sources import Frame

__all__ = ["SessionRunner", "input_warnings", "redetect"]


class SessionRunner:
    """One recording's per-frame chain, from landmarks to the :class:`Analysis`.

    Parameters
    ----------
    settings : Settings, optional
        How to analyse (defaults when omitted).
    width, height : int, optional
        Image size; needed to take frames one at a time.
    blendshape_names : list of str, optional
        MediaPipe's blendshape names; taken from the landmarker when it runs here.
    protocol : Protocol, optional
        Guided steps, timed from the first frame (a live session's); a file's
        come from its settings' ``steps`` (:meth:`run_table`).

    Attributes
    ----------
    settings : Settings
    model : ModelInfo
        The face landmark model, resolved (and its sha256 checked) once, here.
    rest : RestSegmenter
    detector : BurstDetector
        The stages; a view reads the detector's ``active_side``, ``latest`` and
        ``current_regions()``.
    protocol : Protocol or None
    events : list of Event
        The bursts that have ended so far.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        width: int | None = None,
        height: int | None = None,
        blendshape_names: list[str] | None = None,
        protocol: Protocol | None = None,
    ):
        self.settings = settings or Settings()
        self.model = resolve_model(self.settings.model_path)
        self.width, self.height = width, height
        self.blendshape_names = blendshape_names
        self.protocol = protocol
        self.rest = RestSegmenter(self.settings.rest, self.settings.rest_intervals_s)
        self.detector = BurstDetector(self.settings.detector, self.settings.blinks)
        self.events: list[Event] = []
        self._rest_states: list[bool] = []
        self._steps: list[str] = []
        self._provoked: list[bool] = []
        self._builder = TrackBuilder()
        self._landmarker = None  # an engine's landmarker, for process_frame
        self._previous: dict | None = None
        self.declared_frames: int | None = None  # the file's own count: warns if cut short
        self._closed = False

    @classmethod
    def from_summary(cls, summary: Summary, track: LandmarkTrack) -> SessionRunner:
        """A runner that repeats a saved analysis over its landmark cache."""
        meta = track.meta
        return cls(
            summary.settings,
            width=meta["width"],
            height=meta["height"],
            blendshape_names=meta.get("blendshape_names"),
        )

    @property
    def n_frames(self) -> int:
        """Frames taken so far."""
        return len(self._rest_states)

    @property
    def rest_states(self) -> np.ndarray:
        """Per frame taken so far, whether it was rest."""
        return np.array(self._rest_states, dtype=bool)

    @property
    def provoked_states(self) -> np.ndarray:
        """Per frame taken so far, whether it lay in or just after a provocation step."""
        return np.array(self._provoked, dtype=bool)

    # -- landmarks -------------------------------------------------------------
    def cache_key(self, fingerprint: dict) -> dict:
        """What a landmark cache must have been made from to be reused."""
        s = self.settings
        return {
            "video_size_bytes": fingerprint["size_bytes"],
            "video_head_sha256": fingerprint["head_sha256"],
            "model_sha256": self.model.sha256,
            "engine": s.engine,
            "engine_version": engine_version(s.engine),
            "mirrored": s.mirrored,
            "max_faces": s.max_faces,
            "min_confidence": s.min_confidence,
        }

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
        key = self.cache_key(video_fingerprint(source.path))
        self.declared_frames = source.n_frames_hint
        track = load_track(cache_path) if cache_path is not None and cache_path.exists() else None
        if track is not None and track.meta.get("key") == key:
            return track, True
        track = extract_landmarks(
            source,
            mirrored=s.mirrored,
            model=self.model,
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
            s.engine, self.model, max_faces=s.max_faces, min_confidence=s.min_confidence
        )
        return self._landmarker

    # -- per frame -------------------------------------------------------------
    def process_frame(
        self,
        frame: Frame,
        rest_allowed: bool = True,
        step: str | None = None,
        provoked: bool = False,
    ) -> tuple[FaceLandmarks, SignalRow, list[Event]]:
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
        face_frame: FaceLandmarks,
        rest_allowed: bool = True,
        step: str | None = None,
        provoked: bool = False,
    ) -> tuple[SignalRow, list[Event]]:
        """One landmarked frame in; its row (with ``rest`` and ``burst``) and ended bursts."""
        columns = frame_signals(
            face_frame, self.width, self.height, self.blendshape_names, self._previous
        )
        self._previous = columns
        (row,) = signal_rows(columns)
        return row, self.process_row(row, rest_allowed, step, provoked)

    def process_row(
        self,
        row: SignalRow,
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

    def plan_steps(self, frames: pd.DataFrame) -> Protocol | None:
        """A file's protocol from its settings' ``steps``: the steps given, or the mouth
        pursing found in ``frames`` for ``"auto"`` (None when there is none)."""
        steps = self.settings.steps
        if steps == "auto":
            found = find_pursing(frames)
            self.protocol = steps_from_intervals(found) if found else None
        elif steps:
            self.protocol = steps_from_intervals(list(steps))
        return self.protocol

    def run_table(self, frames: pd.DataFrame, rest_allowed=None) -> None:
        """Every frame of a frames table through the chain.

        ``rest_allowed``: per frame, whether it may be rest. The steps of
        :meth:`plan_steps` (timed from the video's start) name each frame's step
        and mark provocations.
        """
        protocol = self.protocol
        for i, row in enumerate(signal_rows(frames)):
            allowed = True if rest_allowed is None else bool(rest_allowed[i])
            if protocol is None:
                self.process_row(row, allowed)
                continue
            step, provoked = protocol.at(row.time_s) or (protocol.steps[-1], False)
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
        ended_by: str | None = None,
        live: LiveTiming | None = None,
        marks: list[Mark] | None = None,
    ) -> Analysis:
        """Put the analysis together: tables, statistics, grading, steps, warnings, summary.

        Parameters
        ----------
        track : LandmarkTrack, optional
            The session's landmarks; by default those :meth:`process_frame` collected.
        frames : pandas.DataFrame, optional
            The frames table of ``track`` (computed when omitted); ``rest``,
            ``provoked``, ``burst``, ``blink`` (and ``step``, with a protocol) columns are
            added.
        video : path or str
            What was analysed (a file, or a camera's name).
        meta_source : CameraSource or VideoFileSource, optional
            Where the frames of :meth:`process_frame` came from (the track's metadata).
        from_cache : bool
            Whether the landmarks came from the cache.
        ended_by : str, optional
            Why a live session ended (a guided protocol stopped early is warned about).
        live, marks : optional
            A live session's timing and the moments marked in it.
        """
        self.close()
        s = self.settings
        if track is None:
            names = self.blendshape_names or []
            track = self._builder.build(track_meta(meta_source, names, self.model.path, s.engine))
            track.meta["video"] = str(video)
        frames = frames_table(track) if frames is None else frames
        if self._steps:
            frames["step"] = self._steps
        rest = self.rest_states
        frames["rest"] = rest
        frames["provoked"] = self.provoked_states
        at_rest = [e for e in self.events if not e.provoked]
        time_s = frames["time_s"].to_numpy()
        frames["burst"] = burst_labels(time_s, self.events)
        blinks = outside_bursts(self.detector.blinks, self.events)
        frames["blink"] = blink_labels(time_s, blinks)
        statistics = Statistics(
            **session_statistics(
                frames, rest, at_rest, s.verdict, self.detector.asymmetries, blinks
            ),
            n_provoked_events=len(self.events) - len(at_rest),
        )
        grading = grade_session(frames, rest, at_rest, statistics.verdict, s.grading)
        summary = Summary(
            recording=_recording(track, frames, video, s.mirrored),
            statistics=statistics,
            provenance=self._provenance(from_cache),
            settings=s,
            grading=Grading.from_dict(grading),
            disclaimer=DISCLAIMER,
            warnings=input_warnings(
                frames, rest, s.rest_intervals_s, self.declared_frames, track.meta
            ),
            live=live,
            marks=marks,
        )
        self._finish_steps(summary, frames, rest, ended_by)
        summary.methods = methods_paragraph(summary.to_dict())
        return Analysis(
            frames=frames,
            events=events_to_frame(self.events),
            summary=summary,
            track=track,
            blinks=blinks_to_frame(blinks),
        )

    def _provenance(self, from_cache: bool) -> Provenance:
        record = provenance(str(self.model.path), self.model.sha256)
        engine = self.settings.engine
        return Provenance(
            hfs_detect_version=record["versions"]["hfs_detect"],
            mediapipe_version=record["versions"]["mediapipe"],
            landmark_engine=engine,
            landmark_engine_version=engine_version(engine),
            landmark_engine_reason=engine_reason(engine),
            model_sha256=self.model.sha256,
            landmarks_from_cache=bool(from_cache),
            record=record,
        )

    def _finish_steps(self, summary: Summary, frames, rest, ended_by: str | None) -> None:
        """The protocol, its steps' figures and their warnings."""
        steps = self.settings.steps
        protocol = self.protocol
        if protocol is None and steps is None:
            return
        summary.protocol = protocol_summary(protocol) if protocol else None
        summary.steps = (
            [StepFigures.from_dict(d) for d in step_statistics(frames, rest, self.events, protocol)]
            if protocol
            else []
        )
        if protocol is not None:
            summary.warnings += protocol.warnings() + self._unfinished(ended_by)
        end_s = float(frames["time_s"].iloc[-1]) if len(frames) else 0.0
        if steps == "auto" and protocol is None:
            summary.warnings.append("--steps auto found no mouth pursing in the video")
        elif steps and steps != "auto":
            summary.warnings += step_warnings(list(steps), end_s)

    def _unfinished(self, ended_by: str | None) -> list[str]:
        """A guided protocol stopped before its end: which steps were never done (the
        verdict covers only what was recorded, and reads as a negative screen)."""
        protocol = self.protocol
        if ended_by is None or ended_by == "protocol finished" or len(protocol.steps) < 2:
            return []
        names = [step.name for step in protocol.steps]
        reached = names.index(self._steps[-1]) if self._steps else 0
        missing = names[reached + 1 :]
        if not missing:
            return []
        return [
            f"the session ended ({ended_by}) during step {reached + 1} of {len(names)} "
            f"({names[reached]!r}): {', '.join(repr(m) for m in missing)} not done, so "
            "its verdict covers only the steps recorded"
        ]


def redetect(
    frames: pd.DataFrame, settings: Settings, rest: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[list[Event], float, tuple[np.ndarray, np.ndarray]]:
    """The bursts of a saved frames table under ``settings``, and its seconds of rest.

    The same per-frame chain as ``analyze`` (a :class:`SessionRunner` over the
    table, its protocol steps planned the same way): with the settings an analysis
    was made with, the bursts of its ``events.csv`` come back. ``hfs-detect tune``
    and ``evaluate --settings`` re-detect saved analyses with it (no model run).

    Parameters
    ----------
    frames : pandas.DataFrame
        A saved frames table (``load_analysis(folder).frames``).
    settings : Settings
        How to detect (the recording's own facts and the thresholds to try).
    rest : (ndarray, ndarray), optional
        Per frame, rest and provoked, as an earlier call with the same rest settings
        returned them: rest segmentation does not depend on the detector's
        thresholds, so only the detector runs again (half the time).

    Returns
    -------
    events : list of Event
    rest_s : float
    rest : (ndarray, ndarray)
        Per frame, rest and provoked (to pass back).
    """
    if rest is None:
        runner = SessionRunner(settings)
        runner.plan_steps(frames)
        runner.run_table(frames)
        runner.close()
        events = runner.events
        states = (runner.rest_states, runner.provoked_states)
    else:
        detector = BurstDetector(settings.detector, settings.blinks)
        events, states = [], rest
        for row, at_rest, provoked in zip(signal_rows(frames), *rest, strict=True):
            row.rest = bool(at_rest)
            events += detector.update(row, row.rest, bool(provoked))
        events += detector.finish()
    durations = frame_durations(frames["time_s"].to_numpy())
    return events, float(np.sum(durations[states[0]])), states


def _recording(track: LandmarkTrack, frames: pd.DataFrame, video, mirrored: bool) -> Recording:
    """What was analysed, from the track and its frames table."""
    time_s = track.time_s
    steps = np.diff(time_s)
    step_s = float(np.median(steps)) if len(steps) else 0.0
    duration_s = float(time_s[-1] - time_s[0] + step_s) if len(time_s) else 0.0
    n_face = int(frames["face"].sum())
    meta = track.meta
    key = meta.get("key") or {}
    fingerprint = (
        {"size_bytes": key["video_size_bytes"], "head_sha256": key["video_head_sha256"]}
        if "video_head_sha256" in key
        else None
    )  # None for a camera
    return Recording(
        video=os.path.abspath(video) if Path(video).is_file() else str(video),
        duration_s=round(duration_s, 6),
        fps=round(1.0 / step_s, 6) if step_s > 0 else None,
        fps_nominal=meta.get("fps_nominal"),
        n_frames=int(len(frames)),
        n_frames_face=n_face,
        face_fraction=round(n_face / len(frames), 6) if len(frames) else 0.0,
        width=meta.get("width"),
        height=meta.get("height"),
        rotation_deg=meta.get("rotation_deg"),
        n_timestamps_repaired=meta.get("n_timestamps_repaired", 0),
        mirrored=bool(mirrored),
        video_fingerprint=fingerprint,
    )


def input_warnings(
    frames: pd.DataFrame,
    rest: np.ndarray,
    rest_intervals_s=None,
    declared_frames: int | None = None,
    meta: dict | None = None,
) -> list[str]:
    """What a user should know about the input that is not an error (``Summary.warnings``).

    Timestamps that could not be true (the frames timed at a nominal rate instead),
    or missing over most of the file; fewer frames decoded than the file declares
    (a file cut short whose index survived); and rest intervals given by hand that
    lie past the end of the video or hold no frame at all.
    """
    warnings = []
    meta = meta or {}
    if meta.get("timing_note"):
        warnings.append(meta["timing_note"])
    repaired = int(meta.get("n_timestamps_repaired") or 0)
    if len(frames) > 1 and repaired > len(frames) // 2:
        warnings.append(
            f"{repaired} of {len(frames)} frames had no usable timestamp (missing, repeated or "
            "going back): each was timed one nominal frame after the one before"
        )
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
            interval = f"rest interval {start:g}-{stop:g} s"
            if start >= video_end_s:
                warnings.append(f"{interval} starts after the video ends ({video_end_s:g} s)")
            elif not np.any((time_s >= start) & (time_s < stop)):
                warnings.append(
                    f"{interval} holds no frame (the frames nearest it are at "
                    f"{_nearest(time_s, start):g} and {_nearest(time_s, stop):g} s)"
                )
            elif stop > video_end_s + 1e-6:
                late = f"{interval} ends after the video ends"
                warnings.append(f"{late} ({video_end_s:g} s): cut short")
        if not np.any(rest):
            warnings.append("no frame falls in the rest intervals given: 0 s of rest")
    return warnings


def _nearest(time_s: np.ndarray, t: float) -> float:
    """The frame time nearest ``t`` (rounded to the ms)."""
    return round(float(time_s[np.argmin(np.abs(time_s - t))]), 3)
