"""A scenario that validates runs (issue 14): validation either refuses a scenario with a message, or
the scenario runs over a short horizon without an exception and within a bounded number of events.

Each example starts from a shipped scenario, sets a short horizon (1 or 2 simulated days) and perturbs
one to four fields: numbers to zero, to tiny values, to the schema's bounds and past them, to large
multiples of their value; durations to the other distribution kinds (zero, tiny, wide); optional
sections (faults, strategies, early swaps) switched on; sometimes every step of the activity cycle or
of a task at once. It asserts:

* ``scenario_from_dict`` raises only :class:`ScenarioError` (a message), never another exception;
* a scenario it accepts runs without an exception, and SimPy processes at most
  ``EVENTS_PER_HOUR_PER_ROBOT x robots + EVENTS_PER_HOUR_PER_TASK x peak arrival rate + EVENTS_PER_HOUR_BASE``
  events per simulated hour (the shipped scenarios need at most a few hundred per robot-hour). The
  budget is enforced while running, so a scenario that stops the clock fails fast instead of hanging.

Fields a shipped file may leave out are tried too (``EXTRA_PATHS``): faults, strategies, output bins,
the whole ``battery`` and ``health`` sections (wear up to the bound of 100) and ``costs`` (prices up to
1e308). What the run would write to summary.json must be strict JSON (no NaN or Infinity).

Robots are drawn up to 200 (the bound, 10,000, only makes a run proportionally longer).
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from swapsim.engine import Environment, simulate
from swapsim.results import strict_json
from swapsim.scenario import ScenarioError, read_yaml, scenario_from_dict

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
SHIPPED = {p.stem: read_yaml(p) for p in sorted(SCENARIOS.glob("*.yaml"))}

EVENTS_PER_HOUR_PER_ROBOT = 2_000
EVENTS_PER_HOUR_PER_TASK = 30
EVENTS_PER_HOUR_BASE = 5_000


class EventBudgetExceeded(Exception):
    """More SimPy events than the stated bound."""


class CountingEnvironment(Environment):
    """An environment that counts its steps and stops the run past ``budget``."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.events = 0
        self.budget = budget

    def step(self) -> None:
        self.events += 1
        if self.events > self.budget:
            raise EventBudgetExceeded(f"{self.events} events by t = {self.now:.6g} h")
        super().step()


_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z/]+)\s*$")

# Fields a shipped file may leave out, and plain values worth trying there.
EXTRA_PATHS: dict[tuple, list[Any]] = {
    ("faults", "estop", "rate_per_day"): [0, 1e-9, 50, 1440, 1441],
    ("faults", "breakdown", "rate_per_day"): [0, 1e-9, 50, 1440],
    ("faults", "station_outage", "rate_per_day"): [1e-9, 50, 1440],
    ("faults", "failed_swap", "probability"): [0.5, 0.99, 1.0],
    ("faults", "failed_swap", "retry"): ["0 s", "1e-9 s"],
    ("faults", "breakdown", "repair"): ["0 s", "1e-9 s"],
    ("faults", "estop", "duration"): ["0 s"],
    ("faults", "down_power"): ["0 W", "1e6 W"],
    ("policy", "opportunistic_below"): [1e-9, 0.21, 0.5, 0.95, 1.0],
    ("policy", "swap_trigger"): [0, 1e-9, 0.5, 0.94, 0.99],
    ("policy", "ready_threshold"): [0.21, 0.2000001, 1.0],
    ("strategy", "kind"): ["cold_swap", "plug_in"],
    ("strategy", "boot_time"): ["0 s"],
    ("output", "bin_width"): ["1 s", "0.5 s", "1 min", "1 d"],
    ("output", "health_bin_width"): ["1 h", "90 min"],
    ("pack", "capacity"): ["1 Wh", "1e-9 Wh", "3 Wh", "1e9 Wh"],
    ("pack", "usable_fraction"): [1e-9, 1.0],
    ("travel", "walking_speed"): ["1e-9 m/s", "1e9 m/s"],
    ("fleet", "rescue_time"): ["1e-9 s", "1 s"],
    ("technicians", "crew"): [0, 1000],
    ("technicians", "spare_packs"): [0],
    ("health", "fault_rate_per_cycle"): [1.0, 0.5],
    ("battery", "wear_scale"): [1e-9, 1, 70, 100],
    ("battery", "wear_sigma"): [0, 1],
    ("battery", "initial_capacity_sd"): [0, 0.2],
    ("battery", "resistance_growth"): [0, 1e6, 1e308],
    ("battery", "chemistry"): ["lfp", "lfp_wang2011"],
    ("battery", "ageing"): [False],
    ("battery", "temperature_c", "in_robot"): [-30, 80],
    ("battery", "temperature_c", "in_bay"): [-30, 80],
    ("health", "retire_below"): [1e-9, 0.8],
    ("health", "warn_below"): [1e-9, 1.5],
    ("health", "check_noise_sd"): [0, 0.2],
    ("health", "retire_resistance_ratio"): [1.000001, 1e308],
    ("costs", "robot_capex"): [0, 1e308],
    ("costs", "pack_capex"): [0, 1e308],
    ("costs", "energy_per_kwh"): [0, 1e308],
    ("costs", "technician_per_hour"): [1e308],
    ("costs", "life_years"): [1e-9, 50],
    ("costs", "discount_rate"): [0, 1],
    ("costs", "unserved_task"): [1e308],
    ("costs", "pack_replacement"): [0, 1e308],
    ("costs", "energy_tariff"): [[{"start": "00:00", "per_kwh": 1e308}],
                                 [{"start": "00:00", "per_kwh": 0.1}, {"start": "22:00", "per_kwh": 0}]],
}

