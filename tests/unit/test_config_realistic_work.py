"""Schema of tasks, shifts, faults and power strategies: defaults keep old files loading, errors name
the field, the value and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from swapsim.scenario import ScenarioError, load_scenario, scenario_from_dict

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def minimal(**over):
    data = {
        "name": "x",
        "horizon": "1 d",
        "fleet": {"robots": 3},
        "workload": {"cycle": [{"activity": "walk", "duration": "5 min"}]},
        "stations": [{"name": "A", "distance": "10 m", "bays": 4, "charged_packs": 2}],
    }
    data.update(over)
    return data


TASKS = {
    "tasks": {
        "arrivals": {"profile": [{"start": "0 h", "rate_per_h": 4}]},
        "steps": [{"activity": "walk", "duration": "5 min"}],
    }
}


def error(data) -> str:
    with pytest.raises(ScenarioError) as exc:
        scenario_from_dict(data, "s.yaml")
    return str(exc.value)


def test_defaults_keep_the_old_behaviour():
    sc = scenario_from_dict(minimal())
    assert sc.strategy.kind == "hot_swap" and sc.shifts is None and sc.workload.tasks is None
    assert sc.faults.estop.rate_per_day == 0 and sc.faults.failed_swap.probability == 0
    assert sc.policy.opportunistic_below is None
    assert sc.total_packs == 2 * 3 + 2
    assert sc.stations[0].plug_in_docks == 2


@pytest.mark.parametrize("name", ["factory", "hospital"])
def test_cycle_scenarios_are_untouched(name):
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    assert sc.workload.cycle and sc.workload.tasks is None and sc.shifts is None


@pytest.mark.parametrize("name", ["warehouse", "airport"])
def test_warehouse_and_airport_use_task_demand_shifts_and_faults(name):
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    assert sc.workload.tasks is not None and sc.workload.cycle is None
    assert len(sc.workload.tasks.arrivals.profile) >= 8  # a daily profile, not a constant rate
    assert sc.shifts is not None and len({seg.robots for seg in sc.shifts.calendar}) >= 2
    f = sc.faults
    assert f.estop.rate_per_day > 0 and f.breakdown.rate_per_day > 0
    assert f.station_outage.rate_per_day > 0 and f.failed_swap.probability > 0


def test_strategy_packs():
    assert scenario_from_dict(minimal(strategy={"kind": "cold_swap"})).total_packs == 3 + 2
    assert scenario_from_dict(minimal(strategy={"kind": "plug_in"})).total_packs == 2 * 3


@pytest.mark.parametrize(
    "data,message",
    [
        (
            minimal(workload={**TASKS, "cycle": [{"activity": "walk", "duration": "5 min"}]}),
            "s.yaml: workload: give exactly one of cycle",
        ),
        (minimal(workload={}), "s.yaml: workload: give exactly one of cycle"),
        (minimal(strategy={"kind": "battery_swap"}), "s.yaml: strategy.kind: must be one of"),
        (
            minimal(
                workload={"tasks": {**TASKS["tasks"], "arrivals": {"profile": [{"start": "1 h", "rate_per_h": 4}]}}}
            ),
            "s.yaml: workload.tasks.arrivals: the first profile segment must start at 0 h",
        ),
        (
            minimal(
                workload={"tasks": {**TASKS["tasks"], "arrivals": {"profile": [{"start": "0 h", "rate_per_h": 0}]}}}
            ),
            "at least one segment needs rate_per_h > 0",
        ),
        (
            minimal(
                workload={
                    "tasks": {
                        **TASKS["tasks"],
                        "arrivals": {
                            "profile": [{"start": "0 h", "rate_per_h": 4}, {"start": "25 h", "rate_per_h": 4}]
                        },
                    }
                }
            ),
            "every profile segment must start before the period (24 h)",
        ),
        (
            minimal(workload={"tasks": {**TASKS["tasks"], "steps": [{"activity": "fly", "duration": "1 min"}]}}),
            "s.yaml: workload.tasks.steps[0].activity: must be one of the activities in power.activities",
        ),
        (
            minimal(workload={"tasks": {**TASKS["tasks"], "approach_activity": "run"}}),
            "s.yaml: workload.tasks.approach_activity: must be one of the activities",
        ),
        (
            minimal(shifts={"calendar": [{"start": "0 h", "robots": 4}]}),
            "s.yaml: shifts.calendar[0].robots: must be <= fleet.robots (3) (got 4)",
        ),
        (
            minimal(shifts={"calendar": [{"start": "0 h", "robots": 1}, {"start": "0 h", "robots": 2}]}),
            "calendar segment starts must increase",
        ),
        (
            minimal(policy={"opportunistic_below": 0.1}),
            "s.yaml: policy.opportunistic_below: must be > policy.swap_trigger (0.2) (got 0.1)",
        ),
        (
            minimal(policy={"opportunistic_below": 0.99}),
            "s.yaml: policy.opportunistic_below: must be <= policy.ready_threshold (0.95)",
        ),
        (
            minimal(faults={"failed_swap": {"probability": 1.0}}),
            "s.yaml: faults.failed_swap.probability: must be <= 0.99",
        ),
        (minimal(faults={"estop": {"rate_per_day": -1}}), "s.yaml: faults.estop.rate_per_day: must be >= 0"),
        (minimal(faults={"estop": {"rate": 1}}), "s.yaml: faults.estop.rate: unknown field"),
        (
            minimal(stations=[{"name": "A", "distance": "10 m", "bays": 4, "charged_packs": 2, "docks": 0}]),
            "s.yaml: stations[0].docks: must be >= 1 (got 0)",
        ),
    ],
)
def test_errors_name_the_field(data, message):
    assert message in error(data)


def test_arrival_mean_rate():
    sc = scenario_from_dict(
        minimal(
            workload={
                "tasks": {
                    **TASKS["tasks"],
                    "arrivals": {
                        "profile": [{"start": "0 h", "rate_per_h": 10}, {"start": "6 h", "rate_per_h": 30}],
                        "scale": 2,
                    },
                }
            }
        )
    )
    assert sc.workload.tasks.arrivals.mean_rate_per_h() == pytest.approx(2 * (10 * 6 + 30 * 18) / 24)


@pytest.mark.parametrize("name", ["factory", "warehouse", "airport", "hospital"])
def test_resolved_scenario_loads_back_equal(name, tmp_path):
    from swapsim.scenario import dump_scenario

    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    path = tmp_path / f"{name}.yaml"
    path.write_text(dump_scenario(sc))
    assert load_scenario(path) == sc
