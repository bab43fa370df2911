"""How a recording is analysed: one settings object through every door.

:class:`Settings` holds everything that changes what an analysis finds: the
landmark engine and model, how faces are found, the recording's own facts
(mirrored, rest intervals and provocation steps given by hand) and every
stage's thresholds. ``analyze``, ``live``, ``batch``, the annotated-video
replay and the Python API all take it; the command line builds it once from
``--settings FILE`` and the flags (a flag given wins over the file).
``summary.json`` records it whole (``parameters``), and
:func:`~hfs_detect.session.load_analysis` gives it back.

It reads and writes TOML::

    hfs-detect settings > clinic.toml          # the defaults, to edit
    hfs-detect analyze visit.mp4 -o out/ --settings clinic.toml

A settings file holds top-level keys (``engine``, ``mirrored``, ...) and one
table per stage (``[rest]``, ``[detector]``, ``[blinks]``, ``[verdict]``, ``[grading]``);
keys left out keep their defaults, and an unknown key is refused by name.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._checks import HFSDetectError, check_number, check_option
from ..blinks import BlinkParams
from ..detector import DetectorParams
from ..landmarks.engines import DEFAULT_ENGINE, ENGINES
from ..rest import RestParams, parse_intervals
from .grading import GradingParams
from .protocol import PROVOCATIONS, parse_steps
from .statistics import VerdictParams

__all__ = ["Settings", "SessionSettings", "DetectorParams", "RestParams", "VerdictParams",
           "GradingParams", "BlinkParams", "ENGINES", "DEFAULT_ENGINE"]  # fmt: skip

_STAGES = {"rest": RestParams, "detector": DetectorParams, "blinks": BlinkParams,
           "verdict": VerdictParams, "grading": GradingParams}  # fmt: skip
"""Each stage's table and its parameter type."""


