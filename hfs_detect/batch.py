"""Batch runs over archives: many videos, several processes or a Dask cluster, resumable.

Every video goes to ``OUT/<name>/`` with the ``analyze`` outputs (and
``report.html``). A video is skipped when its folder already holds a
``summary.json`` made from the same video bytes, model and parameters (the
``batch_key`` recorded in it), so a killed batch resumes where it stopped, and
a rerun with other detector parameters reuses each folder's landmark cache
(seconds per video instead of minutes). One bad file never stops the batch: it
goes to ``OUT/failures.csv`` with the reason. ``OUT/cohort.csv`` has one row
per analysed video, ``OUT/batch.json`` how the batch ran.

Processes: ``workers`` local processes (``concurrent.futures``). Beyond one
machine: ``scheduler="tcp://host:8786"`` sends the same per-video task to a
Dask distributed cluster, whose workers must have hfs-detect installed and
see the same paths.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ._atomic import atomic_path, write_text_atomic
from ._checks import HFSDetectError, check_output_dir, native_library_defaults
from .provenance import versions
from .session import THREADS_ENV_VAR, Settings, Summary, read_summary, video_fingerprint
from .session.grading import GRADING_KEYS
from .session.statistics import BLINK_FIGURES

__all__ = [
    "VIDEO_SUFFIXES",
    "find_videos",
    "output_names",
    "longest_first",
    "run_batch",
    "BatchRun",
    "BatchResult",
]

VIDEO_SUFFIXES = (".mp4", ".mov", ".avi", ".mkv", ".mpg", ".mpeg", ".m4v", ".webm", ".wmv")
COHORT_COLUMNS = (
    "video", "name", "verdict", "dominant_side", "dominant_side_share", "n_events",
    "events_per_rest_min", "spasm_fraction", "rest_s", "duration_s", "face_fraction",
    "n_frames", "fps", "regions_eye", "regions_cheek", "regions_mouth", "regions_brow",
    "n_clonic", "n_tonic", "n_brow_raised", *(f"grading_{k}" for k in GRADING_KEYS), "warnings",
    "hfs_detect_version", "landmark_engine", "created_utc",
    *(f"blink_{k}" for k in BLINK_FIGURES), "settings_file", "settings_sha256",
)  # fmt: skip
FAILURE_COLUMNS = ("video", "reason")


def find_videos(spec: str | os.PathLike, exclude: str | os.PathLike | None = None) -> list[Path]:
    """Videos named by a folder (searched recursively), a glob pattern or one file.

    A folder or glob keeps every file with a video suffix (``VIDEO_SUFFIXES``)
    and also files that only claim to be one (they fail later, with a reason).
    A folder or glob leaves out the files inside the analysis folders (those
    with a ``summary.json``) of ``exclude``, a batch's own output folder:
    their annotated and recorded videos are outputs, not new inputs. A file
    named on its own is always kept.
    """
    spec = str(spec)
    path = Path(spec)
    if path.is_dir():
        found = [p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES]
    elif path.is_file():
        found = [path]
    else:
        found = [Path(p) for p in glob.glob(spec, recursive=True) if Path(p).is_file()]
        if not found and not any(c in spec for c in "*?["):
            raise HFSDetectError(f"not found: {spec}")
    if exclude is not None and not path.is_file():
        found = [p for p in found if not _in_analysis_folder(p, Path(exclude))]
    if not found:
        raise HFSDetectError(f"no video files in {spec} (looked for {', '.join(VIDEO_SUFFIXES)})")
    # absolute, not resolved: a link keeps its own name and path (a pseudonymised link
    # farm, an annexed archive), as ``analyze`` keeps it
    return _one_per_file(Path(os.path.abspath(p)) for p in found)


def _one_per_file(paths: Iterable[Path]) -> list[Path]:
    """``paths`` sorted, one per real file (a link to a file also named is left out)."""
    first: dict[str, Path] = {}
    for path in sorted(set(paths)):
        first.setdefault(os.path.realpath(path), path)
    return sorted(first.values())


def _in_analysis_folder(path: Path, out_dir: Path) -> bool:
    """``path`` lies in one of ``out_dir``'s analysis folders (a child with a summary.json)."""
    try:
        inside = path.resolve().relative_to(out_dir.resolve())
    except ValueError:
        return False
    return len(inside.parts) > 1 and _is_analysis_folder(out_dir / inside.parts[0])


