"""Named spasm patterns and distractors: seeded plans with the shape their names promise."""

import numpy as np
import pytest

from hfs_detect.synth.patterns import (
    DISTRACTOR_PATTERNS,
    PATTERNS,
    SPASM_PATTERNS,
    plan_pattern,
)
from hfs_detect.synth.plan import SynthPlan

FPS = 30.0


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_same_seed_gives_the_same_plan_and_it_round_trips(pattern):
    a = plan_pattern(pattern, side="right", seed=3)
    b = plan_pattern(pattern, side="right", seed=3)
    assert a == b
    assert SynthPlan.from_dict(a.to_dict()) == a
    assert a.pattern == pattern


@pytest.mark.parametrize("pattern", SPASM_PATTERNS)
def test_spasm_patterns_hold_spasms_on_one_side(pattern):
    plan = plan_pattern(pattern, side="left", seed=11)
    assert len(plan.spasms) >= 3
    assert {s.side for s in plan.spasms} == {"left"}
    assert all(s.end_s <= plan.duration_s for s in plan.spasms)


@pytest.mark.parametrize("pattern", DISTRACTOR_PATTERNS)
def test_distractor_patterns_hold_no_spasm(pattern):
    plan = plan_pattern(pattern, side="left", seed=11)
    assert plan.spasms == []
    assert plan.distractors()


def test_spasms_go_only_where_the_source_face_is_quiet():
    quiet = np.ones(int(30 * FPS), bool)
    quiet[int(8 * FPS) : int(20 * FPS)] = False  # the source person talks from 8 to 20 s
    plan = plan_pattern("mixed", side="right", seed=5, quiet=quiet)
    for spasm in plan.spasms:
        assert spasm.end_s + 0.3 < 8.0 or spasm.start_s - 1.0 > 20.0


def test_each_pattern_has_its_shape():
    first = plan_pattern("first_second", seed=2).spasms[0]
    assert first.start_s < 1.0
    holds = plan_pattern("tonic_hold", seed=2)
    assert all(5.0 <= s.hold_s <= 10.0 for s in holds.spasms)
    inside = [b for b in holds.blinks if any(s.start_s < b.start_s < s.end_s for s in holds.spasms)]
    assert inside, "both eyes blink during the holds"
    lower = plan_pattern("lower_face", seed=2).spasms
    assert all("eye" not in s.regions for s in lower)
    assert {r for s in lower for r in s.regions} == {"cheek", "mouth"}
    assert all(s.lower_share >= 0.6 for s in plan_pattern("lower_lid", seed=2).spasms)
    spread = plan_pattern("spread", seed=2).spasms
    assert all(s.regions == ("eye", "cheek", "mouth") and s.spread_s >= 0.1 for s in spread)
    train = plan_pattern("clonic_train", seed=2).spasms
    rates = [1 / np.median(np.diff(s.twitch_onsets_s)) for s in train]
    assert all(1.5 <= r <= 9.0 for r in rates)
    other = plan_pattern("full_closure_other", seed=2).spasms
    assert all(s.amplitude >= 0.9 and 0.2 <= s.other_eye <= 0.45 for s in other)


def test_uneven_blinks_are_named_as_such():
    kinds = {k for k, _, _ in plan_pattern("uneven_blinks", seed=4).distractors()}
    assert "uneven_blink" in kinds
