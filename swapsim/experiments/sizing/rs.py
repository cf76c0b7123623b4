"""The statistics of sizing: feasibility decisions taken sequentially, and paired differences.

**Feasibility.** A configuration meets a target ``KPI <= v`` *at confidence 1 - alpha* when the
one-sided Student-t upper bound of the KPI's mean over its replications is at most ``v`` (for
``>=``, the lower bound at least ``v``). Replications are added in looks (``n_min``, ``2 n_min``,
``4 n_min``, ... up to ``n_max``); at each look every target is decided:

* **holds**: the bound on the bad side clears the target, ``mean + t s / sqrt(n) <= v``;
* **fails**: the bound on the good side misses it, ``mean - t s / sqrt(n) > v``;
* **in doubt** otherwise: more replications, until ``n_max``, where a target still in doubt is
  *not shown to hold* (the configuration is reported undecided and counted as not feasible).

The error budget is split by Bonferroni over targets and looks: each one-sided test at each look uses
``alpha / (k L)`` for ``k`` targets and ``L`` looks. Whatever the true means, and however many looks
the procedure takes, the probability that it declares feasible a configuration that violates some
target is at most ``alpha``, and the probability that it declares infeasible one that meets every
target is at most ``alpha`` too (under normal replication means; the central limit theorem makes it
approximate otherwise). It is a simple, conservative relative of the fully sequential feasibility
determination of Andradottir and Kim (2010), without an indifference zone: a configuration whose
mean sits exactly on the target is left undecided at ``n_max`` instead of being classed either way.

**Paired differences.** With common random numbers (replication r uses the same seed everywhere),
the difference of two configurations' KPIs is estimated from the per-replication differences: a
paired Student-t interval, much tighter than the two unpaired ones.

Student-t quantiles come from :mod:`scipy.stats` (already a dependency); the rest is a few lines of
NumPy, simpler to audit here than a ranking-and-selection library built for a different loop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["looks", "look_alpha", "Bound", "one_sided", "decide", "paired", "PairedDiff", "HOLDS", "FAILS", "DOUBT"]

HOLDS, FAILS, DOUBT = "holds", "fails", "in doubt"


def looks(n_min: int, n_max: int) -> list[int]:
    """Replication counts at which decisions are taken: n_min, 2 n_min, 4 n_min, ..., n_max."""
    if n_min < 2:
        raise ValueError(f"n_min must be >= 2 (a standard deviation needs two replications; got {n_min})")
    if n_max < n_min:
        raise ValueError(f"n_max must be >= n_min ({n_min}; got {n_max})")
    out = [n_min]
    while out[-1] < n_max:
        out.append(min(n_max, 2 * out[-1]))
    return out


def look_alpha(confidence: float, n_targets: int, n_looks: int) -> float:
    """The one-sided error of each test at each look: (1 - confidence) / (targets x looks)."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (got {confidence})")
    return (1.0 - confidence) / (max(1, n_targets) * max(1, n_looks))


@dataclass(frozen=True)
class Bound:
    """Mean of ``n`` values, their sample sd, and the one-sided half-width ``t_{1-alpha, n-1} s / sqrt(n)``."""

    n: int
    mean: float
    sd: float
    half: float

    @property
    def lower(self) -> float:
        return self.mean - self.half

    @property
    def upper(self) -> float:
        return self.mean + self.half


def one_sided(values: Sequence[float] | np.ndarray, alpha: float) -> Bound:
    """One-sided Student-t half-width at error ``alpha`` of the mean of ``values`` (NaN-free, n >= 2)."""
    from scipy.stats import t

    x = np.asarray(values, dtype=float)
    n = x.size
    if n < 2:
        raise ValueError("one_sided needs at least two values")
    mean = float(x.mean())
    sd = float(x.std(ddof=1))
    half = float(t.ppf(1.0 - alpha, n - 1) * sd / math.sqrt(n)) if sd > 0 else 0.0
    return Bound(n, mean, sd, half)


def decide(values: Sequence[float], value: float, upper: bool, alpha: float) -> tuple[str, Bound]:
    """Decide one target on ``values``: ``HOLDS``, ``FAILS`` or ``DOUBT`` (see the module doc).

    ``upper``: the target is ``KPI <= value`` (else ``KPI >= value``). A value that is not finite (an
    infinite wait) counts against the target.
    """
    x = np.asarray(values, dtype=float)
    if not np.all(np.isfinite(x)):
        bad = np.isinf(x) & ((x > 0) if upper else (x < 0))
        if bad.all():
            return FAILS, Bound(x.size, math.inf if upper else -math.inf, math.nan, 0.0)
        return DOUBT, Bound(x.size, math.nan, math.nan, math.nan)
    b = one_sided(x, alpha)
    if upper:
        if b.upper <= value:
            return HOLDS, b
        if b.lower > value:
            return FAILS, b
    else:
        if b.lower >= value:
            return HOLDS, b
        if b.upper < value:
            return FAILS, b
    return DOUBT, b


@dataclass(frozen=True)
class PairedDiff:
    """Mean of the paired differences a - b, its two-sided ``confidence`` half-width, and n."""

    n: int
    mean: float
    half: float
    confidence: float

    @property
    def significant(self) -> bool:
        """The interval excludes zero."""
        return math.isfinite(self.half) and abs(self.mean) > self.half

    @property
    def low(self) -> float:
        return self.mean - self.half

    @property
    def high(self) -> float:
        return self.mean + self.half


def paired(a: Sequence[float], b: Sequence[float], confidence: float = 0.95) -> PairedDiff:
    """Paired Student-t interval of mean(a - b); ``a[r]`` and ``b[r]`` share replication r's seed."""
    from scipy.stats import t

    if len(a) != len(b):
        raise ValueError(f"paired samples must have the same length ({len(a)} vs {len(b)})")
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    n = d.size
    if n == 0:
        return PairedDiff(0, math.nan, math.nan, confidence)
    mean = float(d.mean())
    if n == 1:
        return PairedDiff(1, mean, math.nan, confidence)
    sd = float(d.std(ddof=1))
    half = float(t.ppf(0.5 + confidence / 2.0, n - 1) * sd / math.sqrt(n)) if sd > 0 else 0.0
    return PairedDiff(n, mean, half, confidence)