def _is_analysis_folder(path: Path) -> bool:
    """``path`` is a folder with a ``summary.json`` (False for one that cannot be read)."""
    try:
        return path.is_dir() and (path / "summary.json").is_file()
    except OSError:  # a folder we may not look into (lost+found)
        return False


def _longer_name(video: Path) -> str:
    """A video's folder name made unique by its parent folder: ``<parent>_<stem>_<hash>``."""
    digest = hashlib.sha256(str(video.parent).encode()).hexdigest()[:6]
    return f"{video.parent.name}_{video.stem}_{digest}"


def _summary_of(folder: Path) -> Summary | None:
    """An analysis folder's summary (None if there is none, or it is damaged)."""
    try:
        return read_summary(folder)
    except HFSDetectError:
        return None


def _made_from(folder: Path, video: Path, inputs: set[str]) -> bool | None:
    """Whether ``folder`` holds an analysis of ``video`` (None: no analysis there).

    The same file by another path counts (a moved or relinked archive, a path
    recorded resolved by an older version): the same real path, or the same bytes
    (``video_fingerprint``) when the path recorded is none of this run's inputs.
    """
    summary = _summary_of(folder)
    if summary is None:
        return None
    recorded = summary.recording.video
    if not recorded:
        return False
    if recorded == str(video) or os.path.realpath(recorded) == os.path.realpath(video):
        return True
    fingerprint = summary.recording.video_fingerprint
    if recorded in inputs or not fingerprint:
        return False
    try:
        return fingerprint == video_fingerprint(video)
    except (OSError, HFSDetectError):
        return False


def output_names(videos: list[Path], out_dir: str | os.PathLike | None = None) -> dict[Path, str]:
    """A folder name per video: its stem, made unique with its parent folders if needed.

    With ``out_dir``, names stay stable across runs into it: a video keeps the
    folder there that holds its analysis (its stem's or its longer name), a
    same-named video added later gets the longer name, and a stem folder made
    from another video (an earlier batch of another visit) is never taken over.
    """
    inputs = {str(v) for v in videos}
    names: dict[Path, str] = {}
    by_stem: dict[str, list[Path]] = {}
    for video in videos:
        by_stem.setdefault(video.stem, []).append(video)
    for stem, group in by_stem.items():
        for video in group:
            longer = _longer_name(video)
            if out_dir is None:
                names[video] = stem if len(group) == 1 else longer
                continue
            stem_owner = _made_from(Path(out_dir) / stem, video, inputs)
            if stem_owner:
                names[video] = stem
            elif _made_from(Path(out_dir) / longer, video, inputs):
                names[video] = longer
            else:
                taken = stem_owner is False or len(group) > 1
                names[video] = longer if taken else stem
    # two of the group may both claim the stem folder (the same bytes): the first keeps it
    seen: set[str] = set()
    for video in videos:
        if names[video] in seen:
            names[video] = _longer_name(video)
        seen.add(names[video])
    return names


