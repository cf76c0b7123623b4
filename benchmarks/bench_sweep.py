"""Benchmark 3: sweep throughput with 1 and 2 worker processes (parallel efficiency).

A sweep is many independent (scenario, seed) runs mapped on an executor. This benchmark runs the
sweep path users run (``swapsim sweep``): :func:`swapsim.experiments.run_sweep` with the local
executor (:func:`swapsim.experiments.make_executor`), which sends each
:class:`~swapsim.experiments.RunTask` (the point's scenario as data, the replication and its seed) to
:func:`~swapsim.experiments.execute_run` on a worker, writes each run's record to the sweep directory
as it finishes and builds ``runs.csv`` and ``points.csv`` at the end. So the timing includes what a
user pays besides the simulations: starting the worker processes (start method ``spawn``, each
worker imports swapsim), pickling tasks and records, re-validating the scenario in the worker, the
per-run JSON files and the tables. With ``jobs=1`` the executor runs every task in this process
(no pool); with ``jobs=2`` on two spawned processes.

Protocol: a sweep of scenarios/factory.yaml as shipped (30 robots, 30 days) with no factors and
``tasks`` replications (seeds from the file's root seed, as :func:`swapsim.experiments.replication_seed`
derives them), written to a fresh temporary directory each time. After one untimed short sweep in
this process (one-off imports, such as scipy.stats for the intervals), each repeat runs the whole batch three ways, in an order that
rotates between repeats: a plain loop of :func:`swapsim.engine.simulate` over the same scenarios and
seeds (the reference: no sweep machinery at all), the sweep with ``jobs=1`` and the sweep with
``jobs=2``. Throughput = runs per wall-clock second; parallel efficiency = throughput(jobs=2) / (2 x
throughput(jobs=1)). Every run's KPIs must be identical across the three (checked), and
``points.csv`` identical between ``jobs=1`` and ``jobs=2``. Each batch also records the CPU time of
this process and its (joined) workers against wall time x workers: on a shared machine it shows
whether the workers had the cores to themselves.
"""

from __future__ import annotations

import json
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import Table, fmt, median
from benchmarks.scenarios import FACTORY
from swapsim.engine import simulate
from swapsim.experiments import Sweep, run_sweep, sweep_from_scenario
from swapsim.results import flatten, json_default
from swapsim.scenario import scenario_from_dict

__all__ = ["benchmark_sweep", "simulate_loop", "experiments_sweep", "SWEEP_RUNNER", "run"]


SweepOutput = dict[str, Any]
"""What a way of running the batch produced: ``runs`` (one canonical JSON text of the KPIs per run, in
(point, replication) order) and, for the real sweep, ``points_csv`` (the text of points.csv) and
``executor`` (how the sweep described its executor)."""


def _canonical(kpis: dict[str, Any]) -> str:
    """The KPIs as sorted JSON text (NaN written as NaN, so two NaNs compare equal)."""
    return json.dumps(kpis, sort_keys=True, default=json_default)


def benchmark_sweep(n_tasks: int, quick: bool) -> Sweep:
    """The swept batch: factory.yaml with no factors and ``n_tasks`` replications."""
    overrides = ["horizon=2 d", "warmup=6 h"] if quick else []
    return sweep_from_scenario(FACTORY, {}, overrides=overrides, replications=n_tasks)


def simulate_loop(sweep: Sweep) -> SweepOutput:
    """The reference: every run of ``sweep`` by :func:`simulate` in this process, nothing written."""
    runs = []
    for point in sweep.points:
        scenario = scenario_from_dict(point.scenario, f"point {point.index}")
        for r in range(sweep.replications):
            runs.append(_canonical(flatten(simulate(scenario, sweep.seed_for(r)).summary)))
    return {"runs": runs}


def experiments_sweep(sweep: Sweep, jobs: int) -> SweepOutput:
    """``sweep`` through :func:`swapsim.experiments.run_sweep` on ``jobs`` local workers, into a fresh
    temporary sweep directory (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="swapsim-bench-sweep-") as tmp:
        out = Path(tmp) / "sweep"
        report = run_sweep(sweep, out, executor="local", jobs=jobs, progress=False)
        if report.failures or report.broken:
            raise RuntimeError(f"benchmark sweep with jobs={jobs}: {len(report.failures)} failed and "
                               f"{report.broken} lost run(s): {report.failures[:1]}")
        records = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "runs").glob("*.json")]
        records.sort(key=lambda rec: (rec["point"], rec["replication"]))
        return {"runs": [_canonical(rec["kpis"]) for rec in records],
                "points_csv": (out / "points.csv").read_text(encoding="utf-8"),
                "executor": report.executor}


def _cpu_self_and_children() -> float:
    """CPU seconds (user + system) of this process plus its finished children (pool workers, once joined)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


SWEEP_RUNNER: Callable[[Sweep, int], SweepOutput] = experiments_sweep
"""The executor under test: a sweep and a number of worker processes in, the runs' KPIs out."""


