"""Which engine runs and why; both engines give a frame's landmarks the same way, one at a
time or many at once."""

import importlib.util

import numpy as np
import pytest

from hfs_detect import HFSDetectError
from hfs_detect.landmarks import DEFAULT_ENGINE, ENGINES, engine_reason, open_landmarker
from hfs_detect.landmarks.sources import Frame


def test_litert_is_the_default_where_it_is_installed():
    installed = importlib.util.find_spec("ai_edge_litert") is not None
    assert DEFAULT_ENGINE == ("litert" if installed else "mediapipe")
    assert engine_reason(DEFAULT_ENGINE).startswith("the default")
    assert engine_reason("mediapipe").startswith("chosen (--engine mediapipe)") or (
        DEFAULT_ENGINE == "mediapipe"
    )


def test_an_unknown_engine_is_refused_by_name():
    with pytest.raises(HFSDetectError, match="unknown landmark engine 'tflite'"):
        open_landmarker("tflite")


@pytest.mark.parametrize("engine", ENGINES)
def test_many_frames_at_once_give_what_one_at_a_time_gives(astronaut, engine):
    """The LiteRT engine runs its blendshapes and head pose beside the next frame's face
    mesh; the landmarks, scores and pose must be exactly those of one frame at a time."""
    rng = np.random.default_rng(1)
    frames = []
    for i in range(12):  # the face sways a few pixels, with a frame of no face in the middle
        dx = int(rng.integers(-4, 5))
        picture = np.roll(astronaut, dx, axis=1) if i != 6 else np.zeros_like(astronaut)
        frames.append(Frame(i, i / 30, picture))
    with open_landmarker(engine) as landmarker:
        one_by_one = [landmarker.detect(frame) for frame in frames]
    with open_landmarker(engine) as landmarker:
        together = list(landmarker.detect_frames(iter(frames)))
    assert [f.index for f in together] == list(range(12))
    assert [f.face for f in together] == [f.face for f in one_by_one] == [i != 6 for i in range(12)]
    for a, b in zip(one_by_one, together, strict=True):
        for part in ("landmarks", "blendshapes", "matrix"):
            x, y = getattr(a, part), getattr(b, part)
            assert (x is None) == (y is None)
            if x is not None:
                np.testing.assert_array_equal(x, y)
