"""Blinks, per eye: the closures of both eyes that are not a one-sided burst.

Stage 4, beside the burst detector. The detector hands each frame it judges
to a :class:`BlinkTracker`, with each eye's closure (the share of that eye's
open, resting aperture lost: 0 open; MediaPipe reads a shut real lid
0.7-0.95 closed, never 1, because its lid points do not meet). So blinks
are found causally, by the same per-frame chain as bursts, and a live
session gets them too; a closure that overlaps a burst the detector reports
is the burst's (:func:`outside_bursts`).

*What a blink is* (one definition, shared with the detector's blink guard):
both eyes more than the detector's ``blink_closure`` closed in two frames or
more, outside a burst. The guard silences the eye during such a closure when
the eyes also closed alike (the less closed at least ``blink_share`` as far);
a closure of both eyes that is uneven (one lid shut, the other half) is
still a blink here, and the detector judges its deeper eye as a possible
one-sided closure, which a blink's length never makes a burst. A closure
that ran into a burst is the burst's, not a blink.

*Each eye's timing.* The closure lasts from the first frame of both eyes
past ``blink_closure`` until both eyes have reopened past half their depth
(or ``max_reopen_s`` has passed since they were last both closed): eyes
that close again before reopening make one closure. Each eye closes where
its closure first crosses half its deepest in the closure and reopens where
it last crosses back, timed between frames by linear interpolation, so a lag
shorter than a frame is still measured. The blink lasts from the first
eye's closing to the last eye's reopening. A closure still in progress when
the recording ends is not reported (its length is unknown).

*Kinds.* ``partial`` when neither eye closed past ``partial_depth`` (0.5);
else ``prolonged`` when it lasted ``prolonged_s`` (0.5 s) or longer (a
forceful or held closure); else ``blink``. An eye's closure is ``complete``
when it reached ``complete_depth``.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

import numpy as np

from ._checks import Parameters, check_number
from .face_mesh import SIDES

__all__ = ["BlinkParams", "Blink", "BlinkTracker", "BLINK_COLUMNS", "blinks_to_frame",
           "blink_labels", "outside_bursts"]  # fmt: skip

BLINK_COLUMNS: tuple[str, ...] = (
    "start_s",
    "end_s",
    "duration_s",
    "kind",
    "depth_left",
    "depth_right",
    "close_s_left",
    "close_s_right",
    "reopen_s_left",
    "reopen_s_right",
    "lag_s",
    "reopen_lag_s",
    "complete_left",
    "complete_right",
    "at_rest",
)
"""Columns of ``blinks.csv``, in order."""

_LEAD_S = 0.4  # frames kept before a closure, to time each eye's closing


@dataclass(frozen=True)
class BlinkParams(Parameters):
    """How closures of both eyes are measured and named (the settings' ``[blinks]``).

    Attributes
    ----------
    complete_depth : float
        An eye's closure reaching this is complete (0.6: MediaPipe reads a shut
        real lid 0.7-0.95 closed on the videos of ``../shared/data``).
    partial_depth : float
        Neither eye past this: the closure is ``partial`` (0.5).
    prolonged_s : float
        A closure lasting this long or longer is ``prolonged``, not a blink (0.5 s:
        a spontaneous blink lasts 0.1-0.4 s).
    max_reopen_s : float
        How long after the eyes were last both closed an eye may take to reopen
        past half its depth (1 s); a lid still down by then is timed as reopening
        then.
    """

    complete_depth: float = 0.6
    partial_depth: float = 0.5
    prolonged_s: float = 0.5
    max_reopen_s: float = 1.0

    def __post_init__(self) -> None:
        super().__post_init__()
        check_number("complete_depth", self.complete_depth, maximum=1.0)
        check_number("partial_depth", self.partial_depth, maximum=1.0)


@dataclass(frozen=True)
class Blink:
    """One closure of both eyes that is not a burst.

    Attributes
    ----------
    start_s, end_s : float
        The first eye's closing and the last eye's reopening (past half depth).
    kind : {'blink', 'prolonged', 'partial'}
    depth_left, depth_right : float
        Each eye's deepest closure (0 open; a shut lid reads 0.7-0.95).
    close_s_left, close_s_right, reopen_s_left, reopen_s_right : float
        When each eye crossed half its depth, closing and reopening.
    complete_left, complete_right : bool
        That eye's depth reached ``complete_depth``.
    at_rest : bool
        It set in from rest (the frame before both eyes closed was at rest).
    """

    start_s: float
    end_s: float
    kind: str
    depth_left: float
    depth_right: float
    close_s_left: float
    close_s_right: float
    reopen_s_left: float
    reopen_s_right: float
    complete_left: bool
    complete_right: bool
    at_rest: bool

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def lag_s(self) -> float:
        """How much later the second eye closed."""
        return abs(self.close_s_left - self.close_s_right)

    @property
    def reopen_lag_s(self) -> float:
        """How much later the second eye reopened."""
        return abs(self.reopen_s_left - self.reopen_s_right)

    def row(self) -> dict:
        """Its ``blinks.csv`` row."""
        values = {name: getattr(self, name) for name in BLINK_COLUMNS}
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in values.items()}


class BlinkTracker:
    """Feed judged frames in order with :meth:`update`; it returns each finished blink.

    Parameters
    ----------
    blink_closure : float
        Both eyes more than this closed make a closure (the detector's own
        ``blink_closure``: one definition).
    params : BlinkParams, optional
    """

    def __init__(self, blink_closure: float, params: BlinkParams | None = None):
        self.blink_closure = float(blink_closure)
        self.params = params or BlinkParams()
        self._lead: deque = deque()  # (time_s, left, right, rest) before a closure
        self._frames: list | None = None  # the closure in progress
        self._n_closed = 0  # its frames with both eyes past blink_closure
        self._last_closed_s = -math.inf
        self._from_rest = False  # the closure in progress set in from rest
        self._first = 0  # its first frame with both eyes past blink_closure
        self._peaks = np.full(2, -math.inf)  # each eye's deepest closure in it so far

    def update(self, time_s: float, closure: np.ndarray | None, rest: bool) -> list[Blink]:
        """Take one judged frame: each eye's closure (None without a face) and whether
        it is at rest. Returns the closures of both eyes it ended."""
        ended = []
        if closure is None:
            left = right = math.nan
        else:
            left, right = float(closure[0]), float(closure[1])
        closed = min(left, right) > self.blink_closure  # False for NaN
        sample = (time_s, left, right, bool(rest))
        if self._frames is not None:
            self._frames.append(sample)
            self._peaks = np.fmax(self._peaks, (left, right))
            if closed:
                self._n_closed += 1
                self._last_closed_s = time_s
            elif self._reopened(time_s):
                ended += self._end()
        elif closed:
            # at rest when it set in from rest: the frame before the eyes closed (a
            # forceful closure may itself look like an expression to the rest segmenter)
            self._from_rest = self._lead[-1][3] if self._lead else bool(rest)
            self._first = len(self._lead)
            self._frames = [*self._lead, sample]
            self._peaks = np.nanmax(np.array([f[1:3] for f in self._frames], float), axis=0)
            self._lead.clear()
            self._n_closed, self._last_closed_s = 1, time_s
        if self._frames is None:
            self._lead.append(sample)
            while self._lead and self._lead[0][0] < time_s - _LEAD_S:
                self._lead.popleft()
        return ended

    def finish(self) -> list[Blink]:
        """The recording ended: a closure still in progress is not reported (its length is
        unknown; a session stopped with the eyes shut is not a prolonged closure)."""
        self._frames, self._n_closed = None, 0
        return []

    def _reopened(self, time_s: float) -> bool:
        """Both eyes back past half their depth, or waited ``max_reopen_s``."""
        if time_s - self._last_closed_s >= self.params.max_reopen_s:
            return True
        last = np.array(self._frames[-1][1:3], float)
        return bool(np.all(last < self._peaks / 2))

    def _end(self) -> list[Blink]:
        frames, n_closed = self._frames, self._n_closed
        self._frames, self._n_closed = None, 0
        self._lead.extend(frames[-2:-1])  # its reopening may lead into the next (the newest
        # frame, frames[-1], joins the lead in update)
        if n_closed < 2:  # a crossing of one frame
            return []
        return [self._measure(frames)]

    def _measure(self, frames: list) -> Blink:
        p = self.params
        time_s = np.array([f[0] for f in frames])
        eyes = np.array([f[1:3] for f in frames], float)
        depth, close, reopen = {}, {}, {}
        for k, side in enumerate(SIDES):
            x = np.nan_to_num(eyes[:, k], nan=-math.inf)  # no face: below any level
            peak = float(np.max(x[self._first :]))
            depth[side] = min(max(peak, 0.0), 1.0)
            half = peak / 2
            # from the closure's first frame back to where this eye crossed half its
            # depth, and from its last frame past half depth on to its reopening: a
            # brief dip inside a held closure does not cut it short
            first = self._first
            while x[first] < half:  # this eye crosses half its depth later in the closure
                first += 1
            while first > 0 and x[first - 1] >= half:
                first -= 1
            last = int(np.flatnonzero(x >= half)[-1]) if np.any(x >= half) else first
            close[side] = _crossing(time_s, x, first, half, -1)
            reopen[side] = _crossing(time_s, x, max(last, first), half, +1)
        start, end = min(close.values()), max(reopen.values())
        deepest = max(depth.values())
        if deepest < p.partial_depth:
            kind = "partial"
        elif end - start >= p.prolonged_s:
            kind = "prolonged"
        else:
            kind = "blink"
        return Blink(
            start_s=start,
            end_s=end,
            kind=kind,
            depth_left=depth["left"],
            depth_right=depth["right"],
            close_s_left=close["left"],
            close_s_right=close["right"],
            reopen_s_left=reopen["left"],
            reopen_s_right=reopen["right"],
            complete_left=depth["left"] >= p.complete_depth,
            complete_right=depth["right"] >= p.complete_depth,
            at_rest=self._from_rest,
        )


def _crossing(time_s: np.ndarray, x: np.ndarray, at: int, level: float, step: int) -> float:
    """When ``x`` crosses ``level`` walking from frame ``at`` by ``step`` (-1: back to its
    closing, +1: on to its reopening), interpolated between the two frames; the first
    or last frame when it never does, or when the frame beyond has no face."""
    i = at
    while 0 <= i + step < len(x) and x[i + step] >= level:
        i += step
    j = i + step
    if not 0 <= j < len(x) or not np.isfinite(x[j]):
        return float(time_s[i])
    a, b = x[j], x[i]  # x[j] < level <= x[i]
    share = (level - a) / (b - a) if b > a else 0.0
    return float(time_s[j] + share * (time_s[i] - time_s[j]))


def outside_bursts(blinks: list[Blink], events) -> list[Blink]:
    """The closures that overlap no burst: the blinks (a closure of both eyes that ran
    into a burst is the burst's: a one-sided closure read on both eyes, or the other
    eye blinking while the burst's eye is held shut)."""
    return [
        b for b in blinks if not any(b.start_s <= e.end_s and e.start_s <= b.end_s for e in events)
    ]


def blinks_to_frame(blinks: list[Blink]):
    """The blinks as the ``blinks.csv`` table (:data:`BLINK_COLUMNS`)."""
    import pandas as pd

    return pd.DataFrame([b.row() for b in blinks], columns=list(BLINK_COLUMNS))


def blink_labels(time_s: np.ndarray, blinks: list[Blink]) -> np.ndarray:
    """Per frame, the kind of the blink it falls in, or ``""``."""
    labels = np.full(len(time_s), "", dtype=object)
    for blink in blinks:
        labels[(time_s >= blink.start_s) & (time_s <= blink.end_s)] = blink.kind
    return labels
