"""The ETA of ``swapsim size``: its arithmetic, worked by hand (swapsim.experiments.sizing.eta)."""

from __future__ import annotations

import math

import pytest

from swapsim.experiments.sizing.eta import (
    PRIOR_WEIGHT,
    eta_seconds,
    expected_replications,
    fit_run_time,
    fmt_seconds,
    run_work,
)
from swapsim.experiments.sizing.runcache import Evaluated
from swapsim.experiments.sizing.space import Config, Dimension, Target
from swapsim.experiments.sizing.spec import SizeSpec
from swapsim.experiments.sizing.walk import _eta
from tests.builders import scenario_dict


def test_the_time_left_is_the_run_time_left_over_the_parallelism():
    # a run takes 1 s + 0.01 s per robot-hour; in play: runs of 100 and 300 robot-hours (2 s and 4 s);
    # half the walked configurations needed runs, 10 replications each: (2 + 4) x 0.5 x 10 = 30 s; the
    # horizon check: 20 runs of 500 robot-hours (6 s) = 120 s; two runs at a time: (30 + 120) / 2
    assert eta_seconds((1.0, 0.01), 2.0, [100.0, 300.0], 0.5, 10.0, 20, 500.0) == pytest.approx(75.0)
    assert eta_seconds((1.0, 0.01), 1.0, [], 0.5, 10.0, 0, 0.0) == 0.0


def test_a_run_takes_a_time_proportional_to_its_work():
    assert fit_run_time([(10.0, 1.5), (20.0, 2.5), (40.0, 4.5)]) == pytest.approx((0.0, 8.5 / 70))
    assert math.isnan(fit_run_time([])[1])


def test_replications_expected_shrink_the_mean_so_far_towards_the_looks():
    looks = (5, 10, 20, 40)
    prior = (5 * 10 * 20 * 40) ** 0.25  # 14.1: the geometric mean of the looks
    assert expected_replications([], looks) == pytest.approx(prior)
    assert expected_replications([5], looks) == pytest.approx((5 + PRIOR_WEIGHT * prior) / (1 + PRIOR_WEIGHT))
    many = [5] * 90
    assert expected_replications(many, looks) == pytest.approx((450 + PRIOR_WEIGHT * prior) / (90 + PRIOR_WEIGHT))


def test_the_work_of_a_run_is_robots_times_the_horizon():
    assert run_work(scenario_dict(horizon="10 h", fleet={"robots": 3, "initial_soc": "full"})) == 30.0
    assert run_work({"not": "a scenario"}) == 0.0
    assert fmt_seconds(42.4) == "42 s" and fmt_seconds(1800) == "30 min" and fmt_seconds(math.nan) == "?"


def test_the_search_eta_counts_each_configuration_at_its_own_work_and_the_horizon_check():
    data = scenario_dict(horizon="10 h", warmup="2 h")  # measured span 8 h; at 4x: 2 + 32 = 34 h
    spec = SizeSpec(
        source="t",
        base_data=data,
        dims=(Dimension("fleet.robots", 1, 3),),
        targets=(Target("swaps.wait_min.mean", "<=", 1.0),),
        horizon_factor=4.0,
        horizon_replications=10,
        n_min=5,
        n_max=5,
    )

    def ev(i: int, robots: int, status: str, n: int) -> Evaluated:
        e = Evaluated(Config(i, (robots,), data, float(i), work=robots * 10.0), status=status)
        e.runs = {r: {} for r in range(n)}
        return e

    walked = [ev(0, 1, "infeasible", 5), ev(1, 2, "dominated", 0)]
    left = [ev(2, 3, "not evaluated", 0)]

    class Runs:  # 5 runs of 10 robot-hours, 2 s each, in 10 s of wall time: 0.2 s per robot-hour, 1 at a time
        wall = 10.0
        times = [(10.0, 2.0)] * 5

    # one look of 5: 5 replications expected; walk: 30 robot-hours x 0.2 s x 1/2 simulated x 5 = 15 s;
    # horizon check: 2 x 5 runs (n_max) of the heaviest simulated configuration at 34/10 of its length:
    # 10 x 34 robot-hours x 0.2 s = 68 s
    assert _eta(spec, Runs(), walked, left) == pytest.approx(83.0)  # type: ignore[arg-type]
