"""Frame sources: container timestamps, frame counts, clear errors."""

import cv2
import numpy as np
import pytest

from hfs_detect import HFSDetectError
from hfs_detect.landmarks.sources import open_camera, open_video, prefetch
from tests.conftest import data_path, write_video


def container_times_ms(path):
    cap = cv2.VideoCapture(str(path))
    times = []
    while cap.grab():
        times.append(cap.get(cv2.CAP_PROP_POS_MSEC))
    return np.array(times)


def test_variable_frame_rate_video_is_timed_by_its_container():
    path = data_path("pyfeat_face_noface.mov")  # 13.7 to 41.7 ms between frames
    with open_video(path) as source:
        frames = [(f.index, f.time_s) for f in source]
    times = np.array([t for _, t in frames])
    assert len(frames) == len(container_times_ms(path))
    np.testing.assert_allclose(times * 1000, container_times_ms(path), atol=1e-6)
    steps = np.diff(times)
    assert steps.min() < 0.02 and steps.max() > 0.035  # not index / fps
    assert [i for i, _ in frames] == list(range(len(frames)))


def test_frames_are_rgb_in_the_cameras_orientation(tmp_path):
    red = np.zeros((48, 64, 3), np.uint8)
    red[..., 0] = 220
    red[:, :8] = 0  # a dark band on the image's left
    path = write_video(tmp_path / "red.mp4", [red] * 5)
    with open_video(path) as source:
        frame = next(iter(source))
    assert frame.rgb.shape == (48, 64, 3)
    assert frame.rgb[24, 40, 0] > 150 and frame.rgb[24, 40, 2] < 60  # red stays red
    assert frame.rgb[24, 2].max() < 60  # left stays left


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "video not found"),
        (b"", "empty"),
        (b"this is a text file, not a video\n", "cannot decode"),
        (bytes(np.random.default_rng(0).integers(0, 256, 50_000, dtype=np.uint8)), "cannot decode"),
    ],
    ids=["missing", "empty", "text", "random-bytes"],
)
def test_bad_files_give_a_clear_error(tmp_path, content, message):
    path = tmp_path / "clip.mp4"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(HFSDetectError, match=message):
        open_video(path)


def test_a_folder_is_not_a_video(tmp_path):
    with pytest.raises(HFSDetectError, match="folder"):
        open_video(tmp_path)


def test_a_truncated_video_gives_the_frames_before_the_cut(tmp_path):
    whole = data_path("grid_bbaf2n.mpg")  # MPEG-PS: decodable up to the cut
    cut = tmp_path / "cut.mpg"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with open_video(cut) as source:
        n = sum(1 for _ in source)
    assert 10 < n < 75


def test_a_camera_that_does_not_exist_gives_a_clear_error():
    with pytest.raises(HFSDetectError, match="camera 57 could not be opened"):
        open_camera(57)


def test_prefetch_keeps_order_and_passes_errors_on():
    def frames():
        yield from range(20)
        raise ValueError("decoder broke")

    got = []
    with pytest.raises(ValueError, match="decoder broke"):
        for item in prefetch(frames(), maxsize=3):
            got.append(item)
    assert got == list(range(20))


def test_prefetch_stops_its_reader_when_the_consumer_stops_early():
    def frames():
        yield from range(10_000)

    reader_output = prefetch(frames(), maxsize=2)
    assert next(reader_output) == 0
    reader_output.close()  # must not hang


def with_rotation_90(path):
    """Set the MP4 track's display matrix to a 90 degree turn (what phones write)."""
    import struct

    data = bytearray(path.read_bytes())
    box = data.find(b"tkhd")
    assert box > 0 and data[box + 4] == 0  # version 0 track header
    matrix_at = box + 8 + 4 * 5 + 8 + 8
    assert struct.unpack(">9i", data[matrix_at : matrix_at + 36])[0] == 1 << 16
    data[matrix_at : matrix_at + 36] = struct.pack(
        ">9i", 0, 1 << 16, 0, -(1 << 16), 0, 0, 0, 0, 1 << 30
    )
    path.write_bytes(bytes(data))
    return path


def test_rotation_metadata_is_applied(tmp_path):
    picture = np.zeros((48, 64, 3), np.uint8)
    picture[:8, :, 0] = 255  # a red band along the top
    video = with_rotation_90(write_video(tmp_path / "phone.mp4", [picture] * 5))
    with open_video(video) as source:
        frame = next(iter(source))
        assert source.rotation_deg == 90
    assert (source.width, source.height) == (48, 64)
    assert frame.rgb.shape == (64, 48, 3)
    red = np.argwhere(frame.rgb[..., 0] > 200)
    assert red[:, 1].min() >= 38  # the top band is now along the right edge: turned upright
