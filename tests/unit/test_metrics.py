"""Unit tests for swapsim.metrics: TimeWeighted integrals and bins, Tally quantiles, the Recorder."""

from __future__ import annotations

import math

import numpy as np
import pytest

from swapsim.metrics import ROBOT_STATES, Recorder, Tally, TimeWeighted
from swapsim.metrics.sections import plain

# -- TimeWeighted ---------------------------------------------------------------------------------


def test_time_weighted_integral_and_mean() -> None:
    tw = TimeWeighted()
    tw.set(0.0, 2)
    tw.set(1.0, 5)
    tw.set(3.0, 0)
    assert tw.integral(4.0) == pytest.approx(2 * 1 + 5 * 2)
    assert tw.mean(4.0) == pytest.approx(12 / 4)
    assert tw.peak == 5


def test_time_weighted_add_changes_by_delta() -> None:
    tw = TimeWeighted(value=3)
    tw.add(1.0, -1)
    tw.add(2.0, +4)
    assert tw.value == 6
    assert tw.integral(3.0) == pytest.approx(3 * 1 + 2 * 1 + 6 * 1)


def test_time_weighted_bins_split_intervals_exactly() -> None:
    tw = TimeWeighted(n_bins=4, width=0.5)
    tw.set(0.25, 1)  # 1 from 0.25 to 1.75
    tw.set(1.75, 0)
    assert tw.bins == pytest.approx([0.25, 0.5, 0.5, 0.25])
    tw2 = TimeWeighted(n_bins=4, width=1.0)
    tw2.set(0.0, 2)
    tw2.set(1.0, 5)
    tw2.set(3.0, 0)
    assert tw2.bins == pytest.approx([2.0, 5.0, 5.0, 0.0])


def test_time_weighted_bins_on_boundaries_and_within_one_bin() -> None:
    tw = TimeWeighted(n_bins=3, width=1.0)
    tw.set(1.0, 3)
    tw.set(2.0, 0)  # exactly one bin
    tw.set(2.2, 2)
    tw.set(2.7, 0)  # inside the last bin
    assert tw.bins == pytest.approx([0.0, 3.0, 1.0])


def test_time_weighted_integral_beyond_the_last_bin_lands_in_it() -> None:
    tw = TimeWeighted(n_bins=2, width=1.0)
    tw.set(0.0, 1)
    tw.set(2.5, 0)  # past the binned range (2 h): the excess goes to the last bin
    assert tw.bins == pytest.approx([1.0, 1.5])
    assert tw.integral(3.0) == pytest.approx(2.5)


def test_time_weighted_reset_forgets_the_integral_but_keeps_bins() -> None:
    tw = TimeWeighted(n_bins=4, width=1.0)
    tw.set(0.0, 4)
    tw.set(1.5, 1)
    tw.reset(2.0)
    assert tw.integral(2.0) == 0.0
    assert tw.peak == 1
    tw.set(3.0, 3)
    assert tw.mean(4.0) == pytest.approx((1 * 1 + 3 * 1) / 2)
    assert tw.bins == pytest.approx([4.0, 2.5, 1.0, 0.0])  # bin 3 not closed yet
    tw.set(4.0, 3)
    assert tw.bins == pytest.approx([4.0, 2.5, 1.0, 3.0])


def test_time_weighted_mean_over_an_empty_interval_is_the_value() -> None:
    tw = TimeWeighted(value=7, t0=5.0)
    assert tw.mean(5.0) == 7.0


# -- Tally ------------------------------------------------------------------------------------------


def test_tally_counts_mean_and_max() -> None:
    t = Tally(resolution=0.5, limit=10.0)
    for x in [0.0, 1.2, 3.0, 0.0, 5.8]:
        t.observe(x)
    assert t.n == 5
    assert t.mean == pytest.approx(10.0 / 5)
    assert t.maximum == 5.8
    assert t.zeros == 2


def test_tally_quantiles_hand_computed() -> None:
    # Values 0.5, 1.5, 2.5, 3.5 with bins of width 1: one per bin; the q-quantile is the point where
    # the cumulative count, spread evenly inside each bin, reaches q * n.
    t = Tally(resolution=1.0, limit=10.0)
    for x in [0.5, 1.5, 2.5, 3.5]:
        t.observe(x)
    assert t.quantile(0.25) == pytest.approx(1.0)
    assert t.quantile(0.5) == pytest.approx(2.0)
    assert t.quantile(0.625) == pytest.approx(2.5)
    # Two values in one bin [2, 3): rank 1.5 of them sits 3/4 through the bin.
    t2 = Tally(resolution=1.0, limit=10.0)
    for x in [2.1, 2.9]:
        t2.observe(x)
    assert t2.quantile(0.5) == pytest.approx(2.5)
    assert t2.quantile(0.25) == pytest.approx(2.25)


