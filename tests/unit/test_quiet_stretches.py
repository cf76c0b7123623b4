"""Quiet stretches of the activity cycle (swapsim.model.robot.quiet) take the model along the same path as the
step-by-step process: same swaps, waits, pack charge and ageing, per-robot hours, bit for bit. Only
the fleet-state time series may differ, in the last bits, because a robot's state intervals reach
the fleet-state log in a different order (floating-point sums in another order).

Each case runs a scenario twice, with ``HotSwap.quiet_stretches`` (the power strategy's) on and off, and compares everything
a run reports. The cases cover what can cut a stretch short: the pack trigger with ``go:
after_activity`` and ``go: immediately``, faults halting a robot mid-stretch, early swaps at idle
steps, a warm-up reset and health surveys in the middle of stretches, and a cycle with a step that
draws no power.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from builders import PATCHES_THE_MODEL

from swapsim.engine import Environment, simulate
from swapsim.model.robot import Body, HotSwap
from swapsim.model.robot.quiet import timeout_at
from swapsim.scenario import load_scenario

FLEET_STATE_COLUMNS = ("robots_",)
"""Time-series columns fed by the fleet-state log (equal to within rounding, not bit for bit)."""


class CountingEnvironment(Environment):
    def __init__(self) -> None:
        super().__init__()
        self.events = 0

    def step(self) -> None:
        self.events += 1
        super().step()


def _run(scenario, seed: int, quiet: bool, monkeypatch) -> tuple[object, int]:
    monkeypatch.setattr(HotSwap, "quiet_stretches", quiet)
    env = CountingEnvironment()
    return simulate(scenario, seed=seed, env=env), env.events


def _same(a, b, path: str = "") -> None:
    """Deep equality, exact (the wall time aside)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            if k != "wall_time_s":
                _same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(b, a, err_msg=path)
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b), path
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def _assert_equivalent(scenario, seed: int, monkeypatch) -> tuple[int, int]:
    slow, slow_events = _run(scenario, seed, False, monkeypatch)
    fast, fast_events = _run(scenario, seed, True, monkeypatch)
    # everything but the fleet-state bins: bit for bit
    summary_slow, summary_fast = dict(slow.summary), dict(fast.summary)
    _same(summary_slow, summary_fast, "summary")
    _same(slow.robots, fast.robots, "robots")
    _same(slow.packs, fast.packs, "packs")
    _same(slow.health, fast.health, "health")
    _same(slow.alerts, fast.alerts, "alerts")
    _same(slow.monthly, fast.monthly, "monthly")
    _same(slow.wait_histogram, fast.wait_histogram, "wait_histogram")
    assert slow.timeseries.keys() == fast.timeseries.keys()
    for name, col in slow.timeseries.items():
        other = fast.timeseries[name]
        if name.startswith(FLEET_STATE_COLUMNS):
            np.testing.assert_allclose(other, col, rtol=1e-12, atol=1e-9, err_msg=name)
        else:
            np.testing.assert_array_equal(other, col, err_msg=name)
    return slow_events, fast_events


@PATCHES_THE_MODEL
def test_factory_same_path_with_far_fewer_events(monkeypatch) -> None:
    scenario = load_scenario("scenarios/factory.yaml", ["horizon=4 d", "warmup=0.5 d"])
    slow_events, fast_events = _assert_equivalent(scenario, 3, monkeypatch)
    # the cycle's steps are most of the events step by step; a stretch is one
    assert fast_events < 0.5 * slow_events, (slow_events, fast_events)


@PATCHES_THE_MODEL
@pytest.mark.parametrize("go", ["immediately", "after_activity"])
def test_hospital_with_faults_halting_robots_mid_stretch(go: str, monkeypatch) -> None:
    scenario = load_scenario(
        "scenarios/hospital.yaml",
        [
            "horizon=3 d",
            f"policy.go={go}",
            "faults.estop.rate_per_day=6",
            "faults.estop.duration={dist: exponential, mean: 5 min}",
            "faults.breakdown.rate_per_day=0.5",
            "faults.breakdown.repair={dist: exponential, mean: 1 h}",
        ],
    )
    slow, fast = _assert_equivalent(scenario, 11, monkeypatch)
    assert fast < slow


