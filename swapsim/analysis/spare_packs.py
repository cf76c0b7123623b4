"""The chance that a station has no charged pack ready, in closed form.

Spare packs on charge form an infinite-server queue. By Palm's theorem the number on charge
is Poisson with mean (swap rate x charge time), which gives the chance that a station has no
charged pack ready (:func:`prob_no_ready_pack`, the (S-1, S) stock model). A station with
fewer chargers than packs is a truncated birth-death chain
(:func:`prob_no_ready_pack_limited_chargers`). Robots that swap at regular intervals at
random phases make the count of packs on charge binomial, not Poisson
(:func:`prob_no_ready_pack_periodic`). The packs as the servers of an M/D/S queue are
:func:`swapsim.analysis.queueing.mdc`. Pure functions, numpy only; durations in one time unit
of the caller's choosing, rates per that unit.
"""

from __future__ import annotations

import math
from numbers import Integral

import numpy as np

from swapsim.analysis.queueing import birth_death_stationary, check_int, check_real

__all__ = [
    "poisson_cdf",
    "prob_no_ready_pack",
    "prob_no_ready_pack_limited_chargers",
    "prob_no_ready_pack_periodic",
]


# --------------------------------------------------------------------------- Poisson / Palm


def _poisson_split(k: int, mean: float) -> tuple[float, float]:
    """Return (P(X <= k), P(X > k)) for X ~ Poisson(mean), each summed directly.

    The pmf is summed over a window around k and the mean. Outside the window the
    terms are negligible (beyond 40 standard deviations plus 50). Neither side comes
    from a subtraction, so a tail of 1e-200 keeps its relative accuracy.
    """
    if mean == 0.0:
        return (1.0, 0.0) if k >= 0 else (0.0, 1.0)
    if k < 0:
        return 0.0, 1.0
    spread = math.ceil(40.0 * math.sqrt(mean)) + 50
    lo = max(0, math.floor(min(k, mean)) - spread)
    hi = max(k, math.ceil(mean)) + spread
    j = np.arange(lo, hi + 1, dtype=float)
    log_factorial = math.lgamma(lo + 1) + np.concatenate(([0.0], np.cumsum(np.log(j[1:]))))
    pmf = np.exp(j * math.log(mean) - mean - log_factorial)
    split = k - lo + 1
    return float(pmf[:split].sum()), float(pmf[split:].sum())


def poisson_cdf(k: int, mean: float) -> float:
    """P(X <= k) for X ~ Poisson(``mean``); 0 for k < 0.

    ``mean`` is a dimensionless count. Computed in log space, so large means are safe.

    Raises:
        ValueError: if ``k`` is not an integer or ``mean`` is negative or not finite.
    """
    if isinstance(k, bool) or not isinstance(k, Integral):
        raise ValueError(f"k: must be an integer (got {k!r})")
    return _poisson_split(int(k), check_real("mean", mean, allow_zero=True))[0]


def prob_no_ready_pack(spares: int, swap_rate: float, charge_time: float) -> float:
    """Probability that a station has no charged pack ready, by Palm's theorem.

    Assumes chargers are never the bottleneck. Drained packs then form an M/G/infinity
    queue, and the number charging is Poisson with mean a = swap_rate x charge_time.
    ``swap_rate`` is swaps per time unit and ``charge_time`` is the mean charge time in
    the same unit. The station holds ``spares`` packs besides those in robots. It has
    none ready when all of them are charging, so the answer is P(Poisson(a) >= spares).
    This is the (S-1, S) stock model with backorders. For the variant where robots wait
    instead, see :func:`prob_no_ready_pack_limited_chargers`. Only the mean charge time
    matters.

    Raises:
        ValueError: if ``spares`` < 0, ``swap_rate`` < 0, ``charge_time`` <= 0, or a
            value is not finite.
    """
    s = check_int("spares", spares, 0)
    rate = check_real("swap_rate", swap_rate, allow_zero=True)
    time = check_real("charge_time", charge_time)
    return _poisson_split(s - 1, rate * time)[1]


