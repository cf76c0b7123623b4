"""Benchmark 1: swapsim against a bare SimPy model of the same finite-source queue M/M/c//N.

The swapsim side is the queue scenario the validation tests check against the exact M/M/c//N law,
built by :func:`swapsim.analysis.validation.mmcn_scenario` (one definition of the queue for both): N robots work
a fixed T hours between swaps (constant power chosen so a full pack reaches the trigger in T; go at
once), c swap positions, exponential swap times of mean S, zero travel, no power drawn at the station,
fast chargers and one spare pack per robot (never a stock-out), pack ageing off and no health faults,
default (15-min) time-series bins. No warm-up here: the staggered start is close to the stationary
state and a one-year horizon makes the start-up bias negligible (the transient lasts hours; the run
8,760 hours).

Protocol: one untimed run of each model with a counting environment (events per swap; it also warms
up imports and caches), then ``repeats`` timed pairs, interleaved (the order alternates each pair),
pair ``r`` using seed ``SEED + r`` for both models. Each run is timed by wall clock and by the CPU time
of the process (``time.process_time``); the machine may be shared, and CPU time is what a run costs,
whatever else runs beside it, so the headline ratio uses CPU time (the wall-time ratio is shown too).
Reported: the median time per swap of each model, the median of the per-pair ratios (swapsim / bare;
target <= 2), events per CPU second (events per swap from the counted run / CPU seconds per swap), and
each model's mean wait with its 99 % Student-t interval over the ``repeats`` replications, against the
exact value from :func:`swapsim.analysis.queueing.mmcn`.
"""

from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass
from typing import Any

from benchmarks.bare_mmcn import run_bare_mmcn
from benchmarks.common import CountingEnvironment, Table, fmt, mean_ci, median
from swapsim.analysis.queueing import mmcn
from swapsim.analysis.validation import mmcn_scenario
from swapsim.engine import simulate
from swapsim.scenario import Scenario

__all__ = ["QueueCase", "run_swapsim", "run"]

SEED = 1000
CONFIDENCE = 0.99
RATIO_TARGET = 2.0


@dataclass(frozen=True)
class QueueCase:
    """N robots, c positions, fixed working time T (h), exponential swap mean S (h), horizon (h)."""

    n_robots: int = 20
    positions: int = 3
    think_h: float = 1.0
    swap_mean_h: float = 0.2
    horizon_h: float = 365 * 24.0

    @property
    def label(self) -> str:
        return (f"M/M/{self.positions}//{self.n_robots}, T = {self.think_h:g} h, S = {self.swap_mean_h:g} h, "
                f"{self.horizon_h / 24:g} days")

    def scenario(self) -> Scenario:
        """The swapsim scenario of this queue: :func:`swapsim.analysis.validation.mmcn_scenario`, no warm-up."""
        return mmcn_scenario(self.n_robots, self.positions, self.think_h, self.swap_mean_h,
                             horizon_h=self.horizon_h, warmup_h=0.0,
                             name=f"bench-mmcn-{self.n_robots}-{self.positions}")


def run_swapsim(scenario: Scenario, seed: int, env: Any = None) -> tuple[int, float, int]:
    """One swapsim run: (swaps started, mean wait in min, stock-outs)."""
    summary = simulate(scenario, seed=seed, env=env).summary
    return summary["swaps"]["count"], summary["swaps"]["wait_min"]["mean"], summary["swaps"]["stockouts"]


def _timed(fn, *args, **kwargs) -> tuple[float, float, Any]:
    """(wall s, CPU s of this process, result) of one call, after a garbage collection."""
    gc.collect()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, time.process_time() - c0, out


