"""The cost concern: the ``costs`` section of a run's summary, priced from the other concerns' KPIs.

Money is currency-free: plain numbers per the unit in each field's name. Capital (robots, stations,
swap positions, bays, packs) is annualised with the capital recovery factor over ``life_years`` at
``discount_rate``; energy is priced flat or by a time-of-use tariff by hour of day; technician labour
per staffed hour (crew x on-duty hours of the technician shifts); pack replacements at the pack price,
expected over ``life_years`` from the ageing rates the run measured (a :data:`PackLife` handed over
with the facts at the horizon, :func:`swapsim.model.pack_life.expected_replacements`); optional
penalties for unserved tasks and robot-hours short of a target. All ``*_per_year`` figures are per
year of 365 days (8760 h), scaled from the measured span ``horizon - warmup``.

Everything here is arithmetic on numbers given to it: :func:`static_costs` is the part known before
any run (capital, maintenance, labour), :func:`price_run` the whole section (a typed :class:`CostKPIs`,
which :class:`CostStats` prices from the run's typed sections), :func:`cost_summary` the same from a
summary given as plain data.
:mod:`swapsim.analysis.costs` offers both from a scenario alone (the sizing search orders
configurations by the static part).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from swapsim.metrics.demand import TaskKPIs
from swapsim.metrics.energy import EnergyKPIs
from swapsim.metrics.health import AlertKPIs, PackKPIs
from swapsim.metrics.robot_states import FleetKPIs
from swapsim.metrics.sections import INLINE, plain
from swapsim.scenario.costs import HOURS_PER_YEAR, CostsSpec

__all__ = [
    "PackLife",
    "CostStats",
    "capital_recovery_factor",
    "costs_of",
    "technician_hours_per_year",
    "unit_counts",
    "static_costs",
    "price_run",
    "cost_summary",
    "CostKPIs",
    "CapitalCosts",
    "PackLifeCosts",
]

PackLife = Callable[[float, float], Mapping[str, float]]
"""Expected pack replacements given (drop-off checks in the measured span, years of economic life):
``per_year``, ``se`` (its Monte Carlo error) and ``life_years`` (a typical pack's, inf if none)."""


def capital_recovery_factor(rate: float, years: float) -> float:
    """Annual payment per unit of capital repaid over ``years`` at ``rate``: r (1+r)^n / ((1+r)^n - 1).

    At ``rate == 0`` it is 1 / ``years`` (straight line).
    """
    if years <= 0:
        raise ValueError(f"years must be > 0 (got {years})")
    if rate == 0:
        return 1.0 / years
    g = (1.0 + rate) ** years
    return rate * g / (g - 1.0)


def costs_of(scenario: Any) -> CostsSpec:
    """The scenario's ``costs`` section, or the defaults when it has none."""
    spec = getattr(scenario, "costs", None)
    return spec if spec is not None else CostsSpec()


def unit_counts(scenario: Any) -> dict[str, int]:
    """Capital units of a scenario: robots, stations, swap positions, bays (plug_in: docks), packs.

    Packs: in the robots, in the bays at the start, and the technicians' spare stock.
    """
    plug_in = scenario.strategy.kind == "plug_in"
    return {
        "robots": scenario.fleet.robots,
        "stations": len(scenario.stations),
        "positions": 0 if plug_in else sum(s.positions for s in scenario.stations),
        "bays": sum(s.plug_in_docks if plug_in else s.bays for s in scenario.stations),
        "packs": scenario.total_packs + scenario.technicians.spare_packs,
        "technicians": scenario.technicians.crew,
    }


def technician_hours_per_year(crew: int, daily_hours: float) -> float:
    """Staffed technician-hours per year: crew x on-duty hours a day x 365."""
    return crew * daily_hours * HOURS_PER_YEAR / 24.0


def static_costs(scenario: Any, technician_hours_per_year: float) -> dict[str, Any]:
    """The costs known before any run (per year): annualised capital by item, maintenance, labour.

    ``technician_hours_per_year``: staffed technician-hours a year (crew x on-duty hours a day x 365).
    Returns ``capital`` (robots, stations, positions, bays, packs), ``capital_per_year``,
    ``maintenance_per_year``, ``labour_per_year`` and ``static_per_year`` (their sum).
    """
    c = costs_of(scenario)
    crf = capital_recovery_factor(c.discount_rate, c.life_years)
    n = unit_counts(scenario)
    capital = {
        "robots": crf * c.robot_capex * n["robots"],
        "stations": crf * c.station_capex * n["stations"],
        "positions": crf * c.position_capex * n["positions"],
        "bays": crf * c.bay_capex * n["bays"],
        "packs": crf * c.pack_capex * n["packs"],
    }
    capital_per_year = sum(capital.values())
    maintenance = c.robot_per_year * n["robots"]
    labour = c.technician_per_hour * technician_hours_per_year
    return {
        "capital": capital,
        "capital_per_year": capital_per_year,
        "maintenance_per_year": maintenance,
        "labour_per_year": labour,
        "static_per_year": capital_per_year + maintenance + labour,
        "capital_recovery_factor": crf,
    }


@dataclass(frozen=True, slots=True)
class CapitalCosts:
    """Annualised capital by item (per year)."""

    robots: float
    stations: float
    positions: float
    bays: float
    packs: float


@dataclass(frozen=True, slots=True)
class PackLifeCosts:
    """The ``costs`` keys of the expected pack replacements from measured ageing: per year, its Monte
    Carlo error (packs/year), a typical pack's service life (years; None: it never retires)."""

    pack_replacements_per_year: float
    pack_replacements_se: float
    pack_life_years: float | None


@dataclass(frozen=True, slots=True)
class CostKPIs:
    """The ``costs`` section (money per year): capital, energy, labour, packs, maintenance, penalties,
    the total and the total per productive robot-hour (None: no productive time), the capital by item;
    with the pack replacements of measured ageing, their keys (``pack_life``'s, else absent)."""

    capital_per_year: float
    energy_per_year: float
    labour_per_year: float
    packs_per_year: float
    maintenance_per_year: float
    penalties_per_year: float
    total_per_year: float
    per_productive_robot_hour: float | None
    capital: CapitalCosts
    pack_life: PackLifeCosts | None = field(default=None, metadata=INLINE)


def price_run(
    scenario: Any,
    technician_hours_per_year: float,
    *,
    grid_kwh: float,
    retired: float,
    on_duty_mean: float,
    utilisation: float,
    unserved_tasks: float | None = None,
    grid_kwh_by_hour: Sequence[float] | None = None,
    life: Mapping[str, float] | None = None,
) -> CostKPIs:
    """The ``costs`` section of a run (all money per year) from the numbers it is priced on.

    Args:
        scenario: the scenario run (its ``costs`` section, or the defaults when it has none).
        technician_hours_per_year: staffed technician-hours a year.
        grid_kwh: the run's grid energy (kWh) over the measured span.
        retired: packs retired in the measured span (priced when ``life`` is not given).
        on_duty_mean, utilisation: robots on duty (mean) and the working share of their time; their
            product is the productive robots.
        unserved_tasks: tasks arrived in the measured window and not done (None: no task demand).
        grid_kwh_by_hour: grid energy (kWh) drawn in each hour of the day over the measured span, for a
            time-of-use tariff; without it the energy is priced at the tariff's time-weighted mean.
        life: the expected pack replacements over ``life_years`` from the ageing the run measured
            (:data:`PackLife`): pack replacements are then ``life["per_year"]`` at the replacement price,
            with ``pack_replacements_per_year``, its Monte Carlo error ``pack_replacements_se`` and
            ``pack_life_years``. Without it, the run's retirements scaled to a year.
    """
    c = costs_of(scenario)
    span_h = scenario.horizon - scenario.warmup
    per_year = HOURS_PER_YEAR / span_h if span_h > 0 else 0.0
    static = static_costs(scenario, technician_hours_per_year)
    prices = c.hourly_prices()
    if grid_kwh_by_hour is not None and c.energy_tariff is not None:
        energy_cost = sum(p * e for p, e in zip(prices, grid_kwh_by_hour))
    else:
        energy_cost = grid_kwh * sum(prices) / 24.0
    energy = energy_cost * per_year
    if life is not None:
        packs = life["per_year"] * c.replacement_price
    else:
        packs = retired * c.replacement_price * per_year
    productive = on_duty_mean * utilisation
    penalties = 0.0
    if c.unserved_task and unserved_tasks is not None:
        penalties += c.unserved_task * unserved_tasks * per_year
    if c.robot_hour_short and c.target_productive_robots is not None:
        penalties += c.robot_hour_short * max(0.0, c.target_productive_robots - productive) * HOURS_PER_YEAR
    total = (
        static["capital_per_year"]
        + static["maintenance_per_year"]
        + static["labour_per_year"]
        + energy
        + packs
        + penalties
    )
    productive_h = productive * HOURS_PER_YEAR
    pack_life = None
    if life is not None:
        pack_life = PackLifeCosts(
            pack_replacements_per_year=life["per_year"],
            pack_replacements_se=life["se"],
            pack_life_years=life["life_years"] if math.isfinite(life["life_years"]) else None,
        )
    return CostKPIs(
        capital_per_year=static["capital_per_year"],
        energy_per_year=energy,
        labour_per_year=static["labour_per_year"],
        packs_per_year=packs,
        maintenance_per_year=static["maintenance_per_year"],
        penalties_per_year=penalties,
        total_per_year=total,
        per_productive_robot_hour=total / productive_h if productive_h > 0 else None,
        capital=CapitalCosts(**static["capital"]),
        pack_life=pack_life,
    )


def cost_summary(
    summary: Mapping[str, Any],
    scenario: Any,
    technician_hours_per_year: float,
    grid_kwh_by_hour: Sequence[float] | None = None,
    life: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """The ``costs`` section, as plain data, of a run's summary given as plain data (a saved run's):
    :func:`price_run` of its ``energy.grid_kwh``, ``packs.retired``, ``fleet`` (``on_duty_mean``, by
    default the fleet's size, and ``utilisation``) and ``tasks`` (``arrived`` less ``done``).

    Returns:
        ``capital_per_year``, ``energy_per_year``, ``labour_per_year``, ``packs_per_year``,
        ``maintenance_per_year``, ``penalties_per_year``, ``total_per_year``,
        ``per_productive_robot_hour`` (total over the robot-hours spent working), ``capital``
        (the capital by item) and, with ``life``, the pack replacements' keys.
    """
    fleet = summary.get("fleet", {})
    tasks = summary.get("tasks")
    costs = price_run(
        scenario,
        technician_hours_per_year,
        grid_kwh=float(summary.get("energy", {}).get("grid_kwh", 0.0)),
        retired=float(summary.get("packs", {}).get("retired", 0) or 0),
        on_duty_mean=float(fleet.get("on_duty_mean", scenario.fleet.robots)),
        utilisation=float(fleet.get("utilisation", 0.0)),
        unserved_tasks=max(0.0, float(tasks["arrived"]) - float(tasks["done"])) if tasks else None,
        grid_kwh_by_hour=grid_kwh_by_hour,
        life=life,
    )
    out: dict[str, Any] = plain(costs)
    return out


class CostStats:
    """The cost concern: the ``costs`` section, priced from the other concerns' sections at the horizon.

    It has no hooks (nothing to count): the grid energy by hour of day comes from the energy concern.

    Args:
        scenario: the scenario run (its ``costs`` section).
        technician_hours_per_year: staffed technician-hours a year.
        grid_kwh_by_hour: the energy concern's grid energy (kWh) by hour of day over the measured span.
    """

    def __init__(
        self, scenario: Any, technician_hours_per_year: float, grid_kwh_by_hour: Callable[[], Sequence[float]]
    ) -> None:
        self.scenario = scenario
        self.technician_hours_per_year = technician_hours_per_year
        self.grid_kwh_by_hour = grid_kwh_by_hour

    def summary(
        self,
        fleet: FleetKPIs,
        energy: EnergyKPIs,
        packs: PackKPIs,
        alerts: AlertKPIs,
        tasks: TaskKPIs | None,
        pack_life: PackLife | None,
    ) -> CostKPIs:
        """The ``costs`` section priced from the run's other sections; ``pack_life`` gives the expected
        pack replacements from the drop-off checks counted (``alerts.checks``)."""
        life = None
        if pack_life is not None:
            life = pack_life(float(alerts.checks), costs_of(self.scenario).life_years)
        return price_run(
            self.scenario,
            self.technician_hours_per_year,
            grid_kwh=float(energy.grid_kwh),
            retired=float(packs.retired),
            on_duty_mean=float(fleet.on_duty_mean),
            utilisation=float(fleet.utilisation),
            unserved_tasks=max(0.0, float(tasks.arrived) - float(tasks.done)) if tasks is not None else None,
            grid_kwh_by_hour=self.grid_kwh_by_hour(),
            life=life,
        )
