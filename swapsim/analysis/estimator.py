"""Instant estimates of a scenario's long-run behaviour, in closed form: no simulation.

:func:`estimate` turns a :class:`~swapsim.config.Scenario` into the numbers a planner wants before
running anything (swaps a day, the wait at the stations, the chance that no charged pack is ready,
grid energy, utilisation and the share of time in each robot state) in milliseconds. The result is
plain nested data shaped like a run's ``summary.json`` (same key names where the quantity is the
same: ``fleet.utilisation``, ``swaps.per_robot_per_day``, ``swaps.wait_min.mean``,
``stations[i].stockouts``, ``energy.grid_kwh`` ...), so a sweep can put the analytic value beside
the simulated one (:func:`estimate_points`).

The model behind it, from the robot's point of view. A robot swaps a pack each time it has used
one pack's budget: the pack handed out at the station holds ``fresh_soc`` of its usable window
and is given up at the swap trigger, so the energy between swaps is exactly
``(fresh_soc - swap_trigger) x usable Wh``, whatever the policy (``go``, travel, waits). The time
between swaps follows from the mean power in each part of the cycle: working (the activity
cycle's mean power), walking to and from the station, waiting and swapping (station power).
Each station is then two queues in a row: the swap positions (a finite-source M/M/c//N queue when
all robots use that station, an open M/M/c queue when robots are shared between stations), and
the station's packs, which are the servers of an M/D/S queue: a pack is "busy" from drop-off until
it shows green, a fixed time on the CC-CV curve, and a robot waits when all are busy. Waits feed
back into the time between swaps, so the fleet's swap rate is solved as a fixed point.

Every function says which approximations it makes; :func:`estimate` lists the ones that apply to
the scenario at hand under ``approximations``. Units: hours, Wh, W inside; the result says its
units in its key names (``_min``, ``_h``, ``_kwh``, ``_w``). Imports numpy and the scenario schema
only (no SimPy, no matplotlib), so ``swapsim estimate`` answers in well under a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

import numpy as np

from swapsim.analysis.queueing import (
    mdc,
    mmc,
    mmcn,
    poisson_cdf,
    prob_no_ready_pack,
    prob_no_ready_pack_limited_chargers,
    prob_no_ready_pack_periodic,
)
from swapsim.config import Scenario, StationSpec, apply_override, scenario_from_dict
from swapsim.model.pack import ChargeCurve

__all__ = [
    "CycleProfile",
    "cycle_profile",
    "duration_moment_h",
    "duration_variance_h2",
    "swap_interval_cv",
    "charge_times_h",
    "fresh_soc",
    "chargers_at",
    "estimate",
    "estimate_points",
    "estimate_kpis",
    "format_estimate",
]

STATES = ("working", "idle", "travelling", "queueing", "swapping", "stranded")


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
    means = [step.duration.mean for step in scenario.workload.cycle]
    total = math.fsum(means)
    if total <= 0:
        raise ValueError("workload.cycle: every step has a zero mean duration")
    energy = math.fsum(m * powers[step.activity] for m, step in zip(means, scenario.workload.cycle))
    working = math.fsum(m for m, step in zip(means, scenario.workload.cycle) if step.activity != "idle")
    return CycleProfile(cycle_h=total, work_power_w=energy / total, working_share=working / total)


def duration_moment_h(dist: Any, k: int) -> float | None:
    """E[d^k] (h^k), k = 1, 2 or 3, of a duration distribution of :mod:`swapsim.distributions`.

    Closed forms where short (fixed, uniform, exponential, lognormal, empirical); a 4001-point
    Simpson rule over the density for the triangular and the zero-truncated normal. None if the
    distribution is unknown.
    """
    kind = getattr(dist, "dist", None)
    if kind == "fixed":
        return dist.value ** k
    if kind == "uniform":
        a, b = dist.low, dist.high
        return a ** k if b == a else (b ** (k + 1) - a ** (k + 1)) / ((k + 1) * (b - a))
    if kind == "exponential":
        return math.factorial(k) * dist.mean ** k
    if kind == "lognormal":
        sigma2 = math.log1p((dist.sd / dist.mean) ** 2)
        mu = math.log(dist.mean) - 0.5 * sigma2
        return math.exp(k * mu + 0.5 * k * k * sigma2)
    if kind == "empirical":
        v = np.asarray(dist.values, dtype=float)
        w = np.ones_like(v) if dist.weights is None else np.asarray(dist.weights, dtype=float)
        return float((v ** k) @ (w / w.sum()))
    if kind in ("triangular", "normal"):
        if kind == "triangular":
            a, c, b = dist.low, dist.mode, dist.high
            x = np.linspace(a, b, 4001)
            left = np.where(x <= c, 2 * (x - a) / ((b - a) * (c - a)) if c > a else 0.0, 0.0)
            right = np.where(x >= c, 2 * (b - x) / ((b - a) * (b - c)) if b > c else 0.0, 0.0)
            pdf = np.where(x < c, left, right)
        else:
            if dist.sd == 0:
                return dist.mean_ ** k
            x = np.linspace(max(0.0, dist.mean_ - 12 * dist.sd), dist.mean_ + 12 * dist.sd, 4001)
            pdf = np.exp(-0.5 * ((x - dist.mean_) / dist.sd) ** 2)
        f0 = pdf
        h = x[1] - x[0]
        weights = np.ones_like(x)
        weights[1:-1:2] = 4
        weights[2:-1:2] = 2
        mass = h / 3 * float(weights @ f0)
        return h / 3 * float(weights @ (f0 * x ** k)) / mass
    return None


def duration_variance_h2(dist: Any) -> float | None:
    """Variance (h^2) of a duration distribution of :mod:`swapsim.distributions`; None if unknown."""
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
    for step in scenario.workload.cycle:
        var = duration_variance_h2(step.duration)
        if var is None:
            var = step.duration.mean ** 2
        per_pass += var * (1.0 - powers[step.activity] / pw) ** 2
    station = scenario.stations[station_index]
    travel_h = station.distance / scenario.travel.walking_speed / 3600.0
    swap_h = station.swap_duration.mean
    swap_var = duration_variance_h2(station.swap_duration)
    swap_var = swap_h ** 2 if swap_var is None else swap_var
    usable = scenario.pack.capacity * scenario.pack.usable_fraction
    energy = (1.0 - scenario.policy.swap_trigger) * usable
    station_w = scenario.power.station_w
    spent = 2 * travel_h * powers["walk"] + swap_h * station_w
    work_h = max(0.0, (energy - spent) / pw)
    cycle_h = work_h + 2 * travel_h + swap_h
    if cycle_h <= 0:
        return 0.0
    variance = work_h / profile.cycle_h * per_pass + swap_var * (1.0 - station_w / pw) ** 2
    if scenario.policy.go == "after_activity":
        variance += 2.0 * _overshoot_variance_h2(scenario)
    return math.sqrt(variance) / cycle_h


def _overshoot_variance_h2(scenario: Scenario) -> float:
    """Variance (h^2) of the rest of the activity a robot finishes before a swap (``after_activity``).

    The trigger falls at a random time, so the step in progress is picked in proportion to its mean
    length, and the time left in it has the equilibrium law: E[R] = sum E[d^2] / (2 sum E[d]) and
    E[R^2] = sum E[d^3] / (3 sum E[d]). Two requests in a row carry independent overshoots, so the
    gap between arrivals gains twice this variance.
    """
    m1 = m2 = m3 = 0.0
    for step in scenario.workload.cycle:
        d = step.duration
        mean = d.mean
        second = duration_moment_h(d, 2)
        third = duration_moment_h(d, 3)
        if second is None or third is None:  # unknown law: treat as exponential
            second, third = 2 * mean ** 2, 6 * mean ** 3
        m1 += mean
        m2 += second
        m3 += third
    if m1 <= 0:
        return 0.0
    r1 = m2 / (2 * m1)
    r2 = m3 / (3 * m1)
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
    return (curve.time_to_soc_h(trigger, scenario.policy.ready_threshold),
            curve.time_to_full_h(trigger))


def _soc_on_curve(curve: ChargeCurve, soc0: float, hours: np.ndarray) -> np.ndarray:
    """Vectorised :meth:`ChargeCurve.soc_after` (1.0 once charging has ended)."""
    x = curve._offset_h(soc0) + hours
    soc = np.where(x <= 0, curve.cv_soc + x * curve.rate_c,
                   1.0 - (1.0 - curve.cv_soc) * np.exp(-np.maximum(x, 0.0) / curve.tau_h))
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
        log_pdf = (spares * math.log(lam) + (spares - 1) * np.log(np.maximum(t, 1e-300)) - lam * t
                   - math.lgamma(spares))
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


# ---------------------------------------------------------------------------------------------
# One station at a given swap rate


@dataclass
class _StationState:
    """Everything the estimate knows about one station at a given swap rate (hours, per hour)."""

    rate: float
    pos_wait: float
    pack_wait: float
    p_stockout: float
    p_palm: float  # filled in only for the final answer
    fresh: float
    divert: float = 0.0


class _Station:
    """Fixed data of a station and its two queues (positions, packs)."""

    def __init__(self, scenario: Scenario, index: int, interval_scv: float) -> None:
        spec: StationSpec = scenario.stations[index]
        self.robots = scenario.fleet.robots
        self.interval_scv = interval_scv
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.scenario = scenario
        self.travel_h = spec.distance / scenario.travel.walking_speed / 3600.0
        self.swap_h = spec.swap_duration.mean
        var = duration_variance_h2(spec.swap_duration)
        self.swap_scv = 1.0 if var is None or self.swap_h <= 0 else var / self.swap_h ** 2
        self.positions = spec.positions
        self.spares = spec.charged_packs
        self.spare_bays = spec.bays - spec.charged_packs
        """Empty bays at the start: room for the drained packs of robots waiting out a stock-out."""
        self.chargers = chargers_at(scenario, index)
        self.t_green, self.t_full = charge_times_h(scenario, index)

    def mg_factor(self) -> float:
        """Allen-Cunneen factor (1 + cs^2) / 2 turning an M/M/c wait into an M/G/c one."""
        return 0.5 * (1.0 + self.swap_scv)

    def palm(self, rate: float) -> float:
        """Palm's P(Poisson(rate x time to green) >= S): no ready pack if drained packs could pile up."""
        return prob_no_ready_pack(self.spares, rate, self.t_green) if self.t_green > 0 else 0.0

    def packs(self, rate: float, fleet_rate: float) -> tuple[float, float]:
        """(P(stock-out), mean wait for a green pack (h)) at a swap rate of ``rate`` per hour.

        ``fleet_rate`` is the whole fleet's swap rate (per hour), which sets each robot's time
        between swaps C = robots / fleet_rate and this station's share of its swaps.

        One charger per pack (no binding power cap). A pack is "busy" from drop-off until green, a
        fixed time D. Two views of the swap requests bracket the truth:

        * random (Poisson) requests: a robot that finds no green pack leaves its drained pack in an
          empty bay, where it starts charging at once. With an empty bay for every robot that can be
          waiting (bays - S >= N), every drained pack charges from its drop-off, the packs charging
          are an M/D/infinity count and Palm's P(Poisson(rate x D) >= S) is exact; with fewer empty
          bays, drained packs queue for bays and the S packs behave as the servers of an M/D/S queue
          (:func:`~swapsim.analytic_queue.mdc`). Both at the rate seen by an arriving robot,
          rate x (N - 1) / N (it does not meet itself). The mean wait of a robot that waits is the
          M/D/S one in both cases (an approximation with ample bays);
        * regular robots (each swaps every C hours at a random phase): the number of the station's
          packs still charging is the count of swaps there in the last D hours by the other robots
          (:func:`~swapsim.analytic_queue.prob_no_ready_pack_periodic`), far below Palm's Poisson
          tail when few robots share the station.

        The stock-out chance blends the two by w = cs^2, the squared coefficient of variation of a
        robot's time between swaps (:func:`swap_interval_cv`): P = (1 - w) P_regular + w P_random.
        The mean wait is P times the M/D/S mean wait of a robot that waits. Palm's formula is also
        reported on its own. None of these sees the fleet synchronising into swap waves (see
        docs/validation.md), where stock-outs are more frequent.

        A binding power cap (fewer chargers than packs): the limited-charger birth-death model with
        exponential charge times of mean time-to-full (a charger is held until the pack is full), and
        a wait of (time to full / chargers) per stock-out. A rough approximation, not validated.
        """
        if self.spares == 0:
            return 1.0, math.inf
        if self.t_green <= 0 or rate <= 0:
            return 0.0, 0.0
        if self.chargers < self.spares:
            p = prob_no_ready_pack_limited_chargers(self.spares, self.chargers, rate, self.t_full)
            if rate * self.t_full >= self.chargers:
                return 1.0, math.inf
            return p, p * self.t_full / self.chargers
        n = self.robots
        seen = rate * (n - 1) / n
        q = mdc(self.spares, seen, self.t_green) if seen > 0 else None
        if q is not None and not q.stable:
            return 1.0, math.inf
        if self.spare_bays >= n:  # every waiting robot's pack charges from its drop-off: M/D/infinity
            p_random = prob_no_ready_pack(self.spares, seen, self.t_green) if seen > 0 else 0.0
        else:
            p_random = q.prob_wait if q is not None else 0.0
        share = min(1.0, rate / fleet_rate) if fleet_rate > 0 else 1.0
        ratio = self.t_green * fleet_rate / n
        p_regular = prob_no_ready_pack_periodic(self.spares, n, ratio, share)
        w = min(1.0, self.interval_scv)
        p = (1.0 - w) * p_regular + w * p_random
        if q is not None and q.prob_wait > 1e-300:
            wait_if_out = q.mean_wait / q.prob_wait
        else:
            wait_if_out = self.t_green / (self.spares + 1)
        return p, p * wait_if_out

    def positions_open(self, rate: float, holding_h: float) -> tuple[float, Any]:
        """Mean wait for a position (h) in an open M/M/c queue, scaled to M/G/c; and the queue."""
        if self.swap_h <= 0 or rate <= 0:
            return 0.0, None
        q = mmc(self.positions, rate, holding_h)
        return q.mean_wait * self.mg_factor(), q

    def positions_closed(self, robots: int, rate: float) -> float:
        """Mean wait for a position (h) when all ``robots`` use this station and swap at ``rate``/h.

        The finite-source queue M/M/c//N, exact for exponential swap times and any working-time
        law (insensitivity). The think time is solved so that the queue's throughput equals
        ``rate`` (bisection in log time); an M/G/c correction (1 + cs^2)/2 is applied for
        non-exponential swap times (Allen-Cunneen, exact for c = 1 in the open queue, an
        approximation here).
        """
        if self.swap_h <= 0 or rate <= 0:
            return 0.0
        top = min(robots, self.positions) / self.swap_h
        if rate >= top * (1 - 1e-12):
            return math.inf
        hi = robots / rate
        lo = hi * 1e-12
        for _ in range(80):
            mid = math.sqrt(lo * hi)
            if mmcn(robots, self.positions, mid, self.swap_h).throughput > rate:
                lo = mid
            else:
                hi = mid
            if hi / lo < 1 + 1e-10:
                break
        think = math.sqrt(lo * hi)
        wait = mmcn(robots, self.positions, think, self.swap_h).mean_wait
        return wait * self.mg_factor()

    def divert_probability(self, rate: float, gap_h: float, pack_wait: float, p_stock: float) -> float:
        """Chance that a robot choosing by ``shortest_wait`` passes this station for the next one.

        The robot compares walk + expected wait (:func:`swapsim.policies.expected_wait_h`). With the
        next station ``gap_h`` further and assumed free, it passes this one when (a) the positions
        are so busy that (robots ahead + 1 - c) x swap / c > gap, i.e. at least
        k* = c + floor(gap c / swap) robots hold or wait for a position, or (b) no pack is green and
        the next one turns green later than the gap. (a) uses the open M/M/c queue with holding time
        swap + pack wait; (b) is P(stock-out) x (1 - gap / time to green)^S, the chance that none of
        the S packs on charge (taken as uniformly spread over the charge time) is within ``gap`` of
        green. (a) and (b) are taken as independent.
        """
        if rate <= 0:
            return 0.0
        k_star = self.positions + (math.floor(gap_h * self.positions / self.swap_h) if self.swap_h > 0
                                   else 10 ** 9)
        if self.swap_h > 0 and math.isfinite(pack_wait):
            q = mmc(self.positions, rate, self.swap_h + pack_wait)
            p_pos = q.prob_at_least(k_star) if k_star < 10 ** 6 else 0.0
        else:
            p_pos = 1.0 if not math.isfinite(pack_wait) else 0.0
        if self.t_green > 0 and self.spares > 0:
            late = max(0.0, 1.0 - gap_h / self.t_green) ** self.spares
        else:
            late = 0.0
        p_stock_far = p_stock * late
        return 1.0 - (1.0 - p_pos) * (1.0 - p_stock_far)


