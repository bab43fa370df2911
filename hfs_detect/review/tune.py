"""Fit the detector to a clinic's own annotated videos, cross-validated by subject.

:func:`tune` re-detects bursts in saved analyses (their frames tables, made from
the landmarks: no model runs) with other values of the few settings that decide
what is found (:data:`SEARCH`), and scores them against the clinic's annotations.
How well a choice would hold on the next patient is measured the only honest
way: the subjects are split into folds, the values are chosen on the other folds'
subjects and scored on the fold's own, never seen in the choice. Pooled over the
folds, these out-of-fold scores of the tuned settings are set against the
defaults' on the same sessions, with intervals from a bootstrap over subjects
(a subject's sessions are resampled together). The settings are worth writing
only when the gain's interval excludes 0.

The search, per fold, keeps a change only when it raises the event F1 of the
training subjects: every value of every setting alone; then the settings whose
best value helped, added one at a time, the most helpful first; then each setting
changed so far at the values next to its own. Every value tried is scored once on
every session, so the folds share the work; rest is segmented again only when a
rest setting changes.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._checks import HFSDetectError, check_number
from ..session.runner import redetect

if TYPE_CHECKING:
    import pandas as pd

    from ..session.settings import Settings

__all__ = [
    "SEARCH",
    "MIN_SUBJECTS",
    "MIN_BURSTS",
    "TuneSession",
    "redetect",
    "load_sessions",
    "subject_groups",
    "tune",
    "tune_lines",
    "tuned_toml",
    "tuned_settings",
    "grouped_scores",
    "grouped_lines",
]

SEARCH: tuple[tuple[str, str, tuple[float, ...]], ...] = (
    ("detector", "threshold_z", (2.5, 3.0, 3.5, 4.0, 5.0, 6.0)),
    ("detector", "joint_eye_z", (1.75, 2.0, 2.5, 3.0, 3.5)),
    ("detector", "region_z", (2.0, 2.5, 3.0, 4.0, 5.0)),
    ("detector", "lower_face_z", (4.0, 5.0, 6.0, 8.0)),
    ("detector", "min_duration_s", (0.05, 0.15, 0.3)),
    ("detector", "join_gap_s", (0.5, 1.0, 2.0)),
    ("rest", "max_head_speed_deg_s", (30.0, 45.0, 70.0)),
)
"""The settings searched, ``(stage, name, values)``: the eye's own threshold, the eye's
and the lower face's thresholds together and alone, the shortest burst, the gap that
joins a clonic train, and how much head motion still counts as rest. The base
settings' own value is always among those tried."""

MIN_SUBJECTS = 5
"""Fewest annotated subjects to tune on: each fold then chooses on 4 or more other
people, and a bootstrap over subjects has enough distinct resamples (126 with 5) to
give an interval; with fewer, a gain is one or two people's."""

MIN_BURSTS = 20
"""Fewest annotated bursts to tune on: with fewer, one burst found or lost moves the
F1 by 0.025 or more."""

BOOTSTRAP = 2000
"""Resamples of subjects for the intervals."""


@dataclass
class TuneSession:
    """One annotated session to tune on.

    Attributes
    ----------
    name : str
        The analysis folder's name.
    subject : str
        Whose session it is (folds never split a subject).
    frames : pandas.DataFrame
        The saved frames table (the signals of every frame).
    truth : pandas.DataFrame
        The annotated bursts (``start_s``, ``end_s``, ``side``).
    settings : Settings
        How it was analysed: the recording's own facts (mirrored, rest or steps given
        by hand, engine) are kept; the thresholds are replaced by those tried.
    """

    name: str
    subject: str
    frames: pd.DataFrame
    truth: pd.DataFrame
    settings: Settings


