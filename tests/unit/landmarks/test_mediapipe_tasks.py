"""MediaPipe's engine (the reference): it loads the shipped model and names bad input."""

import pytest

from hfs_detect import HFSDetectError
from hfs_detect.landmarks.mediapipe_tasks import Landmarker


def test_a_file_that_is_not_a_model_cannot_be_loaded(tmp_path):
    junk = tmp_path / "junk.task"
    junk.write_bytes(b"not a model" * 100)
    with pytest.raises(HFSDetectError, match="cannot load the face landmark model"):
        Landmarker(junk)


def test_bad_options_name_the_option():
    with pytest.raises(HFSDetectError, match="max_faces"):
        Landmarker(max_faces=0)
