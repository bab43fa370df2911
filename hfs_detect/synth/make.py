"""One synthetic session made end to end: what ``hfs-detect synth`` does.

Plans it (:mod:`~hfs_detect.synth.plan`, :mod:`~hfs_detect.synth.patterns`,
:mod:`~hfs_detect.synth.grading`) and renders it on a real face
(:mod:`~hfs_detect.synth.render`) with its truth beside the video.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .._checks import HFSDetectError, check_number
from .plan import SynthPlan
from .render import (
    FaceSource,
    StillFace,
    VideoFace,
    astronaut_face,
    face_points,
    prepare_video_face,
    read_face_picture,
    render_session,
    still_from_video,
)

__all__ = ["synthesize", "MAX_DURATION_S", "MAX_EVENTS"]

MAX_DURATION_S = 3600.0
"""The longest session made (an hour of frames is all kept in memory while it is drawn)."""
MAX_EVENTS = 1000
"""The most spasms, blinks or smiles asked of one session."""


def synthesize(
    out_video: str | os.PathLike,
    *,
    pattern: str | None = None,
    side: str | None = "left",
    face: np.ndarray | str | os.PathLike | None = None,
    source_video: str | os.PathLike | None = None,
    duration_s: float | None = None,
    seed: int = 0,
    n_spasms: int = 4,
    n_blinks: int = 6,
    n_smiles: int = 0,
    real_lids: bool = True,
    grade: str | None = None,
    tonic_level: float | None = None,
    clonic_rate_per_min: float = 16.0,
    provoked: bool = False,
) -> SynthPlan:
    """Plan and render one synthetic session with its truth (what ``hfs-detect synth`` does).

    Parameters
    ----------
    out_video : path-like
        The ``.mp4`` to write; the truth goes beside it.
    pattern : str, optional
        A named pattern or distractor (:data:`hfs_detect.synth.patterns.PATTERNS`);
        without one, a mixed session of ``n_spasms`` bursts, ``n_blinks``
        blinks and ``n_smiles`` smiles (the first synthetic sets' plan).
    side : {'left', 'right'} or None
        The spasms' side (None: no spasm, mixed sessions only).
    face : (h, w, 3) uint8 RGB or path-like, optional
        A still face picture or its file (default: the astronaut), when no ``source_video``.
    source_video : path-like, optional
        A real video with one face to draw on frame by frame; its own closed
        eyes become the real lids.
    duration_s : float, optional
        Length (default 30 s; 45 s for tonic holds).
    seed : int
        Same seed, same session.
    n_spasms, n_blinks, n_smiles : int
        For a mixed session.
    real_lids : bool
        Paste real closed lids into strong closures (when the source has any).
    grade : {'I', 'II', 'III', 'IV'}, optional
        A session made for this SMC grade, with known grading answers
        (:mod:`hfs_detect.synth.grading`; 60 s by default), on a still of the face.
    tonic_level : float, optional
        With ``grade``: the tonic component to give the session (default 0.35 for IV;
        else none drawn).
    clonic_rate_per_min : float
        With ``grade``: twitches of the clonic bursts per minute.
    provoked : bool
        A session with smile, forceful-closure and pursing provocation steps and a
        spasm just after each (45 s by default), on a still of the face.

    Returns
    -------
    SynthPlan

    Raises
    ------
    HFSDetectError
        For a video name that is not ``.mp4``, a spasm pattern without a side,
        a session too short for its plan, or a face picture that cannot be read.
    """
    from .patterns import SPASM_PATTERNS, plan_pattern, session_length_s
    from .plan import plan_session

    out_video = Path(out_video)
    check_number("seed", seed, minimum=0, integer=True)
    for name, count in (("n_spasms", n_spasms), ("n_blinks", n_blinks), ("n_smiles", n_smiles)):
        check_number(name, count, minimum=0, maximum=MAX_EVENTS, integer=True)
    if duration_s is not None:
        check_number("duration_s", duration_s, maximum=MAX_DURATION_S)
    check_number("clonic_rate_per_min", clonic_rate_per_min, above=0.0, maximum=300.0)
    if tonic_level is not None:
        check_number("tonic_level", tonic_level, above=0.0, maximum=0.9)
    if out_video.suffix.lower() != ".mp4":
        raise HFSDetectError(f"the synthetic video must be an .mp4, got {out_video.name}")
    if pattern in SPASM_PATTERNS and side is None:
        raise HFSDetectError(f"the pattern {pattern} needs a side: --side left or right")
    shortest_s = 12.0 if pattern else 6.0
    if duration_s is not None and duration_s < shortest_s:
        raise HFSDetectError(f"--duration-s must be at least {shortest_s:g} s, got {duration_s}")
    if isinstance(face, (str, os.PathLike)):
        face = read_face_picture(face)
    out_video.parent.mkdir(parents=True, exist_ok=True)
    if source_video is not None:
        prepared = prepare_video_face(source_video)
        source: FaceSource = prepared.quiet_part() if pattern in SPASM_PATTERNS else prepared
    else:
        image = astronaut_face() if face is None else np.ascontiguousarray(face)
        source = StillFace(image, face_points(image))
    if grade is not None or provoked:
        from .grading import plan_provoked, synthesize_graded

        still = source
        if isinstance(source, VideoFace):  # a still of the video: its first quiet frame
            quiet = np.flatnonzero(source.quiet)
            still = still_from_video(source, int(quiet[0]) if len(quiet) else 0)
        if grade is not None:
            return synthesize_graded(
                out_video, still, grade=grade, side=side or "left", tonic_level=tonic_level,
                clonic_rate_per_min=clonic_rate_per_min, duration_s=duration_s or 60.0,
                seed=seed,
            )  # fmt: skip
        plan = plan_provoked(side=side or "left", duration_s=duration_s or 45.0,
                             fps=still.fps, seed=seed)  # fmt: skip
        render_session(still, plan, out_video, real_lids=real_lids)
        return plan
    fps = source.fps
    if pattern is None:
        plan = plan_session(
            duration_s or 30.0, side=side, n_spasms=n_spasms, n_blinks=n_blinks,
            n_smiles=n_smiles, fps=fps, seed=seed,
        )  # fmt: skip
        placed = len(plan.spasms) if side is not None else n_spasms
        if placed < n_spasms or len(plan.blinks) < n_blinks:
            raise HFSDetectError(
                f"only {placed} of {n_spasms} spasms and {len(plan.blinks)} of {n_blinks} "
                f"blinks fit in {plan.duration_s:g} s: ask for fewer, or a longer --duration-s"
            )
    else:
        duration_s = duration_s or session_length_s(pattern)
        moving = isinstance(source, VideoFace)
        plan = plan_pattern(
            pattern, side=side, duration_s=duration_s, fps=fps, seed=seed,
            quiet=source.quiet_times(duration_s) if moving else None,
            onset_free=source.blink_free_times(duration_s) if moving else None,
        )  # fmt: skip
    render_session(source, plan, out_video, real_lids=real_lids)
    return plan
