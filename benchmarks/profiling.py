"""Profile swapsim with cProfile: ``python -m benchmarks.profiling [factory|warehouse|airport|mmcn|both] [--top 15]``.

Profiles one :func:`swapsim.engine.simulate` call of

* ``factory``: scenarios/factory.yaml as shipped (30 robots, 30 days, two halls);
* ``factory --robots N``: the same resized as in benchmark 2 (one hall per 15 robots);
* ``warehouse``, ``airport``: scenarios/warehouse.yaml and airport.yaml as shipped (14 days);
* ``mmcn``: benchmark 1's M/M/3//20 queue scenario (:func:`swapsim.analysis.validation.mmcn_scenario`, no
  warm-up; 90 days by default; the shares of time do not depend on the horizon).

The run prints the functions with the most *own* time (tottime, excluding callees) with their share of
the profiled total, own time summed by module, and the model functions with the most cumulative
time. cProfile roughly doubles the run time and weighs many cheap calls more than a few expensive
ones, so read the shares as a ranking, not as a forecast of the gain from removing a function. The raw profiles go to
``benchmarks/results/profile-<name>.prof`` (open with ``python -m pstats``).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
from pathlib import Path
from typing import Any

from benchmarks.bench_queue import QueueCase
from benchmarks.common import REPO, RESULTS_DIR, Table, fmt
from benchmarks.scenarios import FACTORY, factory_scaled
from swapsim.engine import simulate
from swapsim.scenario import Scenario, load_scenario

__all__ = ["FILES", "profile_scenario", "scenario_named", "main"]

FILES = ("warehouse", "airport")
"""Shipped scenario files profiled as they are (besides the factory)."""


def scenario_named(name: str, days: float | None = None, robots: int | None = None) -> Scenario:
    """``factory`` (as shipped, or resized to ``robots`` as in benchmark 2), ``warehouse`` or ``airport`` (as
    shipped), or ``mmcn`` (benchmark 1)."""
    if name == "factory" and robots is not None:
        return factory_scaled(robots, days or 30.0)
    if name == "factory":
        return load_scenario(FACTORY, [f"horizon={days} d"] if days else [])
    if name in FILES:
        return load_scenario(REPO / "scenarios" / f"{name}.yaml", [f"horizon={days} d"] if days else [])
    if name == "mmcn":
        return QueueCase(horizon_h=(days or 90.0) * 24.0).scenario()
    raise ValueError(f"unknown scenario {name!r}: choose factory, {', '.join(FILES)} or mmcn")


def _where(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name  # a built-in
    path = Path(filename)
    try:
        short = str(path.resolve().relative_to(REPO))
    except ValueError:
        parts = path.parts
        short = "/".join(parts[parts.index("site-packages") + 1:]) if "site-packages" in parts else path.name
    return f"{short}:{line}({name})"


def _module(where: str) -> str:
    """The module (file) a profiled function lives in; built-ins grouped as one."""
    if ":" not in where:
        return "built-ins (min, max, heappush, numpy calls, ...)"
    return where.split(":", 1)[0]


def profile_scenario(scenario: Scenario, seed: int = 1, out: Path | None = None,
                     top: int = 15) -> tuple[Table, Table, Table, dict[str, Any]]:
    """Profile one run; returns tables of own time by function, by module, and the model's cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    result = simulate(scenario, seed=seed)
    profiler.disable()
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        profiler.dump_stats(str(out))
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    rows = []
    for func, (_cc, nc, tt, ct, _callers) in stats.stats.items():
        rows.append({"function": _where(func), "calls": nc, "tottime_s": tt, "cumtime_s": ct,
                     "tottime_share": tt / total, "cumtime_share": ct / total})
    swaps = result.summary["swaps"]["count"]
    label = f"{scenario.name}: {scenario.fleet.robots} robots, {scenario.horizon / 24:g} days, {swaps:,} swaps"

    own = Table(f"Profile by own time: {label}",
                ["#", "function", "calls", "own s", "own %", "cum s", "cum %"])
    for i, r in enumerate(sorted(rows, key=lambda r: -r["tottime_s"])[:top], 1):
        own.add(i, r["function"], f"{r['calls']:,}", fmt(r["tottime_s"]), f"{r['tottime_share']:.1%}",
                fmt(r["cumtime_s"]), f"{r['cumtime_share']:.1%}")
    own.notes.append(f"profiled total {total:.2f} s (cProfile on); own = time in the function itself")

    by_module: dict[str, float] = {}
    for r in rows:
        by_module[_module(r["function"])] = by_module.get(_module(r["function"]), 0.0) + r["tottime_s"]
    modules = Table(f"Profile by module (own time): {label}", ["module", "own s", "own %"])
    for name, tt in sorted(by_module.items(), key=lambda kv: -kv[1])[:top]:
        modules.add(name, fmt(tt), f"{tt / total:.1%}")

    model = [r for r in rows if r["function"].startswith("swapsim/")
             and not r["function"].endswith(("(simulate)", "(operate)", "(<module>)"))]
    cum = Table(f"Profile by cumulative time, swapsim functions: {label}",
                ["#", "function", "calls", "cum s", "cum %", "us/call (own)"])
    for i, r in enumerate(sorted(model, key=lambda r: -r["cumtime_s"])[:top], 1):
        cum.add(i, r["function"], f"{r['calls']:,}", fmt(r["cumtime_s"]), f"{r['cumtime_share']:.1%}",
                fmt(1e6 * r["tottime_s"] / max(1, r["calls"])))
    cum.notes.append("cumulative time includes callees (a generator's cum time counts each resumption); "
                     "simulate() and Work.operate() are left out (they hold everything)")
    raw = {"label": label, "total_s": total, "by_module_s": by_module,
           "rows": sorted(rows, key=lambda r: -r["tottime_s"])[:60]}
    return own, modules, cum, raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profiling", description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="?", default="both", choices=["factory", *FILES, "mmcn", "both"])
    parser.add_argument("--days", type=float, default=None,
                        help="horizon (default: the file's, factory 30 and warehouse, airport 14; mmcn 90)")
    parser.add_argument("--robots", type=int, default=None,
                        help="factory only: resize to this many robots, one hall per 15 (as in benchmark 2)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--out", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    for name in (["factory", "mmcn"] if args.which == "both" else [args.which]):
        tag = f"{name}-{args.robots}r" if name == "factory" and args.robots else name
        own, modules, cum, _ = profile_scenario(scenario_named(name, args.days, args.robots), seed=args.seed,
                                       out=args.out / f"profile-{tag}.prof", top=args.top)
        print(own.text(), "", modules.text(), "", cum.text(), "", sep="\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
