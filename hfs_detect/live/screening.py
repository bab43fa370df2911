"""Live screening sessions: a camera (or a file played as one), a guided protocol, a live view.

The frames go through the same :class:`~hfs_detect.session.runner.SessionRunner` as a
recorded analysis, one at a time as they arrive, so a live session finds the
bursts ``analyze`` finds; this module adds only the camera feed, the keys, the
protocol clock, the timing and the view. At the end the session is
saved with the same outputs as ``analyze``, plus the protocol step of every
frame (``step`` column) and, in ``summary.json``, per-step figures and the
live timing (``live``: dropped frames, frame-to-flag latency).

Never a backlog: a reader thread takes frames from the camera as they come
and keeps only the newest; if the analysis falls behind, older frames are
dropped (and counted), so what is shown is never more than about one frame
old. A file played with ``realtime=True`` is paced by its own timestamps and
dropped the same way; without it every frame is analysed, as fast as possible.
"""

from __future__ import annotations

import math
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._checks import HFSDetectError, check_output_dir
from ..events import Event
from ..session import (
    Analysis,
    CameraSource,
    Frame,
    LiveTiming,
    Mark,
    SessionRunner,
    Settings,
    Summary,
)
from ..session.protocol import FREE_SESSION, Protocol
from ..session.statistics import blink_line
from .view import WINDOW_TITLE, LiveView, ViewState

__all__ = ["FrameFeed", "LiveResult", "run_live", "summary_lines"]

_EARLIER_NAMES = {"rest_params": "rest", "detector_params": "detector",
                  "verdict_params": "verdict"}  # fmt: skip
"""Keyword names of earlier versions, and the setting each now is."""

KEY_START_PAUSE = ord(" ")
KEY_MARK = ord("m")
KEYS_STOP = (ord("q"), 27)  # q, Esc


class FrameFeed:
    """Frames from a source, read in a background thread.

    Parameters
    ----------
    frames : iterator of Frame
        The source's frames.
    realtime : bool
        Pace the frames by their timestamps (a file played as a camera).
    drop_late : bool
        Keep only the newest frame when the consumer is behind (count the others
        in :attr:`dropped`); otherwise the reader waits for the consumer.
    """

    def __init__(self, frames: Iterator[Frame], *, realtime: bool, drop_late: bool):
        self._frames = frames
        self.realtime = realtime
        self.drop_late = drop_late
        self.dropped = 0
        self.n_read = 0
        self.ended = False
        self.error: BaseException | None = None
        self._slot: deque = deque()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._thread = threading.Thread(target=self._read, name="hfs-detect-feed", daemon=True)

    def start(self) -> FrameFeed:
        self._thread.start()
        return self

    def hold(self, held: bool) -> None:
        """Stop or resume reading (pausing a paced file keeps its place)."""
        if held:
            self._running.clear()
        else:
            self._running.set()

    def _read(self) -> None:
        origin = None  # (monotonic clock, frame time) that pacing counts from
        try:
            for frame in self._frames:
                if self._stop.is_set():
                    return
                if self.realtime:
                    if not self._running.is_set():
                        self._running.wait()
                        origin = None  # restart the clock after a pause
                    if origin is None:
                        origin = (time.monotonic(), frame.time_s)
                    delay = origin[0] + (frame.time_s - origin[1]) - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                self.n_read += 1
                self._put((frame, time.monotonic()))
        except BaseException as exc:  # handed to the consumer
            self.error = exc
        finally:
            with self._cond:
                self.ended = True
                self._cond.notify_all()

    def _put(self, item) -> None:
        with self._cond:
            if self.drop_late:
                if self._slot:
                    self._slot.popleft()
                    self.dropped += 1
            else:
                while len(self._slot) >= 4 and not self._stop.is_set():
                    self._cond.wait(0.1)
            self._slot.append(item)
            self._cond.notify_all()

    def get(self, timeout_s: float = 0.05) -> tuple[Frame, float] | None:
        """The next frame and the monotonic time it arrived; None if none came in time."""
        with self._cond:
            if not self._slot and not self.ended:
                self._cond.wait(timeout_s)
            if self._slot:
                item = self._slot.popleft()
                self._cond.notify_all()
                return item
        return None

    @property
    def finished(self) -> bool:
        """The source has ended and every frame was taken."""
        with self._cond:
            return self.ended and not self._slot

    def close(self) -> None:
        self._stop.set()
        self._running.set()
        with self._cond:
            self._cond.notify_all()
        self._thread.join(timeout=2.0)


