"""Benchmark 5: what the shipped scenarios cost per swap, as ratios to benchmark 1 (issue 16's targets).

Benchmark 1 measures swapsim's cheapest path, a bare queue. Users run the shipped scenarios, whose
activity cycles and task flows cost more per swap. This benchmark times them against benchmark 1's two
models, measured in the same run:

* ``factory``: scenarios/factory.yaml as shipped (30 robots, two halls), 5 and 20 days;
* ``factory-1000``: the same resized to 1000 robots (67 halls, :func:`benchmarks.scenarios.factory_scaled`),
  2 and 6 days;
* ``warehouse`` and ``airport``: scenarios/warehouse.yaml and airport.yaml as shipped, 2 and 6 days.

Each is loaded with ``horizon=D d`` and ``warmup=0 h`` (:func:`swapsim.scenario.load_scenario`) and run by
:func:`swapsim.engine.simulate` with seed :data:`SEED`. Its cost per swap is *marginal*: the CPU time of
the longer run minus the shorter, over the difference in swaps, so start-up (building the model, the
summary at the end) cancels. The baselines are benchmark 1's: swapsim on the M/M/3//20 queue
(``QueueCase().scenario()``, one year) and the bare SimPy model of the same queue
(:func:`benchmarks.bare_mmcn.run_bare_mmcn`), each as CPU time per swap over the whole run (start-up
is negligible over 122,000 swaps), seed ``1000 + r`` in repeat ``r`` as in benchmark 1.

Protocol: one short untimed run of every model first (imports, caches), then ``repeats`` repeats; each
repeat runs every model once (both horizons of each scenario), in an order that alternates between
repeats. Times are process CPU time of ``simulate()`` alone (scenarios are built before the clock
starts), after a garbage collection. Per repeat, each scenario's marginal cost is divided by the
baselines' cost per swap in the same repeat; the table gives the median of those ratios, the median
and the fastest repeat's cost per swap, and the target with its verdict.

Floors (issue 25): the factory and the warehouse also run as bare-SimPy models of the same site
(:mod:`benchmarks.bare_factory`, :mod:`benchmarks.bare_warehouse`), read from the same scenario, at
the same two horizons and seed in every repeat; ``factory-1000`` has the factory floor resized like
it, and the airport, which has no floor of its own, is divided by the warehouse's floor (the nearest
task-demand site). The column "vs floor" is the median per-repeat ratio of marginal costs. That the
floors are the same system is checked on the long run: swaps per robot-day and mean swap wait of
swapsim and of the floor (``summary[key]["same_system"]``, and the notes). With valgrind on the
PATH (and ``instructions`` not False; not by default in quick mode), each case and its floor are also counted in instructions per
swap (callgrind, :func:`benchmarks.instructions.marginal`, at the case's ``ir_days``).

Targets (issue 16): factory <= 2x benchmark 1's swapsim per swap; factory-1000 <= 3x the 30-robot
factory's marginal cost per swap; warehouse and airport <= 4x benchmark 1's swapsim. And one run of
1000 robots x 365 days (seed 1, no warm-up, the factory's 15-min bins) in a fresh interpreter
(:mod:`benchmarks.child`, so its peak RSS is its own) within :data:`YEAR_TARGET_CPU_S` s of CPU time; in
quick mode that run is 1000 robots x 1 day, a smoke run with no target. Peak memory against the horizon
is benchmark 2's (:mod:`benchmarks.bench_scaling`).
"""

from __future__ import annotations

import dataclasses
import gc
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from benchmarks.bare_factory import FloorResult, run_bare_factory
from benchmarks.bare_mmcn import run_bare_mmcn
from benchmarks.bare_warehouse import run_bare_warehouse
from benchmarks.bench_queue import SEED as QUEUE_SEED
from benchmarks.bench_queue import QueueCase
from benchmarks.common import REPO, Table, fmt, median, run_child
from benchmarks.scenarios import factory_scaled
from swapsim.engine import simulate
from swapsim.scenario import Scenario, load_scenario

__all__ = ["Case", "CASES", "QUICK_CASES", "YEAR", "QUICK_YEAR", "YEAR_TARGET_CPU_S", "run", "run_floor"]

SEED = 1
"""Seed of every scenario run (the same in every repeat: repeats differ only in timing)."""
YEAR = (1000, 365.0)
"""(robots, days) of the long run in a fresh interpreter."""
QUICK_YEAR = (1000, 1.0)
YEAR_TARGET_CPU_S = 120.0
YEAR_TIMEOUT_S = 3 * 3600.0
"""The child's time limit: generous, the run took about 10 minutes before issue 16's speed work."""
NO_WARMUP = "0 h"


