"""The ``costs:`` section of a scenario: unit costs of a deployment (the cost model itself is
:mod:`swapsim.analysis.costs`).

Money is currency-free: plain numbers per the unit in each field's name. Capital (robots, stations,
swap positions, bays, packs) is annualised with the capital recovery factor over ``life_years`` at
``discount_rate``; energy is priced flat or by a time-of-use tariff by hour of day; technician labour
per staffed hour (crew x on-duty hours of the technician shifts); pack replacements at the pack price,
expected over ``life_years`` from the ageing rates the run measured (:mod:`swapsim.model.pack_life`);
optional penalties for unserved tasks and robot-hours short of a target.

Every default is an assumption (docs/sizing.md lists them with their sources); a study should set its
own. :func:`cost_summary` is a pure function of a run's summary, the scenario and (optionally) the grid
energy by hour of day; :func:`static_costs` is the part known before any run (capital, maintenance,
labour), which the sizing search uses to order configurations.

All ``*_per_year`` figures are per year of 365 days (8760 h), scaled from the measured span
``horizon - warmup``.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer, field_validator, model_validator

from swapsim.scenario.base import FrozenModel as _Frozen
from swapsim.scenario.limits import Real
from swapsim.scenario.units import UnitError, format_duration, parse_duration_h

__all__ = ["CostsSpec", "TariffSegment", "HOURS_PER_YEAR"]

HOURS_PER_YEAR = 8760.0
"""Hours in a costing year (365 days)."""


def _hour_of_day(value: object) -> float:
    """``"07:00"`` or ``"7 h"`` -> 7.0 (hours after midnight). (swapsim.scenario imports this module, so
    its TimeOfDay type is not imported here.)"""
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
        if m:
            return int(m.group(1)) + int(m.group(2)) / 60.0
    try:
        return parse_duration_h(value)
    except UnitError as exc:
        raise ValueError(f"expected a time of day like '07:00' or '7 h' ({exc})") from None


def _format_hour(hours: float) -> str:
    if abs(hours - round(hours)) < 1e-9:
        return f"{int(round(hours)):02d}:00"
    return format_duration(hours)


HourOfDay = Annotated[float, BeforeValidator(_hour_of_day), PlainSerializer(_format_hour, when_used="json")]
"""A time of day, ``"07:00"`` or ``"7 h"`` in the file, hours after midnight in the model."""


class TariffSegment(_Frozen):
    """From ``start`` (time of day, on the hour) until the next segment, grid energy costs ``per_kwh``."""

    start: HourOfDay = Field(ge=0, lt=24)
    per_kwh: Real = Field(ge=0, description="price per kWh drawn from the grid")

    @field_validator("start")
    @classmethod
    def _on_the_hour(cls, v: float) -> float:
        if abs(v - round(v)) > 1e-9:
            raise ValueError("tariff segments must start on the hour (grid energy is binned by hour of day)")
        return float(round(v))


class CostsSpec(_Frozen):
    """Unit costs of a deployment. Plain numbers in one (any) currency; the unit is in each name.

    Defaults are assumptions (docs/sizing.md): set them for a real study.
    """

    robot_capex: Real = Field(default=100_000.0, ge=0, description="purchase price per robot")
    robot_per_year: Real = Field(default=5_000.0, ge=0, description="maintenance and insurance per robot per year")
    station_capex: Real = Field(default=20_000.0, ge=0, description="per swap station (frame, controls, install)")
    position_capex: Real = Field(default=30_000.0, ge=0, description="per swap position (swap mechanism)")
    bay_capex: Real = Field(default=1_500.0, ge=0, description="per bay with its charger (plug_in: per dock)")
    pack_capex: Real = Field(default=1_000.0, ge=0, description="per battery pack")
    life_years: Real = Field(default=5.0, gt=0, le=50, description="economic life of the capital (years)")
    discount_rate: Real = Field(default=0.08, ge=0, le=1, description="annual discount rate (fraction)")
    energy_per_kwh: Real = Field(default=0.15, ge=0, description="flat grid energy price per kWh")
    energy_tariff: list[TariffSegment] | None = Field(
        default=None, min_length=1, description="time-of-use prices by hour of day (replaces energy_per_kwh)"
    )
    technician_per_hour: Real = Field(default=40.0, ge=0, description="labour per technician on duty per hour")
    pack_replacement: Real | None = Field(
        default=None, ge=0, description="price of a replacement pack (default: pack_capex)"
    )
    unserved_task: Real = Field(default=0.0, ge=0, description="penalty per task arrived but not done")
    robot_hour_short: Real = Field(
        default=0.0, ge=0, description="penalty per robot-hour of work short of target_productive_robots"
    )
    target_productive_robots: Real | None = Field(
        default=None, gt=0, description="mean robots working wanted (for robot_hour_short)"
    )

    @model_validator(mode="after")
    def _tariff_ordered(self) -> "CostsSpec":
        t = self.energy_tariff
        if t is not None:
            if t[0].start != 0.0:
                raise ValueError("energy_tariff: the first segment must start at 00:00")
            if any(b.start <= a.start for a, b in zip(t, t[1:])):
                raise ValueError("energy_tariff: segment starts must increase")
        return self

    @property
    def replacement_price(self) -> float:
        """Price of one replacement pack."""
        return self.pack_capex if self.pack_replacement is None else self.pack_replacement

    def hourly_prices(self) -> list[float]:
        """Price per kWh in each hour of the day (24 values)."""
        if self.energy_tariff is None:
            return [self.energy_per_kwh] * 24
        out = []
        for h in range(24):
            seg = [s for s in self.energy_tariff if s.start <= h][-1]
            out.append(seg.per_kwh)
        return out