# -- subjects -------------------------------------------------------------------------
def subject_groups(
    group_by: str | os.PathLike | None, sessions: dict[str, tuple[Path, str]]
) -> dict[str, str]:
    """Each session's subject.

    Parameters
    ----------
    group_by : {'video', 'prefix'}, path or None
        ``video`` (or None): every video is its own subject; ``prefix``: the session's
        name up to its first ``_``, ``-`` or space (``P07_visit2`` -> ``P07``); or a CSV
        file with a ``subject`` column and a ``video`` column naming each session by
        its folder's name, its video's file name or stem.
    sessions : dict
        Session name -> ``(analysis folder, analysed video)``.

    Raises
    ------
    HFSDetectError
        An unreadable CSV, one without those columns, or sessions it does not name.
    """
    import re

    if group_by is None or str(group_by) == "video":
        return {name: name for name in sessions}
    if str(group_by) == "prefix":
        return {name: re.split(r"[_\- ]", name, maxsplit=1)[0] for name in sessions}
    path = Path(group_by)
    if not path.is_file():
        raise HFSDetectError(
            f"--group-by {group_by}: not 'video', 'prefix' or a CSV file of video,subject"
        )
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise HFSDetectError(f"cannot read the subjects file {path}: {exc}") from None
    columns = {c.strip().lower(): c for c in (rows[0].keys() if rows else [])}
    if "subject" not in columns or "video" not in columns:
        raise HFSDetectError(
            f"{path} needs a 'video' and a 'subject' column (got: "
            f"{', '.join(columns) or 'no rows'})"
        )
    named: dict[str, str] = {}
    for row in rows:
        video = (row[columns["video"]] or "").strip()
        subject = (row[columns["subject"]] or "").strip()
        if not (video and subject):
            continue
        if named.get(video, subject) != subject:
            raise HFSDetectError(
                f"{path} gives {video} two subjects ({named[video]} and {subject}): one each"
            )
        named[video] = subject
        named.setdefault(Path(video).name, subject)
        named.setdefault(Path(video).stem, subject)
    out, missing = {}, []
    for name, (_folder, video) in sessions.items():
        keys = (name, Path(video).name, Path(video).stem)
        subject = next((named[k] for k in keys if k in named), None)
        if subject is None:
            missing.append(name)
        else:
            out[name] = subject
    if missing:
        raise HFSDetectError(
            f"{path} names no subject for {len(missing)} session(s): "
            f"{', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''}"
        )
    return out


def load_sessions(
    analyses: str | os.PathLike,
    truths: str | os.PathLike,
    group_by: str | os.PathLike | None = None,
) -> tuple[list[TuneSession], list[str]]:
    """The annotated sessions of a folder of analyses, with their subjects.

    Returns
    -------
    sessions : list of TuneSession
    notes : list of str
        What to know (a truth file's skipped entries, sessions without a truth).
    """
    from ..session import load_analysis
    from .evaluate import pair_sessions, read_events

    analyses, truths = Path(analyses), Path(truths)
    for path in (analyses, truths):
        if not path.is_dir():
            raise HFSDetectError(f"not a folder: {path}")
    pairs = pair_sessions(analyses, truths)
    loaded, notes = {}, []
    for name, (folder, truth_path) in pairs.items():
        analysis = load_analysis(folder)
        summary = analysis.summary
        truth_path = truth_path / "events.csv" if truth_path.is_dir() else truth_path
        truth = read_events(truth_path, summary.recording.duration_s, notes)
        loaded[name] = (analysis, truth, str(summary.recording.video))
    unpaired = sorted(
        p.name for p in analyses.iterdir() if (p / "events.csv").is_file() and p.name not in pairs
    )
    if unpaired:
        notes.append(
            f"{len(unpaired)} analysis folder(s) have no truth and are left out: "
            f"{', '.join(unpaired[:3])}{' ...' if len(unpaired) > 3 else ''}"
        )
    subjects = subject_groups(group_by, {n: (a.folder, v) for n, (a, _, v) in loaded.items()})
    empty = sorted(name for name, (_, truth, _) in loaded.items() if truth.empty)
    if empty:
        notes.append(
            f"{len(empty)} truth file(s) hold no burst and count as sessions without spasm: "
            f"{', '.join(empty[:3])}{' ...' if len(empty) > 3 else ''} (a blank template not "
            "yet annotated must be left out of TRUTHS)"
        )
    if group_by is None or str(group_by) == "video":
        prefixes = subject_groups("prefix", {n: (None, "") for n in loaded})
        shared = len(set(prefixes.values())) < len(prefixes)
        if shared:
            notes.append(
                "every video is taken as its own subject, but some folder names share a "
                "prefix (" + ", ".join(sorted(loaded)[:2]) + ", ...): if one person gave "
                "several videos, give --group-by prefix or a subjects CSV, or the folds "
                "will split a person"
            )
    sessions = [
        TuneSession(name, subjects[name], analysis.frames, truth, analysis.settings)
        for name, (analysis, truth, _video) in loaded.items()
    ]
    engines = sorted({s.settings.engine for s in sessions})
    if len(engines) > 1:
        notes.append(
            f"the analyses were made with different landmark engines ({', '.join(engines)}): "
            "tuned thresholds hold for the engine of the analyses they are used on"
        )
    return sessions, notes


