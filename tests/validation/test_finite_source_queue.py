"""Validation: a swap station behaves as the finite-source queue M/M/c//N when it should.

Configuration (see shared/reference/walker-s2.md, "Queueing facts"): N robots, one station with c
swap positions, zero travel, no power drawn at the station, exponential swap times with mean S, and a
fixed working time T between swaps (each robot walks non-stop at a constant power chosen so that a
fresh pack reaches the swap trigger after exactly T hours; go: immediately). Chargers are fast and
spares plentiful, so a green (full) pack is always there: no stock-outs. The station is then exactly
the machine-repairman model, whose mean wait and server utilisation are known in closed form
(:func:`swapsim.analysis.queueing.mmcn`; the result is insensitive to the working-time distribution).

Each case runs R independent replications and checks that the exact value lies inside the 99 %
Student-t confidence interval of the replication means. The test can fail: a model that mis-times
swaps or queues by a few percent falls outside the interval (its half-width is asserted to be small).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from swapsim.analysis.queueing import mmcn
from swapsim.engine import simulate
from swapsim.scenario import scenario_from_dict

THINK_H = 1.0  # working time between swaps (h)
USABLE_WH = 468 * 0.9  # default pack: 421.2 Wh usable
TRIGGER = 0.2
WALK_W = (1 - TRIGGER) * USABLE_WH / THINK_H  # power that takes a full pack to the trigger in THINK_H
REPLICATIONS = 20
CONFIDENCE = 0.99


def mmcn_scenario(n_robots: int, positions: int, swap_mean_h: float, horizon_h: float = 400.0) -> dict:
    spares = n_robots + 5
    return {
        "name": f"mmcn-{n_robots}-{positions}",
        "horizon": f"{horizon_h} h",
        "warmup": "20 h",
        "fleet": {"robots": n_robots, "initial_soc": "staggered"},
        "battery": {"ageing": False},
        "health": {"fault_rate_per_cycle": 0.0},  # new packs, exactly nominal
        "power": {"activities": {"walk": f"{WALK_W} W", "idle": "0 W"}, "at_station": "0 W"},
        "workload": {"cycle": [{"activity": "walk", "duration": "10000 h"}]},
        "policy": {"swap_trigger": TRIGGER, "ready_threshold": 1.0, "go": "immediately"},
        "stations": [
            {
                "name": "S",
                "distance": "0 m",
                "positions": positions,
                "bays": spares + 1,
                "charged_packs": spares,
                "swap_duration": {"dist": "exponential", "mean": f"{swap_mean_h} h"},
                "charger": {"rate_c": 20.0, "cv_soc": 0.85, "cutoff_c": 0.05},
            }
        ],
        "output": {"bin_width": "1 d"},
    }


def confidence_interval(samples: list[float]) -> tuple[float, float]:
    x = np.asarray(samples, dtype=float)
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean()), float(half)


@pytest.mark.parametrize("n_robots,positions,swap_mean_h", [(5, 1, 0.25), (12, 3, 0.3), (20, 3, 0.2)])
def test_station_matches_machine_repairman(n_robots: int, positions: int, swap_mean_h: float) -> None:
    scenario = scenario_from_dict(mmcn_scenario(n_robots, positions, swap_mean_h))
    exact = mmcn(n_robots, positions, THINK_H, swap_mean_h)
    assert exact.server_utilisation > 0.6, "the case must have real queueing"

    waits, utils, stockouts = [], [], 0
    for rep in range(REPLICATIONS):
        summary = simulate(scenario, seed=1000 + rep).summary
        waits.append(summary["swaps"]["wait_min"]["mean"])
        utils.append(summary["stations"][0]["swap_utilisation"])
        stockouts += summary["swaps"]["stockouts"]
    assert stockouts == 0, "the configuration must never run out of green packs"

    wait_mean, wait_half = confidence_interval(waits)
    exact_wait_min = exact.mean_wait * 60
    assert abs(wait_mean - exact_wait_min) <= wait_half, (
        f"mean wait {wait_mean:.3f} ± {wait_half:.3f} min (99 % CI) excludes exact {exact_wait_min:.3f} min"
    )
    assert wait_half < 0.1 * exact_wait_min, "interval too wide for the test to detect a 10 % error"

    util_mean, util_half = confidence_interval(utils)
    assert abs(util_mean - exact.server_utilisation) <= util_half, (
        f"utilisation {util_mean:.4f} ± {util_half:.4f} excludes exact {exact.server_utilisation:.4f}"
    )
    assert util_half < 0.02
