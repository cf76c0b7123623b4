"""Scenario sections for battery health over months: temperatures, pack ageing (``battery``), health
checks at drop-off (``health``) and the technician crew with its shifts (``technicians``).

Defaults: shared/reference/walker-s2.md; [G] marks an assumption (docs/scenarios.md). Hours, fractions
of rated capacity, degrees Celsius.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, model_validator

from swapsim.scenario.base import FrozenModel as _Frozen
from swapsim.scenario.distributions import DurationDist
from swapsim.scenario.limits import Int, Real
from swapsim.scenario.units import Duration

__all__ = ["TemperatureSpec", "BatterySpec", "HealthSpec", "ShiftWindow", "TechnicianSpec"]


# ---------------------------------------------------------------------------------------------
# Battery health over months: ageing, health checks at drop-off, the technician crew.
# Defaults: shared/reference/walker-s2.md; [G] marks an assumption (docs/scenarios.md).


def _parse_time_of_day(value: object) -> float:
    """``"06:30"`` or a duration such as ``"6.5 h"``; returns hours after midnight."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(
            "write a time of day in quotes ('22:00') or with a unit (22 h): "
            "unquoted, YAML reads 22:00 as the number 1320"
        )
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
        if m:
            hours, minutes = int(m.group(1)), int(m.group(2))
            if minutes >= 60:
                raise ValueError(f"minutes must be < 60 in {value!r}")
            return hours + minutes / 60.0
    from swapsim.scenario.units import UnitError, parse_duration_h

    try:
        return parse_duration_h(value)
    except UnitError as exc:
        raise ValueError(f"expected a time of day like '06:00' or '6 h' ({exc})") from None


def _format_time_of_day(hours: float) -> str:
    minutes = hours * 60.0
    if abs(minutes - round(minutes)) < 1e-9:
        m = int(round(minutes))
        return f"{m // 60:02d}:{m % 60:02d}"
    from swapsim.scenario.units import format_duration

    return format_duration(hours)


TimeOfDay = Annotated[
    float, BeforeValidator(_parse_time_of_day), PlainSerializer(_format_time_of_day, when_used="json")
]
"""A time of day: ``"06:00"`` or ``"6 h"`` in the file, hours after midnight in the model."""


class TemperatureSpec(_Frozen):
    """Pack temperature (degC) in each place a pack can be; held constant there [G]."""

    in_robot: Real = Field(default=30.0, ge=-30, le=80, description="pack in a robot, under load (degC)")
    in_bay: Real = Field(default=30.0, ge=-30, le=80, description="pack in a station bay (degC)")


class BatterySpec(_Frozen):
    """Pack ageing: calendar plus cycle power-law fade (see :mod:`swapsim.model.degradation`)."""

    ageing: bool = Field(default=True, description="false: packs never age (health stays 1)")
    chemistry: Literal["nmc811", "lfp", "lfp_wang2011"] = Field(
        default="nmc811", description="cell ageing fit (degradation.CHEMISTRIES)"
    )
    temperature_c: TemperatureSpec = TemperatureSpec()
    wear_sigma: Real = Field(default=0.12, ge=0, le=1, description="per-pack wear multiplier ~ lognormal(0, sigma) [G]")
    wear_scale: Real = Field(
        default=1.0, gt=0, le=100, description="multiplies every pack's wear (sensitivity studies)"
    )
    initial_capacity_sd: Real = Field(default=0.015, ge=0, le=0.2, description="initial capacity Q0 ~ N(1, sd) [G]")
    resistance_growth: Real = Field(default=2.5, ge=0, description="R/R0 = 1 + growth x (1 - retained capacity) [G]")
    life: Literal["new", "end"] = Field(
        default="new",
        description="new: packs start new and age; end: every pack starts at its end-of-life state "
        "(Scenario.end_of_life_health, the resistance to match) and stays there, never retired for health",
    )


class HealthSpec(_Frozen):
    """The station's health check at every drop-off: noisy estimate, thresholds, faults."""

    check_noise_sd: Real = Field(default=0.01, ge=0, le=0.2, description="sd of estimated minus true health [G]")
    warn_below: Real = Field(
        default=0.85, gt=0, le=1.5, description="estimated health below this: warning, order a replacement [G]"
    )
    retire_below: Real = Field(
        default=0.80, gt=0, le=1.5, description="estimated health below this: quarantine and replace [G]"
    )
    retire_resistance_ratio: Real = Field(
        default=2.0, gt=1, description="R/R0 at or above this: quarantine and replace"
    )
    fault_rate_per_cycle: Real = Field(
        default=2e-5, ge=0, le=1, description="chance a drop-off finds a safety fault [G]"
    )

    @model_validator(mode="after")
    def _retire_below_warn(self) -> "HealthSpec":
        if self.retire_below > self.warn_below:
            raise ValueError(f"retire_below ({self.retire_below}) must be <= warn_below ({self.warn_below})")
        return self


class ShiftWindow(_Frozen):
    """A daily on-duty window; ``end`` before ``start`` runs past midnight."""

    start: TimeOfDay = Field(ge=0, lt=24)
    end: TimeOfDay = Field(ge=0, le=24)

    @model_validator(mode="after")
    def _not_empty(self) -> "ShiftWindow":
        if self.start == self.end:
            raise ValueError("start and end must differ (all day: start '00:00', end '24:00')")
        return self

    @property
    def length_h(self) -> float:
        """Hours on duty in the window."""
        return (self.end - self.start) % 24.0 or 24.0


class TechnicianSpec(_Frozen):
    """The crew that replaces quarantined packs, and its spare-pack stock."""

    crew: Int = Field(default=1, ge=0, le=1000, description="technicians on duty in each shift window")
    shifts: list[ShiftWindow] = Field(
        default_factory=lambda: [ShiftWindow.model_validate({"start": "00:00", "end": "24:00"})],
        min_length=1,
        description="daily on-duty windows (model time 0 is midnight); default around the clock",
    )
    response_time: DurationDist = Field(
        default={"dist": "exponential", "mean": "30 min"},
        validate_default=True,
        description="from taking a job to being on site [G]",
    )
    job_duration: DurationDist = Field(
        default={"dist": "triangular", "low": "10 min", "mode": "15 min", "high": "25 min"},
        validate_default=True,
        description="on site: take out the old pack, fit a new one [G]",
    )
    spare_packs: Int = Field(default=4, ge=0, le=100_000, description="new packs in stock at the start [G]")
    reorder_lead_time: Duration = Field(default=336.0, ge=0, description="from ordering a new pack to its delivery [G]")
    new_pack_soc: Real = Field(default=0.5, ge=0, le=1, description="charge of a new pack as delivered [G]")