# ---------------------------------------------------------------------------------------------
# The fleet: fixed point of the swap rate


def _root(f: Any, lo: float, hi: float, f_lo: float, f_hi: float, rel_tol: float) -> float:
    """Root of a continuous f with f(lo) > 0 >= f(hi), to ``rel_tol`` in x or in f (relative to the
    bracket's values): regula falsi with the Illinois fix (Dowell and Jarratt 1971), bisecting when
    a value is not finite."""
    scale = max(abs(f_lo), abs(f_hi), 1e-300) if math.isfinite(f_lo) and math.isfinite(f_hi) else 1.0
    kept = 0  # +1: lo kept last step, -1: hi kept
    mid = 0.5 * (lo + hi)
    for _ in range(200):
        if hi - lo <= rel_tol * max(abs(hi), 1e-300):
            return 0.5 * (lo + hi)
        if math.isfinite(f_lo) and math.isfinite(f_hi) and f_lo != f_hi:
            mid = hi - f_hi * (hi - lo) / (f_hi - f_lo)
            if not lo < mid < hi:
                mid = 0.5 * (lo + hi)
        else:
            mid = 0.5 * (lo + hi)
        f_mid = f(mid)
        if abs(f_mid) <= rel_tol * scale:
            return mid
        if f_mid > 0:
            lo, f_lo = mid, f_mid
            if kept == -1:  # hi retained twice in a row: halve its value
                f_hi *= 0.5
            kept = -1
        else:
            hi, f_hi = mid, f_mid
            if kept == 1:
                f_lo *= 0.5
            kept = 1
    return mid


