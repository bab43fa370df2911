"""The one event type and the events.csv columns."""

import math

import pytest

from hfs_detect.events import EVENT_COLUMNS, Event, events_from_frame, events_to_frame


def burst(**changes):
    fields = dict(start_s=1.0, end_s=1.6, side="left", regions=("eye", "mouth"), kind="tonic",
                  n_twitches=1, peak=9.5, confidence=0.93, brow_raised=True)  # fmt: skip
    fields.update(changes)
    return Event(**fields)


def test_a_table_has_the_contract_columns_in_order_even_when_empty():
    assert list(events_to_frame([]).columns) == list(EVENT_COLUMNS)
    table = events_to_frame([burst(), burst(start_s=3.0, end_s=3.2, side="right")])
    assert list(table.columns) == list(EVENT_COLUMNS)
    assert list(table.side) == ["left", "right"]
    assert table.regions[0] == "eye+mouth"
    assert math.isclose(table.duration_s[0], 0.6)


def test_events_come_back_from_their_table_unchanged():
    events = [burst(), burst(start_s=3.0, end_s=3.2, side="right", regions=("cheek",))]
    assert events_from_frame(events_to_frame(events)) == events


@pytest.mark.parametrize(
    ("row", "words"),
    [({"start_s": "nan"}, "line 2: start_s should be a time in seconds from 0, but is 'nan'"),
     ({"start_s": -1.0}, "start_s should be a time in seconds from 0, but is -1.0"),
     ({"end_s": "inf"}, "end_s should be a time in seconds from 0"),
     ({"end_s": 0.5}, "end_s should be at or after its start_s \\(1\\), but is 0.5"),
     ({"end_s": 99.0}, "end_s should be within the video \\(20 s long\\), but is 99.0"),
     ({"side": "both"}, "side should be left or right, but is 'both'"),
     ({"side": "LEFT"}, "side should be left or right, but is 'LEFT'"),
     ({"kind": "myoclonic"}, "kind should be tonic or clonic"),
     ({"n_twitches": "three"}, "n_twitches should be a whole number from 0, but is 'three'"),
     ({"regions": "eye+nose"}, "regions should be joined from eye\\+cheek\\+mouth\\+brow")],
)  # fmt: skip
def test_an_impossible_burst_is_named_with_its_file_line_and_column(row, words):
    import pandas as pd

    from hfs_detect import HFSDetectError
    from hfs_detect.events import check_events

    good = {"start_s": 1.0, "end_s": 1.5, "duration_s": 0.5, "side": "left", "regions": "eye",
            "kind": "tonic", "n_twitches": 1}  # fmt: skip
    table = pd.DataFrame([good, {**good, **row}]).iloc[[1, 0]].reset_index(drop=True)
    with pytest.raises(HFSDetectError, match=words) as caught:
        check_events(table, "visit/events.csv", duration_s=20.0)
    assert str(caught.value).startswith("visit/events.csv: line 2: ")


def test_more_bursts_than_frames_are_refused_at_once():
    import pandas as pd

    from hfs_detect import HFSDetectError
    from hfs_detect.events import check_events

    many = pd.DataFrame({"start_s": [1.0] * 100_000, "end_s": [1.1] * 100_000, "side": "left"})
    with pytest.raises(HFSDetectError, match="holds 100000 bursts, more than the video's 600"):
        check_events(many, "events.csv", max_rows=600)
