"""Guided protocols: the shipped one, TOML files, per-step figures."""

import numpy as np
import pytest

from hfs_detect import HFSDetectError
from hfs_detect.protocol import load_protocol, step_statistics
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
