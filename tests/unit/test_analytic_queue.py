"""Unit tests for swapsim.analysis.queueing and spare_packs: closed forms, a generator solve, and argument checks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from swapsim.analysis.queueing import MMCNResult, erlang_b, mmcn
from swapsim.analysis.spare_packs import poisson_cdf, prob_no_ready_pack, prob_no_ready_pack_limited_chargers


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
    values = [
        res.mean_in_system,
        res.mean_queue_length,
        res.throughput,
        res.mean_wait,
        res.mean_response,
        res.server_utilisation,
        res.prob_wait,
    ]
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
    truncated = (a**spares / math.factorial(spares)) / math.fsum(a**k / math.factorial(k) for k in range(spares + 1))
    got = prob_no_ready_pack_limited_chargers(spares, spares + extra_chargers, swap_rate, charge_time)
    assert got == pytest.approx(truncated, rel=1e-10)
    assert got == pytest.approx(erlang_b(spares, a), rel=1e-10)
    assert got <= prob_no_ready_pack(spares, swap_rate, charge_time)


@pytest.mark.parametrize("spares, chargers", [(3, 1), (6, 2), (10, 4), (40, 7)])
@pytest.mark.parametrize("swap_rate, charge_time", [(0.4, 2.0), (3.0, 2.0)])
def test_limited_chargers_matches_generator(spares: int, chargers: int, swap_rate: float, charge_time: float) -> None:
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


# --------------------------------------------------------------------------- M/D/c (Crommelin)

from swapsim.analysis.queueing import MDCResult, erlang_c, mdc, mdc_roots, mmc  # noqa: E402
from swapsim.analysis.spare_packs import prob_no_ready_pack_periodic  # noqa: E402


def mdc_by_embedded_chain(c: int, a: float, size: int = 600) -> tuple[float, float]:
    """P(N >= c) and E[(N - c)^+] of M/D/c by iterating N' = max(N - c, 0) + Poisson(a) to convergence."""
    pois = np.array([poisson_pmf(j, a) if j < 150 else 0.0 for j in range(size)])
    p = np.zeros(size)
    p[0] = 1.0
    for _ in range(100_000):
        base = np.zeros(size)
        base[0] = p[: c + 1].sum()
        base[1 : size - c] = p[c + 1 :]
        new = np.convolve(base, pois)[:size]
        new /= new.sum()
        if np.abs(new - p).max() < 1e-15:
            p = new
            break
        p = new
    n = np.arange(size)
    return float(p[c:].sum()), float(p @ np.maximum(n - c, 0))


@pytest.mark.parametrize("c, a", [(1, 0.5), (2, 1.5), (5, 3.0), (10, 6.3), (10, 9.0), (3, 2.7), (20, 15.0)])
def test_mdc_matches_embedded_chain(c: int, a: float) -> None:
    res = mdc(c, a / 2.0, 2.0)  # rate x service time = a
    p_wait, lq = mdc_by_embedded_chain(c, a)
    assert isinstance(res, MDCResult) and res.stable
    assert res.offered_load == pytest.approx(a)
    assert res.prob_wait == pytest.approx(p_wait, rel=1e-8)
    assert res.mean_queue_length == pytest.approx(lq, rel=1e-6)
    assert res.mean_wait == pytest.approx(lq / (a / 2.0), rel=1e-6)  # Little


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9, 0.99])
def test_md1_is_pollaczek_khinchine(rho: float) -> None:
    res = mdc(1, rho, 1.0)
    assert res.prob_wait == pytest.approx(rho, rel=1e-12)
    assert res.mean_queue_length == pytest.approx(rho**2 / (2 * (1 - rho)), rel=1e-10)


def test_mdc_roots_solve_the_characteristic_equation() -> None:
    for c, a in [(2, 1.0), (8, 7.5), (40, 36.0)]:
        z = mdc_roots(c, a)
        assert len(z) == c - 1
        assert np.allclose(z**c, np.exp(a * (z - 1)), atol=1e-12)
        assert np.all(np.abs(z) < 1) and np.all(np.abs(z - 1) > 1e-6)
        assert len(set(np.round(z, 8))) == c - 1  # distinct


def test_mdc_waits_less_than_mmc_and_more_with_load() -> None:
    for c in (1, 4, 10):
        for rho in (0.3, 0.7, 0.95):
            d, m = mdc(c, rho * c, 1.0), mmc(c, rho * c, 1.0)
            assert d.prob_wait <= m.prob_wait + 1e-12
            assert d.mean_wait < m.mean_wait
    waits = [mdc(6, 6 * r, 1.0).mean_wait for r in (0.2, 0.5, 0.8, 0.95)]
    assert waits == sorted(waits)