# -- scoring ----------------------------------------------------------------------------
_COUNTS = ("n_true", "n_predicted", "n_matched", "rest_s")

_WORK: dict = {}  # a worker's sessions and tolerance (set once per process)


def _load_work(sessions: list[tuple], tolerance_s: float) -> None:
    _WORK.clear()
    _WORK["sessions"], _WORK["tolerance_s"] = sessions, tolerance_s


def _score(args: tuple[tuple, list[int]]) -> list[tuple[float, ...]]:
    """Counts of each session in ``indices`` with the settings changed by ``changes``."""
    from ..events import events_to_frame
    from .evaluate import score_events

    changes, indices = args
    rest_key = tuple(c for c in changes if c[0][0] == "rest")
    cache = _WORK.setdefault("rest", {})
    out = []
    for i in indices:
        frames, truth, settings = _WORK["sessions"][i]
        events, rest_s, states = redetect(
            frames, _changed(settings, changes), cache.get((i, rest_key))
        )
        cache[(i, rest_key)] = states
        s = score_events(events_to_frame(events), truth, tolerance_s=_WORK["tolerance_s"])
        out.append((s["n_true"], s["n_predicted"], s["n_matched"], rest_s))
    return out


def _changed(settings: Settings, changes: tuple) -> Settings:
    stages: dict[str, dict] = {}
    for (stage, name), value in changes:
        stages.setdefault(stage, {})[name] = value
    return settings.replace(**stages) if stages else settings


def _figures(counts: np.ndarray) -> dict:
    """Precision, recall, F1 and false bursts per rest-minute of summed counts."""
    n_true, n_pred, n_match, rest_s = (float(v) for v in counts)
    precision = n_match / n_pred if n_pred else (1.0 if n_true == 0 else 0.0)
    recall = n_match / n_true if n_true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    false = (n_pred - n_match) / (rest_s / 60) if rest_s > 0 else float("nan")
    return {"f1": f1, "precision": precision, "recall": recall, "false_per_rest_min": false}


def _f1(counts: np.ndarray) -> float:
    n_true, n_pred, n_match = counts[..., 0], counts[..., 1], counts[..., 2]
    total = n_true + n_pred
    return np.where(total > 0, 2 * n_match / np.maximum(total, 1), 1.0)


