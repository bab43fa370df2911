"""What the live window shows: the preview, landmarks, traces, rest state, protocol step, flag.

Everything is drawn into one BGR picture with OpenCV (no GUI toolkit fonts), so
the same picture can be shown in a window, saved, or checked by a test.

Layout: the camera preview on the left, shown **mirrored** (like a mirror:
the patient's left side is on the left of the screen, labelled L and R), with
the eye, cheek, mouth and brow landmarks; on the right, the protocol step and
its timer, the instruction, the rest state, and rolling traces per region for
each side. When a burst is in progress a red band is drawn over the half of
the preview where that side of the face is, naming the side and the regions.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from ..face_mesh import LOWER_LID, SIDE_INDICES, SIDES, UPPER_LID

__all__ = ["WINDOW_TITLE", "FLAG_BGR", "ViewState", "LiveView"]

WINDOW_TITLE = "hfs-detect live"
FLAG_BGR = (0, 0, 255)
"""Colour of the burst flag (pure red), also what a test looks for."""
FLAG_BAND_PX = 56
"""Height of the flag band at the top of the preview."""
SIDE_BGR = {"left": (0, 165, 255), "right": (255, 200, 0)}  # orange, cyan
PREVIEW_HEIGHT_PX = 480
PANEL_WIDTH_PX = 440
TRACE_REGIONS = ("eye", "cheek", "mouth")
_FONT = 0  # cv2.FONT_HERSHEY_SIMPLEX


@dataclass
class ViewState:
    """What the view needs to know besides the picture."""

    status: str = "ready"  # ready, running, paused, finished, recorded
    step_name: str = ""
    step_number: int = 0
    n_steps: int = 0
    instruction: str = ""
    remaining_s: float | None = None
    at_rest: bool = False
    face: bool = False
    flag_side: str | None = None
    flag_regions: tuple[str, ...] = ()
    n_events: dict = field(default_factory=lambda: {"left": 0, "right": 0})
    n_marks: int = 0
    dropped: int = 0
    lines: tuple[str, ...] = ()  # extra text (the summary at the end)


class LiveView:
    """Draws the live window's picture.

    Parameters
    ----------
    width, height : int
        Size of the camera's frames.
    trace_s : float
        Seconds of history in the rolling traces.
    mirror : bool
        Show the preview as a mirror (live, for comfort) or as the camera saw
        it (a recorded video's annotation).
    """

    def __init__(self, width: int, height: int, trace_s: float = 10.0, mirror: bool = True):
        self.mirror = mirror
        self.scale = PREVIEW_HEIGHT_PX / height
        self.preview_w = max(int(round(width * self.scale)), 1)
        self.size = (PREVIEW_HEIGHT_PX, self.preview_w + PANEL_WIDTH_PX)
        self.trace_s = trace_s
        self._trace: deque = deque()  # (time_s, {region: (left, right)})

    def add_trace(self, time_s: float, features: dict | None, scale: dict | None) -> None:
        """Record one frame's departures from rest, per region and side (in rest spreads)."""
        if features is not None and scale is not None:
            values = {
                region: tuple(float(v) / scale[region] for v in features["moved"][region])
                for region in TRACE_REGIONS
            }
            self._trace.append((time_s, values))
        while self._trace and self._trace[0][0] < time_s - self.trace_s:
            self._trace.popleft()

    def render(self, rgb: np.ndarray, landmarks: np.ndarray | None, state: ViewState) -> np.ndarray:
        """The window's picture (BGR) for one frame."""
        import cv2

        canvas = np.full((*self.size, 3), 32, np.uint8)
        preview = cv2.resize(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), (self.preview_w, self.size[0]))
        if self.mirror:  # a mirror for comfort; the analysis is not mirrored
            preview = cv2.flip(preview, 1)
        if landmarks is not None:
            self._draw_landmarks(preview, landmarks)
        self._draw_preview_labels(preview, state)
        canvas[:, : self.preview_w] = preview
        self._draw_panel(canvas[:, self.preview_w :], state)
        return canvas

    # -- preview -----------------------------------------------------------
    def _point(self, landmarks: np.ndarray, index: int) -> tuple[int, int]:
        x, y = landmarks[index, 0], landmarks[index, 1]
        x = 1.0 - x if self.mirror else x
        return int(round(x * self.preview_w)), int(round(y * self.size[0]))

    def _draw_landmarks(self, image: np.ndarray, landmarks: np.ndarray) -> None:
        import cv2

        for side in SIDES:
            colour = SIDE_BGR[side]
            for lid in (UPPER_LID[side], LOWER_LID[side]):
                points = np.array([self._point(landmarks, i) for i in lid], np.int32)
                cv2.polylines(image, [points], False, colour, 1, cv2.LINE_AA)
            ix = SIDE_INDICES[side]
            for i in (*ix.cheek, *ix.brow, ix.mouth_corner):
                cv2.circle(image, self._point(landmarks, i), 2, colour, -1, cv2.LINE_AA)

    def _draw_preview_labels(self, image: np.ndarray, state: ViewState) -> None:
        import cv2

        h, w = image.shape[:2]
        # mirrored: the patient's left is on the left of the screen; unmirrored, on the right
        on_left = "left" if self.mirror else "right"
        on_right = "right" if self.mirror else "left"
        _text(image, on_left[0].upper(), (8, h // 2), 1.0, SIDE_BGR[on_left], 2)
        _text(image, on_right[0].upper(), (w - 26, h // 2), 1.0, SIDE_BGR[on_right], 2)
        label = "mirror view" if self.mirror else "camera view"
        _text(image, label, (8, h - 12), 0.5, (220, 220, 220), 1)
        if state.flag_side is not None:
            x0, x1 = (0, w // 2) if state.flag_side == on_left else (w - w // 2, w)
            cv2.rectangle(image, (x0, 0), (x1 - 1, FLAG_BAND_PX), FLAG_BGR, -1)
            cv2.rectangle(image, (x0, 0), (x1 - 1, h - 1), FLAG_BGR, 4)
            _text(image, f"BURST {state.flag_side.upper()}", (x0 + 8, 24), 0.7, (255, 255, 255), 2)
            _text(image, ", ".join(state.flag_regions), (x0 + 8, 47), 0.55, (255, 255, 255), 1)
        if not state.face and state.status == "running":
            _text(image, "no face", (w // 2 - 50, h // 2), 0.9, (0, 0, 255), 2)

    # -- panel -------------------------------------------------------------
    def _draw_panel(self, panel: np.ndarray, state: ViewState) -> None:
        import cv2

        y = 26
        title = "hfs-detect" if state.status == "recorded" else "hfs-detect live"
        _text(panel, title, (12, y), 0.7, (255, 255, 255), 2)
        status = {"ready": "press SPACE to start", "paused": "PAUSED (space resumes)"}.get(
            state.status, state.status
        )
        _text(panel, status, (220, y), 0.5, (200, 200, 200), 1)
        y += 30
        if state.step_name:
            timer = "" if state.remaining_s is None else f"  {_clock(state.remaining_s)} left"
            head = f"{state.step_name}{timer}"
            if state.n_steps:
                head = f"step {state.step_number}/{state.n_steps}: {head}"
            _text(panel, head, (12, y), 0.55, (255, 255, 255), 1)
            for line in _wrap(state.instruction, 46)[:2]:
                y += 22
                _text(panel, line, (12, y), 0.5, (180, 230, 255), 1)
        y += 30
        colour = (60, 170, 60) if state.at_rest else (90, 90, 90)
        cv2.rectangle(panel, (12, y - 18), (150, y + 6), colour, -1)
        _text(
            panel, "AT REST" if state.at_rest else "NOT AT REST", (18, y), 0.5, (255, 255, 255), 1
        )
        counts = f"bursts L {state.n_events['left']}  R {state.n_events['right']}"
        _text(panel, counts, (165, y), 0.5, (255, 255, 255), 1)
        y += 16
        if state.lines:
            rows = []
            for line in state.lines:
                indent = len(line) - len(line.lstrip())
                rows += [" " * indent + part for part in _wrap(line, 52 - indent)]
            room = max((panel.shape[0] - 34 - y) // 22, 2)
            if len(rows) > room:  # the last line (the disclaimer) always shows
                rows = [*rows[: room - 2], "  ... (all of it is in summary.json)", rows[-1]]
            for row in rows:
                y += 22
                _text(panel, row, (12, y), 0.5, (255, 255, 255), 1)
        else:
            self._draw_traces(panel, y + 8)
        if state.status != "recorded":
            footer = (
                f"space start/pause   m mark ({state.n_marks})   q stop   dropped {state.dropped}"
            )
            _text(panel, footer, (12, panel.shape[0] - 12), 0.42, (200, 200, 200), 1)

    def _draw_traces(self, panel: np.ndarray, top: int) -> None:
        import cv2

        width = panel.shape[1] - 24
        height = (panel.shape[0] - top - 40) // len(TRACE_REGIONS)
        times = np.array([t for t, _ in self._trace])
        for k, region in enumerate(TRACE_REGIONS):
            y0 = top + k * height
            box = (12, y0, 12 + width, y0 + height - 8)
            cv2.rectangle(panel, box[:2], box[2:], (70, 70, 70), 1)
            _text(panel, region, (box[0] + 4, box[1] + 14), 0.45, (220, 220, 220), 1)
            if len(times) < 2:
                continue
            low, high = -3.0, 12.0  # rest spreads
            xs = box[0] + (times - times[-1] + self.trace_s) / self.trace_s * width
            for i, side in enumerate(SIDES):
                values = np.array([v[region][i] for _, v in self._trace])
                ys = box[3] - (np.clip(values, low, high) - low) / (high - low) * (box[3] - box[1])
                points = np.stack([xs, ys], axis=1).astype(np.int32)
                cv2.polylines(panel, [points], False, SIDE_BGR[side], 1, cv2.LINE_AA)
        legend_y = top + len(TRACE_REGIONS) * height + 2
        _text(panel, "left", (12, legend_y), 0.42, SIDE_BGR["left"], 1)
        _text(panel, "right", (60, legend_y), 0.42, SIDE_BGR["right"], 1)
        _text(panel, f"contraction vs rest, last {self.trace_s:.0f} s", (115, legend_y), 0.42,
              (200, 200, 200), 1)  # fmt: skip


def _text(image, text, origin, scale, colour, thickness) -> None:
    import cv2

    cv2.putText(image, text, origin, _FONT, scale, colour, thickness, cv2.LINE_AA)


def _clock(seconds: float) -> str:
    seconds = max(int(np.ceil(seconds)), 0)
    return f"{seconds // 60}:{seconds % 60:02d}"


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])
