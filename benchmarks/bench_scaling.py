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
A DES on SimPy is itself not linear in the number of processes (its event heap costs O(log n) per
event, and the working set outgrows the processor's caches), so each repeat also times the bare SimPy
model of benchmark 1 at the fleet series' sizes (:func:`bare_point`: the same load per robot, 3 swap
positions per 20 robots, about :data:`BARE_SWAPS` swaps a run, in this process), and the table sets
its cost per swap against the first size beside swapsim's.
Peak memory must stay flat with the horizon: the table gives the peak RSS and its growth over the
same process's peak before the run (interpreter, imports and the scenario), both read from VmHWM
(see :func:`benchmarks.common.peak_rss_mib`; ``ru_maxrss`` would carry over the parent's peak).

One part of a run's memory grows with the horizon by design: the Recorder's fixed-width time-series
bins, one value per series (robot states, and busy, queue, green and down per hall) per bin for the
whole run, so horizon / bin width values per series (15-min bins: 96 a day). The table says how
much of the peak they are, two ways: expected, from the number of values held
(:data:`BIN_BYTES_PER_VALUE` each), and measured, from a control run of each horizon point with
``output.bin_width`` = :data:`CONTROL_BIN_WIDTH` (same scenario and seed; one run per point, after
the repeats: memory does not vary between repeats as time does). What is left, the peak with daily
bins, is what must stay flat.
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks.bare_mmcn import run_bare_mmcn
from benchmarks.bench_queue import QueueCase
from benchmarks.common import Table, fmt, median, run_child
from benchmarks.scenarios import ROBOTS_PER_HALL

__all__ = ["run", "FLEETS", "HORIZONS", "CONTROL_BIN_WIDTH", "BIN_BYTES_PER_VALUE", "expected_bin_mib", "bare_point",
           "BARE_SWAPS"]

SEED = 1
FLEETS = ((10, 30.0), (100, 30.0), (1000, 30.0))
HORIZONS = ((100, 30.0), (100, 90.0), (100, 365.0))
QUICK_FLEETS = ((5, 2.0), (20, 2.0), (80, 2.0))
QUICK_HORIZONS = ((20, 2.0), (20, 4.0), (20, 8.0))
CONTROL_BIN_WIDTH = "1 d"
"""Time-series resolution of the memory control runs of the horizon series."""
BIN_BYTES_PER_VALUE = 16
"""Expected bytes per time-series value at the peak: while the run lasts, the Recorder keeps each
series' bins as 8-byte doubles (``array('d')``; a robot-state series also keeps an 8-byte count per
bin), and at the end the result holds them again as NumPy float64 arrays (8 bytes). Update this if
swapsim.metrics changes how it stores bins; the measured column shows the real cost either way."""


BARE_SWAPS = 100_000
"""Swaps per bare-model run in the fleet-size control (a run of about 1 to 3 s)."""
QUICK_BARE_SWAPS = 5_000


def bare_point(robots: int, swaps: int) -> dict[str, Any]:
    """One run of the bare SimPy model of benchmark 1's queue (:class:`~benchmarks.bench_queue.QueueCase`:
    3 positions per 20 robots, T = 1 h, S = 0.2 h) resized to ``robots`` robots, long enough for about
    ``swaps`` swaps; its CPU time per swap."""
    case = QueueCase()
    positions = max(1, round(robots * case.positions / case.n_robots))
    horizon_h = swaps * 1.3 * case.think_h / robots  # a robot swaps about once per T + S + its wait
    t0 = time.process_time()
    result = run_bare_mmcn(robots, positions, case.think_h, case.swap_mean_h, horizon_h, seed=SEED)
    cpu = time.process_time() - t0
    return {"robots": robots, "positions": positions, "horizon_h": horizon_h, "swaps": result.swaps,
            "cpu_s": cpu, "cpu_us_per_swap": cpu / result.swaps * 1e6}


def expected_bin_mib(values: int) -> float:
    """Expected memory (MiB) of ``values`` time-series values (:data:`BIN_BYTES_PER_VALUE` each)."""
    return values * BIN_BYTES_PER_VALUE / 2**20


def run(quick: bool = False, repeats: int = 3, progress=print) -> tuple[Table, dict[str, Any]]:
    """Run benchmark 2; returns the table and the raw numbers (every child's reply)."""
    fleets = QUICK_FLEETS if quick else FLEETS
    horizons = QUICK_HORIZONS if quick else HORIZONS
    points = list(dict.fromkeys(fleets + horizons))
    replies: dict[tuple[int, float], list[dict[str, Any]]] = {p: [] for p in points}
    bare_swaps = QUICK_BARE_SWAPS if quick else BARE_SWAPS
    bare: dict[int, list[dict[str, Any]]] = {robots: [] for robots, _ in fleets}
    for r in range(repeats):
        order = points if r % 2 == 0 else points[::-1]
        for robots, days in order:
            reply = run_child({"robots": robots, "days": days, "seed": SEED})
            replies[(robots, days)].append(reply)
            progress(f"  scaling: repeat {r + 1}/{repeats}, {robots} robots x {days:g} days: "
                     f"{reply['wall_s']:.2f} s wall, {reply['cpu_s']:.2f} s CPU, "
                     f"peak {reply['peak_rss_mib']:.1f} MiB")
        for robots in (list(bare) if r % 2 == 0 else list(bare)[::-1]):
            point = bare_point(robots, bare_swaps)
            bare[robots].append(point)
            progress(f"  scaling: repeat {r + 1}/{repeats}, bare SimPy model, {robots} robots: "
                     f"{point['cpu_us_per_swap']:.1f} us CPU per swap")

    # Memory controls: each horizon point once more with coarse bins (memory, not time, is compared).
    controls: dict[tuple[int, float], dict[str, Any]] = {}
    for robots, days in horizons:
        reply = run_child({"robots": robots, "days": days, "seed": SEED, "bin_width": CONTROL_BIN_WIDTH})
        controls[(robots, days)] = reply
        progress(f"  scaling: memory control, {robots} robots x {days:g} days, bins {CONTROL_BIN_WIDTH}: "
                 f"{reply['wall_s']:.2f} s wall, peak {reply['peak_rss_mib']:.1f} MiB")

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
            "timeseries_series": first["timeseries_series"], "timeseries_bins": first["timeseries_bins"],
            "bin_width_h": first["bin_width_h"],
            "bins_expected_mib": expected_bin_mib(first["timeseries_values"]),
        }

    table = Table(
        title="Benchmark 2: wall time and peak memory against fleet size and horizon (factory, resized)",
        columns=["series", "robots", "days", "halls", "swaps", "stock-outs", "wait min", "wall s", "CPU s",
                 "ms/robot-day", "vs first", "best ms/r-d", "best vs first", "peak RSS MiB", "growth MiB",
                 "bin values", "bins MiB exp.", f"peak RSS MiB, {CONTROL_BIN_WIDTH} bins", "bins MiB meas.",
                 "bare µs/swap", "bare vs first"])
    bare_us = {robots: median([p["cpu_us_per_swap"] for p in pts]) for robots, pts in bare.items()}
    bare_first = bare_us[fleets[0][0]]
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
            control = controls.get((robots, days)) if series == "horizon" else None
            if control is not None:
                s["control"] = {k: control[k] for k in ("bin_width_h", "timeseries_values", "peak_rss_mib",
                                                        "peak_rss_before_mib", "wall_s", "cpu_s")}
                s["bins_measured_mib"] = s["peak_rss_mib"] - control["peak_rss_mib"]
            rows[series].append(s)
            table.add(series, robots, f"{days:g}", s["stations"], f"{s['swaps']:,}",
                      f"{s['stockouts'] / max(1, s['swaps']):.0%}", f"{s['wait_min_mean']:.2f}",
                      fmt(s["wall_s"]), fmt(s["cpu_s"]), fmt(per * 1e3), f"{per / base:.2f}", fmt(best * 1e3),
                      f"{best / base_best:.2f}", f"{s['peak_rss_mib']:.1f}", f"{s['rss_growth_mib']:.1f}",
                      f"{s['timeseries_values']:,}", f"{s['bins_expected_mib']:.1f}",
                      f"{control['peak_rss_mib']:.1f}" if control else "",
                      f"{s['bins_measured_mib']:.1f}" if control else "",
                      f"{bare_us[robots]:.1f}" if series == "fleet" else "",
                      f"{bare_us[robots] / bare_first:.2f}" if series == "fleet" else "")
            if series == "fleet":
                s["bare_cpu_us_per_swap"] = bare_us[robots]
                s["bare_ratio_to_first"] = bare_us[robots] / bare_first
    table.notes += [
        f"median of {repeats} interleaved repeats (best = fastest repeat: interference from other processes "
        "only adds time), each run in a fresh interpreter; times are of simulate() alone",
        "ms/robot-day = wall time / (robots x days); 'vs first' = that / the series' first row "
        "(1.00 = linear); stock-outs = share of swaps that found no green pack (queueing load)",
        f"one swap hall per {ROBOTS_PER_HALL} robots (hall-A and hall-B of factory.yaml in turn); "
        "peak RSS = VmHWM (peak resident memory of the run's process) after the run; "
        "growth = peak after minus peak before simulate()",
        "bare = the bare SimPy model of benchmark 1 at the same number of robots (3 swap positions per 20 "
        f"robots, T = 1 h, S = 0.2 h, about {bare_swaps:,} swaps a run, in this process; median CPU time per "
        "swap over the repeats): SimPy's own cost per event grows with the number of processes (its event "
        "heap, the working set), so compare swapsim's 'vs first' with the bare model's",
        *_bin_notes(rows["horizon"]),
    ]
    return table, {"repeats": repeats, "seed": SEED, "series": rows, "bare_fleet_control": bare,
                   "runs": [x for p in points for x in replies[p]],
                   "memory_controls": [controls[p] for p in horizons],
                   "control_bin_width": CONTROL_BIN_WIDTH, "bin_bytes_per_value_expected": BIN_BYTES_PER_VALUE}


