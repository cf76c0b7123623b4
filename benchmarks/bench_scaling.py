"""Benchmark 2: wall time and peak memory against fleet size and against horizon.

Scenario: scenarios/factory.yaml resized by :func:`benchmarks.scenarios.factory_scaled` (one swap hall
per 15 robots, so queueing stays as in the shipped file). Two series share the 100-robot, 30-day point:

* fleet size 10, 100, 1000 robots, 30 days;
* horizon 30, 90, 365 days, 100 robots.

Each run is a fresh interpreter (:mod:`benchmarks.child`), so its peak RSS is its own. The runs are
interleaved: repeat ``r`` runs every point once (seed ``SEED``, the same for every repeat, so repeats
differ only in timing), and the table shows the median over repeats and the fastest repeat (on a
shared machine other processes only ever add time, so the fastest repeat is the better estimate of
the run's own cost). Time must grow linearly: the table gives the wall time per robot-day and its
ratio to the first point of the series (1.0 = linear), and the share of swaps that met a stock-out,
since the model's own workload per robot-day changes with queueing.
Peak memory must stay flat with the horizon: the table gives the peak RSS and its growth over the
same process's peak before the run (interpreter, imports and the scenario), both read from VmHWM
(see :func:`benchmarks.common.peak_rss_mib`; ``ru_maxrss`` would carry over the parent's peak).
"""

from __future__ import annotations

from typing import Any

from benchmarks.common import Table, fmt, median, run_child
from benchmarks.scenarios import ROBOTS_PER_HALL

__all__ = ["run", "FLEETS", "HORIZONS"]

SEED = 1
FLEETS = ((10, 30.0), (100, 30.0), (1000, 30.0))
HORIZONS = ((100, 30.0), (100, 90.0), (100, 365.0))
QUICK_FLEETS = ((5, 2.0), (20, 2.0), (80, 2.0))
QUICK_HORIZONS = ((20, 2.0), (20, 4.0), (20, 8.0))


def run(quick: bool = False, repeats: int = 3, progress=print) -> tuple[Table, dict[str, Any]]:
    """Run benchmark 2; returns the table and the raw numbers (every child's reply)."""
    fleets = QUICK_FLEETS if quick else FLEETS
    horizons = QUICK_HORIZONS if quick else HORIZONS
    points = list(dict.fromkeys(fleets + horizons))
    replies: dict[tuple[int, float], list[dict[str, Any]]] = {p: [] for p in points}
    for r in range(repeats):
        order = points if r % 2 == 0 else points[::-1]
        for robots, days in order:
            reply = run_child({"robots": robots, "days": days, "seed": SEED})
            replies[(robots, days)].append(reply)
            progress(f"  scaling: repeat {r + 1}/{repeats}, {robots} robots x {days:g} days: "
                     f"{reply['wall_s']:.2f} s wall, {reply['cpu_s']:.2f} s CPU, "
                     f"peak {reply['peak_rss_mib']:.1f} MiB")

    def summarise(robots: int, days: float) -> dict[str, Any]:
        rs = replies[(robots, days)]
        first = rs[0]
        return {
            "robots": robots, "days": days, "stations": first["stations"], "swaps": first["swaps"],
            "wall_s": median([x["wall_s"] for x in rs]),
            "wall_s_best": min(x["wall_s"] for x in rs),
            "cpu_s": median([x["cpu_s"] for x in rs]),
            "peak_rss_mib": median([x["peak_rss_mib"] for x in rs]),
            "rss_growth_mib": median([x["peak_rss_mib"] - x["peak_rss_before_mib"] for x in rs]),
            "wait_min_mean": first["wait_min_mean"], "stockouts": first["stockouts"],
            "swaps_per_robot_per_day": first["swaps_per_robot_per_day"],
            "timeseries_values": first["timeseries_values"],
        }

    table = Table(
        title="Benchmark 2: wall time and peak memory against fleet size and horizon (factory, resized)",
        columns=["series", "robots", "days", "halls", "swaps", "stock-outs", "wait min", "wall s", "CPU s",
                 "ms/robot-day", "vs first", "best ms/r-d", "best vs first", "peak RSS MiB", "growth MiB"])
    rows: dict[str, list[dict[str, Any]]] = {"fleet": [], "horizon": []}
    for series, pts in (("fleet", fleets), ("horizon", horizons)):
        base = base_best = None
        for robots, days in pts:
            s = summarise(robots, days)
            per = s["wall_s"] / (robots * days)
            best = s["wall_s_best"] / (robots * days)
            base = per if base is None else base
            base_best = best if base_best is None else base_best
            s.update(ms_per_robot_day=per * 1e3, ratio_to_first=per / base,
                     best_ms_per_robot_day=best * 1e3, best_ratio_to_first=best / base_best)
            rows[series].append(s)
            table.add(series, robots, f"{days:g}", s["stations"], f"{s['swaps']:,}",
                      f"{s['stockouts'] / max(1, s['swaps']):.0%}", f"{s['wait_min_mean']:.2f}",
                      fmt(s["wall_s"]), fmt(s["cpu_s"]), fmt(per * 1e3), f"{per / base:.2f}", fmt(best * 1e3),
                      f"{best / base_best:.2f}", f"{s['peak_rss_mib']:.1f}", f"{s['rss_growth_mib']:.1f}")
    table.notes += [
        f"median of {repeats} interleaved repeats (best = fastest repeat: interference from other processes "
        "only adds time), each run in a fresh interpreter; times are of simulate() alone",
        "ms/robot-day = wall time / (robots x days); 'vs first' = that / the series' first row "
        "(1.00 = linear); stock-outs = share of swaps that found no green pack (queueing load)",
        f"one swap hall per {ROBOTS_PER_HALL} robots (hall-A and hall-B of factory.yaml in turn); "
        "peak RSS = VmHWM (peak resident memory of the run's process) after the run; "
        "growth = peak after minus peak before simulate()",
        "time-series values held (bins x series) on the horizon series: "
        + ", ".join(f"{r['days']:g} d: {r['timeseries_values']:,}" for r in rows["horizon"])
        + " (the only state that grows with the horizon; see docs/performance.md)",
    ]
    return table, {"repeats": repeats, "seed": SEED, "series": rows,
                   "runs": [x for p in points for x in replies[p]]}