@dataclass(frozen=True)
class Settings:
    """How a recording is analysed (everything that changes what is found).

    Attributes
    ----------
    mirrored : bool
        The recording is a mirror image (selfie-style): frames are flipped back
        before analysis, so sides stay anatomical.
    engine : {'litert', 'mediapipe'}
        The landmark engine (default ``litert`` wherever ``ai-edge-litert``
        installs; :data:`~hfs_detect.landmarks.DEFAULT_ENGINE`).
    model_path : str or None
        Another face landmark model (None: the shipped one).
    max_faces : int
        Faces considered when choosing whom to follow (1-8).
    min_confidence : float
        Face detection and tracking confidence (0-1).
    rest_intervals_s : tuple of (float, float), or None
        Rest given by hand (a clinic protocol) instead of judged.
    steps : tuple of (str, float, float), ``"auto"`` or None
        Provocation steps of a recording, ``(kind, start_s, end_s)``, or
        ``"auto"`` to find the mouth pursing from the mouth's shape.
    rest, detector, blinks, verdict, grading : RestParams, DetectorParams, BlinkParams, \
VerdictParams, GradingParams
        Each stage's thresholds.
    source : str or None
        The settings file they were read from (:meth:`read`), recorded beside them in
        ``summary.json`` (``settings_file``) and ``cohort.csv``; not itself a setting
        (equal values from two files are equal settings).
    """

    mirrored: bool = False
    engine: str = DEFAULT_ENGINE
    model_path: str | None = None
    max_faces: int = 4
    min_confidence: float = 0.5
    rest_intervals_s: tuple[tuple[float, float], ...] | None = None
    steps: tuple[tuple[str, float, float], ...] | str | None = None
    rest: RestParams = field(default_factory=RestParams)
    detector: DetectorParams = field(default_factory=DetectorParams)
    blinks: BlinkParams = field(default_factory=BlinkParams)
    verdict: VerdictParams = field(default_factory=VerdictParams)
    grading: GradingParams = field(default_factory=GradingParams)
    source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__  # frozen: normalised once, here
        if not isinstance(self.mirrored, bool):
            raise HFSDetectError(f"mirrored must be true or false, but got {self.mirrored!r}.")
        check_option("engine", self.engine, ENGINES)
        if self.model_path is not None:
            set_(self, "model_path", str(self.model_path))
        set_(self, "max_faces", int(check_number("max_faces", self.max_faces, minimum=1,
                                                 maximum=8, integer=True)))  # fmt: skip
        set_(self, "min_confidence", float(check_number("min_confidence", self.min_confidence,
                                                        minimum=0.0, maximum=1.0)))  # fmt: skip
        set_(self, "rest_intervals_s", _intervals(self.rest_intervals_s))
        set_(self, "steps", _steps(self.steps))
        for name, kind in _STAGES.items():
            value = getattr(self, name)
            if isinstance(value, dict):
                set_(self, name, _stage(name, kind, value))
            elif not isinstance(value, kind):
                raise HFSDetectError(f"{name} must be {kind.__name__}, but got {value!r}.")

    # -- changed copies ------------------------------------------------------------
    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes``; a stage's table may be given as a dict of the
        thresholds to change (``detector={"threshold_z": 5}``)."""
        for name in _STAGES:
            if isinstance(changes.get(name), dict):
                changes[name] = dataclasses.replace(getattr(self, name), **changes[name])
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)} - {"source"}
        if unknown:
            raise HFSDetectError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return dataclasses.replace(self, **changes)

    # -- plain data ----------------------------------------------------------------
    def to_dict(self) -> dict:
        """The settings as plain data (``summary.json``'s ``parameters``)."""
        return {
            "mirrored": self.mirrored,
            "engine": self.engine,
            "model_path": self.model_path,
            "max_faces": self.max_faces,
            "min_confidence": self.min_confidence,
            "rest_intervals_s": [list(i) for i in self.rest_intervals_s]
            if self.rest_intervals_s
            else None,
            "steps": self.steps if isinstance(self.steps, str) or self.steps is None
            else [list(s) for s in self.steps],
            **{name: getattr(self, name).to_dict() for name in _STAGES},
        }  # fmt: skip

    @classmethod
    def from_dict(cls, data: dict, where: str = "settings") -> Settings:
        """Settings from plain data; keys left out keep their defaults.

        Raises
        ------
        HFSDetectError
            For an unknown key or a bad value, naming it and ``where`` it was.
        """
        if not isinstance(data, dict):
            raise HFSDetectError(f"{where}: expected a table of settings, got {data!r}")
        names = {f.name for f in dataclasses.fields(cls)} - {"source"}
        unknown = sorted(set(data) - names)
        if unknown:
            raise HFSDetectError(
                f"{where}: unknown setting(s) {', '.join(unknown)} (known: "
                f"{', '.join(sorted(names))})"
            )
        values = {k: v for k, v in data.items() if v is not None or k in ("model_path",)}
        try:
            return cls(**values)
        except HFSDetectError as exc:
            raise HFSDetectError(f"{where}: {exc}") from None

    @classmethod
    def from_summary(cls, summary: dict) -> Settings:
        """The settings a saved analysis was made with (its ``summary.json``).

        Older summaries recorded fewer settings: the rest keep their defaults,
        and an analysis from before engines were recorded was MediaPipe's.
        """
        params = dict(summary.get("parameters") or {})
        params.setdefault("engine", "mediapipe")
        if "mirrored" in summary:
            params["mirrored"] = bool(summary["mirrored"])
        known = {f.name for f in dataclasses.fields(cls)}
        return cls.from_dict({k: v for k, v in params.items() if k in known},
                             "summary.json parameters")  # fmt: skip

    def key(self) -> str:
        """A hash of the settings: equal settings, equal keys (a batch's resume test)."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    # -- TOML ----------------------------------------------------------------------
    def to_toml(self) -> str:
        """The settings as a TOML file's text (every value spelled out)."""
        from .. import __version__

        data = self.to_dict()
        lines = [
            f"# hfs-detect {__version__} settings: how a recording is analysed.",
            "# Give them with --settings FILE (analyze, live, batch); keys left out keep",
            "# their defaults, and a flag given on the command line wins over the file.",
            "",
        ]
        for key, value in data.items():
            if key in _STAGES:
                continue
            if value is None:
                lines.append(f"# {key} = (not set)")
            else:
                lines.append(f"{key} = {_toml_value(value)}")
        for name in _STAGES:
            lines += ["", f"[{name}]"]
            lines += [f"{k} = {_toml_value(v)}" for k, v in data[name].items()]
        return "\n".join(lines) + "\n"

    @classmethod
    def read(cls, path: str | os.PathLike) -> Settings:
        """Settings from a TOML file.

        Raises
        ------
        HFSDetectError
            A file that is missing, not TOML, or holds an unknown key or a bad
            value (the message names the file and the key).
        """
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise HFSDetectError(f"settings file not found: {path}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise HFSDetectError(f"cannot read the settings file {path}: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise HFSDetectError(f"{path} is not a TOML settings file: {exc}") from None
        return dataclasses.replace(cls.from_dict(data, str(path)), source=str(path))

    def write(self, path: str | os.PathLike) -> Path:
        """Write the settings as TOML (whole, or not at all)."""
        from .._atomic import write_text_atomic

        write_text_atomic(Path(path), self.to_toml())
        return Path(path)


SessionSettings = Settings
"""The earlier name of :class:`Settings` (the public API keeps it)."""


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise HFSDetectError(f"a setting cannot be {value}")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string is JSON's
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise HFSDetectError(f"a setting cannot be {value!r}")


def _stage(name: str, kind: type, values: dict):
    fields = {f.name for f in dataclasses.fields(kind)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise HFSDetectError(
            f"unknown {name} setting(s) {', '.join(unknown)} (known: {', '.join(sorted(fields))})"
        )
    try:
        return kind(**values)
    except HFSDetectError as exc:
        raise HFSDetectError(f"{name}.{exc}") from None
    except TypeError as exc:  # a non-number where a number belongs
        raise HFSDetectError(f"{name}: {exc}") from None


def _intervals(value) -> tuple[tuple[float, float], ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_intervals(value)
    try:
        pairs = tuple((float(a), float(b)) for a, b in value)
    except (TypeError, ValueError):
        raise HFSDetectError(
            f"rest_intervals_s must be [start, end] pairs in seconds, but got {value!r}."
        ) from None
    for start, end in pairs:
        if not (math.isfinite(start) and math.isfinite(end) and 0 <= start < end):
            raise HFSDetectError(
                f"rest_intervals_s: [{start:g}, {end:g}] is not an interval (0 <= start < end)."
            )
    if not pairs:
        raise HFSDetectError("rest_intervals_s is empty: leave it out to judge rest")
    return tuple(sorted(pairs))


def _steps(value) -> tuple[tuple[str, float, float], ...] | str | None:
    if value is None or value == "auto":
        return value
    if isinstance(value, str):
        return tuple(parse_steps(value))
    try:
        steps = tuple((str(k), float(a), float(b)) for k, a, b in value)
    except (TypeError, ValueError):
        raise HFSDetectError(
            f"steps must be [kind, start_s, end_s] items or 'auto', but got {value!r}."
        ) from None
    for kind, start, end in steps:
        check_option("steps kind", kind, PROVOCATIONS)
        if not (math.isfinite(start) and math.isfinite(end) and 0 <= start < end):
            raise HFSDetectError(f"steps: {kind} {start:g}-{end:g} s is not an interval.")
    steps = tuple(sorted(steps, key=lambda step: step[1]))
    for (k1, _, end), (k2, start, _) in zip(steps, steps[1:], strict=False):
        if start < end:
            raise HFSDetectError(f"steps {k1} and {k2} overlap: give them one after the other")
    if not steps:
        raise HFSDetectError("steps is empty: leave it out when the recording has none")
    return steps
