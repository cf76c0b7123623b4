"""CPU time per swap against fleet size: ``python -m benchmarks.growth [--robots N ...] [--python PATH]``.

The factory resized to each fleet size (:func:`benchmarks.scenarios.factory_scaled`: one hall per 15
robots) runs at two horizons, each in a fresh interpreter (:mod:`benchmarks.child`), seed 1, no warm-up;
the cost per swap is *marginal*, (CPU s of the long run - the short run's) / (their difference in swaps),
so start-up cancels. The horizons give about ``swaps`` and three times as many swaps at every size (by
default 2 and 6 days at 1000 robots: the first hours of a large fleet are cheaper per swap, before its
halls run short of packs, so shorter horizons understate the growth: 0.25 and 0.75 days gave 1.04x
where 2 and 6 gave 1.64x, pure). Each
size is measured ``repeats`` times, the sizes interleaved; the table gives the median and the fastest
repeat (on a shared machine other processes only add time) and the growth of the fastest against the
first size. ``--python PATH`` runs the children with that interpreter's installed swapsim (the compiled
build's venv, as :mod:`benchmarks.instructions` does). Timings move with the machine's load: run it
niced when the machine is busy, and read the growth, not the absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import Any

from benchmarks.common import REPO, Table, fmt, median

__all__ = ["run", "main"]

SWAPS_PER_ROBOT_DAY = 8.1
"""The factory's swaps per robot-day (to size the horizons)."""


def _child(job: dict[str, Any], python: str | None) -> dict[str, Any]:
    """One run of :mod:`benchmarks.child` by this interpreter (the checkout's swapsim) or by ``python`` (its
    installed swapsim: ``-P`` keeps the checkout's source off the path, which is appended last)."""
    if python is None:
        cmd = [sys.executable, "-m", "benchmarks.child"]
    else:
        cmd = [python, "-P", "-c", f"import sys; sys.path.append({str(REPO)!r}); from benchmarks.child import main; main()"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(cmd, input=json.dumps(job), text=True, capture_output=True, cwd=REPO if python is None
                          else "/", env=env, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(robots: list[int], swaps: int = 16000, repeats: int = 3, python: str | None = None,
        progress=print) -> Table:
    """Measure the marginal CPU time per swap at each fleet size; the table."""
    days = {n: max(0.25, round(swaps / (n * SWAPS_PER_ROBOT_DAY), 2)) for n in robots}
    cost: dict[int, list[float]] = {n: [] for n in robots}
    for r in range(repeats):
        for n in (robots if r % 2 == 0 else robots[::-1]):
            lo, hi = (_child({"robots": n, "days": d, "seed": 1, "warmup": "0 h"}, python)
                      for d in (days[n], 3 * days[n]))
            cost[n].append((hi["cpu_s"] - lo["cpu_s"]) / (hi["swaps"] - lo["swaps"]))
            progress(f"  growth: repeat {r + 1}/{repeats}, {n} robots: {cost[n][-1] * 1e6:.0f} µs/swap")
    build = "pure Python" if python is None else python
    table = Table(title=f"CPU per swap against fleet size: the factory resized, seed 1, no warm-up ({build})",
                  columns=["robots", "halls", "days (short -> long)", "CPU µs/swap (median)", "best",
                           f"best vs {robots[0]} robots"])
    first = min(cost[robots[0]])
    for n in robots:
        table.add(n, -(-n // 15), f"{days[n]:g} -> {3 * days[n]:g}", fmt(median(cost[n]) * 1e6),
                  fmt(min(cost[n]) * 1e6), f"{min(cost[n]) / first:.2f}x")
    table.notes.append(f"marginal CPU time of simulate() per swap between the two horizons, {repeats} interleaved "
                       f"repeats, each run in a fresh interpreter; load average at the end: {os.getloadavg()[0]:.1f}")
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.growth", description=__doc__.splitlines()[0])
    parser.add_argument("--robots", type=int, nargs="+", default=[30, 300, 1000], help="fleet sizes (default 30 300 1000)")
    parser.add_argument("--swaps", type=int, default=16000,
                        help="swaps in the short run (default 16000: 2 and 6 days at 1000 robots, as benchmark 5)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per size (default 3)")
    parser.add_argument("--python", metavar="PATH", help="run with this interpreter's installed swapsim")
    args = parser.parse_args(argv)
    print(run(args.robots, args.swaps, args.repeats, args.python, progress=lambda m: print(m, file=sys.stderr)).text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
