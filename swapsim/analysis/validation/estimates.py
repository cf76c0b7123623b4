"""Validation experiment: ``swapsim estimate`` beside the simulation of the shipped scenarios.

:func:`estimate_vs_simulation` runs the analytic estimate and a few replications of a scenario and
lists the KPIs of :data:`ESTIMATE_KPIS` side by side, per station too, keeping the busiest station's
occupancy series to show swap waves (:func:`autocorrelation`). Plain JSON-ready data out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from swapsim.analysis.validation.replications import CI, mean_ci
from swapsim.scenario import Scenario

__all__ = ["ESTIMATE_KPIS", "simulated_kpis", "estimate_vs_simulation", "autocorrelation"]


ESTIMATE_KPIS = (
    ("swaps per robot per day", ("swaps", "per_robot_per_day"), 1.0),
    ("utilisation (%)", ("fleet", "utilisation"), 100.0),
    ("travelling (%)", ("fleet", "state_fraction", "travelling"), 100.0),
    ("queueing (%)", ("fleet", "state_fraction", "queueing"), 100.0),
    ("swapping (%)", ("fleet", "state_fraction", "swapping"), 100.0),
    ("mean wait (min)", ("swaps", "wait_min", "mean"), 1.0),
    ("swaps with no green pack (%)", ("swaps", "stockout_fraction"), 100.0),
    ("grid energy (kWh/day)", ("energy", "grid_kwh_per_day"), 1.0),
)
"""The KPIs compared between :func:`swapsim.analysis.estimator.estimate` and simulation (label, key path, scale)."""


def _dig(data: dict[str, Any], path: Sequence[str]) -> Any:
    for key in path:
        data = data[key]
    return data


def simulated_kpis(result: Any) -> dict[str, Any]:
    """The simulated counterparts of :data:`ESTIMATE_KPIS`, keyed like an estimate."""
    s = result.summary
    days = (result.manifest["horizon_h"] - result.manifest["warmup_h"]) / 24.0
    swaps = s["swaps"]["count"]
    return {
        "swaps": {
            "per_robot_per_day": s["swaps"]["per_robot_per_day"],
            "wait_min": {"mean": s["swaps"]["wait_min"]["mean"]},
            "stockout_fraction": s["swaps"]["stockouts"] / swaps if swaps else 0.0,
        },
        "fleet": {"utilisation": s["fleet"]["utilisation"], "state_fraction": dict(s["fleet"]["state_fraction"])},
        "energy": {"grid_kwh_per_day": s["energy"]["grid_kwh"] / days},
    }


def estimate_vs_simulation(
    scenario: Scenario, replications: int = 3, first_seed: int = 1, level: float = 0.95, keep_series: str | None = None
) -> dict[str, Any]:
    """The analytic estimate of ``scenario`` beside its simulation (mean and CI over replications).

    ``keep_series``: name of a station whose robots-at-station series (busy + queue, 15-min bins)
    of the first replication is kept, with its autocorrelation. It shows swap waves (the fleet
    synchronising), which the estimate does not model.
    """
    import time

    from swapsim.analysis.estimator import estimate
    from swapsim.engine import simulate

    t0 = time.perf_counter()
    est = estimate(scenario)
    est_s = time.perf_counter() - t0
    sims, walls, series, station_rows = [], [], None, []
    for seed in range(first_seed, first_seed + replications):
        r = simulate(scenario, seed)
        sims.append(simulated_kpis(r))
        total = r.summary["swaps"]["count"]
        station_rows.append(
            [
                (st["swaps"] / total if total else 0.0, st["stockouts"] / st["swaps"] if st["swaps"] else 0.0)
                for st in r.summary["stations"]
            ]
        )
        walls.append(r.manifest["wall_time_s"])
        if keep_series and series is None:
            ts = r.timeseries
            at = [b + q for b, q in zip(ts[f"{keep_series}_busy"], ts[f"{keep_series}_queue"])]
            series = {
                "station": keep_series,
                "time_h": [float(t) for t in ts["time_h"]],
                "at_station": [float(x) for x in at],
                "bin_h": scenario.output.bin_width,
                "warmup_h": scenario.warmup,
            }
    kpis = []
    for label, path, scale in ESTIMATE_KPIS:
        values = [scale * _dig(s, path) for s in sims]
        ci = mean_ci(values, level) if len(values) > 1 else CI(values[0], math.nan, 1, level)
        kpis.append(
            {
                "kpi": label,
                "path": ".".join(path),
                "estimate": scale * _dig(est, path),
                "sim_mean": ci.mean,
                "sim_half_width": ci.half_width,
            }
        )
    stations = []
    for i, st in enumerate(est["stations"]):
        shares = [row[i][0] for row in station_rows]
        outs = [row[i][1] for row in station_rows]
        stations.append(
            {
                "name": st["name"],
                "share_estimate": st["share"],
                "share_sim": math.fsum(shares) / len(shares),
                "stockout_estimate": st["stockout_probability"],
                "stockout_palm": st["stockout_probability_palm"],
                "stockout_sim": math.fsum(outs) / len(outs),
            }
        )
    return {
        "scenario": scenario.name,
        "robots": scenario.fleet.robots,
        "stations": len(scenario.stations),
        "station_rows": stations,
        "station_choice": scenario.policy.station_choice,
        "horizon_h": scenario.horizon,
        "warmup_h": scenario.warmup,
        "replications": replications,
        "estimate_ms": 1000.0 * est_s,
        "simulation_s_per_run": math.fsum(walls) / len(walls),
        "swap_interval_cv": est["cycle"]["swap_interval_cv"],
        "kpis": kpis,
        "series": series,
        "approximations": est["approximations"],
    }


def autocorrelation(values: Sequence[float], max_lag: int) -> list[float]:
    """Sample autocorrelation of a series at lags 1..max_lag."""
    import numpy as np

    x = np.asarray(values, dtype=float)
    x = x - x.mean()
    denom = float(x @ x)
    if denom <= 0:
        return [0.0] * max_lag
    return [float(x[:-k] @ x[k:]) / denom for k in range(1, max_lag + 1)]