def _bin_notes(horizon_rows: list[dict[str, Any]]) -> list[str]:
    """Notes on the time-series bins' share of peak memory in the horizon series."""
    first, last = horizon_rows[0], horizon_rows[-1]
    width_min = first["bin_width_h"] * 60
    values = ", ".join(f"{r['days']:g} d: {r['timeseries_series']} series x {r['timeseries_bins']:,} bins = "
                       f"{r['timeseries_values']:,} values = {r['bins_expected_mib']:.1f} MiB"
                       for r in horizon_rows)
    extra_values = last["timeseries_values"] - last["control"]["timeseries_values"]
    per_value = last["bins_measured_mib"] * 2**20 / extra_values if extra_values > 0 else float("nan")
    flat = " -> ".join(f"{r['control']['peak_rss_mib']:.1f}" for r in horizon_rows)
    days = " / ".join(f"{r['days']:g}" for r in horizon_rows)
    flat_change = last["control"]["peak_rss_mib"] - first["control"]["peak_rss_mib"]
    return [
        f"time-series bins (the Recorder keeps fixed-width bins for the whole run, so they grow with "
        f"horizon / bin width by design): with the scenario's {width_min:g}-min bins, expected at "
        f"{BIN_BYTES_PER_VALUE} B a value (an 8-byte double while the run lasts, plus 8 B in the "
        f"result's NumPy arrays): {values}",
        f"bins MiB meas. = peak RSS - peak RSS of the same run with {CONTROL_BIN_WIDTH} bins (one control run "
        f"per horizon point): at {last['days']:g} d {last['bins_measured_mib']:.1f} MiB, "
        f"{per_value:.0f} B per extra value (can be below the expected bytes: bin values partly fill heap "
        f"memory the run had already made resident); the peak without the bins' growth ({CONTROL_BIN_WIDTH} bins) goes "
        f"{flat} MiB over {days} days ({flat_change:+.1f} MiB): that is the part that must stay flat",
    ]
