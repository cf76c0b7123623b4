"""Smoke test of the benchmarks package: it imports, and both models of benchmark 1 run.

No timing is asserted here (speed lives in benchmarks/, see docs/performance.md). This checks that the
bare SimPy baseline and swapsim run the same queue for a few simulated hours, that the event counter
counts, and that the counted and uncounted runs of the same seed agree, so `make bench` cannot rot
unnoticed between benchmark runs.
"""

from __future__ import annotations

import json

import pytest
import simpy

from benchmarks import bench_queue, bench_scaling, bench_sweep, child, common, profiling  # noqa: F401
from benchmarks.bare_mmcn import run_bare_mmcn
from benchmarks.common import REPO, CountingEnvironment, Table
from benchmarks.scenarios import factory_scaled
from swapsim.engine import simulate
from swapsim.scenario import OutputSpec

HOURS = 6.0


def test_counting_environment_counts_every_processed_event() -> None:
    env = CountingEnvironment()

    def three_timeouts(env: simpy.Environment):
        for _ in range(3):
            yield env.timeout(1.0)

    env.process(three_timeouts(env))
    env.run()
    # Initialize + 3 timeouts + the process's own completion event
    assert env.events_processed == 5


def test_bare_model_and_swapsim_run_the_same_queue_for_a_few_hours() -> None:
    case = bench_queue.QueueCase(n_robots=5, positions=1, think_h=1.0, swap_mean_h=0.25, horizon_h=HOURS)
    env = CountingEnvironment()
    bare = run_bare_mmcn(case.n_robots, case.positions, case.think_h, case.swap_mean_h, case.horizon_h, seed=3, env=env)
    assert bare.swaps > 0 and bare.events == env.events_processed > bare.swaps
    assert run_bare_mmcn(
        case.n_robots, case.positions, case.think_h, case.swap_mean_h, case.horizon_h, seed=3
    ) == bare.__class__(bare.swaps, bare.mean_wait_h, None)

    scenario = case.scenario()
    env = CountingEnvironment()
    swaps, wait_min, stockouts = bench_queue.run_swapsim(scenario, 3, env=env)
    assert swaps > 0 and env.events_processed > swaps
    assert stockouts == 0
    assert bench_queue.run_swapsim(scenario, 3) == (swaps, wait_min, stockouts)


def test_queue_benchmark_runs_the_validated_mmcn_scenario_without_warmup() -> None:
    case = bench_queue.QueueCase(n_robots=7, positions=2, think_h=1.5, swap_mean_h=0.3, horizon_h=HOURS)
    scenario = case.scenario()
    assert scenario.fleet.robots == 7 and scenario.stations[0].positions == 2
    assert scenario.horizon == HOURS and scenario.warmup == 0.0
    # the validation builder's frame: no ageing, no health faults, default time-series bins
    assert scenario.battery.ageing is False and scenario.health.fault_rate_per_cycle == 0.0
    assert scenario.output.bin_width == OutputSpec().bin_width


def test_simulate_refuses_a_used_environment() -> None:
    scenario = bench_queue.QueueCase(horizon_h=HOURS).scenario()
    env = simpy.Environment()
    env.run(until=1.0)
    with pytest.raises(ValueError, match="fresh environment"):
        simulate(scenario, seed=1, env=env)


def test_resized_factory_has_one_hall_per_fifteen_robots() -> None:
    scenario = factory_scaled(31, 2.0)
    assert scenario.fleet.robots == 31 and scenario.horizon == 48.0
    assert [s.name for s in scenario.stations] == ["hall-1", "hall-2", "hall-3"]
    assert [s.distance for s in scenario.stations] == [40.0, 80.0, 40.0]


def test_child_reports_one_json_line(monkeypatch, capsys) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"robots": 3, "days": 2, "seed": 1})))
    child.main()
    reply = json.loads(capsys.readouterr().out.strip())
    assert reply["robots"] == 3 and reply["wall_s"] > 0 and reply["peak_rss_mib"] >= reply["peak_rss_before_mib"] > 0
    assert reply["bin_width_h"] == 0.25 and reply["timeseries_bins"] == 2 * 96
    assert reply["timeseries_values"] == reply["timeseries_series"] * reply["timeseries_bins"]


def test_child_memory_control_uses_the_coarse_bins(monkeypatch, capsys) -> None:
    import io

    job = {"robots": 3, "days": 2, "seed": 1, "bin_width": bench_scaling.CONTROL_BIN_WIDTH}
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(job)))
    child.main()
    reply = json.loads(capsys.readouterr().out.strip())
    assert reply["bin_width_h"] == 24.0 and reply["timeseries_bins"] == 2


