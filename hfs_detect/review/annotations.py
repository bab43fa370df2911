"""Clinician review: bursts and rest to ELAN and BORIS, and corrected files back.

ELAN (``.eaf``, written and read with pympi-ling) gets three tiers linked to the
video: ``burst_left``, ``burst_right`` (one annotation per burst, its value
``kind; regions; twitches=N; peak=Z; confidence=C; brow_raised=B``) and
``rest``. A clinician opens it beside the video, moves, deletes or adds
annotations on the burst tiers (a bare value such as ``clonic`` or an empty one
is fine), saves, and the file is read back as truth for ``hfs-detect evaluate``.

BORIS (``.boris``, the JSON project file BORIS opens) gets one media
observation with state behaviours ``burst_left``, ``burst_right`` and ``rest``
(START/STOP pairs) and the burst details in the comment. A corrected project
reads back the same way.
"""

from __future__ import annotations

import json
import math
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from .._atomic import atomic_path, write_text_atomic
from .._checks import HFSDetectError
from ..events import KINDS, Event, events_to_frame
from ..face_mesh import REGIONS, SIDES

__all__ = [
    "export_review",
    "write_elan",
    "read_elan",
    "write_boris",
    "read_boris",
    "read_review",
    "read_review_blinks",
]

BURST_TIERS = {side: f"burst_{side}" for side in SIDES}


class NoBurstTierError(HFSDetectError):
    """A reviewed file holds no burst tier (ELAN) or behaviour (BORIS)."""


REST_TIER = "rest"


def _value(event: Event) -> str:
    regions = "+".join(r for r in REGIONS if r in event.regions)
    return (
        f"{event.kind}; {regions}; twitches={event.n_twitches}; peak={event.peak:g}; "
        f"confidence={event.confidence:g}; brow_raised={str(event.brow_raised).lower()}"
    )


def _parse_value(text: str, start_s: float, end_s: float, side: str) -> Event:
    """An event from an annotation value; missing details take neutral defaults."""
    parts = [p.strip() for p in (text or "").replace(",", ";").split(";") if p.strip()]
    kind = next((p for p in parts if p in KINDS), None)
    regions: tuple[str, ...] = ()
    fields = {}
    for part in parts:
        if "=" in part:
            key, _, val = part.partition("=")
            fields[key.strip()] = val.strip()
        elif set(part.split("+")) <= set(REGIONS):
            regions = tuple(r for r in part.split("+") if r)

    def number(key, default, cast=float):
        try:
            return cast(fields[key])
        except (KeyError, ValueError):
            return default

    if kind is None:
        kind = "tonic" if end_s - start_s >= 0.5 else "clonic"
    return Event(
        start_s=start_s,
        end_s=end_s,
        side=side,
        regions=regions or ("eye",),
        kind=kind,
        n_twitches=number("twitches", 1, int),
        peak=number("peak", float("nan")),
        confidence=number("confidence", float("nan")),
        brow_raised=fields.get("brow_raised", "false").lower() == "true",
    )


# -- ELAN -------------------------------------------------------------------------------------


def _pympi():
    try:
        import pympi
    except ImportError:
        raise HFSDetectError("ELAN files need pympi-ling: pip install pympi-ling") from None
    return pympi


