"""Unit tests for swapsim.analytic_queue: closed forms, a generator solve, and argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from swapsim.analytic_queue import (
    MMCNResult,
    erlang_b,
    mmcn,
    poisson_cdf,
    prob_no_ready_pack,
    prob_no_ready_pack_limited_chargers,
)


def solve_generator(birth: list[float], death: list[float]) -> np.ndarray:
    """Stationary pi of a birth-death CTMC on 0..K: build Q densely, solve pi Q = 0, sum(pi) = 1."""
    size = len(birth) + 1
    q = np.zeros((size, size))
    for k, rate in enumerate(birth):
        q[k, k + 1] = rate
    for k, rate in enumerate(death):
        q[k + 1, k] = rate
    q -= np.diag(q.sum(axis=1))
    a = np.vstack([q.T, np.ones(size)])
    b = np.zeros(size + 1)
    b[-1] = 1.0
    pi, *_ = np.linalg.lstsq(a, b, rcond=None)
    return pi


def mmcn_by_generator(n: int, c: int, think: float, service: float) -> np.ndarray:
    birth = [(n - k) / think for k in range(n)]
    death = [min(k, c) / service for k in range(1, n + 1)]
    return solve_generator(birth, death)


def poisson_pmf(j: int, mean: float) -> float:
    return math.exp(-mean) * mean**j / math.factorial(j)


# --------------------------------------------------------------------------- mmcn


@pytest.mark.parametrize("think, service", [(2.0, 0.05), (1.0, 1.0), (0.3, 4.0)])
def test_single_source_single_server_closed_form(think: float, service: float) -> None:
    r = service / think
    res = mmcn(1, 1, think, service)
    assert res.probabilities == pytest.approx((1 / (1 + r), r / (1 + r)), rel=1e-12)
    assert res.mean_in_system == pytest.approx(r / (1 + r), rel=1e-12)
    assert res.throughput == pytest.approx(1 / (think + service), rel=1e-12)
    assert res.mean_wait == 0.0
    assert res.prob_wait == 0.0
    assert res.mean_response == pytest.approx(service, rel=1e-12)


@pytest.mark.parametrize("n, c", [(1, 1), (4, 4), (5, 8), (30, 30)])
def test_enough_servers_means_no_wait_and_independent_sources(n: int, c: int) -> None:
    think, service = 1.7, 0.4
    busy = service / (think + service)  # each source independently at the station
    res = mmcn(n, c, think, service)
    assert res.mean_wait == 0.0
    assert res.mean_queue_length == 0.0
    assert res.prob_wait == 0.0
    assert res.server_utilisation == pytest.approx(n * busy / c, rel=1e-12)
    assert res.mean_in_system == pytest.approx(n * busy, rel=1e-12)
    binomial = [math.comb(n, k) * busy**k * (1 - busy) ** (n - k) for k in range(n + 1)]
    assert np.allclose(res.probabilities, binomial, rtol=1e-10, atol=1e-300)


CASES = [
    (2, 1, 1.0, 1.0),
    (5, 2, 3.0, 0.5),
    (10, 3, 120.0, 6.0),
    (12, 4, 1.0, 2.0),  # overloaded
    (50, 3, 120.0, 6.0),  # heavy load: 50 robots x 6 / 126 ~ 2.4 of 3 positions
    (50, 3, 60.0, 6.0),  # saturated
    (20, 25, 2.0, 1.0),  # more servers than sources
]


@pytest.mark.parametrize("n, c, think, service", CASES)
def test_mmcn_matches_generator_solution(n: int, c: int, think: float, service: float) -> None:
    res = mmcn(n, c, think, service)
    pi = mmcn_by_generator(n, c, think, service)
    assert np.allclose(res.probabilities, pi, rtol=1e-8, atol=1e-12)
    states = np.arange(n + 1)
    assert res.mean_in_system == pytest.approx(pi @ states, rel=1e-8)
    assert res.mean_queue_length == pytest.approx(pi @ np.maximum(states - c, 0), rel=1e-8, abs=1e-12)
    assert res.server_utilisation == pytest.approx(pi @ np.minimum(states, c) / c, rel=1e-8)


@pytest.mark.parametrize("n, c, think, service", CASES)
def test_mmcn_laws_hold(n: int, c: int, think: float, service: float) -> None:
    res = mmcn(n, c, think, service)
    assert isinstance(res, MMCNResult)
    assert len(res.probabilities) == n + 1
    assert min(res.probabilities) >= 0.0
    assert math.fsum(res.probabilities) == pytest.approx(1.0, abs=1e-12)
    # Little's law for the station and for the queue
    assert res.mean_in_system == pytest.approx(res.throughput * res.mean_response, rel=1e-12)
    assert res.mean_queue_length == pytest.approx(res.throughput * res.mean_wait, rel=1e-12, abs=1e-15)
    # flow balance: arrivals (N - L)/think equal completions (busy servers)/service
    assert res.throughput == pytest.approx((n - res.mean_in_system) / think, rel=1e-10)
    assert res.throughput == pytest.approx(res.server_utilisation * c / service, rel=1e-10)
    assert res.mean_response == pytest.approx(res.mean_wait + service, rel=1e-10)
    assert 0.0 <= res.server_utilisation <= 1.0
    assert 0.0 <= res.prob_wait <= 1.0


@pytest.mark.parametrize("n, c, think, service", [case for case in CASES if case[0] >= 2])
def test_prob_wait_is_arrival_theorem(n: int, c: int, think: float, service: float) -> None:
    # an arriving source sees the system with N - 1 sources in steady state
    smaller = mmcn_by_generator(n - 1, c, think, service)
    assert mmcn(n, c, think, service).prob_wait == pytest.approx(smaller[c:].sum(), rel=1e-8, abs=1e-12)


def test_machine_repairman_textbook_values() -> None:
    # N = 2, c = 1, think = service: p = (1, 2, 2)/5 (rates 2,1 then 1,1)
    res = mmcn(2, 1, 1.0, 1.0)
    assert res.probabilities == pytest.approx((0.2, 0.4, 0.4), rel=1e-12)
    assert res.mean_in_system == pytest.approx(1.2)
    assert res.mean_queue_length == pytest.approx(0.4)
    assert res.throughput == pytest.approx(0.8)
    assert res.mean_wait == pytest.approx(0.5)
    assert res.prob_wait == pytest.approx(0.5)  # one other source, at the station half the time


@pytest.mark.parametrize(
    "n, c, think, service",
    [(3000, 40, 120.0, 1.0), (3000, 40, 120.0, 1.6), (3000, 40, 120.0, 5.0), (5000, 3, 1e-3, 1e3)],
)
def test_large_population_is_finite(n: int, c: int, think: float, service: float) -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        res = mmcn(n, c, think, service)
    values = [res.mean_in_system, res.mean_queue_length, res.throughput, res.mean_wait,
              res.mean_response, res.server_utilisation, res.prob_wait]
    assert all(math.isfinite(v) for v in values)
    assert math.fsum(res.probabilities) == pytest.approx(1.0, abs=1e-9)
    assert res.mean_in_system == pytest.approx(res.throughput * res.mean_response, rel=1e-9)
    assert res.throughput <= c / service * (1 + 1e-12)


def test_large_population_saturates_servers() -> None:
    # offered 3000 x 5 / 125 = 120 erlangs on 40 servers: all servers busy, throughput c/service
    res = mmcn(3000, 40, 120.0, 5.0)
    assert res.server_utilisation == pytest.approx(1.0, abs=1e-9)
    assert res.throughput == pytest.approx(8.0, rel=1e-9)
    assert res.prob_wait == pytest.approx(1.0, abs=1e-9)


# --------------------------------------------------------------------------- Erlang B


def erlang_b_direct(c: int, a: float) -> float:
    return (a**c / math.factorial(c)) / sum(a**k / math.factorial(k) for k in range(c + 1))


def test_erlang_b_known_value() -> None:
    assert erlang_b(5, 3.0) == pytest.approx(erlang_b_direct(5, 3.0), rel=1e-12)
    assert erlang_b(5, 3.0) == pytest.approx(0.11005, abs=5e-6)


@pytest.mark.parametrize("c", range(0, 12))
@pytest.mark.parametrize("a", [0.1, 0.8, 3.0, 10.0])
def test_erlang_b_matches_direct_formula(c: int, a: float) -> None:
    assert erlang_b(c, a) == pytest.approx(erlang_b_direct(c, a), rel=1e-12)


def test_erlang_b_edges_and_large() -> None:
    assert erlang_b(0, 2.0) == 1.0
    assert erlang_b(3, 0.0) == 0.0
    big = erlang_b(2000, 1900.0)
    assert 0.0 < big < 1.0 and math.isfinite(big)


# --------------------------------------------------------------------------- Poisson / Palm


@pytest.mark.parametrize("mean", [0.05, 1.0, 4.5, 20.0])
@pytest.mark.parametrize("k", [0, 1, 3, 10, 30])
def test_poisson_cdf_matches_direct_sum(k: int, mean: float) -> None:
    direct = math.fsum(poisson_pmf(j, mean) for j in range(k + 1))
    assert poisson_cdf(k, mean) == pytest.approx(direct, rel=1e-12)


def test_poisson_cdf_edges() -> None:
    assert poisson_cdf(-1, 3.0) == 0.0
    assert poisson_cdf(0, 0.0) == 1.0
    assert poisson_cdf(5, 1e4) < 1e-300 or poisson_cdf(5, 1e4) == 0.0
    assert poisson_cdf(10_500, 1e4) == pytest.approx(1.0, abs=1e-6)


def test_poisson_against_scipy_for_large_means() -> None:
    stats = pytest.importorskip("scipy.stats")
    for k, mean in [(480, 500.0), (520, 500.0), (700, 500.0), (9_800, 1e4)]:
        assert poisson_cdf(k, mean) == pytest.approx(stats.poisson.cdf(k, mean), rel=1e-9)
        assert prob_no_ready_pack(k, 1.0, mean) == pytest.approx(stats.poisson.sf(k - 1, mean), rel=1e-9)


@pytest.mark.parametrize("spares", [0, 1, 2, 5, 12])
@pytest.mark.parametrize("swap_rate, charge_time", [(0.5, 1.5), (12.0, 0.75), (0.02, 90.0)])
def test_palm_matches_poisson_tail(spares: int, swap_rate: float, charge_time: float) -> None:
    a = swap_rate * charge_time
    direct = 1.0 - math.fsum(poisson_pmf(j, a) for j in range(spares))
    assert prob_no_ready_pack(spares, swap_rate, charge_time) == pytest.approx(direct, rel=1e-10, abs=1e-15)


def test_palm_small_tail_keeps_relative_accuracy() -> None:
    # P(X >= 30) for a = 1.5: dominated by the first term, far below 1 - cdf round-off
    a = 1.5
    tail = math.fsum(poisson_pmf(j, a) for j in range(30, 80))
    assert prob_no_ready_pack(30, 0.5, 3.0) == pytest.approx(tail, rel=1e-10)
    assert prob_no_ready_pack(30, 0.5, 3.0) < 1e-20


def test_palm_monotone_in_spares() -> None:
    probs = [prob_no_ready_pack(s, 6.0, 1.0) for s in range(15)]
    assert probs[0] == 1.0
    assert all(later < earlier for earlier, later in zip(probs, probs[1:]))


@pytest.mark.parametrize("spares", [1, 2, 4, 8])
@pytest.mark.parametrize("extra_chargers", [0, 3])
@pytest.mark.parametrize("swap_rate, charge_time", [(0.5, 1.5), (12.0, 0.75)])
def test_limited_chargers_with_enough_chargers_is_erlang_b(
    spares: int, extra_chargers: int, swap_rate: float, charge_time: float
) -> None:
    a = swap_rate * charge_time
    truncated = (a**spares / math.factorial(spares)) / math.fsum(
        a**k / math.factorial(k) for k in range(spares + 1)
    )
    got = prob_no_ready_pack_limited_chargers(spares, spares + extra_chargers, swap_rate, charge_time)
    assert got == pytest.approx(truncated, rel=1e-10)
    assert got == pytest.approx(erlang_b(spares, a), rel=1e-10)
    assert got <= prob_no_ready_pack(spares, swap_rate, charge_time)


@pytest.mark.parametrize("spares, chargers", [(3, 1), (6, 2), (10, 4), (40, 7)])
@pytest.mark.parametrize("swap_rate, charge_time", [(0.4, 2.0), (3.0, 2.0)])
def test_limited_chargers_matches_generator(
    spares: int, chargers: int, swap_rate: float, charge_time: float
) -> None:
    birth = [swap_rate] * spares
    death = [min(k, chargers) / charge_time for k in range(1, spares + 1)]
    pi = solve_generator(birth, death)
    got = prob_no_ready_pack_limited_chargers(spares, chargers, swap_rate, charge_time)
    assert got == pytest.approx(pi[-1], rel=1e-8, abs=1e-14)


def test_single_charger_is_truncated_geometric() -> None:
    spares, rho = 5, 0.6  # one charger: M/M/1/S with rho = swap_rate x charge_time
    expected = rho**spares * (1 - rho) / (1 - rho ** (spares + 1))
    assert prob_no_ready_pack_limited_chargers(spares, 1, 0.3, 2.0) == pytest.approx(expected, rel=1e-12)


def test_fewer_chargers_means_more_stockouts() -> None:
    probs = [prob_no_ready_pack_limited_chargers(8, c, 2.0, 1.5) for c in range(1, 9)]
    assert all(later < earlier for earlier, later in zip(probs, probs[1:]))


def test_limited_chargers_edges() -> None:
    assert prob_no_ready_pack_limited_chargers(0, 1, 1.0, 1.0) == 1.0
    assert prob_no_ready_pack_limited_chargers(4, 2, 0.0, 1.0) == 0.0
    assert math.isfinite(prob_no_ready_pack_limited_chargers(5000, 10, 50.0, 1.0))


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: mmcn(0, 1, 1.0, 1.0), "n_sources"),
        (lambda: mmcn(3, 0, 1.0, 1.0), "servers"),
        (lambda: mmcn(3, 1, 0.0, 1.0), "think_mean"),
        (lambda: mmcn(3, 1, 1.0, -2.0), "service_mean"),
        (lambda: mmcn(3, 1, float("nan"), 1.0), "think_mean"),
        (lambda: mmcn(3, 1, 1.0, float("inf")), "service_mean"),
        (lambda: mmcn(2.5, 1, 1.0, 1.0), "n_sources"),
        (lambda: mmcn(True, 1, 1.0, 1.0), "n_sources"),
        (lambda: erlang_b(-1, 1.0), "servers"),
        (lambda: erlang_b(2, -0.1), "offered_load"),
        (lambda: poisson_cdf(2, -1.0), "mean"),
        (lambda: poisson_cdf(1.5, 1.0), "k"),
        (lambda: prob_no_ready_pack(-1, 1.0, 1.0), "spares"),
        (lambda: prob_no_ready_pack(2, -1.0, 1.0), "swap_rate"),
        (lambda: prob_no_ready_pack(2, 1.0, 0.0), "charge_time"),
        (lambda: prob_no_ready_pack_limited_chargers(2, 0, 1.0, 1.0), "chargers"),
        (lambda: prob_no_ready_pack_limited_chargers(-2, 1, 1.0, 1.0), "spares"),
        (lambda: prob_no_ready_pack_limited_chargers(2, 1, 1.0, -1.0), "charge_time"),
    ],
)
def test_invalid_arguments_raise(call, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        call()


def test_numpy_integers_accepted() -> None:
    assert mmcn(np.int64(4), np.int32(2), 1.0, 0.5).mean_in_system > 0
