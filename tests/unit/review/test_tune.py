"""``hfs-detect tune`` on populations with a known answer (signal level, no video).

Each person is a still face at rest with their own eye widths and landmark jitter,
blinking every 3-5 s, with one-sided contractions (the eye narrowing and the mouth
corner rising together) every 4-5 s. In the *default* population the
contractions are the size the defaults were chosen for; in the *faint* one they
are a third of it (a milder patient group, a camera farther away), so the
defaults miss most of them: tuning must find that out of fold, and must not
claim a gain on the default population. The video-level check (faint spasms drawn
on real faces) is ``benchmarks/accuracy/eval_tune.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from hfs_detect import HFSDetectError
from hfs_detect.cli import main
from hfs_detect.events import Event
from hfs_detect.landmarks.track import LandmarkTrack
from hfs_detect.review.tune import MIN_SUBJECTS, TuneSession, subject_groups, tune
from hfs_detect.session import Settings
from hfs_detect.session.runner import SessionRunner, redetect
from tests.unit.test_detector import pulse, quiet_face

FPS = 15.0


def person_session(person: int, faint: bool, duration_s: float = 20.0):
    """One session of ``person``: its frames table and its true bursts."""
    rng = np.random.default_rng(1000 + person)
    own = np.random.default_rng(person)  # the person's own face
    eyes, jitter = own.uniform(0.26, 0.34, 2), own.uniform(0.003, 0.005)
    frames = quiet_face(duration_s, fps=FPS, eyes=tuple(eyes), eye_noise=jitter, rng=rng)
    frames.insert(0, "frame", np.arange(len(frames)))
    t = frames.time_s.to_numpy()
    for blink_s in np.arange(rng.uniform(1, 3), duration_s, rng.uniform(3, 5)):
        level = pulse(t, blink_s, 0.3, 0.1)
        frames["eye_aperture_left"] *= 1 - 0.9 * level
        frames["eye_aperture_right"] *= 1 - 0.9 * level
    side = "left" if person % 2 == 0 else "right"
    truth = []
    for start_s in np.arange(6.0, duration_s - 2, 4.5) + rng.uniform(-0.5, 0.5):
        length_s = rng.uniform(0.6, 1.2)
        depth = rng.uniform(0.045, 0.07) if faint else rng.uniform(0.15, 0.3)
        mouth = rng.uniform(0.008, 0.014) if faint else rng.uniform(0.03, 0.06)
        level = pulse(t, start_s, length_s, 0.15)
        frames[f"eye_aperture_{side}"] *= 1 - depth * level
        frames[f"mouth_eye_distance_{side}"] -= mouth * level
        frames[f"mouth_corner_height_{side}"] += mouth * level
        end_s = float(start_s + length_s)
        truth.append(Event(float(start_s), end_s, side, ("eye", "mouth"), "tonic"))
    return frames, truth


def population(faint: bool, people: int = 8) -> list[TuneSession]:
    sessions = []
    for person in range(people):
        frames, truth = person_session(person, faint)
        table = pd.DataFrame([(e.start_s, e.end_s, e.side) for e in truth],
                             columns=["start_s", "end_s", "side"])  # fmt: skip
        sessions.append(TuneSession(f"P{person:02d}_visit1", f"P{person:02d}", frames, table,
                                    Settings()))  # fmt: skip
    return sessions


def write_population(root, faint: bool, people: int):
    """Analysis folders (as analyze writes them) and truth files of a population."""
    from hfs_detect.events import events_to_frame

    analyses, truths = root / "analyses", root / "truths"
    truths.mkdir(parents=True)
    for person in range(people):
        frames, truth = person_session(person, faint)
        n = len(frames)
        runner = SessionRunner(Settings())
        runner.run_table(frames)
        track = LandmarkTrack(
            time_s=frames.time_s.to_numpy(), index=np.arange(n),
            landmarks=np.zeros((n, 478, 3), np.float32),
            blendshapes=np.zeros((n, 52), np.float32),
            matrices=np.tile(np.eye(4, dtype=np.float32), (n, 1, 1)),
            n_faces=np.ones(n, np.int16), meta={"width": 640, "height": 480},
        )  # fmt: skip
        name = f"P{person:02d}_visit1"
        runner.finish(track, frames, video=f"{name}.mp4").write(analyses / name)
        events_to_frame(truth).to_csv(truths / f"{name}.events.csv", index=False)
    return analyses, truths


def test_a_saved_session_redetected_with_its_settings_gives_its_bursts_back():
    """The tuner's replay is analyze's chain: the same bursts, with rest segmented anew or
    taken from an earlier replay with the same rest settings."""
    frames, _ = person_session(0, faint=False)
    runner = SessionRunner(Settings())
    runner.run_table(frames.copy())
    runner.close()
    events, rest_s, states = redetect(frames, Settings())
    assert events == runner.events and len(events) >= 3
    assert rest_s > 15
    lower = Settings().replace(detector={"threshold_z": 2.5})
    assert redetect(frames, lower, states)[0] == redetect(frames, lower)[0]


def test_tuning_a_faint_population_gains_out_of_fold_and_writes_the_settings(tmp_path, capsys):
    """8 people whose contractions are a third of the usual: the defaults find few; the
    thresholds chosen on the other folds' people find most on each fold's own, and the
    gain's interval over subjects excludes 0. The file written is a settings file that
    analyze reads, with how it was made."""
    analyses, truths = write_population(tmp_path, faint=True, people=8)
    out, report = tmp_path / "clinic.toml", tmp_path / "tune.json"
    code = main(["tune", str(analyses), str(truths), "-o", str(out), "--group-by", "prefix",
                 "--json", str(report)])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0
    result = json.loads(report.read_text())
    pooled = result["pooled"]
    assert result["n_subjects"] == 8 and result["write"]
    assert pooled["defaults"]["recall"]["value"] < 0.5  # the defaults' failure is visible
    assert pooled["tuned"]["f1"]["value"] > pooled["defaults"]["f1"]["value"] + 0.3
    assert pooled["f1_gain"]["ci95"][0] > 0
    assert "pooled out of fold" in printed and "tuned settings written to" in printed
    tuned = Settings.read(out)
    assert tuned.detector.threshold_z < Settings().detector.threshold_z
    assert tuned.source == str(out)
    assert "# Out of fold: F1" in out.read_text()
    assert f"# settings_sha256 = {tuned.key()}" in out.read_text()
    assert result["settings_sha256"] == tuned.key()  # what summary.json will record
    assert result["subjects"]["P03_visit1"] == "P03" and len(result["per_subject"]) == 8
    assert result["group_by"] == "prefix" and result["hfs_detect_version"]


def test_on_the_default_population_it_claims_no_gain(tmp_path):
    """The population the defaults fit: tuning shows no gain out of fold, so it says to
    keep the defaults and writes nothing."""
    result = tune(population(faint=False), workers=2)
    assert not result["write"]
    low, high = result["pooled"]["f1_gain"]["ci95"]
    assert low <= 0 <= high or result["pooled"]["f1_gain"]["value"] <= 0
    assert result["pooled"]["defaults"]["f1"]["value"] > 0.9
    assert "no better" in result["reason"] or "includes 0" in result["reason"]


def test_two_subjects_are_refused_in_one_line(tmp_path, capsys):
    analyses, truths = write_population(tmp_path, faint=True, people=2)
    out = tmp_path / "clinic.toml"
    assert main(["tune", str(analyses), str(truths), "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "too few subjects to tune on: 2" in err and f"at least {MIN_SUBJECTS}" in err
    assert not out.exists()
    with pytest.raises(HFSDetectError, match="too few subjects"):
        tune(population(faint=True, people=4))


def test_tune_never_writes_over_its_inputs_or_a_file_it_did_not_make(tmp_path, capsys):
    analyses, truths = write_population(tmp_path, faint=True, people=2)
    notes = tmp_path / "notes.toml"
    notes.write_text("visit notes, not settings\n")
    cases = [
        (["-o", str(truths / "P00_visit1.events.csv")], "one of tune's inputs"),
        (["-o", str(tmp_path / "a.toml"), "--json", str(tmp_path / "a.toml")], "same file"),
        (["-o", str(notes)], "is not a settings file"),
    ]
    for extra, words in cases:
        assert main(["tune", str(analyses), str(truths), *extra]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and words in err, err
    assert notes.read_text() == "visit notes, not settings\n"
    assert not (tmp_path / "a.toml").exists()
    assert (truths / "P00_visit1.events.csv").read_text().startswith("start_s")


def test_a_blank_template_never_replaces_an_annotation(tmp_path, capsys):
    analyses, _ = write_population(tmp_path, faint=False, people=1)
    annotated = tmp_path / "P00_visit1.eaf"
    assert main(["export", str(analyses / "P00_visit1"), str(annotated)]) == 0
    before = annotated.read_bytes()
    assert main(["export", str(analyses / "P00_visit1"), str(annotated), "--blank"]) == 1
    assert "exists" in capsys.readouterr().err and annotated.read_bytes() == before


def test_subjects_come_from_a_csv_by_folder_name_video_name_or_stem(tmp_path):
    sessions = {"visit_a": (tmp_path / "visit_a", "/v/P1_a.mp4"),
                "visit_b": (tmp_path / "visit_b", "/v/P1_b.mp4"),
                "visit_c": (tmp_path / "visit_c", "/v/P2_c.mp4")}  # fmt: skip
    table = tmp_path / "subjects.csv"
    table.write_text("video,subject\nvisit_a,P1\nP1_b.mp4,P1\nP2_c,P2\n")
    assert subject_groups(table, sessions) == {"visit_a": "P1", "visit_b": "P1", "visit_c": "P2"}
    assert subject_groups("prefix", {"P07_visit2": (None, "x.mp4")}) == {"P07_visit2": "P07"}
    assert subject_groups(None, sessions)["visit_c"] == "visit_c"
    table.write_text("video,subject\nvisit_a,P1\n")
    with pytest.raises(HFSDetectError, match="names no subject for 2 session"):
        subject_groups(table, sessions)
    table.write_text("video,subject\nvisit_a,P1\nvisit_b,P1\nvisit_c,P2\nvisit_a,P3\n")
    with pytest.raises(HFSDetectError, match="gives visit_a two subjects"):
        subject_groups(table, sessions)
    table.write_text("file,patient\nvisit_a,P1\n")
    with pytest.raises(HFSDetectError, match="needs a 'video' and a 'subject' column"):
        subject_groups(table, sessions)


def test_evaluate_by_subject_pools_over_subjects(tmp_path, capsys):
    """``evaluate --by subject`` on the same folders: per-subject rows and pooled figures
    with intervals; with --settings the saved analyses are re-detected first."""
    analyses, truths = write_population(tmp_path, faint=True, people=3)
    assert main(["evaluate", str(analyses), str(truths), "--by", "subject",
                 "--group-by", "prefix", "--json", str(tmp_path / "a.json")]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "P00" in printed and "pooled over 3 subjects" in printed
    clinic = Settings(detector={"threshold_z": 2.5, "region_z": 2.0}).write(tmp_path / "c.toml")
    assert main(["evaluate", str(analyses), str(truths), "--by", "subject",
                 "--settings", str(clinic), "--json", str(tmp_path / "b.json")]) == 0  # fmt: skip
    assert "re-detected with the thresholds of" in capsys.readouterr().out
    before, after = (json.loads((tmp_path / n).read_text()) for n in ("a.json", "b.json"))
    assert after["pooled"]["recall"]["value"] > before["pooled"]["recall"]["value"]
    assert after["settings_file"] == str(clinic) and before["settings_file"] is None


def test_blank_review_files_are_truths_paired_by_name(tmp_path, capsys):
    """``export --blank`` writes the tiers without the tool's bursts (to annotate blind);
    a folder of such .eaf and .boris files pairs with the analyses by name, and a file
    left blank is a session with no burst, not a file without burst tiers."""
    from hfs_detect.review.annotations import read_review
    from hfs_detect.review.evaluate import pair_sessions

    analyses, _ = write_population(tmp_path, faint=False, people=2)
    reviews = tmp_path / "reviews"
    reviews.mkdir()
    for name, suffix in (("P00_visit1", ".eaf"), ("P01_visit1", ".boris")):
        path = reviews / f"{name}{suffix}"
        assert main(["export", str(analyses / name), str(path), "--blank"]) == 0
        assert "0 bursts" in capsys.readouterr().out
        assert read_review(path).empty
    pairs = pair_sessions(analyses, reviews)
    assert {k: v[1].suffix for k, v in pairs.items()} == {"P00_visit1": ".eaf",
                                                         "P01_visit1": ".boris"}  # fmt: skip
    assert main(["evaluate", str(analyses), str(reviews)]) == 0
    assert "over 2 session(s)" in capsys.readouterr().out


def test_per_video_grouping_warns_when_names_look_like_one_persons_visits(tmp_path):
    from hfs_detect.review.tune import load_sessions

    analyses, truths = write_population(tmp_path, faint=False, people=2)
    (analyses / "P01_visit1").rename(analyses / "P00_visit2")
    (truths / "P01_visit1.events.csv").rename(truths / "P00_visit2.events.csv")
    sessions, notes = load_sessions(analyses, truths)
    assert sorted(s.subject for s in sessions) == ["P00_visit1", "P00_visit2"]
    assert any("share a prefix" in note and "--group-by prefix" in note for note in notes)
    sessions, notes = load_sessions(analyses, truths, "prefix")
    assert {s.subject for s in sessions} == {"P00"} and not notes
