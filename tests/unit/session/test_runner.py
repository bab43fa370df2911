"""The session runner: one chain whatever feeds it. Rows one by one give what the detector
gives over the table; a file, a live feed and a replay of the saved analysis find the same
bursts; the runner finishes the analysis (steps, warnings, summary)."""

import numpy as np

from hfs_detect.detector import detect_bursts
from hfs_detect.session import Settings, analyze_video, open_video
from hfs_detect.session.runner import SessionRunner
from hfs_detect.signals import signal_rows
from tests.unit.test_detector import close_eyes, pull_mouth, quiet_face


def test_rows_fed_one_by_one_give_the_bursts_of_the_whole_table():
    frames = close_eyes(quiet_face(), 6.0, 0.6, 0.8, 0.05)
    frames = pull_mouth(frames, "right", 12.0, 0.8, amount=0.08)
    rest, events, _ = detect_bursts(frames)
    runner = SessionRunner()
    streamed, streamed_rest = [], []
    for row in signal_rows(frames):
        streamed += runner.process_row(row)
        streamed_rest.append(row.rest)
    streamed += runner.close()
    assert streamed == events == runner.events
    assert streamed_rest == list(rest)
    assert [e.side for e in events] == ["left", "right"]


def test_a_task_step_is_never_rest():
    runner = SessionRunner()
    rows = signal_rows(quiet_face(5.0))
    for row in rows:
        runner.process_row(row, rest_allowed=False, step="smile")
    assert not any(row.rest for row in rows)


def test_a_file_a_live_feed_and_a_replay_find_the_same_bursts(short_clip, tmp_path):
    from hfs_detect.live import run_live
    from hfs_detect.live.replay import annotated_frames

    offline = analyze_video(short_clip, tmp_path / "file")  # a file: the frames table
    with open_video(short_clip) as source:  # a live feed: one frame at a time
        live = run_live(source, tmp_path / "live", display=False).analysis
    replayed, ended = [], []
    for rgb, _, _, closed, _ in annotated_frames(tmp_path / "file"):  # the saved analysis
        ended += closed
        replayed.append(rgb is not None)
    sides = list(offline.events.side)
    assert sides == ["left", "left"]  # the clonic jerk at 5.9 s and the tonic burst at 7.3 s
    assert list(live.events.side) == [e.side for e in ended] == sides
    np.testing.assert_allclose(live.events.start_s, offline.events.start_s, atol=1e-6)
    np.testing.assert_allclose([e.start_s for e in ended], offline.events.start_s, atol=1e-6)
    assert sum(replayed) == offline.summary.recording.n_frames
    assert live.summary.statistics.rest_s == offline.summary.statistics.rest_s


def test_the_runner_finishes_steps_and_their_warnings(short_clip):
    """Steps given for a file are timed from its start; one past its end is warned about."""
    settings = Settings(steps="pursing=2-4,smile=8-12")
    analysis = analyze_video(short_clip, None, settings)
    summary = analysis.summary
    names = [step.step for step in summary.steps]
    assert names[:4] == ["rest_1", "pursing", "rest_2", "smile"]
    assert summary.protocol["name"] == "steps"
    assert any("step smile 8-12 s ends after the video ends" in w for w in summary.warnings)
    assert set(analysis.frames["step"]) >= {"rest_1", "pursing", "smile"}
    assert not analysis.frames.loc[analysis.frames.step == "pursing", "rest"].any()
