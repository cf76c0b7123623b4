"""Benchmark 3: sweep throughput with 1 and 2 worker processes (parallel efficiency).

A sweep is many independent (scenario, seed) runs mapped on an executor. The sweep machinery of issue 5
(``swapsim.experiments``) is not merged yet, so this benchmark maps the runs with
:func:`local_sweep`, a plain :class:`concurrent.futures.ProcessPoolExecutor` over
:func:`swapsim.engine.simulate` that returns each run's summary, as a sweep does.

    SWITCH-OVER NOTE (issue 5): once ``swapsim.experiments`` exists, make :data:`SWEEP_RUNNER` call its
    executor (same signature: a list of (Scenario, seed) and a worker count in, the run summaries out, in
    task order) so this benchmark measures the real sweep path, pickling and result handling included.
    Nothing else in this file needs to change.

Protocol: ``tasks`` runs of scenarios/factory.yaml (as shipped: 30 robots, 30 days) with seeds 1..tasks.
Each repeat runs the whole batch in-process (no pool, the serial reference), with 1 worker and with 2
workers, in an order that rotates between repeats; the pool's start-up is inside the timing, as a user
pays it. Throughput = runs per wall-clock second; parallel efficiency = throughput(2) / (2 x
throughput(1)). The summaries from 1 and 2 workers must be identical (checked). Each batch also
records the CPU time of this process and its (joined) workers against wall time x workers: on a
shared machine it shows whether the workers had the cores to themselves.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Callable, Sequence

from benchmarks.common import Table, fmt, median
from benchmarks.scenarios import FACTORY
from swapsim.config import Scenario, load_scenario
from swapsim.engine import simulate

__all__ = ["local_sweep", "serial_sweep", "SWEEP_RUNNER", "run"]

Task = tuple[Scenario, int]


def _run_one(task: Task) -> dict[str, Any]:
    scenario, seed = task
    return simulate(scenario, seed=seed).summary


def serial_sweep(tasks: Sequence[Task]) -> list[dict[str, Any]]:
    """Every run in this process, one after the other (the reference for the pool's overhead)."""
    return [_run_one(t) for t in tasks]


def local_sweep(tasks: Sequence[Task], workers: int) -> list[dict[str, Any]]:
    """Map the runs on ``workers`` local processes; summaries in task order."""
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_run_one, tasks, chunksize=1))


def _cpu_self_and_children() -> float:
    """CPU seconds (user + system) of this process plus its finished children (pool workers, once joined)."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


SWEEP_RUNNER: Callable[[Sequence[Task], int], list[dict[str, Any]]] = local_sweep
"""The executor under test. See the switch-over note in the module docstring."""


def run(quick: bool = False, repeats: int = 3, tasks: int | None = None,
        progress=print) -> tuple[Table, dict[str, Any]]:
    """Run benchmark 3; returns the table and the raw numbers."""
    n_tasks = tasks if tasks is not None else (4 if quick else 8)
    overrides = ["horizon=2 d", "warmup=6 h"] if quick else []
    scenario = load_scenario(FACTORY, overrides)
    batch = [(scenario, seed) for seed in range(1, n_tasks + 1)]
    configs: list[tuple[str, int]] = [("serial", 1), ("pool", 1), ("pool", 2)]
    walls: dict[tuple[str, int], list[float]] = {c: [] for c in configs}
    busy: dict[tuple[str, int], list[float]] = {c: [] for c in configs}
    loads: dict[tuple[str, int], list[float]] = {c: [] for c in configs}
    outputs: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in range(repeats):
        order = configs[r % 3:] + configs[:r % 3]
        for kind, workers in order:
            loads[(kind, workers)].append(os.getloadavg()[0])
            cpu0 = _cpu_self_and_children()
            t0 = time.perf_counter()
            out = serial_sweep(batch) if kind == "serial" else SWEEP_RUNNER(batch, workers)
            wall = time.perf_counter() - t0
            cpu = _cpu_self_and_children() - cpu0
            walls[(kind, workers)].append(wall)
            busy[(kind, workers)].append(cpu / (wall * workers))
            outputs.setdefault((kind, workers), out)
            progress(f"  sweep: repeat {r + 1}/{repeats}, {kind} x{workers}: {n_tasks} runs in {wall:.2f} s, "
                     f"CPU {cpu:.2f} s ({cpu / (wall * workers):.0%} of {workers} core(s))")
    identical = outputs[("pool", 1)] == outputs[("pool", 2)] == outputs[("serial", 1)]

    thr = {c: n_tasks / median(walls[c]) for c in configs}
    efficiency = thr[("pool", 2)] / (2 * thr[("pool", 1)])
    table = Table(
        title=f"Benchmark 3: sweep throughput, {n_tasks} runs of {scenario.name} "
              f"({scenario.fleet.robots} robots, {scenario.horizon / 24:g} days)",
        columns=["executor", "workers", "wall s (median)", "runs/s", "speed-up vs 1 worker", "efficiency",
                 "CPU busy", "load avg before"])
    for kind, workers in configs:
        label = "in-process" if kind == "serial" else "ProcessPoolExecutor"
        speed = thr[(kind, workers)] / thr[("pool", 1)]
        table.add(label, workers, fmt(median(walls[(kind, workers)])), fmt(thr[(kind, workers)]),
                  f"{speed:.2f}", f"{speed / workers:.0%}" if kind == "pool" else "",
                  f"{median(busy[(kind, workers)]):.0%}", f"{median(loads[(kind, workers)]):.1f}")
    table.notes += [
        f"median of {repeats} repeats (order rotated); pool start-up included; multiprocessing start method "
        f"'{multiprocessing.get_start_method()}'; {os.cpu_count()} CPUs on this machine",
        f"parallel efficiency with 2 workers: {efficiency:.0%}; summaries identical across executors: "
        f"{'yes' if identical else 'NO'}",
        "CPU busy = CPU seconds used by this process and its workers / (wall seconds x workers): below ~95 % "
        "the workers waited for a core (other load on the machine), which caps the efficiency measured here; "
        "load avg = 1-minute load average just before the batch",
        "executor: benchmarks.bench_sweep.local_sweep (swapsim.experiments not merged yet; see SWITCH-OVER NOTE)",
    ]
    raw = {"tasks": n_tasks, "scenario": scenario.name, "horizon_h": scenario.horizon, "repeats": repeats,
           "wall_s": {f"{k}-{w}": v for (k, w), v in walls.items()},
           "runs_per_s": {f"{k}-{w}": v for (k, w), v in thr.items()},
           "cpu_busy": {f"{k}-{w}": v for (k, w), v in busy.items()},
           "load_avg_before": {f"{k}-{w}": v for (k, w), v in loads.items()},
           "efficiency_2_workers": efficiency, "identical": identical,
           "start_method": multiprocessing.get_start_method(), "runner": SWEEP_RUNNER.__name__}
    return table, raw
