"""Scenario builders for the validation: configurations whose answer is known exactly.

Each builder's docstring says why its scenario matches its formula:

* :func:`mmcn_scenario`: the finite-source queue M/M/c//N. One station at zero distance, packs
  always ready, no power drawn at the station, exponential swap times, and a working time
  between swap requests that is either fixed or exponential with the same mean.
* :func:`stockout_scenario`: Palm's spare-pack formula (exact here for Poisson requests) and the M/D/S
  pack queue. Many positions and bays (no position queue; every drained pack charges from its
  drop-off), a fixed time to green, and exponential or fixed working times.
* :func:`pack_life_scenario` and :func:`full_charge_scenario`: the published pack figures.

The tests in ``tests/validation`` and the benchmarks build their queues here too. Times in hours.
"""

from __future__ import annotations

from typing import Any

from swapsim.scenario import Scenario, scenario_from_dict

__all__ = [
    "BURST_H",
    "JITTER_CV",
    "OFFERED_PACK_LOAD",
    "TRIGGER",
    "mmcn_scenario",
    "stockout_scenario",
    "pack_life_scenario",
    "full_charge_scenario",
]

JITTER_CV = 0.15
"""Coefficient of variation of the working time in the "jitter" configuration."""

BURST_H = 0.001
"""Length (h, 3.6 s) of the high-power burst that drains one pack budget in the exponential-work
configuration: the time between swap requests is then Exp(mean - BURST_H) + BURST_H."""

OFFERED_PACK_LOAD = 5.0
"""Offered load on the packs (swap rate x time to green) in the stock-out experiment."""

PACK_WH = 1000.0
TRIGGER = 0.2
BUDGET_WH = PACK_WH * (1.0 - TRIGGER)  # energy between swaps: fresh packs are always full
FAST_CHARGER = {"rate_c": 60.0, "cv_soc": 0.85, "cutoff_c": 0.05, "efficiency": 0.9}


