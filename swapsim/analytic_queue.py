"""Closed-form queueing results used to check the simulator.

Closed-form results are the reference the discrete-event model must match in its
validation tests. They also give quick sizing estimates before anyone runs a
simulation. Robots that work for a while and then need one of ``c`` swap positions form
the finite-source ("machine repairman") queue M/M/c//N. Its stationary results are exact
for exponential swap times, and the working-time distribution does not matter: only its
mean does (insensitivity). Spare packs on charge form an infinite-server queue. By
Palm's theorem the number on charge is Poisson with mean (swap rate x charge time),
which gives the chance that a station has no charged pack ready. Everything here is
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
    "erlang_b",
    "mmcn",
    "poisson_cdf",
    "prob_no_ready_pack",
    "prob_no_ready_pack_limited_chargers",
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
