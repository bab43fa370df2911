"""The ``hfs-detect`` command line: thin wrappers over the library.

Every error caused by the input is one line on stderr and a non-zero exit
status (1 for bad input, 2 for a bad command line); ``--debug`` shows the
traceback of an unexpected failure.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import textwrap
import threading
from contextlib import contextmanager
from pathlib import Path

from . import __version__
from ._checks import HFSDetectError, check_number, native_library_defaults
from .session.settings import DEFAULT_ENGINE, ENGINES, DetectorParams

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_BROKEN_PIPE = 141  # as a shell reports a process ended by SIGPIPE


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line, not usage + error."""

    def error(self, message: str) -> None:  # noqa: D102
        raise _UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _frame_size(text: str) -> dict[str, int]:
    match = re.fullmatch(r"(\d{2,5})[xX](\d{2,5})", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r}: expected WxH, e.g. 1280x720")
    return {"width": int(match.group(1)), "height": int(match.group(2))}


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _add_model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--settings",
        type=Path,
        metavar="FILE",
        help="how to analyse, from a TOML settings file ('hfs-detect settings' prints one "
        "to edit); a flag given below wins over the file",
    )
    p.add_argument(
        "--engine",
        choices=ENGINES,
        help=f"landmark engine (default here: {DEFAULT_ENGINE}): 'litert' runs the Face "
        "Landmarker's three networks directly with LiteRT (the default wherever "
        "ai-edge-litert installs: Linux, macOS); 'mediapipe' runs MediaPipe's own graph, "
        "the reference, slower; their landmarks agree closely (see the README)",
    )
    p.add_argument(
        "--model",
        type=Path,
        metavar="PATH",
        help="face landmark model (default: the shipped models/face_landmarker.task, "
        "or $HFS_DETECT_MODEL)",
    )
    p.add_argument(
        "--max-faces",
        type=int,
        metavar="N",
        help="faces considered when choosing whom to follow (default 4): the largest, "
        "most central face at the start, then the face nearest the patient's last "
        "position; 1 takes whichever face the engine tracks",
    )
    p.add_argument(
        "--min-confidence",
        type=float,
        metavar="P",
        help="face detection and tracking confidence, 0-1 (default 0.5)",
    )


def _add_detector_options(p: argparse.ArgumentParser) -> None:
    default = DetectorParams().threshold_z
    p.add_argument(
        "--threshold-z",
        type=float,
        metavar="Z",
        help="one-sided eye departure, in robust z units against the patient's own rest "
        f"baseline, that starts a burst on its own (default {default:g}; higher = fewer, "
        "surer; a fainter eye counts with the same side's cheek or mouth corner)",
    )


def _settings(args: argparse.Namespace):
    """The one settings object of a command: ``--settings FILE``, then the flags given."""
    from .session import Settings, parse_intervals
    from .session.protocol import parse_steps

    if getattr(args, "camera", None) is not None:
        check_number("--camera", args.camera, minimum=0, integer=True)
    changes: dict = {}
    if args.engine is not None:
        changes["engine"] = args.engine
    if args.model is not None:
        changes["model_path"] = str(args.model)
    if args.max_faces is not None:
        changes["max_faces"] = check_number(
            "--max-faces", args.max_faces, minimum=1, maximum=8, integer=True
        )
    if args.min_confidence is not None:
        changes["min_confidence"] = check_number(
            "--min-confidence", args.min_confidence, minimum=0.0, maximum=1.0
        )
    if getattr(args, "threshold_z", None) is not None:
        check_number("--threshold-z", args.threshold_z, above=0.0)
        changes["detector"] = {"threshold_z": args.threshold_z}
    if getattr(args, "mirrored", None):
        changes["mirrored"] = True
    if getattr(args, "rest", None) is not None:
        changes["rest_intervals_s"] = parse_intervals(args.rest)
    if getattr(args, "steps", None) is not None:
        changes["steps"] = "auto" if args.steps.strip() == "auto" else parse_steps(args.steps)
    base = Settings.read(args.settings) if args.settings is not None else Settings()
    return base.replace(**changes)