class _Model:
    """The estimate's equations for one scenario; :meth:`evaluate` maps a fleet swap rate to the rate
    the cycle implies, and :meth:`solve` finds where they agree."""

    def __init__(self, scenario: Scenario) -> None:
        self.sc = scenario
        self.n = scenario.fleet.robots
        self.profile = cycle_profile(scenario)
        self.usable_wh = scenario.pack.capacity * scenario.pack.usable_fraction
        self.trigger = scenario.policy.swap_trigger
        self.walk_w = scenario.power.activities["walk"]
        self.station_w = scenario.power.station_w
        travel = [st.distance / scenario.travel.walking_speed / 3600.0 for st in scenario.stations]
        order = sorted(range(len(scenario.stations)), key=lambda i: (travel[i], i))
        self.order = order
        self.interval_cv = swap_interval_cv(scenario, order[0])
        self.stations = [_Station(scenario, i, self.interval_cv ** 2) for i in range(len(scenario.stations))]
        self.rule = scenario.policy.station_choice
        self.shared = self.rule == "shortest_wait" and len(self.stations) > 1

    # -- one station ---------------------------------------------------------------------------
    def _station_state(self, st: _Station, rate: float, closed: bool, fleet_rate: float) -> _StationState:
        p_so, pack_wait = st.packs(rate, fleet_rate)
        if closed:
            pos_wait = st.positions_closed(self.n, rate)
        else:
            pos_wait, _ = st.positions_open(rate, st.swap_h)
        fresh = fresh_soc(self.sc, st.index, rate, p_so if math.isfinite(pack_wait) else 1.0)
        return _StationState(rate, pos_wait, pack_wait, p_so, 0.0, fresh)

    def _split(self, fleet_rate: float) -> dict[int, _StationState]:
        """Swap rate and queues at each station for a fleet swap rate (per hour)."""
        if not self.shared:
            target = self.order[0]
            states = {i: _StationState(0.0, 0.0, 0.0, 0.0, 0.0, 1.0) for i in range(len(self.stations))}
            states[target] = self._station_state(self.stations[target], fleet_rate, True, fleet_rate)
            return states
        states: dict[int, _StationState] = {}
        flow = fleet_rate
        for pos, i in enumerate(self.order):
            st = self.stations[i]
            last = pos == len(self.order) - 1
            if last or flow <= 0:
                s = self._station_state(st, flow, False, fleet_rate)
                states[i] = s
                flow = 0.0
                continue
            gap = self.stations[self.order[pos + 1]].travel_h - st.travel_h

            def keep(kept: float) -> float:
                p_so, pack_wait = st.packs(kept, fleet_rate)
                return flow * (1.0 - st.divert_probability(kept, gap, pack_wait, p_so)) - kept

            k_hi = keep(flow)
            if k_hi >= 0:
                kept = flow
            else:
                kept = _root(keep, 0.0, flow, flow, k_hi, 1e-8)
            s = self._station_state(st, kept, False, fleet_rate)
            s.divert = st.divert_probability(kept, gap, s.pack_wait, s.p_stockout)
            states[i] = s
            flow -= kept
        return states

    # -- the robot's cycle ---------------------------------------------------------------------------
    def cycle(self, fleet_rate: float) -> tuple[float, dict[str, float], dict[int, _StationState]]:
        """Mean time between a robot's swaps (h) implied by the waits at ``fleet_rate``, and its parts.

        Energy balance per swap: (fresh - trigger) x usable Wh = work power x working time + walk
        power x 2 x travel + station power x (wait + swap). Solved for the working time; the cycle is
        working time + 2 travel + wait + swap. Station shares weight travel, waits, swap times and
        fresh charge.
        """
        states = self._split(fleet_rate)
        total = sum(s.rate for s in states.values())
        if total > 0:
            share = {i: s.rate / total for i, s in states.items()}
        else:  # no swaps yet: robots go where the rule sends them when nothing is congested
            share = {i: (1.0 if i == self.order[0] else 0.0) for i in states}
        parts = {"travel": 0.0, "pos_wait": 0.0, "pack_wait": 0.0, "swap": 0.0, "fresh": 0.0}
        for i, s in states.items():
            w = share[i]
            if w == 0:
                continue
            st = self.stations[i]
            parts["travel"] += w * st.travel_h
            parts["pos_wait"] += w * s.pos_wait
            parts["pack_wait"] += w * s.pack_wait
            parts["swap"] += w * st.swap_h
            parts["fresh"] += w * s.fresh
        energy = max(0.0, parts["fresh"] - self.trigger) * self.usable_wh
        wait = parts["pos_wait"] + parts["pack_wait"]
        if not math.isfinite(wait):
            parts.update(energy_wh=energy, work_h=math.inf, wait=wait)
            return math.inf, parts, states
        pw = self.profile.work_power_w
        spent = 2 * parts["travel"] * self.walk_w + (wait + parts["swap"]) * self.station_w
        if pw <= 0:
            work = math.inf
        else:
            work = max(0.0, (energy - spent) / pw)
        parts.update(energy_wh=energy, work_h=work, wait=wait)
        return work + 2 * parts["travel"] + wait + parts["swap"], parts, states

    def implied_rate(self, fleet_rate: float) -> float:
        c, _, _ = self.cycle(fleet_rate)
        return self.n / c if c > 0 else math.inf

    def solve(self) -> float:
        """The fleet swap rate (per hour) at which the cycle's waits reproduce that rate.

        g(rate) = implied(rate) - rate is positive near zero and negative for large rates; found by
        bisection with Illinois steps to a relative accuracy of 1e-9.
        """
        if self.profile.work_power_w <= 0:
            return 0.0
        def g(rate: float) -> float:
            return self.implied_rate(rate) - rate

        lo, g_lo = 0.0, self.implied_rate(0.0)
        if not g_lo > 0:
            return 0.0
        hi = g_lo  # the rate with no waits at all: an upper bound unless waiting uses more power
        g_hi = g(hi)
        for _ in range(80):
            if g_hi <= 0:
                break
            lo, g_lo = hi, g_hi
            hi *= 2.0
            g_hi = g(hi)
        return _root(g, lo, hi, g_lo, g_hi, 1e-9)