class _Scorer:
    """Every session's counts under each set of changes tried (each tried once)."""

    def __init__(self, sessions: list[TuneSession], tolerance_s: float, workers: int, bar):
        self.n = len(sessions)
        self.cache: dict[tuple, np.ndarray] = {}
        self.bar = bar
        work = [(s.frames, s.truth, s.settings) for s in sessions]
        self.pool = None
        if workers > 1 and self.n > 1:
            import multiprocessing
            import sys

            # fork shares the frames without copying them (Linux); elsewhere, spawn
            context = multiprocessing.get_context(
                "fork" if sys.platform.startswith("linux") else "spawn"
            )
            self.pool = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_load_work, initargs=(work, tolerance_s)
            )
            # sessions dealt out longest first, so each worker's share takes about as long
            order = sorted(range(self.n), key=lambda i: -len(sessions[i].frames))
            self.chunks = [order[k::workers] for k in range(workers)]
        else:
            _load_work(work, tolerance_s)
            self.chunks = [list(range(self.n))]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def counts(self, candidates: list[tuple]) -> list[np.ndarray]:
        """Each candidate's counts, ``(sessions, 4)``: n_true, n_predicted, n_matched, rest_s."""
        todo = [c for c in dict.fromkeys(candidates) if c not in self.cache]
        if todo:
            if self.bar is not None:
                self.bar.total += len(todo)
                self.bar.refresh()
            jobs = [(c, chunk) for c in todo for chunk in self.chunks]
            if self.pool is not None:
                results = list(self.pool.map(_score, jobs))
            else:
                results = [_score(job) for job in jobs]
            for k, candidate in enumerate(todo):
                table = np.zeros((self.n, 4))
                parts = results[k * len(self.chunks) : (k + 1) * len(self.chunks)]
                for chunk, part in zip(self.chunks, parts, strict=True):
                    table[chunk] = part
                self.cache[candidate] = table
                if self.bar is not None:
                    self.bar.update(1)
        return [self.cache[c] for c in candidates]


def _key(changes: dict) -> tuple:
    return tuple(sorted(changes.items()))


def _search(scorer: _Scorer, train: np.ndarray, base: dict) -> dict:
    """The changes from ``base`` that give the training sessions the best pooled F1.

    Three steps, each keeping a change only when it raises the F1: every value of every
    setting alone (the same candidates for every fold, scored in one go); the settings
    whose best value helped, added one at a time, the most helpful first; then each
    setting changed so far tried at the values next to its own, the others held.
    """

    def f1_of(table: np.ndarray) -> float:
        return float(_f1(table[train].sum(axis=0)))

    params = [(stage, name) for stage, name, _ in SEARCH]
    values = {(stage, name): sorted(set(v) | {base[(stage, name)]}) for stage, name, v in SEARCH}
    alone = [{p: v} for p in params for v in values[p] if v != base[p]]
    tables = scorer.counts([(), *(_key(o) for o in alone)])
    best = f1_of(tables[0])
    helped: dict = {}  # setting -> (its best value alone, the F1 with it)
    for option, table in zip(alone, tables[1:], strict=True):
        ((param, value),) = option.items()
        score = f1_of(table)
        if score > best + 1e-9 and score > helped.get(param, (None, -1.0))[1] + 1e-9:
            helped[param] = (value, score)
    current: dict = {}
    for param in sorted(helped, key=lambda p: (-helped[p][1], params.index(p))):
        option = {**current, param: helped[param][0]}
        (table,) = scorer.counts([_key(option)])
        if (score := f1_of(table)) > best + 1e-9:
            current, best = option, score
    for param in [p for p in params if p in current]:
        k = values[param].index(current[param])
        options = [
            {**current, param: v} if v != base[param] else
            {key: w for key, w in current.items() if key != param}
            for v in values[param][max(k - 1, 0) : k + 2] if v != current[param]
        ]  # fmt: skip
        for option, table in zip(options, scorer.counts([_key(o) for o in options]), strict=True):
            if (score := f1_of(table)) > best + 1e-9:
                current, best = option, score
    return current


# -- the tuning -------------------------------------------------------------------------
def _with_thresholds(sessions: list[TuneSession], settings: Settings) -> list[TuneSession]:
    """The sessions with ``settings``' rest and detector thresholds (their recordings' own
    facts kept)."""
    return [
        dataclasses.replace(
            s, settings=s.settings.replace(rest=settings.rest, detector=settings.detector)
        )
        for s in sessions
    ]


def _subject_of(sessions: list[TuneSession]) -> tuple[list[str], np.ndarray]:
    """The subjects, sorted, and each session's index among them."""
    subjects = sorted({s.subject for s in sessions})
    return subjects, np.array([subjects.index(s.subject) for s in sessions])


