"""Videos made from real ones for a benchmark: another size, another length, brighter."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hfs_detect.session import Frame


def scaled_copy(video: Path, size: tuple[int, int], folder: Path) -> Path:
    """The video resized to ``size`` (MPEG-4), to time a frame size no shipped video has."""
    import cv2

    out = folder / f"{video.stem}_{size[0]}x{size[1]}.mp4"
    cap = cv2.VideoCapture(str(video))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), cap.get(5), size)
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        writer.write(cv2.resize(bgr, size, interpolation=cv2.INTER_LINEAR))
    cap.release()
    writer.release()
    return out


def looped_copy(video: Path, minutes: float, folder: Path) -> Path:
    """``video`` played forwards and backwards until ``minutes`` long (MPEG-4)."""
    import cv2

    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    frames = []
    while True:
        ok, bgr = cap.read()
        if not ok:
            break
        frames.append(bgr)
    cap.release()
    out = folder / f"{video.stem}_{minutes:g}min.mp4"
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    wanted = int(round(minutes * 60 * fps))
    order = list(range(len(frames))) + list(range(len(frames) - 2, 0, -1))
    for i in range(wanted):
        writer.write(frames[order[i % len(order)]])
    writer.release()
    return out


def looped_copy_apart(video: Path, minutes: float, folder: Path) -> Path:
    """:func:`looped_copy` in a process of its own: it holds the whole video's frames,
    and a benchmark child started from a process that big would inherit its peak
    memory figure (Linux keeps ``ru_maxrss`` across ``exec``)."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(looped_copy, (video, minutes, folder))


def brightened(frame: Frame, levels: int) -> Frame:
    """The frame with every pixel ``levels`` grey levels (of 255) brighter."""
    rgb = np.clip(frame.rgb.astype(np.int16) + levels, 0, 255).astype(np.uint8)
    return Frame(frame.index, frame.time_s, rgb)