DIST_SHAPES = [
    "0 s",
    "1e-9 s",
    "1e9 h",
    {"dist": "exponential", "mean": "1e-9 s"},
    {"dist": "normal", "mean": "0 s", "sd": "1e-9 s"},
    {"dist": "normal", "mean": "0 s", "sd": "1 min"},
    {"dist": "lognormal", "mean": "1e-9 s", "sd": "1 h"},
    {"dist": "lognormal", "mean": "1 min", "sd": "1 d"},
    {"dist": "uniform", "low": "0 s", "high": "0 s"},
    {"dist": "triangular", "low": "0 s", "mode": "0 s", "high": "1e-9 s"},
    {"dist": "empirical", "values": ["0 s", "1 min"], "weights": [1, 0]},
    {"dist": "empirical", "values": ["0 s", "1 min"], "weights": [1e308, 1e308]},
    {"dist": "empirical", "values": ["0 s"]},
]
DURATION_KEYS = {"duration", "swap_duration", "repair", "retry", "boot_time", "response_time", "job_duration"}


def _leaves(node: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    """(path, value) of every number and quantity string, and of every duration field."""
    out: list[tuple[tuple, Any]] = []
    if isinstance(node, dict):
        if "dist" in node:
            return [(path, node)]
        for k, v in node.items():
            out += _leaves(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _leaves(v, path + (i,))
    elif (isinstance(node, (int, float)) and not isinstance(node, bool)) or (
        isinstance(node, str) and _QUANTITY.match(node)
    ):
        out.append((path, node))
    return out


def _variants(path: tuple, value: Any) -> list[Any]:
    """Values to try at a leaf: zero, tiny, bounds and beyond, large multiples; distributions for durations."""
    if path and path[-1] in DURATION_KEYS:
        return DIST_SHAPES
    if isinstance(value, dict):
        return DIST_SHAPES
    if isinstance(value, str):
        number, unit = _QUANTITY.match(value).groups()
        x = float(number)
        return [f"{v:g} {unit}" for v in (0, 1e-9, 1e-300, x * 1e-3, x * 10, x * 1e3, x * 1e6, 1e300)]
    if isinstance(value, int):
        if path[-1] == "robots":
            return [0, 1, 2, 200, 10_000, 10_001]
        return [0, 1, value * 10, 1_000, 10_000, 10_001, 10**9]
    return [0.0, 1e-12, 1e-6, 0.5, 0.99, 1.0, value * 1e3, 1e5, 1e308]


def _set(data: dict, path: tuple, value: Any) -> None:
    node = data
    for key in path[:-1]:
        if isinstance(key, str) and key not in node:
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


@st.composite
def perturbed(draw: st.DrawFn) -> tuple[str, dict]:
    name = draw(st.sampled_from(sorted(SHIPPED)))
    data = copy.deepcopy(SHIPPED[name])
    data["horizon"] = draw(st.sampled_from(["1 d", "2 d"]))
    data["warmup"] = draw(st.sampled_from(["0 h", "2 h"]))
    leaves = _leaves(data) + [(p, None) for p in EXTRA_PATHS]
    changes = []
    for _ in range(draw(st.integers(1, 4))):
        path, value = draw(st.sampled_from(leaves))
        if path in EXTRA_PATHS and value is None:
            new = draw(st.sampled_from(EXTRA_PATHS[path]))
        else:
            new = draw(st.sampled_from(_variants(path, value)))
        if path[-1] == "robots" and isinstance(new, int) and path[0] == "fleet":
            new = min(new, 200)
        if path in (("horizon",), ("warmup",)):
            continue  # the short horizon bounds the test's time
        _set(data, path, copy.deepcopy(new))
        changes.append((path, new))
    if draw(st.integers(0, 3)) == 0:  # every step of the cycle (or of a task) the same shape at once
        steps = data["workload"].get("cycle") or data["workload"]["tasks"]["steps"]
        shape = draw(st.sampled_from(DIST_SHAPES))
        for step in steps:
            step["duration"] = copy.deepcopy(shape)
    return name, data


def _budget(sc) -> int:
    hours = sc.horizon
    peak = 0.0
    if sc.workload.tasks is not None:
        arr = sc.workload.tasks.arrivals
        peak = max(seg.rate_per_h for seg in arr.profile) * arr.scale
    per_hour = EVENTS_PER_HOUR_PER_ROBOT * sc.fleet.robots + EVENTS_PER_HOUR_PER_TASK * peak + EVENTS_PER_HOUR_BASE
    return int(per_hour * max(hours, 1.0))


@pytest.mark.slow
@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(perturbed())
def test_a_scenario_that_validates_runs(example: tuple[str, dict]) -> None:
    name, data = example
    try:
        sc = scenario_from_dict(data, f"{name}.yaml")
    except ScenarioError as exc:
        assert str(exc).strip(), "a rejection must say why"
        assert "Traceback" not in str(exc)
        return
    env = CountingEnvironment(_budget(sc))
    try:
        result = simulate(sc, env=env)
    except ScenarioError as exc:  # refused up front (memory limit): a message, before running
        assert env.events == 0 and "memory" in str(exc)
        return
    assert result.manifest["horizon_h"] == sc.horizon
    json.loads(strict_json(result.kpis()), parse_constant=_refuse)  # what summary.json would hold


def _refuse(token: str) -> None:
    raise AssertionError(f"{token} in JSON")


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_scenarios_stay_far_below_the_event_budget(name: str) -> None:
    """The bound is generous: a shipped scenario uses less than a tenth of it."""
    data = copy.deepcopy(SHIPPED[name])
    data["horizon"], data["warmup"] = "1 d", "0 h"
    sc = scenario_from_dict(data, name)
    env = CountingEnvironment(_budget(sc))
    simulate(sc, env=env)
    assert env.events < _budget(sc) / 10
