"""Rest segmentation: is the face at rest in this frame?

At rest means: the face is found, the head is still, the person is not
talking, and there is no bilateral voluntary expression beyond the person's
own resting face (a smile, a brow raise). Judged causally, from the last
``window_s`` seconds, one frame at a time, so a live camera and a recorded
file are segmented alike.

Expressions are judged against the person's own running median over
``baseline_window_s``: a face that looks smiling at rest is at rest.

A clinic protocol can instead give the rest intervals by hand
(:func:`parse_intervals`, ``--rest 0:10-1:30,2:00-3:00``); frames in them
still need a face.
"""

from __future__ import annotations

import math
import re
from collections import deque
from dataclasses import dataclass

import numpy as np

from ._checks import HFSDetectError, Parameters

__all__ = ["RestParams", "RestSegmenter", "parse_intervals", "in_intervals"]


@dataclass(frozen=True)
class RestParams(Parameters):
    """Thresholds of rest segmentation (units in the names).

    Attributes
    ----------
    window_s : float
        Causal window over which motion and speech are judged (default 1.0 s).
    max_head_speed_deg_s : float
        Median head rotation speed in the window above which the head moves
        (default 15 deg/s).
    max_head_shift_per_s : float
        Median head translation in the window, in face units per second
        (default 0.5).
    max_jaw_sd : float
        Standard deviation of MediaPipe's ``jawOpen`` in the window above which
        the person is talking or chewing (default 0.025; measured: 0.001 at
        rest, 0.014-0.08 when talking).
    max_lip_sd : float
        Standard deviation of the inner-lip gap (face units) in the window
        above which the person is talking (default 0.02; measured over the 15
        real test videos, 90th percentile: at most 0.011 in still rest videos,
        0.044-0.15 in talking ones).
    max_jaw_rise : float
        ``jawOpen`` above the person's running median: mouth open (default 0.15).
    max_smile_rise : float
        Both ``mouthSmile`` scores above their running medians: a smile
        (default 0.3).
    max_brow_rise : float
        ``browInnerUp`` above its running median: brows raised (default 0.3).
    baseline_window_s : float
        Running median window for the person's resting expression (default 30 s).
    """

    window_s: float = 1.0
    max_head_speed_deg_s: float = 15.0
    max_head_shift_per_s: float = 0.5
    max_jaw_sd: float = 0.025
    max_lip_sd: float = 0.02
    max_jaw_rise: float = 0.15
    max_smile_rise: float = 0.3
    max_brow_rise: float = 0.3
    baseline_window_s: float = 30.0


class RestSegmenter:
    """Decides rest frame by frame from the per-frame signal rows.

    Parameters
    ----------
    params : RestParams, optional
    intervals_s : list of (float, float), optional
        Rest intervals given by hand; when set, only they are rest.
    """

    def __init__(self, params: RestParams | None = None, intervals_s=None):
        self.params = params or RestParams()
        self.intervals_s = intervals_s
        self._recent: deque = deque()  # (time_s, speed, shift, jaw, lip gap)
        self._long: deque = deque()  # (time_s, jaw, smile, brow)
        self._medians = (0.0, 0.0, 0.0)
        self._next_update_s = -math.inf

    def update(self, row: dict, allowed: bool = True) -> bool:
        """Whether the frame described by ``row`` (one frames-table row) is at rest.

        ``allowed=False`` (a voluntary task in a protocol) makes the frame not
        rest whatever the face does; the running medians still see it.
        """
        t = row["time_s"]
        if not row["face"]:
            return False
        if self.intervals_s is not None:
            return allowed and in_intervals(t, self.intervals_s)
        p = self.params
        smile = min(_get(row, "bs_mouthSmile_left"), _get(row, "bs_mouthSmile_right"))
        jaw, brow = _get(row, "bs_jawOpen"), _get(row, "bs_browInnerUp")
        self._recent.append(
            (t, row["head_speed_deg_s"], row["head_shift_per_s"], jaw, _get(row, "mouth_opening"))
        )
        while self._recent and self._recent[0][0] < t - p.window_s:
            self._recent.popleft()
        self._long.append((t, jaw, smile, brow))
        while self._long and self._long[0][0] < t - p.baseline_window_s:
            self._long.popleft()
        if t >= self._next_update_s:  # medians of a long window: every half second
            values = np.array([v[1:] for v in self._long])
            self._medians = tuple(np.nanmedian(values, axis=0)) if len(values) else (0, 0, 0)
            self._next_update_s = t + 0.5
        recent = np.array([v[1:] for v in self._recent], dtype=float)
        speed = np.nanmedian(recent[:, 0]) if np.isfinite(recent[:, 0]).any() else 0.0
        shift = np.nanmedian(recent[:, 1]) if np.isfinite(recent[:, 1]).any() else 0.0
        jaw_sd = float(np.nanstd(recent[:, 2])) if len(recent) > 2 else 0.0
        lip_sd = float(np.nanstd(recent[:, 3])) if len(recent) > 2 else 0.0
        jaw_med, smile_med, brow_med = self._medians
        return bool(
            allowed
            and speed <= p.max_head_speed_deg_s
            and shift <= p.max_head_shift_per_s
            and jaw_sd <= p.max_jaw_sd
            and lip_sd <= p.max_lip_sd
            and jaw - jaw_med <= p.max_jaw_rise
            and smile - smile_med <= p.max_smile_rise
            and brow - brow_med <= p.max_brow_rise
        )


def _get(row: dict, key: str) -> float:
    value = row.get(key, 0.0)
    return 0.0 if value is None or value != value else float(value)


_TIME = r"(?:(\d+):)?(\d+(?:\.\d+)?)"


def _seconds(minutes: str | None, seconds: str) -> float:
    return 60.0 * int(minutes or 0) + float(seconds)


def parse_intervals(text: str) -> list[tuple[float, float]]:
    """Parse ``"0:10-1:30,2:00-3:00"`` (m:ss or seconds) into ``[(10, 90), (120, 180)]``.

    Raises
    ------
    HFSDetectError
        Naming the part that is not ``START-END`` with END after START.
    """
    intervals = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = re.fullmatch(_TIME + r"\s*-\s*" + _TIME, part)
        if not match:
            raise HFSDetectError(
                f"invalid rest interval {part!r}: expected START-END in seconds or m:ss, "
                "for example 0:10-1:30"
            )
        start, end = _seconds(*match.group(1, 2)), _seconds(*match.group(3, 4))
        if end <= start:
            raise HFSDetectError(f"invalid rest interval {part!r}: the end is not after the start")
        intervals.append((start, end))
    if not intervals:
        raise HFSDetectError("no rest interval given: expected for example 0:10-1:30,2:00-3:00")
    return sorted(intervals)


def in_intervals(time_s: float, intervals_s) -> bool:
    """Whether ``time_s`` falls in one of the ``(start, end)`` intervals."""
    return any(start <= time_s < end for start, end in intervals_s)
