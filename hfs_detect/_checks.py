"""Input checks shared by every stage, and the one error type users see.

Every check raises :class:`HFSDetectError` with a message that names the
argument, what is allowed and what came. The command line turns that error into
one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path


class HFSDetectError(Exception):
    """An error caused by the user's input (file, option, value), not a bug.

    Its message is one line that says what was expected and what came.
    """


def check_option(name: str, value: object, allowed: Iterable[object]) -> None:
    """Raise unless ``value`` is one of ``allowed``.

    Parameters
    ----------
    name : str
        The argument's name, as the user knows it.
    value : object
        What came.
    allowed : iterable
        The allowed values.
    """
    allowed = list(allowed)
    if value not in allowed:
        listed = ", ".join(repr(a) for a in allowed[:-1])
        listed = f"{listed} and {allowed[-1]!r}" if listed else repr(allowed[-1])
        raise HFSDetectError(
            f"Invalid value for the {name!r} parameter. Allowed values are {listed}, "
            f"but got {value!r} instead."
        )


def check_number(
    name: str,
    value: float,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    integer: bool = False,
    above: float | None = None,
) -> float:
    """Raise unless ``value`` is a finite number within ``[minimum, maximum]``
    (and greater than ``above``, if given).

    Returns the value, so a check can sit in an assignment.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise HFSDetectError(f"{name} must be a number, but got {value!r}.")
    if integer and int(value) != value:
        raise HFSDetectError(f"{name} must be a whole number, but got {value!r}.")
    if not math.isfinite(value):
        raise HFSDetectError(f"{name} must be finite, but got {value!r}.")
    if minimum is not None and value < minimum:
        raise HFSDetectError(f"{name} must be at least {minimum}, but got {value!r}.")
    if above is not None and value <= above:
        raise HFSDetectError(f"{name} must be above {above:g}, but got {value!r}.")
    if maximum is not None and value > maximum:
        raise HFSDetectError(f"{name} must be at most {maximum}, but got {value!r}.")
    return value


def check_video_path(path: str | os.PathLike) -> Path:
    """Raise unless ``path`` names an existing, non-empty, readable regular file."""
    path = Path(path)
    if not path.exists():
        raise HFSDetectError(f"video not found: {path}")
    if path.is_dir():
        raise HFSDetectError(
            f"{path} is a folder, not a video (use 'hfs-detect batch' for folders)"
        )
    if not os.access(path, os.R_OK):
        raise HFSDetectError(f"video is not readable (permission denied): {path}")
    if not path.is_file():  # a device (/dev/zero), a pipe (FIFO), a socket
        raise HFSDetectError(
            f"{path} is not a video file but a device or a pipe: give a file FFmpeg can read"
        )
    if path.stat().st_size == 0:
        raise HFSDetectError(f"video file is empty (0 bytes): {path}")
    return path


def check_output_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` if needed and raise unless files can be written in it."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise HFSDetectError(f"output path exists and is not a folder: {path}")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HFSDetectError(f"cannot create output folder {path}: {exc.strerror or exc}") from None
    probe = path / f".hfs-detect-write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise HFSDetectError(
            f"output folder is not writable: {path} ({exc.strerror or exc})"
        ) from None
    return path


class Parameters:
    """Base of the frozen parameter dataclasses: every field a number >= 0.

    Subclasses are ``@dataclass(frozen=True)``; a bad value raises
    :class:`HFSDetectError` naming the field.
    """

    def __post_init__(self) -> None:
        from dataclasses import fields

        for item in fields(self):
            check_number(item.name, getattr(self, item.name), minimum=0.0)

    def to_dict(self) -> dict:
        """The parameters as a plain dict (recorded in ``summary.json``)."""
        from dataclasses import asdict

        return asdict(self)


def native_library_defaults(one_opencv_thread: bool = True) -> None:
    """Set the native libraries' environment defaults: quiet logs, OpenCV on one thread.

    MediaPipe's, TFLite's and FFmpeg's own chatter on stderr is silenced.
    These are environment defaults (a user's own settings win), read by the
    native libraries when they start: the command line and pool workers call
    this first.

    Parameters
    ----------
    one_opencv_thread : bool, optional
        Also keep OpenCV's own thread pool to one thread
        (``OPENCV_FOR_THREADS_NUM=1``), in a process that hfs-detect owns (the
        command line, a batch pool worker); not in a caller's process. The pool
        would split each colour conversion and 256x256 face crop over the
        cores: that costs CPU and gains no time (``python
        benchmarks/speed/bench_batch.py --engine litert --balanced --opencv-ab``), and
        in a batch it only contends with the other workers. FFmpeg's decoding
        threads are not OpenCV's pool and stay as they are.
    """
    defaults = [
        ("GLOG_minloglevel", "2"),
        ("TF_CPP_MIN_LOG_LEVEL", "3"),
        ("OPENCV_LOG_LEVEL", "ERROR"),
        ("OPENCV_FFMPEG_LOGLEVEL", "-8"),
    ]
    if one_opencv_thread:
        defaults.append(("OPENCV_FOR_THREADS_NUM", "1"))
    for key, value in defaults:
        os.environ.setdefault(key, value)


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Hide native start-up log lines (MediaPipe's, LiteRT's) (absl/TFLite write to fd 2).

    No environment variable turns them off in MediaPipe 1.x. Python-level
    errors are unaffected: they are raised as exceptions.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
