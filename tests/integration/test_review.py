"""Reports in a real browser, ELAN/BORIS round trips, comparing sessions, annotated video."""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import cv2
import pandas as pd
import pytest

from hfs_detect.cli import main
from tests.conftest import SAMPLES

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--enable-logging=stderr", "--v=0",
]  # fmt: skip


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> Path:
    """An analyze output folder for the left-sided sample."""
    out = tmp_path_factory.mktemp("left")
    assert main(["analyze", str(SAMPLES / "synthetic_hfs_left.mp4"), "-o", str(out)]) == 0
    return out


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Chromium not installed (Debian: apt-get install chromium)")
    return found


def _render(page: Path, shot: Path, profile: Path) -> list[str]:
    """Load ``page`` in headless Chromium, screenshot it; return the console messages."""
    result = subprocess.run(
        [_chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1200,2400",
         f"--screenshot={shot}", page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shot.is_file(), result.stderr[-2000:]
    return [line for line in result.stderr.splitlines() if ":CONSOLE" in line]


def test_report_opens_in_chromium_without_console_errors(session, tmp_path):
    import cv2

    assert main(["report", str(session)]) == 0
    report = session / "report.html"
    text = report.read_text()
    assert "<script" not in text and "<link" not in text and 'src="http' not in text
    assert "data:image" not in text  # no face picture unless asked
    assert "unilateral_bursts" in text and "Screening aid, not a diagnosis" in text
    # the grading proxies, each with its definition
    assert "Grading (video proxies, not a diagnosis)" in text
    for item in ("Jankovic frequency (video proxy)", "SMC grade (video proxy)", "Savitzky-Golay"):
        assert item in text
    # the blinks: each eye's closure, and a raster naming how many of each kind
    blinks = pd.read_csv(session / "blinks.csv")
    assert "Blinks, per eye" in text
    assert f"grey: blink ({(blinks.kind == 'blink').sum()})" in text and len(blinks) >= 3
    # the check can fail: a page with a script error is caught
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><script>console.error('x'); nope();</script></body></html>")
    assert _render(broken, tmp_path / "broken.png", tmp_path / "p1")
    assert _render(report, tmp_path / "report.png", tmp_path / "p2") == []
    shot = cv2.imread(str(tmp_path / "report.png"))
    # the plots are drawn: the left side's orange traces and burst bars are on the page
    orange = (abs(shot[..., 2].astype(int) - 0xE8) < 12) & (
        abs(shot[..., 1].astype(int) - 0x87) < 12
    )
    assert orange.sum() > 2000
    shutil.copy(tmp_path / "report.png", session / "report.png")


def test_report_with_frames_embeds_one_face_per_burst(session, tmp_path):
    out = tmp_path / "copy"
    shutil.copytree(session, out)
    assert main(["report", str(out), "--with-frames"]) == 0
    n_events = len(pd.read_csv(out / "events.csv"))
    assert (out / "report.html").read_text().count("data:image/jpeg;base64,") == n_events >= 3


def test_annotated_video_has_every_frame(session, tmp_path):
    import cv2

    out = tmp_path / "copy"
    shutil.copytree(session, out)
    assert main(["report", str(out), "--annotated-video"]) == 0
    cap = cv2.VideoCapture(str(out / "annotated.mp4"))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == 600
    cap.release()


@pytest.mark.parametrize("suffix", [".eaf", ".boris"])
def test_review_file_round_trip_gives_the_same_events_and_f1_1(session, tmp_path, suffix, capsys):
    from hfs_detect.review.annotations import read_review

    review = tmp_path / f"review{suffix}"
    assert main(["export", str(session), str(review)]) == 0
    back = read_review(review)
    events = pd.read_csv(session / "events.csv")
    assert list(back.side) == list(events.side)
    assert list(back.regions) == list(events.regions) and list(back.kind) == list(events.kind)
    pd.testing.assert_series_equal(back.start_s, events.start_s.round(3), atol=1e-3)
    pd.testing.assert_series_equal(back.end_s, events.end_s.round(3), atol=1e-3)
    scores = tmp_path / "scores.json"
    assert main(["evaluate", str(session), str(review), "--json", str(scores)]) == 0
    assert json.loads(scores.read_text())["overall"]["f1"] == 1.0
    assert "was made for" not in capsys.readouterr().err  # its own video
    # the review of another video: scored, and said
    other = tmp_path / "other"
    other.mkdir()
    for name in ("events.csv", "frames.parquet", "frames.csv", "landmarks.npz"):
        if (session / name).exists():
            shutil.copy(session / name, other / name)
    summary = json.loads((session / "summary.json").read_text())
    summary["video"] = str(SAMPLES / "synthetic_hfs_right.mp4")
    (other / "summary.json").write_text(json.dumps(summary))
    assert main(["evaluate", str(other), str(review)]) == 0
    assert (
        f"review{suffix} was made for synthetic_hfs_left.mp4, not for other's video"
        in capsys.readouterr().err
    )


def test_a_corrected_elan_file_is_read_as_truth(session, tmp_path):
    """A reviewer deletes one burst and adds one on the other side: evaluate sees it."""
    import pympi

    review = tmp_path / "review.eaf"
    assert main(["export", str(session), str(review)]) == 0
    eaf = pympi.Elan.Eaf(str(review))
    first = sorted(eaf.get_annotation_data_for_tier("burst_left"))[0]
    eaf.remove_annotation("burst_left", (first[0] + first[1]) // 2)
    eaf.add_annotation("burst_right", 2000, 2600, "clonic")
    eaf.to_file(str(review))
    scores = tmp_path / "scores.json"
    assert main(["evaluate", str(session), str(review), "--json", str(scores)]) == 0
    overall = json.loads(scores.read_text())["overall"]
    n = len(pd.read_csv(session / "events.csv"))
    assert overall["n_true"] == n and overall["n_matched"] == n - 1


def test_compare_before_and_after(session, tmp_path, capsys):
    after = tmp_path / "right"
    assert main(["analyze", str(SAMPLES / "synthetic_hfs_right.mp4"), "-o", str(after)]) == 0
    plot, figures = tmp_path / "change.png", tmp_path / "change.json"
    args = ["compare", str(session), str(after), "--plot", str(plot), "--json", str(figures)]
    assert main(args) == 0
    result = json.loads(figures.read_text())
    left = result["changes"]["events_per_rest_min_left"]
    right = result["changes"]["events_per_rest_min_right"]
    assert left["before"] > 0 and left["after"] == 0 and left["change_pct"] == -100.0
    assert right["before"] == 0 and right["after"] > 0
    assert result["side"] == "dominant side left -> right"
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    printed = capsys.readouterr()
    assert "bursts per rest-minute" in printed.out and "SMC grade (video proxy)" in printed.out
    # graded on the first visit's side: the right-sided session has no left pattern...
    assert result["affected_side"] == "left"
    # ...and a full pattern on the other side is said, not read as -100%
    assert "shows a pattern of bursts on the right, but the left side is graded" in printed.err
    assert result["changes"]["spasm_fraction"]["change_pct"] is None  # in points
    assert result["changes"]["bursts_with_eye"]["change_pct"] is None  # a count
    assert result["changes"]["grading_jankovic_frequency"]["before"] > 0
    assert result["changes"]["grading_jankovic_frequency"]["after"] == 0
    assert result["changes"]["grading_smc_grade"]["after"] is None
    # judged against the right-sided session as the pre-treatment visit: the right side
    assert main([*args[:3], "--baseline", str(after), "--json", str(figures)]) == 0
    result = json.loads(figures.read_text())
    assert result["affected_side"] == "right"
    assert result["changes"]["grading_jankovic_frequency"]["before"] == 0
    assert result["changes"]["grading_jankovic_frequency"]["after"] > 0


def test_compare_counts_bursts_at_rest_not_provoked_ones(session, tmp_path):
    """The same video with a provocation step over its bursts: they are provoked, so the
    visit has fewer bursts at rest, and compare says so (it does not grade them as rest)."""
    provoked = tmp_path / "provoked"
    provoked.mkdir()
    shutil.copy(session / "landmarks.npz", provoked)  # MediaPipe ran there
    args = ["analyze", str(SAMPLES / "synthetic_hfs_left.mp4"), "-o", str(provoked)]
    assert main([*args, "--steps", "closure=0:06-0:09"]) == 0
    summary = json.loads((provoked / "summary.json").read_text())
    assert summary["n_provoked_events"] > 0
    figures = tmp_path / "change.json"
    assert main(["compare", str(session), str(provoked), "--json", str(figures)]) == 0
    result = json.loads(figures.read_text())
    after = result["after"]
    assert after["n_events"] == summary["n_events"]  # at rest only
    n_left = after["events_per_rest_min_by_side"]["left"] * summary["rest_s"] / 60
    assert n_left == pytest.approx(summary["n_events"], abs=0.01)  # all the sample's are left
    assert after["grading"]["bursts_per_rest_hour"] == summary["grading"]["bursts_per_rest_hour"]
    change = result["changes"]["grading_jankovic_frequency"]
    assert change["change_pct"] is None  # a band is ordinal: steps, not percent


def test_export_to_an_unknown_format_gives_one_line(session, tmp_path, capsys):
    assert main(["export", str(session), str(tmp_path / "review.txt")]) == 1
    assert capsys.readouterr().err.strip() == (
        "hfs-detect: error: export to .eaf (ELAN) or .boris (BORIS), not review.txt"
    )


def _frame(path, index):
    from hfs_detect.landmarks.sources import open_video

    with open_video(path) as source:
        for i, frame in enumerate(source):
            if i == index:
                return frame.rgb.astype(float)


def test_a_mirrored_recording_is_drawn_and_cropped_on_the_face(tmp_path, archive):
    """A selfie recording (every frame flipped, black margin on its right) analysed with
    --mirrored: the annotated video shows the frames flipped back with the landmarks of the
    ordinary recording, and the report's face crops show the face, not the margin."""
    import numpy as np

    from hfs_detect import analyze_video
    from hfs_detect.landmarks.sources import open_video
    from hfs_detect.landmarks.track import load_track
    from hfs_detect.live.replay import annotated_frames
    from hfs_detect.report import write_report
    from tests.conftest import write_video

    sample, margin = SAMPLES / "synthetic_hfs_left.mp4", 192
    with open_video(sample) as source:
        flipped = write_video(tmp_path / "selfie.mp4", (np.pad(
            f.rgb[:, ::-1], ((0, 0), (0, margin), (0, 0))) for f in source))  # fmt: skip
    analyze_video(flipped, tmp_path / "out", mirrored=True)
    plain = load_track(archive[0] / "synthetic_hfs_left" / "landmarks.npz")
    original = _frame(sample, 100)
    height, width = original.shape[:2]
    for i, (rgb, landmarks, _, _, _) in enumerate(annotated_frames(tmp_path / "out")):
        if i == 100:
            assert np.abs(rgb[:, margin:] - original).mean() < 8  # as recorded, codec aside
            ours = landmarks[:, :2] * [width + margin, height]
            expected = plain.landmarks[100][:, :2] * [width, height] + [margin, 0]
            shift_px = np.linalg.norm(ours - expected, axis=1)
            assert np.median(shift_px) < 3, np.median(shift_px)  # mirrored wrongly: ~190 px
            break
    html = write_report(tmp_path / "out", with_frames=True).read_text()
    crops = re.findall(r"data:image/jpeg;base64,([A-Za-z0-9+/=]+)", html)
    assert crops, "no face crops in the report"
    for crop in crops:
        face = cv2.imdecode(np.frombuffer(base64.b64decode(crop), np.uint8), cv2.IMREAD_GRAYSCALE)
        assert face.mean() > 90  # a lit face (137 here), not the margin (38 when cut there)


def test_a_report_from_another_video_is_refused_before_anything_is_written(tmp_path, archive):
    out = tmp_path / "out"
    shutil.copytree(archive[0] / "synthetic_hfs_left", out)
    (out / "report.html").unlink(missing_ok=True)
    other = SAMPLES / "synthetic_hfs_right.mp4"
    code = main(["report", str(out), "--video", str(other), "--with-frames"])
    assert code == 1
    assert not (out / "report.html").exists()


def test_the_annotated_video_with_rest_intervals_shows_the_bursts_of_events_csv(tmp_path, archive):
    from hfs_detect.live.replay import annotated_frames
    from hfs_detect.session.outputs import load_session

    out = tmp_path / "out"
    out.mkdir()
    shutil.copy(archive[0] / "synthetic_hfs_left" / "landmarks.npz", out)
    assert main(["analyze", str(SAMPLES / "synthetic_hfs_left.mp4"), "-o", str(out),
                 "--rest", "0:05-0:12"]) == 0  # fmt: skip
    events = load_session(out)[1]
    assert 0 < len(events) < 3  # the intervals leave out a burst the judged rest has
    shown = [e for *_, ended, _ in annotated_frames(out) for e in ended]
    expected = list(zip(events.start_s, events.side, strict=True))
    assert [(e.start_s, e.side) for e in shown] == expected


@pytest.mark.parametrize("suffix", [".eaf", ".boris"])
def test_a_reviewed_blink_tier_is_scored_against_blinks_csv(session, tmp_path, suffix, capsys):
    import pympi

    from hfs_detect.synth.plan import plan_session

    # the sample's planned blinks (samples/make_samples.py), and one the eyes never made
    plan = plan_session(20.0, side="left", n_spasms=4, n_blinks=5, seed=3)
    spans = [(b.start_s, b.start_s + b.duration_s) for b in plan.blinks] + [(8.5, 8.7)]
    review = tmp_path / f"blinks{suffix}"
    if suffix == ".eaf":
        eaf = pympi.Elan.Eaf()
        eaf.add_tier("blink")
        for start, end in spans:
            eaf.add_annotation("blink", int(start * 1000), int(end * 1000), "")
        eaf.to_file(str(review))
    else:
        rows = [[t, "", "blink", "", ""] for start, end in spans for t in (start, end)]
        review.write_text(json.dumps({"observations": {"visit": {"events": rows}}}))
    scores = tmp_path / "scores.json"
    assert main(["evaluate", str(session), str(review), "--json", str(scores)]) == 0
    printed = capsys.readouterr().out
    assert "blinks: 5 of 6 true blinks found, 5 found" in printed
    assert "missed at 8.5 s" in printed
    assert json.loads(scores.read_text())["blinks"]["precision"] == 1.0