def test_scaling_notes_state_the_bins_share_of_memory() -> None:
    rows = [
        {
            "days": d,
            "bin_width_h": 0.25,
            "timeseries_series": 27,
            "timeseries_bins": 96 * d,
            "timeseries_values": 27 * 96 * d,
            "bins_expected_mib": bench_scaling.expected_bin_mib(27 * 96 * d),
            "bins_measured_mib": 0.04 * d,
            "control": {"timeseries_values": 27 * d, "peak_rss_mib": 50.0 + 0.001 * d},
        }
        for d in (30, 90, 365)
    ]
    assert rows[-1]["bins_expected_mib"] == 27 * 96 * 365 * bench_scaling.BIN_BYTES_PER_VALUE / 2**20
    expected, measured = bench_scaling._bin_notes(rows)
    assert (
        f"365 d: 27 series x 35,040 bins = 946,080 values = {946_080 * bench_scaling.BIN_BYTES_PER_VALUE / 2**20:.1f} MiB"
        in expected
    )
    assert "at 365 d 14.6 MiB" in measured and "50.0 -> 50.1 -> 50.4 MiB over 30 / 90 / 365 days" in measured


def test_table_renders_text_and_markdown() -> None:
    t = Table("T", ["a", "bb"])
    t.add(1, "x")
    t.notes.append("n")
    assert t.text().splitlines()[2].split() == ["a", "bb"]
    assert "| 1 | x |" in t.markdown()


def test_sweep_benchmark_runs_the_real_sweep_path_and_matches_a_plain_loop() -> None:
    sweep = bench_sweep.benchmark_sweep(2, quick=True)
    assert sweep.replications == 2 and sweep.base_scenario.horizon == 48.0
    out = bench_sweep.SWEEP_RUNNER(sweep, 1)
    assert out["runs"] == bench_sweep.simulate_loop(sweep)["runs"]
    assert len(set(out["runs"])) == 2  # two seeds, two different runs
    assert out["points_csv"].startswith("point,")


def test_instruction_benchmark_is_optional_and_says_why_when_valgrind_is_missing(monkeypatch, capsys) -> None:
    """Without valgrind the default run leaves the instruction count out; asking for it is a clear error."""
    from benchmarks import __main__ as bench_main
    from benchmarks import instructions

    monkeypatch.setattr(instructions, "available", lambda: False)
    assert "instructions" not in bench_main._parse([]).only
    with pytest.raises(SystemExit) as stop:
        bench_main._parse(["--only", "instructions"])
    assert stop.value.code == 2
    assert "valgrind" in capsys.readouterr().err
    assert instructions.main([]) == 2
    monkeypatch.setattr(instructions, "available", lambda: True)
    assert "instructions" in bench_main._parse([]).only


def test_instruction_benchmark_needs_the_shorter_horizon_first() -> None:
    from benchmarks import instructions

    with pytest.raises(SystemExit) as stop:
        instructions.main(["--short", "5", "--long", "3"])
    assert stop.value.code == 2


def test_scaling_bare_control_runs_the_bare_model_at_the_fleet_size() -> None:
    point = bench_scaling.bare_point(20, 300)
    assert point["positions"] == 3  # 3 positions per 20 robots, as benchmark 1
    assert 200 < point["swaps"] < 450  # about the swaps asked for
    assert point["cpu_us_per_swap"] > 0


def test_instruction_benchmark_checks_a_scenario_file_before_counting(tmp_path, capsys) -> None:
    """A missing or invalid scenario file is one readable error (exit 2), before valgrind is started."""
    from benchmarks import instructions

    with pytest.raises(SystemExit) as stop:
        instructions.main(["--scenario", str(tmp_path / "nowhere.yaml")])
    assert stop.value.code == 2
    assert "nowhere.yaml: file not found" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("fleet: {robots: 0}\n")
    with pytest.raises(SystemExit) as stop:
        instructions.main(["--scenario", str(bad)])
    assert stop.value.code == 2
    assert "fleet.robots" in capsys.readouterr().err


def test_instruction_benchmark_child_runs_a_scenario_file(capsys) -> None:
    """The process valgrind counts in --scenario mode: the file's scenario, seed 1, no warm-up."""
    from benchmarks import instructions

    instructions._child(f"scenario={REPO / 'scenarios' / 'factory.yaml'}", 0.5)
    swaps = int(capsys.readouterr().out.split()[-1])
    assert swaps > 0


def test_instruction_benchmark_child_runs_with_another_interpreter() -> None:
    """--python PATH: the child imports that interpreter's installed swapsim, with benchmarks/ from this checkout."""
    import subprocess
    import sys

    from benchmarks import instructions

    command = instructions._child_command(f"scenario={REPO / 'scenarios' / 'factory.yaml'}", 0.25, sys.executable)
    assert command[:2] == [sys.executable, "-P"]  # the working directory (this checkout) is not put first
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    assert int(proc.stdout.split()[-1]) >= 0
    assert instructions.build_of(sys.executable) == instructions.build_of(None)
