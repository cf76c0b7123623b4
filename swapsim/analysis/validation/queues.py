"""Validation experiments against queueing theory: the M/M/c//N grid and the spare-pack stock-outs.

:func:`mmcn_point` simulates one finite-source queue and compares five measures with the exact
solution (and with ``swapsim estimate``); :func:`stockout_point` compares the share of swaps that
found no green pack with Palm's formula, the M/D/S queue and the periodic count. Each returns plain
JSON-ready data that the page renders and the tests assert on. Times in hours, waits in minutes.
"""

from __future__ import annotations

import math
from typing import Any

from swapsim.analysis.validation.replications import columns, mean_ci, queue_metrics, replicate
from swapsim.analysis.validation.scenarios import TRIGGER, mmcn_scenario, stockout_scenario

__all__ = ["mmcn_point", "stockout_point"]


def mmcn_point(
    robots: int,
    positions: int,
    load: float,
    *,
    work: str = "fixed",
    work_h: float = 2.0,
    replications: int = 6,
    horizon_h: float = 1500.0,
    warmup_h: float = 50.0,
    first_seed: int = 1,
    level: float = 0.95,
) -> dict[str, Any]:
    """Simulate one M/M/c//N point and compare with the exact solution.

    ``load`` is the offered load per position, N x swap / (c x working time). It sets the mean
    swap time, swap = load x c x working time / N. For each measure it returns the exact value,
    the replication mean with its Student-t half-width at ``level``, the standard error and
    z = (mean - exact) / standard error. It also returns the analytic estimate's mean wait for the
    same scenario, which should reproduce the exact value, and Little's law on each replication's
    own sample path.
    """
    from swapsim.analysis.estimator import estimate
    from swapsim.analysis.queueing import mmcn

    swap_h = load * positions * work_h / robots
    sc = mmcn_scenario(robots, positions, work_h, swap_h, work=work, horizon_h=horizon_h, warmup_h=warmup_h)
    rows = replicate(sc, replications, queue_metrics, first_seed)
    exact = mmcn(robots, positions, work_h, swap_h)
    exact_values = {
        "wait_min": 60.0 * exact.mean_wait,
        "p_wait": exact.prob_wait,
        "utilisation": exact.server_utilisation,
        "lq": exact.mean_queue_length,
        "throughput_per_h": exact.throughput,
    }
    sim_values = {
        "wait_min": [60.0 * r["wait_h"] for r in rows],
        "p_wait": columns(rows, "p_wait"),
        "utilisation": [r["busy"] / positions for r in rows],
        "lq": columns(rows, "lq"),
        "throughput_per_h": columns(rows, "throughput_per_h"),
    }
    measures = {}
    for key, exact_value in exact_values.items():
        ci = mean_ci(sim_values[key], level)
        se = ci.se
        measures[key] = {
            "exact": exact_value,
            "mean": ci.mean,
            "half_width": ci.half_width,
            "se": se,
            "z": (ci.mean - exact_value) / se if se > 0 else 0.0,
            "inside": ci.contains(exact_value),
        }
    little_q = [r["lq"] / (r["throughput_per_h"] * r["wait_h"]) for r in rows if r["wait_h"] > 0]
    little_l = [(r["lq"] + r["busy"]) / (r["throughput_per_h"] * (r["wait_h"] + r["swap_h"])) for r in rows]
    return {
        "robots": robots,
        "positions": positions,
        "load": load,
        "work": work,
        "work_h": work_h,
        "swap_min": 60.0 * swap_h,
        "replications": replications,
        "horizon_h": horizon_h,
        "warmup_h": warmup_h,
        "level": level,
        "swaps_per_replication": sum(columns(rows, "swaps")) / len(rows),
        "stockouts": sum(r["stockout_fraction"] * r["swaps"] for r in rows),
        "measures": measures,
        "estimate_wait_min": estimate(sc)["swaps"]["wait_min"]["mean"],
        "little_queue_ratio": little_q,
        "little_system_ratio": little_l,
    }


def stockout_point(
    robots: int,
    spares: int,
    work_h: float,
    *,
    work: str = "exponential",
    replications: int = 4,
    horizon_h: float = 3000.0,
    warmup_h: float = 50.0,
    first_seed: int = 1,
    level: float = 0.95,
) -> dict[str, Any]:
    """Simulated share of swaps that found no green pack, against Palm, M/D/S and the periodic count.

    The compared quantity is the arrival-averaged one: the share of swap starts that found no
    green pack, over all swaps after warm-up. The formulas are evaluated at the measured swap rate λ
    (mean over replications) and the exact time to green D:

    * Palm: P(Poisson(λD) >= S): drained packs charge from their drop-off (an M/D/infinity count), so
      a robot finds no green pack when at least S are charging; exact for Poisson requests (PASTA), at
      rate λ and at the rate seen by an arriving robot, λ (N - 1) / N;
    * M/D/S: the chance an arrival waits in the M/D/S queue whose servers are the packs (drained packs
      held back until a green one leaves), an upper bound here;
    * periodic: :func:`~swapsim.analysis.spare_packs.prob_no_ready_pack_periodic`, for fixed working times.
    """
    from swapsim.analysis.queueing import mdc
    from swapsim.analysis.spare_packs import prob_no_ready_pack, prob_no_ready_pack_periodic
    from swapsim.model.pack import ChargeCurve

    sc = stockout_scenario(robots, spares, work_h, work=work, horizon_h=horizon_h, warmup_h=warmup_h)
    rows = replicate(sc, replications, queue_metrics, first_seed)
    ch = sc.stations[0].charger
    d = ChargeCurve(ch.rate_c, ch.cv_soc, ch.cutoff_c).time_to_soc_h(TRIGGER, 1.0)
    lam = math.fsum(columns(rows, "throughput_per_h")) / len(rows)
    ci = mean_ci(columns(rows, "stockout_fraction"), level)
    seen = lam * (robots - 1) / robots
    return {
        "robots": robots,
        "spares": spares,
        "work": work,
        "work_h": work_h,
        "replications": replications,
        "horizon_h": horizon_h,
        "level": level,
        "time_to_green_h": d,
        "swap_rate_per_h": lam,
        "offered_load": lam * d,
        "swaps_per_replication": sum(columns(rows, "swaps")) / len(rows),
        "sim": {"mean": ci.mean, "half_width": ci.half_width},
        "palm": prob_no_ready_pack(spares, lam, d),
        "palm_seen": prob_no_ready_pack(spares, seen, d),
        "mds": mdc(spares, lam, d).prob_wait,
        "mds_seen": mdc(spares, seen, d).prob_wait,
        "periodic": prob_no_ready_pack_periodic(spares, robots, lam * d / robots),
    }
