"""How an output was made: versions, the model and its check, the engine and why."""

from hfs_detect import __version__
from hfs_detect.landmarks import DEFAULT_ENGINE, MODEL_SHA256
from hfs_detect.provenance import info_lines, provenance, versions


def test_versions_name_the_libraries_that_shape_results():
    found = versions()
    assert found["hfs_detect"] == __version__
    assert {"mediapipe", "litert", "opencv", "numpy", "pandas", "python"} <= set(found)


def test_a_record_names_the_model_and_when_it_was_made():
    record = provenance("/models/face_landmarker.task", MODEL_SHA256)
    assert record["model"] == {"path": "/models/face_landmarker.task", "sha256": MODEL_SHA256}
    assert record["created_utc"].endswith("+00:00")


def test_info_names_the_default_engine_and_the_checked_model():
    lines = info_lines()
    engine = next(line for line in lines if line.startswith("engine"))
    assert engine.split()[1].rstrip(",") == DEFAULT_ENGINE
    assert any("sha256 checked" in line for line in lines)
