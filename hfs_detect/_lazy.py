"""Importing heavy libraries in the background while frames are being analysed."""

from __future__ import annotations

import importlib
import sys
import threading


def preload_in_background(*modules: str) -> None:
    """Import ``modules`` in a daemon thread (no-op for those already imported).

    MediaPipe releases the GIL while it infers, so on two cores the import
    costs the first frames nothing. A failed import is left for the real
    import to report.
    """
    missing = [name for name in modules if name not in sys.modules]
    if not missing:
        return

    def load() -> None:
        for name in missing:
            try:
                importlib.import_module(name)
            except Exception:  # the real import will say what is wrong
                pass

    threading.Thread(target=load, name="hfs-detect-preload", daemon=True).start()
