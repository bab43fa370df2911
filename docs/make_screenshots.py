"""Remake the documentation's pictures from the real tool: the report and the live window.

    python docs/make_screenshots.py

Analyses the left-sided sample, opens its ``report.html`` in headless Chromium and
keeps the top of the page; plays the sample in ``hfs-detect live`` on a virtual
screen (Xvfb) and keeps the window at the moment a burst is flagged; writes the
sample's methods paragraph. Both pictures are scaled down to 800 px wide (small
PNGs in ``docs/_static``). Needs Debian's ``chromium`` and ``xvfb`` and the test
extra (``python-xlib``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
STATIC = HERE / "_static"
SAMPLE = HERE.parent / "samples" / "synthetic_hfs_left.mp4"
WIDTH = 800


def small_png(rgb: np.ndarray, path: Path) -> None:
    """``rgb`` scaled to :data:`WIDTH` px wide, written as a compressed PNG."""
    import cv2

    height = int(round(rgb.shape[0] * WIDTH / rgb.shape[1]))
    small = cv2.resize(rgb, (WIDTH, height), interpolation=cv2.INTER_AREA)
    picture = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
    cv2.imwrite(str(path), picture, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


def report_picture(work: Path) -> None:
    import cv2

    out = work / "left"
    subprocess.run([sys.executable, "-m", "hfs_detect", "analyze", str(SAMPLE), "-o", str(out),
                    "--report", "--no-progress"], check=True, capture_output=True)  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    (STATIC / "methods_example.txt").write_text(summary["methods"] + "\n")
    shot = work / "report.png"
    subprocess.run(
        [shutil.which("chromium") or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", f"--user-data-dir={work / 'profile'}",
         "--hide-scrollbars", "--window-size=1100,1250", f"--screenshot={shot}",
         (out / "report.html").as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    rgb = cv2.cvtColor(cv2.imread(str(shot)), cv2.COLOR_BGR2RGB)
    small_png(rgb, STATIC / "report.png")


def live_picture(work: Path) -> None:
    from Xlib import X, display

    number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    screen = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1400x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        time.sleep(1.0)
        env = {**os.environ, "DISPLAY": f":{number}"}
        live = subprocess.Popen(
            [sys.executable, "-m", "hfs_detect", "live", "--source", str(SAMPLE), "--realtime",
             "-o", str(work / "live")], env=env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        x = display.Display(f":{number}")
        best = None
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and live.poll() is None:
            window = _find(x.screen().root, "hfs-detect live")
            if window is not None:
                geometry = window.get_geometry()
                origin = window.translate_coords(x.screen().root, 0, 0)
                raw = x.screen().root.get_image(-origin.x, -origin.y, geometry.width,
                                                geometry.height, X.ZPixmap, 0xFFFFFFFF)  # fmt: skip
                bgrx = np.frombuffer(raw.data, np.uint8).reshape(geometry.height, geometry.width, 4)
                rgb = bgrx[..., 2::-1].copy()
                red = (rgb[..., 0] > 230) & (rgb[..., 1] < 30) & (rgb[..., 2] < 30)
                if red[:50].mean() > 0.05:  # a burst is flagged
                    best = rgb
                    break
            time.sleep(0.1)
        live.terminate()
        live.wait(timeout=30)
        if best is None:
            raise SystemExit("no flagged frame of the live window was seen")
        small_png(best, STATIC / "live.png")
    finally:
        screen.terminate()


def _find(root, title: str):
    for child in root.query_tree().children:
        if child.get_wm_name() == title:
            return child
        found = _find(child, title)
        if found is not None:
            return found
    return None


def main() -> None:
    STATIC.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        report_picture(Path(tmp))
        live_picture(Path(tmp))


if __name__ == "__main__":
    main()
