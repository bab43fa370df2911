"""Writing the output contract of one analysed video.

Every file is written to a temporary name and moved into place, so a killed
run never leaves a half-written file; ``summary.json`` is written last, so its
presence means the folder is complete.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ._atomic import atomic_path, write_text_atomic
from ._checks import check_output_dir
from .track import save_track

if TYPE_CHECKING:
    from .session import Analysis

__all__ = ["write_outputs", "to_json"]

CSV_FLOAT_FORMAT = "%.7g"


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
    """Write ``landmarks.npz``, ``frames.csv`` (+ ``.parquet``), ``events.csv``, ``summary.json``.

    An earlier run's set is never mixed with this one: its ``summary.json``
    (which marks a finished set, and is written last) goes first, and so do
    the files made from it (``report.html``, ``annotated.mp4``, a
    ``frames.parquet`` this run does not write) and the temporaries of a run
    that was killed. Returns the paths written, in the order written.
    """
    out_dir = check_output_dir(out_dir)
    stale = ["summary.json", *DERIVED_FILES] + ([] if parquet else ["frames.parquet"])
    for name in stale:
        (out_dir / name).unlink(missing_ok=True)
    for temporary in out_dir.glob(".*.tmp"):
        temporary.unlink(missing_ok=True)
    written = []
    cache = out_dir / "landmarks.npz"
    if not analysis.summary.get("landmarks_from_cache") or not cache.exists():
        save_track(cache, analysis.track)
        written.append(cache)
    frames_csv = out_dir / "frames.csv"
    with atomic_path(frames_csv) as tmp:
        analysis.frames.to_csv(tmp, index=False, float_format=CSV_FLOAT_FORMAT)
    written.append(frames_csv)
    if parquet:
        frames_parquet = out_dir / "frames.parquet"
        with atomic_path(frames_parquet) as tmp:
            analysis.frames.to_parquet(tmp, index=False)
        written.append(frames_parquet)
    events_csv = out_dir / "events.csv"
    with atomic_path(events_csv) as tmp:
        analysis.events.to_csv(tmp, index=False, float_format=CSV_FLOAT_FORMAT)
    written.append(events_csv)
    summary = out_dir / "summary.json"
    write_text_atomic(summary, to_json(analysis.summary))
    written.append(summary)
    return written
