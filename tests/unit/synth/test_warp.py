"""The image warps: an identity leaves a picture as it was; closing one eye moves only that
eye's lids, towards each other."""

import numpy as np

from hfs_detect.synth.warp import apply_maps, close_eye_map, eyelid_curves, identity_maps


def test_the_identity_maps_leave_a_picture_as_it_was():
    picture = np.random.default_rng(0).integers(0, 255, (40, 60, 3), dtype=np.uint8)
    np.testing.assert_array_equal(apply_maps(picture, *identity_maps(40, 60)), picture)


def test_closing_one_eye_pulls_its_lids_together_and_leaves_the_other(astronaut_points):
    height, width = 512, 512
    map_x, map_y = identity_maps(height, width)
    before = map_y.copy()
    close_eye_map(map_y, astronaut_points, "left", 0.8)
    changed = np.abs(map_y - before) > 0.5
    xs, upper, lower = eyelid_curves(astronaut_points, "left")
    middle = int(xs[len(xs) // 2])
    column = np.flatnonzero(changed[:, middle])
    assert len(column) and upper.min() - 40 < column.min() and column.max() < lower.max() + 40
    other_xs, _, _ = eyelid_curves(astronaut_points, "right")
    assert not changed[:, int(other_xs.min()) : int(other_xs.max())].any()  # the right eye
