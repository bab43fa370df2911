"""Frame sources: a video file or a camera, one protocol for both.

A source yields :class:`Frame` objects, each with its index, its time in
seconds and the picture as RGB. For a file the time comes from the container's
presentation timestamp (so variable-frame-rate video is timed correctly), and
rotation metadata is applied by the decoder (OpenCV/FFmpeg auto-orientation),
so frames come upright whatever the phone wrote.
"""

from __future__ import annotations

import math
import os
import queue
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .._checks import HFSDetectError, check_number, check_video_path

__all__ = [
    "Frame",
    "FrameSource",
    "VideoFileSource",
    "CameraSource",
    "open_video",
    "open_camera",
    "prefetch",
    "unmirrored",
]


@dataclass(frozen=True)
class Frame:
    """One decoded picture.

    Attributes
    ----------
    index : int
        Position in the source, from 0.
    time_s : float
        Seconds from the start of the video (container timestamp) or of the
        camera session.
    rgb : numpy.ndarray
        ``(height, width, 3)`` uint8 picture in RGB order, as the camera saw it
        (never mirrored).
    """

    index: int
    time_s: float
    rgb: np.ndarray


class FrameSource(Protocol):
    """What the analysis needs of a source of frames."""

    name: str
    fps: float
    width: int
    height: int

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...


def _cv2():
    import cv2  # deferred: importing hfs_detect must stay cheap

    return cv2


MIN_FPS, MAX_FPS = 1.0, 1000.0
"""Frame rates a video of a face can have; a file whose timing says otherwise is timed at
its container's declared rate (:attr:`VideoFileSource.timing_note`)."""


def container_duration_s(path: Path) -> float | None:
    """The duration an MP4 or QuickTime file's header declares (its video track's ``mdhd``,
    else the movie's ``mvhd``), read without decoding; None for other files."""
    import struct

    def boxes(handle, end: int):
        while handle.tell() + 8 <= end:
            start = handle.tell()
            head = handle.read(8)
            size, kind = struct.unpack(">I4s", head)
            if size == 1:
                size = struct.unpack(">Q", handle.read(8))[0]
            elif size == 0:
                size = end - start
            if size < 8:
                return
            yield kind, start, start + size, handle.tell()
            handle.seek(start + size)

    def duration(payload: bytes) -> float | None:
        version = payload[0]
        if version == 1:
            timescale, value = struct.unpack(">IQ", payload[20:32])
        else:
            timescale, value = struct.unpack(">II", payload[12:20])
        return value / timescale if timescale and value else None

    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            for kind, _, end, _body in boxes(handle, size):
                if kind != b"moov":
                    continue
                movie = None
                for sub, _, sub_end, sub_body in boxes(handle, end):
                    if sub == b"mvhd":
                        handle.seek(sub_body)
                        movie = duration(handle.read(32))
                    elif sub == b"trak":
                        found = _video_track_duration(handle, boxes, duration, sub_body, sub_end)
                        if found:
                            return found
                    handle.seek(sub_end)
                return movie
    except (OSError, struct.error, IndexError):
        return None
    return None


def _video_track_duration(handle, boxes, duration, start: int, end: int) -> float | None:
    """A ``trak`` box's ``mdhd`` duration, if its handler is video."""
    handle.seek(start)
    for kind, _, media_end, body in boxes(handle, end):
        if kind != b"mdia":
            continue
        handle.seek(body)
        seconds, video = None, False
        for sub, _, sub_end, sub_body in boxes(handle, media_end):
            handle.seek(sub_body)
            payload = handle.read(32)
            if sub == b"mdhd":
                seconds = duration(payload)
            elif sub == b"hdlr":
                video = payload[8:12] == b"vide"
            handle.seek(sub_end)
        return seconds if video else None
    return None


