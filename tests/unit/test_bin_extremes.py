"""Per-bin minimum and maximum of a time-weighted series, and the per-bin stock-out counts (exact timelines)."""

from __future__ import annotations

import math

import numpy as np

from swapsim.metrics.accumulators import TimeWeighted


def test_extremes_follow_values_held_for_positive_time():
    tw = TimeWeighted(value=5.0, n_bins=4, width=1.0, extremes=True)
    tw.set(0.5, 2.0)  # bin 0: 5 held for 0.5 h
    tw.set(0.5, 9.0)  # 2 replaced at the instant it was set: held for no time, not an extreme
    tw.set(2.5, 1.0)  # 9 held over the rest of bin 0, all of bin 1 and half of bin 2
    tw.set(4.0, 1.0)  # horizon
    assert list(tw.bin_min) == [5.0, 9.0, 1.0, 1.0]
    assert list(tw.bin_max) == [9.0, 9.0, 9.0, 1.0]
    assert np.allclose(tw.bins, [0.5 * 5 + 0.5 * 9, 9, 0.5 * 9 + 0.5 * 1, 1])


def test_extremes_bracket_the_bin_mean_and_survive_reset():
    rng = np.random.default_rng(3)
    tw = TimeWeighted(n_bins=10, width=0.5, extremes=True)
    t = 0.0
    reset = False
    while True:
        t += float(rng.exponential(0.03))
        if t >= 5.0:
            break
        if t > 1.0 and not reset:
            tw.reset(t)  # warm-up: KPIs restart, the series is kept
            reset = True
        tw.set(t, float(rng.integers(0, 14)))
    tw.set(5.0, tw.value)
    mean = tw.bins / 0.5
    assert np.all(tw.bin_min <= mean + 1e-9) and np.all(mean <= tw.bin_max + 1e-9)
    assert not np.isnan(tw.bin_min).any()


def test_no_extremes_unless_asked_and_bins_not_reached_are_nan():
    assert TimeWeighted(n_bins=3).bin_min is None
    tw = TimeWeighted(value=1.0, n_bins=3, width=1.0, extremes=True)
    tw.set(0.5, 2.0)
    assert tw.bin_min[0] == 1.0 and math.isnan(tw.bin_min[1]) and math.isnan(tw.bin_max[2])


def test_stockouts_are_counted_in_the_bin_of_arrival():
    from swapsim.metrics.swaps import SwapStats
    from swapsim.metrics.trace import Trace

    sw = SwapStats(2, [("A", 1)], n_bins=4, width=1.0, wait_resolution_min=0.05, trace=Trace(0))
    sw.robot_arrived(0, 0, 0.9)
    sw.swap_started(0, 0, 1.2, stockout=True)  # arrived in bin 0, found no pack
    sw.robot_arrived(1, 0, 2.1)
    sw.swap_started(1, 0, 2.2, stockout=False)
    sw.reset(3.0)  # the series covers the warm-up too
    sw.robot_arrived(1, 0, 9.0)  # past the binned range: the last bin
    sw.swap_started(1, 0, 9.5, stockout=True)
    cols = sw.extreme_columns()
    assert list(cols["A_stockouts"]) == [1, 0, 0, 1]
    assert sw.summary(1.0).stockouts == 1
