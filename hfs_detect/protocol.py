"""Guided screening protocols for live sessions: steps, timing and per-step figures.

A protocol is a small TOML file (see ``hfs_detect/protocols/default.toml``)::

    name = "default"

    [[step]]
    name = "calibration"
    duration_s = 20
    rest = true
    instruction = "Sit still, look at the camera and relax your face."

``rest = true`` steps are where bursts are looked for (and the face must also
be judged at rest); ``rest = false`` steps are voluntary tasks (talking, smile,
forceful closure), never rest. ``check = "synkinesis"`` adds, for that step,
how much each eye narrows relative to the calibration rest.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from ._checks import HFSDetectError
from .events import Event
from .signals import contraction

__all__ = ["Step", "Protocol", "load_protocol", "step_statistics", "FREE_SESSION"]

CHECKS = ("synkinesis",)


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
    """

    name: str
    duration_s: float
    rest: bool = True
    instruction: str = ""
    check: str | None = None


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
        unknown = set(raw) - {"name", "duration_s", "rest", "instruction", "check"}
        if unknown:
            keys = ", ".join(sorted(unknown))
            raise HFSDetectError(f"invalid protocol {where}: step {name!r}: unknown key(s) {keys}")
        steps.append(
            Step(name.strip(), float(duration), rest, str(raw.get("instruction", "")), check)
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
    from .signals import frame_durations

    time_s = frames["time_s"].to_numpy()
    durations = frame_durations(time_s)
    steps = frames["step"].to_numpy()
    reference = _eye_apertures(frames, rest & (steps == protocol.steps[0].name))
    out = []
    for step in protocol.steps:
        here = steps == step.name
        if not here.any():
            continue
        start_s, end_s = float(time_s[here][0]), float(time_s[here][-1] + durations[here][-1])
        in_step = [e for e in events if start_s <= e.start_s < end_s]
        rest_s = float(durations[here & rest].sum())
        sides = {side: sum(e.side == side for e in in_step) for side in ("left", "right")}
        entry = {
            "step": step.name,
            "rest_step": step.rest,
            "start_s": round(start_s, 3),
            "duration_s": round(float(durations[here].sum()), 3),
            "face_fraction": round(float(frames["face"].to_numpy()[here].mean()), 4),
            "rest_s": round(rest_s, 3),
            "n_events": len(in_step),
            "events_per_rest_min": round(len(in_step) / (rest_s / 60), 3) if rest_s > 0 else None,
            "events_left": sides["left"],
            "events_right": sides["right"],
        }
        if step.check == "synkinesis":
            entry.update(_synkinesis(frames, here, reference))
        out.append(entry)
    return out


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
