"""Guided protocols: the shipped one, TOML files, per-step figures."""

import numpy as np
import pytest

from hfs_detect import HFSDetectError
from hfs_detect.session.protocol import load_protocol, step_statistics
from tests.unit.test_detector import quiet_face
from tests.unit.test_events import burst


def test_the_default_protocol_starts_at_rest_and_has_task_steps():
    protocol = load_protocol("default")
    assert protocol.steps[0].rest
    assert any(not step.rest for step in protocol.steps)


def test_a_protocol_file_with_a_bad_step_is_refused_with_its_name(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\n[[step]]\nname = "rest"\nduration_s = -5\n')
    with pytest.raises(HFSDetectError, match="mine.toml"):
        load_protocol(path)


def test_bursts_are_counted_in_the_step_they_start_in():
    protocol = load_protocol("default")
    first, second = protocol.steps[0].name, protocol.steps[1].name
    frames = quiet_face(20.0)
    frames["step"] = np.where(frames.time_s < 10.0, first, second)
    rest = np.ones(len(frames), bool)
    events = [burst(start_s=2.0, end_s=2.5), burst(start_s=12.0, end_s=12.4, side="right")]
    steps = {s["step"]: s for s in step_statistics(frames, rest, events, protocol)}
    assert (steps[first]["events_left"], steps[first]["events_right"]) == (1, 0)
    assert (steps[second]["events_left"], steps[second]["events_right"]) == (0, 1)
    assert steps[first]["rest_s"] == pytest.approx(10.0, abs=0.05)


def test_the_default_protocol_has_a_pursing_and_a_forceful_closure_provocation():
    protocol = load_protocol("default")
    kinds = {step.provocation for step in protocol.steps}
    assert {"pursing", "closure"} <= kinds
    assert all(not step.rest for step in protocol.steps if step.provocation)


def test_an_unknown_provocation_or_a_resting_one_is_refused(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[[step]]\nname = "p"\nduration_s = 5\nprovocation = "frown"\n')
    with pytest.raises(HFSDetectError, match="unknown provocation 'frown'"):
        load_protocol(path)
    path.write_text('[[step]]\nname = "p"\nduration_s = 5\nprovocation = "smile"\nrest = true\n')
    with pytest.raises(HFSDetectError, match="not rest"):
        load_protocol(path)


def test_steps_parse_and_become_a_protocol_with_rest_around_them():
    from hfs_detect.session.protocol import parse_steps, steps_from_intervals

    steps = parse_steps("closure=1:00-1:10, pursing=30-40")
    assert steps == [("pursing", 30.0, 40.0), ("closure", 60.0, 70.0)]
    protocol = steps_from_intervals(steps)
    assert [s.name for s in protocol.steps] == ["rest_1", "pursing", "rest_2", "closure", "rest_3"]
    assert protocol.provoked_by(35.0).name == "pursing"
    assert protocol.provoked_by(44.0).name == "pursing"  # 5 s after the step
    assert protocol.provoked_by(46.0) is None
    cases = (("frown=1-2", "unknown kind 'frown'"), ("pursing", "KIND=START-END"),
             ("pursing=1-5,smile=4-8", "overlap"), ("AUTO", "or auto alone"),
             ("pursing=", "no interval after '='"),
             ("pursing=0:08-0:05", "invalid step 'pursing=0:08-0:05': the end"),
             ("smile=abc", "invalid step 'smile=abc': expected START-END"))  # fmt: skip
    for bad, message in cases:
        with pytest.raises(HFSDetectError, match=message) as raised:
            parse_steps(bad)
        assert "rest interval" not in str(raised.value)  # the option given is named


def test_steps_past_the_end_of_the_video_are_warned_about():
    from hfs_detect.session.protocol import step_warnings

    steps = [("smile", 5.0, 8.0), ("pursing", 15.0, 30.0), ("closure", 25.0, 30.0)]
    assert step_warnings(steps, 20.0) == [
        "step pursing 15-30 s ends after the video ends (20.0 s): cut short",
        "step closure 25-30 s starts after the video ends (20.0 s): left out",
    ]


def _provoked_run(frames, steps):
    from hfs_detect.session.protocol import step_statistics, steps_from_intervals
    from hfs_detect.session.runner import SessionRunner

    protocol = steps_from_intervals(steps)
    runner = SessionRunner(protocol=protocol)
    runner.run_table(frames)
    runner.close()
    rest = np.array(runner._rest_states)
    return runner.events, rest, step_statistics(frames.assign(step=runner._steps), rest,
                                                runner.events, protocol)  # fmt: skip


def test_a_spasm_provoked_by_pursing_is_reported_for_the_step_not_as_rest():
    from tests.unit.test_detector import close_eyes

    frames = close_eyes(quiet_face(40.0), 22.0, 0.8, 0.7, 0.05)  # left eye, 2 s after the step
    frames = close_eyes(frames, 32.0, 0.8, 0.7, 0.05)  # and at rest, later
    events, rest, steps = _provoked_run(frames, [("pursing", 15.0, 20.0)])
    assert [(e.side, e.provoked) for e in events] == [("left", True), ("left", False)]
    assert not rest[(frames.time_s >= 15.0) & (frames.time_s < 25.0)].any()  # step + 5 s
    by_name = {s["step"]: s for s in steps}
    assert (by_name["pursing"]["n_events"], by_name["pursing"]["events_left"]) == (1, 1)
    assert by_name["pursing"]["provocation"] == "pursing"
    assert by_name["rest_2"]["n_events"] == 1  # the resting one


def test_mouth_pursing_is_found_from_the_mouth_shape():
    from hfs_detect.session.protocol import find_pursing

    frames = quiet_face(30.0)
    t = frames.time_s
    for side in ("left", "right"):
        frames[f"mouth_midline_distance_{side}"] = np.where(t.between(10, 13), 0.40, 0.55)
    frames["bs_mouthPucker"] = np.where(t.between(10, 13), 0.8, 0.05)
    frames.loc[t.between(20, 20.5), "bs_mouthPucker"] = 0.9  # too brief: not a step
    (step,) = find_pursing(frames)
    assert step[0] == "pursing" and step[1] == pytest.approx(10.0, abs=0.05)
    assert step[2] == pytest.approx(13.0, abs=0.1)
    frames["bs_mouthPucker"] = 0.05  # the corners drawn in without a pucker: not pursing
    assert find_pursing(frames) == []


def test_a_protocol_ending_on_a_provocation_is_warned_about(tmp_path):
    assert load_protocol("default").warnings() == []  # it ends at rest
    path = tmp_path / "mine.toml"
    path.write_text(
        '[[step]]\nname = "calm"\nduration_s = 20\nrest = true\n'
        '[[step]]\nname = "smile"\nduration_s = 5\nprovocation = "smile"\n'
    )
    (warning,) = load_protocol(path).warnings()
    assert "ends with the provocation step 'smile'" in warning and "5 s after it" in warning
