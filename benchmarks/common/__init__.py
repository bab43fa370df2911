"""What the benchmark scripts share: where things are, made videos, timed runs, scoring.

The scripts in ``speed/`` and ``accuracy/`` import from here, never from each other:

- paths: :data:`REPO`, :data:`DATA` (the real videos beside the checkout),
  :data:`SAMPLES`, :func:`real_videos`;
- :mod:`common.videos`: videos made from real ones (scaled, looped, brightened);
- :mod:`common.runs`: one variant timed in a fresh process, an engine's landmarks;
- :mod:`common.scoring` and :mod:`common.peers`: synthetic-set scores and the peer methods.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The checkout."""
DATA = REPO.parent / "shared" / "data"
"""The real face videos beside the checkout (read, never copied)."""
SAMPLES = [REPO / "samples" / f"synthetic_hfs_{side}.mp4" for side in ("left", "right")]
"""The two shipped samples."""
VIDEO_SUFFIXES = {".mp4", ".mov", ".mpg", ".avi", ".mkv"}


def real_videos() -> list[Path]:
    """Every real video of :data:`DATA`, by name."""
    return sorted(p for p in DATA.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)
