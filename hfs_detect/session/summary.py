"""The session summary, typed: what ``summary.json`` holds, written and read in one place.

:class:`Summary` is made by the runner at the end of an analysis and read back
by :func:`~hfs_detect.session.load_analysis`; every other module uses its typed
parts, never the JSON's keys:

- :class:`Recording`: what was analysed (video, duration, frames, face coverage);
- :class:`Statistics`: rest, bursts, rates, sides, regions, the verdict;
- :class:`Grading`: the clinical scales' video proxies;
- :class:`Provenance`: versions, the landmark engine and why, the model's sha256;
- :class:`~hfs_detect.session.settings.Settings`: how it was analysed (``parameters``);
- protocol steps (:class:`StepFigures`), marks, live timing (:class:`LiveTiming`),
  warnings, the methods paragraph.

``summary.json`` keeps its flat layout (the output contract): :meth:`Summary.to_dict`
writes today's keys and :meth:`Summary.from_dict` reads them, from this version
and earlier ones, checking each value's type at the boundary. A
:class:`Summary` can also be read like the dict it is written as
(``summary["verdict"]``), for scripts written against the JSON.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._checks import HFSDetectError
from .settings import Settings

__all__ = [
    "Summary",
    "Recording",
    "Statistics",
    "Grading",
    "Provenance",
    "StepFigures",
    "LiveTiming",
    "Mark",
]

_NUMBER, _INT, _STR, _BOOL, _DICT, _LIST = "number", "whole number", "text", "true/false", \
    "table", "list"  # fmt: skip


class _Reader:
    """Takes typed values out of one summary's plain data, naming the file on a bad one."""

    def __init__(self, data: dict, where: str):
        self.data, self.where = data, where

    def __call__(self, key: str, kind: str, default: Any = ..., *, optional: bool = False):
        if key not in self.data:
            if default is ...:
                raise HFSDetectError(
                    f"{self.where}: no '{key}' (expected a {kind}); rerun analyze to remake it"
                )
            return default
        value = self.data[key]
        if value is None and (optional or default is None):
            return None
        ok = {
            _NUMBER: isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and abs(value) < 1e12,
            _INT: isinstance(value, int) and not isinstance(value, bool),
            _STR: isinstance(value, str),
            _BOOL: isinstance(value, bool),
            _DICT: isinstance(value, dict),
            _LIST: isinstance(value, list),
        }[kind]  # fmt: skip
        if not ok:
            shown = repr(value) if len(repr(value)) < 40 else repr(value)[:37] + "..."
            raise HFSDetectError(
                f"{self.where}: '{key}' should be a {kind}, but is {shown}; rerun analyze "
                "to remake it"
            )
        return float(value) if kind == _NUMBER else value


def _drop_none(values: dict, keys: tuple[str, ...]) -> dict:
    return {k: v for k, v in values.items() if not (k in keys and v is None)}


@dataclass
class Recording:
    """What was analysed.

    Attributes
    ----------
    video : str
        The analysed file's absolute path (or a camera's name).
    duration_s : float
    fps : float or None
        Frames per second, from the timestamps.
    fps_nominal : float or None
        The container's declared rate.
    n_frames, n_frames_face : int
        Frames decoded; frames with the subject's face.
    face_fraction : float
    width, height : int or None
    rotation_deg : float or None
        Rotation metadata the decoder applied.
    n_timestamps_repaired : int
        Frames whose timestamp was missing or not increasing.
    mirrored : bool
    video_fingerprint : dict or None
        The file's size and the sha256 of its first MiB (None for a camera).
    """

    video: str
    duration_s: float
    fps: float | None = None
    fps_nominal: float | None = None
    n_frames: int = 0
    n_frames_face: int = 0
    face_fraction: float = 0.0
    width: int | None = None
    height: int | None = None
    rotation_deg: float | None = None
    n_timestamps_repaired: int = 0
    mirrored: bool = False
    video_fingerprint: dict | None = None

    @classmethod
    def read(cls, get: _Reader) -> Recording:
        return cls(
            video=get("video", _STR),
            duration_s=get("duration_s", _NUMBER),
            fps=get("fps", _NUMBER, None),
            fps_nominal=get("fps_nominal", _NUMBER, None),
            n_frames=get("n_frames", _INT),
            n_frames_face=get("n_frames_face", _INT, 0),
            face_fraction=get("face_fraction", _NUMBER, 0.0),
            width=get("width", _INT, None),
            height=get("height", _INT, None),
            rotation_deg=get("rotation_deg", _NUMBER, None),
            n_timestamps_repaired=get("n_timestamps_repaired", _INT, 0),
            mirrored=get("mirrored", _BOOL, False),
            video_fingerprint=get("video_fingerprint", _DICT, None),
        )


