"""Every fault kind has its own streams: with every rate at zero a run equals the fault-free run with
the same seed, and turning faults on leaves the task arrivals untouched (common random numbers)."""

from __future__ import annotations

import copy

import pytest
from builders import PATCHES_THE_MODEL

from swapsim.engine import simulate
from swapsim.scenario import scenario_from_dict

ZERO_FAULTS = {
    "estop": {"rate_per_day": 0, "duration": "5 min"},
    "breakdown": {"rate_per_day": 0, "repair": "4 h"},
    "station_outage": {"rate_per_day": 0, "repair": "2 h"},
    "failed_swap": {"probability": 0, "retry": "1 min"},
}
SOME_FAULTS = {
    "estop": {"rate_per_day": 2, "duration": "5 min"},
    "breakdown": {"rate_per_day": 0.2, "repair": "2 h"},
    "station_outage": {"rate_per_day": 1, "repair": "1 h"},
    "failed_swap": {"probability": 0.1, "retry": "1 min"},
}

SWAP = {"dist": "triangular", "low": "2.5 min", "mode": "3 min", "high": "4 min"}
CYCLE = {
    "cycle": [
        {"activity": "walk", "duration": {"dist": "uniform", "low": "2 min", "high": "6 min"}},
        {"activity": "stand", "duration": {"dist": "exponential", "mean": "20 min"}},
        {"activity": "idle", "duration": {"dist": "exponential", "mean": "3 min"}},
    ]
}
TASKS = {
    "tasks": {
        "arrivals": {"profile": [{"start": "0 h", "rate_per_h": 10}, {"start": "12 h", "rate_per_h": 25}]},
        "steps": [
            {"activity": "walk", "duration": {"dist": "lognormal", "mean": "4 min", "sd": "2 min"}},
            {"activity": "stand", "duration": {"dist": "uniform", "low": "5 min", "high": "15 min"}},
        ],
        "dispatch": "nearest",
    }
}


def scenario(workload, faults=None, kind="hot_swap", shifts=True):
    data = {
        "name": "faults",
        "horizon": "3 d",
        "warmup": "6 h",
        "seed": 9,
        "fleet": {"robots": 8},
        "workload": workload,
        "policy": {"go": "after_activity", "opportunistic_below": 0.5},
        "strategy": {"kind": kind},
        "stations": [
            {"name": "A", "distance": "30 m", "bays": 8, "charged_packs": 5, "swap_duration": SWAP},
            {"name": "B", "distance": "70 m", "bays": 8, "charged_packs": 5, "swap_duration": SWAP},
        ],
    }
    if shifts:
        data["shifts"] = {"calendar": [{"start": "0 h", "robots": 4}, {"start": "7 h", "robots": 8}]}
    if faults is not None:
        data["faults"] = faults
    return scenario_from_dict(data)


def kpis(result):
    out = copy.deepcopy(result.kpis())
    out.pop("manifest")
    return out


@pytest.mark.parametrize("workload", [CYCLE, TASKS], ids=["cycle", "tasks"])
@pytest.mark.parametrize("kind", ["hot_swap", "cold_swap", "plug_in"])
def test_zero_fault_rates_equal_the_fault_free_run(workload, kind):
    free = simulate(scenario(workload, None, kind))
    zero = simulate(scenario(workload, ZERO_FAULTS, kind))
    assert kpis(zero) == kpis(free)
    assert zero.timeseries.keys() == free.timeseries.keys()
    for key in free.timeseries:
        assert (zero.timeseries[key] == free.timeseries[key]).all(), key


@pytest.mark.parametrize("kind", ["hot_swap", "plug_in"])
def test_faults_change_the_run_but_not_the_tasks(kind):
    free = simulate(scenario(TASKS, None, kind))
    faulty = simulate(scenario(TASKS, SOME_FAULTS, kind))
    f = faulty.summary["faults"]
    assert f["estops"] > 0 and f["breakdowns"] + f["station_outages"] > 0 and f["down_h"] > 0
    if kind == "hot_swap":
        assert f["failed_swaps"] > 0
    assert faulty.summary["fleet"]["state_fraction"]["down"] > 0
    assert kpis(faulty) != kpis(free)
    # the same tasks arrive: task streams do not depend on faults
    assert faulty.summary["tasks"]["arrived"] == free.summary["tasks"]["arrived"]


@PATCHES_THE_MODEL
def test_fault_components_draw_only_from_their_own_streams(monkeypatch):
    """Who asks for which stream: fault code only for fault streams, and only fault code for those."""
    import sys

    from swapsim.streams import Streams

    asked: list[tuple[str, str]] = []
    original = Streams.get

    def recording_get(self, *name):
        caller = sys._getframe(1).f_globals["__name__"]
        asked.append((caller, str(name[0])))
        return original(self, *name)

    monkeypatch.setattr(Streams, "get", recording_get)
    result = simulate(scenario(TASKS, SOME_FAULTS, "hot_swap"))
    assert result.summary["faults"]["failed_swaps"] > 0
    fault_names = {"estop", "breakdown", "station_outage", "failed_swap"}
    from_faults = {name for caller, name in asked if caller == "swapsim.model.faults"}
    assert from_faults == fault_names
    assert {caller for caller, name in asked if name in fault_names} == {"swapsim.model.faults"}
    task_names = {"task_arrivals", "task_location", "task_steps", "dispatch"}
    task_modules = {"swapsim.model.workload", "swapsim.model.tasks"}  # the dispatcher and task demand
    assert {name for caller, name in asked if caller in task_modules} == task_names
