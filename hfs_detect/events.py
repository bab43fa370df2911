"""The one event type, from the detector to every output."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._checks import HFSDetectError, check_option
from .face_mesh import REGIONS, SIDES

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EVENT_COLUMNS", "Event", "dominant_side", "in_events", "events_to_frame", "events_from_frame",
    "check_events",
]  # fmt: skip

EVENT_COLUMNS: tuple[str, ...] = (
    "start_s",
    "end_s",
    "duration_s",
    "side",
    "regions",
    "kind",
    "n_twitches",
    "peak",
    "confidence",
    "brow_raised",
    "provoked",
)
"""Columns of ``events.csv``, in order: the output contract's nine, then
``brow_raised`` (the same-side brow rose while the eye closed: the "other
Babinski sign", specific to hemifacial spasm) and ``provoked`` (the burst set
in during or just after a provocation step, not at rest)."""

KINDS: tuple[str, str] = ("tonic", "clonic")


@dataclass(frozen=True)
class Event:
    """One unilateral contraction burst.

    Attributes
    ----------
    start_s, end_s : float
        Seconds from the start of the video.
    side : {'left', 'right'}
        The patient's anatomical side.
    regions : tuple of str
        Involved regions, from ``eye``, ``cheek``, ``mouth``, ``brow``.
    kind : {'tonic', 'clonic'}
        Sustained contraction, or a train of twitches.
    n_twitches : int
    peak : float
        Largest departure from baseline, in robust z units.
    confidence : float
        0-1.
    brow_raised : bool
        The same-side brow rose while the eye closed (the "other Babinski sign").
    provoked : bool
        It set in during or just after a provocation step (mouth pursing,
        forceful eye closure, smile), not at rest.
    """

    start_s: float
    end_s: float
    side: str
    regions: tuple[str, ...]
    kind: str
    n_twitches: int = 1
    peak: float = float("nan")
    confidence: float = float("nan")
    brow_raised: bool = False
    provoked: bool = False

    def __post_init__(self) -> None:
        check_option("side", self.side, SIDES)
        check_option("kind", self.kind, KINDS)
        for region in self.regions:
            check_option("regions", region, REGIONS)

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def to_row(self) -> dict:
        """The event as one ``events.csv`` row."""
        row = asdict(self)
        row["duration_s"] = self.duration_s
        row["regions"] = "+".join(r for r in REGIONS if r in self.regions)
        return {column: row[column] for column in EVENT_COLUMNS}


def events_to_frame(events: list[Event]) -> pd.DataFrame:
    """A table with the contract columns, one row per event (empty is fine)."""
    import pandas as pd

    return pd.DataFrame([e.to_row() for e in events], columns=list(EVENT_COLUMNS))


def dominant_side(events: list[Event]) -> str | None:
    """The side with more bursts; None with no burst or as many on each side."""
    n = {side: sum(e.side == side for e in events) for side in SIDES}
    left, right = n["left"], n["right"]
    return None if left == right else ("left" if left > right else "right")


_ROUNDING_S = 5e-5  # events.csv times are rounded to 0.1 ms


def in_events(time_s: np.ndarray, events: list[Event]) -> np.ndarray:
    """Per frame, whether it lies in one of ``events``: from the start frame up to, not
    including, the frame at ``end_s`` (times as rounded in ``events.csv`` still take in
    their own first frame)."""
    time_s = np.asarray(time_s, float)
    inside = np.zeros(len(time_s), bool)
    for event in events:
        inside |= (time_s >= event.start_s - _ROUNDING_S) & (time_s < event.end_s - _ROUNDING_S)
    return inside


def events_from_frame(table: pd.DataFrame) -> list[Event]:
    """Events back from an ``events.csv`` table (the inverse of :func:`events_to_frame`)."""
    return [
        Event(
            float(r.start_s), float(r.end_s), r.side,
            tuple(filter(None, str(r.regions if r.regions == r.regions else "").split("+"))),
            r.kind, int(r.n_twitches), float(r.peak), float(r.confidence),
            bool(getattr(r, "brow_raised", False)), _flag(getattr(r, "provoked", False)),
        )
        for r in table.itertuples()
    ]  # fmt: skip


def _flag(value) -> bool:
    """A boolean cell of a read table (``True``, ``"True"``, 1, or empty for older files)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    return bool(value) if value == value else False  # NaN: an older file's missing cell