@dataclass
class Statistics:
    """What the session shows (see :func:`~hfs_detect.session.statistics.session_statistics`).

    Attributes
    ----------
    rest_s : float
        Seconds at rest.
    n_events : int
        Bursts at rest.
    events_per_rest_min, spasm_fraction : float or None
        None without rest.
    dominant_side : {'left', 'right'} or None
        None without bursts or with as many on each side.
    dominant_side_share : float or None
    regions, kinds : dict of str to int
        Bursts per region and per kind.
    n_brow_raised, n_long_bilateral_closures, n_provoked_events : int
    persistent_asymmetry : list of dict
        Lasting one-sided changes re-learned as rest.
    blinks : dict
        The blink figures (:func:`~hfs_detect.session.statistics.blink_statistics`);
        empty for a session analysed before blinks were measured.
    verdict : str
        ``unilateral_bursts``, ``bilateral_pattern``, ``none`` or ``insufficient_data``.
    verdict_text : str
        The verdict in a sentence.
    """

    rest_s: float
    n_events: int
    verdict: str
    events_per_rest_min: float | None = None
    spasm_fraction: float | None = None
    dominant_side: str | None = None
    dominant_side_share: float | None = None
    regions: dict = field(default_factory=dict)
    kinds: dict = field(default_factory=dict)
    n_brow_raised: int = 0
    n_long_bilateral_closures: int = 0
    persistent_asymmetry: list = field(default_factory=list)
    verdict_text: str = ""
    n_provoked_events: int = 0
    blinks: dict = field(default_factory=dict)

    VERDICTS = ("unilateral_bursts", "bilateral_pattern", "none", "insufficient_data")

    @classmethod
    def read(cls, get: _Reader) -> Statistics:
        verdict = get("verdict", _STR)
        if verdict not in cls.VERDICTS:
            raise HFSDetectError(
                f"{get.where}: 'verdict' is {verdict!r}, not one of {', '.join(cls.VERDICTS)}; "
                "rerun analyze to remake it"
            )
        side = get("dominant_side", _STR, None)
        if side not in (None, "left", "right"):
            raise HFSDetectError(f"{get.where}: 'dominant_side' is {side!r}, not left or right")
        if verdict == "unilateral_bursts" and side is None:
            raise HFSDetectError(
                f"{get.where}: the verdict is unilateral_bursts but no 'dominant_side' is "
                "given; rerun analyze to remake it"
            )
        return cls(
            rest_s=get("rest_s", _NUMBER),
            n_events=get("n_events", _INT),
            verdict=verdict,
            events_per_rest_min=get("events_per_rest_min", _NUMBER, None),
            spasm_fraction=get("spasm_fraction", _NUMBER, None),
            dominant_side=side,
            dominant_side_share=get("dominant_side_share", _NUMBER, None),
            regions=get("regions", _DICT, {}),
            kinds=get("kinds", _DICT, {}),
            n_brow_raised=get("n_brow_raised", _INT, 0),
            n_long_bilateral_closures=get("n_long_bilateral_closures", _INT, 0),
            persistent_asymmetry=get("persistent_asymmetry", _LIST, []),
            verdict_text=get("verdict_text", _STR, ""),
            n_provoked_events=get("n_provoked_events", _INT, 0),
            blinks=get("blinks", _DICT, {}),
        )