def run(quick: bool = False, repeats: int = 5, case: QueueCase | None = None) -> tuple[Table, dict[str, Any]]:
    """Run benchmark 1; returns the table and the raw numbers."""
    if case is None:
        case = QueueCase(horizon_h=14 * 24.0) if quick else QueueCase()
    scenario = case.scenario()
    bare_args = (case.n_robots, case.positions, case.think_h, case.swap_mean_h, case.horizon_h)

    # Untimed counted runs: events per swap of each model (same seed as the first timed pair).
    env = CountingEnvironment()
    bare_counted = run_bare_mmcn(*bare_args, seed=SEED, env=env)
    bare_events_per_swap = env.events_processed / bare_counted.swaps
    env = CountingEnvironment()
    sw_counted_swaps, _, _ = run_swapsim(scenario, SEED, env=env)
    sw_events_per_swap = env.events_processed / sw_counted_swaps

    bare_t, sw_t, bare_cpu, sw_cpu = [], [], [], []
    bare_swaps, sw_swaps, bare_wait, sw_wait, ratios, wall_ratios = [], [], [], [], [], []
    stockouts = 0
    for r in range(repeats):
        seed = SEED + r
        order = ("bare", "swapsim") if r % 2 == 0 else ("swapsim", "bare")
        cpu_per_swap, wall_per_swap = {}, {}
        for which in order:
            if which == "bare":
                wall, cpu, res = _timed(run_bare_mmcn, *bare_args, seed=seed)
                swaps = res.swaps
                bare_t.append(wall)
                bare_cpu.append(cpu)
                bare_swaps.append(swaps)
                bare_wait.append(res.mean_wait_h * 60.0)
            else:
                wall, cpu, (swaps, wait_min, so) = _timed(run_swapsim, scenario, seed)
                sw_t.append(wall)
                sw_cpu.append(cpu)
                sw_swaps.append(swaps)
                sw_wait.append(wait_min)
                stockouts += so
            cpu_per_swap[which] = cpu / swaps
            wall_per_swap[which] = wall / swaps
        ratios.append(cpu_per_swap["swapsim"] / cpu_per_swap["bare"])
        wall_ratios.append(wall_per_swap["swapsim"] / wall_per_swap["bare"])
    if bare_swaps[0] != bare_counted.swaps or sw_swaps[0] != sw_counted_swaps:
        raise RuntimeError("a counted run differs from the timed run with the same seed")

    exact = mmcn(case.n_robots, case.positions, case.think_h, case.swap_mean_h)
    exact_wait_min = exact.mean_wait * 60.0
    bare_cpu_per_swap = median([t / n for t, n in zip(bare_cpu, bare_swaps)])
    sw_cpu_per_swap = median([t / n for t, n in zip(sw_cpu, sw_swaps)])
    bare_wall_per_swap = median([t / n for t, n in zip(bare_t, bare_swaps)])
    sw_wall_per_swap = median([t / n for t, n in zip(sw_t, sw_swaps)])
    bare_mean, bare_half = mean_ci(bare_wait, CONFIDENCE)
    sw_mean, sw_half = mean_ci(sw_wait, CONFIDENCE)
    ratio = median(ratios)
    wall_ratio = median(wall_ratios)
    best_ratio = min(t / n for t, n in zip(sw_cpu, sw_swaps)) / min(t / n for t, n in zip(bare_cpu, bare_swaps))
    bare_ok = abs(bare_mean - exact_wait_min) <= bare_half
    sw_ok = abs(sw_mean - exact_wait_min) <= sw_half
    models_ok = abs(bare_mean - sw_mean) <= math.hypot(bare_half, sw_half)

    table = Table(
        title=f"Benchmark 1: swapsim vs a bare SimPy model of {case.label}",
        columns=["model", "swaps/run", "wall s/run", "CPU us/swap", "wall us/swap", "events/swap",
                 "events/CPU s", "wait min (99% CI)"])
    for name, t, per_cpu, per_wall, swaps, eps, m, h in (
            ("bare SimPy", bare_t, bare_cpu_per_swap, bare_wall_per_swap, bare_swaps, bare_events_per_swap,
             bare_mean, bare_half),
            ("swapsim", sw_t, sw_cpu_per_swap, sw_wall_per_swap, sw_swaps, sw_events_per_swap, sw_mean,
             sw_half)):
        table.add(name, f"{median(swaps):,.0f}", fmt(median(t)), fmt(per_cpu * 1e6), fmt(per_wall * 1e6),
                  fmt(eps), f"{eps / per_cpu:,.0f}", f"{m:.3f} ± {h:.3f}")
    table.add("exact M/M/c//N", f"{exact.throughput * case.horizon_h:,.0f}", "", "", "", "", "",
              f"{exact_wait_min:.3f}")
    verdict = "meets" if ratio <= RATIO_TARGET else "MISSES"
    table.notes += [
        f"time per swap, swapsim / bare: {ratio:.2f}x by CPU time (median of {repeats} interleaved pairs, "
        f"range {min(ratios):.2f}-{max(ratios):.2f}), {best_ratio:.2f}x fastest run to fastest run, "
        f"{wall_ratio:.2f}x by wall time; {verdict} the target of <= {RATIO_TARGET:g}x",
        f"mean wait within the 99 % CI of the exact value: bare {'yes' if bare_ok else 'NO'}, "
        f"swapsim {'yes' if sw_ok else 'NO'}; the models agree with each other: {'yes' if models_ok else 'NO'}; "
        f"stock-outs in swapsim: {stockouts}",
        f"exact server utilisation {exact.server_utilisation:.3f}; events counted by a step()-counting "
        f"Environment subclass in a separate untimed run (seed {SEED}); events/CPU s = events/swap / CPU s/swap",
    ]
    raw = {
        "case": case.__dict__, "repeats": repeats, "seeds": [SEED + r for r in range(repeats)],
        "bare": {"wall_s": bare_t, "cpu_s": bare_cpu, "swaps": bare_swaps, "wait_min": bare_wait,
                 "events_per_swap": bare_events_per_swap,
                 "cpu_us_per_swap_median": bare_cpu_per_swap * 1e6,
                 "wall_us_per_swap_median": bare_wall_per_swap * 1e6,
                 "events_per_cpu_s": bare_events_per_swap / bare_cpu_per_swap,
                 "wait_min_mean": bare_mean, "wait_min_ci99": bare_half},
        "swapsim": {"wall_s": sw_t, "cpu_s": sw_cpu, "swaps": sw_swaps, "wait_min": sw_wait,
                    "events_per_swap": sw_events_per_swap,
                    "cpu_us_per_swap_median": sw_cpu_per_swap * 1e6,
                    "wall_us_per_swap_median": sw_wall_per_swap * 1e6,
                    "events_per_cpu_s": sw_events_per_swap / sw_cpu_per_swap,
                    "wait_min_mean": sw_mean, "wait_min_ci99": sw_half, "stockouts": stockouts},
        "exact": {"wait_min": exact_wait_min, "server_utilisation": exact.server_utilisation,
                  "throughput_per_h": exact.throughput},
        "ratio_cpu_per_pair": ratios, "ratio_cpu_median": ratio, "ratio_cpu_best": best_ratio,
        "ratio_wall_per_pair": wall_ratios, "ratio_wall_median": wall_ratio, "ratio_target": RATIO_TARGET,
        "waits_agree": {"bare_vs_exact": bare_ok, "swapsim_vs_exact": sw_ok, "bare_vs_swapsim": models_ok},
    }
    return table, raw