@dataclass
class LiveResult:
    """What a live session produced.

    Attributes
    ----------
    analysis : Analysis
        Tables and summary, as :func:`~hfs_detect.analyze_video` gives.
    out_dir : pathlib.Path
        Where the session was saved.
    ended_by : str
        ``"protocol finished"``, ``"end of source"``, ``"stopped"`` (q),
        ``"interrupted"`` (Ctrl-C) or ``"camera lost"``.
    """

    analysis: Analysis
    out_dir: Path
    ended_by: str

    @property
    def camera_lost(self) -> bool:
        return self.ended_by == "camera lost"


class _Recorder:
    """Writes the analysed frames to an MP4 (only with ``record_video``)."""

    def __init__(self, path: Path, fps: float, width: int, height: int):
        import cv2

        self.path = path
        self._tmp = path.with_name(path.stem + ".partial.mp4")
        fps = fps if math.isfinite(fps) and fps > 0 else 30.0
        self._writer = cv2.VideoWriter(
            str(self._tmp), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height)
        )
        if not self._writer.isOpened():
            raise HFSDetectError(f"cannot record video to {path}: no MPEG-4 encoder")

    def write(self, rgb: np.ndarray) -> None:
        import cv2

        self._writer.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))

    def close(self) -> None:
        self._writer.release()
        os.replace(self._tmp, self.path)