def test_tally_zeros_are_exact() -> None:
    t = Tally(resolution=0.05, limit=100.0)
    for x in [0.0] * 96 + [1.0, 2.0, 3.0, 4.0]:
        t.observe(x)
    assert t.quantile(0.95) == 0.0
    assert t.quantile(0.96) == 0.0
    assert t.quantile(0.97) == pytest.approx(1.05)  # rank 97: the whole of the first non-zero bin


def test_tally_values_past_the_limit_are_kept_exactly() -> None:
    t = Tally(resolution=1.0, limit=10.0)
    for x in [1.5, 12.0, 30.0, 11.0]:
        t.observe(x)
    assert t.quantile(0.5) == 11.0
    assert t.quantile(0.75) == 12.0
    assert t.quantile(0.76) == 30.0
    assert t.quantile(1.0) == 30.0
    assert t.maximum == 30.0
    edges, counts, zeros, overflow = t.histogram()
    assert overflow == [11.0, 12.0, 30.0]
    assert counts.sum() == 1 and counts[1] == 1
    assert edges[0] == 0.0 and edges[1] == 1.0 and len(edges) == len(counts) + 1


def test_tally_quantile_accuracy_against_numpy() -> None:
    x = np.random.default_rng(3).exponential(5.0, size=5000)
    t = Tally(resolution=0.05, limit=1440.0)
    for v in x:
        t.observe(float(v))
    for q in (0.1, 0.5, 0.9, 0.95, 0.99):
        assert abs(t.quantile(q) - np.quantile(x, q)) <= 0.05 + 1e-12


def test_tally_quantile_never_exceeds_the_maximum() -> None:
    # Every wait of the run is 2.02 min: the p95 must not read more than the longest wait.
    t = Tally(resolution=0.05, limit=1440.0)
    for _ in range(20):
        t.observe(2.02)
    assert t.quantile(0.95) <= t.maximum
    assert t.quantile(1.0) == pytest.approx(2.02)


def test_tally_value_just_below_the_limit_fits_in_the_histogram() -> None:
    t = Tally(resolution=0.05, limit=1440.0)
    t.observe(math.nextafter(1440.0, 0.0))
    assert t.n == 1


def test_tally_empty_and_reset() -> None:
    t = Tally(resolution=1.0, limit=10.0)
    assert t.quantile(0.95) == 0.0 and t.mean == 0.0
    t.observe(3.0)
    t.observe(20.0)
    t.reset()
    assert (t.n, t.total, t.maximum, t.zeros, sum(t.hist), t.overflow) == (0, 0.0, 0.0, 0, 0, [])


# -- Recorder ---------------------------------------------------------------------------------------


def test_recorder_accounts_robot_states_exactly() -> None:
    rec = Recorder(n_robots=2, stations=[("A", 2)], horizon_h=4.0, bin_width_h=1.0, trace_limit=3)
    rec.robot_state(1, "idle", 0.0)  # hooks arrive in time order, as from the simulation clock
    rec.robot_state(0, "travelling", 1.0)
    rec.robot_state(0, "queueing", 1.5)
    rec.robot_state(0, "swapping", 2.0)
    rec.robot_state(1, "idle", 2.5)  # no change: ignored
    rec.robot_state(0, "working", 2.5)
    rec.finalise(4.0)
    s = rec.summary(4.0)
    expected = dict.fromkeys(ROBOT_STATES, 0.0)
    expected.update({"working": 2.5, "travelling": 0.5, "queueing": 0.5, "swapping": 0.5})
    assert rec.robot_hours(0) == pytest.approx(expected)
    assert rec.robot_hours(1)["idle"] == 4.0
    assert s.fleet.utilisation == pytest.approx(2.5 / 8)
    assert sum(plain(s.fleet.state_fraction).values()) == pytest.approx(1.0)
    assert s.fleet.state_fraction.idle == pytest.approx(0.5)
    assert len(rec.trace) == 3  # bounded
    ts = rec.timeseries()
    assert ts["time_h"].tolist() == [0.0, 1.0, 2.0, 3.0]
    assert ts["robots_working"] == pytest.approx([1.0, 0.0, 0.5, 1.0])
    assert ts["robots_travelling"] == pytest.approx([0.0, 0.5, 0.0, 0.0])
    total = sum(ts[f"robots_{s}"] for s in ROBOT_STATES)
    assert total == pytest.approx([2.0] * 4)


