"""Pack replacements per year from the ageing rates a run measured (the ``costs.packs_*`` figures).

A run of a few days retires no pack (the NMC811 preset reaches 80 % in a year or more), and one that
happens to see a rare safety fault multiplies it into a large yearly cost. So the pack cost is not
counted from the run's retirements: it is the *expected* number of replacements per year of the
deployment's economic life (``costs.life_years``), from

* the **duty's fade rates**, measured on the packs of the run (:func:`measure_duty`): each pack's
  calendar and cycle losses are power laws in its age and equivalent full cycles with its own wear
  multiplier, ``q_cal = s a_cal t ** p_cal``, ``q_cyc = s a_cyc t ** p_cyc`` (t in days, the cycles per
  day folded into ``a_cyc``), exact for a constant duty (:mod:`swapsim.model.degradation`); ``a_cal``
  and ``a_cyc`` are the means over the packs in service that served from the start (all packs in
  service if none is left, the cycle rate then over their time in service);
* the **model's distributions and rules**, applied as the run applies them (:func:`replacements`): each
  pack position in service holds a pack with its wear multiplier (lognormal) and initial capacity
  (normal); the stations check it at every drop-off (the measured drop-offs per pack per day) with the
  estimate's noise: the first estimate below ``warn_below`` orders a new pack (delivered after the lead
  time), the first below ``retire_below`` (or a resistance ratio at the limit, or a safety fault at
  ``fault_rate_per_cycle`` per check) retires it; the replacement is the oldest pack on the shelf,
  which has aged there at the technicians' ``new_pack_soc`` and the bays' temperature since its
  delivery (the initial spares since time 0), and enters when it is delivered if the shelf is empty.

This renewal process is simulated for ``life_years`` from new packs on many copies of the pack
positions (:data:`POSITIONS_SIMULATED` in all), with a generator seeded from the run's seed, so the
figure is the same for a given run and its Monte Carlo error is stated (``pack_replacements_se``).
Not modelled: the hours between a retirement and the technician's replacement, and a change of the
duty as packs fade (a faded pack swaps more often, but its equivalent full cycles per day, and so its
fade, depend on the energy drawn, which does not change). Days inside this module.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from swapsim.model.degradation import CHEMISTRIES, celsius_to_kelvin

__all__ = [
    "DutyRates",
    "PackFade",
    "measure_duty",
    "replacements",
    "expected_replacements",
    "life_days",
    "POSITIONS_SIMULATED",
]

POSITIONS_SIMULATED = 250
"""Pack positions simulated in all (copies of the run's positions), for a small Monte Carlo error."""


@dataclass(frozen=True, slots=True)
class PackFade:
    """One pack's ageing at the end of a run: losses, its age and its time in service (days; a new pack
    aged on the shelf first), wear multiplier, whether it served from the start (its whole age in
    service)."""

    q_cal: float
    q_cyc: float
    days: float
    service_days: float
    wear: float
    from_start: bool


@dataclass(frozen=True, slots=True)
class DutyRates:
    """The duty's fade rates at unit wear and its drop-offs.

    Attributes:
        a_cal: calendar loss per day ** p_cal in service.
        a_cyc: cycle loss per day ** p_cyc in service (equivalent full cycles per day folded in).
        checks_per_day: health checks (drop-offs) per pack in service per day.
        packs: packs the rates were measured on.
    """

    a_cal: float
    a_cyc: float
    checks_per_day: float
    packs: int


def measure_duty(
    fades: Sequence[PackFade], chemistry: str, checks: float, span_days: float, in_service: int
) -> DutyRates:
    """The duty's rates from the packs in service at the end of a run (see the module docstring).

    ``checks``: health checks over the measured span of ``span_days``; ``in_service``: packs in service.
    """
    model = CHEMISTRIES[chemistry]
    usable = [f for f in fades if f.days > 0 and f.service_days > 0 and f.wear > 0]
    start = [f for f in usable if f.from_start]
    sample = start or usable
    if sample:
        # cycles happen in service only; the calendar loss of a pack that waited on the shelf mixes the
        # shelf's rate in, so it is used only when no pack served from the start
        a_cal = float(np.mean([f.q_cal / (f.wear * f.days**model.p_cal) for f in sample]))
        a_cyc = float(np.mean([f.q_cyc / (f.wear * f.service_days**model.p_cyc) for f in sample]))
    else:
        a_cal = a_cyc = 0.0
    per_day = checks / (span_days * in_service) if span_days > 0 and in_service > 0 else 0.0
    return DutyRates(a_cal, a_cyc, per_day, len(sample))


def life_days(duty: DutyRates, chemistry: str, threshold: float, wear: float = 1.0, q0: float = 1.0) -> float:
    """Days in service until the health ``q0 (1 - s (a_cal t^p_cal + a_cyc t^p_cyc))`` of a new pack falls
    to ``threshold`` (inf if not within 200 years); no check noise, no shelf time."""
    model = CHEMISTRIES[chemistry]
    budget = 1.0 - threshold / q0
    if budget <= 0:
        return 0.0

    def loss(t: float) -> float:
        return wear * (duty.a_cal * t**model.p_cal + duty.a_cyc * t**model.p_cyc)

    lo, hi = 0.0, 200.0 * 365.0
    if loss(hi) < budget:
        return math.inf
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if loss(mid) < budget:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-6:
            break
    return 0.5 * (lo + hi)


class _Positions:
    """The renewal process of :func:`replacements` (one object per call; days)."""

    def __init__(self, duty: DutyRates, scenario: Any, rng: np.random.Generator, end_days: float) -> None:
        battery, health, tech = scenario.battery, scenario.health, scenario.technicians
        self.model = CHEMISTRIES[battery.chemistry]
        self.duty = duty
        self.rng = rng
        self.end = end_days
        self.ageing = battery.ageing
        self.battery = battery
        self.health = health
        k_shelf = self.model.k_cal(celsius_to_kelvin(battery.temperature_c.in_bay), tech.new_pack_soc)
        self.k_shelf = k_shelf if self.ageing else 0.0
        self.retained_limit = (
            1.0 - (health.retire_resistance_ratio - 1.0) / battery.resistance_growth
            if self.ageing and battery.resistance_growth > 0
            else -math.inf
        )

    def draw_pack(self) -> tuple[float, float]:
        """(wear multiplier, initial capacity) of a new pack, as the model draws them."""
        b = self.battery
        if not self.ageing:
            return 1.0, 1.0
        wear = b.wear_scale * float(self.rng.lognormal(0.0, b.wear_sigma)) if b.wear_sigma else b.wear_scale
        q0 = float(self.rng.normal(1.0, b.initial_capacity_sd)) if b.initial_capacity_sd else 1.0
        return wear, q0

    def pack_life(self, start: float, shelf_days: float) -> tuple[float, float]:
        """(warning time, retirement time), absolute days, of a pack entering service at ``start`` after
        ``shelf_days`` on the shelf; inf when after the end.

        Checks every ``1 / checks_per_day`` days from a uniform phase. Only the checks from where the
        true health is ``NOISE_SDS`` noise deviations above a threshold to where it is as far below are
        drawn (an estimate below it earlier, or none below it by then, has a chance under 3e-7 a check).
        """
        d, h, p = self.duty, self.health, self.model
        if d.checks_per_day <= 0:
            return math.inf, math.inf
        gap = 1.0 / d.checks_per_day
        span = self.end - start
        if span <= 0.0:  # enters service at or after the end (a fault at its first check, late in the life)
            return math.inf, math.inf
        phase = self.rng.random() * gap
        wear, q0 = self.draw_pack()
        fault_t = (
            phase + (int(self.rng.geometric(h.fault_rate_per_cycle)) - 1) * gap
            if h.fault_rate_per_cycle > 0
            else math.inf
        )
        q_shelf = wear * self.k_shelf * shelf_days**p.p_cal if shelf_days > 0 else 0.0
        x = (q_shelf / (wear * d.a_cal)) ** (1.0 / p.p_cal) if d.a_cal > 0 and q_shelf > 0 else 0.0
        base = q_shelf if x == 0.0 else 0.0

        a_cal, a_cyc, p_cal, p_cyc = d.a_cal, d.a_cyc, p.p_cal, p.p_cyc

        def retained(t: np.ndarray | float) -> Any:
            return 1.0 - base - wear * (a_cal * (x + t) ** p_cal + a_cyc * t**p_cyc)

        noise = h.check_noise_sd
        limit = self.retained_limit

        sds = NOISE_SDS * noise
        levels = [h.warn_below + sds, h.warn_below - sds, h.retire_below + sds, h.retire_below - sds]
        crossings = _crossings(retained, [v / q0 for v in levels] + [limit if limit > -math.inf else -1.0], span)

        def first(threshold: float, t0: float, t1: float, hard: float) -> float:
            """Time of the first check with estimate < threshold (or retained <= hard), inf if none; the
            checks drawn are those from ``t0`` to ``t1``."""
            if t0 > span:
                return math.inf
            k0 = max(0, math.ceil((t0 - phase) / gap) - 1)
            k1 = math.floor((min(t1, span) - phase) / gap) + 2
            t = np.arange(k0, max(k1, k0 + 1)) * gap
            t += phase
            n = t.size
            while n and t[n - 1] > span:  # the checks rise with k: those after the end are the last one or two
                n -= 1
            t = t[:n]
            r = retained(t)
            hit = q0 * r + noise * self.rng.standard_normal(n) < threshold
            if hard > -math.inf:  # (r <= -inf is never true)
                hit |= r <= hard
            i = int(hit.argmax()) if n else 0
            return float(t[i]) if n and hit[i] else math.inf

        w0, w1, r0, r1, t_hard = crossings
        warn = first(h.warn_below, w0, w1, -math.inf)
        retire = min(first(h.retire_below, min(r0, t_hard), min(r1, t_hard), limit), fault_t)
        warn_t = start + warn if warn <= retire else math.inf
        retire_t = start + retire if retire <= span else math.inf
        return warn_t, retire_t

    def run(self, positions: int, spares: int, lead_days: float) -> int:
        """Replacements before the end over ``positions`` pack positions, all new at time 0."""
        events: list[tuple[float, int, int]] = []  # (time, 0 warn / 1 retire, position)
        ordered = [False] * positions
        for i in range(positions):
            warn_t, retire_t = self.pack_life(0.0, 0.0)
            self._push(events, i, warn_t, retire_t)
        deliveries: deque[float] = deque([0.0] * spares)
        count = 0
        while events:
            t, kind, i = heapq.heappop(events)
            if t > self.end:
                break
            if kind == 0:
                ordered[i] = True
                deliveries.append(t + lead_days)
                continue
            count += 1
            if not ordered[i]:
                deliveries.append(t + lead_days)
            delivered = deliveries.popleft()
            enters = max(t, delivered)
            ordered[i] = False
            warn_t, retire_t = self.pack_life(enters, enters - delivered)
            self._push(events, i, warn_t, retire_t)
        return count

    def _push(self, events: list[tuple[float, int, int]], i: int, warn_t: float, retire_t: float) -> None:
        if warn_t <= self.end:
            heapq.heappush(events, (warn_t, 0, i))
        if retire_t <= self.end:
            heapq.heappush(events, (retire_t, 1, i))


NOISE_SDS = 5.0
"""Checks are drawn from where the true health is this many noise deviations above a threshold."""


def _crossings(retained: Any, levels: Sequence[float], span: float) -> list[float]:
    """First times in [0, span] where ``retained(t) <= level``, for each level (scalar bisection to 0.01
    day; 0 where at once, inf where never). ``retained`` must fall with time."""
    out = []
    r0, r_end = retained(0.0), retained(span)
    for level in levels:
        if r0 <= level:
            out.append(0.0)
            continue
        if r_end > level:
            out.append(math.inf)
            continue
        lo, hi = 0.0, span
        while hi - lo > 1e-2:
            mid = 0.5 * (lo + hi)
            if retained(mid) > level:
                lo = mid
            else:
                hi = mid
        out.append(hi)
    return out


def replacements(duty: DutyRates, scenario: Any, years: float, seed: int) -> dict[str, float]:
    """Expected pack replacements per year over ``years`` from new, for the scenario's pack positions.

    Returns ``per_year`` (replacements per year for the scenario's ``total_packs`` positions), ``se`` (its
    Monte Carlo standard error over the copies) and ``life_years`` (service life of a new pack of median
    wear and rated capacity to ``retire_below``, without check noise or shelf time; inf beyond 200
    years). Deterministic for a given ``seed``.
    """
    positions = scenario.total_packs
    if positions <= 0 or years <= 0:
        return {"per_year": 0.0, "se": 0.0, "life_years": math.inf}
    copies = max(1, math.ceil(POSITIONS_SIMULATED / positions))
    rng = np.random.default_rng([int(seed), 27])
    tech = scenario.technicians
    counts = []
    for _ in range(copies):
        sim = _Positions(duty, scenario, rng, years * 365.0)
        n = sim.run(positions, tech.spare_packs, tech.reorder_lead_time / 24.0)
        counts.append(n / years)
    arr = np.asarray(counts, dtype=float)
    se = float(arr.std(ddof=1) / math.sqrt(len(arr))) if len(arr) > 1 else 0.0
    b = scenario.battery
    typical = life_days(duty, b.chemistry, scenario.health.retire_below, wear=b.wear_scale) / 365.0
    return {"per_year": float(arr.mean()), "se": se, "life_years": typical}


def expected_replacements(fades: Sequence[PackFade], scenario: Any, checks: float, years: float) -> dict[str, float]:
    """:func:`replacements` over ``years`` for the duty the run measured: :func:`measure_duty` of the
    ``fades`` of the packs in service at the horizon, with ``checks`` drop-off checks over the measured
    span (``horizon - warmup``), seeded by the scenario's seed."""
    span_days = (scenario.horizon - scenario.warmup) / 24.0
    duty = measure_duty(fades, scenario.battery.chemistry, checks, span_days, len(fades))
    return replacements(duty, scenario, years, scenario.seed)