def write_elan(
    path: str | os.PathLike,
    events: list[Event],
    rest: list[tuple[float, float]],
    *,
    video: str | os.PathLike | None = None,
) -> Path:
    """Write bursts and rest segments to an ELAN ``.eaf`` linked to ``video``.

    Parameters
    ----------
    path : path-like
        The ``.eaf`` to write.
    events : list of Event
        The bursts (one annotation each, on ``burst_left``/``burst_right``).
    rest : list of (float, float)
        Rest segments in seconds (tier ``rest``).
    video : path-like, optional
        The video to link (absolute path written, so ELAN finds it).
    """
    from .. import __version__

    pympi = _pympi()
    eaf = pympi.Elan.Eaf(author=f"hfs-detect {__version__}")
    eaf.remove_tier("default")
    if video is not None:
        video = Path(video).resolve()
        relative = os.path.relpath(video, Path(path).resolve().parent)  # from the .eaf
        relative = relative if relative.startswith("..") else f"./{relative}"
        mime = {".mp4": "video/mp4", ".mov": "video/quicktime", ".mpg": "video/mpeg"}
        eaf.add_linked_file(video.as_uri(), relpath=relative,
                            mimetype=mime.get(video.suffix.lower(), "video/*"))  # fmt: skip
    for tier in (*BURST_TIERS.values(), REST_TIER):
        eaf.add_tier(tier)
    for event in events:
        start, end = _ms(event.start_s), max(_ms(event.end_s), _ms(event.start_s) + 1)
        eaf.add_annotation(BURST_TIERS[event.side], start, end, _value(event))
    for start_s, end_s in rest:
        if _ms(end_s) > _ms(start_s):
            eaf.add_annotation(REST_TIER, _ms(start_s), _ms(end_s), "rest")
    path = Path(path)
    with atomic_path(path) as tmp:
        tmp.unlink()  # pympi renames a file it finds in its way to a .bak beside it
        eaf.to_file(str(tmp))
    return path


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000.0))


def read_elan(path: str | os.PathLike, notes: list[str] | None = None):
    """Bursts from an ELAN file (tiers ``burst_left``/``burst_right``) as an events table.

    Tier names are matched without regard to case; ``spasm_left`` and ``left``
    are accepted too, so a file annotated by hand also reads. Other tiers than the
    ``rest`` tier are named in ``notes`` (when given): their annotations are not bursts.

    Raises
    ------
    HFSDetectError
        A file that is not ELAN's, one with no burst tier (naming the tiers it has and
        those expected), or an annotation without a time.
    """
    pympi = _pympi()
    path = Path(path)
    try:
        eaf = pympi.Elan.Eaf(str(path))
    except Exception as exc:  # pympi raises assorted XML errors
        raise HFSDetectError(f"cannot read ELAN file {path}: {exc}") from None
    tiers = list(eaf.get_tier_names())
    sides = {tier: _side_of_tier(tier) for tier in tiers}
    if not any(sides.values()):
        found = ", ".join(repr(t) for t in tiers) or "none"
        raise NoBurstTierError(
            f"{path} has no burst tier: its tiers are {found}; expected "
            f"{BURST_TIERS['left']!r} and {BURST_TIERS['right']!r} (or left, right, "
            "spasm_left, spasm_right)"
        )
    other = [t for t, side in sides.items() if side is None and t.strip().lower() != REST_TIER
             and not _is_blink_tier(t) and eaf.tiers[t][0]]  # holding annotations  # fmt: skip
    if other and notes is not None:
        notes.append(f"{path.name}: tier(s) {', '.join(repr(t) for t in other)} are not "
                     "burst tiers: their annotations are not scored")  # fmt: skip
    events = []
    for tier, side in sides.items():
        if side is None:
            continue
        for annotation, (begin, end, value, *_) in eaf.tiers[tier][0].items():
            times = [eaf.timeslots.get(slot) for slot in (begin, end)]
            if any(t is None for t in times):
                raise HFSDetectError(
                    f"{path}: annotation {annotation} on tier {tier!r} has no time (its time "
                    "slots are missing or unaligned): align it in ELAN"
                )
            events.append(_parse_value(value, times[0] / 1000.0, times[1] / 1000.0, side))
    return events_to_frame(sorted(events, key=lambda e: e.start_s))


def _side_of_tier(name: str) -> str | None:
    match = re.fullmatch(r"(?:burst|spasm|hfs)?[ _-]*(left|right)", name.strip().lower())
    return match.group(1) if match else None


# -- BORIS ------------------------------------------------------------------------------------


