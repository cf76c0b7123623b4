"""Smoke test of the bare-SimPy floors of benchmark 5 (issue 25): they read the shipped scenarios and run.

The floors are the factory and the warehouse written as minimal SimPy models
(:mod:`benchmarks.bare_factory`, :mod:`benchmarks.bare_warehouse`). That they are the same system as
swapsim's (swaps per robot-day, mean swap wait) is measured by benchmark 5 over long runs; here only
that they run, read their numbers from the scenario, count events and are reproducible by seed.
"""

from __future__ import annotations

import math

from benchmarks.bare_factory import Curve, bare_factory_params, run_bare_factory
from benchmarks.bare_warehouse import bare_warehouse_params, run_bare_warehouse
from benchmarks.common import REPO, CountingEnvironment
from benchmarks.scenarios import factory_scaled
from swapsim.model.pack import ChargeCurve
from swapsim.scenario import load_scenario


def _scenario(name: str, days: float):
    return load_scenario(REPO / "scenarios" / name, [f"horizon={days} d", "warmup=0 h"])


def test_factory_floor_reads_the_scenario_and_runs() -> None:
    sc = _scenario("factory.yaml", 1.0)
    params = bare_factory_params(sc)
    assert params["robots"] == 30 and len(params["halls"]) == 2 and len(params["steps"]) == 3
    assert math.isclose(params["halls"][0]["travel_h"], 40.0 / 3600.0)
    env = CountingEnvironment()
    res = run_bare_factory(sc, 24.0, seed=1, env=env)
    assert res.swaps > 100 and res.events and res.events > res.swaps
    assert 5.0 < res.swaps_per_robot_day < 12.0 and res.mean_wait_h >= 0.0
    again = run_bare_factory(sc, 24.0, seed=1)
    assert (again.swaps, again.mean_wait_h) == (res.swaps, res.mean_wait_h)


def test_factory_floor_scales_with_the_resized_factory() -> None:
    sc = factory_scaled(60, 0.5, warmup="0 h")
    res = run_bare_factory(sc, 12.0, seed=2)
    assert res.robots == 60 and res.swaps > 0


def test_warehouse_floor_reads_the_scenario_and_runs() -> None:
    sc = _scenario("warehouse.yaml", 1.0)
    params = bare_warehouse_params(sc)
    assert params["robots"] == 60 and len(params["halls"]) == 3 and len(params["steps"]) == 3
    assert [n for _, n in params["calendar"]] == [6, 55, 50, 6]
    assert params["profile"][2] == (7.0, 380.0)
    res = run_bare_warehouse(sc, 24.0, seed=1)
    assert res.swaps > 50 and res.mean_wait_h >= 0.0
    assert run_bare_warehouse(sc, 24.0, seed=1).swaps == res.swaps


def test_the_floors_charge_curve_is_swapsims() -> None:
    ours, theirs = Curve(0.8, 0.85, 0.05, 0.95), ChargeCurve(0.8, 0.85, 0.05)
    for soc in (0.0, 0.2, 0.5, 0.85, 0.9):
        for hours in (0.1, 0.5, 1.0, 2.0):
            assert math.isclose(ours.soc_at(ours.offset(soc) + hours), theirs.soc_after(soc, hours), abs_tol=1e-12)
        assert math.isclose(ours.ready_at - ours.offset(soc), theirs.time_to_soc_h(soc, 0.95))
