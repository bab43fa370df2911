"""The live session's parts: a feed that never builds a backlog, and the end summary's lines."""

import time

import numpy as np

from hfs_detect.live.screening import FrameFeed, summary_lines
from hfs_detect.session import Frame
from hfs_detect.session.summary import LiveTiming, StepFigures
from tests.unit.session.test_summary import a_summary


def _frames(n: int, fps: float = 100.0):
    picture = np.zeros((4, 4, 3), np.uint8)
    return iter([Frame(i, i / fps, picture) for i in range(n)])


def test_a_feed_behind_the_camera_drops_old_frames_and_counts_them():
    feed = FrameFeed(_frames(30), realtime=True, drop_late=True).start()
    time.sleep(0.6)  # the consumer falls behind: 30 frames arrive in 0.3 s
    taken = []
    while not feed.finished:
        item = feed.get(0.05)
        if item is not None:
            taken.append(item[0].index)
    feed.close()
    assert feed.n_read == 30 and taken == [29]  # only the newest is kept
    assert feed.dropped == 29


def test_a_file_played_as_fast_as_possible_loses_no_frame():
    feed = FrameFeed(_frames(50), realtime=False, drop_late=False).start()
    taken = []
    while not feed.finished:
        item = feed.get(0.05)
        if item is not None:
            taken.append(item[0].index)
            time.sleep(0.001)
    feed.close()
    assert taken == list(range(50)) and feed.dropped == 0


def test_the_end_summary_names_the_verdict_steps_and_timing():
    summary = a_summary(verdict="unilateral_bursts", n_events=3, rest_s=120.0,
                        events_per_rest_min=1.5)  # fmt: skip
    summary.steps = [
        StepFigures(step="rest", rest_step=True, start_s=0.0, duration_s=60.0, rest_s=55.0,
                    n_events=1, events_per_rest_min=1.09),
        StepFigures(step="talk", rest_step=False, start_s=60.0, duration_s=20.0, rest_s=0.0,
                    n_events=0),
        StepFigures(step="smile", rest_step=False, start_s=80.0, duration_s=10.0, rest_s=0.0,
                    n_events=1, events_left=1, provocation="smile", after_s=5.0),
    ]  # fmt: skip
    summary.live = LiveTiming(source="camera0", camera=True, realtime=True, ended_by="stopped",
                              n_frames_read=900, n_frames_dropped=2, n_frames_analysed=898,
                              latency_ms_p50=9.1, latency_ms_p95=12.4)  # fmt: skip
    lines = summary_lines(summary)
    assert lines[0] == "verdict: unilateral_bursts (left side)"
    assert lines[1] == "bursts: 3 in 120 s of rest, 1.50 per rest-minute"
    assert lines[2] == "  rest: 1 burst, rest 55 s, 1.09/min"
    assert lines[3] == "  talk: task, not rest (bursts not looked for)"
    assert lines[4] == "  smile: 1 burst provoked (smile, during and 5 s after; L 1 R 0)"
    assert "dropped 2" in lines[5] and "p95 12.4 ms" in lines[5]
    assert lines[-1] == "screening aid, not a diagnosis"