def _draws(n_subjects: int, seed: int) -> np.ndarray:
    """:data:`BOOTSTRAP` resamples of subjects (indices), seeded."""
    return np.random.default_rng(seed).integers(0, n_subjects, (BOOTSTRAP, n_subjects))


def _folds(subjects: list[str], n_folds: int, seed: int) -> list[list[str]]:
    """Subjects dealt into ``n_folds`` folds (shuffled with ``seed``)."""
    order = sorted(subjects)
    np.random.default_rng(seed).shuffle(order)
    return [sorted(order[k::n_folds]) for k in range(n_folds)]


def _with_intervals(per_subject: np.ndarray, draws: np.ndarray) -> dict:
    """Pooled figures of per-subject counts, each with its 95% bootstrap interval."""
    point = _figures(per_subject.sum(axis=0))
    sums = per_subject[draws].sum(axis=1)  # (resamples, 4)
    samples = [_figures(row) for row in sums]
    out = {}
    for key, value in point.items():
        values = np.array([s[key] for s in samples], float)
        values = values[np.isfinite(values)]
        low, high = np.percentile(values, [2.5, 97.5]) if len(values) else (np.nan, np.nan)
        out[key] = {"value": _round(value), "ci95": [_round(low), _round(high)]}
    return out


def _round(value: float) -> float | None:
    return round(float(value), 4) if value is not None and math.isfinite(value) else None


