"""The whole validation suite: every experiment with the full or the quick settings, as plain data.

:func:`run_all` runs the M/M/c//N grid and its insensitivity check, the stock-outs, the pack figures
and the estimate against the shipped scenarios, and returns the data that
``docs/validation-data.json`` stores and :mod:`~swapsim.analysis.validation.page` renders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from swapsim.analysis.validation.estimates import estimate_vs_simulation
from swapsim.analysis.validation.packs import pack_checks
from swapsim.analysis.validation.queues import mmcn_point, stockout_point
from swapsim.analysis.validation.scenarios import OFFERED_PACK_LOAD, TRIGGER

__all__ = ["FULL", "QUICK", "run_all"]

FULL = {
    "mmcn_robots": (5, 10, 25),
    "mmcn_positions": (1, 2, 4),
    "mmcn_loads": (0.5, 0.9, 1.3),
    "mmcn_replications": 6,
    "mmcn_horizon_h": 1500.0,
    "insensitivity_robots": 10,
    "stockout_spares": (5, 6, 7, 8, 10, 12),
    "stockout_replications": 4,
    "stockout_horizon_h": 3000.0,
    "scenarios": ("factory", "warehouse", "airport", "hospital"),
    "scenario_replications": 4,
}
QUICK = {
    "mmcn_robots": (5, 10),
    "mmcn_positions": (1, 2),
    "mmcn_loads": (0.5, 1.3),
    "mmcn_replications": 4,
    "mmcn_horizon_h": 600.0,
    "insensitivity_robots": 10,
    "stockout_spares": (6, 8),
    "stockout_replications": 3,
    "stockout_horizon_h": 1500.0,
    "scenarios": ("hospital",),
    "scenario_replications": 2,
}


def run_all(
    settings: dict[str, Any], scenario_dir: str = "scenarios", progress: Callable[[str], None] = print
) -> dict[str, Any]:
    """Run every validation experiment with ``settings`` (:data:`FULL` or :data:`QUICK`); plain data out."""
    import platform
    import time

    from swapsim._version import __version__
    from swapsim.model.pack import ChargeCurve
    from swapsim.scenario import load_scenario

    started = time.perf_counter()
    data: dict[str, Any] = {
        "settings": {k: list(v) if isinstance(v, tuple) else v for k, v in settings.items()},
        "swapsim_version": __version__,
        "python": platform.python_version(),
    }
    grid = []
    for n in settings["mmcn_robots"]:
        for c in settings["mmcn_positions"]:
            for load in settings["mmcn_loads"]:
                progress(f"M/M/c//N: N={n} c={c} load={load} (fixed working time)")
                grid.append(
                    mmcn_point(
                        n,
                        c,
                        load,
                        work="fixed",
                        replications=settings["mmcn_replications"],
                        horizon_h=settings["mmcn_horizon_h"],
                    )
                )
    data["mmcn"] = grid
    insens = []
    n = settings["insensitivity_robots"]
    for c in settings["mmcn_positions"]:
        for load in settings["mmcn_loads"]:
            progress(f"insensitivity: N={n} c={c} load={load} (exponential working time)")
            insens.append(
                mmcn_point(
                    n,
                    c,
                    load,
                    work="exponential",
                    replications=settings["mmcn_replications"],
                    horizon_h=settings["mmcn_horizon_h"],
                    first_seed=1001,
                )
            )
    data["insensitivity"] = insens
    d = ChargeCurve(0.8, 0.85, 0.05).time_to_full_h(TRIGGER)
    rate = OFFERED_PACK_LOAD / d
    stock = []
    for robots, work in ((100, "exponential"), (10, "exponential"), (12, "jitter"), (12, "fixed")):
        work_h = robots / rate - 0.05  # swap time 3 min (0.05 h): requests at about `rate`
        for spares in settings["stockout_spares"]:
            if work == "fixed" and spares not in settings["stockout_spares"][1::2]:
                continue
            progress(f"stock-outs: N={robots} {work} S={spares}")
            stock.append(
                stockout_point(
                    robots,
                    spares,
                    work_h,
                    work=work,
                    replications=settings["stockout_replications"],
                    horizon_h=settings["stockout_horizon_h"],
                )
            )
    data["stockouts"] = stock
    progress("pack checks against the published figures")
    data["packs"] = pack_checks()
    comps = []
    for name in settings["scenarios"]:
        sc = load_scenario(f"{scenario_dir}/{name}.yaml")
        if sc.workload.cycle is None or sc.strategy.kind != "hot_swap":
            progress(f"estimate vs simulation: {name} skipped (task demand: outside the estimate)")
            continue
        progress(f"estimate vs simulation: {name}")
        busiest = None
        if name == "factory":
            busiest = sc.stations[0].name
        comps.append(estimate_vs_simulation(sc, settings["scenario_replications"], keep_series=busiest))
    data["scenarios"] = comps
    data["run_time_s"] = time.perf_counter() - started
    return data
