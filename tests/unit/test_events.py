"""The one event type and the events.csv columns."""

import math

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
