"""The shared face-mesh vocabulary: sides, regions, and each side's landmark indices."""

import dataclasses

from hfs_detect.face_mesh import N_LANDMARKS, REGIONS, SIDE_INDICES, SIDES


def test_sides_and_regions_are_the_contract_s():
    assert SIDES == ("left", "right")
    assert REGIONS == ("eye", "cheek", "mouth", "brow")  # events.csv joins them in this order


def test_each_side_s_landmarks_are_its_own():
    """The patient's left eye is MediaPipe's "left eye" (263, 362, 386, 374, ...), on the
    image's right in an unmirrored recording; the two sides never share a point."""
    left, right = SIDE_INDICES["left"], SIDE_INDICES["right"]
    assert (left.eye_outer, left.eye_inner, right.eye_outer) == (263, 362, 33)
    for field in dataclasses.fields(left):
        a, b = getattr(left, field.name), getattr(right, field.name)
        a, b = (a if isinstance(a, tuple) else (a,)), (b if isinstance(b, tuple) else (b,))
        assert not set(a) & set(b), field.name
        assert all(0 <= i < N_LANDMARKS for i in (*a, *b))
