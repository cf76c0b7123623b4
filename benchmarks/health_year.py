"""A year of a 100-robot factory with pack ageing: wall time and peak memory of one run.

    PYTHONPATH=. python benchmarks/health_year.py [--days 365] [--robots 100] [--bin "15 min"] [--tracemalloc]

Scales the factory scenario to ``--robots`` robots with stations sized in proportion (as in the
factory, about one swap position per 8 robots and 1.4 bays per robot at each of the two halls).
Prints the wall time, the peak resident memory (getrusage) and, with ``--tracemalloc``, the peak of
Python allocations (slower). Not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

from swapsim.engine import simulate
from swapsim.scenario import load_scenario


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=365)
    ap.add_argument("--robots", type=int, default=100)
    ap.add_argument("--bin", default=None, help="output.bin_width (default: the scenario's)")
    ap.add_argument("--tracemalloc", action="store_true")
    args = ap.parse_args()
    n = args.robots
    positions = max(1, round(n / 15))
    bays = max(4, round(0.47 * n))
    spares = max(2, round(0.43 * n))
    sets = [f"fleet.robots={n}", f"horizon={args.days} d"]
    for i in (0, 1):
        sets += [f"stations[{i}].positions={positions}", f"stations[{i}].bays={bays}",
                 f"stations[{i}].charged_packs={spares}"]
    if args.bin:
        sets.append(f"output.bin_width={args.bin}")
    sc = load_scenario("scenarios/factory.yaml", sets)
    if args.tracemalloc:
        tracemalloc.start()
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    r = simulate(sc)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    peak_py = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else float("nan")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    s = r.summary
    print(f"{n} robots, {args.days:g} d, bins {sc.output.bin_width * 60:g} min: wall {wall:.1f} s, cpu {cpu:.1f} s, "
          f"peak RSS {rss:.0f} MB, peak Python allocations {peak_py:.1f} MB")
    print(f"  swaps {s['swaps']['count']}, utilisation {s['fleet']['utilisation']:.4f}, "
          f"retired {s['packs']['retired_total']}, replaced {s['packs']['replaced']}, "
          f"mean health end {s['packs']['mean_health_end']:.4f}, technician jobs {s['technicians']['jobs']}")


if __name__ == "__main__":
    main()
