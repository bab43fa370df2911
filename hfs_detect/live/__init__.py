"""Live screening: a camera (or a file played as one), the live view, and the replay.

- :mod:`~hfs_detect.live.screening`: :func:`run_live`, a guided screening session;
- :mod:`~hfs_detect.live.view`: what the window draws;
- :mod:`~hfs_detect.live.replay`: a saved analysis replayed with the view (``annotated.mp4``).
"""

from .screening import FrameFeed, LiveResult, run_live

__all__ = ["FrameFeed", "LiveResult", "run_live"]