@dataclass(frozen=True)
class BatchRun:
    """What every video of a batch is analysed with.

    Attributes
    ----------
    settings : Settings
        How each video is analysed (one settings object, as for ``analyze``).
    report : bool
        Also write ``report.html`` per video.
    use_cache : bool
        Reuse a folder's landmark cache when it matches.
    parquet : bool
        Also write ``frames.parquet``.
    progress : bool
        A progress bar per video being analysed.
    """

    settings: Settings = field(default_factory=Settings)
    report: bool = True
    use_cache: bool = True
    parquet: bool = True
    progress: bool = False

    @classmethod
    def from_options(cls, options: dict | None, settings: Settings | None = None) -> BatchRun:
        """A run from an earlier version's ``options`` dict (settings by name, ``detector``
        as a dict, and ``report``, ``use_cache``, ``parquet``, ``progress``)."""
        options = dict(options or {})
        run = {k: bool(options.pop(k)) for k in ("report", "use_cache", "parquet", "progress")
               if k in options}  # fmt: skip
        try:
            settings = (settings or Settings()).replace(**options)
        except HFSDetectError as exc:
            raise HFSDetectError(f"batch option(s): {exc}") from None
        return cls(settings, **run)

    def to_dict(self) -> dict:
        """What ``batch.json`` records."""
        return {"settings": self.settings.to_dict(), "report": self.report,
                "use_cache": self.use_cache, "parquet": self.parquet}  # fmt: skip


def batch_key(video: Path, run: BatchRun, model_sha256: str) -> str:
    """What decides whether a finished folder can be kept: the video's bytes, the model,
    the settings (:meth:`Settings.key`), the outputs asked for and the version."""
    from . import __version__

    record = {
        "video": video_fingerprint(video),
        "model_sha256": model_sha256,
        "settings": run.settings.key(),
        "parquet": run.parquet,
        "hfs_detect_version": __version__,
    }
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()


def _is_done(folder: Path, key: str, report: bool = True) -> bool:
    """Every output the run asks for is there, from the same video bytes, model and
    settings (``batch_key``): ``report.html`` too when a report is asked for."""
    summary = folder / "summary.json"
    if not summary.is_file() or (report and not (folder / "report.html").is_file()):
        return False
    found = _summary_of(folder)
    return found is not None and found.batch_key == key


def _kept(video: Path, folder: Path, run: BatchRun, model_sha256: str) -> bool:
    """``folder`` holds this video's finished analysis with this run's settings."""
    try:
        return _is_done(folder, batch_key(video, run, model_sha256), report=run.report)
    except Exception:  # noqa: BLE001 - the worker will say why
        return False


def _clean_stale_temporaries(folder: Path) -> None:
    """Remove temporary files a killed run left (``.<name>.<random>.tmp``)."""
    if folder.is_dir():
        for stale in folder.glob(".*.tmp"):
            stale.unlink(missing_ok=True)


def process_video(video: str, out_dir: str, run: BatchRun, position: int = 0) -> dict:
    """Analyse one video into ``out_dir`` (or keep it if done); never raises.

    Returns
    -------
    dict
        ``status`` (``"done"``, ``"kept"`` or ``"failed"``), ``video``,
        ``seconds``, and ``reason`` when it failed.
    """
    native_library_defaults(one_opencv_thread=False)  # a Dask worker, or a caller's process
    from .report import write_report
    from .session import analyze_video, resolve_model

    start = time.perf_counter()
    video_path, folder = Path(video), Path(out_dir)
    try:
        model = resolve_model(run.settings.model_path)
        key = batch_key(video_path, run, model.sha256)
        if _is_done(folder, key, report=run.report):
            return {"status": "kept", "video": video, "seconds": 0.0}
        _clean_stale_temporaries(folder)
        analyze_video(
            video_path,
            folder,
            run.settings,
            use_cache=run.use_cache,
            parquet=run.parquet,
            progress=run.progress,
            progress_position=position,
            batch_key=key,
        )
        if run.report:
            write_report(folder)
        return {"status": "done", "video": video, "seconds": time.perf_counter() - start}
    except HFSDetectError as exc:
        reason = str(exc)
    except Exception as exc:  # one bad file never stops the batch
        first = str(exc).splitlines()[0] if str(exc) else ""
        reason = f"internal error: {type(exc).__name__}: {first}"
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()  # nothing was written for this video
    return {"status": "failed", "video": video, "reason": reason,
            "seconds": time.perf_counter() - start}  # fmt: skip


_SLOT: int | None = None


class _Stopped(BaseException):
    """A pool worker told to stop (SIGTERM from its batch, or its batch gone)."""