@PATCHES_THE_MODEL
def test_early_swaps_at_idle_steps(monkeypatch) -> None:
    scenario = load_scenario("scenarios/factory.yaml", ["horizon=3 d", "policy.opportunistic_below=0.6"])
    _assert_equivalent(scenario, 5, monkeypatch)


@PATCHES_THE_MODEL
def test_zero_power_and_zero_length_steps(monkeypatch) -> None:
    """A step that draws nothing never meets an energy event (stretches are capped); a step of zero
    length is entered and left at the same instant."""
    scenario = load_scenario(
        "scenarios/factory.yaml",
        [
            "horizon=2 d",
            "power.activities.idle=0 W",
            "workload.cycle[2].duration={dist: fixed, value: 0 min}",
        ],
    )
    _assert_equivalent(scenario, 2, monkeypatch)


def test_timeout_at_fires_at_the_exact_time() -> None:
    """The stretch's end is a sum of step durations; a timeout of ``end - now`` cannot always reach it
    (here no delay can: ``now + delay`` skips it), the queued event does. Also checks that SimPy still
    has the private queue and id counter timeout_at relies on."""
    env = Environment()
    assert isinstance(env._queue, list) and hasattr(env, "_eid")
    now, when = 1.1338140274802806, 3.636719139831809
    fired: list[float] = []

    def proc():
        yield env.timeout(now)
        assert env.now + (when - env.now) != when  # the case a plain timeout misses
        yield timeout_at(env, when)
        fired.append(env.now)

    env.process(proc())
    env.run()
    assert fired == [when]
    # and on a plain SimPy environment
    plain = simpy.Environment()
    ev = timeout_at(plain, 2.5)
    plain.run(until=ev)
    assert plain.now == 2.5


@PATCHES_THE_MODEL
@pytest.mark.slow
@pytest.mark.parametrize("name", ["warehouse", "airport"])
def test_task_legs_with_shifts_faults_and_early_swaps(name: str, monkeypatch) -> None:
    """A task's legs (walk to it, then its steps) as one stretch; the shift manager reads robots'
    energy mid-task, faults halt robots mid-task, the airport's idle robots swap early."""
    scenario = load_scenario(f"scenarios/{name}.yaml", ["horizon=2 d", "faults.estop.rate_per_day=4"])
    slow, fast = _assert_equivalent(scenario, 7, monkeypatch)
    assert fast < slow


@PATCHES_THE_MODEL
def test_quiet_stretches_really_run(monkeypatch) -> None:
    """The equivalence above is not vacuous: stretches of several legs run, some begin with the walk
    back from a swap, some end with the step in which the pack reaches its trigger, and faults cut
    some short, on the walk back too."""
    seen = {"stretches": 0, "legs": 0, "halted": 0, "trigger": 0, "walk_back": 0, "halted_walking": 0}
    run_quiet = Body.run_quiet

    def counting(self, stretch):
        seen["stretches"] += 1
        seen["legs"] += stretch.n
        seen["trigger"] += stretch.event_at >= 0
        walk_back = stretch.legs[0][1][0] == "travelling"
        seen["walk_back"] += walk_back
        ran = yield from run_quiet(self, stretch)
        halted = ran[1] is not None  # hours left of the leg a fault halted it in
        seen["halted"] += halted
        seen["halted_walking"] += halted and walk_back and ran[0] == 0
        return ran

    monkeypatch.setattr(Body, "run_quiet", counting)
    scenario = load_scenario(
        "scenarios/hospital.yaml",
        ["horizon=2 d", "faults.estop.rate_per_day=6", "faults.estop.duration={dist: exponential, mean: 5 min}"],
    )
    simulate(scenario, seed=11)
    assert seen["stretches"] > 100
    assert seen["legs"] > 3 * seen["stretches"]
    assert seen["halted"] > 10
    assert seen["trigger"] > 10  # stretches ending with the step in which the pack reaches its trigger
    assert seen["walk_back"] > 10  # stretches beginning with the walk back from a swap
    assert seen["halted_walking"] > 0, seen