def run_live(
    source,
    out_dir: str | os.PathLike,
    settings: Settings | None = None,
    *,
    protocol: Protocol = FREE_SESSION,
    display: bool = True,
    realtime: bool = False,
    wait_for_start: bool | None = None,
    record_video: bool = False,
    linger_s: float = 5.0,
    on_event: Callable[[Event], None] | None = None,
    **changes,
) -> LiveResult:
    """Run a live screening session and save it to ``out_dir``.

    Parameters
    ----------
    source : CameraSource or VideoFileSource
        From :func:`~hfs_detect.open_camera` or :func:`~hfs_detect.open_video`.
    out_dir : path-like
        Folder for the session's outputs (the ``analyze`` contract).
    settings : Settings, optional
        How to analyse, as for :func:`~hfs_detect.analyze_video` (the defaults
        when omitted; rest intervals and steps given by hand do not apply: the
        protocol times a live session).
    protocol : Protocol
        The guided steps (:func:`~hfs_detect.session.protocol.load_protocol`);
        the session ends when it does.
    display : bool
        Show the live window (needs a screen); False for a headless run.
    realtime : bool
        For a file: play it at its own pace, dropping frames the analysis cannot
        keep up with, as a camera would. A camera is always real time.
    wait_for_start : bool, optional
        Wait for the space key before starting (default: with a display and a camera).
    record_video : bool
        Also save the analysed frames as ``video.mp4`` (off by default: privacy).
    linger_s : float
        With a display, how long the final summary stays up (any key closes it).
    on_event : callable, optional
        Called with each burst as soon as it has ended.
    **changes
        Settings to change by name (:meth:`Settings.replace`), for example
        ``engine="mediapipe"``.

    Returns
    -------
    LiveResult
    """
    changes = {_EARLIER_NAMES.get(k, k): v for k, v in changes.items() if v is not None}
    settings = (settings or Settings()).replace(**changes)
    if settings.rest_intervals_s or settings.steps:
        raise HFSDetectError(
            "rest intervals and steps given by hand are for recorded files (analyze); "
            "a live session is timed by its protocol (--protocol)"
        )
    out_dir = check_output_dir(out_dir)
    is_camera = isinstance(source, CameraSource)
    realtime = realtime or is_camera
    if wait_for_start is None:
        wait_for_start = display and is_camera
    runner = SessionRunner(settings, width=source.width, height=source.height, protocol=protocol)
    session = _Screening(runner, source, protocol, display, on_event)
    recorder = (
        _Recorder(out_dir / "video.mp4", source.fps, source.width, source.height)
        if record_video
        else None
    )
    feed = FrameFeed(iter(source), realtime=realtime, drop_late=realtime)
    session.feed = feed
    ended_by = "end of source"
    with runner.open_landmarker(), _interrupts_deferred() as interrupted:
        feed.start()
        state = "ready" if wait_for_start else "running"
        try:
            while True:
                if interrupted():
                    ended_by = "interrupted"
                    break
                item = feed.get()
                if item is None:
                    if feed.finished:
                        break
                    key = session.poll_key()
                else:
                    frame, arrived = item
                    if state == "running":
                        if not session.analyse(frame, arrived):
                            ended_by = "protocol finished"
                            break
                        if recorder:
                            recorder.write(frame.rgb)
                    key = session.show(frame, arrived, state)
                if key in KEYS_STOP or session.window_closed():
                    ended_by = "stopped"
                    break
                if key == KEY_START_PAUSE:
                    state = "paused" if state == "running" else "running"
                    session.set_paused(state == "paused")
                    feed.hold(state == "paused" and not is_camera)
                elif key == KEY_MARK and state == "running":
                    session.mark()
        except KeyboardInterrupt:
            ended_by = "interrupted"
        finally:
            feed.close()
            if recorder:
                recorder.close()
        if feed.error is not None:
            raise feed.error
        if is_camera and getattr(source, "lost", False) and ended_by == "end of source":
            ended_by = "camera lost"
        if not is_camera and ended_by == "end of source" and runner.n_frames == feed.n_read:
            # every frame the file gave was analysed: fewer than it declares is a file cut short
            runner.declared_frames = getattr(source, "n_frames_hint", None)  # as analyze warns
        if not session.has_frames:
            session.close_window()
            raise HFSDetectError(
                "the session was stopped before any frame was analysed; nothing was saved"
            )
        analysis = session.finish(
            ended_by,
            dict(source=source.name, camera=is_camera, realtime=bool(realtime),
                 ended_by=ended_by, n_frames_read=feed.n_read, n_frames_dropped=feed.dropped,
                 video_recorded=bool(record_video)),
        )  # fmt: skip
        earlier_video = out_dir / "video.mp4"
        if not record_video and (out_dir / "summary.json").is_file():
            earlier_video.unlink(missing_ok=True)  # an earlier session's recording: not this one
        analysis.write(out_dir)  # a second Ctrl-C waits until the files are whole
    session.show_summary(analysis.summary, linger_s)
    return LiveResult(analysis, out_dir, ended_by)


@contextmanager
def _interrupts_deferred():
    """Ctrl-C (or SIGTERM, SIGHUP) sets a flag (read between frames) instead of raising
    anywhere: a frame is never left half analysed, and a second Ctrl-C while the session
    is saved is ignored.

    Yields a function that says whether Ctrl-C was pressed.
    """
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False  # signals go to the main thread only
        return
    pressed: list[bool] = []
    names = [n for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]
    previous = {
        n: signal.signal(getattr(signal, n), lambda number, frame: pressed.append(True))
        for n in names
    }  # SIGTERM and SIGHUP end a session as Ctrl-C does: saved whole
    try:
        yield lambda: bool(pressed)
    finally:
        for n, handler in previous.items():
            signal.signal(getattr(signal, n), handler)


