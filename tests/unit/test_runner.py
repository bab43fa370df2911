"""The session runner: rows fed one by one give what the detector gives over the table."""

from hfs_detect.detector import detect_bursts
from hfs_detect.runner import SessionRunner, SessionSettings
from hfs_detect.signals import frame_rows
from tests.unit.test_detector import close_eyes, pull_mouth, quiet_face


def test_rows_fed_one_by_one_give_the_bursts_of_the_whole_table():
    frames = close_eyes(quiet_face(), 6.0, 0.6, 0.8, 0.05)
    frames = pull_mouth(frames, "right", 12.0, 0.8, amount=0.08)
    rest, events, _ = detect_bursts(frames)
    runner = SessionRunner()
    streamed, streamed_rest = [], []
    for row in frame_rows(frames):
        streamed += runner.process_row(row)
        streamed_rest.append(row.rest)
    streamed += runner.close()
    assert streamed == events == runner.events
    assert streamed_rest == list(rest)
    assert [e.side for e in events] == ["left", "right"]


def test_a_task_step_is_never_rest():
    runner = SessionRunner()
    rows = frame_rows(quiet_face(5.0))
    for row in rows:
        runner.process_row(row, rest_allowed=False, step="smile")
    assert not any(row.rest for row in rows)


def test_settings_round_trip_through_the_summary_block():
    settings = SessionSettings(mirrored=True, max_faces=2, rest_intervals_s=[(1.0, 4.5)])
    summary = {"mirrored": True, "parameters": settings.parameters()}
    assert SessionSettings.from_summary(summary) == settings
