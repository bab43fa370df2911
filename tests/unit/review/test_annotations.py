"""Review files a clinician corrects: BORIS round trip, the format chosen by suffix."""

import pytest

from hfs_detect import HFSDetectError
from hfs_detect.review.annotations import export_review, read_boris, write_boris
from hfs_detect.session.outputs import write_outputs
from tests.unit.session.test_outputs import small_analysis
from tests.unit.test_events import burst


def test_a_boris_project_gives_back_its_bursts(tmp_path):
    events = [burst(), burst(start_s=3.0, end_s=3.4, side="right", regions=("cheek",))]
    path = write_boris(tmp_path / "review.boris", events, [(0.0, 5.0)],
                       video=tmp_path / "visit.mp4", duration_s=5.0, fps=30.0)  # fmt: skip
    back = read_boris(path)
    assert list(back.side) == ["left", "right"]
    assert list(back.start_s) == pytest.approx([1.0, 3.0], abs=1e-3)


def test_export_chooses_the_format_by_suffix_and_refuses_others(tmp_path):
    write_outputs(small_analysis(), tmp_path / "visit")
    path, n_bursts, n_rest, video = export_review(tmp_path / "visit", tmp_path / "r.boris")
    assert path.is_file() and n_bursts == 1 and n_rest == 1 and video.name == "visit.mp4"
    with pytest.raises(HFSDetectError, match=r"\.eaf \(ELAN\) or \.boris \(BORIS\)"):
        export_review(tmp_path / "visit", tmp_path / "r.txt")


def test_elan_finds_the_video_from_where_the_eaf_is_and_names_the_version(tmp_path):
    from hfs_detect import __version__
    from hfs_detect.review.annotations import write_elan

    video = tmp_path / "visit.mp4"
    video.write_bytes(b"")
    (tmp_path / "review").mkdir()
    text = write_elan(tmp_path / "review" / "x.eaf", [], [], video=video).read_text()
    assert 'RELATIVE_MEDIA_URL="../visit.mp4"' in text
    assert f'AUTHOR="hfs-detect {__version__}"' in text
