"""MSER-5 (swapsim.experiments.warmup.mser) on synthetic series with a known transient, and the pilot runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from swapsim.experiments.warmup import advise_warmup, mser, pilot_series, write_warmup
from swapsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def test_step_transient_is_cut_at_its_end():
    # 100 observations at mean 5, then 1900 at mean 0 (sd 1). MSER-5 must delete the whole step
    # every time, most often exactly the first 20 batches; noise can make it take a few more
    # (200 seeds: 69 % exactly 100, all within 100..200).
    cuts = []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        y = rng.normal(0.0, 1.0, 2000)
        y[:100] += 5.0
        res = mser(y)
        assert res.reliable
        cuts.append(res.truncation)
    assert min(cuts) == 100 and max(cuts) <= 200, cuts
    assert sum(c == 100 for c in cuts) >= 10, cuts


def test_decaying_transient_is_cut_where_the_bias_falls_below_the_noise():
    # y_t = 8 exp(-t / 60) + N(0, 1): the bias is below 0.05 sd after about 300 observations.
    # The truncation must remove the steep part (bias > 1 sd up to t = 125) and not a large
    # share of the steady state.
    cuts = []
    for seed in range(20):
        rng = np.random.default_rng(100 + seed)
        t = np.arange(3000)
        cuts.append(mser(8.0 * np.exp(-t / 60.0) + rng.normal(0.0, 1.0, t.size)).truncation)
    assert 125 <= min(cuts) and max(cuts) <= 500, cuts


def test_stationary_series_keeps_almost_everything():
    cuts = [mser(np.random.default_rng(s).normal(0, 1, 2000)).truncation for s in range(20)]
    assert np.median(cuts) <= 25 and max(cuts) <= 200, cuts


def test_statistic_is_the_squared_standard_error_of_the_truncated_batch_means():
    y = np.random.default_rng(3).normal(0, 1, 103)  # 20 whole batches, 3 left over
    res = mser(y)
    z = y[:100].reshape(20, 5).mean(axis=1)
    for d in (0, 4, 10):
        tail = z[d:]
        assert res.statistic[d] == pytest.approx(((tail - tail.mean()) ** 2).sum() / tail.size**2)
    assert res.statistic.size == 11  # d = 0 .. m/2
    with pytest.raises(ValueError):
        mser(np.zeros(19))


def test_a_transient_longer_than_half_the_series_is_flagged():
    y = np.linspace(10, 0, 500)
    assert not mser(y).reliable


def test_pilot_runs_give_the_warmup_files_and_figure(tmp_path):
    sc = load_scenario(ROOT / "scenarios" / "factory.yaml", ["horizon=2 d", "fleet.robots=8"])
    series = pilot_series(sc, replications=2, bin_width_h=0.25, jobs=1)
    assert series.utilisation.shape == (2, 192) and series.queue.shape == (2, 192)
    assert np.all((series.utilisation >= 0) & (series.utilisation <= 1))
    # Bays start full: the green packs fall from the initial stock, a transient MSER-5 must see.
    assert series.green[:, 0].mean() > series.green[:, 48:].mean()
    advice = advise_warmup(series)
    assert advice.results["green"].truncation > 0
    assert advice.suggested_h >= advice.results["green"].truncation * 0.25
    files = {p.name for p in write_warmup(advice, tmp_path / "w", source="factory.yaml")}
    assert {"warmup.json", "warmup_series.csv", "warmup_mser.csv", "warmup.png"} <= files
