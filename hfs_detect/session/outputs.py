"""The output contract of one analysed video: its type, its writer and its reader.

:class:`Analysis` is what an analysis gives; :func:`write_outputs` writes it
(``landmarks.npz``, ``frames.csv`` and ``.parquet``, ``events.csv``, ``blinks.csv``,
``summary.json``)
and :func:`load_analysis` reads a folder back (its frames and landmarks when first
used). Every file is written to a temporary name
and moved into place, so a killed run never leaves a half-written file; ``summary.json``
is written last, so its presence means the folder is complete.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from .._atomic import atomic_path, write_text_atomic
from .._checks import HFSDetectError, check_output_dir
from ..events import EVENT_COLUMNS, check_events
from ..landmarks.track import save_track
from .settings import Settings
from .summary import Summary

if TYPE_CHECKING:
    import pandas as pd

    from ..landmarks.track import LandmarkTrack

__all__ = [
    "Analysis", "write_outputs", "load_analysis", "load_session", "read_summary", "to_json",
    "check_same_video",
]  # fmt: skip

CSV_FLOAT_FORMAT = "%.7g"
CACHE_NAME = "landmarks.npz"
"""The landmark cache in an analysis folder."""


def _clean(value):
    """JSON-safe: NaN/inf to null, numpy scalars to Python."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Path):
        return str(value)
    return value


DERIVED_FILES = ("report.html", "annotated.mp4")
"""Files made from an analysis folder's outputs, stale once they are rewritten."""


def to_json(data: dict) -> str:
    """Pretty, strict JSON (no NaN) for summaries."""
    return json.dumps(_clean(data), indent=2, allow_nan=False) + "\n"


def write_outputs(
    analysis: Analysis, out_dir: str | os.PathLike, *, parquet: bool = True
) -> list[Path]:
    """Write ``landmarks.npz``, ``frames.csv`` (+ ``.parquet``), ``events.csv``,
    ``blinks.csv``, ``summary.json``.

    The whole set is first written into a hidden staging folder inside
    ``out_dir``, then moved into place with ``summary.json`` (which marks a
    finished set) last. A run killed while writing leaves the earlier set as it
    was; only a kill in the instant of the moves can leave a set without its
    ``summary.json``, never two runs' files mixed. The files made from the
    earlier set (``report.html``, ``annotated.mp4``, a ``frames.parquet`` this
    run does not write) and the leftovers of killed runs are removed. Returns
    the paths written, in the order written.
    """
    out_dir = check_output_dir(out_dir)
    for leftover in [*out_dir.glob(".*.tmp"), *out_dir.glob(f"{_STAGING}*")]:
        shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink(missing_ok=True)
    staging = out_dir / f"{_STAGING}{os.getpid()}"
    staging.mkdir()
    try:
        names = _write_set(analysis, staging, out_dir, parquet)
        stale = ["summary.json", *DERIVED_FILES] + ([] if parquet else ["frames.parquet"])
        stale += [] if analysis.blinks is not None else ["blinks.csv"]
        for name in stale:
            (out_dir / name).unlink(missing_ok=True)
        for name in names:  # summary.json last
            os.replace(staging / name, out_dir / name)
    except HFSDetectError as exc:  # name the user's folder, not the staging one
        raise HFSDetectError(str(exc).replace(str(staging), str(out_dir))) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in names]


_STAGING = ".staging-"


def _write_set(analysis: Analysis, staging: Path, out_dir: Path, parquet: bool) -> list[str]:
    names = []
    if not analysis.summary.provenance.landmarks_from_cache or not (out_dir / CACHE_NAME).exists():
        save_track(staging / CACHE_NAME, analysis.track)
        names.append(CACHE_NAME)
    with atomic_path(staging / "frames.csv") as tmp:
        analysis.frames.to_csv(tmp, index=False, float_format=CSV_FLOAT_FORMAT)
    names.append("frames.csv")
    if parquet:
        with atomic_path(staging / "frames.parquet") as tmp:
            analysis.frames.to_parquet(tmp, index=False)
        names.append("frames.parquet")
    with atomic_path(staging / "events.csv") as tmp:
        analysis.events.to_csv(tmp, index=False, float_format=CSV_FLOAT_FORMAT)
    names.append("events.csv")
    if analysis.blinks is not None:
        with atomic_path(staging / "blinks.csv") as tmp:
            analysis.blinks.to_csv(tmp, index=False, float_format=CSV_FLOAT_FORMAT)
        names.append("blinks.csv")
    write_text_atomic(staging / "summary.json", to_json(analysis.summary.to_dict()))
    return [*names, "summary.json"]


