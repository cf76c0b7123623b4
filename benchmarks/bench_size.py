"""Benchmark 4: how many simulation runs ``swapsim size`` spends, against exhaustive sweeps of the same
grid at the same confidence.

Counts runs, not seconds (runs are what the search saves; a run's cost is benchmark 3's business).
For each case the same :func:`swapsim.experiments.sizing.search.run_size` answers the question three ways:

* **size**: as ``swapsim size`` does (cost order, monotone dominance, estimate screening where it
  applies, sequential looks, stop once nothing can beat the runner-up);
* **sequential, every configuration**: the same sequential test on every configuration of the grid
  (``exhaustive=True``): what ordering and pruning save on their own;
* **fixed sweep**: ``swapsim sweep`` of the whole grid with one replication count for every point,
  the largest the sequential test may need (``n_max``): what a user must run to decide every point at
  the same confidence without looks (counted, not run).

The three must recommend the same configuration (checked). Cases: M/M/c//N (exact; 20 robots,
positions 1..8), Palm's spare packs (exact; 30 robots, charged packs 3..12) and the shipped factory
(positions 1..3 x charged packs 4..13 per station, 3-day runs; quick mode: 2 days, positions 1..2).
Target: size spends at most a quarter of the fixed sweep.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, Table
from swapsim.analysis.queueing import mmcn
from swapsim.analysis.spare_packs import prob_no_ready_pack
from swapsim.analysis.validation.scenarios import TRIGGER, mmcn_scenario, stockout_scenario
from swapsim.experiments.sizing.search import run_size
from swapsim.experiments.sizing.space import Dimension, Target
from swapsim.experiments.sizing.spec import make_spec
from swapsim.model.pack import ChargeCurve
from swapsim.scenario import load_scenario

__all__ = ["cases", "count_runs", "run"]


def cases(quick: bool) -> list[tuple[str, Any]]:
    """(name, SizeSpec) of each benchmark case."""
    out = []
    n, work, swap = 20, 3.0, 0.2
    w = {c: 60 * mmcn(n, c, work, swap).mean_wait for c in (3, 4)}
    sc = mmcn_scenario(n, 1, work, swap, work="exponential", horizon_h=300.0 if quick else 400.0, warmup_h=20.0)
    out.append(("M/M/c//N, positions 1..8", make_spec(sc, "mmcn", [Dimension("stations[*].positions", 1, 8)],
                                                      [Target("swaps.wait_min.mean", "<=", math.sqrt(w[3] * w[4]))],
                                                      n_max=40)))
    robots, d_h = 30, ChargeCurve(0.8, 0.85, 0.05).time_to_soc_h(TRIGGER, 1.0)
    work_h = robots * d_h / 3.0 - 0.05
    seen = (robots - 1) / (work_h + 0.05)
    target = math.sqrt(prob_no_ready_pack(6, seen, d_h) * prob_no_ready_pack(7, seen, d_h))
    sc = stockout_scenario(robots, 12, work_h, horizon_h=500.0 if quick else 800.0, warmup_h=20.0)
    out.append(("Palm spare packs, charged packs 3..12",
                make_spec(sc, "palm", [Dimension("stations[0].charged_packs", 3, 12)],
                          [Target("swaps.stockout_share", "<=", target)], n_max=40)))
    sc = load_scenario(REPO / "scenarios" / "factory.yaml",
                       ["horizon=2 d" if quick else "horizon=3 d", "warmup=12 h", "costs.energy_per_kwh=0.2"])
    out.append(("factory, positions x charged packs",
                make_spec(sc, "factory", [Dimension("stations[*].positions", 1, 2 if quick else 3),
                                          Dimension("stations[*].charged_packs", 4, 13)],
                          [Target("swaps.wait_min.p95", "<=", 5.0), Target("swaps.stockout_share", "<=", 0.02)],
                          n_max=40)))
    return out


def count_runs(spec: Any, exhaustive: bool, jobs: int = 2) -> tuple[int, Any]:
    """Runs spent (and the result) answering ``spec``, in a fresh temporary directory."""
    with tempfile.TemporaryDirectory() as tmp:
        res = run_size(spec, Path(tmp) / "size", jobs=jobs, exhaustive=exhaustive)
    return res.runs_total, res


def run(quick: bool = False, repeats: int = 1, progress: Callable[[str], None] | None = None) -> tuple[Table, dict]:
    """Run every case; ``repeats`` is accepted for the harness and ignored (run counts are deterministic)."""
    table = Table("Benchmark 4: simulation runs spent by swapsim size",
                  ["case", "grid", "size runs", "sequential, all", "fixed sweep", "size / fixed", "size / seq.",
                   "same answer"])
    raw: dict[str, Any] = {}
    for name, spec in cases(quick):
        if progress:
            progress(f"  {name} ...")
        n_size, res = count_runs(spec, exhaustive=False)
        n_all, res_all = count_runs(spec, exhaustive=True)
        fixed = res.exhaustive_fixed_runs
        same = (res.best is not None and res_all.best is not None
                and res.best.config.values == res_all.best.config.values)
        table.add(name, len(res.evaluated), n_size, n_all, fixed, f"{n_size / fixed:.1%}", f"{n_size / n_all:.0%}",
                  "yes" if same else "NO")
        raw[name] = {"grid": len(res.evaluated), "size_runs": n_size, "sequential_all_runs": n_all,
                     "fixed_sweep_runs": fixed, "recommended": res.best.config.values if res.best else None,
                     "recommended_exhaustive": res_all.best.config.values if res_all.best else None}
    table.notes.append("fixed sweep = every configuration at n_max = 40 replications (one count for all points, "
                       "as swapsim sweep runs); target: size <= 25 % of it")
    table.notes.append("sequential, all = the same sequential test on every configuration, no ordering or pruning")
    return table, raw
