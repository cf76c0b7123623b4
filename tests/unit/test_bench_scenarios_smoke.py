"""Smoke test of benchmark 5 (the shipped scenarios' CPU time per swap, issue 16's targets).

Runs the whole benchmark once with tiny horizons and fleets (a few seconds), and the documented
commands' entry points: ``python -m benchmarks --only scenarios`` and ``python -m benchmarks.profiling
warehouse|airport``. No timing is asserted (docs/performance.md holds the measurements).
"""

from __future__ import annotations

import pytest

from benchmarks import __main__ as bench_main
from benchmarks import bench_scenarios, profiling
from benchmarks.bench_queue import QueueCase
from benchmarks.bench_scenarios import Case

TINY = (
    Case("factory", 0.25, 0.5, target=2.0, floor="factory"),
    Case("factory-45", 0.25, 0.5, robots=45, target=3.0, against="factory", floor="factory"),
    Case("warehouse", 0.5, 0.75, file="warehouse.yaml", target=4.0, floor="warehouse"),
    Case("airport", 0.5, 0.75, file="airport.yaml", target=4.0, floor_of="warehouse"),
)


@pytest.mark.slow
def test_scenario_benchmark_runs_every_model_and_states_each_target() -> None:
    messages: list[str] = []
    table, raw = bench_scenarios.run(
        quick=True,
        repeats=2,
        progress=messages.append,
        cases=TINY,
        queue_case=QueueCase(horizon_h=12.0),
        year=(20, 0.25),
        instructions=False,
    )
    assert [r[0] for r in table.rows] == [
        "bare SimPy, M/M/3//20",
        "swapsim, M/M/3//20 (bench 1)",
        "factory (marginal)",
        "factory-45 (marginal)",
        "warehouse (marginal)",
        "airport (marginal)",
        "floor: factory (bare SimPy, marginal)",
        "floor: factory-45 (bare SimPy, marginal)",
        "floor: warehouse (bare SimPy, marginal)",
        "factory-20, one run",
    ]
    targets = {r[0]: (r[-2], r[-1]) for r in table.rows}
    assert targets["factory (marginal)"][0] == "<= 2x bench 1 swapsim"
    assert targets["factory-45 (marginal)"][0] == "<= 3x factory"
    assert targets["airport (marginal)"][0] == "<= 4x bench 1 swapsim"
    assert all(result.startswith(("met (", "missed (")) for _, result in list(targets.values())[2:6])
    assert targets["factory-20, one run"] == ("(smoke run)", "")  # the 120 s target is for 365 days only

    summary = raw["summary"]
    assert summary["queue"]["ratio_queue"] == 1.0 and summary["bare"]["ratio_bare"] == 1.0
    assert summary["factory-45"]["stations"] == 3 and summary["factory-45"]["against"] == "factory"
    for case in TINY:
        s = summary[case.key]
        assert s["swaps_long"] > s["swaps_short"] > 0
        assert len(raw["runs"][f"{case.key}/short"]) == len(raw["runs"][f"{case.key}/long"]) == 2
    assert summary["airport"]["floor"] == "floor:warehouse" and summary["factory-45"]["floor"] == "floor:factory-45"
    for key in ("factory", "factory-45", "warehouse"):
        assert "ratio_floor" in summary[key]  # a ratio of CPU times: its value is not asserted
        same = summary[key]["same_system"]
        assert same["floor_swaps_per_robot_day"] > 0 and same["swapsim_swaps_per_robot_day"] > 0
        assert summary[f"floor:{key}"]["swaps_long"] > summary[f"floor:{key}"]["swaps_short"] > 0
    assert any(note.startswith("same system, warehouse") for note in table.notes)
    year = raw["year_run"]
    assert year["robots"] == 20 and year["days"] == 0.25 and year["warmup"] == "0 h"
    assert year["swaps"] > 0 and year["peak_rss_mib"] > 0 and year["met"] is None
    assert len(messages) == 3  # two repeats and the run in a fresh interpreter (no instruction counts)


def test_scenario_cases_run_without_warmup_at_their_horizons() -> None:
    for case in bench_scenarios.CASES:
        scenario = case.scenario(case.short_days)
        assert scenario.warmup == 0.0 and scenario.horizon == case.short_days * 24.0
    factory_1000 = bench_scenarios.CASES[1].scenario(2.0)
    assert factory_1000.fleet.robots == 1000 and len(factory_1000.stations) == 67


def test_every_case_has_a_floor_and_instruction_horizons() -> None:
    for cases in (bench_scenarios.CASES, bench_scenarios.QUICK_CASES):
        keys = {c.key for c in cases}
        for case in cases:
            assert case.floor_key is not None and case.floor_key.split(":", 1)[1] in keys
            assert case.ir_days is not None and 0 < case.ir_days[0] < case.ir_days[1]


def test_instruction_child_runs_a_case_and_its_floor(capsys) -> None:
    import dataclasses
    import json

    from benchmarks import instructions

    spec = json.dumps(dataclasses.asdict(Case("factory", 0.1, 0.2, floor="factory", ir_days=(0.1, 0.2))))
    assert bench_scenarios.case_from_json(spec).ir_days == (0.1, 0.2)
    instructions._child(f"case={spec}", 0.2)
    instructions._child(f"floor={spec}", 0.2)
    swapsim_swaps, floor_swaps = (int(x) for x in capsys.readouterr().out.split())
    assert swapsim_swaps > 0 and floor_swaps > 0


def test_harness_knows_the_scenario_benchmark() -> None:
    args = bench_main._parse(["--only", "scenarios", "--quick"])
    assert args.only == ["scenarios"] and bench_main.QUICK_REPEATS["scenarios"] >= 1
    assert "scenarios" in bench_main._parse([]).only


@pytest.mark.parametrize("name", profiling.FILES)
def test_profiling_takes_the_shipped_scenario_files(name: str, tmp_path, capsys) -> None:
    assert profiling.scenario_named(name).name == name
    assert profiling.main([name, "--days", "1.1", "--top", "3", "--out", str(tmp_path)]) == 0
    assert "Profile by own time" in capsys.readouterr().out
    assert (tmp_path / f"profile-{name}.prof").exists()
