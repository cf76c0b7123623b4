"""Statistics of replications: the package's one implementation of Student-t confidence intervals.

Every interval swapsim states comes from :func:`mean_ci` (mean, sample standard deviation and the
Student-t half-width, on ``scipy.stats.t``): the ``<kpi>.ci95`` columns of a sweep's ``points.csv``,
the validation experiments (:mod:`swapsim.analysis.validation.replications` wraps it in a ``CI``)
and the benchmarks' intervals. The sequential procedure of a sweep with target confidence intervals
asks :func:`target_met` whether a point's interval is narrow enough and
:func:`replications_needed` how many replications it should grow to (Law & Kelton).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

__all__ = ["CONFIDENCE", "mean_ci", "target_met", "replications_needed"]

CONFIDENCE = 0.95
"""Confidence level of every interval in the sweep tables."""


def mean_ci(values: Iterable[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean, sample standard deviation and Student-t half-width of a confidence interval.

    The interval ``mean +- half`` covers the true mean with probability ``confidence`` when the
    values are independent and normal (approximately so for other distributions by the central
    limit theorem). With one value, sd and half-width are NaN; with none, all three are.
    ``None`` values (a KPI a run did not report) are left out.
    """
    x = np.asarray([v for v in values if v is not None], dtype=float)
    n = x.size
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(np.mean(x))
    if n == 1:
        return mean, math.nan, math.nan
    from scipy.stats import t

    sd = float(np.std(x, ddof=1))
    half = float(t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n))
    return mean, sd, half


def target_met(values: list[float], rel: float) -> bool:
    """Whether the :data:`CONFIDENCE` half-width of ``values`` is at most ``rel`` x |mean|
    (false with fewer than two values)."""
    mean, _, half = mean_ci(values)
    return math.isfinite(half) and half <= rel * abs(mean)


def replications_needed(n: int, mean: float, sd: float, rel: float, cap: int) -> int:
    """Smallest i > n with t_{i-1} * sd / sqrt(i) <= rel * |mean| (Law & Kelton's estimate), capped.

    ``n`` replications gave ``mean`` and ``sd``; the result is at most ``cap`` (and is ``cap`` when
    ``sd`` is not finite or the mean is 0, where no relative target can be met).
    """
    from scipy.stats import t

    if not math.isfinite(sd) or mean == 0:
        return cap
    target = rel * abs(mean)
    for i in range(n + 1, cap + 1):
        if t.ppf(0.5 + CONFIDENCE / 2, i - 1) * sd / math.sqrt(i) <= target:
            return i
    return cap