class _Screening:
    """What a live session adds to the runner: the protocol clock, timing, view and keys."""

    def __init__(self, runner: SessionRunner, source, protocol, display, on_event):
        self.runner = runner
        self.source = source
        self.protocol = protocol
        self.display = display
        self.on_event = on_event
        self.feed: FrameFeed | None = None
        self.marks: list[Mark] = []
        self.latency_s: list[float] = []
        self.flags: list[dict] = []  # onset time, delay from the onset frame's arrival
        self._arrivals: deque = deque(maxlen=600)  # (time_s, arrived) of recent frames
        self._flag_onset: float | None = None
        self._elapsed_s = 0.0  # protocol clock: frame time without pauses
        self._last_time_s: float | None = None
        self._resumed = False
        self._step = None
        self._face_frame = None
        self._at_rest = False
        self.view: LiveView | None = None
        self._window_open = False
        self._last_rgb: np.ndarray | None = None

    @property
    def has_frames(self) -> bool:
        return self.runner.n_frames > 0

    # -- the protocol clock ------------------------------------------------------
    def analyse(self, frame: Frame, arrived: float) -> bool:
        """Analyse one frame; False when the protocol is over (the frame is not used)."""
        if self._last_time_s is not None and not self._resumed:
            self._elapsed_s += max(frame.time_s - self._last_time_s, 0.0)
        self._resumed = False
        where = self.protocol.step_at(self._elapsed_s)
        if where is None:
            return False
        self._step = where
        self._last_time_s = frame.time_s
        step, provoked = self.protocol.at(self._elapsed_s)
        self._face_frame, row, ended = self.runner.process_frame(
            frame, step.rest, step.name, provoked
        )
        self._at_rest = row.rest
        self._arrivals.append((frame.time_s, arrived))
        for event in ended:
            if self.on_event:
                self.on_event(event)
        if self.view is not None:
            detector = self.runner.detector
            self.view.add_trace(frame.time_s, detector.latest, detector.spread)
        return True

    def set_paused(self, paused: bool) -> None:
        if not paused:
            self._resumed = True  # the time spent paused does not count

    def mark(self) -> None:
        if self._last_time_s is not None:
            step = self._step[1].name if self._step else None
            self.marks.append(Mark(round(self._last_time_s, 3), step))

    def _arrival_of(self, time_s: float) -> float | None:
        for t, arrived in reversed(self._arrivals):
            if t <= time_s + 1e-9:
                return arrived if abs(t - time_s) < 1e-6 else None
        return None

    def _note_flag(self, now: float) -> None:
        onset = self.runner.detector.active_since_s
        if onset is None:
            self._flag_onset = None
            return
        if onset != self._flag_onset:
            self._flag_onset = onset
            arrived = self._arrival_of(onset)
            if arrived is not None:
                self.flags.append({"onset_s": onset, "delay_s": now - arrived})

    # -- view and keys ---------------------------------------------------------
    def show(self, frame: Frame, arrived: float, state: str) -> int:
        """Draw and show the frame (with a display); record its latency. Returns the key."""
        key = -1
        if self.display:
            import cv2

            if self.view is None:
                self.view = LiveView(frame.rgb.shape[1], frame.rgb.shape[0])
                cv2.namedWindow(WINDOW_TITLE, cv2.WINDOW_AUTOSIZE | cv2.WINDOW_GUI_NORMAL)
                self._window_open = True
            landmarks = (
                self._face_frame.landmarks if (self._face_frame and state != "ready") else None
            )
            picture = self.view.render(frame.rgb, landmarks, self._view_state(state))
            self._last_rgb = frame.rgb
            cv2.imshow(WINDOW_TITLE, picture)
            key = cv2.waitKey(1) & 0xFF
        now = time.monotonic()
        if state == "running":
            self.latency_s.append(now - arrived)
            self._note_flag(now)
        return key

    def poll_key(self) -> int:
        if not self._window_open:
            return -1
        import cv2

        return cv2.waitKey(1) & 0xFF

    def window_closed(self) -> bool:
        if not self._window_open:
            return False
        import cv2

        return cv2.getWindowProperty(WINDOW_TITLE, cv2.WND_PROP_VISIBLE) < 1

    def close_window(self) -> None:
        if self._window_open:
            import cv2

            cv2.destroyWindow(WINDOW_TITLE)
            cv2.waitKey(1)
            self._window_open = False

    def _view_state(self, state: str) -> ViewState:
        detector = self.runner.detector
        dropped = self.feed.dropped if self.feed is not None else 0
        view = ViewState(status=state, n_steps=len(self.protocol.steps), dropped=dropped)
        if self._step is not None:
            k, step, remaining = self._step
            view.step_name, view.step_number, view.instruction = step.name, k + 1, step.instruction
            view.remaining_s = remaining if math.isfinite(remaining) else None
        elif self.protocol.steps:
            step = self.protocol.steps[0]
            view.step_name, view.step_number, view.instruction = step.name, 1, step.instruction
        view.at_rest = self._at_rest
        view.face = bool(self._face_frame is not None and self._face_frame.face)
        view.flag_side = detector.active_side
        view.flag_regions = detector.current_regions()
        events = self.runner.events
        view.n_events = {s: sum(e.side == s for e in events) for s in ("left", "right")}
        view.n_marks = len(self.marks)
        return view

    # -- end -------------------------------------------------------------------
    def finish(self, ended_by: str, live: dict) -> Analysis:
        """The session's analysis, finished by the runner, with its timing and marks."""
        for event in self.runner.close():
            if self.on_event:
                self.on_event(event)
        source = self.source
        latency_ms = np.array(self.latency_s) * 1000.0
        delays = np.array([f["delay_s"] for f in self.flags])
        timing = LiveTiming(
            **live,
            n_frames_analysed=self.runner.n_frames,
            latency_ms_p50=_percentile(latency_ms, 50),
            latency_ms_p95=_percentile(latency_ms, 95),
            latency_ms_max=_percentile(latency_ms, 100),
            n_flags=len(self.flags),
            flag_delay_s_median=_percentile(delays, 50, 3),
            flag_delay_s_max=_percentile(delays, 100, 3),
        )
        return self.runner.finish(
            video=getattr(source, "path", source.name), meta_source=source, ended_by=ended_by,
            live=timing, marks=self.marks,
        )  # fmt: skip

    def show_summary(self, summary: Summary, linger_s: float) -> None:
        if not self._window_open or self.view is None:
            return
        import cv2

        lines = summary_lines(summary)
        state = self._view_state("finished")
        state.flag_side, state.lines = None, tuple(lines)
        last = self._last_rgb
        if last is None:
            last = np.zeros((self.source.height, self.source.width, 3), np.uint8)
        picture = self.view.render(last, None, state)
        deadline = time.monotonic() + linger_s
        while time.monotonic() < deadline and not self.window_closed():
            cv2.imshow(WINDOW_TITLE, picture)
            if cv2.waitKey(50) & 0xFF != 0xFF:
                break
        self.close_window()