class VideoFileSource:
    """Frames of a video file, decoded by OpenCV's FFmpeg backend.

    Use :func:`open_video` to make one; it checks the file first.

    Attributes
    ----------
    path : pathlib.Path
    name : str
        The file's stem.
    fps : float
        The container's nominal frame rate (informative only: times come from
        the timestamps).
    width, height : int
        Frame size after rotation.
    n_frames_hint : int or None
        The container's frame count, if it declares one (used for progress).
    rotation_deg : float
        Rotation metadata that the decoder applied.
    n_timestamps_repaired : int
        Frames whose timestamp was missing or not increasing and was replaced
        by the previous one plus one nominal frame interval.
    """

    def __init__(self, path: Path):
        cv2 = _cv2()
        self.path = path
        self.name = path.stem
        self._cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        if not self._cap.isOpened():
            raise HFSDetectError(
                f"cannot read {path}: FFmpeg cannot decode it "
                "(not a video, or damaged or cut short)"
            )
        ok, first = self._cap.read()
        if not ok or first is None:
            self._cap.release()
            raise HFSDetectError(f"cannot read {path}: no frame could be decoded")
        self._first = first
        self._first_ms = self._cap.get(cv2.CAP_PROP_POS_MSEC)
        self.height, self.width = first.shape[:2]
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and math.isfinite(fps) and fps > 0 else float("nan")
        count = int(self._cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
        self.n_frames_hint = count if count > 0 else None
        self.rotation_deg = float(self._cap.get(cv2.CAP_PROP_ORIENTATION_META) or 0.0)
        self.n_timestamps_repaired = 0
        self.timing_note: str | None = None
        """Why the frames are timed at a nominal rate, not by their timestamps (None when
        the timestamps were used)."""
        self._nominal_fps: float | None = None
        if not MIN_FPS <= self.fps <= MAX_FPS:  # timestamps that cannot be a face's video
            declared_s = container_duration_s(path)
            nominal = count / declared_s if count > 0 and declared_s else float("nan")
            said = "the container's declared rate"
            if not MIN_FPS <= nominal <= MAX_FPS:
                nominal, said = 30.0, "assumed, as the container declares none"
            self._nominal_fps = nominal
            self.timing_note = (
                f"the file's timestamps cannot be true ({self.fps:g} frames a second): its "
                f"frames are timed at {nominal:g} frames a second instead ({said})"
            )
            self.fps = nominal
        self._used = False

    def __iter__(self) -> Iterator[Frame]:
        if self._used:
            raise HFSDetectError(f"{self.path}: a video source can be read only once")
        self._used = True
        cv2 = _cv2()
        step_s = 1.0 / self.fps if math.isfinite(self.fps) else 1.0 / 30.0
        bgr, ms = self._first, self._first_ms
        previous_s = -math.inf
        index = 0
        while bgr is not None:
            time_s = ms / 1000.0 if ms is not None and math.isfinite(ms) else math.nan
            if self._nominal_fps is not None:
                time_s = index / self._nominal_fps
            elif not time_s > previous_s:  # missing, NaN or not increasing
                time_s = 0.0 if index == 0 else previous_s + step_s
                self.n_timestamps_repaired += 1
            yield Frame(index, time_s, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            previous_s = time_s
            index += 1
            ok, bgr = self._cap.read()
            if not ok:
                bgr = None
            ms = self._cap.get(cv2.CAP_PROP_POS_MSEC)
        self._first = None

    def close(self) -> None:
        """Release the decoder."""
        self._cap.release()

    def __enter__(self) -> VideoFileSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CameraSource:
    """Frames from a camera, timed by a monotonic clock from the first frame.

    Use :func:`open_camera` to make one.
    """

    def __init__(self, index: int, *, width: int | None = None, height: int | None = None):
        cv2 = _cv2()
        self.name = f"camera{index}"
        # OpenCV's backends log their own failure on stderr; our one-line error says it
        level = cv2.utils.logging.getLogLevel()
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
        try:
            self._cap = cv2.VideoCapture(index)
            if width:
                self._cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
            if height:
                self._cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
            ok, first = self._cap.read() if self._cap.isOpened() else (False, None)
        finally:
            cv2.utils.logging.setLogLevel(level)
        if not ok or first is None:
            self._cap.release()
            raise HFSDetectError(
                f"camera {index} could not be opened (is it connected and not in use?)"
            )
        self._first = first
        self.height, self.width = first.shape[:2]
        fps = self._cap.get(cv2.CAP_PROP_FPS)
        self.fps = float(fps) if fps and math.isfinite(fps) and fps > 0 else float("nan")
        self.n_frames_hint = None
        self.lost = False

    def __iter__(self) -> Iterator[Frame]:
        cv2 = _cv2()
        start = time.monotonic()
        bgr, index = self._first, 0
        while bgr is not None:
            yield Frame(index, time.monotonic() - start, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            index += 1
            ok, bgr = self._cap.read()
            if not ok:
                self.lost = True
                bgr = None

    def close(self) -> None:
        """Release the camera."""
        self._cap.release()

    def __enter__(self) -> CameraSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_video(path: str | os.PathLike) -> VideoFileSource:
    """Open a video file for reading, with a clear error if it cannot be read.

    Parameters
    ----------
    path : str or path-like
        Any file FFmpeg decodes (mp4, mov, avi, mkv, mpg, webm, ...).

    Returns
    -------
    VideoFileSource

    Raises
    ------
    HFSDetectError
        If the file is missing, empty, a folder, or not a decodable video.
    """
    return VideoFileSource(check_video_path(path))


def open_camera(index: int = 0, **size: int) -> CameraSource:
    """Open camera ``index`` (0 is the default camera)."""
    check_number("camera index", index, minimum=0, integer=True)  # OpenCV crashes on -1
    return CameraSource(int(index), **size)


_DONE = object()


def prefetch(frames: Iterator[Frame], maxsize: int = 8) -> Iterator[Frame]:
    """Decode ahead in a background thread, so decoding overlaps inference.

    The decoder releases the GIL, so on two cores decoding costs almost no
    wall time. Errors in the reader are raised in the consumer.

    Parameters
    ----------
    frames : iterator of Frame
        The source's frames.
    maxsize : int
        Frames held at most (bounds memory).
    """
    buffer: queue.Queue = queue.Queue(maxsize=maxsize)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                buffer.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for frame in frames:
                if not put(frame):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer
            put(exc)

    reader = threading.Thread(target=read, name="hfs-detect-decoder", daemon=True)
    reader.start()
    try:
        while True:
            item = buffer.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join(timeout=2.0)


def unmirrored(frames: Iterable[Frame], mirrored: bool) -> Iterator[Frame]:
    """The frames as the camera saw them: flipped back when the recording is a mirror
    image (a selfie-style recording, ``--mirrored``), else as they come."""
    if not mirrored:
        yield from frames
        return
    cv2 = _cv2()
    for frame in frames:
        yield Frame(frame.index, frame.time_s, cv2.flip(frame.rgb, 1))