def write_boris(
    path: str | os.PathLike,
    events: list[Event],
    rest: list[tuple[float, float]],
    *,
    video: str | os.PathLike,
    duration_s: float,
    fps: float | None,
) -> Path:
    """Write a BORIS project (``.boris``) with one observation of ``video``.

    State behaviours ``burst_left``, ``burst_right`` and ``rest``; each burst's
    details are in the comment of its START event.
    """
    video = str(Path(video).resolve())
    ethogram = {
        str(k): {"type": "State event", "key": key, "code": code, "description": text,
                 "color": "", "category": "", "modifiers": {}, "excluded": "", "coding map": ""}
        for k, (key, code, text) in enumerate([
            ("l", BURST_TIERS["left"], "unilateral contraction burst, patient's left side"),
            ("r", BURST_TIERS["right"], "unilateral contraction burst, patient's right side"),
            ("s", REST_TIER, "face at rest"),
        ])
    }  # fmt: skip
    rows = []
    for event in events:
        code = BURST_TIERS[event.side]
        rows.append([round(event.start_s, 3), "", code, "", _value(event)])
        rows.append([round(event.end_s, 3), "", code, "", ""])
    for start_s, end_s in rest:
        rows += [
            [round(start_s, 3), "", REST_TIER, "", ""],
            [round(end_s, 3), "", REST_TIER, "", ""],
        ]
    rows.sort(key=lambda r: (r[0], r[2]))
    observation_id = Path(video).stem
    project = {
        "project_name": f"hfs-detect review of {observation_id}",
        "project_date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "project_description": "Bursts and rest found by hfs-detect, for review.",
        "project_format_version": "7.0",
        "time_format": "s",
        "subjects_conf": {},
        "behaviors_conf": ethogram,
        "observations": {
            observation_id: {
                "file": {str(k): ([video] if k == 1 else []) for k in range(1, 9)},
                "type": "MEDIA",
                "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
                "description": "hfs-detect",
                "time offset": 0.0,
                "events": rows,
                "independent_variables": {},
                "visualize_spectrogram": False,
                "visualize_waveform": False,
                "close_behaviors_between_videos": False,
                "media_info": {
                    "length": {video: round(float(duration_s), 3)},
                    "fps": {video: float(fps or 0.0)},
                    "hasVideo": {video: True},
                    "hasAudio": {video: False},
                    "offset": {"1": 0.0},
                },
            }
        },
        "behavioral_categories": [],
        "independent_variables": {},
        "coding_map": {},
        "behaviors_coding_map": [],
        "converters": {},
    }
    path = Path(path)
    write_text_atomic(path, json.dumps(project, indent=1) + "\n")
    return path


