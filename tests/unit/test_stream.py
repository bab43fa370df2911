"""The per-frame chain a live session drives gives what analyze gives over the table."""

from hfs_detect.detector import detect_bursts
from hfs_detect.stream import SessionStream
from tests.unit.test_detector import close_eyes, pull_mouth, quiet_face


def test_rows_fed_one_by_one_give_the_bursts_of_the_whole_table():
    frames = close_eyes(quiet_face(), 6.0, 0.6, 0.8, 0.05)
    frames = pull_mouth(frames, "right", 12.0, 0.8, amount=0.08)
    rest, events, _ = detect_bursts(frames)
    stream = SessionStream()
    streamed, streamed_rest = [], []
    for row in frames.to_dict("records"):
        at_rest, ended = stream.process_row(row)
        streamed_rest.append(at_rest)
        streamed += ended
    streamed += stream.finish()
    assert streamed == events
    assert streamed_rest == list(rest)
    assert [e.side for e in events] == ["left", "right"]


def test_a_task_step_is_never_rest():
    stream = SessionStream()
    states = [stream.process_row(row, rest_allowed=False)[0]
              for row in quiet_face(5.0).to_dict("records")]  # fmt: skip
    assert not any(states)