@dataclass(frozen=True)
class Case:
    """A scenario timed at two horizons (days): a file of scenarios/ as shipped, or the factory resized to
    ``robots`` robots; its target is ``target`` times the marginal cost per swap of ``against``
    (``"queue"``: benchmark 1's swapsim; or another case's key)."""

    key: str
    short_days: float
    long_days: float
    file: str = "factory.yaml"
    robots: int | None = None
    target: float | None = None
    against: str = "queue"
    floor: str | None = None
    """Its own bare-SimPy floor (``"factory"`` or ``"warehouse"``), run on the case's scenario."""
    floor_of: str | None = None
    """The case whose floor it is divided by (default: its own)."""
    ir_days: tuple[float, float] | None = None
    """The two horizons (days) of its instruction counts."""

    def scenario(self, days: float) -> Scenario:
        """This case run for ``days``, with no warm-up."""
        if self.robots is not None:
            return factory_scaled(self.robots, days, warmup=NO_WARMUP)
        return load_scenario(REPO / "scenarios" / self.file, [f"horizon={days!r} d", f"warmup={NO_WARMUP}"])

    @property
    def floor_key(self) -> str | None:
        """The key of the floor this case is divided by (None: none)."""
        of = self.floor_of or (self.key if self.floor else None)
        return None if of is None else f"floor:{of}"

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        return f"<= {self.target:g}x " + ("bench 1 swapsim" if self.against == "queue" else self.against)


CASES = (
    Case("factory", 5.0, 20.0, target=2.0, floor="factory", ir_days=(2.0, 6.0)),
    Case("factory-1000", 2.0, 6.0, robots=1000, target=3.0, against="factory", floor="factory", ir_days=(0.25, 0.75)),
    Case("warehouse", 2.0, 6.0, file="warehouse.yaml", target=4.0, floor="warehouse", ir_days=(1.0, 3.0)),
    Case("airport", 2.0, 6.0, file="airport.yaml", target=4.0, floor_of="warehouse", ir_days=(1.0, 3.0)),
)
QUICK_CASES = (
    Case("factory", 1.0, 2.0, target=2.0, floor="factory", ir_days=(1.0, 2.0)),
    Case("factory-1000", 0.25, 0.5, robots=1000, target=3.0, against="factory", floor="factory", ir_days=(0.1, 0.2)),
    Case("warehouse", 0.5, 1.0, file="warehouse.yaml", target=4.0, floor="warehouse", ir_days=(0.5, 1.0)),
    Case("airport", 0.5, 1.0, file="airport.yaml", target=4.0, floor_of="warehouse", ir_days=(0.5, 1.0)),
)


def case_from_json(text: str) -> Case:
    """A :class:`Case` from ``json.dumps(dataclasses.asdict(case))`` (how a child process is told it)."""
    data = json.loads(text)
    if data.get("ir_days") is not None:
        data["ir_days"] = tuple(data["ir_days"])
    return Case(**data)


def run_floor(case: Case, scenario: Scenario, seed: int = SEED) -> FloorResult:
    """The bare-SimPy floor of ``case`` on ``scenario`` (the case at some horizon), run to its horizon."""
    run = {"factory": run_bare_factory, "warehouse": run_bare_warehouse}[case.floor or ""]
    return run(scenario, scenario.horizon, seed)


def _cpu(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, float, Any]:
    """(CPU s of this process, wall s, result) of one call, after a garbage collection."""
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return time.process_time() - c0, time.perf_counter() - t0, out


def _verdict(value: float, target: float, unit: str = "x") -> str:
    return f"{'met' if value <= target else 'missed'} ({value:.2f}{unit})"