# ---------------------------------------------------------------------------------------------
# The public estimate


def estimate(scenario: Scenario) -> dict[str, Any]:
    """Closed-form long-run estimate of ``scenario`` (steady state, after warm-up).

    Returns nested plain data shaped like a run's summary: ``fleet`` (utilisation, state fractions),
    ``swaps`` (expected count over the measured span ``horizon - warmup``, per robot per day, mean
    wait in minutes with its position and pack parts, stock-out fraction), ``stations`` (one entry
    each: swaps, share, position utilisation, mean queue, mean green packs, stock-out probability by
    the M/D/S model and by Palm's formula, charge times, fresh charge, grid energy), ``energy``
    (grid kWh over the span and per day = charged energy / charger efficiency), ``cycle`` (powers,
    energy per swap, working time and cycle length) and ``approximations`` (the ones that apply).

    Approximations (each function states its own): steady state; no strandings (the second pack
    covers the trip); new packs (health 1); swap requests at each station close to a Poisson stream
    (the pack queue is open M/D/S even with a finite fleet: it overstates stock-outs a little for
    a few robots); positions as M/M/c//N (one station in use) or open M/M/c (shared), corrected to
    M/G/c by (1 + cs^2)/2; position and pack waits are added; ``shortest_wait`` as an overflow
    from the nearest station to the next when the first is congested (see
    :meth:`_Station.divert_probability`). Exact, up to the fixed point's tolerance, for the M/M/c//N
    configuration used in docs/validation.md.

    Raises:
        ValueError: if the activity cycle has zero mean length, or the scenario uses task demand or a
            power strategy other than ``hot_swap`` (not covered by these formulas: simulate instead).
    """
    if scenario.workload.cycle is None:
        raise ValueError("workload.tasks: the analytic estimate covers the activity-cycle workload only; "
                         "simulate task demand with 'swapsim run' or 'swapsim sweep'")
    if scenario.strategy.kind != "hot_swap":
        raise ValueError(f"strategy.kind: the analytic estimate covers hot_swap only (got "
                         f"{scenario.strategy.kind!r}); compare strategies with 'swapsim compare'")
    model = _Model(scenario)
    rate = model.solve()
    cycle_h, parts, states = model.cycle(rate)
    stuck = rate == 0.0 and model.profile.work_power_w > 0  # a swap can never complete
    n = model.n
    span_h = scenario.horizon - scenario.warmup
    days = span_h / 24.0
    profile = model.profile

    if rate > 0 and math.isfinite(cycle_h):
        frac = {
            "working": parts["work_h"] * profile.working_share / cycle_h,
            "idle": parts["work_h"] * (1.0 - profile.working_share) / cycle_h,
            "travelling": 2 * parts["travel"] / cycle_h,
            "queueing": parts["wait"] / cycle_h,
            "swapping": parts["swap"] / cycle_h,
            "stranded": 0.0,
        }
    elif rate > 0 or stuck:  # waits are infinite: robots end up queueing
        frac = dict.fromkeys(STATES, 0.0)
        frac["queueing"] = 1.0
    else:  # no draw: robots never swap
        frac = dict.fromkeys(STATES, 0.0)
        frac["working"] = profile.working_share
        frac["idle"] = 1.0 - profile.working_share
    eff_wh = 0.0
    station_rows = []
    total_stockout_rate = 0.0
    for i, st in enumerate(model.stations):
        s = states[i]
        spec = st.spec
        energy_wh_per_swap = max(0.0, s.fresh - model.trigger) * model.usable_wh / spec.charger.efficiency
        grid_wh_per_h = s.rate * energy_wh_per_swap
        eff_wh += grid_wh_per_h
        total_stockout_rate += s.rate * s.p_stockout
        pack_load = s.rate * st.t_green
        in_pack_wait = s.rate * s.pack_wait if math.isfinite(s.pack_wait) else math.inf
        busy = min(float(st.positions), s.rate * st.swap_h + in_pack_wait)
        waiting = s.rate * (s.pos_wait + s.pack_wait) if s.rate > 0 else 0.0
        queue_len = max(0.0, waiting - (busy - s.rate * st.swap_h)) if math.isfinite(waiting) else math.inf
        station_rows.append({
            "name": st.name,
            "packs": st.spares,
            "swaps": s.rate * span_h,
            "swaps_per_day": s.rate * 24.0,
            "share": s.rate / rate if rate > 0 else 0.0,
            "swap_utilisation": busy / st.positions,
            "mean_queue_length": queue_len,
            "charged_packs_mean": max(0.0, st.spares - pack_load),
            "stockouts": s.rate * s.p_stockout * span_h,
            "stockout_probability": s.p_stockout,
            "stockout_probability_palm": st.palm(s.rate),
            "wait_min": 60.0 * (s.pos_wait + s.pack_wait) if s.rate > 0 else 0.0,
            "position_wait_min": 60.0 * s.pos_wait,
            "pack_wait_min": 60.0 * s.pack_wait,
            "pack_offered_load": pack_load,
            "chargers": st.chargers,
            "time_to_green_min": 60.0 * st.t_green,
            "time_to_full_min": 60.0 * st.t_full,
            "fresh_soc": s.fresh,
            "divert_probability": s.divert,
            "grid_kwh": grid_wh_per_h * span_h / 1000.0,
            "grid_kwh_per_day": grid_wh_per_h * 24.0 / 1000.0,
        })
    wait_h = parts["wait"] if rate > 0 else (math.inf if stuck else 0.0)
    mean_power = (parts["energy_wh"] / cycle_h) if rate > 0 and math.isfinite(cycle_h) else profile.work_power_w
    return {
        "scenario": scenario.name,
        "method": "analytic",
        "fleet": {
            "robots": n,
            "utilisation": frac["working"],
            "state_fraction": frac,
            "strandings": 0,
        },
        "swaps": {
            "count": rate * span_h,
            "per_day": rate * 24.0,
            "per_robot_per_day": rate * 24.0 / n,
            "stockouts": total_stockout_rate * span_h,
            "stockout_fraction": total_stockout_rate / rate if rate > 0 else 0.0,
            "wait_min": {
                "mean": 60.0 * wait_h,
                "position_mean": 60.0 * parts["pos_wait"] if rate > 0 else 0.0,
                "pack_mean": 60.0 * parts["pack_wait"] if rate > 0 else 0.0,
            },
        },
        "stations": station_rows,
        "energy": {
            "grid_kwh": eff_wh * span_h / 1000.0,
            "grid_kwh_per_day": eff_wh * 24.0 / 1000.0,
            "stations_kwh": eff_wh * span_h / 1000.0,
            "rescue_kwh": 0.0,
        },
        "cycle": {
            "work_power_w": profile.work_power_w,
            "mean_power_w": mean_power,
            "activity_cycle_min": 60.0 * profile.cycle_h,
            "working_share_of_cycle": profile.working_share,
            "usable_wh": model.usable_wh,
            "energy_per_swap_wh": parts["energy_wh"],
            "fresh_soc": parts["fresh"] if rate > 0 else 1.0,
            "working_time_h": parts["work_h"] if rate > 0 else math.inf,
            "time_between_swaps_h": cycle_h if rate > 0 else math.inf,
            "travel_one_way_min": 60.0 * parts["travel"],
            "swap_min": 60.0 * parts["swap"],
            "swap_interval_cv": model.interval_cv,
        },
        "span_h": span_h,
        "days": days,
        "approximations": _approximations(model, states),
    }