def _percentile(values: np.ndarray, q: float, digits: int = 2) -> float | None:
    return round(float(np.percentile(values, q)), digits) if len(values) else None


def summary_lines(summary: Summary) -> list[str]:
    """The end-of-session summary as short lines (terminal and window)."""
    stats = summary.statistics
    side = f" ({stats.dominant_side} side)" if stats.verdict == "unilateral_bursts" else ""
    rate = stats.events_per_rest_min
    lines = [
        f"verdict: {stats.verdict}{side}",
        f"bursts: {stats.n_events} in {stats.rest_s:.0f} s of rest"
        + (f", {rate:.2f} per rest-minute" if rate is not None else ""),
    ]
    blinks = blink_line(stats.blinks)
    if blinks is not None:
        lines.append(blinks)
    for step in summary.steps or []:
        n = step.n_events
        text = f"  {step.step}: {n} {'burst' if n == 1 else 'bursts'}"
        if not step.rest_step and not step.provocation:
            text = f"  {step.step}: task, not rest (bursts not looked for)"
        elif step.rest_step:
            per_min = step.events_per_rest_min
            text += f", rest {step.rest_s:.0f} s" + (
                f", {per_min:.2f}/min" if per_min is not None else ""
            )
        elif step.provocation:
            sides = f"L {step.events_left} R {step.events_right}"
            after = f"during and {step.after_s:g} s after"
            text += f" provoked ({step.provocation}, {after}; {sides})"
        if step.eye_narrowing_left is not None:
            text += (f", eye narrowing L {100 * step.eye_narrowing_left:.0f}%"
                     f" R {100 * step.eye_narrowing_right:.0f}%")  # fmt: skip
        lines.append(text)
    live = summary.live
    if live is not None:
        lines.append(
            f"frames analysed {live.n_frames_analysed}, dropped {live.n_frames_dropped}, "
            f"latency p50 {live.latency_ms_p50} ms, p95 {live.latency_ms_p95} ms"
        )
    lines.append("screening aid, not a diagnosis")
    return lines
