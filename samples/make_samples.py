"""Regenerate the shipped samples (run from the repository root).

    python samples/make_samples.py

Each sample is a synthetic session made by ``hfs_detect.synth`` from the
astronaut picture that scikit-image ships (Eileen Collins, NASA, public
domain), cropped around the face to keep the files small. Each video comes
with its true events as ``<stem>.events.csv`` (``synth.TRUTH_COLUMNS``). The
seeds make them reproducible.
"""

from __future__ import annotations

from pathlib import Path

from hfs_detect.synth.plan import plan_session
from hfs_detect.synth.render import astronaut_face, render_session

HERE = Path(__file__).resolve().parent
SAMPLES = {
    # stem: (patient side of the spasms or None, seed)
    "synthetic_hfs_left": ("left", 3),
    "synthetic_hfs_right": ("right", 11),
}


def main() -> None:
    for stem, (side, seed) in SAMPLES.items():
        plan = plan_session(20.0, side=side, n_spasms=4, n_blinks=5, seed=seed)
        plan.noise_sd = 1.0
        video = render_session(astronaut_face(), plan, HERE / f"{stem}.mp4")
        print(f"wrote {video.relative_to(HERE.parent)} and its events.csv")


if __name__ == "__main__":
    main()
