"""The sweep's confidence intervals cover the true mean at the stated rate.

2000 independent samples of n = 10 from a known normal distribution (fixed numpy seed): the
Student-t 95 % interval of :func:`swapsim.experiments.mean_ci` must contain the true mean in a
share of samples compatible with 0.95. The count of covering intervals is Binomial(2000, 0.95):
sd = sqrt(2000 x 0.95 x 0.05) = 9.75 intervals, so we accept 0.95 +- 3.5 sd / 2000 = [0.933, 0.967]
(a correct implementation fails this with probability about 5e-4; a normal-quantile interval,
which covers about 0.92 at n = 10, fails it).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from swapsim.experiments import mean_ci

SAMPLES = 2000
TOLERANCE = 3.5 * math.sqrt(0.95 * 0.05 / SAMPLES)


def coverage(draw, true_mean: float, n: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    hits = 0
    for _ in range(SAMPLES):
        mean, _, half = mean_ci(draw(rng, n))
        hits += abs(mean - true_mean) <= half
    return hits / SAMPLES


def test_student_t_interval_covers_a_normal_mean_at_95_percent():
    rate = coverage(lambda rng, n: rng.normal(5.0, 2.0, n), 5.0, 10, seed=20240601)
    assert abs(rate - 0.95) <= TOLERANCE, f"coverage {rate:.3f} outside 0.95 +- {TOLERANCE:.3f}"


def test_interval_matches_the_textbook_formula():
    x = [1.0, 2.0, 4.0, 7.0]
    mean, sd, half = mean_ci(x)
    lo, hi = stats.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))
    assert mean == pytest.approx(3.5)
    assert sd == pytest.approx(np.std(x, ddof=1))
    assert (mean - half, mean + half) == pytest.approx((lo, hi))


def test_degenerate_samples():
    assert all(math.isnan(v) for v in mean_ci([]))
    mean, sd, half = mean_ci([3.0])
    assert mean == 3.0 and math.isnan(sd) and math.isnan(half)
    assert mean_ci([2.0, 2.0, 2.0]) == (2.0, 0.0, 0.0)