def tune(
    sessions: list[TuneSession],
    base: Settings | None = None,
    *,
    n_folds: int = 5,
    tolerance_s: float = 0.3,
    workers: int = 1,
    seed: int = 0,
    progress: bool = False,
) -> dict:
    """Tune the searched settings (:data:`SEARCH`) on annotated sessions, cross-validated
    by subject.

    Parameters
    ----------
    sessions : list of TuneSession
        The annotated sessions (:func:`load_sessions`).
    base : Settings, optional
        The settings to start from and to beat (the defaults when omitted).
    n_folds : int
        Folds of subjects (fewer when there are fewer subjects: one subject each).
    tolerance_s : float
        Slack at either end of a burst when matching (as ``evaluate``).
    workers : int
        Processes that re-detect sessions side by side.
    seed : int
        Seed of the folds and the bootstrap (the same seed, the same result).
    progress : bool
        Show a progress bar on stderr.

    Returns
    -------
    dict
        ``n_sessions``, ``n_subjects``, ``n_true``, ``folds`` (per fold: its subjects,
        the values chosen on the others, the defaults' and the tuned figures on its
        own), ``pooled`` (out of fold: ``defaults``, ``tuned``, each figure with a 95%
        interval over subjects, and ``f1_gain`` with its interval), ``chosen`` (the
        values chosen on all sessions, as written), ``stability`` (per setting, how many
        folds chose each value), ``write`` (whether the tuned settings beat the
        defaults out of fold) and ``reason`` (why, in a sentence).

    Raises
    ------
    HFSDetectError
        Fewer than :data:`MIN_SUBJECTS` subjects or :data:`MIN_BURSTS` annotated bursts.
    """
    from ..session.settings import Settings

    base = base or Settings()
    check_number("folds", n_folds, minimum=2, integer=True)
    check_number("tolerance_s", tolerance_s, minimum=0.0)
    check_number("workers", workers, minimum=1, integer=True)
    subjects, of_subject = _subject_of(sessions)
    n_true = int(sum(len(s.truth) for s in sessions))
    if len(subjects) < MIN_SUBJECTS:
        raise HFSDetectError(
            f"too few subjects to tune on: {len(subjects)} annotated subject(s) "
            f"({len(sessions)} session(s)); at least {MIN_SUBJECTS} are needed, so that each "
            "fold chooses on 4 or more other people and a gain is not one person's"
        )
    if n_true < MIN_BURSTS:
        raise HFSDetectError(
            f"too few annotated bursts to tune on: {n_true}; at least {MIN_BURSTS} are "
            "needed (with fewer, one burst found or lost moves the F1 by 0.025 or more)"
        )
    base_values = {(stage, name): getattr(getattr(base, stage), name) for stage, name, _ in SEARCH}
    sessions = _with_thresholds(sessions, base)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=0, desc="settings tried", unit="setting", leave=False, disable=None)
    scorer = _Scorer(sessions, tolerance_s, workers, bar)
    try:
        folds = _folds(subjects, min(n_folds, len(subjects)), seed)
        (defaults,) = scorer.counts([()])
        oof = np.zeros_like(defaults)
        fold_rows = []
        for held in folds:
            test = np.isin(of_subject, [subjects.index(s) for s in held])
            chosen = _search(scorer, ~test, base_values)
            (table,) = scorer.counts([_key(chosen)])
            oof[test] = table[test]
            fold_rows.append({
                "subjects": held,
                "n_sessions": int(test.sum()),
                "chosen": _named(chosen),
                "defaults": _rounded(_figures(defaults[test].sum(axis=0))),
                "tuned": _rounded(_figures(table[test].sum(axis=0))),
            })  # fmt: skip
        final = _search(scorer, np.ones(len(sessions), bool), base_values)
    finally:
        scorer.close()
        if bar is not None:
            bar.close()
    by_subject = np.zeros((len(subjects), 2, 4))
    np.add.at(by_subject[:, 0], of_subject, defaults)
    np.add.at(by_subject[:, 1], of_subject, oof)
    draws = _draws(len(subjects), seed)
    pooled = {
        "defaults": _with_intervals(by_subject[:, 0], draws),
        "tuned": _with_intervals(by_subject[:, 1], draws),
    }
    sums = by_subject[draws].sum(axis=1)  # (resamples, 2, 4)
    gains = _f1(sums[:, 1]) - _f1(sums[:, 0])
    gain = float(_f1(by_subject[:, 1].sum(axis=0)) - _f1(by_subject[:, 0].sum(axis=0)))
    low, high = np.percentile(gains, [2.5, 97.5])
    gain, low, high = round(gain, 3), round(float(low), 3), round(float(high), 3)  # as printed
    pooled["f1_gain"] = {"value": gain, "ci95": [low, high]}
    per_subject = {
        name: {
            label: dict(zip(_COUNTS, (round(float(v), 3) for v in by_subject[k, j]), strict=True))
            for j, label in enumerate(("defaults", "tuned"))
        }
        for k, name in enumerate(subjects)
    }  # out of fold, each subject's counts
    write = bool(low > 0)
    if write:
        reason = (
            f"out of fold the tuned settings raise the F1 by {gain:+.3f} (95% interval "
            f"{low:+.3f} to {high:+.3f} over subjects)"
        )
    elif gain <= 0:
        reason = (
            f"out of fold the tuned settings do no better than the defaults (F1 {gain:+.3f}, "
            f"95% interval {low:+.3f} to {high:+.3f} over subjects)"
        )
    else:
        reason = (
            f"out of fold the tuned settings gain {gain:+.3f} in F1, but the 95% interval "
            f"over subjects ({low:+.3f} to {high:+.3f}) includes 0: a gain these "
            f"{len(subjects)} subjects cannot show"
        )
    stability = {}
    for stage, name, _ in SEARCH:
        key = f"{stage}.{name}"
        counts: dict = {}
        for row in fold_rows:
            value = row["chosen"].get(key, base_values[(stage, name)])
            counts[value] = counts.get(value, 0) + 1
        stability[key] = {"base": base_values[(stage, name)], "folds": counts}
    return {
        "n_sessions": len(sessions), "n_subjects": len(subjects), "n_true": n_true,
        "n_folds": len(folds), "tolerance_s": tolerance_s, "seed": seed,
        "n_settings_tried": len(scorer.cache),
        "folds": fold_rows, "pooled": pooled, "per_subject": per_subject,
        "chosen": _named(final), "stability": stability,
        "write": write, "reason": reason,
    }  # fmt: skip


