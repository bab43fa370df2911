"""Guided screening protocols for live sessions: steps, timing and per-step figures.

A protocol is a small TOML file (see ``hfs_detect/protocols/default.toml``)::

    name = "default"

    [[step]]
    name = "calibration"
    duration_s = 20
    rest = true
    instruction = "Sit still, look at the camera and relax your face."

``rest = true`` steps are where bursts are looked for (and the face must also
be judged at rest); ``rest = false`` steps are voluntary tasks (talking),
never rest. ``provocation = "pursing"``, ``"closure"`` or ``"smile"`` makes a
step a *provocation*: mouth pursing, forceful eye closure and release, or a
smile, which provoke spasms in hemifacial spasm. A provocation step is not
rest, but one-sided bursts are looked for during it and ``after_s`` seconds
after it (default 5 s) and reported per step (``provoked`` in ``events.csv``),
beside the rest figures; the person's resting baseline does not learn from
them. ``check = "synkinesis"`` adds, for that step, how much each eye narrows
relative to the calibration rest.

A recorded file gets the same steps from :func:`steps_from_intervals`
(``hfs-detect analyze --steps pursing=0:30-0:40,closure=1:00-1:10``), and its
pursing can be found from the mouth's shape (:func:`find_pursing`,
``--steps auto``).
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .._checks import HFSDetectError
from ..events import Event
from ..face_mesh import REGIONS
from ..signals import contraction

__all__ = [
    "Step",
    "Protocol",
    "load_protocol",
    "step_statistics",
    "steps_from_intervals",
    "step_warnings",
    "protocol_summary",
    "parse_steps",
    "find_pursing",
    "FREE_SESSION",
    "PROVOCATIONS",
]

CHECKS = ("synkinesis",)
PROVOCATIONS = ("pursing", "closure", "smile")
"""Provocation manoeuvres: mouth pursing, forceful eye closure then release, a smile."""
PROVOKED_AFTER_S = 5.0
"""Seconds after a provocation step in which bursts still count as provoked."""


@dataclass(frozen=True)
class Step:
    """One protocol step.

    Attributes
    ----------
    name : str
        Short identifier, written in the ``step`` column of the frames table.
    duration_s : float
        How long the step runs (``inf`` for an open-ended step).
    rest : bool
        Whether bursts are looked for in this step.
    instruction : str
        What the patient is asked to do, shown on screen.
    check : str or None
        An extra figure for this step (``"synkinesis"``).
    provocation : str or None
        A provocation manoeuvre (:data:`PROVOCATIONS`): the step is not rest,
        but bursts are looked for during it and ``after_s`` after it.
    after_s : float
        How long after a provocation step bursts still count as provoked.
    """

    name: str
    duration_s: float
    rest: bool = True
    instruction: str = ""
    check: str | None = None
    provocation: str | None = None
    after_s: float = PROVOKED_AFTER_S


@dataclass(frozen=True)
class Protocol:
    """A named sequence of steps."""

    name: str
    steps: tuple[Step, ...]

    @property
    def duration_s(self) -> float:
        """Total length of the protocol."""
        return float(sum(step.duration_s for step in self.steps))

    def step_at(self, elapsed_s: float) -> tuple[int, Step, float] | None:
        """The step running ``elapsed_s`` after the start, and the seconds it has left.

        Returns None once the protocol is over.
        """
        end = 0.0
        for k, step in enumerate(self.steps):
            end += step.duration_s
            if elapsed_s < end:
                return k, step, end - elapsed_s
        return None

    def at(self, elapsed_s: float) -> tuple[Step, bool] | None:
        """The protocol clock: the step running ``elapsed_s`` after the start, and whether
        that moment is provoked (a provocation step or the seconds after it, when its
        one-sided bursts still count). None once the protocol is over."""
        where = self.step_at(elapsed_s)
        if where is None:
            return None
        return where[1], self.provoked_by(elapsed_s) is not None

    def warnings(self) -> list[str]:
        """What about the protocol a session would regret: a last step that is a
        provocation (the session ends with it, so the seconds after it, where its
        bursts still count, are never watched)."""
        last = self.steps[-1] if self.steps else None
        if last is not None and last.provocation and last.after_s > 0:
            return [
                f"protocol {self.name!r} ends with the provocation step {last.name!r}: the "
                f"{last.after_s:g} s after it are not watched (add a rest step after it)"
            ]
        return []

    def provoked_by(self, elapsed_s: float) -> Step | None:
        """The provocation step whose window (the step and ``after_s`` after it)
        holds ``elapsed_s``, or None."""
        start = 0.0
        for step in self.steps:
            end = start + step.duration_s
            if step.provocation and start <= elapsed_s < end + step.after_s:
                return step
            if elapsed_s < start:
                break
            start = end
        return None


FREE_SESSION = Protocol(
    "none",
    (Step("session", math.inf, True, "Free session: look at the camera and relax."),),
)
"""No guided steps: one open-ended rest step (used for ``--protocol none``)."""


def default_protocol_text() -> str:
    """The default protocol's TOML (a start for one's own)."""
    return resources.files("hfs_detect.protocols").joinpath("default.toml").read_text()


def load_protocol(spec: str | os.PathLike = "default") -> Protocol:
    """Load a protocol: ``"default"``, ``"none"`` (free session) or a TOML file.

    Raises
    ------
    HFSDetectError
        If the file is missing or not a valid protocol; the message names the problem.
    """
    if str(spec) == "none":
        return FREE_SESSION
    if str(spec) == "default":
        text = default_protocol_text()
        where = "the default protocol"
    else:
        path = Path(spec)
        if not path.is_file():
            raise HFSDetectError(f"protocol file not found: {path}")
        text, where = path.read_text(encoding="utf-8", errors="replace"), str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise HFSDetectError(f"invalid protocol {where}: {exc}") from None
    return _parse(data, where)


def _parse(data: dict, where: str) -> Protocol:
    raw_steps = data.get("step")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise HFSDetectError(f"invalid protocol {where}: no [[step]] tables")
    steps = []
    for k, raw in enumerate(raw_steps, 1):
        name = raw.get("name")
        duration = raw.get("duration_s")
        if not isinstance(name, str) or not name.strip():
            raise HFSDetectError(f"invalid protocol {where}: step {k} has no name")
        if isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration <= 0:
            raise HFSDetectError(
                f"invalid protocol {where}: step {name!r} needs duration_s, a positive number"
            )
        rest = raw.get("rest", True)
        if not isinstance(rest, bool):
            raise HFSDetectError(
                f"invalid protocol {where}: step {name!r}: rest must be true or false"
            )
        check = raw.get("check")
        if check is not None and check not in CHECKS:
            raise HFSDetectError(
                f"invalid protocol {where}: step {name!r}: unknown check {check!r} "
                f"(known: {', '.join(CHECKS)})"
            )
        provocation = raw.get("provocation")
        if provocation is not None and provocation not in PROVOCATIONS:
            raise HFSDetectError(
                f"invalid protocol {where}: step {name!r}: unknown provocation {provocation!r} "
                f"(known: {', '.join(PROVOCATIONS)})"
            )
        if provocation is not None and raw.get("rest") is True:
            raise HFSDetectError(
                f"invalid protocol {where}: step {name!r}: a provocation step is not rest "
                "(leave out rest, or set rest = false)"
            )
        after = raw.get("after_s", PROVOKED_AFTER_S)
        if isinstance(after, bool) or not isinstance(after, (int, float)) or after < 0:
            raise HFSDetectError(
                f"invalid protocol {where}: step {name!r}: after_s must be a number >= 0"
            )
        known = {"name", "duration_s", "rest", "instruction", "check", "provocation", "after_s"}
        unknown = set(raw) - known
        if unknown:
            keys = ", ".join(sorted(unknown))
            raise HFSDetectError(f"invalid protocol {where}: step {name!r}: unknown key(s) {keys}")
        steps.append(
            Step(
                name.strip(),
                float(duration),
                rest and provocation is None,
                str(raw.get("instruction", "")),
                check,
                provocation,
                float(after),
            )  # fmt: skip
        )
    if len({s.name for s in steps}) != len(steps):
        raise HFSDetectError(f"invalid protocol {where}: step names must be different")
    return Protocol(str(data.get("name", Path(where).stem)), tuple(steps))


def step_statistics(
    frames, rest: np.ndarray, events: list[Event], protocol: Protocol
) -> list[dict]:
    """Per protocol step: time, rest time, bursts, rate and side (for ``summary.json``).

    Parameters
    ----------
    frames : pandas.DataFrame
        The frames table with its ``step`` column.
    rest : (n,) bool
        Each frame's rest state.
    events : list of Event
        The bursts of the session.
    protocol : Protocol
        The protocol that was run.

    Returns
    -------
    list of dict
        One dict per step that was reached, in protocol order.
    """
    from ..signals import frame_durations

    time_s = frames["time_s"].to_numpy()
    durations = frame_durations(time_s)
    steps = frames["step"].to_numpy()
    reference = _eye_apertures(frames, rest & (steps == protocol.steps[0].name))
    owner = _event_steps(time_s, steps, events, protocol)
    out = []
    for step in protocol.steps:
        here = steps == step.name
        if not here.any():
            continue
        start_s = float(time_s[here][0])
        in_step = [e for e, name in zip(events, owner, strict=True) if name == step.name]
        rest_s = float(durations[here & rest].sum())
        sides = {side: sum(e.side == side for e in in_step) for side in ("left", "right")}
        entry = {
            "step": step.name,
            "rest_step": step.rest,
            "provocation": step.provocation,
            "start_s": round(start_s, 3),
            "duration_s": round(float(durations[here].sum()), 3),
            "face_fraction": round(float(frames["face"].to_numpy()[here].mean()), 4),
            "rest_s": round(rest_s, 3),
            "n_events": len(in_step),
            "events_per_rest_min": round(len(in_step) / (rest_s / 60), 3) if rest_s > 0 else None,
            "events_left": sides["left"],
            "events_right": sides["right"],
        }
        if step.provocation:
            entry["after_s"] = step.after_s
            entry["regions"] = {r: sum(r in e.regions for e in in_step) for r in REGIONS}
        if step.check == "synkinesis":
            entry.update(_synkinesis(frames, here, reference))
        out.append(entry)
    return out


def protocol_summary(protocol: Protocol) -> dict:
    """The protocol as ``summary.json`` records it (``protocol``)."""
    return {
        "name": protocol.name,
        "steps": [
            {
                "name": s.name,
                "duration_s": s.duration_s if math.isfinite(s.duration_s) else None,
                "rest": s.rest,
                "provocation": s.provocation,
                "after_s": s.after_s if s.provocation else None,
                "instruction": s.instruction,
            }
            for s in protocol.steps
        ],
    }


def parse_steps(text: str) -> list[tuple[str, float, float]]:
    """Parse ``"pursing=0:30-0:40,closure=1:00-1:10"`` into ``(kind, start_s, end_s)``.

    Each part is a provocation (:data:`PROVOCATIONS`) and an interval as
    ``--rest`` takes it (m:ss or seconds).

    Raises
    ------
    HFSDetectError
        Naming the part that is not ``KIND=START-END`` or the unknown kind.
    """
    from ..rest import parse_intervals

    steps = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, sep, interval = part.partition("=")
        kind = kind.strip()
        if not sep:
            raise HFSDetectError(
                f"invalid step {part!r}: expected KIND=START-END, for example "
                "pursing=0:30-0:40 (or auto alone, to find the pursing)"
            )
        if kind not in PROVOCATIONS:
            raise HFSDetectError(
                f"invalid step {part!r}: unknown kind {kind!r} (known: {', '.join(PROVOCATIONS)})"
            )
        if not interval.strip():
            raise HFSDetectError(
                f"invalid step {part!r}: no interval after '=', for example pursing=0:30-0:40"
            )
        try:
            ((start, end),) = parse_intervals(interval)
        except HFSDetectError as exc:  # its message names a rest interval: say step
            reason = str(exc).split(": ", 1)[-1]
            raise HFSDetectError(f"invalid step {part!r}: {reason}") from None
        steps.append((kind, start, end))
    if not steps:
        raise HFSDetectError("no step given: expected for example pursing=0:30-0:40")
    steps.sort(key=lambda item: item[1])
    for (k1, _, end), (k2, start, _) in zip(steps, steps[1:], strict=False):
        if start < end:
            raise HFSDetectError(f"steps {k1} and {k2} overlap: give them one after the other")
    return steps


def step_warnings(steps: list[tuple[str, float, float]], end_s: float) -> list[str]:
    """Steps given by hand (:func:`parse_steps`) that start after the video's last frame
    at ``end_s`` (left out) or end after it (cut short)."""
    out = []
    for kind, start, end in steps:
        if start > end_s:
            out.append(f"step {kind} {start:g}-{end:g} s starts after the video ends "
                       f"({end_s:.1f} s): left out")  # fmt: skip
        elif end > end_s:
            out.append(f"step {kind} {start:g}-{end:g} s ends after the video ends "
                       f"({end_s:.1f} s): cut short")  # fmt: skip
    return out


def steps_from_intervals(
    steps: list[tuple[str, float, float]], after_s: float = PROVOKED_AFTER_S
) -> Protocol:
    """A recorded file's protocol: the given provocation steps, rest steps between them.

    The steps are named by their kind (``pursing``, ``pursing_2``, ...) and
    the stretches around them ``rest_1``, ``rest_2``, ...; the last is open-ended.
    """
    out, clock, seen = [], 0.0, {"rest": 0}

    def named(kind: str) -> str:
        seen[kind] = seen.get(kind, 0) + 1
        return f"rest_{seen[kind]}" if kind == "rest" else (
            kind if seen[kind] == 1 else f"{kind}_{seen[kind]}"
        )  # fmt: skip

    for kind, start, end in sorted(steps, key=lambda item: item[1]):
        if start > clock:
            out.append(Step(named("rest"), start - clock, True, "rest"))
        out.append(Step(named(kind), end - max(start, clock), False, kind, None, kind, after_s))
        clock = end
    out.append(Step(named("rest"), math.inf, True, "rest"))
    return Protocol("steps", tuple(out))


def find_pursing(
    frames, min_pucker: float = 0.5, min_duration_s: float = 1.0
) -> list[tuple[str, float, float]]:
    """Pursing steps found from the mouth's shape: MediaPipe's ``mouthPucker`` score
    at least ``min_pucker`` with the mouth corners drawn towards the midline (both
    ``mouth_midline_distance`` below 90% of their median), for ``min_duration_s``.

    Returns
    -------
    list of (str, float, float)
        ``("pursing", start_s, end_s)`` for :func:`steps_from_intervals`.
    """
    from ..signals import frame_durations

    if "bs_mouthPucker" not in frames:
        return []
    time_s = frames["time_s"].to_numpy(float)
    pucker = frames["bs_mouthPucker"].to_numpy(float) >= min_pucker
    narrow = np.ones(len(frames), bool)
    for side in ("left", "right"):
        width = frames[f"mouth_midline_distance_{side}"].to_numpy(float)
        if np.isfinite(width).any():
            narrow &= width < 0.9 * np.nanmedian(width)
    found = np.nan_to_num(pucker & narrow).astype(bool)
    durations = frame_durations(time_s)
    edges = np.diff(np.r_[0, found.astype(int), 0])
    steps = []
    for a, b in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
        start, end = float(time_s[a]), float(time_s[b - 1] + durations[b - 1])
        if end - start >= min_duration_s:
            steps.append(("pursing", round(start, 3), round(end, 3)))
    return steps


def _event_steps(time_s, steps, events: list[Event], protocol: Protocol) -> list[str | None]:
    """The step each burst belongs to: the step it began in; a provoked burst that began
    after its provocation step, the latest provocation step before it."""
    provocations = {s.name: s for s in protocol.steps if s.provocation}
    ends = {name: float(time_s[steps == name][-1]) for name in provocations
            if (steps == name).any()}  # fmt: skip
    owners = []
    for e in events:
        k = min(int(np.searchsorted(time_s, e.start_s, side="right")) - 1, len(steps) - 1)
        name = steps[max(k, 0)] if len(steps) else None
        if e.provoked and name not in provocations:
            earlier = [(end, n) for n, end in ends.items()
                       if end <= e.start_s <= end + provocations[n].after_s + 0.1]  # fmt: skip
            name = max(earlier)[1] if earlier else None
        owners.append(name)
    return owners


def _eye_apertures(frames, mask: np.ndarray) -> np.ndarray | None:
    cols = ["eye_aperture_left", "eye_aperture_right"]
    if not mask.any() or not set(cols) <= set(frames.columns):
        return None
    values = frames.loc[mask, cols].to_numpy(float)
    ref = np.nanmedian(values, axis=0) if np.isfinite(values).any() else None
    return ref if ref is not None and np.all(ref > 0) else None


def _synkinesis(frames, here: np.ndarray, reference: np.ndarray | None) -> dict:
    """Median narrowing of each eye during a voluntary step, as a fraction of rest aperture."""
    if reference is None:
        return {"eye_narrowing_left": None, "eye_narrowing_right": None}
    values = frames.loc[here, ["eye_aperture_left", "eye_aperture_right"]].to_numpy(float)
    if not np.isfinite(values).any():
        return {"eye_narrowing_left": None, "eye_narrowing_right": None}
    narrowing = contraction("eye_aperture", np.nanmedian(values, axis=0), reference)
    return {
        "eye_narrowing_left": round(float(narrowing[0]), 4),
        "eye_narrowing_right": round(float(narrowing[1]), 4),
    }