_SLACK_S = 0.5  # a burst may end this much after the video's last frame (its end is a time)


def check_events(
    table: pd.DataFrame,
    where: str,
    *,
    duration_s: float | None = None,
    max_rows: int | None = None,
) -> pd.DataFrame:
    """An events table checked where it enters: every burst possible, or one line why not.

    Checked: ``start_s`` and ``end_s`` are finite times from 0, the end not before the
    start, and within ``duration_s`` (the video's) when known; ``side`` is ``left`` or
    ``right``; ``kind`` (when given) ``tonic`` or ``clonic``; ``n_twitches`` (when given)
    a whole number from 0; ``regions`` (when given) joined from :data:`REGIONS`; at most
    ``max_rows`` bursts (a video's frame count: a burst spans a frame at least).

    Parameters
    ----------
    table : pandas.DataFrame
        With at least ``start_s``, ``end_s``, ``side``.
    where : str
        The file it came from, for the message.
    duration_s, max_rows : optional
        Bounds from the video analysed.

    Returns
    -------
    pandas.DataFrame
        The table, its times as floats.

    Raises
    ------
    HFSDetectError
        Naming the file, the row (as numbered in a CSV file, the header being line 1),
        the column, what was expected and what came.
    """
    import pandas as pd

    missing = {"start_s", "end_s", "side"} - set(table.columns)
    if missing:
        raise HFSDetectError(
            f"{where} is not an events table: missing column(s) {', '.join(sorted(missing))}"
        )
    if max_rows is not None and len(table) > max_rows:
        raise HFSDetectError(
            f"{where} holds {len(table)} bursts, more than the video's {max_rows} frames: "
            "not a table of this video's bursts"
        )

    def bad(i: int, column: str, expected: str, value) -> HFSDetectError:
        value = value.item() if hasattr(value, "item") else value  # numpy's scalars as Python's
        return HFSDetectError(
            f"{where}: line {i + 2}: {column} should be {expected}, but is {value!r}"
        )

    table = table.copy()
    for column in ("start_s", "end_s"):
        values = pd.to_numeric(table[column], errors="coerce").astype(float)
        for i in np.flatnonzero(~np.isfinite(values.to_numpy()) | (values.to_numpy() < 0)):
            raise bad(int(i), column, "a time in seconds from 0", table[column].iloc[i])
        table[column] = values
    start, end = table["start_s"].to_numpy(), table["end_s"].to_numpy()
    for i in np.flatnonzero(end < start):
        raise bad(int(i), "end_s", f"at or after its start_s ({start[i]:g})", end[i])
    if duration_s is not None:
        for i in np.flatnonzero(end > duration_s + _SLACK_S):
            raise bad(int(i), "end_s", f"within the video ({duration_s:g} s long)", end[i])
    for i, side in enumerate(table["side"]):
        if side not in SIDES:
            raise bad(i, "side", "left or right", side)
    if "kind" in table:
        for i, kind in enumerate(table["kind"]):
            if kind not in KINDS:
                raise bad(i, "kind", " or ".join(KINDS), kind)
    if "n_twitches" in table:
        counts = pd.to_numeric(table["n_twitches"], errors="coerce").to_numpy(float)
        for i in np.flatnonzero(~np.isfinite(counts) | (counts < 0) | (counts != np.round(counts))):
            raise bad(int(i), "n_twitches", "a whole number from 0", table["n_twitches"].iloc[i])
    if "regions" in table:
        for i, regions in enumerate(table["regions"].fillna("").astype(str)):
            if not set(filter(None, regions.split("+"))) <= set(REGIONS):
                raise bad(i, "regions", f"joined from {'+'.join(REGIONS)}", regions)
    return table
