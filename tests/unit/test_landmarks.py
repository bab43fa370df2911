"""The shipped model and its checks; following one subject."""

import shutil

import numpy as np
import pytest

from hfs_detect import HFSDetectError, model_file
from hfs_detect.landmarks import MODEL_SHA256, Landmarker, default_model_path, resolve_model
from hfs_detect.sources import Frame


def test_the_shipped_model_is_found_and_its_checksum_matches():
    model = resolve_model()
    assert model.path.name == "face_landmarker.task"
    assert model.sha256 == MODEL_SHA256
    assert model.shipped


def test_a_damaged_shipped_model_is_refused(tmp_path, monkeypatch):
    damaged = tmp_path / "face_landmarker.task"
    data = bytearray(default_model_path().read_bytes())
    data[1000] ^= 0xFF
    damaged.write_bytes(bytes(data))
    monkeypatch.setattr(model_file, "default_model_path", lambda: damaged)
    monkeypatch.delenv("HFS_DETECT_MODEL", raising=False)
    with pytest.raises(HFSDetectError, match="damaged"):
        resolve_model()


def test_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(HFSDetectError, match="model not found"):
        resolve_model(tmp_path / "nothing.task")


def test_the_environment_variable_points_to_another_copy(tmp_path, monkeypatch):
    copy = tmp_path / "copy.task"
    shutil.copy(default_model_path(), copy)
    monkeypatch.setenv("HFS_DETECT_MODEL", str(copy))
    model = resolve_model()
    assert model.path == copy and model.sha256 == MODEL_SHA256


def test_a_file_that_is_not_a_model_cannot_be_loaded(tmp_path):
    junk = tmp_path / "junk.task"
    junk.write_bytes(b"not a model" * 100)
    with pytest.raises(HFSDetectError, match="cannot load the face landmark model"):
        Landmarker(junk)


def test_bad_options_name_the_option():
    with pytest.raises(HFSDetectError, match="max_faces"):
        Landmarker(max_faces=0)


@pytest.mark.parametrize("patient_on_right", [True, False])
def test_the_largest_face_is_followed_when_two_people_are_in_view(astronaut, patient_on_right):
    import cv2

    face = astronaut[16:304, 104:376]  # 288 x 272, head and shoulders
    other = cv2.resize(face, None, fx=0.75, fy=0.75)  # someone else, further away
    h, w = other.shape[:2]
    canvas = np.full((288, 544, 3), 128, np.uint8)
    patient_x, other_x = (272, 0) if patient_on_right else (0, 272)
    canvas[:, patient_x : patient_x + 272] = face
    top, left = (288 - h) // 2, other_x + (272 - w) // 2
    canvas[top : top + h, left : left + w] = other
    with Landmarker(max_faces=2) as landmarker:
        found = [landmarker.detect(Frame(i, i / 30, canvas)) for i in range(3)]
    assert all(f.face for f in found)
    assert found[0].n_faces == 2  # the choice at the start saw both people
    centre_x = [float(f.landmarks[:, 0].mean()) for f in found]
    assert all((x > 0.5) == patient_on_right for x in centre_x)


def test_someone_else_is_not_taken_for_the_patient_who_stepped_out(astronaut):
    face = astronaut[16:304, 104:376]
    patient_only = np.full((288, 544, 3), 128, np.uint8)
    patient_only[:, 272:] = face
    other_only = np.full((288, 544, 3), 128, np.uint8)
    other_only[:, :272] = face[:, ::-1]
    both = patient_only.copy()
    both[:, :272] = face[:, ::-1]
    scenes = [patient_only] * 4 + [other_only] * 4 + [both] * 4  # 30 fps: 0.13 s each
    with Landmarker() as landmarker:
        found = [landmarker.detect(Frame(i, i / 30, s)) for i, s in enumerate(scenes)]
    assert all(f.face and f.landmarks[:, 0].mean() > 0.5 for f in found[:4])
    assert not any(f.face for f in found[4:8])  # the other person is not the patient
    assert all(f.face and f.landmarks[:, 0].mean() > 0.5 for f in found[8:])
