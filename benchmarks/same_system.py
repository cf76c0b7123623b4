"""Is a floor the same system as swapsim? ``python -m benchmarks.same_system factory|warehouse [--days D] [--seeds N]``.

A floor (:mod:`benchmarks.bare_factory`, :mod:`benchmarks.bare_warehouse`) must be the simplest SimPy code
for the same events *and* the same system, or its instruction count is not a floor of anything. This runs
the shipped scenario and its floor for ``--days`` (no warm-up) with seeds 1 to N and prints, for each, the
swaps per robot-day and the mean swap wait (min), and their means with 95 % Student-t half-widths. The
two should agree within those intervals (docs/performance.md gives the last run).
"""

from __future__ import annotations

import argparse
import statistics
import sys

from benchmarks.bench_scenarios import Case, run_floor

__all__ = ["compare", "main"]


def _ci(xs: list[float]) -> str:
    from scipy import stats

    half = stats.t.ppf(0.975, len(xs) - 1) * statistics.stdev(xs) / len(xs) ** 0.5 if len(xs) > 1 else 0.0
    return f"{statistics.mean(xs):.3f} ± {half:.3f}"


def compare(name: str, days: float, seeds: int) -> list[str]:
    """The lines of the comparison of ``name``'s floor with swapsim (one per seed, then the means)."""
    from swapsim.engine import simulate

    case = Case(name, days, days, file=f"{name}.yaml", floor=name)
    scenario = case.scenario(days)
    cols: list[list[float]] = [[], [], [], []]
    lines = [f"{name}, {days:g} days: seed, swaps per robot-day (swapsim, floor), mean wait min (swapsim, floor)"]
    for seed in range(1, seeds + 1):
        swaps = simulate(scenario, seed=seed).summary["swaps"]
        floor = run_floor(case, scenario, seed)
        row = [swaps["per_robot_per_day"], floor.swaps_per_robot_day, swaps["wait_min"]["mean"], floor.mean_wait_h * 60]
        for col, x in zip(cols, row):
            col.append(x)
        lines.append(f"  {seed}: " + "  ".join(f"{x:.3f}" for x in row))
    lines.append(f"swaps per robot-day: swapsim {_ci(cols[0])}, floor {_ci(cols[1])}")
    lines.append(f"mean swap wait (min): swapsim {_ci(cols[2])}, floor {_ci(cols[3])}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.same_system", description=__doc__.splitlines()[0])
    parser.add_argument("site", choices=("factory", "warehouse"))
    parser.add_argument("--days", type=float, default=None, help="horizon (default: factory 20, warehouse 6)")
    parser.add_argument("--seeds", type=int, default=None, help="seeds 1 to N (default: factory 5, warehouse 4)")
    args = parser.parse_args(argv)
    days = args.days if args.days is not None else (20.0 if args.site == "factory" else 6.0)
    seeds = args.seeds if args.seeds is not None else (5 if args.site == "factory" else 4)
    print("\n".join(compare(args.site, days, seeds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