def _faults_enabled(sc: Scenario) -> bool:
    """Whether any fault of the scenario can happen."""
    f = sc.faults
    return bool(f.estop.rate_per_day or f.breakdown.rate_per_day or f.station_outage.rate_per_day
                or f.failed_swap.probability)


def _approximations(model: _Model, states: Mapping[int, _StationState]) -> list[str]:
    """The approximations that apply to this scenario, in words, for the report and the CLI."""
    notes = ["steady state after warm-up; new packs (health 1); no strandings"]
    sc = model.sc
    ignored = [name for name, used in (("shifts", sc.shifts is not None),
                                       ("faults", _faults_enabled(sc)),
                                       ("pack ageing", sc.battery.ageing)) if used]
    if ignored:
        notes.append(f"ignored here: {', '.join(ignored)} (every robot on duty, no faults, new packs)")
    if model.shared:
        notes.append("shortest_wait: robots go to the nearest station and overflow to the next one "
                     "when its positions are busy or it has no green pack (open M/M/c per station)")
    else:
        notes.append("positions: finite-source M/M/c//N queue at the one station in use "
                     "(exact for exponential swap times)")
    scv = {st.name: st.swap_scv for st in model.stations if states[st.index].rate > 0}
    if any(abs(v - 1.0) > 1e-9 for v in scv.values()):
        notes.append("non-exponential swap times: position waits scaled by (1 + cs^2)/2 "
                     + ", ".join(f"{k}: cs^2 = {v:.3f}" for k, v in scv.items()))
    cv = model.interval_cv
    notes.append(f"packs: stock-outs blend the count for regular robots at random phases and, for random "
                 f"requests, Palm's formula (an empty bay for every waiting robot) or else the M/D/S "
                 f"queue (Poisson requests) by the squared CV of a robot's time between swaps "
                 f"({cv:.2f}^2); position and pack waits added")
    if cv < 0.3:
        notes.append(f"regular swap cycles (CV {cv:.2f}): the fleet can synchronise into swap waves (or "
                     "space itself out), and waits and stock-outs can then differ several-fold from these; "
                     "check by simulation (docs/validation.md, section 6)")
    if any(st.chargers < st.spares for st in model.stations):
        notes.append("power cap binds (fewer chargers than packs): rough limited-charger model, not validated")
    if model.sc.fleet.robots < 10:
        notes.append("few robots: swap requests are far from Poisson; the pack queue overstates stock-outs")
    return notes


