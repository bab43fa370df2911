"""The live window's picture: a burst flag on the half of the mirrored preview where the
patient's side is, and the panel beside it."""

import numpy as np
import pytest

from hfs_detect.live.view import FLAG_BAND_PX, FLAG_BGR, PANEL_WIDTH_PX, LiveView, ViewState


@pytest.mark.parametrize(("side", "mirror", "on_left"),
                         [("left", True, True), ("right", True, False),
                          ("left", False, False), ("right", False, True)])  # fmt: skip
def test_the_flag_covers_the_patients_side_of_the_preview(side, mirror, on_left):
    """Mirrored (live), the patient's left is on the screen's left; as the camera saw it
    (an annotated recording), on the right."""
    view = LiveView(640, 480, mirror=mirror)
    picture = view.render(
        np.full((480, 640, 3), 90, np.uint8), None, ViewState(status="running", flag_side=side)
    )
    assert picture.shape == (480, view.preview_w + PANEL_WIDTH_PX, 3)
    band = np.all(picture[:FLAG_BAND_PX, : view.preview_w] == FLAG_BGR, axis=2)
    half = view.preview_w // 2
    left_red, right_red = band[:, : half - 3].mean(), band[:, half + 3 :].mean()
    assert max(left_red, right_red) > 0.8 and min(left_red, right_red) == 0.0  # one half
    assert (left_red > right_red) == on_left


def test_no_flag_is_drawn_without_a_burst():
    view = LiveView(640, 480)
    picture = view.render(np.full((480, 640, 3), 90, np.uint8), None, ViewState("running"))
    assert not np.all(picture[:FLAG_BAND_PX, : view.preview_w] == FLAG_BGR, axis=2).any()