def test_mdc_edges() -> None:
    assert mdc(4, 0.0, 1.0).prob_wait == 0.0
    unstable = mdc(4, 4.0, 1.0)
    assert not unstable.stable and unstable.mean_wait == math.inf and unstable.prob_wait == 1.0
    # many servers: the chance of waiting tends to Poisson's tail P(N >= c)
    a, c = 5.0, 25
    tail = 1.0 - poisson_cdf(c - 1, a)
    assert mdc(c, a, 1.0).prob_wait == pytest.approx(tail, rel=1e-3)


# --------------------------------------------------------------------------- Erlang C


def test_erlang_c_known_values() -> None:
    # M/M/1: P(wait) = rho; M/M/2 with A = 1: C = 1/3
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert erlang_c(2, 1.0) == pytest.approx(1.0 / 3.0)
    assert erlang_c(3, 3.0) == 1.0


@pytest.mark.parametrize("c, load", [(1, 0.5), (3, 2.2), (8, 6.0)])
def test_mmc_tail_and_means_match_birth_death(c: int, load: float) -> None:
    size = 150  # the tail beyond is below 1e-15 for these loads
    birth = [load] * size
    death = [min(k, c) for k in range(1, size + 1)]
    pi = solve_generator(birth, death)
    res = mmc(c, load, 1.0)
    n = np.arange(size + 1)
    assert res.prob_wait == pytest.approx(pi[c:].sum(), rel=1e-8)
    assert res.mean_queue_length == pytest.approx(pi @ np.maximum(n - c, 0), rel=1e-6)
    for k in range(0, c + 4):
        assert res.prob_at_least(k) == pytest.approx(pi[k:].sum(), rel=1e-8, abs=1e-14)


# --------------------------------------------------------------------------- periodic fleet


def test_periodic_is_binomial_for_one_station() -> None:
    n, s, p = 12, 8, 0.4
    direct = sum(math.comb(n - 1, k) * p**k * (1 - p) ** (n - 1 - k) for k in range(s, n))
    assert prob_no_ready_pack_periodic(s, n, p) == pytest.approx(direct, rel=1e-12)


def test_periodic_tends_to_palm_for_many_robots() -> None:
    a = 5.0
    for s in (3, 6, 9):
        many = prob_no_ready_pack_periodic(s, 100_000, a / 100_000)
        assert many == pytest.approx(prob_no_ready_pack(s, a, 1.0), rel=1e-3)


def test_periodic_counts_own_packs_and_thinning() -> None:
    # D = 1.5 C: the arriving robot's own previous drop is still charging; others drop 1 or 2
    assert prob_no_ready_pack_periodic(3, 2, 1.5) == pytest.approx(0.5)
    assert prob_no_ready_pack_periodic(2, 2, 1.5) == pytest.approx(1.0)
    assert prob_no_ready_pack_periodic(3, 2, 1.5, share=0.0) == 0.0
    # thinning one robot's single drop by a share q: P(at least one) = q p
    assert prob_no_ready_pack_periodic(1, 2, 0.3, share=0.5) == pytest.approx(0.15)
    assert prob_no_ready_pack_periodic(0, 5, 0.3) == 1.0


def test_periodic_is_below_palm_for_a_small_fleet() -> None:
    # beyond the mean count the binomial tail is far thinner than Poisson's
    for s in (6, 8):
        assert prob_no_ready_pack_periodic(s, 10, 0.5) < prob_no_ready_pack(s, 5.0, 1.0)


@pytest.mark.parametrize(
    "call, fragment",
    [
        (lambda: mdc(0, 1.0, 1.0), "servers"),
        (lambda: mdc(2, -1.0, 1.0), "arrival_rate"),
        (lambda: mdc(2, 1.0, 0.0), "service_time"),
        (lambda: mmc(2, 1.0, -1.0), "service_mean"),
        (lambda: erlang_c(0, 1.0), "servers"),
        (lambda: prob_no_ready_pack_periodic(2, 0, 0.5), "robots"),
        (lambda: prob_no_ready_pack_periodic(2, 3, 0.5, share=1.5), "share"),
    ],
)
def test_new_formulas_reject_bad_arguments(call, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        call()
