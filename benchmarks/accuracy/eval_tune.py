"""``hfs-detect tune`` on synthetic populations with a known answer.

    python benchmarks/accuracy/eval_tune.py --out /tmp/tune --population faint
    python benchmarks/accuracy/eval_tune.py --out /tmp/tune --population default

A *population* is 4 sessions on each of 10 real faces (../shared/data, read at run
time): 3 spasm sessions (patterns rotated over ``PATTERNS``) and 1 distractor
session (``DISTRACTORS``), drawn as ``eval_synthetic.py`` draws them (moving faces
warped frame by frame, real lids pasted for strong closures).

- ``default``: the spasms as the synthetic sets plan them;
- ``faint``: every spasm's amplitude times ``--amplitude-scale`` (0.5), a population
  unlike the one the defaults were chosen on (a clinic whose patients' spasms are
  milder, or whose camera is farther away);
- ``noisy``: the default spasms through a noisier camera (pixel noise sd
  ``--noise-sd``, 8 instead of 2).

Every session is analysed with the default settings, then ``tune`` runs on the
analyses, grouped by face (each face one subject), and prints its per-fold and
pooled out-of-fold figures; the script prints the time ``tune`` took (the figure
the docs quote: ``tune`` on 20 analysed sessions, ``--sessions 20``).

Faces come from both of the project's synthetic sets (dev and test people): these
sessions are new ones (other seeds) and nothing here changes a default.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import DATA
from common.faces import FACES

PEOPLE = ("talkingface", "d9", "wolfgang", "headgan", "d13", "webcam", "cap12", "retalking",
          "d6", "d20")  # fmt: skip
"""Ten people: moving and still faces, dev and test people alike."""
PATTERNS = ("mixed", "lower_lid", "spread", "clonic_train", "lower_face")
DISTRACTORS = ("expressions", "uneven_blinks", "squint")
SEED_BASE = {"default": 20000, "faint": 21000, "noisy": 22000}


def sessions_of(population: str, n_people: int) -> list[dict]:
    """The population's sessions: name, face, pattern, side, seed."""
    out = []
    for f, face in enumerate(PEOPLE[:n_people]):
        for j in range(4):
            if j < 3:
                pattern = PATTERNS[(3 * f + j) % len(PATTERNS)]
            else:
                pattern = DISTRACTORS[f % len(DISTRACTORS)]
            side = "left" if (f + j) % 2 == 0 else "right"
            out.append(dict(name=f"{face}_{pattern}_{side}", face=face, pattern=pattern,
                            side=side, seed=SEED_BASE[population] + 41 * f + j))  # fmt: skip
    return out


def _face(face: str):
    from hfs_detect.synth.render import (
        StillFace,
        astronaut_face,
        face_points,
        prepare_video_face,
        still_from_video,
    )

    video, mode, index = FACES["dev"].get(face) or FACES["test"][face]
    if video is None:
        image = astronaut_face()
        return StillFace(image, face_points(image)), mode
    prepared = prepare_video_face(DATA / video, min_face_share=0.5 if mode == "moving" else 0)
    return (prepared if mode == "moving" else still_from_video(prepared, index)), mode


def render(args) -> None:
    """Render one face's sessions of the population (those not there yet)."""
    face, items, truth_dir, population, scale, noise_sd = args
    from hfs_detect.synth.patterns import SPASM_PATTERNS, plan_pattern, session_length_s
    from hfs_detect.synth.render import render_session

    todo = [s for s in items if not (truth_dir / f"{s['name']}.mp4").exists()]
    if not todo:
        return
    source, mode = _face(face)
    for s in todo:
        face_source = source
        if mode == "moving" and s["pattern"] in SPASM_PATTERNS:
            face_source = source.quiet_part()  # spasms where the person is at rest
        duration = session_length_s(s["pattern"])
        quiet = face_source.quiet_times(duration) if mode == "moving" else None
        free = face_source.blink_free_times(duration) if mode == "moving" else None
        plan = plan_pattern(s["pattern"], side=s["side"], duration_s=duration, fps=source.fps,
                            seed=s["seed"], quiet=quiet, onset_free=free)  # fmt: skip
        if population == "faint":
            plan.spasms = [
                dataclasses.replace(
                    sp, amplitude=sp.amplitude * scale,
                    lower_face_amplitude=None if sp.lower_face_amplitude is None
                    else sp.lower_face_amplitude * scale,
                )
                for sp in plan.spasms
            ]  # fmt: skip
        if population == "noisy":
            plan.noise_sd = noise_sd
        render_session(face_source, plan, truth_dir / f"{s['name']}.mp4")
        print(f"  rendered {s['name']} ({len(plan.spasms)} spasms)", flush=True)


