"""The annotated video: a saved analysis replayed through the runner, with the live view.

:func:`annotated_frames` runs the same per-frame chain as ``live`` and
``analyze`` (:class:`~hfs_detect.session.SessionRunner`) over an analysis
folder's landmark cache and its video; :func:`write_annotated_video` draws the
live view on every frame (``annotated.mp4``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._atomic import atomic_path
from .._checks import HFSDetectError
from ..session import SessionRunner, check_same_video, load_analysis, open_video, unmirrored

__all__ = ["annotated_frames", "write_annotated_video"]


def annotated_frames(out_dir: str | os.PathLike, video: str | os.PathLike | None = None):
    """The frames of the annotated video, before drawing, in order.

    Runs the same per-frame chain as ``live`` and ``analyze`` over the folder's
    landmark cache, with the analysis's rest intervals, and never calls rest a
    frame the analysis did not (a live protocol's task steps); frames of a
    provocation step are judged as provoked, as they were. A mirrored
    recording's frames are flipped back as they were for the analysis, so the
    landmarks fall on the face.

    Yields
    ------
    rgb : (h, w, 3) uint8
        The frame as analysed.
    landmarks : (478, 3) array or None
        Its landmarks as the cache holds them (MediaPipe's normalised coordinates).
    state : ViewState
        What the view shows: rest, the burst flag, counts.
    ended : list of Event
        Bursts that ended with this frame.
    trace : tuple
        ``(time_s, features, spread)`` for :meth:`LiveView.add_trace`.

    After the last frame, one more item ``(None, None, None, ended, None)``
    carries the bursts the end of the session closed.
    """
    from .view import ViewState

    out_dir = Path(out_dir)
    analysis = load_analysis(out_dir)
    frames, summary, track = analysis.frames, analysis.summary, analysis.track
    if track is None:
        raise HFSDetectError(f"no landmark cache in {out_dir}: run analyze into it first")
    runner = SessionRunner.from_summary(summary, track)
    rest_allowed = frames["rest"].to_numpy(bool)
    provoked = frames["provoked"].to_numpy(bool) if "provoked" in frames else None
    counts = {"left": 0, "right": 0}
    chosen = Path(video or summary.recording.video)
    check_same_video(chosen, summary, out_dir)
    detector, mirrored = runner.detector, runner.settings.mirrored
    with open_video(chosen) as source:
        # a mirrored recording's frames flipped back, as the landmark stage analysed them
        for i, frame in enumerate(unmirrored(source, mirrored)):
            if i >= len(track):
                break
            allowed = bool(rest_allowed[i]) if i < len(rest_allowed) else True
            provoking = bool(provoked[i]) if provoked is not None and i < len(provoked) else False
            row, ended = runner.process_face_frame(track.face_frame(i), allowed, None, provoking)
            for event in ended:
                counts[event.side] += 1
            state = ViewState(
                status="recorded", at_rest=row.rest, face=row.face,
                flag_side=detector.active_side, flag_regions=detector.current_regions(),
                n_events=dict(counts), step_name=f"t = {frame.time_s:.1f} s",
            )  # fmt: skip
            trace = (frame.time_s, detector.latest, detector.spread)
            yield frame.rgb, (track.landmarks[i] if row.face else None), state, ended, trace
        yield None, None, None, runner.close(), None


def write_annotated_video(
    out_dir: str | os.PathLike,
    *,
    video: str | os.PathLike | None = None,
    path: str | os.PathLike | None = None,
) -> Path:
    """Write the video with the live view drawn on it (``annotated.mp4``).

    The frames, rest state and flag come from :func:`annotated_frames`.
    """
    import cv2

    from .view import LiveView

    out_dir = Path(out_dir)
    summary = load_analysis(out_dir).summary
    target = Path(path) if path else out_dir / "annotated.mp4"
    with open_video(video or summary.recording.video) as source:
        width, height = source.width, source.height
        fps = source.fps if np.isfinite(source.fps) else 30.0
    view = LiveView(width, height, mirror=False)
    with atomic_path(target) as tmp:
        partial = tmp.with_suffix(".mp4")
        writer = cv2.VideoWriter(str(partial), cv2.VideoWriter_fourcc(*"mp4v"), fps,
                                 (view.size[1], view.size[0]))  # fmt: skip
        try:
            for rgb, landmarks, state, _, trace in annotated_frames(out_dir, video):
                if rgb is None:
                    break
                view.add_trace(*trace)
                writer.write(view.render(rgb, landmarks, state))
            writer.release()
            partial.replace(tmp)
        finally:
            writer.release()
            partial.unlink(missing_ok=True)
    return target