@dataclass
class Grading:
    """The clinical scales' video proxies (:func:`~hfs_detect.session.grading.grade_session`).

    Attributes
    ----------
    affected_side : {'left', 'right'} or None
    bursts_per_rest_hour : float
    jankovic_frequency : int
        Jankovic frequency band, 0-4.
    beyond_eye_fraction, held_closed_fraction : float or None
    smc_grade : {'I', 'II', 'III', 'IV'} or None
    tonic_median, tonic_p90 : float or None
        Nomura & Sakai's tonic component.
    clonic_twitches_per_min : float
    graded : bool
        Whether bands and grades were given (the screening pattern was shown).
    """

    affected_side: str | None = None
    bursts_per_rest_hour: float | None = None
    jankovic_frequency: int | None = None
    beyond_eye_fraction: float | None = None
    held_closed_fraction: float | None = None
    smc_grade: str | None = None
    tonic_median: float | None = None
    tonic_p90: float | None = None
    clonic_twitches_per_min: float | None = None
    graded: bool = False

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict, where: str = "grading") -> Grading:
        get = _Reader(data, where)
        numbers = ("bursts_per_rest_hour", "beyond_eye_fraction", "held_closed_fraction",
                   "tonic_median", "tonic_p90", "clonic_twitches_per_min")  # fmt: skip
        return cls(
            affected_side=get("affected_side", _STR, None),
            jankovic_frequency=get("jankovic_frequency", _INT, None),
            smc_grade=get("smc_grade", _STR, None),
            graded=get("graded", _BOOL, False),
            **{key: get(key, _NUMBER, None) for key in numbers},
        )


@dataclass
class Provenance:
    """How the summary was made.

    Attributes
    ----------
    hfs_detect_version : str
    mediapipe_version : str or None
    landmark_engine : {'litert', 'mediapipe'}
    landmark_engine_version : str or None
    landmark_engine_reason : str or None
        Why that engine ran (the default, or chosen).
    model_sha256 : str or None
    landmarks_from_cache : bool
    record : dict
        Versions of every library, the model, the time and the command
        (``summary.json``'s ``provenance``).
    """

    hfs_detect_version: str
    landmark_engine: str = "mediapipe"
    mediapipe_version: str | None = None
    landmark_engine_version: str | None = None
    landmark_engine_reason: str | None = None
    model_sha256: str | None = None
    landmarks_from_cache: bool = False
    record: dict = field(default_factory=dict)

    @property
    def created_utc(self) -> str | None:
        """When the analysis was made (ISO 8601, UTC)."""
        return self.record.get("created_utc")

    @classmethod
    def read(cls, get: _Reader) -> Provenance:
        return cls(
            hfs_detect_version=get("hfs_detect_version", _STR, "unknown"),
            landmark_engine=get("landmark_engine", _STR, "mediapipe"),  # older: always
            mediapipe_version=get("mediapipe_version", _STR, None),
            landmark_engine_version=get("landmark_engine_version", _STR, None),
            landmark_engine_reason=get("landmark_engine_reason", _STR, None),
            model_sha256=get("model_sha256", _STR, None),
            landmarks_from_cache=get("landmarks_from_cache", _BOOL, False),
            record=get("provenance", _DICT, {}),
        )


@dataclass
class StepFigures:
    """One protocol step's figures (``summary.json``'s ``steps``)."""

    step: str
    rest_step: bool
    start_s: float
    duration_s: float
    rest_s: float
    n_events: int
    events_left: int = 0
    events_right: int = 0
    provocation: str | None = None
    face_fraction: float | None = None
    events_per_rest_min: float | None = None
    after_s: float | None = None
    regions: dict | None = None
    synkinesis: bool = False
    eye_narrowing_left: float | None = None
    eye_narrowing_right: float | None = None

    def to_dict(self) -> dict:
        values = dataclasses.asdict(self)
        synkinesis = values.pop("synkinesis")
        if not synkinesis:
            values.pop("eye_narrowing_left")
            values.pop("eye_narrowing_right")
        return _drop_none(values, ("after_s", "regions"))

    @classmethod
    def from_dict(cls, data: dict, where: str = "step") -> StepFigures:
        if not isinstance(data, dict):
            raise HFSDetectError(f"{where}: a step should be a table, but is {data!r}")
        get = _Reader(data, where)
        return cls(
            step=get("step", _STR),
            rest_step=get("rest_step", _BOOL),
            start_s=get("start_s", _NUMBER),
            duration_s=get("duration_s", _NUMBER),
            rest_s=get("rest_s", _NUMBER),
            n_events=get("n_events", _INT),
            events_left=get("events_left", _INT, 0),
            events_right=get("events_right", _INT, 0),
            provocation=get("provocation", _STR, None),
            face_fraction=get("face_fraction", _NUMBER, None),
            events_per_rest_min=get("events_per_rest_min", _NUMBER, None),
            after_s=get("after_s", _NUMBER, None),
            regions=get("regions", _DICT, None),
            synkinesis="eye_narrowing_left" in data,
            eye_narrowing_left=get("eye_narrowing_left", _NUMBER, None),
            eye_narrowing_right=get("eye_narrowing_right", _NUMBER, None),
        )


