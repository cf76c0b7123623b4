"""The cost model: the annual cost of a deployment and of a run, from the scenario's ``costs:`` section.

Money is currency-free: plain numbers per the unit in each field's name. Capital (robots, stations,
swap positions, bays, packs) is annualised with the capital recovery factor over ``life_years`` at
``discount_rate``; energy is priced flat or by a time-of-use tariff by hour of day; technician labour
per staffed hour (crew x on-duty hours of the technician shifts); pack replacements at the pack price,
expected over ``life_years`` from the ageing rates the run measured (:mod:`swapsim.analysis.pack_life`);
optional penalties for unserved tasks and robot-hours short of a target.

:func:`cost_summary` is a pure function of a run's summary, the scenario and (optionally) the grid
energy by hour of day; :func:`static_costs` is the part known before any run (capital, maintenance,
labour), which the sizing search uses to order configurations. All ``*_per_year`` figures are per year
of 365 days (8760 h), scaled from the measured span ``horizon - warmup``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from swapsim.analysis.pack_life import DutyRates, replacements
from swapsim.scenario.costs import HOURS_PER_YEAR, CostsSpec

__all__ = ["capital_recovery_factor", "static_costs", "cost_summary", "unit_counts"]


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


def _costs(scenario: Any) -> CostsSpec:
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


def _technician_hours_per_year(scenario: Any) -> float:
    """Staffed technician-hours per year: crew x on-duty hours a day x 365."""
    from swapsim.model.technician import ShiftCalendar

    tech = scenario.technicians
    cal = ShiftCalendar.from_windows([(w.start, w.end) for w in tech.shifts])
    return tech.crew * cal.daily_hours * HOURS_PER_YEAR / 24.0


def static_costs(scenario: Any) -> dict[str, Any]:
    """The costs known before any run (per year): annualised capital by item, maintenance, labour.

    Returns ``capital`` (robots, stations, positions, bays, packs), ``capital_per_year``,
    ``maintenance_per_year``, ``labour_per_year`` and ``static_per_year`` (their sum).
    """
    c = _costs(scenario)
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
    labour = c.technician_per_hour * _technician_hours_per_year(scenario)
    return {
        "capital": capital,
        "capital_per_year": capital_per_year,
        "maintenance_per_year": maintenance,
        "labour_per_year": labour,
        "static_per_year": capital_per_year + maintenance + labour,
        "capital_recovery_factor": crf,
    }


def cost_summary(
    summary: dict[str, Any],
    scenario: Any,
    grid_kwh_by_hour: Sequence[float] | None = None,
    duty: DutyRates | None = None,
) -> dict[str, Any]:
    """The ``costs`` section of a run's summary (all money per year).

    Args:
        summary: the run's summary (``energy.grid_kwh``, ``packs.retired``, ``fleet``, ``tasks``).
        scenario: the scenario run (its ``costs`` section, or the defaults when it has none).
        grid_kwh_by_hour: grid energy (kWh) drawn in each hour of the day over the measured span, for a
            time-of-use tariff; without it the energy is priced at the tariff's time-weighted mean.
        duty: the ageing rates and drop-offs the run measured (:func:`swapsim.analysis.pack_life.measure_duty`):
            pack replacements are then the expected number per year over ``life_years`` from new
            (:func:`swapsim.analysis.pack_life.replacements`, seeded by ``scenario.seed``), with
            ``pack_replacements_per_year``, its Monte Carlo error ``pack_replacements_se`` and
            ``pack_life_years``. Without it, the run's retirements (``packs.retired``) scaled to a year.
    Returns:
        ``capital_per_year``, ``energy_per_year``, ``labour_per_year``, ``packs_per_year``,
        ``maintenance_per_year``, ``penalties_per_year``, ``total_per_year``,
        ``per_productive_robot_hour`` (total over the robot-hours spent working), and ``capital``
        (the capital by item).
    """
    c = _costs(scenario)
    span_h = scenario.horizon - scenario.warmup
    per_year = HOURS_PER_YEAR / span_h if span_h > 0 else 0.0
    static = static_costs(scenario)
    prices = c.hourly_prices()
    grid_kwh = float(summary.get("energy", {}).get("grid_kwh", 0.0))
    if grid_kwh_by_hour is not None and c.energy_tariff is not None:
        energy_cost = sum(p * e for p, e in zip(prices, grid_kwh_by_hour))
    else:
        energy_cost = grid_kwh * sum(prices) / 24.0
    energy = energy_cost * per_year
    life: dict[str, float] | None = None
    if duty is not None:
        life = replacements(duty, scenario, c.life_years, scenario.seed)
        packs = life["per_year"] * c.replacement_price
    else:
        retired = float(summary.get("packs", {}).get("retired", 0) or 0)
        packs = retired * c.replacement_price * per_year
    fleet = summary.get("fleet", {})
    productive = float(fleet.get("on_duty_mean", scenario.fleet.robots)) * float(fleet.get("utilisation", 0.0))
    penalties = 0.0
    tasks = summary.get("tasks")
    if c.unserved_task and tasks:
        penalties += c.unserved_task * max(0.0, float(tasks["arrived"]) - float(tasks["done"])) * per_year
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
    out = {
        "capital_per_year": static["capital_per_year"],
        "energy_per_year": energy,
        "labour_per_year": static["labour_per_year"],
        "packs_per_year": packs,
        "maintenance_per_year": static["maintenance_per_year"],
        "penalties_per_year": penalties,
        "total_per_year": total,
        "per_productive_robot_hour": total / productive_h if productive_h > 0 else None,
        "capital": static["capital"],
    }
    if life is not None:
        out["pack_replacements_per_year"] = life["per_year"]
        out["pack_replacements_se"] = life["se"]
        out["pack_life_years"] = life["life_years"] if math.isfinite(life["life_years"]) else None
    return out
