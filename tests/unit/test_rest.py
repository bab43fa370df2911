"""Rest intervals by hand, and rest judged from the signals."""

import pytest

from hfs_detect import HFSDetectError
from hfs_detect.rest import RestSegmenter, parse_intervals
from hfs_detect.signals import signal_rows


def test_intervals_in_minutes_and_seconds():
    assert parse_intervals("0:10-1:30, 2:00-3:00") == [(10.0, 90.0), (120.0, 180.0)]
    assert parse_intervals("5-12.5") == [(5.0, 12.5)]


@pytest.mark.parametrize("text", ["3-1", "abc", "1:00", ""])
def test_bad_intervals_are_refused_with_an_example(text):
    with pytest.raises(HFSDetectError, match="rest interval"):
        parse_intervals(text)


def row(t, **over):
    base = {
        "time_s": t,
        "face": True,
        "head_speed_deg_s": 1.0,
        "head_shift_per_s": 0.02,
        "bs_jawOpen": 0.01,
        "bs_browInnerUp": 0.0,
        "bs_mouthSmile_left": 0.0,
        "bs_mouthSmile_right": 0.0,
    }
    base.update(over)
    return signal_rows({name: [value] for name, value in base.items()})[0]


def test_a_still_face_is_at_rest_and_a_turning_head_or_speech_is_not():
    rest = RestSegmenter()
    assert all(rest.update(row(i / 30)) for i in range(90))
    turning = [rest.update(row(3.0 + i / 30, head_speed_deg_s=80.0)) for i in range(30)]
    assert not any(turning[20:])  # the median speed of the last second is now high
    talking = RestSegmenter()
    states = [talking.update(row(i / 30, bs_jawOpen=0.05 + 0.2 * (i % 6 < 3))) for i in range(90)]
    assert not any(states[40:])


def test_a_clonic_train_lifting_the_closed_lips_stays_rest_but_quiet_speech_does_not():
    """The lower lip going up and down 4 times a second: with the lips together it is a
    corner-pulling spasm (rest goes on); with the lips parting it is speech (rest ends)."""

    def lip(i: int) -> float:
        return -1.0 + 0.02 * (i % 8 < 4)  # 4 Hz at 30 fps, 0.01 face units of spread

    spasm, speech = RestSegmenter(), RestSegmenter()
    pulled = [spasm.update(row(i / 30, lower_lip_height=lip(i), mouth_opening=0.01))
              for i in range(90)]  # fmt: skip
    talking = [
        speech.update(row(i / 30, lower_lip_height=lip(i), mouth_opening=0.01 + 2 * (lip(i) + 1.0)))
        for i in range(90)
    ]
    assert all(pulled)
    assert not any(talking[40:])
    unknown = RestSegmenter()  # a table without the opening: every swing counts, as speech
    states = [unknown.update(row(i / 30, lower_lip_height=lip(i))) for i in range(90)]
    assert not any(states[40:])


def test_a_resting_smile_is_rest_but_a_new_smile_is_not():
    rest = RestSegmenter()
    smiling = [
        rest.update(row(i / 30, bs_mouthSmile_left=0.8, bs_mouthSmile_right=0.8))
        for i in range(300)
    ]
    assert all(smiling[30:])  # her face smiles at rest: still rest
    fresh = RestSegmenter()
    states = [fresh.update(row(i / 30)) for i in range(300)]
    states += [
        fresh.update(row(10 + i / 30, bs_mouthSmile_left=0.7, bs_mouthSmile_right=0.7))
        for i in range(30)
    ]
    assert all(states[30:300]) and not any(states[300:])


def test_hand_given_rest_is_used_instead_and_needs_a_face():
    rest = RestSegmenter(intervals_s=[(1.0, 2.0)])
    assert not rest.update(row(0.5))
    assert rest.update(row(1.5, head_speed_deg_s=90.0))
    assert not rest.update(row(1.6, face=False))


def test_bad_rest_parameters_name_the_parameter():
    from hfs_detect.rest import RestParams

    with pytest.raises(HFSDetectError, match="window_s"):
        RestParams(window_s=-1)