def prob_no_ready_pack_limited_chargers(spares: int, chargers: int, swap_rate: float, charge_time: float) -> float:
    """Long-run fraction of time with no charged pack ready, for a station with few chargers.

    A birth-death model of k, the number of the station's ``spares`` packs that are not
    ready (charging, or waiting for one of ``chargers`` chargers), for k = 0..spares. A
    swap happens at ``swap_rate`` per time unit while k < spares. Each swap takes a ready
    pack and leaves a drained one. At k = spares arrivals are blocked (the robot waits),
    so the chain is truncated there. Packs finish at rate min(k, chargers) / charge_time.
    ``charge_time`` is the mean charge time in the same time unit as the rate. Returns
    the stationary P(k = spares). Swaps arrive as a Poisson stream (PASTA), so this is
    also the fraction of arriving robots that find no ready pack.

    Charge times are taken to be exponential. The result is exact for exponential charge
    times and an approximation otherwise. When ``chargers >= spares`` the chain is the
    truncated Poisson M/M/S/S, and the result equals Erlang's loss formula
    ``erlang_b(spares, swap_rate * charge_time)``. That formula is insensitive, so in
    this case the result is exact for any charge-time distribution. It is smaller than
    :func:`prob_no_ready_pack`, which lets unmet demand build up rather than blocking it.

    Raises:
        ValueError: if ``spares`` < 0, ``chargers`` < 1, ``swap_rate`` < 0,
            ``charge_time`` <= 0, or a value is not finite.
    """
    s = check_int("spares", spares, 0)
    c = check_int("chargers", chargers, 1)
    rate = check_real("swap_rate", swap_rate, allow_zero=True)
    time = check_real("charge_time", charge_time)
    if s == 0:
        return 1.0
    if rate == 0.0:
        return 0.0
    k = np.arange(1, s + 1, dtype=float)
    log_birth = np.full(s, math.log(rate))
    log_death = np.log(np.minimum(k, c)) - math.log(time)
    return float(birth_death_stationary(log_birth, log_death)[-1])


# --------------------------------------------------------------------------- periodic finite source


def _thinned_pmf(counts: np.ndarray, weights: np.ndarray, share: float, size: int) -> np.ndarray:
    """pmf (truncated to ``size`` terms) of Binomial(K, share) where K takes ``counts`` w.p. ``weights``."""
    out = np.zeros(size)
    for k, w in zip(counts, weights):
        k = int(k)
        if w == 0:
            continue
        if share >= 1.0 or share <= 0.0:
            at = k if share >= 1.0 else 0
            if at < size:
                out[at] += w
            continue
        j = np.arange(0, min(k, size - 1) + 1)
        log_p = np.array([math.lgamma(k + 1) - math.lgamma(x + 1) - math.lgamma(k - x + 1) for x in j])
        log_p += j * math.log(share) + (k - j) * math.log1p(-share)
        out[: len(j)] += w * np.exp(log_p)
    return out


def _power_truncated(pmf: np.ndarray, n: int, size: int) -> np.ndarray:
    """pmf of the sum of ``n`` independent copies, truncated to the first ``size`` terms."""
    result = np.zeros(size)
    result[0] = 1.0
    base = pmf[:size].copy()
    while n > 0:
        if n & 1:
            result = np.convolve(result, base)[:size]
        n >>= 1
        if n:
            base = np.convolve(base, base)[:size]
    return result


def prob_no_ready_pack_periodic(spares: int, robots: int, window_over_cycle: float, share: float = 1.0) -> float:
    """Chance that a robot finds no charged pack when every robot swaps at regular intervals.

    Each of ``robots`` robots swaps once every C hours (fixed), at a random phase independent of
    the others. A drained pack is not ready for D hours, and ``window_over_cycle`` = D / C. A
    fraction ``share`` of each robot's swaps is made at this station, chosen independently per swap.
    The station keeps ``spares`` packs. The arriving robot finds none ready when at least ``spares``
    swaps were made at this station in the last D hours. The other robots contribute
    floor(D/C) or floor(D/C) + 1 swaps each, thinned by ``share``. The arriving robot contributes
    exactly floor(D/C) of its own, thinned the same way. Robots held up by a stock-out are
    ignored, so this is the periodic counterpart of Palm's formula (an infinite-server count). With
    ``share = 1`` and D < C it is the binomial tail P(Binomial(N - 1, D/C) >= S). Palm's Poisson tail
    is the limit of many robots with exponential gaps. For regular robots it is far smaller, because
    a robot cannot swap twice within D.

    Raises:
        ValueError: on a negative count, a non-positive ratio, or a share outside [0, 1].
    """
    s = check_int("spares", spares, 0)
    n = check_int("robots", robots, 1)
    ratio = check_real("window_over_cycle", window_over_cycle, allow_zero=True)
    share = check_real("share", share, allow_zero=True)
    if share > 1:
        raise ValueError(f"share: must be <= 1 (got {share})")
    if s == 0:
        return 1.0
    whole = math.floor(ratio)
    frac = ratio - whole
    size = s  # P(total <= s - 1) needs the first s terms
    other = _thinned_pmf(np.array([whole, whole + 1]), np.array([1.0 - frac, frac]), share, size)
    own = _thinned_pmf(np.array([whole]), np.array([1.0]), share, size)
    total = np.convolve(_power_truncated(other, n - 1, size), own)[:size]
    return float(min(1.0, max(0.0, 1.0 - total.sum())))
