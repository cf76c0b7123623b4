"""One benchmark run in a fresh interpreter: reads a JSON job on stdin, prints one JSON line.

Used by benchmarks 2 and 5 so that each run's peak resident memory (VmHWM, see
:func:`benchmarks.common.peak_rss_mib`) is its own. The job is
``{"robots": N, "days": D, "seed": S}`` (the resized factory scenario of :mod:`benchmarks.scenarios`),
optionally with ``"bin_width": "1 d"`` to override the time-series resolution (a control: the
time-series bins are the only part of a run whose memory grows with the horizon) and ``"warmup": "0 h"``
to override the warm-up (benchmark 5 runs without one).
The reply holds the wall and CPU time of :func:`swapsim.engine.simulate` alone (scenario building and imports
excluded), the peak RSS before the run (interpreter, imports, scenario) and after it, and a few KPIs
to show the runs are comparable.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    job = json.loads(sys.stdin.read())
    from benchmarks.common import peak_rss_mib
    from benchmarks.scenarios import factory_scaled
    from swapsim.engine import simulate

    scenario = factory_scaled(int(job["robots"]), float(job["days"]), job.get("warmup"))
    if "bin_width" in job:
        from swapsim.scenario import scenario_from_dict, scenario_to_dict

        data = scenario_to_dict(scenario)
        data["output"]["bin_width"] = job["bin_width"]
        scenario = scenario_from_dict(data, source="benchmarks.child")
    rss_before = peak_rss_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    result = simulate(scenario, seed=int(job["seed"]))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_after = peak_rss_mib()
    summary = result.summary
    n_series = len(result.timeseries) - 1
    reply = {
        **job,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_before_mib": rss_before,
        "peak_rss_mib": rss_after,
        "stations": len(scenario.stations),
        "swaps": summary["swaps"]["count"],
        "swaps_per_robot_per_day": summary["swaps"]["per_robot_per_day"],
        "wait_min_mean": summary["swaps"]["wait_min"]["mean"],
        "utilisation": summary["fleet"]["utilisation"],
        "stockouts": summary["swaps"]["stockouts"],
        "strandings": summary["fleet"]["strandings"],
        "bin_width_h": scenario.output.bin_width,
        "timeseries_series": n_series,
        "timeseries_bins": len(result.timeseries["time_h"]),
        "timeseries_values": n_series * len(result.timeseries["time_h"]),
    }
    print(json.dumps(reply))


if __name__ == "__main__":
    main()