def run(quick: bool = False, repeats: int = 3, tasks: int | None = None,
        progress=print) -> tuple[Table, dict[str, Any]]:
    """Run benchmark 3; returns the table and the raw numbers."""
    n_tasks = tasks if tasks is not None else (4 if quick else 8)
    sweep = benchmark_sweep(n_tasks, quick)
    scenario = sweep.base_scenario
    configs: list[tuple[str, int]] = [("loop", 1), ("sweep", 1), ("sweep", 2)]
    walls: dict[tuple[str, int], list[float]] = {c: [] for c in configs}
    busy: dict[tuple[str, int], list[float]] = {c: [] for c in configs}
    loads: dict[tuple[str, int], list[float]] = {c: [] for c in configs}
    outputs: dict[tuple[str, int], SweepOutput] = {}
    # Untimed: a short sweep of two runs through the sweep path, so that one-off imports in this
    # process (tqdm, the Parquet writer, scipy.stats for the intervals of points.csv: about 2 s) do not
    # land on whichever configuration happens to run first. Spawned workers pay their imports each time.
    SWEEP_RUNNER(benchmark_sweep(2, quick=True), 1)
    for r in range(repeats):
        order = configs[r % 3:] + configs[:r % 3]
        for kind, workers in order:
            loads[(kind, workers)].append(os.getloadavg()[0])
            cpu0 = _cpu_self_and_children()
            t0 = time.perf_counter()
            out = simulate_loop(sweep) if kind == "loop" else SWEEP_RUNNER(sweep, workers)
            wall = time.perf_counter() - t0
            cpu = _cpu_self_and_children() - cpu0
            walls[(kind, workers)].append(wall)
            busy[(kind, workers)].append(cpu / (wall * workers))
            outputs.setdefault((kind, workers), out)
            progress(f"  sweep: repeat {r + 1}/{repeats}, {kind} x{workers}: {n_tasks} runs in {wall:.2f} s, "
                     f"CPU {cpu:.2f} s ({cpu / (wall * workers):.0%} of {workers} core(s))")
    runs_identical = outputs[("loop", 1)]["runs"] == outputs[("sweep", 1)]["runs"] == outputs[("sweep", 2)]["runs"]
    points_identical = outputs[("sweep", 1)]["points_csv"] == outputs[("sweep", 2)]["points_csv"]
    identical = runs_identical and points_identical and len(outputs[("loop", 1)]["runs"]) == n_tasks

    thr = {c: n_tasks / median(walls[c]) for c in configs}
    efficiency = thr[("sweep", 2)] / (2 * thr[("sweep", 1)])
    table = Table(
        title=f"Benchmark 3: sweep throughput, {n_tasks} runs of {scenario.name} "
              f"({scenario.fleet.robots} robots, {scenario.horizon / 24:g} days)",
        columns=["executor", "workers", "wall s (median)", "runs/s", "speed-up vs 1 worker", "efficiency",
                 "CPU busy", "load avg before"])
    labels = {("loop", 1): "simulate() loop (reference)",
              ("sweep", 1): "run_sweep, jobs=1 (in this process)",
              ("sweep", 2): "run_sweep, jobs=2 (2 spawned processes)"}
    for kind, workers in configs:
        speed = thr[(kind, workers)] / thr[("sweep", 1)]
        table.add(labels[(kind, workers)], workers, fmt(median(walls[(kind, workers)])),
                  fmt(thr[(kind, workers)]), f"{speed:.2f}", f"{speed / workers:.0%}" if kind == "sweep" else "",
                  f"{median(busy[(kind, workers)]):.0%}", f"{median(loads[(kind, workers)]):.1f}")
    table.notes += [
        f"median of {repeats} repeats (order rotated); the sweep is swapsim.experiments.run_sweep with the local "
        f"executor, as `swapsim sweep --jobs N` runs it: worker start-up (spawn), pickling, the per-run JSON "
        f"records and runs.csv/points.csv included; {os.cpu_count()} CPUs on this machine",
        f"parallel efficiency with 2 workers: {efficiency:.0%}; sweep overhead with 1 worker (vs the simulate() "
        f"loop): {median(walls[('sweep', 1)]) / median(walls[('loop', 1)]) - 1:+.1%}; every run's KPIs "
        f"identical across the three and points.csv identical for jobs=1 and 2: {'yes' if identical else 'NO'}",
        "CPU busy = CPU seconds used by this process and its workers / (wall seconds x workers): below ~95 % "
        "the workers waited for a core (other load on the machine), which caps the efficiency measured here; "
        "load avg = 1-minute load average just before the batch",
    ]
    raw = {"tasks": n_tasks, "scenario": scenario.name, "horizon_h": scenario.horizon, "repeats": repeats,
           "seeds": [sweep.seed_for(r) for r in range(sweep.replications)],
           "wall_s": {f"{k}-{w}": v for (k, w), v in walls.items()},
           "runs_per_s": {f"{k}-{w}": v for (k, w), v in thr.items()},
           "cpu_busy": {f"{k}-{w}": v for (k, w), v in busy.items()},
           "load_avg_before": {f"{k}-{w}": v for (k, w), v in loads.items()},
           "efficiency_2_workers": efficiency, "identical": identical,
           "runs_identical": runs_identical, "points_csv_identical": points_identical,
           "executors": {f"sweep-{w}": outputs[("sweep", w)]["executor"] for w in (1, 2)},
           "runner": f"{SWEEP_RUNNER.__module__}.{SWEEP_RUNNER.__name__}"}
    return table, raw
