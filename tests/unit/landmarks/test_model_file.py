"""The shipped model: found, its checksum checked, another copy by name; checked once."""

import shutil

import pytest

from hfs_detect import HFSDetectError
from hfs_detect.landmarks import MODEL_SHA256, default_model_path, model_file, resolve_model


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


def test_a_model_resolved_once_is_taken_as_it_is(monkeypatch):
    model = resolve_model()
    monkeypatch.setattr(model_file, "file_sha256", lambda path: pytest.fail("hashed again"))
    assert resolve_model(model) is model


def test_a_folder_given_as_the_model_is_refused_by_name(tmp_path):
    with pytest.raises(HFSDetectError, match="must be a .task file, not a folder"):
        resolve_model(tmp_path)
