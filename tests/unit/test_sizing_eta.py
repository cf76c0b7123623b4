"""The ETA of ``swapsim size``: its arithmetic, worked by hand (swapsim.experiments.sizing.eta)."""

from __future__ import annotations

import math

import pytest

from swapsim.experiments.sizing.eta import eta_seconds, expected_replications, fmt_seconds, run_work
from swapsim.experiments.sizing.search import Evaluated, _eta
from swapsim.experiments.sizing.space import Config, Dimension, Target
from swapsim.experiments.sizing.spec import SizeSpec
from tests.builders import scenario_dict


def test_the_time_left_is_the_work_left_at_the_measured_rate():
    # 2 s per robot-hour; in play: runs of 100 and 300 robot-hours; half the walked configurations
    # needed runs, 10 replications each: (100 + 300) x 0.5 x 10 = 2000 robot-hours; the horizon check:
    # 20 runs of 500 robot-hours = 10000; together 12000 robot-hours = 24000 s
    assert eta_seconds(2.0, [100.0, 300.0], 0.5, 10.0, 20, 500.0) == pytest.approx(24000.0)
    assert eta_seconds(2.0, [], 0.5, 10.0, 0, 0.0) == 0.0


def test_replications_expected_lean_on_the_latest_configurations():
    assert expected_replications([5, 5, 5, 5]) == 5.0
    assert expected_replications([5, 5, 5, 5, 10, 20, 40]) == pytest.approx(70 / 3)  # the boundary needs more looks
    assert expected_replications([40, 5, 5, 5]) == pytest.approx(55 / 4)  # never below the mean
    assert math.isnan(expected_replications([]))


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
    )

    def ev(i: int, robots: int, status: str, n: int) -> Evaluated:
        e = Evaluated(Config(i, (robots,), data, float(i), work=robots * 10.0), status=status)
        e.runs = {r: {} for r in range(n)}
        return e

    walked = [ev(0, 1, "infeasible", 5), ev(1, 2, "dominated", 0)]
    left = [ev(2, 3, "not evaluated", 0)]

    class Runs:  # 10 s of wall time for 5 runs of 10 robot-hours: 0.2 s per robot-hour
        wall, work = 10.0, 50.0

    # walk: 30 robot-hours x 1/2 simulated x 5 replications = 75; horizon check: 2 x 10 runs of the
    # heaviest simulated configuration (10 robot-hours) at 34/10 of its length = 680; (75 + 680) x 0.2
    assert _eta(spec, Runs(), walked, left) == pytest.approx(151.0)  # type: ignore[arg-type]