def estimate_points(base: Scenario | Mapping[str, Any], points: Iterable[Mapping[str, Any]],
                    source: str = "<sweep>") -> list[dict[str, Any]]:
    """Estimates for sweep points: ``base`` with each point's ``{dotted.path: value}`` applied.

    ``base`` is a validated scenario or the raw mapping read from its YAML; values are given as they
    would be written with ``--set`` (e.g. ``{"fleet.robots": 40, "stations[0].bays": 12}``).
    Returns one :func:`estimate` result per point, in order, each with the point under ``"point"``.
    Raises :class:`~swapsim.config.ScenarioError` for a point that does not validate.
    """
    if isinstance(base, Scenario):
        from swapsim.config import scenario_to_dict
        data: dict[str, Any] = scenario_to_dict(base)
    else:
        data = dict(base)
    out = []
    for point in points:
        d = data
        for path, value in point.items():
            d = apply_override(d, f"{path}={_as_yaml(value)}")
        est = estimate(scenario_from_dict(d, source))
        est["point"] = dict(point)
        out.append(est)
    return out


def estimate_kpis(scenario: Scenario) -> dict[str, Any]:
    """:func:`estimate` flattened to dotted keys (``fleet.utilisation``, ``stations.hall-A.swaps``, ...),
    without the text list of approximations: the same keys as a run's flattened ``summary.json``
    where the quantity is the same, for a sweep's table (:func:`swapsim.io.flatten`)."""
    from swapsim.io import flatten

    est = estimate(scenario)
    est.pop("approximations")
    return flatten(est)