def analyse(args) -> None:
    video, out = args
    from hfs_detect import analyze_video

    analyze_video(video, out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("eval-tune"))
    parser.add_argument("--population", choices=tuple(SEED_BASE), default="faint")
    parser.add_argument("--people", type=int, default=10, help="faces (at most 10)")
    parser.add_argument("--sessions", type=int, default=None,
                        help="tune on the first N sessions only (speed figure: 20)")  # fmt: skip
    parser.add_argument("--faces", default=None,
                        help="tune on these people's sessions only (names, a,b,c)")  # fmt: skip
    parser.add_argument("--amplitude-scale", type=float, default=0.5)
    parser.add_argument("--noise-sd", type=float, default=8.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from hfs_detect.review.tune import load_sessions, tune, tune_lines

    root = args.out / args.population
    truth_dir, pred_dir = root / "truth", root / "pred"
    truth_dir.mkdir(parents=True, exist_ok=True)
    sessions = sessions_of(args.population, min(args.people, len(PEOPLE)))
    faces = sorted({s["face"] for s in sessions}, key=PEOPLE.index)
    jobs = [(face, [s for s in sessions if s["face"] == face], truth_dir, args.population,
             args.amplitude_scale, args.noise_sd) for face in faces]  # fmt: skip
    with ProcessPoolExecutor(args.workers) as pool:
        list(pool.map(render, jobs))
    todo = [(truth_dir / f"{s['name']}.mp4", pred_dir / s["name"]) for s in sessions
            if not (pred_dir / s["name"] / "summary.json").exists()]  # fmt: skip
    with ProcessPoolExecutor(args.workers) as pool:
        list(pool.map(analyse, todo))
    chosen = root / "chosen"  # the sessions tuned on: links to the analyses
    chosen.mkdir(exist_ok=True)
    for old in chosen.iterdir():
        old.unlink()
    picked = sessions[: args.sessions]
    if args.faces:
        wanted = args.faces.split(",")
        unknown = sorted(set(wanted) - set(PEOPLE))
        if unknown:
            raise SystemExit(f"--faces: unknown {', '.join(unknown)} (known: {', '.join(PEOPLE)})")
        picked = [s for s in picked if s["face"] in wanted]
    for s in picked:
        (chosen / s["name"]).symlink_to((pred_dir / s["name"]).resolve())
    loaded, notes = load_sessions(chosen, truth_dir, "prefix")
    for note in notes:
        print(f"note: {note}")
    started = time.perf_counter()
    result = tune(loaded, workers=args.workers, progress=False)
    took = time.perf_counter() - started
    print(f"\n=== population {args.population}"
          + (f" (spasm amplitude x{args.amplitude_scale:g})" if args.population == "faint" else "")
          + (f" (camera noise sd {args.noise_sd:g})" if args.population == "noisy" else "")
          + " ===")  # fmt: skip
    print("\n".join(tune_lines(result)))
    print(f"\n{'write the tuned settings' if result['write'] else 'keep the defaults'}: "
          f"{result['reason']}")  # fmt: skip
    print(f"tune took {took:.1f} s on {len(loaded)} analysed sessions "
          f"({sum(len(s.frames) for s in loaded)} frames, {args.workers} workers)")  # fmt: skip
    result["seconds"] = round(took, 2)
    (root / "tune.json").write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
