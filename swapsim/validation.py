"""Validation of the simulator against queueing theory and published figures.

One module holds what ``tests/validation`` and the report share: the statistics (Student-t
confidence intervals, written out here so the package needs no SciPy), scenario builders for
configurations whose answer is known exactly, replication runners that keep only the numbers a
comparison needs, and the experiments themselves. ``python -m swapsim.validation`` runs the full
set and rewrites ``docs/validation.md`` with its figures (``make validation``); the tests run
smaller versions of the same experiments.

The configurations (each builder's docstring says why it matches its formula):

* :func:`mmcn_scenario`: the finite-source queue M/M/c//N. One station at zero distance, packs
  always ready, no power drawn at the station, exponential swap times, and a working time
  between swap requests that is either fixed or exponential with the same mean.
* :func:`stockout_scenario`: Palm's spare-pack formula and the M/D/S pack queue. Many positions (no
  position queue), a fixed time to green, and exponential or fixed working times.
* :func:`pack_life_scenario` and :func:`full_charge_scenario`: the published pack figures.

Times in hours inside; tables say their units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from swapsim.config import Scenario, scenario_from_dict

__all__ = [
    "CI",
    "student_t_cdf",
    "student_t_quantile",
    "mean_ci",
    "mmcn_scenario",
    "stockout_scenario",
    "pack_life_scenario",
    "full_charge_scenario",
    "replicate",
    "queue_metrics",
    "columns",
    "BURST_H",
]

BURST_H = 0.001
"""Length (h, 3.6 s) of the high-power burst that drains one pack budget in the exponential-work
configuration: the time between swap requests is then Exp(mean - BURST_H) + BURST_H."""


# ---------------------------------------------------------------------------------------------
# Statistics


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta function I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def student_t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    if df <= 0:
        raise ValueError(f"df: must be > 0 (got {df})")
    tail = 0.5 * _betainc(0.5 * df, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def student_t_quantile(p: float, df: float) -> float:
    """The ``p``-quantile of Student's t with ``df`` degrees of freedom (bisection to 1e-12)."""
    if not 0.0 < p < 1.0:
        raise ValueError(f"p: must be in (0, 1) (got {p})")
    if p < 0.5:
        return -student_t_quantile(1.0 - p, df)
    lo, hi = 0.0, 1.0
    while student_t_cdf(hi, df) < p:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if student_t_cdf(mid, df) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


@dataclass(frozen=True)
class CI:
    """A mean over replications with its Student-t confidence interval (``mean +- half_width``)."""

    mean: float
    half_width: float
    n: int
    level: float

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def fmt(self, digits: int = 3) -> str:
        return f"{self.mean:.{digits}f} ± {self.half_width:.{digits}f}"


def mean_ci(values: Sequence[float], level: float = 0.95) -> CI:
    """Mean of independent replication values and its two-sided Student-t interval at ``level``."""
    n = len(values)
    if n < 2:
        raise ValueError("need at least 2 replications for a confidence interval")
    mean = math.fsum(values) / n
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = student_t_quantile(0.5 + level / 2.0, n - 1) * math.sqrt(var / n)
    return CI(mean, half, n, level)