def _add_analyze(sub) -> None:
    p = sub.add_parser(
        "analyze",
        help="analyse one recorded video",
        formatter_class=_formatter,
        description=textwrap.dedent(
            """\
            Analyse one recorded video: find the patient's face in every frame with
            MediaPipe Face Landmarker, measure the left and right eyelid, cheek,
            mouth-corner and brow positions independent of head pose, and write:

              OUT/frames.csv      one row per frame (and frames.parquet)
              OUT/events.csv      one row per burst
              OUT/summary.json    the session summary, versions, model sha256, parameters
              OUT/landmarks.npz   landmark cache: a rerun into OUT skips the model

            Sides are the patient's anatomical sides. In an ordinary (unmirrored)
            recording the patient's left is on the image's right; for a selfie-style
            mirrored recording pass --mirrored.
            """
        ),
        epilog="example:\n  hfs-detect analyze samples/synthetic_hfs_left.mp4 -o out/",
    )
    p.add_argument("video", type=Path, help="video file (any format FFmpeg reads)")
    p.add_argument(
        "-o",
        "--out",
        type=Path,
        required=True,
        metavar="OUT",
        help="output folder (created if missing)",
    )
    p.add_argument(
        "--mirrored",
        action="store_true",
        help="the recording is a mirror image (selfie-style); recorded in the outputs",
    )
    _add_model_options(p)
    p.add_argument(
        "--rest",
        metavar="INTERVALS",
        help="rest intervals given by hand (a clinic protocol), m:ss or seconds, "
        "e.g. 0:10-1:30,2:00-3:00; default: rest is judged from the video",
    )
    p.add_argument(
        "--steps",
        metavar="STEPS",
        help="provocation steps of the recording, KIND=START-END with KIND pursing, closure "
        "(forceful eye closure and release) or smile, e.g. pursing=0:30-0:40,closure=1:00-1:10;"
        " or 'auto' to find the mouth pursing from the mouth's shape. Bursts during a step and"
        " 5 s after it are reported per step (summary.json 'steps') and marked provoked in "
        "events.csv; those frames are not rest",
    )
    _add_detector_options(p)
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="run the model even if OUT/landmarks.npz matches (the new landmarks are still "
        "written there: the report and the annotated video read them)",
    )
    p.add_argument("--no-parquet", action="store_true", help="write frames.csv only")
    p.add_argument(
        "--report", action="store_true", help="also write OUT/report.html (see 'report --help')"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")


def _add_synth(sub) -> None:
    from .synth.patterns import DISTRACTOR_PATTERNS, SPASM_PATTERNS

    patterns = "\n".join(
        f"  {name:<20} {text}" for name, text in {**SPASM_PATTERNS, **DISTRACTOR_PATTERNS}.items()
    )
    p = sub.add_parser(
        "synth",
        help="make a synthetic spasm video with its true events",
        formatter_class=_formatter,
        description=textwrap.dedent(
            """\
            Make a synthetic session on a real face: one side's eyelids close, its cheek
            rises and its mouth corner is pulled towards the eye, in clonic twitch trains
            and tonic holds, among distractors that must not be flagged. Writes VIDEO,
            VIDEO's stem + .events.csv (the truth, in the events.csv format) and
            .plan.json (everything that happens, distractors included). The same seed
            gives the same session.

            The face is a still picture (--face, default the astronaut) or a real video
            (--source-video), played forward and backward and warped frame by frame so
            the spasms meet the person's own micro-motion and blinks. Strong closures
            paste the person's own closed eye from one of their real blinks (a warp
            alone narrows an eye only about a quarter, as MediaPipe measures it).

            --pattern makes a session of one named pattern (spasms on --side) or
            distractor (no spasm); without it, a mixed session (--spasms, --blinks,
            --smiles).
            """
        )
        + "\npatterns:\n"
        + patterns,
        epilog="examples:\n  hfs-detect synth out/left.mp4 --side left --seed 3\n"
        "  hfs-detect synth out/d3like.mp4 --pattern full_closure_other --side right \\\n"
        "      --source-video my_rest_clip.mp4",
    )
    p.add_argument("video", type=Path, help="the .mp4 to write")
    p.add_argument(
        "--face",
        default="astronaut",
        metavar="IMAGE",
        help="a picture with one frontal face (default: scikit-image's astronaut)",
    )
    p.add_argument(
        "--source-video",
        type=Path,
        metavar="VIDEO",
        help="draw on this real video of one face instead of a still picture",
    )
    p.add_argument(
        "--pattern",
        choices=[*SPASM_PATTERNS, *DISTRACTOR_PATTERNS],
        metavar="NAME",
        help="one named spasm pattern or distractor (listed above)",
    )
    p.add_argument(
        "--side",
        default="left",
        choices=["left", "right", "none"],
        help="patient's side of the spasms (or of a one-sided distractor: squint, droop, "
        "raised brow, narrower eye), or none (default left)",
    )
    p.add_argument(
        "--duration-s",
        type=float,
        help="length, at least 6 s (default 30 s; 45 s for tonic_hold, 60 s for long_hold)",
    )
    p.add_argument("--spasms", type=int, default=4, help="bursts to place (default 4)")
    p.add_argument("--blinks", type=int, default=6, help="bilateral blinks (default 6)")
    p.add_argument("--smiles", type=int, default=0, help="bilateral smiles (default 0)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument(
        "--no-real-lids", action="store_true", help="warp the lids only, paste no closed eye"
    )
    p.add_argument(
        "--grade", choices=["I", "II", "III", "IV"],
        help="a session (60 s unless --duration-s) made for this SMC grade (video proxy) with "
        "known grading answers "
        "in its .plan.json: I eye only, II spread to cheek and mouth, III the eye held shut "
        "(needs real closed lids: --source-video), IV a lasting narrowing (--tonic-level)",
    )  # fmt: skip
    p.add_argument(
        "--tonic-level", type=float, metavar="X",
        help="with --grade: the session's tonic component, (other - affected) / other eye "
        "aperture as MediaPipe measures it, drawn as a lasting narrowing (default 0.35 for "
        "IV; else none drawn: the face's own)",
    )  # fmt: skip
    p.add_argument(
        "--clonic-rate", type=float, metavar="PER_MIN",
        help="with --grade: twitches of the clonic bursts per minute (default 16)",
    )  # fmt: skip
    p.add_argument(
        "--provoked", action="store_true",
        help="a 45 s session with smile, forceful-closure and pursing provocation steps and a "
        "spasm just after each; prints the --steps to give analyze",
    )  # fmt: skip


def _add_evaluate(sub) -> None:
    p = sub.add_parser(
        "evaluate",
        help="score detected bursts against true ones",
        formatter_class=_formatter,
        description=textwrap.dedent(
            """\
            Score predicted bursts against the truth: precision, recall, F1 (a match is
            the same side and overlapping, within --tolerance-s), onset and offset
            error, side accuracy, false bursts per rest-minute.

            PRED: an events.csv, an analyze output folder, or a folder of them.
            TRUTH: an events.csv, a reviewed .eaf (ELAN) or .boris (BORIS) file, or a
            folder of <name>.events.csv matching PRED's folders.

            Blinks: with TRUTH an eye-blink annotation (.tag, format v1.1, per eye: the
            Talking Face, Eyeblink8 and Researcher's Night sets use it) and PRED an
            analyze output folder, its blinks.csv is scored instead: precision and
            recall (a match is an onset within --tolerance-s), the median onset error,
            and per eye the share of the frames marked closed that lie in a found
            blink. The .tag's frame numbers are the video's frames; give --tag-fps for
            one annotated on a copy with another frame rate. A reviewed .eaf or .boris
            file with a 'blink' tier (or behaviour), one annotation per blink, has its
            blinks scored the same way, beside its bursts.

            Where the truth knows the grading (a session made by 'synth --grade', with
            its .plan.json) the grading proxies are scored too: SMC grade and Jankovic
            band exact, frequency within 10%, tonic component within 0.05, clonic rate
            within 35%.

            Noise floor of the tonic component: faces without spasm have one too (their
            static asymmetry and MediaPipe's coupling of the eyes). Below 0.15 (three
            times the spread of resting faces' static eye asymmetry) it is within that
            noise; the real videos without spasm measure at most 0.086.
            """
        ),
        epilog="example:\n  hfs-detect evaluate out/ samples/synthetic_hfs_left.events.csv",
    )
    p.add_argument("predicted", type=Path, metavar="PRED", help="what hfs-detect found")
    p.add_argument("truth", type=Path, metavar="TRUTH", help="the true bursts (or blinks: .tag)")
    p.add_argument(
        "--tag-fps",
        type=float,
        default=None,
        metavar="FPS",
        help="a .tag annotated on a copy of the video at this frame rate: its frame N is at "
        "N / FPS seconds (default: the analysed video's own frame times)",
    )
    p.add_argument(
        "--tolerance-s",
        type=float,
        default=0.3,
        help="slack at either end of a burst when matching; for blinks, the largest onset "
        "difference of a match (default 0.3 s)",
    )
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the scores as JSON")
    p.add_argument(
        "--by",
        choices=("session", "subject"),
        default="session",
        help="'subject': per subject and pooled over subjects, with 95%% bootstrap "
        "intervals over subjects (PRED and TRUTH folders; see --group-by)",
    )
    _add_group_by(p)
    p.add_argument(
        "--settings",
        type=Path,
        metavar="FILE",
        help="with --by subject: re-detect the bursts of PRED's saved analyses with this "
        "settings file's thresholds first (no model run), to score a tuned file on new "
        "videos",
    )


def _add_group_by(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--group-by",
        default=None,
        metavar="video|prefix|FILE.csv",
        help="whose session each is: 'video' (default: every video its own subject), "
        "'prefix' (the folder name up to its first _ or -: P07_visit2 is P07), or a CSV "
        "file with columns video,subject (video: the folder's name, or the video's file "
        "name or stem)",
    )


def _add_tune(sub) -> None:
    from .review.tune import MIN_BURSTS, MIN_SUBJECTS, SEARCH

    searched = "\n".join(
        f"              {stage}.{name}: {', '.join(f'{v:g}' for v in values)}"
        for stage, name, values in SEARCH
    )
    p = sub.add_parser(
        "tune",
        help="fit the detector's thresholds to your own annotated videos (cross-validated)",
        formatter_class=_formatter,
        description=textwrap.dedent(
            """\
            Fit the detector to a clinic's own annotated videos, and measure honestly
            whether the fit holds on patients it has not seen.

            ANALYSES: a folder of analyze (or batch) output folders of the videos.
            TRUTHS: a folder of their annotations, paired by name: <name>.eaf (ELAN),
            <name>.boris (BORIS) or <name>.events.csv, <name> being the analysis
            folder's name or its video's stem. Sessions without one are left out.

            The bursts are re-detected from the saved frames tables (no model run)
            with other values of the settings that decide what is found:
            """
        )
        + searched
        + textwrap.dedent(
            f"""

            Subjects are split into folds (--folds; a subject's videos always stay
            together, see --group-by). For each fold the values are chosen on the
            other folds' subjects (a coordinate search for the best event F1) and
            scored on the fold's own, never seen in the choice. Pooled over folds,
            these out-of-fold scores are set against the defaults' on the same
            sessions, with 95% intervals from a bootstrap over subjects.

            The settings file (-o) is written only when the gain's interval excludes
            0; otherwise tune says to keep the defaults, and why. The file holds the
            values chosen on all sessions, with how they were made in its comments;
            give it to analyze, live or batch with --settings FILE.

            It refuses with fewer than {MIN_SUBJECTS} subjects (each fold must choose on
            4 or more other people) or {MIN_BURSTS} annotated bursts (one burst more or
            less would move the F1 by 0.025 or more).
            """
        ),
        epilog=(
            "example:\n  hfs-detect batch videos/ -o analyses/\n"
            "  hfs-detect tune analyses/ annotations/ -o clinic.toml --group-by subjects.csv\n"
            "  hfs-detect analyze new_visit.mp4 -o out/ --settings clinic.toml"
        ),
    )
    p.add_argument("analyses", type=Path, metavar="ANALYSES", help="folder of analysis folders")
    p.add_argument("truths", type=Path, metavar="TRUTHS", help="folder of annotations")
    p.add_argument(
        "-o", "--out", type=Path, required=True, metavar="FILE",
        help="the tuned settings file to write (only when tuning gains out of fold)",
    )  # fmt: skip
    _add_group_by(p)
    p.add_argument(
        "--settings",
        type=Path,
        metavar="FILE",
        help="start from (and compare against) this settings file instead of the defaults",
    )
    p.add_argument("--folds", type=int, default=5, metavar="K",
                   help="folds of subjects (default 5; one subject each when fewer)")  # fmt: skip
    p.add_argument(
        "--tolerance-s", type=float, default=0.3,
        help="slack at either end of a burst when matching, as evaluate (default 0.3 s)",
    )  # fmt: skip
    p.add_argument(
        "--workers", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
        help="processes re-detecting side by side (default: 2, or the cores if fewer)",
    )  # fmt: skip
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the folds and the bootstrap (default 0)")  # fmt: skip
    p.add_argument("--json", type=Path, metavar="FILE", help="also write every figure as JSON")


def _add_live(sub) -> None:
    p = sub.add_parser(
        "live",
        help="live screening session from a webcam (or a file played as one)",
        formatter_class=_formatter,
        description=textwrap.dedent(
            """\
            A live screening session: a window shows the camera (mirrored for comfort;
            the analysis uses the camera's own image, so sides stay anatomical), the
            eye, cheek and mouth landmarks, rolling left/right traces, the rest state
            and the protocol step with its instruction and timer. A burst is flagged
            in red on the patient's side, naming the regions, as it happens.

            With a camera the default guided protocol runs (about 2.5 min: calibration
            at rest, rest with eyes closed, rest, talking, then three provocations, lip
            pursing, smile and forceful eye closure, whose one-sided bursts (during each and
            5 s after) are reported per step, then rest); 'hfs-detect live
            --print-protocol > mine.toml' gives a file to edit and pass back with
            --protocol mine.toml.

            keys:  SPACE start / pause    m  mark a moment    q  stop and save

            At the end the session is saved to OUT with the same files as analyze
            (plus the protocol step of each frame and per-step rates), and the summary
            is shown on screen and printed. The video itself is saved only with
            --record-video. If the analysis falls behind, frames are dropped, never
            queued; summary.json reports dropped frames and the latency.
            """
        ),
        epilog=textwrap.dedent(
            """\
            examples:
              hfs-detect live --camera 0 -o visit1/
              hfs-detect live --source samples/synthetic_hfs_left.mp4 --realtime
              hfs-detect live --source clinic.mp4 --no-display -o out/"""
        ),
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--camera", type=int, metavar="N", help="camera index (default 0)")
    where.add_argument(
        "--source", type=Path, metavar="FILE", help="play a video file as if it were a camera"
    )
    p.add_argument(
        "--realtime",
        action="store_true",
        help="with --source: play at the file's own pace, dropping frames the analysis "
        "cannot keep up with (default: analyse every frame as fast as possible)",
    )
    p.add_argument(
        "-o",
        "--out",
        type=Path,
        metavar="OUT",
        help="folder to save the session in (default: live-YYYYMMDD-HHMMSS)",
    )
    p.add_argument(
        "--protocol",
        metavar="FILE",
        help="'default', 'none' (one open-ended rest step) or a protocol .toml file "
        "(default: 'default' with a camera, 'none' with --source)",
    )
    p.add_argument(
        "--print-protocol",
        action="store_true",
        help="print the default protocol (TOML) and exit: a start for your own",
    )
    p.add_argument(
        "--camera-size",
        metavar="WxH",
        type=_frame_size,
        help="ask the camera for this frame size, e.g. 1280x720 (default: the camera's own)",
    )
    p.add_argument("--no-display", action="store_true", help="no window (headless run)")
    p.add_argument(
        "--record-video",
        action="store_true",
        help="also save the camera frames as OUT/video.mp4 (off by default: privacy)",
    )
    _add_model_options(p)
    _add_detector_options(p)


def _add_batch(sub) -> None:
    p = sub.add_parser(
        "batch",
        help="analyse a whole archive of videos (processes or a Dask cluster)",
        formatter_class=_formatter,
        description=textwrap.dedent(
            """\
            Analyse every video of a folder (searched recursively) or glob pattern into
            OUT/<name>/ (the analyze outputs and report.html), in parallel, and write

              OUT/cohort.csv     one row per analysed video: verdict, side, rates, rest, coverage
              OUT/failures.csv   video, reason: files that could not be analysed
              OUT/batch.json     how the batch ran (inputs, options, timings)

            Resumable: a video whose folder already holds a summary made from the same
            video, model and options is kept, so after an interruption just run the same
            command again. Rerunning with other detector options reuses each folder's
            landmark cache: seconds per video. One bad file never stops the batch; the
            exit status is 1 if any video failed.
            """
        ),
        epilog=textwrap.dedent(
            """\
            examples:
              hfs-detect batch clinic_videos/ -o results/ --workers 2
              hfs-detect batch 'archive/**/*.mp4' -o results/ --threshold-z 5
              hfs-detect batch archive/ -o results/ --scheduler tcp://10.0.0.5:8786"""
        ),
    )
    p.add_argument("inputs", nargs="+", metavar="DIR_OR_GLOB", help="folders, globs or files")
    p.add_argument("-o", "--out", type=Path, required=True, metavar="OUT", help="output folder")
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="parallel processes (default 1; MediaPipe uses about one core per process; "
        "the longest videos are handed out first)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask distributed cluster (tcp://host:8786); its workers need "
        "hfs-detect installed and the same paths",
    )
    p.add_argument("--mirrored", action="store_true", help="the recordings are mirror images")
    p.add_argument("--no-report", action="store_true", help="do not write report.html")
    p.add_argument("--no-progress", action="store_true", help="no progress bars (for logs)")
    _add_model_options(p)
    _add_detector_options(p)


def _add_settings(sub) -> None:
    p = sub.add_parser(
        "settings",
        help="print the analysis settings as a TOML file to edit and pass back",
        formatter_class=_formatter,
        description=textwrap.dedent(
            """\
            Print the settings an analysis would use, as a TOML settings file: the
            landmark engine and model, how faces are found, and every stage's
            thresholds ([rest], [detector], [blinks], [verdict], [grading]). With no
            option, the defaults; with --settings FILE and flags, the file with the flags
            applied.
            Give the file back to analyze, live or batch with --settings FILE: a clinic
            keeps its settings in one file, and every output records them
            (summary.json 'parameters').
            """
        ),
        epilog=(
            "examples:\n  hfs-detect settings > clinic.toml\n"
            "  hfs-detect settings --threshold-z 5 --engine mediapipe -o clinic.toml\n"
            "  hfs-detect analyze visit.mp4 -o out/ --settings clinic.toml"
        ),
    )
    p.add_argument("-o", "--out", type=Path, metavar="FILE", help="write to FILE, not stdout")
    p.add_argument("--mirrored", action="store_true", help="the recordings are mirror images")
    _add_model_options(p)
    _add_detector_options(p)


def _add_report(sub) -> None:
    p = sub.add_parser(
        "report",
        help="write report.html (and optionally an annotated video) for an analysis folder",
        formatter_class=_formatter,
        description=textwrap.dedent(
            """\
            Write OUT/report.html: one self-contained file (no script, nothing loaded from
            elsewhere) with the verdict, left/right traces per region with rest shaded and
            bursts marked, a burst raster, the rate per minute, the events table and the
            methods. Pictures of the face are put in only with --with-frames.
            """
        ),
        epilog="example:\n  hfs-detect report out/ --annotated-video",
    )
    p.add_argument("folder", type=Path, help="a folder written by analyze, live or batch")
    p.add_argument("--video", type=Path, help="the video (default: as named in summary.json)")
    p.add_argument(
        "--with-frames", action="store_true", help="add a picture of the face at each burst"
    )
    p.add_argument(
        "--annotated-video",
        action="store_true",
        help="also write OUT/annotated.mp4: the video with landmarks, traces and flags drawn",
    )


def _add_export(sub) -> None:
    p = sub.add_parser(
        "export",
        help="bursts and rest to ELAN (.eaf) or BORIS (.boris) for clinician review",
        formatter_class=_formatter,
        description=textwrap.dedent(
            """\
            Export an analysis folder's bursts (tiers burst_left, burst_right) and rest
            segments (tier rest) for review, linked to the video: ELAN (.eaf) or a BORIS
            project (.boris), chosen by FILE's suffix. After correcting them in ELAN or
            BORIS, score the detector against the corrected file:

              hfs-detect evaluate OUT/ reviewed.eaf
            """
        ),
        epilog="example:\n  hfs-detect export out/ out/review.eaf",
    )
    p.add_argument("folder", type=Path, help="a folder written by analyze, live or batch")
    p.add_argument("file", type=Path, help="the .eaf or .boris file to write")
    p.add_argument("--video", type=Path, help="the video to link (default: from summary.json)")
    p.add_argument(
        "--blank",
        action="store_true",
        help="write the burst tiers empty: a template to annotate blind to what hfs-detect "
        "found (for a truth to evaluate or tune on)",
    )


def _add_compare(sub) -> None:
    p = sub.add_parser(
        "compare",
        help="compare two sessions (e.g. before and after botulinum toxin)",
        formatter_class=_formatter,
        description=textwrap.dedent(
            """\
            Compare session A (before) with session B (after): bursts per rest-minute
            overall and per side, fraction of rest in spasm, bursts involving each region,
            median burst duration, and every grading proxy (Jankovic frequency, SMC grade,
            tonic component, clonic rate); with the absolute and relative change.

            Both visits are graded on one affected side: that of --baseline (the
            pre-treatment visit) when given, else that of the first session, so a
            follow-up with few bursts on the other side is still graded on the treated side.
            """
        ),
        epilog=(
            "examples:\n  hfs-detect compare visit1/ visit2/ --plot change.png\n"
            "  hfs-detect compare visit2/ visit3/ --baseline visit1/   # visit1: before treatment"
        ),
    )
    p.add_argument("before", type=Path, help="analysis folder of the first session")
    p.add_argument("after", type=Path, help="analysis folder of the second session")
    p.add_argument("--plot", type=Path, metavar="FILE", help="write a plot (.png or .svg)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    p.add_argument(
        "--baseline", type=Path, metavar="DIR",
        help="analysis folder of the pre-treatment visit: grade both on its affected side",
    )  # fmt: skip


def _build_parser() -> _Parser:
    parser = _Parser(
        prog="hfs-detect",
        formatter_class=_formatter,
        description=(
            "Hemifacial spasm screening from video: per-side facial signals from\n"
            "MediaPipe face landmarks. A screening and research aid, not a diagnosis."
        ),
    )
    parser.add_argument("--version", action="version", version=f"hfs-detect {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    _add_analyze(sub)
    _add_live(sub)
    _add_batch(sub)
    _add_report(sub)
    _add_export(sub)
    _add_compare(sub)
    _add_synth(sub)
    _add_evaluate(sub)
    _add_tune(sub)
    _add_settings(sub)
    sub.add_parser(
        "info",
        help="versions, model path and sha256, FFmpeg support",
        formatter_class=_formatter,
        description="Print versions, the model in use and whether FFmpeg decoding works.",
    )
    return parser


def _run_analyze(args: argparse.Namespace) -> int:
    from .session import analyze_video
    from .session.statistics import blink_line

    analysis = analyze_video(
        args.video,
        args.out,
        _settings(args),
        use_cache=not args.no_cache,
        parquet=not args.no_parquet,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    summary = analysis.summary
    recording, stats = summary.recording, summary.statistics
    _print_warnings(summary.warnings)
    cached = " (landmarks from cache)" if summary.provenance.landmarks_from_cache else ""
    print(
        f"{args.video.name}: {recording.n_frames} frames, {recording.duration_s:.1f} s, "
        f"face in {100 * recording.face_fraction:.1f}% of frames{cached}"
    )
    side = f", mostly {stats.dominant_side}" if stats.dominant_side else ""
    print(
        f"{stats.rest_s:.1f} s at rest, {_count(stats.n_events, 'burst')}{side}; "
        f"verdict: {stats.verdict} (screening aid, not a diagnosis)"
    )
    print(f"  {stats.verdict_text}")
    blinks = blink_line(stats.blinks)
    if blinks is not None:
        print(f"  {blinks}")
    for step in summary.steps or []:
        if step.provocation:
            print(
                f"  {step.step} ({step.provocation} from {step.start_s:.1f} s, "
                f"{step.duration_s:.1f} s and the {step.after_s:g} s after): "
                f"{_count(step.n_events, 'provoked burst')} "
                f"(left {step.events_left}, right {step.events_right})"
            )
    written = ["frames.csv", "events.csv", "blinks.csv", "summary.json"]
    written += [] if args.no_parquet else ["frames.parquet"]
    written += ["landmarks.npz (landmark cache)"]
    if args.report:
        from .report import write_report

        write_report(args.out)
        written.append("report.html")
    print(f"outputs in {args.out}/: {', '.join(written)}")
    return EXIT_OK


def _print_warnings(warnings: list[str]) -> None:
    """What to know about the input that is not an error, one line each on stderr."""
    for warning in warnings:
        print(f"hfs-detect: warning: {warning}", file=sys.stderr)


def _count(n: int, noun: str) -> str:
    """``1 burst``, ``2 bursts``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _run_live(args: argparse.Namespace) -> int:
    import time

    from .live.screening import run_live, summary_lines
    from .session import open_camera, open_video
    from .session.protocol import default_protocol_text, load_protocol

    if args.print_protocol:
        print(default_protocol_text(), end="")
        return EXIT_OK
    settings = _settings(args)
    size = args.camera_size or {}
    if args.realtime and args.source is None:
        raise _UsageError(
            "hfs-detect live: --realtime needs --source (a camera is always real time)"
        )
    display = not args.no_display
    if display and not _has_display():
        raise HFSDetectError("no display found (DISPLAY is not set): use --no-display")
    protocol = load_protocol(args.protocol or ("none" if args.source else "default"))
    out = args.out or Path(time.strftime("live-%Y%m%d-%H%M%S"))
    source = open_video(args.source) if args.source else open_camera(args.camera or 0, **size)

    def announce(event) -> None:
        print(
            f"  burst {event.side} at {event.start_s:.1f} s ({event.kind}, "
            f"{'+'.join(event.regions)})",
            flush=True,
        )

    with source:
        name = args.source.name if args.source else f"camera {args.camera or 0}"
        print(f"live session from {name}, protocol '{protocol.name}'", flush=True)
        result = run_live(
            source,
            out,
            settings,
            protocol=protocol,
            display=display,
            realtime=args.realtime,
            record_video=args.record_video,
            on_event=announce,
        )
    summary = result.analysis.summary
    _print_warnings(summary.warnings)
    for line in summary_lines(summary):
        print(line)
    if summary.statistics.verdict_text:  # why, as analyze says it
        print(f"  {summary.statistics.verdict_text}")
    print(f"session saved in {result.out_dir}/ ({result.ended_by})")
    if result.camera_lost:
        print(
            "hfs-detect: error: the camera stopped sending frames; the session up to that "
            f"point is saved in {result.out_dir}/",
            file=sys.stderr,
        )
        return EXIT_INPUT
    return EXIT_OK


def _run_batch(args: argparse.Namespace) -> int:
    from ._checks import check_number
    from .batch import run_batch

    settings = _settings(args)
    check_number("--workers", args.workers, minimum=1, maximum=64, integer=True)

    def report(result: dict) -> None:
        if result["status"] == "failed":
            print(f"failed: {result['video']}: {result['reason']}", file=sys.stderr, flush=True)

    result = run_batch(
        args.inputs,
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        settings=settings,
        report=not args.no_report,
        progress=not args.no_progress and sys.stderr.isatty(),
        on_result=report,
    )
    n_ok = len(result.cohort)
    print(
        f"{n_ok} video(s) analysed ({result.n_done} now, {result.n_kept} kept from before), "
        f"{len(result.failures)} failed, in {result.seconds:.1f} s"
    )
    if n_ok:
        verdicts = result.cohort.verdict.value_counts().to_dict()
        print("verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(verdicts.items())))
    print(f"tables in {args.out}/: cohort.csv, failures.csv")
    if result.other_folders:
        others = result.other_folders
        shown = ", ".join(others[:5]) + (", ..." if len(others) > 5 else "")
        print(
            f"note: {len(others)} analysis folder(s) in {args.out} from earlier "
            f"runs over other videos are not in this cohort.csv: {shown}",
            file=sys.stderr,
        )
    return EXIT_INPUT if len(result.failures) else EXIT_OK


def _run_report(args: argparse.Namespace) -> int:
    from .live.replay import write_annotated_video
    from .report import write_report

    path = write_report(args.folder, video=args.video, with_frames=args.with_frames)
    print(f"wrote {path}")
    if args.annotated_video:
        print(f"wrote {write_annotated_video(args.folder, video=args.video)}")
    return EXIT_OK


def _run_export(args: argparse.Namespace) -> int:
    from ._atomic import check_output_file
    from .review.annotations import export_review

    check_output_file(args.file)
    if args.blank and args.file.exists():
        raise HFSDetectError(
            f"{args.file} exists: a blank template never replaces a file that may hold a "
            "clinician's annotations (remove it, or give another name)"
        )
    path, n_bursts, n_rest, video = export_review(
        args.folder, args.file, args.video, blank=args.blank
    )
    print(f"wrote {path}: {_count(n_bursts, 'burst')}, {_count(n_rest, 'rest segment')}, "
          f"linked to {video}")  # fmt: skip
    if not video.is_file():
        where = "" if args.video else " (give the video's place with --video)"
        print(f"hfs-detect: warning: the video {video} is not there: the link will not open "
              f"until it is{where}", file=sys.stderr)  # fmt: skip
    return EXIT_OK


def _run_compare(args: argparse.Namespace) -> int:
    from ._atomic import check_output_file
    from .review.compare import compare_sessions, comparison_lines, plot_comparison, plot_format
    from .session.outputs import to_json

    if args.plot:
        plot_format(args.plot)  # refuse an unknown format before any work
    for path in (args.plot, args.json):
        if path:
            check_output_file(path)  # ...and a place that cannot take the file
    result = compare_sessions(args.before, args.after, args.baseline)
    print("\n".join(comparison_lines(result)))
    _print_warnings(result["warnings"])
    if args.plot:
        print(f"wrote {plot_comparison(result, args.plot)}")
    if args.json:
        from ._atomic import write_text_atomic

        write_text_atomic(args.json, to_json(result))
    return EXIT_OK


def _run_synth(args: argparse.Namespace) -> int:
    from .synth.make import synthesize

    if args.grade is None and (args.tonic_level is not None or args.clonic_rate is not None):
        raise HFSDetectError("--tonic-level and --clonic-rate set a graded session: add --grade")
    from ._atomic import check_output_file

    check_output_file(args.video)
    from .synth.make import MAX_DURATION_S, MAX_EVENTS

    for option in ("spasms", "blinks", "smiles"):
        check_number(f"--{option}", getattr(args, option), minimum=0, maximum=MAX_EVENTS,
                     integer=True)  # fmt: skip
    check_number("--seed", args.seed, minimum=0, integer=True)
    if args.duration_s is not None:
        check_number("--duration-s", args.duration_s, maximum=MAX_DURATION_S)
    if args.clonic_rate is not None:
        check_number("--clonic-rate", args.clonic_rate, above=0.0, maximum=300.0)
    if args.tonic_level is not None:
        check_number("--tonic-level", args.tonic_level, above=0.0, maximum=0.9)
    side = None if args.side == "none" else args.side
    face = None if args.source_video is not None or args.face == "astronaut" else args.face
    graded = {} if args.clonic_rate is None else {"clonic_rate_per_min": args.clonic_rate}
    plan = synthesize(
        args.video, pattern=args.pattern, side=side, face=face, source_video=args.source_video,
        duration_s=args.duration_s, seed=args.seed, n_spasms=args.spasms,
        n_blinks=args.blinks, n_smiles=args.smiles, real_lids=not args.no_real_lids,
        grade=args.grade, tonic_level=args.tonic_level, provoked=args.provoked, **graded,
    )  # fmt: skip
    distractors = len(plan.distractors())
    print(
        f"wrote {args.video} ({_count(len(plan.spasms), 'burst')}, "
        f"{_count(distractors, 'distractor')}) "
        f"and {args.video.with_suffix('.events.csv')}, {args.video.with_suffix('.plan.json')}"
    )
    if plan.grading:
        g = plan.grading
        print(
            f"known grading: SMC grade {g['smc_grade']}, {g['bursts_per_rest_hour']:.0f} bursts "
            f"per rest-hour, tonic component {g['tonic_median']:.3f}, "
            f"{g['clonic_twitches_per_min']:.1f} clonic twitches a minute"
        )
    if plan.provocations:
        steps = ",".join(f"{k}={a:g}-{b:g}" for k, a, b in (p.step() for p in plan.provocations))
        print(f"analyse it with its provocation steps: hfs-detect analyze {args.video} -o OUT "
              f"--steps {steps}")  # fmt: skip
    return EXIT_OK


def _run_evaluate(args: argparse.Namespace) -> int:
    from ._atomic import check_output_file
    from .review.evaluate import evaluate_paths, evaluation_lines
    from .session.outputs import to_json

    if args.json:
        check_output_file(args.json)
    if args.by == "subject":
        return _evaluate_by_subject(args)
    for given, flag in ((args.group_by, "--group-by"), (args.settings, "--settings")):
        if given is not None:
            raise HFSDetectError(f"{flag} goes with --by subject")
    from .review.annotations import NoBurstTierError, read_review_blinks
    from .review.blinks import blink_lines, evaluate_blinks

    if args.tag_fps is not None:
        check_number("--tag-fps", args.tag_fps, above=0.0)
        if args.truth.suffix.lower() != ".tag":
            raise HFSDetectError("--tag-fps is for a .tag truth file (an eye-blink annotation)")
    if args.truth.suffix.lower() == ".tag":
        result = evaluate_blinks(
            args.predicted, args.truth, tolerance_s=args.tolerance_s, fps=args.tag_fps
        )
        print("\n".join(blink_lines(result)))
    else:
        blink_truth, late = None, []  # a reviewed file's blink tier, scored against blinks.csv
        if args.truth.suffix.lower() in (".eaf", ".boris") and args.predicted.is_dir():
            blink_truth = read_review_blinks(args.truth)
            if blink_truth is not None and not (args.predicted / "blinks.csv").is_file():
                late.append(
                    f"{args.truth.name} has a blink tier, but {args.predicted} has no "
                    "blinks.csv (analysed before blinks were measured): its blinks are not "
                    "scored; rerun analyze to score them"
                )
                blink_truth = None
        try:
            result = evaluate_paths(args.predicted, args.truth, tolerance_s=args.tolerance_s)
            print("\n".join(evaluation_lines(result)))
        except NoBurstTierError:  # a file of blinks only
            if blink_truth is None:
                raise
            result = {"warnings": []}
        if blink_truth is not None:
            blinks = evaluate_blinks(
                args.predicted, args.truth, tolerance_s=args.tolerance_s, truth=blink_truth
            )
            print("\n".join(blink_lines(blinks)))
            result["blinks"] = blinks["blinks"]
            result["warnings"] += blinks["warnings"]
        result["warnings"] += late
    _print_warnings(result["warnings"])
    if args.json:
        from ._atomic import write_text_atomic

        write_text_atomic(args.json, to_json(result))
    return EXIT_OK


def _evaluate_by_subject(args: argparse.Namespace) -> int:
    from ._atomic import write_text_atomic
    from .review.tune import grouped_lines, grouped_scores, load_sessions
    from .session import Settings
    from .session.outputs import to_json

    if args.truth.suffix.lower() == ".tag" or args.tag_fps is not None:
        raise HFSDetectError("--by subject scores bursts, not blinks (.tag)")
    check_number("--tolerance-s", args.tolerance_s, minimum=0.0)
    settings = Settings.read(args.settings) if args.settings is not None else None
    sessions, notes = load_sessions(args.predicted, args.truth, args.group_by)
    result = grouped_scores(sessions, settings, tolerance_s=args.tolerance_s,
                            workers=min(2, os.cpu_count() or 1))  # fmt: skip
    if args.settings is not None:
        print(f"bursts re-detected with the thresholds of {args.settings}")
    print("\n".join(grouped_lines(result)))
    _print_warnings(notes)
    if args.json:
        result["settings_file"] = str(args.settings) if args.settings else None
        write_text_atomic(args.json, to_json(result))
    return EXIT_OK


def _run_tune(args: argparse.Namespace) -> int:
    from ._atomic import check_output_file, write_text_atomic
    from .review.tune import load_sessions, tune, tune_lines, tuned_settings, tuned_toml
    from .session import Settings
    from .session.outputs import to_json

    check_output_file(args.out)
    if args.json:
        check_output_file(args.json)
        if os.path.abspath(args.json) == os.path.abspath(args.out):
            raise HFSDetectError("--json and -o name the same file: give two names")
    for given in (args.out, args.json):
        for folder in (args.analyses, args.truths):
            if given is not None and _inside(given, folder):
                raise HFSDetectError(
                    f"{given} is inside {folder}, one of tune's inputs: write it elsewhere"
                )
    if args.out.exists():
        try:
            Settings.read(args.out)
        except HFSDetectError:
            raise HFSDetectError(
                f"{args.out} exists and is not a settings file: tune will not replace it"
            ) from None
    check_number("--folds", args.folds, minimum=2, integer=True)
    check_number("--workers", args.workers, minimum=1, integer=True)
    check_number("--tolerance-s", args.tolerance_s, minimum=0.0)
    base = Settings.read(args.settings) if args.settings is not None else Settings()
    sessions, notes = load_sessions(args.analyses, args.truths, args.group_by)
    _print_warnings(notes)
    result = tune(sessions, base, n_folds=args.folds, tolerance_s=args.tolerance_s,
                  workers=args.workers, seed=args.seed, progress=True)  # fmt: skip
    result["base"] = str(args.settings) if args.settings is not None else "the defaults"
    print("\n".join(tune_lines(result)))
    engines = sorted({s.settings.engine for s in sessions})
    settings = tuned_settings(result, base)
    if len(engines) == 1:
        settings = settings.replace(engine=engines[0])
    result.update(
        analyses=os.path.abspath(args.analyses), truths=os.path.abspath(args.truths),
        group_by=str(args.group_by or "video"), notes=notes,
        subjects={s.name: s.subject for s in sessions},
        hfs_detect_version=__version__,
    )  # fmt: skip
    if result["write"]:
        made_from = (f"{args.analyses} with {args.truths}, grouped by "
                     f"{args.group_by or 'video'}, seed {args.seed}")  # fmt: skip
        write_text_atomic(args.out, tuned_toml(result, settings, made_from))
        print(f"\n{result['reason']}.\ntuned settings written to {args.out} (settings_sha256 "
              f"{settings.key()[:12]}...): analyse with --settings {args.out}")  # fmt: skip
        result["settings_file"], result["settings_sha256"] = str(args.out), settings.key()
    else:
        keep = "keep the defaults" if args.settings is None else f"keep {args.settings}"
        left = (f" An earlier {args.out} is left as it was: it is not this run's result."
                if args.out.exists() else "")  # fmt: skip
        print(f"\n{keep}: {result['reason']}. {args.out} not written.{left}")
        result["settings_file"] = result["settings_sha256"] = None
    if args.json:
        write_text_atomic(args.json, to_json(result))
    return EXIT_OK


def _inside(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or lies under it (links resolved)."""
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _run_settings(args: argparse.Namespace) -> int:
    from ._atomic import check_output_file

    settings = _settings(args)
    if args.out is None:
        print(settings.to_toml(), end="")
        return EXIT_OK
    check_output_file(args.out)
    settings.write(args.out)
    print(f"settings written to {args.out}")
    return EXIT_OK


def _run_info(args: argparse.Namespace) -> int:
    from .provenance import info_lines

    print("\n".join(info_lines()))
    return EXIT_OK


def _os_error_line(exc: OSError) -> str:
    """One line for a file the system refused: which file, and why."""
    name = exc.filename2 if isinstance(exc, IsADirectoryError) and exc.filename2 else None
    name = name or exc.filename
    return f"cannot use {name}: {exc.strerror or type(exc).__name__}"


def _quiet_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush cannot fail too."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


@contextmanager
def _terminations_interrupt():
    """SIGTERM and SIGHUP stop a command as Ctrl-C does: the work in progress is cleaned
    up (no half-written folder, no worker left running), one line, exit status 130."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame) -> None:
        raise KeyboardInterrupt

    names = [n for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    previous = {n: signal.signal(getattr(signal, n), interrupt) for n in names}
    try:
        yield
    finally:
        for n, handler in previous.items():
            signal.signal(getattr(signal, n), handler)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    with _terminations_interrupt():
        return _main(argv)


MIN_ADDRESS_SPACE_MB = 1536
"""Address space the native libraries need (measured: ``analyze`` fails, or crashes in
OpenCV's start-up, below about 1.2 GB of ``ulimit -v``, and runs at 1.5 GB)."""


def _check_environment() -> None:
    """Settings of the environment a command cannot run with, as one line each, before any
    native library starts: an address-space limit too small for them, and thread counts
    that are not numbers."""
    try:
        import resource

        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    except (ImportError, OSError, ValueError):
        limit = -1
    if 0 <= limit < MIN_ADDRESS_SPACE_MB * 2**20:
        raise HFSDetectError(
            f"the address space is limited to {limit // 2**20} MB (ulimit -v): hfs-detect's "
            f"native libraries need at least {MIN_ADDRESS_SPACE_MB} MB; raise the limit"
        )
    text = os.environ.get("OPENCV_FOR_THREADS_NUM")
    if text is not None and not text.strip().isdigit():
        raise HFSDetectError(
            f"OPENCV_FOR_THREADS_NUM must be a whole number (OpenCV's threads), but is {text!r}"
        )
    from .session import default_threads

    default_threads()  # HFS_DETECT_THREADS, checked once here rather than in every worker


def _main(argv: list[str] | None) -> int:
    try:
        _check_environment()
    except HFSDetectError as exc:
        print(f"hfs-detect: error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    native_library_defaults()
    parser = _build_parser()
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]  # accepted anywhere on the line
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        runner = {
            "analyze": _run_analyze,
            "live": _run_live,
            "batch": _run_batch,
            "report": _run_report,
            "export": _run_export,
            "compare": _run_compare,
            "synth": _run_synth,
            "evaluate": _run_evaluate,
            "tune": _run_tune,
            "info": _run_info,
            "settings": _run_settings,
        }[args.command]
        status = runner(args)
        sys.stdout.flush()  # a reader gone away shows here, not at the interpreter's exit
        return status
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("hfs-detect: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of our output went away (e.g. `| head`)
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        if isinstance(exc, HFSDetectError):
            print(f"hfs-detect: error: {exc}", file=sys.stderr)
            return EXIT_INPUT
        if debug:
            raise
        if isinstance(exc, OSError) and (exc.filename or exc.filename2):
            print(f"hfs-detect: error: {_os_error_line(exc)}", file=sys.stderr)
            return EXIT_INPUT
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        print(
            f"hfs-detect: internal error: {type(exc).__name__}: {first_line}"
            " (rerun with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