_BUSY = False  # a pool worker is analysing a video


def _stop_worker(signum, frame) -> None:
    """SIGTERM in a pool worker: a video in progress is stopped as Ctrl-C stops ``analyze``
    (nothing half-written is left); an idle worker simply ends."""
    if _BUSY:
        raise _Stopped(f"stopped by signal {signum}")
    os._exit(128 + signum)


def _watch_parent(parent_pid: int) -> None:
    """Stop this worker when the batch that started it is gone (killed with SIGKILL, say):
    a worker never outlives its batch."""
    import signal
    import threading

    try:  # Linux: the kernel sends SIGTERM when the parent dies
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass

    def watch() -> None:  # elsewhere, and for a parent gone before prctl took effect
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="hfs-detect-parent-watch", daemon=True).start()


def _take_slot(slots, threads: int, parent_pid: int) -> None:
    """A pool worker's start: its progress-bar line, its share of the cores for the
    LiteRT engine's network (a user's own ``HFS_DETECT_THREADS`` wins), and its signals:
    Ctrl-C is the batch's to handle, SIGTERM stops the video in progress cleanly (no
    half-written folder), and the worker stops when its batch is gone."""
    import signal

    global _SLOT
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the batch stops its workers itself
    signal.signal(signal.SIGTERM, _stop_worker)
    _watch_parent(parent_pid)
    _SLOT = slots.get()
    os.environ.setdefault(THREADS_ENV_VAR, str(threads))
    native_library_defaults()  # a pool worker is hfs-detect's own process


def _process_in_pool(video: str, out_dir: str, run: BatchRun) -> dict:
    global _BUSY
    _BUSY = True
    try:
        return process_video(video, out_dir, run, position=_SLOT or 0)
    except _Stopped:  # the video's own clean-up has run: this worker ends here
        os._exit(143)
    finally:
        _BUSY = False


@dataclass
class BatchResult:
    """What a batch did.

    Attributes
    ----------
    cohort : pandas.DataFrame
        One row per analysed video (``cohort.csv``).
    failures : pandas.DataFrame
        ``video``, ``reason`` per failed video (``failures.csv``).
    n_done, n_kept : int
        Videos analysed now, and finished ones kept from an earlier run.
    seconds : float
        Wall time.
    other_folders : tuple of str
        Analysis folders in the output folder that are not this run's videos.
    """

    cohort: pd.DataFrame
    failures: pd.DataFrame
    n_done: int
    n_kept: int
    seconds: float
    other_folders: tuple[str, ...] = ()
    """Analysis folders in the output folder from earlier runs over other videos: not in
    this run's ``cohort`` (the table is one command's inputs, with one command's options)."""


def _cohort_row(video: Path, name: str, summary: Summary) -> dict:
    recording, stats = summary.recording, summary.statistics
    grading = summary.grading.to_dict() if summary.grading is not None else {}
    regions, kinds = stats.regions, stats.kinds
    return {
        "video": str(video), "name": name, "verdict": stats.verdict,
        "dominant_side": stats.dominant_side, "dominant_side_share": stats.dominant_side_share,
        "n_events": stats.n_events, "events_per_rest_min": stats.events_per_rest_min,
        "spasm_fraction": stats.spasm_fraction, "rest_s": stats.rest_s,
        "duration_s": recording.duration_s, "face_fraction": recording.face_fraction,
        "n_frames": recording.n_frames, "fps": recording.fps,
        **{f"regions_{r}": regions.get(r, 0) for r in ("eye", "cheek", "mouth", "brow")},
        "n_clonic": kinds.get("clonic", 0), "n_tonic": kinds.get("tonic", 0),
        "n_brow_raised": stats.n_brow_raised,
        **{f"grading_{k}": grading.get(k) for k in GRADING_KEYS},
        "warnings": "; ".join(summary.warnings),
        "hfs_detect_version": summary.provenance.hfs_detect_version,
        "landmark_engine": summary.provenance.landmark_engine,
        "created_utc": summary.provenance.created_utc,
        **{f"blink_{k}": stats.blinks.get(k) for k in BLINK_FIGURES},
        "settings_file": summary.settings.source, "settings_sha256": summary.settings.key(),
    }  # fmt: skip


