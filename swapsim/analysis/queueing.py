"""Closed-form queueing results: the queues the simulator must reproduce and the estimate builds on.

Closed-form results are the reference the discrete-event model must match in its
validation tests. They also give quick sizing estimates before anyone runs a
simulation. Robots that work for a while and then need one of ``c`` swap positions form
the finite-source ("machine repairman") queue M/M/c//N. Its stationary results are exact
for exponential swap times, and the working-time distribution does not matter: only its
mean does (insensitivity). When robots wait for a pack, the station's packs are the servers
of an M/D/S queue (each pack is "busy" for the fixed time from drop-off until it shows
green); :func:`mdc` solves that queue exactly by the roots of its generating function
(Crommelin 1932; Franx 2001). Open M/M/c (Erlang C) is here for stations that share robots.
The chance that a station has no charged pack ready (Palm's theorem and its variants) is in
:mod:`swapsim.analysis.spare_packs`. Everything here is pure: plain numbers in, plain numbers
or frozen dataclasses out, numpy only. All durations must use one time unit of the caller's
choosing (minutes, hours, ...). Rates are per that same unit.
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
    "mdc_roots",
    "mmc",
    "mmcn",
]


# --------------------------------------------------------------------------- validation


def check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValueError(f"{name}: must be an integer (got {value!r})")
    if value < minimum:
        raise ValueError(f"{name}: must be >= {minimum} (got {value})")
    return int(value)


def check_real(name: str, value: object, *, allow_zero: bool = False) -> float:
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


def birth_death_stationary(log_birth: np.ndarray, log_death: np.ndarray) -> np.ndarray:
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
    n_total = check_int("n_sources", n_sources, 1)
    c = check_int("servers", servers, 1)
    think = check_real("think_mean", think_mean)
    service = check_real("service_mean", service_mean)

    k = np.arange(1, n_total + 1, dtype=float)  # transition k-1 -> k
    log_birth = np.log(n_total - k + 1) - math.log(think)
    log_death = np.log(np.minimum(k, c)) - math.log(service)
    p = birth_death_stationary(log_birth, log_death)

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
    c = check_int("servers", servers, 0)
    load = check_real("offered_load", offered_load, allow_zero=True)
    blocking = 1.0
    for k in range(1, c + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


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
        k = check_int("k", k, 0)
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
    c = check_int("servers", servers, 1)
    load = check_real("offered_load", offered_load, allow_zero=True)
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
    c = check_int("servers", servers, 1)
    rate = check_real("arrival_rate", arrival_rate, allow_zero=True)
    service = check_real("service_mean", service_mean)
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
    c = check_int("servers", servers, 1)
    rate = check_real("arrival_rate", arrival_rate, allow_zero=True)
    d = check_real("service_time", service_time)
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