class Analysis:
    """The result of analysing one recording.

    Parameters
    ----------
    frames : pandas.DataFrame, optional
        One row per decoded frame (the per-frame table).
    events : pandas.DataFrame
        One row per burst, the ``events.csv`` columns.
    summary : Summary
        The typed session summary (``summary.json``).
    track : LandmarkTrack, optional
        The landmarks behind the table.
    folder : path-like, optional
        The analysis folder it was read from: ``frames`` and ``track`` are
        read from it when first used (:func:`load_analysis`).
    blinks : pandas.DataFrame, optional
        One row per closure of both eyes that is not a burst, the ``blinks.csv``
        columns (:data:`~hfs_detect.blinks.BLINK_COLUMNS`); None for a folder
        analysed before blinks were measured.

    Attributes
    ----------
    frames, events, summary, track, blinks
        As above.
    settings : Settings
        How it was analysed (``summary.settings``).
    """

    def __init__(
        self, frames=None, events=None, summary=None, track=None, *, folder=None, blinks=None
    ):
        self._frames, self.events, self.summary, self._track = frames, events, summary, track
        self.blinks = blinks
        self.folder = Path(folder) if folder is not None else None

    @property
    def frames(self) -> pd.DataFrame:
        """The per-frame table (read from the folder when first used)."""
        if self._frames is None and self.folder is not None:
            self._frames = _read_frames(self.folder, self.summary)
        return self._frames

    @frames.setter
    def frames(self, value: pd.DataFrame) -> None:
        self._frames = value

    @property
    def track(self) -> LandmarkTrack | None:
        """The landmarks (read from the folder's cache when first used; None without one)."""
        if self._track is None and self.folder is not None:
            from ..landmarks.track import load_track

            cache = self.folder / CACHE_NAME
            self._track = load_track(cache) if cache.is_file() else None
        return self._track

    @property
    def settings(self) -> Settings:
        """How it was analysed."""
        return self.summary.settings

    def write(self, out_dir: str | os.PathLike, *, parquet: bool = True) -> list[Path]:
        """Write the output contract into ``out_dir`` (:func:`write_outputs`)."""
        return write_outputs(self, out_dir, parquet=parquet)


def load_analysis(out_dir: str | os.PathLike) -> Analysis:
    """An analysis folder read back: its typed summary and events now, its frames table
    and landmarks when first used.

    Raises
    ------
    HFSDetectError
        The folder is not an analysis, or one of its files is missing, damaged
        or not in the output contract's format (rerunning ``analyze`` remakes it);
        each message is one line naming the file.
    """
    out_dir = Path(out_dir)
    summary = read_summary(out_dir)
    if not any((out_dir / name).is_file() for name in ("frames.parquet", "frames.csv")):
        raise HFSDetectError(f"{out_dir} has no frames.csv (the per-frame table); rerun analyze")
    return Analysis(
        events=_read_events(out_dir, summary),
        summary=summary,
        folder=out_dir,
        blinks=_read_blinks(out_dir),
    )


def load_session(out_dir: str | os.PathLike) -> tuple[pd.DataFrame, pd.DataFrame, Summary]:
    """The frames table, events table and summary of an analysis folder (all read now;
    :func:`load_analysis` gives the same as an :class:`Analysis`)."""
    analysis = load_analysis(out_dir)
    return analysis.frames, analysis.events, analysis.summary


