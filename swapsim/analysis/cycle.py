"""A robot's cycle between swaps in closed form: the inputs of :func:`~swapsim.analysis.estimator.estimate`.

The activity cycle's long-run averages (mean power, working share), the moments of the duration
distributions, the spread of a robot's time between swaps, a pack's charge times on the CC-CV curve,
the charge of the pack a robot is handed and the chargers a station can run at once. Each function
reads a validated :class:`~swapsim.scenario.Scenario` and says which approximation it makes. Units:
hours, Wh, W. Imports numpy and the scenario schema only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from swapsim.analysis.spare_packs import poisson_cdf
from swapsim.model.pack import ChargeCurve
from swapsim.scenario import Scenario

__all__ = [
    "CycleProfile",
    "cycle_profile",
    "duration_moment_h",
    "duration_variance_h2",
    "swap_interval_cv",
    "charge_times_h",
    "fresh_soc",
    "chargers_at",
]


# ---------------------------------------------------------------------------------------------
# The activity cycle


@dataclass(frozen=True)
class CycleProfile:
    """Long-run averages of a robot's activity cycle (while it works, not on a swap trip).

    Attributes:
        cycle_h: mean length of one pass through the cycle (h).
        work_power_w: time-average power while working through the cycle (W).
        working_share: share of the cycle's time in activities other than ``idle`` (the simulator
            records those as state "working"; ``idle`` steps as state "idle").
    """

    cycle_h: float
    work_power_w: float
    working_share: float


def cycle_profile(scenario: Scenario) -> CycleProfile:
    """Mean power and working share of the activity cycle, from the steps' mean durations.

    Renewal-reward: over many passes the share of time in a step is its mean duration over the
    cycle's mean length, whatever the distributions. Swap trips only insert gaps between or inside
    steps (``go: immediately`` resumes the interrupted step), so the averages hold for working time.
    Approximation: the time between swaps spans many passes (true when a pass is minutes and a pack
    lasts hours); with very long steps the share seen within one pack's life varies around it.

    Raises:
        ValueError: if every step has a zero mean duration.
    """
    powers = scenario.power.activities
    cycle = scenario.workload.activity_cycle()
    means = [step.duration.mean for step in cycle]
    total = math.fsum(means)
    if total <= 0:
        raise ValueError("workload.cycle: every step has a zero mean duration")
    energy = math.fsum(m * powers[step.activity] for m, step in zip(means, cycle))
    working = math.fsum(m for m, step in zip(means, cycle) if step.activity != "idle")
    return CycleProfile(cycle_h=total, work_power_w=energy / total, working_share=working / total)


def duration_moment_h(dist: Any, k: int) -> float | None:
    """E[d^k] (h^k), k = 1, 2 or 3, of a duration distribution of :mod:`swapsim.scenario.distributions`.

    Closed forms where short (fixed, uniform, exponential, lognormal, empirical); a 4001-point
    Simpson rule over the density for the triangular and the zero-truncated normal. None if the
    distribution is unknown; ``inf`` if the moment is past the largest float (a valid duration may be
    as long as 1e300 h, whose square is not a float).
    """
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            return _moment_h(dist, k)
    except OverflowError:
        return math.inf


def _moment_h(dist: Any, k: int) -> float | None:
    kind = getattr(dist, "dist", None)
    if kind == "fixed":
        return dist.value**k
    if kind == "uniform":
        a, b = dist.low, dist.high
        return a**k if b == a else (b ** (k + 1) - a ** (k + 1)) / ((k + 1) * (b - a))
    if kind == "exponential":
        return math.factorial(k) * dist.mean**k
    if kind == "lognormal":
        sigma2 = math.log1p((dist.sd / dist.mean) ** 2)
        mu = math.log(dist.mean) - 0.5 * sigma2
        return math.exp(k * mu + 0.5 * k * k * sigma2)
    if kind == "empirical":
        v = np.asarray(dist.values, dtype=float)
        w = np.ones_like(v) if dist.weights is None else np.asarray(dist.weights, dtype=float)
        return float((v**k) @ (w / w.sum()))
    if kind in ("triangular", "normal"):
        if kind == "triangular":
            a, c, b = dist.low, dist.mode, dist.high
            x = np.linspace(a, b, 4001)
            left = np.where(x <= c, 2 * (x - a) / ((b - a) * (c - a)) if c > a else 0.0, 0.0)
            right = np.where(x >= c, 2 * (b - x) / ((b - a) * (b - c)) if b > c else 0.0, 0.0)
            pdf = np.where(x < c, left, right)
        else:
            if dist.sd == 0:
                return dist.mean_**k
            x = np.linspace(max(0.0, dist.mean_ - 12 * dist.sd), dist.mean_ + 12 * dist.sd, 4001)
            pdf = np.exp(-0.5 * ((x - dist.mean_) / dist.sd) ** 2)
        f0 = pdf
        h = x[1] - x[0]
        weights = np.ones_like(x)
        weights[1:-1:2] = 4
        weights[2:-1:2] = 2
        mass = h / 3 * float(weights @ f0)
        return h / 3 * float(weights @ (f0 * x**k)) / mass
    return None


def duration_variance_h2(dist: Any) -> float | None:
    """Variance (h^2) of a duration distribution of :mod:`swapsim.scenario.distributions`; None if unknown."""
    m1, m2 = duration_moment_h(dist, 1), duration_moment_h(dist, 2)
    if m1 is None or m2 is None:
        return None
    return max(0.0, m2 - m1 * m1)


def swap_interval_cv(scenario: Scenario, station_index: int = 0) -> float:
    """Coefficient of variation of a robot's time between swaps, from the activity durations.

    The time between swaps is the time to use a fixed energy, so a step's duration matters only in
    so far as its power differs from the cycle's mean power P: a pass through the cycle uses
    duration L and energy Q, and by the renewal-reward central limit theorem the time to use the
    working energy has variance n x sum_i Var(d_i) (1 - P_i / P)^2 over n passes. A swap that runs
    long by x uses x (1 - P_station / P) of working time, adding Var(swap) (1 - P_station / P)^2.
    Taken at the no-wait cycle through station ``station_index``, with a full fresh pack.

    With ``go: after_activity`` the robot first finishes the step in progress, which adds twice the
    variance of that overshoot to the gap between its arrivals at the station.

    Approximations: the spread of waits and of the fresh pack's charge is not counted; unknown
    distributions count as exponential. Values near 0 mean
    clockwork robots (swap requests far more regular than Poisson); 1 means exponential gaps.
    """
    profile = cycle_profile(scenario)
    pw = profile.work_power_w
    if pw <= 0:
        return 0.0
    powers = scenario.power.activities
    per_pass = 0.0
    for step in scenario.workload.activity_cycle():
        var = duration_variance_h2(step.duration)
        if var is None:
            var = _square(step.duration.mean)
        per_pass += var * _square(1.0 - powers[step.activity] / pw)
    station = scenario.stations[station_index]
    travel_h = station.distance / scenario.travel.walking_speed / 3600.0
    swap_h = station.swap_duration.mean
    swap_var = duration_variance_h2(station.swap_duration)
    swap_var = _square(swap_h) if swap_var is None else swap_var
    usable = scenario.pack.capacity * scenario.pack.usable_fraction
    energy = (1.0 - scenario.policy.swap_trigger) * usable
    station_w = scenario.power.station_w
    spent = 2 * travel_h * powers["walk"] + swap_h * station_w
    work_h = max(0.0, (energy - spent) / pw)
    cycle_h = work_h + 2 * travel_h + swap_h
    if cycle_h <= 0:
        return 0.0
    variance = work_h / profile.cycle_h * per_pass + swap_var * _square(1.0 - station_w / pw)
    if scenario.policy.go == "after_activity":
        variance += 2.0 * _overshoot_variance_h2(scenario)
    return math.sqrt(variance) / cycle_h


def _square(x: float) -> float:
    """``x ** 2``, ``inf`` past the largest float instead of an OverflowError."""
    try:
        return x**2
    except OverflowError:
        return math.inf


def _overshoot_variance_h2(scenario: Scenario) -> float:
    """Variance (h^2) of the rest of the activity a robot finishes before a swap (``after_activity``).

    The trigger falls at a random time, so the step in progress is picked in proportion to its mean
    length, and the time left in it has the equilibrium law: E[R] = sum E[d^2] / (2 sum E[d]) and
    E[R^2] = sum E[d^3] / (3 sum E[d]). Two requests in a row carry independent overshoots, so the
    gap between arrivals gains twice this variance.
    """
    m1 = m2 = m3 = 0.0
    for step in scenario.workload.activity_cycle():
        d = step.duration
        mean = d.mean
        second = duration_moment_h(d, 2)
        third = duration_moment_h(d, 3)
        if second is None or third is None:  # unknown law: treat as exponential
            second, third = 2 * mean**2, 6 * mean**3
        m1 += mean
        m2 += second
        m3 += third
    if m1 <= 0:
        return 0.0
    r1 = m2 / (2 * m1)
    r2 = m3 / (3 * m1)
    if not math.isfinite(r2):  # a moment past the largest float: no finite spread to subtract
        return math.inf
    return max(0.0, r2 - r1 * r1)


# ---------------------------------------------------------------------------------------------
# Packs on charge


def charge_times_h(scenario: Scenario, station_index: int) -> tuple[float, float]:
    """(time to green, time to full) in hours for a pack dropped at the swap trigger.

    Exact on the model's CC-CV curve (:class:`~swapsim.model.pack.ChargeCurve`): every drained pack
    reaches the station at exactly the swap trigger (the robot gives it up there), charges on its
    own charger from drop-off, shows green at ``ready_threshold`` and reads full at the cut-off.
    Packs are new (health 1): issue-3 ageing does not change charge times in state-of-charge terms.
    """
    spec = scenario.stations[station_index].charger
    curve = ChargeCurve(spec.rate_c, spec.cv_soc, spec.cutoff_c)
    trigger = scenario.policy.swap_trigger
    return (curve.time_to_soc_h(trigger, scenario.policy.ready_threshold), curve.time_to_full_h(trigger))


def _soc_on_curve(curve: ChargeCurve, soc0: float, hours: np.ndarray) -> np.ndarray:
    """Vectorised :meth:`ChargeCurve.soc_after` (1.0 once charging has ended)."""
    x = curve._offset_h(soc0) + hours
    soc = np.where(
        x <= 0, curve.cv_soc + x * curve.rate_c, 1.0 - (1.0 - curve.cv_soc) * np.exp(-np.maximum(x, 0.0) / curve.tau_h)
    )
    return np.where(hours >= curve.time_to_full_h(soc0), 1.0, soc)


def fresh_soc(scenario: Scenario, station_index: int, swap_rate_per_h: float, prob_stockout: float) -> float:
    """Mean state of charge of the pack a robot is handed at the station.

    The station hands out the fullest green pack; all drained packs arrive at the trigger and charge
    on the same curve, so that is the one dropped longest ago: packs leave in drop-off order, and the
    pack taken at a swap was dropped ``S`` swaps earlier (``S`` = packs kept at the station). Its age
    is therefore the time to green if the robot had to wait for it (a stock-out, probability
    ``prob_stockout``), and otherwise the time of the S-th later swap, Gamma(S, swap rate) for
    Poisson swaps, given that it is past the time to green.

    Approximation: swaps at the station form a Poisson stream (good for a fleet of more than a few
    robots), and the "no stock-out" age is the light-traffic Gamma law conditioned on exceeding the
    time to green. The mean is the curve's state of charge averaged over that age (200-point
    Simpson rule between green and full, then 1.0).
    """
    station = scenario.stations[station_index]
    spec = station.charger
    curve = ChargeCurve(spec.rate_c, spec.cv_soc, spec.cutoff_c)
    trigger = scenario.policy.swap_trigger
    t_green, t_full = charge_times_h(scenario, station_index)
    soc_green = float(_soc_on_curve(curve, trigger, np.array([t_green]))[0])
    spares = station.charged_packs
    if spares == 0 or swap_rate_per_h <= 0 or t_full <= t_green:
        tail_soc = 1.0 if swap_rate_per_h <= 0 or t_full <= t_green else soc_green
        return prob_stockout * soc_green + (1.0 - prob_stockout) * tail_soc
    lam = swap_rate_per_h
    survive_green = poisson_cdf(spares - 1, lam * t_green)  # P(Gamma(S, lam) > t_green)
    if survive_green < 1e-12:
        after = soc_green
    else:
        t = np.linspace(t_green, t_full, 201)
        log_pdf = spares * math.log(lam) + (spares - 1) * np.log(np.maximum(t, 1e-300)) - lam * t - math.lgamma(spares)
        f = np.exp(log_pdf) * _soc_on_curve(curve, trigger, t)
        h = (t_full - t_green) / 200
        integral = h / 3 * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())
        survive_full = poisson_cdf(spares - 1, lam * t_full)
        after = (integral + survive_full * 1.0) / survive_green
        after = min(1.0, max(soc_green, after))
    return prob_stockout * soc_green + (1.0 - prob_stockout) * after


def chargers_at(scenario: Scenario, station_index: int) -> int:
    """Chargers that can run at once at a station: one per bay, fewer under a power cap.

    Mirrors :func:`swapsim.model.fleet.charger_power_w` and :class:`~swapsim.model.station.Station`:
    a cap allows ``floor(cap / charger power)`` chargers (at least one).
    """
    station = scenario.stations[station_index]
    if station.power_cap is None:
        return station.bays
    pack = scenario.pack
    charger_w = station.charger.rate_c * pack.capacity * pack.usable_fraction / station.charger.efficiency
    return min(station.bays, max(1, int(station.power_cap // charger_w)))
