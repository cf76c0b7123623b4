"""The cost model from a scenario alone: the annual cost of a deployment and of a run.

The arithmetic is the run's cost concern (:mod:`swapsim.metrics.costs`, where the model is described);
this module gives it what a scenario alone says: the technicians' staffed hours (from their shift
windows) and, for :func:`cost_summary`, the expected pack replacements of measured ageing rates
(:func:`swapsim.model.pack_life.replacements`). :func:`static_costs` is the part known before any run
(capital, maintenance, labour), which the sizing search uses to order configurations.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from swapsim.metrics import costs as _metrics_costs
from swapsim.metrics.costs import capital_recovery_factor, costs_of, unit_counts
from swapsim.model.pack_life import DutyRates, replacements
from swapsim.model.technician import ShiftCalendar
from swapsim.scenario.costs import CostsSpec

__all__ = [
    "CostsSpec",
    "capital_recovery_factor",
    "static_costs",
    "cost_summary",
    "unit_counts",
    "technician_hours_per_year",
]


def technician_hours_per_year(scenario: Any) -> float:
    """Staffed technician-hours per year: crew x on-duty hours a day x 365."""
    tech = scenario.technicians
    cal = ShiftCalendar.from_windows([(w.start, w.end) for w in tech.shifts])
    return _metrics_costs.technician_hours_per_year(tech.crew, cal.daily_hours)


def static_costs(scenario: Any) -> dict[str, Any]:
    """The costs known before any run (per year): :func:`swapsim.metrics.costs.static_costs` of the
    scenario's technician hours."""
    return _metrics_costs.static_costs(scenario, technician_hours_per_year(scenario))


def cost_summary(
    summary: dict[str, Any],
    scenario: Any,
    grid_kwh_by_hour: Sequence[float] | None = None,
    duty: DutyRates | None = None,
) -> dict[str, Any]:
    """The ``costs`` section of a run's summary (:func:`swapsim.metrics.costs.cost_summary`); with
    ``duty`` (the ageing rates and drop-offs a run measured) the pack replacements are the expected
    number per year over ``life_years`` from new (:func:`swapsim.model.pack_life.replacements`, seeded
    by ``scenario.seed``), without it the run's retirements scaled to a year."""
    life = None
    if duty is not None:
        life = replacements(duty, scenario, costs_of(scenario).life_years, scenario.seed)
    return _metrics_costs.cost_summary(summary, scenario, technician_hours_per_year(scenario), grid_kwh_by_hour, life)
