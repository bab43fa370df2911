"""Review files a clinician corrects: BORIS round trip, the format chosen by suffix."""

from pathlib import Path

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


def _eaf(tmp_path, tiers: dict) -> Path:
    """An ELAN file with ``tiers`` (name -> [(start ms, end ms, value)]) and pympi's own
    empty ``default`` tier."""
    from hfs_detect.review.annotations import _pympi

    eaf = _pympi().Elan.Eaf()
    for name, annotations in tiers.items():
        eaf.add_tier(name)
        for start, end, value in annotations:
            eaf.add_annotation(name, start, end, value)
    path = tmp_path / "review.eaf"
    eaf.to_file(str(path))
    return path


def test_an_elan_file_without_a_burst_tier_names_its_tiers_and_the_ones_expected(tmp_path):
    from hfs_detect.review.annotations import read_elan

    path = _eaf(tmp_path, {"burst_left_日本": [(1000, 2000, "tonic")], "notes": []})
    with pytest.raises(HFSDetectError, match="no burst tier: its tiers are .*burst_left_日本.*"
                       "'notes'.*expected 'burst_left' and 'burst_right'"):  # fmt: skip
        read_elan(path)


def test_other_tiers_beside_the_burst_tiers_are_named_not_scored(tmp_path):
    from hfs_detect.review.annotations import read_elan

    path = _eaf(tmp_path, {"burst_left": [(1000, 2000, "tonic")], "twitch": [(3000, 3500, "")],
                           "rest": [(0, 900, "rest")]})  # fmt: skip
    notes: list[str] = []
    events = read_elan(path, notes)
    assert list(events.side) == ["left"]
    assert notes == ["review.eaf: tier(s) 'twitch' are not burst tiers: their annotations "
                     "are not scored"]  # fmt: skip


@pytest.mark.parametrize("damage", ["missing slot", "unaligned slot"])
def test_an_annotation_without_a_time_is_named(tmp_path, damage):
    from hfs_detect.review.annotations import read_elan

    path = _eaf(tmp_path, {"burst_left": [(1000, 2000, "tonic")]})
    text = path.read_text()
    if damage == "missing slot":
        damaged = text.replace('TIME_SLOT_REF2="ts3"', 'TIME_SLOT_REF2="ts9"')
    else:  # legal in ELAN: a slot whose time is left to be interpolated
        damaged = text.replace('TIME_SLOT_ID="ts3" TIME_VALUE="2000"', 'TIME_SLOT_ID="ts3"')
    assert damaged != text
    path.write_text(damaged)
    with pytest.raises(HFSDetectError, match="annotation a2 on tier 'burst_left' has no time"):
        read_elan(path)


def _boris(tmp_path, events) -> Path:
    import json

    path = tmp_path / "review.boris"
    path.write_text(json.dumps({"observations": {"visit": {"events": events}}}))
    return path


@pytest.mark.parametrize(
    ("events", "words"),
    [([[1.0, "", "twitch", "", ""], [2.0, "", "twitch", "", ""]],
      "no burst behaviour: its behaviours are 'twitch'; expected 'burst_left'"),
     ([["one", "", "burst_left", "", ""]], "event 1's time should be seconds from 0, but is 'one'"),
     ([[None, "", "burst_left", "", ""]], "event 1's time should be seconds from 0, but is None"),
     ([[-1.0, "", "burst_left", "", ""]], "event 1's time should be seconds from 0"),
     ([[1.0, ""]], "event 1 should be \\[time, subject, behaviour, ...\\]"),
     ({"1": [1.0, "", "burst_left"]}, "events should be a list of rows, but is dict")],
)  # fmt: skip
def test_a_boris_file_s_bad_events_are_named(tmp_path, events, words):
    with pytest.raises(HFSDetectError, match=words):
        read_boris(_boris(tmp_path, events))


def test_an_export_to_elan_leaves_no_backup_beside_it(tmp_path):
    write_outputs(small_analysis(), tmp_path / "visit")
    for _ in range(2):  # the second export replaces the first
        export_review(tmp_path / "visit", tmp_path / "review.eaf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review.eaf", "visit"]
