"""The annotated video's replay: the analysis's own frames and bursts, never another video's."""

import shutil

import pytest

from hfs_detect import HFSDetectError
from hfs_detect.live.replay import annotated_frames, write_annotated_video
from hfs_detect.live.view import LiveView
from hfs_detect.session import analyze_video, open_video
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def analysed(short_clip, tmp_path_factory):
    out = tmp_path_factory.mktemp("replay") / "out"
    analyze_video(short_clip, out)
    return out


def test_the_annotated_video_has_every_frame_and_the_view_drawn(analysed, short_clip, tmp_path):
    with open_video(short_clip) as clip:
        view = LiveView(clip.width, clip.height, mirror=False)
    path = write_annotated_video(analysed, path=tmp_path / "annotated.mp4")
    with open_video(path) as video:
        n_frames = sum(1 for _ in video)
        width, height = video.width, video.height
    assert n_frames == 270
    assert height == view.size[0]  # the preview and the panel beside it, the width made
    assert view.size[1] - 1 <= width <= view.size[1]  # even by the MPEG-4 encoder


def test_the_replay_refuses_another_video_s_frames(analysed, tmp_path):
    other = tmp_path / "other.mp4"
    shutil.copy(SAMPLES / "synthetic_hfs_right.mp4", other)
    with pytest.raises(HFSDetectError, match="is not the video .* was analysed from"):
        next(annotated_frames(analysed, other))