def read_boris(
    path: str | os.PathLike, observation: str | None = None, notes: list[str] | None = None
):
    """Bursts from a BORIS project's observation (the first, or ``observation``).

    Behaviours are matched as ELAN's tiers are (``burst_left``, ``left``, ...); others
    than ``rest`` are named in ``notes`` (when given).

    Raises
    ------
    HFSDetectError
        A file that is not a BORIS project, no burst behaviour (naming those it has and
        those expected), or an event row that is not ``[time, subject, behaviour, ...]``
        with a time in seconds.
    """
    path = Path(path)
    try:
        project = json.loads(path.read_text(encoding="utf-8"))
        observations = project["observations"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise HFSDetectError(f"cannot read BORIS project {path}: {exc}") from None
    if not isinstance(observations, dict) or not observations:
        raise HFSDetectError(f"BORIS project {path} has no observation")
    name = observation or sorted(observations)[0]
    if name not in observations:
        raise HFSDetectError(f"BORIS project {path} has no observation {name!r}")
    rows = (observations[name] or {}).get("events", [])
    if not isinstance(rows, list):
        raise HFSDetectError(
            f"{path}: observation {name!r}: events should be a list of rows, but is "
            f"{type(rows).__name__}"
        )
    checked = []
    for k, row in enumerate(rows):
        if not isinstance(row, list) or len(row) < 3:
            raise HFSDetectError(
                f"{path}: observation {name!r}: event {k + 1} should be [time, subject, "
                f"behaviour, ...], but is {row!r}"
            )
        time_s = row[0]
        if (
            isinstance(time_s, bool)
            or not isinstance(time_s, (int, float))
            or not (math.isfinite(time_s) and time_s >= 0)
        ):
            raise HFSDetectError(
                f"{path}: observation {name!r}: event {k + 1}'s time should be seconds from "
                f"0, but is {time_s!r}"
            )
        checked.append((float(time_s), str(row[2]), str(row[4]) if len(row) > 4 else ""))
    codes = sorted({code for _, code, _ in checked})
    # a template left blank (export --blank; no event but rest) whose ethogram defines
    # the burst behaviours is a session without burst, not a file without burst behaviours
    ethogram = project.get("behaviors_conf") if isinstance(project, dict) else None
    defined = [
        str(b.get("code", "")) for b in (ethogram or {}).values() if isinstance(b, dict)
    ] if isinstance(ethogram, dict) else []  # fmt: skip
    blank = not codes or all(c.strip().lower() == REST_TIER for c in codes)
    if not any(_side_of_tier(code) for code in [*codes, *(defined if blank else [])]):
        raise NoBurstTierError(
            f"{path}: observation {name!r} has no burst behaviour: its behaviours are "
            f"{', '.join(repr(c) for c in codes) or 'none'}; expected "
            f"{BURST_TIERS['left']!r} and {BURST_TIERS['right']!r} (or left, right)"
        )
    other = [c for c in codes if _side_of_tier(c) is None and c.strip().lower() != REST_TIER
             and not _is_blink_tier(c)]  # fmt: skip
    if other and notes is not None:
        notes.append(f"{path.name}: behaviour(s) {', '.join(repr(c) for c in other)} are not "
                     "burst behaviours: their events are not scored")  # fmt: skip
    open_at: dict[str, tuple[float, str]] = {}
    events = []
    for time_s, code, comment in sorted(checked, key=lambda r: r[0]):
        side = _side_of_tier(code)
        if side is None:
            continue
        if code in open_at:  # STOP: state events alternate START/STOP per code
            start_s, text = open_at.pop(code)
            events.append(_parse_value(text, start_s, time_s, side))
        else:
            open_at[code] = (time_s, comment)
    if open_at:
        raise HFSDetectError(
            f"BORIS project {path}: unpaired START for {', '.join(sorted(open_at))}"
        )
    return events_to_frame(sorted(events, key=lambda e: e.start_s))


def read_review(path: str | os.PathLike, notes: list[str] | None = None):
    """Bursts from a reviewed file: ``.eaf`` (ELAN) or ``.boris`` (BORIS); tiers or
    behaviours that are not bursts are named in ``notes`` (when given)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".eaf":
        return read_elan(path, notes)
    if suffix == ".boris":
        return read_boris(path, notes=notes)
    raise HFSDetectError(f"not an ELAN or BORIS file: {path}")


BLINK_TIER = "blink"
"""The tier (ELAN) or behaviour (BORIS) of annotated blinks, matched without regard to case
(``blinks`` too): one annotation per blink, both eyes."""


def _is_blink_tier(name: str) -> bool:
    return name.strip().lower() in ("blink", "blinks")


def read_review_blinks(path: str | os.PathLike):
    """The annotated blinks of an ELAN or BORIS file (its ``blink`` tier or behaviour), as a
    table of ``start_s`` and ``end_s``; None when it has no such tier.

    Raises
    ------
    HFSDetectError
        A file that cannot be read, or a blink without a time.
    """
    import pandas as pd

    path = Path(path)
    spans: list[tuple[float, float]] = []
    suffix = path.suffix.lower()
    if suffix == ".eaf":
        pympi = _pympi()
        try:
            eaf = pympi.Elan.Eaf(str(path))
        except Exception as exc:  # pympi raises assorted XML errors
            raise HFSDetectError(f"cannot read ELAN file {path}: {exc}") from None
        tiers = [t for t in eaf.get_tier_names() if _is_blink_tier(t)]
        if not tiers:
            return None
        for tier in tiers:
            for annotation, (begin, end, *_) in eaf.tiers[tier][0].items():
                times = [eaf.timeslots.get(slot) for slot in (begin, end)]
                if any(t is None for t in times):
                    raise HFSDetectError(
                        f"{path}: annotation {annotation} on tier {tier!r} has no time: "
                        "align it in ELAN"
                    )
                spans.append((times[0] / 1000.0, times[1] / 1000.0))
    elif suffix == ".boris":
        try:
            project = json.loads(path.read_text(encoding="utf-8"))
            observations = project["observations"]
            rows = observations[sorted(observations)[0]].get("events", [])
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise HFSDetectError(f"cannot read BORIS project {path}: {exc}") from None
        by_code: dict[str, list[float]] = {}
        for row in rows:
            if (
                isinstance(row, list)
                and len(row) > 2
                and _is_blink_tier(str(row[2]))
                and isinstance(row[0], (int, float))
                and not isinstance(row[0], bool)
            ):
                by_code.setdefault(str(row[2]), []).append(float(row[0]))  # fmt: skip
        if not by_code:
            return None
        for code, times in by_code.items():  # state events: START and STOP, per code
            times.sort()
            if len(times) % 2:
                raise HFSDetectError(
                    f"BORIS project {path}: unpaired START for {code!r} (blinks are state "
                    "events: a START and a STOP each)"
                )
            spans += list(zip(times[::2], times[1::2], strict=True))
    else:
        raise HFSDetectError(f"not an ELAN or BORIS file: {path}")
    return pd.DataFrame(sorted(spans), columns=["start_s", "end_s"])


REVIEW_SUFFIXES = {".eaf": "ELAN", ".boris": "BORIS"}


def review_media(path: str | os.PathLike) -> list[str]:
    """The media files a review file links (``[]`` if it names none or cannot be read)."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".eaf":
            eaf = _pympi().Elan.Eaf(str(path))
            return [m.get("MEDIA_URL", "") for m in eaf.media_descriptors if m.get("MEDIA_URL")]
        if path.suffix.lower() == ".boris":
            observations = json.loads(path.read_text(encoding="utf-8"))["observations"]
            return [
                str(f) for o in observations.values()
                for files in (o.get("file") or {}).values() for f in files
            ]  # fmt: skip
    except Exception:  # an unreadable file is reported by read_review
        return []
    return []


def export_review(
    out_dir: str | os.PathLike,
    path: str | os.PathLike,
    video: str | os.PathLike | None = None,
    *,
    blank: bool = False,
) -> tuple[Path, int, int, Path]:
    """Write an analysis folder's bursts and rest as a review file a clinician can correct.

    The format follows ``path``'s suffix: ``.eaf`` (ELAN) or ``.boris`` (BORIS).
    With ``blank``, the burst tiers are written empty: a template for annotating
    blind to what the tool found (the rest tier is kept, to show where to look).

    Returns
    -------
    (path, n_bursts, n_rest_segments, video)
        What was written, and the video it links to (the analysed one unless given).

    Raises
    ------
    HFSDetectError
        Another suffix, or a damaged analysis folder.
    """
    from ..events import events_from_frame
    from ..session import load_analysis, rest_segments

    path = Path(path)
    if path.suffix.lower() not in REVIEW_SUFFIXES:
        raise HFSDetectError(f"export to .eaf (ELAN) or .boris (BORIS), not {path.name}")
    analysis = load_analysis(out_dir)
    frames, recording = analysis.frames, analysis.summary.recording
    events = [] if blank else events_from_frame(analysis.events)
    rest = rest_segments(frames["time_s"].to_numpy(), frames["rest"].to_numpy(bool))
    video = Path(video or recording.video)
    if path.suffix.lower() == ".eaf":
        write_elan(path, events, rest, video=video)
    else:
        write_boris(path, events, rest, video=video, duration_s=recording.duration_s,
                    fps=recording.fps)  # fmt: skip
    return path, len(events), len(rest), video