LOCK_NAME = ".hfs-detect-batch.lock"
"""The lock file a running batch holds in its output folder."""


class _BatchLock:
    """One batch at a time in an output folder: a lock file naming the batch's process.

    A second batch into the same folder is refused at once, naming the first. A lock
    whose process is gone (a batch killed with SIGKILL, a machine restarted) is stale
    and taken over.
    """

    def __init__(self, folder: Path):
        import socket

        self.path = folder / LOCK_NAME
        self.mine = {"pid": os.getpid(), "host": socket.gethostname(),
                     "started_utc": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip

    def __enter__(self) -> _BatchLock:
        text = json.dumps(self.mine)
        for _ in range(2):
            try:
                descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self._holder()
                if holder is not None:
                    raise HFSDetectError(
                        f"another batch is writing into {self.path.parent} (process "
                        f"{holder.get('pid')} on {holder.get('host')}, started "
                        f"{holder.get('started_utc')} UTC): wait for it to end or stop it "
                        f"(if it is gone, delete {self.path})"
                    ) from None
                self.path.unlink(missing_ok=True)  # stale: its batch is gone
                continue
            with os.fdopen(descriptor, "w") as handle:
                handle.write(text)
            return self
        raise HFSDetectError(f"cannot take the batch lock {self.path}")

    def _holder(self) -> dict | None:
        """The running batch that holds the lock (None when the lock is stale)."""
        try:
            holder = json.loads(self.path.read_text())
            pid = int(holder["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # unreadable: a batch killed while it wrote its lock
        if holder.get("host") != self.mine["host"]:
            return holder  # another machine's batch: no way to tell it is gone
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return holder  # alive, another user's
        return holder

    def __exit__(self, *exc: object) -> None:
        try:
            if json.loads(self.path.read_text()).get("pid") == self.mine["pid"]:
                self.path.unlink()
        except (OSError, ValueError):
            pass


def run_batch(
    spec: str | os.PathLike | Iterable[str | os.PathLike],
    out_dir: str | os.PathLike,
    settings: Settings | None = None,
    *,
    workers: int = 1,
    scheduler: str | None = None,
    report: bool = True,
    use_cache: bool = True,
    parquet: bool = True,
    progress: bool = False,
    on_result: Callable[[dict], None] | None = None,
    options: dict | None = None,
) -> BatchResult:
    """Analyse every video of ``spec`` into ``out_dir``.

    Parameters
    ----------
    spec : path-like, glob, or list of them
        A folder (searched recursively), a glob pattern or files.
    out_dir : path-like
        The batch's output folder.
    settings : Settings, optional
        How every video is analysed, as for ``analyze`` (the defaults when omitted).
    workers : int
        Local worker processes (ignored with ``scheduler``).
    scheduler : str, optional
        Address of a Dask distributed scheduler (``tcp://host:8786``).
    report : bool
        Also write ``report.html`` per video.
    use_cache, parquet : bool
        As for :func:`~hfs_detect.analyze_video`.
    progress : bool
        Progress bars: overall, and one per video being analysed.
    on_result : callable, optional
        Called with each video's result dict as it finishes.
    options : dict, optional
        An earlier version's way of giving the settings (by name, ``detector`` as a
        dict) and ``report``, ``use_cache``, ``parquet``.
    """
    start = time.perf_counter()
    specs = [spec] if isinstance(spec, (str, os.PathLike)) else list(spec)
    found: set[Path] = set()
    missing: list[dict] = []  # one bad name among several does not stop the batch
    for item in specs:
        try:
            found.update(find_videos(item, exclude=out_dir))
        except HFSDetectError as exc:
            if len(specs) == 1:
                raise
            name = item if any(c in str(item) for c in "*?[") else Path(item).absolute()
            missing.append({"status": "failed", "video": str(name), "seconds": 0.0,
                            "reason": str(exc)})  # fmt: skip
    if not found:
        raise HFSDetectError("; ".join(r["reason"] for r in missing) or "no videos")
    videos = _one_per_file(found)
    if (Path(out_dir) / "summary.json").is_file():
        raise HFSDetectError(
            f"{out_dir} is one video's analysis folder (it has a summary.json): "
            "give the batch a folder of its own"
        )
    if scheduler:
        _check_dask(scheduler)  # before any folder is made
    out = check_output_dir(out_dir)
    with _BatchLock(out):
        return _run_locked(out, specs, videos, missing, settings, workers, scheduler, report,
                           use_cache, parquet, progress, on_result, options, start)  # fmt: skip


def _run_locked(out, specs, videos, missing, settings, workers, scheduler, report, use_cache,
                parquet, progress, on_result, options, start) -> BatchResult:  # fmt: skip
    """:func:`run_batch` once it holds its output folder's lock."""
    names = output_names(videos, out)
    run = BatchRun.from_options(
        {"report": report, "use_cache": use_cache, "parquet": parquet, **(options or {}),
         "progress": progress and scheduler is None}, settings,
    )  # fmt: skip
    from .session import resolve_model

    model = resolve_model(run.settings.model_path)  # once here; once in each worker
    jobs, kept = [], []
    for video in videos:  # finished ones are kept here, whatever becomes of the workers
        folder = out / names[video]
        if _kept(video, folder, run, model.sha256):
            kept.append({"status": "kept", "video": str(video), "seconds": 0.0})
        else:
            jobs.append((str(video), str(folder)))
    if scheduler or workers > 1:  # the longest first, so no worker is left with one at the end
        jobs = longest_first(jobs)
    results: list[dict] = [*missing, *kept]
    for entry in results:
        if on_result:
            on_result(entry)

    from tqdm import tqdm

    bar = tqdm(total=len(jobs) + len(kept), initial=len(kept), desc="videos", unit="video",
               disable=not progress, position=0, dynamic_ncols=True)  # fmt: skip

    def collect(result: dict) -> None:
        results.append(result)
        bar.update()
        if on_result:
            on_result(result)

    try:
        if scheduler and jobs:
            _run_dask(scheduler, jobs, run, collect)
        elif workers <= 1:
            for video, folder in jobs:
                collect(process_video(video, folder, run, position=1))
        elif jobs:
            _run_processes(workers, jobs, run, collect)
    finally:
        bar.close()
    cohort, failures = _write_tables(out, videos, names, results)
    n_done = sum(r["status"] == "done" for r in results)
    n_kept = sum(r["status"] == "kept" for r in results)
    seconds = time.perf_counter() - start
    write_text_atomic(
        out / "batch.json",
        json.dumps({
            "inputs": [str(s) for s in specs], "n_videos": len(videos), "n_done": n_done,
            "n_kept": n_kept, "n_failed": len(failures), "workers": workers,
            "scheduler": scheduler, "seconds": round(seconds, 2),
            **run.to_dict(),
            "per_video_seconds": {
                r["video"]: round(r["seconds"], 2) for r in results if r["status"] != "kept"
            },  # analysed (or failed) now: a kept video's time is in the run that made it
            "kept": [r["video"] for r in results if r["status"] == "kept"],
            "command": " ".join(sys.argv),
            "cwd": os.getcwd(), "versions": versions(),
            "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        }, indent=2, default=str) + "\n",
    )  # fmt: skip
    mine = set(names.values())
    others = tuple(sorted(d.name for d in out.iterdir() if d.name not in mine
                          and _is_analysis_folder(d)))  # fmt: skip
    return BatchResult(cohort, failures, n_done, n_kept, seconds, others)


def longest_first(jobs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``jobs`` (video, output folder) ordered by the frame count their containers
    declare, the longest first (unreadable files last): handed out in this order, a
    pool's workers finish close together."""
    import cv2

    def frames(video: str) -> float:
        capture = cv2.VideoCapture(video)
        try:
            count = capture.get(cv2.CAP_PROP_FRAME_COUNT) if capture.isOpened() else 0.0
        finally:
            capture.release()
        return count if count and count > 0 else 0.0

    counts = {video: frames(video) for video, _ in jobs}
    return sorted(jobs, key=lambda job: -counts[job[0]])


def _run_processes(workers: int, jobs, run: BatchRun, collect) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    context = multiprocessing.get_context("spawn")  # MediaPipe and threads do not fork well
    slots = context.Queue()
    for k in range(workers):
        slots.put(k + 1)
    threads = max(1, (os.cpu_count() or 1) // workers)  # each worker's share of the cores
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_take_slot,
                               initargs=(slots, threads, os.getpid()))  # fmt: skip
    try:
        futures = {pool.submit(_process_in_pool, v, f, run): v for v, f in jobs}
        for future in as_completed(futures):
            try:
                collect(future.result())
            except Exception as exc:  # a worker process died (killed, out of memory)
                reason = f"worker process failed: {type(exc).__name__}: {exc}"
                collect({"status": "failed", "video": futures[future], "seconds": 0.0,
                         "reason": reason})  # fmt: skip
    except BaseException:  # Ctrl-C, SIGTERM, SIGHUP: no worker goes on without the batch
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)


def _stop_pool(pool) -> None:
    """Stop a pool's workers now: each stops its video in progress cleanly (SIGTERM), and
    one that does not within seconds is killed."""
    pool.shutdown(wait=False, cancel_futures=True)
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + 10.0
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(1.0)


def _probe_scheduler(scheduler: str) -> None:
    """Fail at once when nothing listens at a ``tcp://host:port`` scheduler address
    (Dask itself retries a refused connection until its timeout)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(scheduler if "://" in scheduler else f"tcp://{scheduler}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "tcp" or not parts.hostname or not port:
        return  # another transport, or an address Dask will judge itself
    try:
        socket.create_connection((parts.hostname, port), timeout=5.0).close()
    except OSError as exc:
        raise HFSDetectError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None


def _check_dask(scheduler: str) -> None:
    """Dask is installed and something listens at ``scheduler`` (before any work)."""
    try:
        import dask.distributed  # noqa: F401
    except ImportError:
        raise HFSDetectError(
            "--scheduler needs Dask: pip install 'dask[distributed]' (or hfs-detect[dask])"
        ) from None
    _probe_scheduler(scheduler)


def _run_dask(scheduler: str, jobs, run: BatchRun, collect) -> None:
    from dask.distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout="10s")
    except OSError as exc:
        raise HFSDetectError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    try:
        futures = [
            client.submit(
                process_video, v, f, run, key=f"hfs-detect-{Path(f).name}", pure=False
            )  # fmt: skip
            for v, f in jobs
        ]
        for future in as_completed(futures):
            try:
                collect(future.result())
            except Exception as exc:  # the worker died
                collect({"status": "failed", "video": str(future.key), "seconds": 0.0,
                         "reason": f"Dask task failed: {type(exc).__name__}: {exc}"})  # fmt: skip
    finally:
        client.close()


def _write_tables(out: Path, videos, names, results) -> tuple[pd.DataFrame, pd.DataFrame]:
    failed = {r["video"]: r["reason"] for r in results if r["status"] == "failed"}
    rows = []
    for video in videos:
        if str(video) in failed:
            continue
        summary = _summary_of(out / names[video])
        if summary is not None:
            rows.append(_cohort_row(video, names[video], summary))
    cohort = pd.DataFrame(rows, columns=list(COHORT_COLUMNS))
    failures = pd.DataFrame(sorted(failed.items()), columns=list(FAILURE_COLUMNS))
    with atomic_path(out / "cohort.csv") as tmp:
        cohort.to_csv(tmp, index=False, float_format="%.6g")
    with atomic_path(out / "failures.csv") as tmp:
        failures.to_csv(tmp, index=False)
    return cohort, failures