def _work_cycle(work: str, work_h: float) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Activity cycle and powers whose time between swap requests is ``work_h`` (fixed or exponential).

    fixed: one walk step, longer than any run, at BUDGET_WH / work_h watts. The pack budget is used
    in exactly ``work_h`` of walking, and the robot swaps at once (``go: immediately``).
    exponential: an idle step at 0 W of exponential length (mean ``work_h - BURST_H``), then a
    burst of BURST_H at BUDGET_WH / BURST_H watts that uses exactly one pack budget. Every burst
    crosses the swap trigger once, at the same point of the burst. The time between requests is
    then Exp(work_h - BURST_H) + BURST_H: squared coefficient of variation
    ((work_h - BURST_H) / work_h)^2, 0.999 for a 2 h working time.
    jitter: as exponential, but the idle step is lognormal with a coefficient of variation of
    JITTER_CV: regular robots whose phases still drift, like robots whose work varies a little.
    """
    if work == "fixed":
        return ([{"activity": "walk", "duration": "10000 h"}], {"walk": f"{BUDGET_WH / work_h!r} W", "idle": "0 W"})
    if work in ("exponential", "jitter"):
        mean = work_h - BURST_H
        idle = (
            {"dist": "exponential", "mean": f"{mean!r} h"}
            if work == "exponential"
            else {"dist": "lognormal", "mean": f"{mean!r} h", "sd": f"{JITTER_CV * mean!r} h"}
        )
        return (
            [{"activity": "idle", "duration": idle}, {"activity": "walk", "duration": f"{BURST_H!r} h"}],
            {"walk": f"{BUDGET_WH / BURST_H!r} W", "idle": "0 W"},
        )
    raise ValueError(f"work: must be 'fixed', 'exponential' or 'jitter' (got {work!r})")


def mmcn_scenario(
    robots: int,
    positions: int,
    work_h: float,
    swap_mean_h: float,
    *,
    work: str = "fixed",
    horizon_h: float = 2000.0,
    warmup_h: float = 50.0,
    swap: str = "exponential",
    name: str = "mmcn",
) -> Scenario:
    """A scenario that is exactly the finite-source queue M/M/c//N (c = ``positions``, N = ``robots``).

    * Zero travel: one station at 0 m, so a swap request is an arrival at the station.
    * Charged packs always ready: the charger is fast (full in under 2 min) and the station keeps
      one spare per robot, so no robot ever waits for a pack. Stock-outs stay at 0, and the test checks it.
    * ``power.at_station: 0 W``: nothing is drawn while queueing or swapping, so the working
      time between swap requests does not depend on the wait.
    * ``ready_threshold: 1.0`` and full packs: every pack handed out holds the same budget.
    * ``swap`` times exponential with mean ``swap_mean_h`` (``swap="fixed"`` for M/D/c//N checks).
    * Working time ``work_h``, fixed or exponential (:func:`_work_cycle`). The exact results are the
      same for both (insensitivity).
    * Staggered start: each robot's active pack starts at a uniform charge above the trigger, so
      first requests are spread over one working time.
    """
    cycle, powers = _work_cycle(work, work_h)
    swap_dist: Any = (
        {"dist": "exponential", "mean": f"{swap_mean_h!r} h"} if swap == "exponential" else f"{swap_mean_h!r} h"
    )
    station = {
        "name": "S",
        "distance": "0 m",
        "positions": positions,
        "bays": robots + 2,
        "charged_packs": robots + 1,
        "swap_duration": swap_dist,
        "charger": dict(FAST_CHARGER),
    }
    return _one_station_scenario(name, horizon_h, warmup_h, robots, cycle, powers, station)


def _one_station_scenario(
    name: str,
    horizon_h: float,
    warmup_h: float,
    robots: int,
    cycle: list[Any],
    powers: dict[str, str],
    station: dict[str, Any],
) -> Scenario:
    """The shared frame of the validation scenarios: one station at 0 m, no draw there, new packs that
    do not age, the whole usable window from full to the trigger, full (ready 1.0) packs handed out."""
    data = {
        "name": name,
        "horizon": f"{horizon_h!r} h",
        "warmup": f"{warmup_h!r} h",
        "fleet": {"robots": robots, "initial_soc": "staggered"},
        "battery": {"ageing": False},
        "health": {"fault_rate_per_cycle": 0.0},  # new packs, exactly nominal
        "pack": {"capacity": f"{PACK_WH!r} Wh", "usable_fraction": 1.0},
        "power": {"activities": powers, "at_station": "0 W"},
        "workload": {"cycle": cycle},
        "policy": {"swap_trigger": TRIGGER, "ready_threshold": 1.0, "go": "immediately", "station_choice": "nearest"},
        "stations": [station],
    }
    return scenario_from_dict(data, f"<{name}>")


def stockout_scenario(
    robots: int,
    spares: int,
    work_h: float,
    *,
    work: str = "exponential",
    swap_h: float = 0.05,
    horizon_h: float = 4000.0,
    warmup_h: float = 50.0,
    name: str = "stockout",
) -> Scenario:
    """A station whose only constraint is its ``spares`` packs: the setting of Palm's formula.

    * As many swap positions as robots: nobody waits for a position.
    * Default Walker S2 charger (0.8 C CC, CV from 85 %, cut-off 0.05 C) and ``ready_threshold:
      1.0``, so a pack dropped at the 20 % trigger is not ready for exactly the time to full from
      20 % (79.9 min). Every pack handed out is full, so every pack budget is the same.
    * Fixed swap time ``swap_h`` and zero travel. No power is drawn at the station.
    * Working time ``work_h``, exponential (swap requests close to Poisson when the fleet is
      large) or fixed (regular robots at random phases).
    """
    cycle, powers = _work_cycle(work, work_h)
    station = {
        "name": "S",
        "distance": "0 m",
        "positions": robots,
        "bays": spares + robots,
        "charged_packs": spares,
        "swap_duration": f"{swap_h!r} h",
    }
    return _one_station_scenario(name, horizon_h, warmup_h, robots, cycle, powers, station)


def pack_life_scenario(activity: str, power_w: float, *, horizon_h: float = 200.0) -> Scenario:
    """One robot doing nothing but ``activity`` at ``power_w`` with the default Walker S2 pack.

    The swap trigger is 0, so each pack is used from full to empty (the BMS cut-off of its
    usable window). Swaps take a fixed 1 min at a station at 0 m, with no draw there and plenty of
    full packs. The time between swap starts is one pack's life plus 1 min.
    """
    powers = {"walk": "210 W", "stand": "105 W", "idle": "50 W"}
    powers[activity] = f"{power_w!r} W"
    data = {
        "name": f"pack-life-{activity}",
        "horizon": f"{horizon_h!r} h",
        "fleet": {"robots": 1, "initial_soc": "full"},
        "battery": {"ageing": False},
        "health": {"fault_rate_per_cycle": 0.0},  # new packs, exactly nominal
        "power": {"activities": powers, "at_station": "0 W"},
        "workload": {"cycle": [{"activity": activity, "duration": "10000 h"}]},
        "policy": {"swap_trigger": 0.0, "ready_threshold": 1.0, "go": "immediately"},
        "stations": [
            {"name": "S", "distance": "0 m", "positions": 1, "bays": 8, "charged_packs": 6, "swap_duration": "1 min"}
        ],
        "output": {"trace_events": 100000},
    }
    return scenario_from_dict(data, "<pack-life>")


def full_charge_scenario(*, horizon_h: float = 60.0) -> Scenario:
    """A robot whose every swap waits for its own empty pack to charge fully.

    The trigger is 0, so packs arrive empty, and ``ready_threshold`` is 1.0, so a pack turns green
    when it is full. The station has one bay and no stock: the robot leaves its empty pack there,
    waits (drawing nothing) until it is full and takes it back, so each swap's wait is exactly one
    full charge (0 to 100 %).
    """
    data = {
        "name": "full-charge",
        "horizon": f"{horizon_h!r} h",
        "fleet": {"robots": 1, "initial_soc": "full"},
        "battery": {"ageing": False},
        "health": {"fault_rate_per_cycle": 0.0},  # new packs, exactly nominal
        "power": {"activities": {"walk": "2000 W", "idle": "50 W"}, "at_station": "0 W"},
        "workload": {"cycle": [{"activity": "walk", "duration": "10000 h"}]},
        "policy": {"swap_trigger": 0.0, "ready_threshold": 1.0, "go": "immediately"},
        "stations": [
            {"name": "S", "distance": "0 m", "positions": 1, "bays": 1, "charged_packs": 0, "swap_duration": "1 min"}
        ],
        "output": {"trace_events": 100000},
    }
    return scenario_from_dict(data, "<full-charge>")
