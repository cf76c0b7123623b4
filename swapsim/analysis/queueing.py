"""Closed-form queueing results used to check the simulator.

Closed-form results are the reference the discrete-event model must match in its
validation tests. They also give quick sizing estimates before anyone runs a
simulation. Robots that work for a while and then need one of ``c`` swap positions form
the finite-source ("machine repairman") queue M/M/c//N. Its stationary results are exact
for exponential swap times, and the working-time distribution does not matter: only its
mean does (insensitivity). Spare packs on charge form an infinite-server queue. By
Palm's theorem the number on charge is Poisson with mean (swap rate x charge time),
which gives the chance that a station has no charged pack ready. When robots wait for a
pack instead, the station's packs are the servers of an M/D/S queue (each pack is "busy"
for the fixed time from drop-off until it shows green); :func:`mdc` solves that queue
exactly by the roots of its generating function (Crommelin 1932; Franx 2001). Open
M/M/c (Erlang C) is here for stations that share robots. Everything here is
pure: plain numbers in, plain numbers or frozen dataclasses out, numpy only. All
durations must use one time unit of the caller's choosing (minutes, hours, ...).
Rates are per that same unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

__all__ = [
    "MMCNResult",
    "MDCResult",
    "MMCResult",
    "erlang_b",
    "erlang_c",
    "mdc",
    "mmc",
    "mmcn",
    "poisson_cdf",
    "prob_no_ready_pack",
    "prob_no_ready_pack_limited_chargers",
    "prob_no_ready_pack_periodic",
]


# --------------------------------------------------------------------------- validation


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name}: must be an integer (got {value!r})")
    if value < minimum:
        raise ValueError(f"{name}: must be >= {minimum} (got {value})")
    return int(value)


def _check_real(name: str, value: object, *, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name}: must be a finite number (got {value!r})")
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name}: must be {bound} (got {value})")
    return float(value)


def _normalise_log_weights(log_weights: np.ndarray) -> np.ndarray:
    """Turn unnormalised log-probabilities into probabilities without overflow."""
    weights = np.exp(log_weights - log_weights.max())
    return weights / weights.sum()


def _birth_death_stationary(log_birth: np.ndarray, log_death: np.ndarray) -> np.ndarray:
    """Stationary law of a birth-death chain on states 0..K, from log rates.

    ``log_birth[k]`` is the log rate from k to k+1 and ``log_death[k]`` the log rate from
    k+1 to k (k = 0..K-1). Detailed balance, summed in log space, stays finite for large K.
    """
    log_weights = np.concatenate(([0.0], np.cumsum(log_birth - log_death)))
    return _normalise_log_weights(log_weights)


# --------------------------------------------------------------------------- M/M/c//N


@dataclass(frozen=True)
class MMCNResult:
    """Stationary results of the finite-source queue M/M/c//N.

    Times are in the unit of the ``think_mean`` and ``service_mean`` inputs. Rates are
    per that unit.

    Attributes:
        probabilities: p_n, the probability that n sources are at the station (waiting
            or in service), for n = 0..N.
        mean_in_system: L, the mean number at the station.
        mean_queue_length: Lq, the mean number waiting (not yet in service).
        throughput: arrivals (= service completions) per time unit, (N - L) / think_mean.
        mean_wait: Wq = Lq / throughput, the mean time from arrival until service starts.
        mean_response: W = L / throughput = Wq + service_mean, the mean time at the station.
        server_utilisation: the mean number of busy servers divided by c, in [0, 1].
        prob_wait: the probability that an arriving source finds all c servers busy.
    """

    probabilities: tuple[float, ...]
    mean_in_system: float
    mean_queue_length: float
    throughput: float
    mean_wait: float
    mean_response: float
    server_utilisation: float
    prob_wait: float


def mmcn(n_sources: int, servers: int, think_mean: float, service_mean: float) -> MMCNResult:
    """Solve the finite-source queue M/M/c//N (the machine-repairman model) exactly.

    Each of ``n_sources`` (N) sources spends a time of mean ``think_mean`` away from the
    station ("thinking"; for robots, working). It then queues first-come-first-served for
    one of ``servers`` (c) servers. Service is exponential with mean ``service_mean``.
    Both means use the same time unit. The results hold for any think-time distribution
    with that mean (insensitivity). ``servers > n_sources`` is allowed; nobody then waits.

    The state n (number at the station) is a birth-death chain with birth rate
    (N - n) / think_mean and death rate min(n, c) / service_mean. It is solved in log
    space, so N in the thousands neither overflows nor underflows.
    ``prob_wait`` uses the arrival theorem: an arriving source sees the stationary law
    of the same system with N - 1 sources, which is proportional to (N - n) p_n.

    Raises:
        ValueError: if N < 1, c < 1, or a mean is not a finite positive number.
    """
    n_total = _check_int("n_sources", n_sources, 1)
    c = _check_int("servers", servers, 1)
    think = _check_real("think_mean", think_mean)
    service = _check_real("service_mean", service_mean)

    k = np.arange(1, n_total + 1, dtype=float)  # transition k-1 -> k
    log_birth = np.log(n_total - k + 1) - math.log(think)
    log_death = np.log(np.minimum(k, c)) - math.log(service)
    p = _birth_death_stationary(log_birth, log_death)

    n = np.arange(n_total + 1, dtype=float)
    thinking = n_total - n  # sum directly rather than N - L, which cancels when L ~ N
    mean_in_system = float(p @ n)
    mean_queue_length = float(p @ np.maximum(n - c, 0.0))
    arrival_weights = p * thinking
    mean_thinking = float(arrival_weights.sum())
    throughput = mean_thinking / think
    return MMCNResult(
        probabilities=tuple(p.tolist()),
        mean_in_system=mean_in_system,
        mean_queue_length=mean_queue_length,
        throughput=throughput,
        mean_wait=mean_queue_length / throughput,
        mean_response=mean_in_system / throughput,
        server_utilisation=float(p @ np.minimum(n, c)) / c,
        prob_wait=float(arrival_weights[c:].sum()) / mean_thinking,
    )


# --------------------------------------------------------------------------- Erlang B


def erlang_b(servers: int, offered_load: float) -> float:
    """Erlang's loss formula B(c, A): the blocking probability of M/G/c/c.

    ``offered_load`` A is in erlangs (arrival rate x mean holding time, dimensionless).
    Uses the stable recurrence B(0) = 1, B(k) = A B(k-1) / (k + A B(k-1)).

    Raises:
        ValueError: if ``servers`` < 0 or ``offered_load`` is negative or not finite.
    """
    c = _check_int("servers", servers, 0)
    load = _check_real("offered_load", offered_load, allow_zero=True)
    blocking = 1.0
    for k in range(1, c + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


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
    return _poisson_split(int(k), _check_real("mean", mean, allow_zero=True))[0]


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
    s = _check_int("spares", spares, 0)
    rate = _check_real("swap_rate", swap_rate, allow_zero=True)
    time = _check_real("charge_time", charge_time)
    return _poisson_split(s - 1, rate * time)[1]


def prob_no_ready_pack_limited_chargers(
    spares: int, chargers: int, swap_rate: float, charge_time: float
) -> float:
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
    s = _check_int("spares", spares, 0)
    c = _check_int("chargers", chargers, 1)
    rate = _check_real("swap_rate", swap_rate, allow_zero=True)
    time = _check_real("charge_time", charge_time)
    if s == 0:
        return 1.0
    if rate == 0.0:
        return 0.0
    k = np.arange(1, s + 1, dtype=float)
    log_birth = np.full(s, math.log(rate))
    log_death = np.log(np.minimum(k, c)) - math.log(time)
    return float(_birth_death_stationary(log_birth, log_death)[-1])


# --------------------------------------------------------------------------- open M/M/c (Erlang C)


@dataclass(frozen=True)
class MMCResult:
    """Stationary results of the open M/M/c queue (Poisson arrivals, exponential service).

    Times are in the unit of ``service_mean``. ``stable`` is False when the offered load
    reaches ``servers``; the waits are then infinite and the probabilities 1.

    Attributes:
        offered_load: A = arrival rate x service mean (erlangs).
        prob_wait: Erlang C, the probability that an arrival waits (PASTA).
        mean_queue_length: Lq, the time-average number waiting.
        mean_wait: Wq = Lq / arrival rate.
        server_utilisation: A / c (capped at 1).
    """

    servers: int
    offered_load: float
    stable: bool
    prob_wait: float
    mean_queue_length: float
    mean_wait: float
    server_utilisation: float

    def prob_at_least(self, k: int) -> float:
        """P(N >= k): the chance that an arrival finds at least ``k`` customers present."""
        k = _check_int("k", k, 0)
        c, load = self.servers, self.offered_load
        if k == 0:
            return 1.0
        if not self.stable:
            return 1.0
        if k >= c:
            return self.prob_wait * (load / c) ** (k - c)
        if load == 0.0:
            return 0.0
        # p_n for n < c is proportional to A^n / n!; the mass at n >= c is the Erlang C value.
        n = np.arange(c, dtype=float)
        log_terms = n * math.log(load) - np.array([math.lgamma(x + 1) for x in n])
        below = np.exp(log_terms - log_terms.max())
        below = below / below.sum() * (1.0 - self.prob_wait)
        return float(1.0 - below[:k].sum())


def erlang_c(servers: int, offered_load: float) -> float:
    """Erlang's delay formula C(c, A): the probability that an M/M/c arrival waits.

    ``offered_load`` A is in erlangs. Returns 1 when A >= c (the queue is unstable).

    Raises:
        ValueError: if ``servers`` < 1 or ``offered_load`` is negative or not finite.
    """
    c = _check_int("servers", servers, 1)
    load = _check_real("offered_load", offered_load, allow_zero=True)
    if load >= c:
        return 1.0
    blocking = erlang_b(c, load)
    rho = load / c
    return blocking / (1.0 - rho * (1.0 - blocking))


def mmc(servers: int, arrival_rate: float, service_mean: float) -> MMCResult:
    """Solve the open M/M/c queue with ``servers`` servers (exact for Poisson arrivals).

    Raises:
        ValueError: if ``servers`` < 1, ``arrival_rate`` < 0 or ``service_mean`` <= 0.
    """
    c = _check_int("servers", servers, 1)
    rate = _check_real("arrival_rate", arrival_rate, allow_zero=True)
    service = _check_real("service_mean", service_mean)
    load = rate * service
    if load >= c:
        return MMCResult(c, load, False, 1.0, math.inf, math.inf, 1.0)
    wait_prob = erlang_c(c, load)
    lq = wait_prob * load / (c - load)
    wq = lq / rate if rate > 0 else 0.0
    return MMCResult(c, load, True, wait_prob, lq, wq, load / c)


# --------------------------------------------------------------------------- M/D/c (Crommelin)


@dataclass(frozen=True)
class MDCResult:
    """Stationary results of the open M/D/c queue (Poisson arrivals, fixed service time).

    Times are in the unit of ``service_time``. ``stable`` is False when the offered load
    reaches ``servers``; the waits are then infinite and ``prob_wait`` is 1.

    Attributes:
        offered_load: a = arrival rate x service time (erlangs); also the mean number of
            busy servers when stable.
        prob_wait: P(N >= c), the time-average probability that all servers are busy,
            equal to the probability that an arrival waits (PASTA).
        mean_queue_length: Lq, the time-average number waiting.
        mean_wait: Wq = Lq / arrival rate.
    """

    servers: int
    offered_load: float
    stable: bool
    prob_wait: float
    mean_queue_length: float
    mean_wait: float


def mdc_roots(servers: int, offered_load: float) -> np.ndarray:
    """The ``servers - 1`` roots other than 1 of z^c = exp(a (z - 1)) in the closed unit disk.

    Root k solves z = w_k exp(a (z - 1) / c) with w_k = exp(2 pi i k / c), k = 1..c-1. Found by
    fixed-point iteration (a contraction with factor a / c inside the disk), polished by
    Newton's method. Requires a < c.
    """
    c = servers
    if c == 1:
        return np.zeros(0, dtype=complex)
    a = offered_load
    w = np.exp(2j * math.pi * np.arange(1, c) / c)
    z = np.zeros(c - 1, dtype=complex)
    for _ in range(12):
        z = w * np.exp(a * (z - 1.0) / c)
    for _ in range(100):
        e = w * np.exp(a * (z - 1.0) / c)
        step = (z - e) / (1.0 - a / c * e)
        z = z - step
        if np.max(np.abs(step)) < 1e-15:
            break
    return z


def mdc(servers: int, arrival_rate: float, service_time: float) -> MDCResult:
    """Solve the open M/D/c queue exactly.

    With a fixed service time D every customer in service at t - D has left by t, so the number
    present obeys N(t) = max(N(t - D) - c, 0) + A, with A ~ Poisson(a), a = arrival_rate x D
    (Crommelin 1932). Its generating function has c - 1 roots z_k != 1 in the unit disk, and

    * P(no wait) = (c - a) / prod_k (1 - z_k),
    * Lq = sum_k 1 / (1 - z_k) + (a^2 - c (c - 1)) / (2 (c - a)),

    (for c = 1 these are 1 - rho and the Pollaczek-Khinchine rho^2 / (2 (1 - rho))). Exact for
    Poisson arrivals; numerically reliable for c up to a few hundred and a / c up to about
    0.999.

    Raises:
        ValueError: if ``servers`` < 1, ``arrival_rate`` < 0 or ``service_time`` <= 0.
    """
    c = _check_int("servers", servers, 1)
    rate = _check_real("arrival_rate", arrival_rate, allow_zero=True)
    d = _check_real("service_time", service_time)
    a = rate * d
    if a >= c:
        return MDCResult(c, a, False, 1.0, math.inf, math.inf)
    if a == 0.0:
        return MDCResult(c, 0.0, True, 0.0, 0.0, 0.0)
    z = mdc_roots(c, a)
    one_minus = 1.0 - z
    no_wait = (c - a) / float(np.prod(one_minus).real) if c > 1 else 1.0 - a
    lq = float(np.sum(1.0 / one_minus).real) + (a * a - c * (c - 1)) / (2.0 * (c - a))
    prob_wait = min(1.0, max(0.0, 1.0 - no_wait))
    lq = max(0.0, lq)
    return MDCResult(c, a, True, prob_wait, lq, lq / rate)


# --------------------------------------------------------------------------- periodic finite source


def _thinned_pmf(counts: np.ndarray, weights: np.ndarray, share: float, size: int) -> np.ndarray:
    """pmf (truncated to ``size`` terms) of Binomial(K, share) where K takes ``counts`` w.p. ``weights``."""
    out = np.zeros(size)
    for k, w in zip(counts, weights):
        k = int(k)
        if w == 0:
            continue
        if share >= 1.0 or share <= 0.0:
            j = k if share >= 1.0 else 0
            if j < size:
                out[j] += w
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
    s = _check_int("spares", spares, 0)
    n = _check_int("robots", robots, 1)
    ratio = _check_real("window_over_cycle", window_over_cycle, allow_zero=True)
    share = _check_real("share", share, allow_zero=True)
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