@dataclass
class Mark:
    """A moment the clinician marked in a live session (the ``m`` key)."""

    time_s: float
    step: str | None = None


@dataclass
class LiveTiming:
    """How a live session ran (``summary.json``'s ``live``)."""

    source: str
    camera: bool
    realtime: bool
    ended_by: str
    n_frames_read: int
    n_frames_dropped: int
    n_frames_analysed: int
    video_recorded: bool = False
    latency_ms_p50: float | None = None
    latency_ms_p95: float | None = None
    latency_ms_max: float | None = None
    n_flags: int = 0
    flag_delay_s_median: float | None = None
    flag_delay_s_max: float | None = None

    @classmethod
    def from_dict(cls, data: dict, where: str = "live") -> LiveTiming:
        get = _Reader(data, where)
        numbers = ("latency_ms_p50", "latency_ms_p95", "latency_ms_max", "flag_delay_s_median",
                   "flag_delay_s_max")  # fmt: skip
        return cls(
            source=get("source", _STR, ""),
            camera=get("camera", _BOOL, False),
            realtime=get("realtime", _BOOL, False),
            ended_by=get("ended_by", _STR, ""),
            n_frames_read=get("n_frames_read", _INT, 0),
            n_frames_dropped=get("n_frames_dropped", _INT, 0),
            n_frames_analysed=get("n_frames_analysed", _INT, 0),
            video_recorded=get("video_recorded", _BOOL, False),
            n_flags=get("n_flags", _INT, 0),
            **{key: get(key, _NUMBER, None) for key in numbers},
        )


_RECORDING_KEYS = tuple(f.name for f in dataclasses.fields(Recording))
_STATISTICS_KEYS = tuple(f.name for f in dataclasses.fields(Statistics))
_PROVENANCE_KEYS = (
    "hfs_detect_version", "mediapipe_version", "landmark_engine", "landmark_engine_version",
    "landmark_engine_reason", "model_sha256", "landmarks_from_cache", "provenance",
)  # fmt: skip
_OTHER_KEYS = ("parameters", "settings_file", "settings_sha256", "grading", "methods",
               "disclaimer", "warnings", "protocol", "steps", "marks", "live",
               "batch_key")  # fmt: skip
_KNOWN = set(_RECORDING_KEYS) | set(_STATISTICS_KEYS) | set(_PROVENANCE_KEYS) | set(_OTHER_KEYS)