def _named(changes: dict) -> dict:
    return {f"{stage}.{name}": value for (stage, name), value in sorted(changes.items())}


def _rounded(figures: dict) -> dict:
    return {k: _round(v) for k, v in figures.items()}


def tuned_settings(result: dict, base: Settings | None = None) -> Settings:
    """``base`` (the defaults) with the values :func:`tune` chose on all sessions.

    One recording's own facts in ``base`` (mirrored, rest intervals or steps given by
    hand) are left out: each session was tuned with its own.
    """
    from ..session.settings import Settings

    base = base or Settings()
    stages: dict[str, dict] = {}
    for key, value in result["chosen"].items():
        stage, name = key.split(".")
        stages.setdefault(stage, {})[name] = value
    general = Settings(engine=base.engine, model_path=base.model_path, max_faces=base.max_faces,
                       min_confidence=base.min_confidence, rest=base.rest,
                       detector=base.detector, blinks=base.blinks, verdict=base.verdict,
                       grading=base.grading)  # fmt: skip
    return general.replace(**stages)


def tuned_toml(result: dict, settings: Settings, made_from: str) -> str:
    """The tuned settings file's text: how it was made, in comments, then the settings."""
    from .. import __version__

    p = result["pooled"]
    d, t, g = p["defaults"]["f1"], p["tuned"]["f1"], p["f1_gain"]
    base = result.get("base", "the defaults")
    lines = [
        f"# Tuned by hfs-detect {__version__} tune on "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"# from {made_from}",
        f"# {result['n_sessions']} sessions of {result['n_subjects']} subjects, "
        f"{result['n_true']} annotated bursts; {result['n_folds']} folds grouped by subject.",
        f"# Out of fold: F1 {d['value']:.3f} with {base}, {t['value']:.3f} tuned, gain "
        f"{g['value']:+.3f} (95% interval {g['ci95'][0]:+.3f} to {g['ci95'][1]:+.3f} over "
        "subjects).",
        "# Changed: " + (", ".join(f"{k} = {v:g}" for k, v in result["chosen"].items()) or "none"),
        f"# settings_sha256 = {settings.key()} (what summary.json and cohort.csv record)",
        "",
    ]
    return "\n".join(lines) + settings.to_toml()


# -- text -------------------------------------------------------------------------------
def _cell(figure: dict, key: str = "value") -> str:
    value = figure[key]
    return "-" if value is None else f"{value:.3f}"


def _with_ci(figure: dict) -> str:
    low, high = figure["ci95"]
    if figure["value"] is None:
        return "-"
    if low is None:
        return f"{figure['value']:.3f}"
    return f"{figure['value']:.3f} ({low:.3f}-{high:.3f})"


def tune_lines(result: dict) -> list[str]:
    """:func:`tune`'s result as lines of text: per fold, pooled, chosen, the decision."""
    base = result.get("base", "the defaults")
    label = "defaults" if base == "the defaults" else "base"
    lines = [
        f"tuning on {result['n_sessions']} sessions of {result['n_subjects']} subjects "
        f"({result['n_true']} annotated bursts), {result['n_folds']} folds grouped by subject; "
        f"{result['n_settings_tried']} settings tried",
        "",
        f"per fold, on its held-out subjects: {label} -> tuned (chosen on the other folds)",
        f"{'fold':<5} {'held out':<22} {'F1':<13} {'precision':<13} {'recall':<13} "
        f"{'false/rest-min':<15} chosen",
    ]

    def pair(row: dict, key: str) -> str:
        a, b = row["defaults"][key], row["tuned"][key]
        return "-" if a is None or b is None else f"{a:.3f}->{b:.3f}"

    for k, row in enumerate(result["folds"], 1):
        held = ", ".join(row["subjects"])
        held = held if len(held) <= 22 else held[:19] + "..."
        chosen = ", ".join(f"{key.split('.')[1]} {v:g}" for key, v in row["chosen"].items())
        lines.append(
            f"{k:<5} {held:<22} {pair(row, 'f1'):<13} {pair(row, 'precision'):<13} "
            f"{pair(row, 'recall'):<13} {pair(row, 'false_per_rest_min'):<15} {chosen or base}"
        )
    p = result["pooled"]
    lines += [
        "",
        "pooled out of fold (95% intervals over subjects):",
        f"  {'':<9} {'F1':<20} {'precision':<20} {'recall':<20} false bursts/rest-min",
    ]
    for key, name in (("defaults", label), ("tuned", "tuned")):
        f = p[key]
        lines.append(
            f"  {name:<9} {_with_ci(f['f1']):<20} {_with_ci(f['precision']):<20} "
            f"{_with_ci(f['recall']):<20} {_with_ci(f['false_per_rest_min'])}"
        )
    g = p["f1_gain"]
    lines.append(f"  gain in F1 {g['value']:+.3f} ({g['ci95'][0]:+.3f} to {g['ci95'][1]:+.3f})")
    lines += ["", "chosen on all sessions (folds choosing each value):"]
    for key, item in result["stability"].items():
        value = result["chosen"].get(key, item["base"])
        folds = ", ".join(f"{v:g} in {n}" for v, n in sorted(item["folds"].items()))
        mark = "" if key not in result["chosen"] else f" (was {item['base']:g})"
        lines.append(f"  {key} = {value:g}{mark}; folds: {folds}")
    return lines