def read_summary(out_dir: str | os.PathLike) -> Summary:
    """An analysis folder's typed summary alone (its ``summary.json``).

    Raises
    ------
    HFSDetectError
        No such folder, no summary, or a damaged one (one line naming the file).
    """
    out_dir = Path(out_dir)
    summary_path = out_dir / "summary.json"
    if not out_dir.exists():
        raise HFSDetectError(f"not found: {out_dir}")
    if not summary_path.is_file():
        if any((out_dir / name).exists() for name in ("frames.csv", "events.csv", CACHE_NAME)):
            raise HFSDetectError(
                f"the analysis in {out_dir} was stopped while its files were being put in place"
                " (no summary.json): rerun analyze"
            )
        raise HFSDetectError(f"not an analysis folder (no summary.json): {out_dir}")
    try:
        data = json.loads(summary_path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise HFSDetectError(
            f"{summary_path} is damaged or cut short ({exc}); rerun analyze"
        ) from None
    return Summary.from_dict(data, str(summary_path))


def _read_frames(out_dir: Path, summary: Summary) -> pd.DataFrame:
    import pandas as pd

    parquet, csv = out_dir / "frames.parquet", out_dir / "frames.csv"
    if parquet.is_file():
        frames = _read_table(parquet, pd.read_parquet)
    elif csv.is_file():
        frames = _read_table(csv, pd.read_csv)
    else:
        raise HFSDetectError(f"{out_dir} has no frames.csv (the per-frame table); rerun analyze")
    missing = {"time_s", "face", "rest"} - set(frames.columns)
    if missing:
        raise HFSDetectError(f"{csv} is not a frames table: no {', '.join(sorted(missing))}")
    n_frames = summary.recording.n_frames
    if n_frames != len(frames):
        raise HFSDetectError(
            f"the frames table in {out_dir} has {len(frames)} frames but summary.json counts"
            f" {n_frames}: they come from different runs; rerun analyze"
        )
    return frames


def _read_events(out_dir: Path, summary: Summary) -> pd.DataFrame:
    import pandas as pd

    events_path = out_dir / "events.csv"
    if not events_path.is_file():
        raise HFSDetectError(f"{out_dir} has no events.csv; rerun analyze")
    events = _read_table(events_path, pd.read_csv)
    missing = set(EVENT_COLUMNS[:9]) - set(events.columns)
    if missing:
        raise HFSDetectError(
            f"{events_path} is not an events table: missing column(s) {', '.join(sorted(missing))}"
        )
    recording = summary.recording
    events = check_events(events, str(events_path), duration_s=recording.duration_s,
                          max_rows=max(recording.n_frames, 1))  # fmt: skip
    events["regions"] = events["regions"].fillna("").astype(str)
    return events


def _read_blinks(out_dir: Path) -> pd.DataFrame | None:
    """``blinks.csv``, or None for a folder analysed before blinks were measured."""
    import pandas as pd

    from ..blinks import BLINK_COLUMNS

    path = out_dir / "blinks.csv"
    if not path.is_file():
        return None
    blinks = _read_table(path, pd.read_csv)
    missing = set(BLINK_COLUMNS) - set(blinks.columns)
    if missing:
        raise HFSDetectError(
            f"{path} is not a blinks table: missing column(s) {', '.join(sorted(missing))}"
        )
    return blinks


def _read_table(path: Path, reader) -> pd.DataFrame:
    import pandas as pd

    try:
        return reader(path)
    except (OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise HFSDetectError(f"cannot read {path} ({exc}); rerun analyze") from None


def check_same_video(video: Path, summary: Summary, out_dir: Path) -> None:
    """Refuse to show one video's frames as another's analysis (size and first bytes differ)."""
    from ..landmarks.track import load_track_meta, video_fingerprint

    expected = summary.recording.video_fingerprint
    if not expected:  # folders from before the summary recorded it: the cache's key
        key = (load_track_meta(out_dir / CACHE_NAME) or {}).get("key") or {}
        expected = {n: key.get(f"video_{n}") for n in ("size_bytes", "head_sha256")}
    if not video.is_file() or not expected.get("head_sha256"):
        return  # opening it names a missing file; a camera session has no fingerprint
    fingerprint = video_fingerprint(video)
    if (fingerprint["size_bytes"], fingerprint["head_sha256"]) != (
        expected.get("size_bytes"),
        expected["head_sha256"],
    ):
        raise HFSDetectError(
            f"{video} is not the video {out_dir} was analysed from (its size or first bytes "
            "differ): its frames would be shown as another face's; give that video with --video"
        )
