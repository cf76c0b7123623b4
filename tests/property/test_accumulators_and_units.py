"""Property tests (hypothesis) of the building blocks: unit round-trips, Tally quantiles, TimeWeighted bins."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from swapsim.metrics import Tally, TimeWeighted
from swapsim.scenario.units import (
    format_distance,
    format_duration,
    format_energy,
    format_power,
    format_speed,
    parse_distance_m,
    parse_duration_h,
    parse_energy_wh,
    parse_power_w,
    parse_speed_mps,
)

FINITE = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(FINITE)
def test_every_quantity_formats_and_parses_back_exactly(x: float) -> None:
    assert parse_duration_h(format_duration(x)) == x
    assert parse_energy_wh(format_energy(x)) == x
    assert parse_power_w(format_power(x)) == x
    assert parse_distance_m(format_distance(x)) == x
    assert parse_speed_mps(format_speed(x)) == x


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.just(0.0), st.floats(0.0, 60.0), st.floats(1440.0, 3000.0)), min_size=1, max_size=200),
    st.floats(0.01, 1.0),
)
def test_tally_quantile_is_within_one_bin_of_the_exact_quantile(values: list[float], q: float) -> None:
    t = Tally(resolution=0.05, limit=1440.0)
    for v in values:
        t.observe(v)
    exact = float(np.quantile(np.asarray(values), q, method="inverted_cdf"))
    got = t.quantile(q)
    assert abs(got - exact) <= 0.05 + 1e-9
    assert 0.0 <= got <= max(values)
    assert t.mean == pytest.approx(float(np.mean(values)), rel=1e-9, abs=1e-12)
    assert t.maximum == max(values)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.0, 0.33), st.integers(0, 9)), min_size=1, max_size=30),
    st.sampled_from([0.1, 0.25, 1.0]),
)
def test_time_weighted_bins_add_up_to_the_integral(changes: list[tuple[float, int]], width: float) -> None:
    horizon = 10.0
    n_bins = int(np.ceil(horizon / width - 1e-9))
    tw = TimeWeighted(n_bins=n_bins, width=width)
    now = 0.0
    pieces = []
    for dt, value in changes:
        pieces.append((now, now + dt, tw.value))
        now += dt
        tw.set(now, value)
    pieces.append((now, horizon, tw.value))
    tw.set(horizon, tw.value)
    exact = sum((b - a) * v for a, b, v in pieces)
    assert tw.integral(horizon) == pytest.approx(exact, rel=1e-9, abs=1e-9)
    assert sum(tw.bins) == pytest.approx(exact, rel=1e-9, abs=1e-9)
    # each bin holds exactly the integral over its own interval
    for k, got in enumerate(tw.bins):
        lo, hi = k * width, (k + 1) * width
        want = sum(max(0.0, min(b, hi) - max(a, lo)) * v for a, b, v in pieces)
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9)