# -- evaluate --by subject --------------------------------------------------------------
def grouped_scores(
    sessions: list[TuneSession],
    settings: Settings | None = None,
    *,
    tolerance_s: float = 0.3,
    seed: int = 0,
    workers: int = 1,
) -> dict:
    """Per subject and pooled event scores, with 95% intervals over subjects.

    With ``settings``, the sessions' bursts are re-detected with its thresholds (their
    recordings' own facts kept); without, each session as it was analysed.
    """
    if settings is not None:
        sessions = _with_thresholds(sessions, settings)
    scorer = _Scorer(sessions, tolerance_s, workers, None)
    try:
        (table,) = scorer.counts([()])
    finally:
        scorer.close()
    subjects, of_subject = _subject_of(sessions)
    by_subject = np.zeros((len(subjects), 4))
    np.add.at(by_subject, of_subject, table)
    draws = _draws(len(subjects), seed)
    return {
        "n_sessions": len(sessions),
        "n_subjects": len(subjects),
        "subjects": {
            name: {
                "n_sessions": int((of_subject == k).sum()),
                **{c: int(v) if c != "rest_s" else round(float(v), 3)
                   for c, v in zip(_COUNTS, by_subject[k], strict=True)},
                **_rounded(_figures(by_subject[k])),
            }
            for k, name in enumerate(subjects)
        },
        "pooled": _with_intervals(by_subject, draws),
    }  # fmt: skip


def grouped_lines(result: dict) -> list[str]:
    """:func:`grouped_scores` as lines of text."""
    lines = [f"{'subject':<24} {'sessions':>8} {'true':>5} {'found':>6} {'matched':>8} {'F1':>6}"]
    for name, s in result["subjects"].items():
        lines.append(
            f"{name[:24]:<24} {s['n_sessions']:>8} {s['n_true']:>5} {s['n_predicted']:>6} "
            f"{s['n_matched']:>8} {s['f1']:>6.3f}"
        )
    p, n = result["pooled"], result["n_subjects"]
    show = _with_ci if n >= 2 else (lambda f: _cell(f))  # no interval over one subject
    lines.append(
        f"pooled over {n} subject{'s' if n != 1 else ''}"
        f"{' (95% intervals over subjects)' if n >= 2 else ''}: "
        f"F1 {show(p['f1'])}, precision {show(p['precision'])}, recall "
        f"{show(p['recall'])}, false bursts per rest-minute {show(p['false_per_rest_min'])}"
    )
    if n < MIN_SUBJECTS:
        lines.append(
            f"with {n} subject{'s' if n != 1 else ''} these figures say little about the "
            f"next patient (tune asks for {MIN_SUBJECTS} or more)"
        )
    return lines
