"""Drawing a plan on a real face: the landmarks of the face, and an eye MediaPipe sees close."""

import numpy as np

from hfs_detect.synth.render import warp_face


def test_the_astronaut_has_one_face_of_478_landmarks(astronaut_points):
    assert astronaut_points.shape == (478, 2) or astronaut_points.shape == (478, 3)
    left_eye, right_eye = astronaut_points[263], astronaut_points[33]
    assert left_eye[0] > right_eye[0]  # the patient's left eye is on the image's right


def test_a_warped_left_eye_closes_and_the_right_stays(astronaut, astronaut_points):
    from hfs_detect.landmarks import open_landmarker
    from hfs_detect.landmarks.sources import Frame
    from hfs_detect.signals import frame_signals

    closed = warp_face(astronaut, astronaut_points, {"left": {"eye": 0.8}})
    apertures = []
    for picture in (astronaut, closed):
        with open_landmarker() as landmarker:
            found = landmarker.detect(Frame(0, 0.0, np.ascontiguousarray(picture)))
        columns = frame_signals(found, 512, 512, landmarker.blendshape_names)
        apertures.append((columns["eye_aperture_left"][0], columns["eye_aperture_right"][0]))
    (left_before, right_before), (left_after, right_after) = apertures
    assert left_after < 0.85 * left_before  # MediaPipe sees the left eye narrow
    assert abs(right_after - right_before) < 0.1 * right_before