@dataclass
class Summary(Mapping):
    """One analysis's summary (``summary.json``), in typed parts.

    Attributes
    ----------
    recording : Recording
    statistics : Statistics
    provenance : Provenance
    settings : Settings
        How it was analysed (``parameters`` in the file).
    grading : Grading or None
        None in summaries from before grading.
    methods : str
        The methods paragraph.
    disclaimer : str
    warnings : list of str
        What to know about the input that is not an error.
    protocol : dict or None
        The protocol that was run (live, or ``--steps``).
    steps : list of StepFigures or None
        Figures per protocol step.
    marks : list of Mark or None
        Moments marked in a live session.
    live : LiveTiming or None
        How a live session ran.
    batch_key : str or None
        What a batch checks to keep a finished analysis.
    extra : dict
        Keys this version does not know (kept as they were read).
    recorded_parameters : dict or None
        ``parameters`` as a file read back holds them (an earlier version recorded
        fewer; ``settings`` fills the rest with today's defaults). Not written.
    """

    recording: Recording
    statistics: Statistics
    provenance: Provenance
    settings: Settings = field(default_factory=Settings)
    grading: Grading | None = None
    methods: str = ""
    disclaimer: str = ""
    warnings: list[str] = field(default_factory=list)
    protocol: dict | None = None
    steps: list[StepFigures] | None = None
    marks: list[Mark] | None = None
    live: LiveTiming | None = None
    batch_key: str | None = None
    extra: dict = field(default_factory=dict)
    recorded_parameters: dict | None = field(default=None, compare=False)

    # -- the file's layout -----------------------------------------------------------
    def to_dict(self) -> dict:
        """``summary.json``'s keys (the output contract's flat layout)."""
        r, s, p = self.recording, self.statistics, self.provenance
        out: dict = {}
        for key in _RECORDING_KEYS[:12]:  # up to mirrored, as the contract lists them
            out[key] = getattr(r, key)
        for key in ("rest_s", "n_events", "events_per_rest_min", "spasm_fraction",
                    "dominant_side", "verdict"):  # fmt: skip
            out[key] = getattr(s, key)
        out.update(
            hfs_detect_version=p.hfs_detect_version,
            mediapipe_version=p.mediapipe_version,
            landmark_engine=p.landmark_engine,
            landmark_engine_version=p.landmark_engine_version,
            landmark_engine_reason=p.landmark_engine_reason,
            model_sha256=p.model_sha256,
            landmarks_from_cache=p.landmarks_from_cache,
            video_fingerprint=r.video_fingerprint,
            parameters=self.settings.to_dict(),
            settings_file=self.settings.source,
            settings_sha256=self.settings.key(),
            provenance=p.record,
        )
        for key in _STATISTICS_KEYS:
            out.setdefault(key, getattr(s, key))
        out["grading"] = self.grading.to_dict() if self.grading is not None else None
        out.update(methods=self.methods, disclaimer=self.disclaimer, warnings=list(self.warnings))
        if self.protocol is not None or self.steps is not None:
            out["protocol"] = self.protocol
            out["steps"] = [step.to_dict() for step in self.steps or []]
        if self.marks is not None:
            out["marks"] = [dataclasses.asdict(m) for m in self.marks]
        if self.live is not None:
            out["live"] = dataclasses.asdict(self.live)
        if self.batch_key is not None:
            out["batch_key"] = self.batch_key
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: dict, where: str = "summary.json") -> Summary:
        """A summary from ``summary.json``'s data (this version's or an earlier one's).

        Raises
        ------
        HFSDetectError
            A missing key the summary cannot do without, or a value of the wrong
            type: one line naming the file, the key, what was expected and what came.
        """
        if not isinstance(data, dict):
            raise HFSDetectError(f"{where} is not a session summary; rerun analyze")
        get = _Reader(data, where)
        grading = get("grading", _DICT, None)
        steps = get("steps", _LIST, None)
        marks = get("marks", _LIST, None)
        live = get("live", _DICT, None)
        parameters = get("parameters", _DICT, {})
        return cls(
            recording=Recording.read(get),
            statistics=Statistics.read(get),
            provenance=Provenance.read(get),
            settings=dataclasses.replace(
                Settings.from_summary({**data, "parameters": parameters}),
                source=get("settings_file", _STR, None),
            ),
            grading=Grading.from_dict(grading, f"{where} grading") if grading else None,
            methods=get("methods", _STR, ""),
            disclaimer=get("disclaimer", _STR, ""),
            warnings=[str(w) for w in get("warnings", _LIST, [])],
            protocol=get("protocol", _DICT, None),
            steps=[StepFigures.from_dict(s, f"{where} steps") for s in steps]
            if steps is not None else None,
            marks=[Mark(float(m.get("time_s", 0.0)), m.get("step")) for m in marks
                   if isinstance(m, dict)] if marks is not None else None,
            live=LiveTiming.from_dict(live, f"{where} live") if live else None,
            batch_key=get("batch_key", _STR, None),
            extra={k: v for k, v in data.items() if k not in _KNOWN},
            recorded_parameters=parameters,
        )  # fmt: skip

    # -- read like the dict it is written as ---------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.to_dict())

    __hash__ = None  # mutable

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Summary):
            return self.to_dict() == other.to_dict()
        return NotImplemented
