"""Property test (hypothesis): the lazy station choice gives the eager one's answer on every input."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from swapsim.model.policies import StationView, choose_station, choose_station_lazily

# Walks from a small set, so that equal walks (and equal keys) are common.
WALKS = st.sampled_from([0.0, 0.01, 0.02, 0.05, 0.1]) | st.floats(0.0, 0.2)


@st.composite
def views(draw: st.DrawFn) -> StationView:
    positions = draw(st.integers(1, 3))
    return StationView(
        travel_h=draw(WALKS),
        incoming=draw(st.integers(0, 3)),
        positions=positions,
        busy=draw(st.integers(0, positions)),
        queue=draw(st.integers(0, 4)),
        green=draw(st.integers(0, 4)),
        swap_mean_h=draw(st.sampled_from([0.0, 0.05, 0.1])),
        next_green_h=draw(st.sampled_from([0.0, 0.05, 0.5, math.inf])),
    )


@settings(max_examples=400, deadline=None)
@given(st.lists(views(), min_size=1, max_size=12), st.sampled_from(["nearest", "shortest_wait"]))
def test_lazy_station_choice_equals_the_eager_one(vs: list[StationView], rule: str) -> None:
    built: list[int] = []

    def look(i: int) -> StationView:
        built.append(i)
        return vs[i]

    travel = [v.travel_h for v in vs]
    assert choose_station_lazily(rule, travel, look) == choose_station(rule, vs)
    assert len(set(built)) == len(built)  # no view is built twice
    if rule == "nearest":
        assert built == []