def test_recorder_swaps_waits_and_station_kpis() -> None:
    rec = Recorder(n_robots=1, stations=[("A", 2)], horizon_h=2.0, bin_width_h=0.5)
    rec.robot_arrived(0, 0, 0.5)
    rec.queue_changed(0, 1, 0.5)
    rec.busy_changed(0, 2, 0.5)
    rec.queue_changed(0, 0, 0.75)
    rec.swap_started(0, 0, 0.75, stockout=True)
    rec.busy_changed(0, 0, 1.5)
    rec.green_changed(0, 3, 1.0)
    rec.charge_ended(0, 500.0, 1.2)
    rec.rescue_charged(0, 250.0, 1.3)
    rec.finalise(2.0)
    s = rec.summary(2.0)
    st = s.stations[0].swaps
    assert s.swaps.count == 1
    assert s.swaps.per_robot_per_day == pytest.approx(12.0)
    assert s.swaps.wait_min.mean == pytest.approx(15.0)
    assert s.swaps.wait_min.max == pytest.approx(15.0)
    assert st.stockouts == 1 and s.swaps.stockouts == 1
    assert st.swap_utilisation == pytest.approx(2 * 1.0 / 2.0 / 2)
    assert st.mean_queue_length == pytest.approx(0.25 / 2.0)
    assert st.charged_packs_mean == pytest.approx(3 * 1.0 / 2.0)
    assert st.max_busy_positions == 2 and st.max_queue_length == 1
    assert s.stations[0].energy.grid_kwh == pytest.approx(0.5)
    assert s.energy.grid_kwh == pytest.approx(0.75)
    assert s.energy.stations_kwh == pytest.approx(0.5)


def test_recorder_reset_starts_statistics_at_the_warmup() -> None:
    rec = Recorder(n_robots=1, stations=[("A", 1)], horizon_h=3.0, bin_width_h=1.0)
    rec.robot_state(0, "idle", 0.5)
    rec.busy_changed(0, 1, 0.5)
    rec.robot_arrived(0, 0, 0.2)
    rec.swap_started(0, 0, 0.4, stockout=False)
    rec.reset(1.0)
    rec.robot_state(0, "working", 2.0)
    rec.finalise(3.0)
    s = rec.summary(3.0)
    assert rec.robot_hours(0)["idle"] == pytest.approx(1.0)
    assert rec.robot_hours(0)["working"] == pytest.approx(1.0)
    assert s.swaps.count == 0
    assert s.stations[0].swaps.swap_utilisation == pytest.approx(1.0)
    assert s.swaps.per_robot_per_day == 0.0
    # the time series covers the warm-up too
    ts = rec.timeseries()
    assert ts["robots_idle"] == pytest.approx([0.5, 1.0, 0.0])


def test_the_typed_summary_becomes_plain_data_keeping_value_types() -> None:
    """Summary.to_dict: sections in order, absent ones left out, ints kept ints, a station row's three
    concerns' columns in one dict, the health facts' keys only with the facts (``null`` for no health)."""
    from swapsim.metrics.recorder import RunEnd

    rec = Recorder(n_robots=1, stations=[("A", 1)], horizon_h=2.0, bin_width_h=1.0)
    rec.finalise(2.0)
    s = rec.summary(2.0)
    d = s.to_dict()
    assert s.tasks is None and s.packs is None and s.costs is None
    assert list(d) == ["fleet", "swaps", "stations", "energy", "faults"]
    assert d["fleet"]["robots"] == 1 and type(d["swaps"]["count"]) is int and type(d["swaps"]["stockout_share"]) is float
    assert list(d["stations"][0]) == [
        *("name", "swaps", "swap_utilisation", "mean_queue_length", "max_queue_length", "max_busy_positions"),
        *("charged_packs_mean", "stockouts", "grid_kwh", "outages", "outage_h"),
    ]
    d = rec.summary(2.0, RunEnd(packs_in_robots=2, packs_in_bays=1, crew=0)).to_dict()
    assert list(d)[-3:] == ["packs", "alerts", "technicians"]
    assert "initial" not in d["packs"] and d["packs"]["total"] == 3
    assert plain(s.swaps.wait_min) == {"mean": 0.0, "p95": 0.0, "max": 0.0}


def test_recorder_last_bin_is_averaged_over_its_true_width() -> None:
    rec = Recorder(n_robots=1, stations=[("A", 1)], horizon_h=2.5, bin_width_h=1.0)
    rec.finalise(2.5)
    ts = rec.timeseries()
    assert ts["time_h"].tolist() == [0.0, 1.0, 2.0]
    assert ts["robots_working"] == pytest.approx([1.0, 1.0, 1.0])
