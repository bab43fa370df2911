"""Following one subject, whatever engine finds the faces: the largest and most central at
the start, never someone else while the patient is away for a moment."""

import numpy as np
import pytest

from hfs_detect.landmarks import ENGINES, open_landmarker
from hfs_detect.landmarks.sources import Frame


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("patient_on_right", [True, False])
def test_the_largest_face_is_followed_when_two_people_are_in_view(
    astronaut, patient_on_right, engine
):
    import cv2

    face = astronaut[16:304, 104:376]  # 288 x 272, head and shoulders
    other = cv2.resize(face, None, fx=0.75, fy=0.75)  # someone else, further away
    h, w = other.shape[:2]
    canvas = np.full((288, 544, 3), 128, np.uint8)
    patient_x, other_x = (272, 0) if patient_on_right else (0, 272)
    canvas[:, patient_x : patient_x + 272] = face
    top, left = (288 - h) // 2, other_x + (272 - w) // 2
    canvas[top : top + h, left : left + w] = other
    with open_landmarker(engine, max_faces=2) as landmarker:
        found = [landmarker.detect(Frame(i, i / 30, canvas)) for i in range(3)]
    assert all(f.face for f in found)
    assert found[0].n_faces == 2  # the choice at the start saw both people
    centre_x = [float(f.landmarks[:, 0].mean()) for f in found]
    assert all((x > 0.5) == patient_on_right for x in centre_x)


@pytest.mark.parametrize("engine", ENGINES)
def test_someone_else_is_not_taken_for_the_patient_who_stepped_out(astronaut, engine):
    face = astronaut[16:304, 104:376]
    patient_only = np.full((288, 544, 3), 128, np.uint8)
    patient_only[:, 272:] = face
    other_only = np.full((288, 544, 3), 128, np.uint8)
    other_only[:, :272] = face[:, ::-1]
    both = patient_only.copy()
    both[:, :272] = face[:, ::-1]
    scenes = [patient_only] * 4 + [other_only] * 4 + [both] * 4  # 30 fps: 0.13 s each
    with open_landmarker(engine) as landmarker:
        found = [landmarker.detect(Frame(i, i / 30, s)) for i, s in enumerate(scenes)]
    assert all(f.face and f.landmarks[:, 0].mean() > 0.5 for f in found[:4])
    assert not any(f.face for f in found[4:8])  # the other person is not the patient
    assert all(f.face and f.landmarks[:, 0].mean() > 0.5 for f in found[8:])
