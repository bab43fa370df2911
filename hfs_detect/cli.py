"""The ``hfs-detect`` command line: thin wrappers over the library.

Every error caused by the input is one line on stderr and a non-zero exit
status (1 for bad input, 2 for a bad command line); ``--debug`` shows the
traceback of an unexpected failure.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path

from . import __version__

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line in one line, not usage + error."""

    def error(self, message: str) -> None:  # noqa: D102
        raise _UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _quiet_native_logs() -> None:
    """Silence MediaPipe's, TFLite's and FFmpeg's own chatter on stderr."""
    for key, value in (
        ("GLOG_minloglevel", "2"),
        ("TF_CPP_MIN_LOG_LEVEL", "3"),
        ("OPENCV_LOG_LEVEL", "ERROR"),
        ("OPENCV_FFMPEG_LOGLEVEL", "-8"),
    ):
        os.environ.setdefault(key, value)


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


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
        default=4,
        metavar="N",
        help="faces considered when choosing whom to follow (default 4): the largest, "
        "most central face at the start, then the face nearest the patient's last "
        "position; 1 takes whichever face MediaPipe tracks",
    )
    p.add_argument(
        "--min-confidence",
        type=float,
        default=0.5,
        metavar="P",
        help="MediaPipe detection and tracking confidence, 0-1 (default 0.5)",
    )
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="run the model even if OUT/landmarks.npz matches, and do not write it",
    )
    p.add_argument("--no-parquet", action="store_true", help="write frames.csv only")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")


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
    sub.add_parser(
        "info",
        help="versions, model path and sha256, FFmpeg support",
        formatter_class=_formatter,
        description="Print versions, the model in use and whether FFmpeg decoding works.",
    )
    return parser


def _run_analyze(args: argparse.Namespace) -> int:
    from ._checks import check_number
    from .session import analyze_video

    check_number("--max-faces", args.max_faces, minimum=1, maximum=8, integer=True)
    check_number("--min-confidence", args.min_confidence, minimum=0.0, maximum=1.0)
    analysis = analyze_video(
        args.video,
        args.out,
        mirrored=args.mirrored,
        model_path=args.model,
        max_faces=args.max_faces,
        min_confidence=args.min_confidence,
        use_cache=not args.no_cache,
        parquet=not args.no_parquet,
        progress=not args.no_progress and sys.stderr.isatty(),
    )
    s = analysis.summary
    cached = " (landmarks from cache)" if s["landmarks_from_cache"] else ""
    print(
        f"{args.video.name}: {s['n_frames']} frames, {s['duration_s']:.1f} s, "
        f"face in {100 * s['face_fraction']:.1f}% of frames{cached}"
    )
    print(f"outputs in {args.out}/: frames.csv, events.csv, summary.json")
    return EXIT_OK


def _run_info(args: argparse.Namespace) -> int:
    from .landmarks import MODEL_ENV_VAR, resolve_model
    from .provenance import versions

    for name, value in versions().items():
        print(f"{name:<12} {value}")
    try:
        model = resolve_model(None)
        state = "ok (shipped model, sha256 checked)" if model.shipped else "custom model"
        print(f"{'model':<12} {model.path}")
        print(f"{'sha256':<12} {model.sha256} {state}")
    except Exception as exc:  # report, do not fail: info is for diagnosing
        print(f"{'model':<12} PROBLEM: {exc}")
    if os.environ.get(MODEL_ENV_VAR):
        print(f"{MODEL_ENV_VAR:<12} {os.environ[MODEL_ENV_VAR]}")
    import cv2

    build = cv2.getBuildInformation()
    ffmpeg = (
        "yes" if any("FFMPEG" in line and "YES" in line for line in build.splitlines()) else "no"
    )
    print(f"{'ffmpeg':<12} {ffmpeg} (video decoding through OpenCV)")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    _quiet_native_logs()
    parser = _build_parser()
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]  # accepted anywhere on the line
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        runner = {"analyze": _run_analyze, "info": _run_info}[args.command]
        return runner(args)
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("hfs-detect: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        from ._checks import HFSDetectError

        if isinstance(exc, HFSDetectError):
            print(f"hfs-detect: error: {exc}", file=sys.stderr)
            return EXIT_INPUT
        if debug:
            raise
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        print(
            f"hfs-detect: internal error: {type(exc).__name__}: {first_line}"
            " (rerun with --debug for the traceback, and please report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