# ---------------------------------------------------------------------------------------------
# Scenario builders

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
    """
    if work == "fixed":
        return ([{"activity": "walk", "duration": "10000 h"}],
                {"walk": f"{BUDGET_WH / work_h!r} W", "idle": "0 W"})
    if work == "exponential":
        return ([{"activity": "idle", "duration": {"dist": "exponential", "mean": f"{work_h - BURST_H!r} h"}},
                 {"activity": "walk", "duration": f"{BURST_H!r} h"}],
                {"walk": f"{BUDGET_WH / BURST_H!r} W", "idle": "0 W"})
    raise ValueError(f"work: must be 'fixed' or 'exponential' (got {work!r})")


def mmcn_scenario(robots: int, positions: int, work_h: float, swap_mean_h: float, *, work: str = "fixed",
                  horizon_h: float = 2000.0, warmup_h: float = 50.0, swap: str = "exponential",
                  name: str = "mmcn") -> Scenario:
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
    swap_dist: Any = ({"dist": "exponential", "mean": f"{swap_mean_h!r} h"} if swap == "exponential"
                      else f"{swap_mean_h!r} h")
    data = {
        "name": name,
        "horizon": f"{horizon_h!r} h",
        "warmup": f"{warmup_h!r} h",
        "fleet": {"robots": robots, "initial_soc": "staggered"},
        "pack": {"capacity": f"{PACK_WH!r} Wh", "usable_fraction": 1.0},
        "power": {"activities": powers, "at_station": "0 W"},
        "workload": {"cycle": cycle},
        "policy": {"swap_trigger": TRIGGER, "ready_threshold": 1.0, "go": "immediately",
                   "station_choice": "nearest"},
        "stations": [{"name": "S", "distance": "0 m", "positions": positions, "bays": robots + 2,
                      "charged_packs": robots + 1, "swap_duration": swap_dist,
                      "charger": dict(FAST_CHARGER)}],
    }
    return scenario_from_dict(data, f"<{name}>")


def stockout_scenario(robots: int, spares: int, work_h: float, *, work: str = "exponential",
                      swap_h: float = 0.05, horizon_h: float = 4000.0, warmup_h: float = 50.0,
                      name: str = "stockout") -> Scenario:
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
    data = {
        "name": name,
        "horizon": f"{horizon_h!r} h",
        "warmup": f"{warmup_h!r} h",
        "fleet": {"robots": robots, "initial_soc": "staggered"},
        "pack": {"capacity": f"{PACK_WH!r} Wh", "usable_fraction": 1.0},
        "power": {"activities": powers, "at_station": "0 W"},
        "workload": {"cycle": cycle},
        "policy": {"swap_trigger": TRIGGER, "ready_threshold": 1.0, "go": "immediately",
                   "station_choice": "nearest"},
        "stations": [{"name": "S", "distance": "0 m", "positions": robots, "bays": spares + 1,
                      "charged_packs": spares, "swap_duration": f"{swap_h!r} h"}],
    }
    return scenario_from_dict(data, f"<{name}>")


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
        "power": {"activities": powers, "at_station": "0 W"},
        "workload": {"cycle": [{"activity": activity, "duration": "10000 h"}]},
        "policy": {"swap_trigger": 0.0, "ready_threshold": 1.0, "go": "immediately"},
        "stations": [{"name": "S", "distance": "0 m", "positions": 1, "bays": 8, "charged_packs": 6,
                      "swap_duration": "1 min"}],
        "output": {"trace_events": 100000},
    }
    return scenario_from_dict(data, "<pack-life>")


def full_charge_scenario(*, horizon_h: float = 60.0) -> Scenario:
    """A robot that empties packs faster than the station can charge them, with one spare pack.

    The trigger is 0, so packs arrive empty, and ``ready_threshold`` is 1.0, so a pack turns green
    when it is full. The robot walks at 2 kW (a pack lasts 12.6 min) and there is a single spare.
    Every swap after the first waits for the pack dropped at the previous swap to finish charging.
    Consecutive swap starts are then exactly one full charge (0 to 100 %) apart.
    """
    data = {
        "name": "full-charge",
        "horizon": f"{horizon_h!r} h",
        "fleet": {"robots": 1, "initial_soc": "full"},
        "power": {"activities": {"walk": "2000 W", "idle": "50 W"}, "at_station": "0 W"},
        "workload": {"cycle": [{"activity": "walk", "duration": "10000 h"}]},
        "policy": {"swap_trigger": 0.0, "ready_threshold": 1.0, "go": "immediately"},
        "stations": [{"name": "S", "distance": "0 m", "positions": 1, "bays": 2, "charged_packs": 1,
                      "swap_duration": "1 min"}],
        "output": {"trace_events": 100000},
    }
    return scenario_from_dict(data, "<full-charge>")


# ---------------------------------------------------------------------------------------------
# Running replications


def replicate(scenario: Scenario, replications: int, extract: Callable[[Any], dict[str, float]],
              first_seed: int = 1) -> list[dict[str, float]]:
    """Run ``scenario`` with seeds ``first_seed .. first_seed + replications - 1``; keep ``extract(result)``.

    Replications are independent: each seed spawns its own named streams (:mod:`swapsim.streams`).
    """
    from swapsim.engine import simulate

    return [extract(simulate(scenario, seed)) for seed in range(first_seed, first_seed + replications)]


def queue_metrics(result: Any) -> dict[str, float]:
    """Station-0 queue statistics of one run after warm-up (times in hours).

    ``wait_h`` is the mean wait from arrival to swap start over swaps, and ``p_wait`` is the share of
    swaps that waited at all. ``busy`` is the time-average number of busy positions and ``lq`` the
    time-average number waiting for a position. ``throughput_per_h`` counts swaps started per hour,
    and ``stockout_fraction`` is the share of swaps that found no green pack.
    """
    s = result.summary
    st = s["stations"][0]
    span = result.manifest["horizon_h"] - result.manifest["warmup_h"]
    _, _, zeros, _ = result.wait_histogram
    n = st["swaps"]
    return {
        "swaps": float(n),
        "wait_h": s["swaps"]["wait_min"]["mean"] / 60.0,
        "p_wait": 1.0 - zeros / n if n else 0.0,
        "busy": st["swap_utilisation"] * result.scenario.stations[0].positions,
        "lq": st["mean_queue_length"],
        "throughput_per_h": n / span,
        "stockout_fraction": st["stockouts"] / n if n else 0.0,
    }


def columns(rows: Iterable[dict[str, float]], key: str) -> list[float]:
    return [r[key] for r in rows]