def run(quick: bool = False, repeats: int = 5, progress: Callable[[str], None] = print,
        cases: tuple[Case, ...] | None = None, queue_case: QueueCase | None = None,
        year: tuple[int, float] | None = None, instructions: bool | None = None) -> tuple[Table, dict[str, Any]]:
    """Run benchmark 5; returns the table and the raw numbers (every run's CPU and wall time and swaps).
    ``cases``, ``queue_case`` and ``year`` replace the defaults (tests use tiny ones); ``instructions``:
    count instructions per swap under valgrind (default: when valgrind is on the PATH, except in quick mode)."""
    cases = cases or (QUICK_CASES if quick else CASES)
    queue_case = queue_case or (QueueCase(horizon_h=14 * 24.0) if quick else QueueCase())
    year = year or (QUICK_YEAR if quick else YEAR)
    queue_scenario = queue_case.scenario()
    bare_args = (queue_case.n_robots, queue_case.positions, queue_case.think_h, queue_case.swap_mean_h,
                 queue_case.horizon_h)
    scenarios = {(c.key, h): c.scenario(d) for c in cases for h, d in (("short", c.short_days), ("long", c.long_days))}

    # Untimed: imports, caches, the first allocations of every model.
    run_bare_mmcn(*bare_args[:4], min(24.0, bare_args[4]), seed=QUEUE_SEED)
    simulate(QueueCase(horizon_h=min(24.0, queue_case.horizon_h)).scenario(), seed=QUEUE_SEED)
    for c in cases:
        simulate(c.scenario(min(0.25, c.short_days)), seed=SEED)
        if c.floor:
            run_floor(c, c.scenario(min(0.25, c.short_days)))
    floors = [c for c in cases if c.floor]

    jobs: list[tuple[str, str]] = [("bare", ""), ("queue", "")] + [(k, h) for k, h in scenarios]
    jobs += [(f"floor:{c.key}", h) for c in floors for h in ("short", "long")]
    same: dict[str, dict[str, float]] = {}
    runs: dict[tuple[str, str], list[dict[str, float]]] = {j: [] for j in jobs}
    for r in range(repeats):
        for job in (jobs if r % 2 == 0 else jobs[::-1]):
            if job[0] == "bare":
                cpu, wall, res = _cpu(run_bare_mmcn, *bare_args, seed=QUEUE_SEED + r)
                swaps = res.swaps
            elif job[0] == "queue":
                cpu, wall, res = _cpu(simulate, queue_scenario, seed=QUEUE_SEED + r)
                swaps = res.summary["swaps"]["count"]
            elif job[0].startswith("floor:"):
                key = job[0].split(":", 1)[1]
                case = next(c for c in cases if c.key == key)
                cpu, wall, res = _cpu(run_floor, case, scenarios[(key, job[1])])
                swaps = res.swaps
                if job[1] == "long":
                    same.setdefault(key, {}).update(floor_swaps_per_robot_day=res.swaps_per_robot_day,
                                                    floor_wait_min=res.mean_wait_h * 60.0)
            else:
                cpu, wall, res = _cpu(simulate, scenarios[job], seed=SEED)
                swaps = res.summary["swaps"]["count"]
                if job[1] == "long":
                    sw = res.summary["swaps"]
                    same.setdefault(job[0], {}).update(swapsim_swaps_per_robot_day=sw["per_robot_per_day"],
                                                       swapsim_wait_min=sw["wait_min"]["mean"])
            runs[job].append({"cpu_s": cpu, "wall_s": wall, "swaps": swaps})
        progress(f"  scenarios: repeat {r + 1}/{repeats}: " + ", ".join(
            f"{k}{'/' + h if h else ''} {runs[(k, h)][-1]['cpu_s']:.2f} s" for k, h in jobs))

    def per_swap(key: str, i: int) -> float:
        """CPU s per swap of ``key`` in repeat ``i``: whole-run for the baselines, marginal for the cases."""
        if key in ("bare", "queue"):
            x = runs[(key, "")][i]
            return x["cpu_s"] / x["swaps"]
        lo, hi = runs[(key, "short")][i], runs[(key, "long")][i]
        return (hi["cpu_s"] - lo["cpu_s"]) / (hi["swaps"] - lo["swaps"])

    for c in floors:
        lo, hi = runs[(f"floor:{c.key}", "short")][0]["swaps"], runs[(f"floor:{c.key}", "long")][0]["swaps"]
        if hi <= lo:
            raise ValueError(f"{c.key} floor: no more swaps in {c.long_days:g} days than in {c.short_days:g}")
    for c in cases:
        for h in ("short", "long"):
            if len({x["swaps"] for x in runs[(c.key, h)]}) != 1:
                raise RuntimeError(f"{c.key} ({h}): the same seed gave different numbers of swaps")
        if runs[(c.key, "long")][0]["swaps"] <= runs[(c.key, "short")][0]["swaps"]:
            raise ValueError(f"{c.key}: no more swaps in {c.long_days:g} days than in {c.short_days:g}; "
                             "choose longer horizons")
    keys = ["bare", "queue"] + [c.key for c in cases]
    cost = {k: [per_swap(k, i) for i in range(repeats)] for k in keys + [f"floor:{c.key}" for c in floors]}
    table = Table(
        title="Benchmark 5: CPU time per swap of the shipped scenarios, against benchmark 1 (issue 16) and "
              "against bare-SimPy floors of the same sites (issue 25)",
        columns=["model", "robots", "days", "swaps", "CPU s (long run)", "CPU µs/swap", "best µs/swap",
                 "vs bench 1 swapsim", "vs bare SimPy", "vs floor", "target", "result"])
    summary: dict[str, dict[str, Any]] = {}
    for k in keys:
        ratio_q = median([cost[k][i] / cost["queue"][i] for i in range(repeats)])
        ratio_b = median([cost[k][i] / cost["bare"][i] for i in range(repeats)])
        s: dict[str, Any] = {"cpu_us_per_swap": median(cost[k]) * 1e6, "cpu_us_per_swap_best": min(cost[k]) * 1e6,
                             "cpu_us_per_swap_each": [x * 1e6 for x in cost[k]],
                             "ratio_queue": ratio_q, "ratio_bare": ratio_b}
        case = next((c for c in cases if c.key == k), None)
        if case is None:
            name = "bare SimPy, M/M/3//20" if k == "bare" else "swapsim, M/M/3//20 (bench 1)"
            swaps = median([x["swaps"] for x in runs[(k, "")]])
            robots, days, swaps_text = queue_case.n_robots, f"{queue_case.horizon_h / 24:g}", f"{swaps:,.0f}"
            long_cpu = median([x["cpu_s"] for x in runs[(k, "")]])
            target = result = ""
        else:
            sc = scenarios[(k, "long")]
            lo, hi = runs[(k, "short")][0]["swaps"], runs[(k, "long")][0]["swaps"]
            name = f"{k} (marginal)"
            robots, days = sc.fleet.robots, f"{case.short_days:g} -> {case.long_days:g}"
            swaps_text = f"{lo:,} -> {hi:,}"
            long_cpu = median([x["cpu_s"] for x in runs[(k, "long")]])
            s.update(swaps_short=lo, swaps_long=hi, short_days=case.short_days, long_days=case.long_days,
                     stations=len(sc.stations))
            target, result = case.target_text, ""
            fk = case.floor_key
            if fk is not None and fk in cost:
                s["ratio_floor"] = median([cost[k][i] / cost[fk][i] for i in range(repeats)])
                s["floor"] = fk
            if k in same:
                s["same_system"] = same[k]
            if case.target is not None and case.against in cost:
                ratios = [cost[k][i] / cost[case.against][i] for i in range(repeats)]
                s.update(target=case.target, against=case.against, target_ratio=median(ratios),
                         target_ratio_best=min(cost[k]) / min(cost[case.against]), met=median(ratios) <= case.target)
                result = _verdict(median(ratios), case.target)
        s.update(robots=robots, cpu_s_long_median=long_cpu)
        summary[k] = s
        table.add(name, robots, days, swaps_text, fmt(long_cpu), fmt(s["cpu_us_per_swap"]),
                  fmt(s["cpu_us_per_swap_best"]), f"{ratio_q:.2f}", f"{ratio_b:.2f}",
                  f"{s['ratio_floor']:.2f}" if "ratio_floor" in s else "", target, result)
    for c in floors:
        k = f"floor:{c.key}"
        lo, hi = runs[(k, "short")][0]["swaps"], runs[(k, "long")][0]["swaps"]
        summary[k] = {"cpu_us_per_swap": median(cost[k]) * 1e6, "cpu_us_per_swap_best": min(cost[k]) * 1e6,
                      "cpu_us_per_swap_each": [x * 1e6 for x in cost[k]], "swaps_short": lo, "swaps_long": hi}
        table.add(f"floor: {c.key} (bare SimPy, marginal)", scenarios[(c.key, "long")].fleet.robots,
                  f"{c.short_days:g} -> {c.long_days:g}", f"{lo:,} -> {hi:,}",
                  fmt(median([x["cpu_s"] for x in runs[(k, "long")]])), fmt(summary[k]["cpu_us_per_swap"]),
                  fmt(summary[k]["cpu_us_per_swap_best"]),
                  f"{median([cost[k][i] / cost['queue'][i] for i in range(repeats)]):.2f}",
                  f"{median([cost[k][i] / cost['bare'][i] for i in range(repeats)]):.2f}", "1.00", "", "")

    ir: dict[str, dict[str, Any]] = {}
    from benchmarks import instructions as instr

    if instructions is None:  # callgrind is about 50 times slower: not in the quick smoke run
        instructions = instr.available() and not quick
    if instructions:
        for c in cases:
            if c.ir_days is None:
                continue
            progress(f"  scenarios: instructions of {c.key}{' and its floor' if c.floor else ''} (callgrind) ...")
            spec = json.dumps(dataclasses.asdict(c))
            ir[c.key] = {**instr.marginal(f"case={spec}", *c.ir_days), "short_days": c.ir_days[0],
                         "long_days": c.ir_days[1]}
            if c.floor:
                ir[f"floor:{c.key}"] = {**instr.marginal(f"floor={spec}", *c.ir_days), "short_days": c.ir_days[0],
                                        "long_days": c.ir_days[1]}
        for c in cases:
            fk = c.floor_key
            if c.key in ir and fk in ir:
                ir[c.key]["ratio_floor"] = ir[c.key]["ir_per_swap"] / ir[fk]["ir_per_swap"]  # type: ignore[index]
        for k, v in ir.items():
            summary.setdefault(k, {})["ir"] = v
    for k, v in ir.items():
        table.notes.append(f"instructions per swap, {k} ({v['short_days']:g} -> {v['long_days']:g} d): "
                           f"{v['ir_per_swap']:,.0f}" + (f", {v['ratio_floor']:.2f}x its floor" if "ratio_floor" in v else ""))
    for k, v in same.items():
        if "floor_swaps_per_robot_day" in v and "swapsim_swaps_per_robot_day" in v:
            table.notes.append(
                f"same system, {k} (long run): swaps per robot-day swapsim {v['swapsim_swaps_per_robot_day']:.3f}, "
                f"floor {v['floor_swaps_per_robot_day']:.3f} "
                f"({v['floor_swaps_per_robot_day'] / v['swapsim_swaps_per_robot_day'] - 1:+.1%}); mean swap wait "
                f"swapsim {v['swapsim_wait_min']:.3f} min, floor {v['floor_wait_min']:.3f} min")

    robots, days = year
    progress(f"  scenarios: {robots} robots x {days:g} d in a fresh interpreter ...")
    reply = run_child({"robots": robots, "days": days, "seed": SEED, "warmup": NO_WARMUP}, timeout_s=YEAR_TIMEOUT_S)
    has_target = not quick and days == YEAR[1]
    year_row = {**reply, "target_cpu_s": YEAR_TARGET_CPU_S if has_target else None,
                "met": reply["cpu_s"] <= YEAR_TARGET_CPU_S if has_target else None,
                "cpu_us_per_swap": reply["cpu_s"] / reply["swaps"] * 1e6}
    table.add(f"factory-{robots}, one run", robots, f"{days:g}", f"{reply['swaps']:,}", fmt(reply["cpu_s"]),
              fmt(year_row["cpu_us_per_swap"]), "", "", "", "",
              f"<= {YEAR_TARGET_CPU_S:g} s CPU" if has_target else "(smoke run)",
              _verdict(reply["cpu_s"], YEAR_TARGET_CPU_S, " s") if has_target else "")

    table.notes += [
        f"marginal = (CPU s of the long run - the short run's) / (their difference in swaps): start-up cancels; "
        f"seed {SEED}, warmup {NO_WARMUP}; the baselines are benchmark 1's models over {queue_case.horizon_h / 24:g} "
        f"days (whole run, seed {QUEUE_SEED} + repeat)",
        f"median of {repeats} interleaved repeats (each runs every model once, order alternating); ratios are medians "
        "of the per-repeat ratios; best = the fastest repeat (another process only ever adds time)",
        f"factory-{robots}, one run: {days:g} d in a fresh interpreter, {reply['wall_s']:.1f} s wall, "
        f"{reply['cpu_s']:.1f} s CPU, peak RSS {reply['peak_rss_mib']:.1f} MiB (VmHWM; "
        f"{reply['peak_rss_before_mib']:.1f} before simulate()), {reply['stations']} halls, "
        f"{reply['timeseries_values']:,} time-series values; µs/swap there includes start-up",
        "peak memory against the horizon: benchmark 2 (scaling)",
    ]
    raw = {"repeats": repeats, "seed": SEED, "queue_seed": QUEUE_SEED, "queue_case": queue_case.__dict__,
           "cases": [c.__dict__ for c in cases], "summary": summary, "year_run": year_row,
           "runs": {f"{k}{'/' + h if h else ''}": v for (k, h), v in runs.items()}}
    return table, raw