def _as_yaml(value: Any) -> str:
    import yaml
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


# ---------------------------------------------------------------------------------------------
# Text output


def format_estimate(est: Mapping[str, Any]) -> str:
    """A short aligned text table of an :func:`estimate` result, for the terminal."""
    fleet = est["fleet"]
    swaps = est["swaps"]
    cyc = est["cycle"]
    rows: list[tuple[str, str]] = [
        ("fleet utilisation (working / on duty)", f"{fleet['utilisation']:.1%}"),
        *[(f"  {k}", f"{v:.1%}") for k, v in fleet["state_fraction"].items() if v > 0],
        ("swaps per robot per day", f"{swaps['per_robot_per_day']:.2f}  ({swaps['per_day']:.1f} per day)"),
        ("time between a robot's swaps (h)", f"{cyc['time_between_swaps_h']:.3f}"),
        ("energy per swap (Wh); fresh pack charge", f"{cyc['energy_per_swap_wh']:.1f}; {cyc['fresh_soc']:.1%}"),
        ("mean power working / overall (W)", f"{cyc['work_power_w']:.1f} / {cyc['mean_power_w']:.1f}"),
        ("swap wait, mean (min): positions + packs",
         f"{swaps['wait_min']['mean']:.2f} = {swaps['wait_min']['position_mean']:.2f} + "
         f"{swaps['wait_min']['pack_mean']:.2f}"),
        ("swaps finding no green pack", f"{swaps['stockout_fraction']:.1%}"),
        ("grid energy (kWh per day)", f"{est['energy']['grid_kwh_per_day']:.1f}"),
    ]
    for st in est["stations"]:
        rows.append((f"station {st['name']}: share / positions busy / queue",
                     f"{st['share']:.1%} / {st['swap_utilisation']:.1%} / {st['mean_queue_length']:.2f}"))
        rows.append(("  no green pack: estimate / Palm",
                     f"{st['stockout_probability']:.2%} / {st['stockout_probability_palm']:.2%}"
                     f"  (green {st['charged_packs_mean']:.2f} of {st['packs']} packs on average, "
                     f"{st['time_to_green_min']:.0f} min to green)"))
    width = max(len(k) for k, _ in rows)
    text = [f"{est['scenario']}: analytic estimate ({fleet['robots']} robots, steady state)"]
    text += [f"{k.ljust(width)}  {v}" for k, v in rows]
    text.append("approximations:")
    text += [f"  - {a}" for a in est["approximations"]]
    return "\n".join(text)
