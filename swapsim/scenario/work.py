"""Scenario sections for task demand, shifts, faults and power strategies, and the activity steps.

The models here are the parts of a :class:`~swapsim.scenario.schema.Scenario` that describe the work
robots do and what interrupts it: :class:`WorkStep` (one step of an activity cycle or of a task),
:class:`TaskSpec` with its :class:`ArrivalSpec` rate profile, the :class:`ShiftSpec` duty calendar,
:class:`FaultsSpec` and the :class:`StrategySpec` power strategy. All but the steps are optional: a
scenario without them runs the continuous activity cycle, all robots on duty, no faults, hot swapping.
:mod:`swapsim.scenario.schema` imports them for :class:`~swapsim.scenario.schema.Scenario` and
re-exports the public ones.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

import swapsim.scenario.limits as lim
from swapsim.model.policies import DISPATCH_RULES
from swapsim.model.registries import POWER_STRATEGIES
from swapsim.scenario.base import FrozenModel as _Frozen
from swapsim.scenario.distributions import DurationDist
from swapsim.scenario.limits import Int, Real
from swapsim.scenario.units import Distance, Duration, Power

__all__ = [
    "WorkStep",
    "RateSegment",
    "ArrivalSpec",
    "FloorSpec",
    "TaskSpec",
    "DutySegment",
    "ShiftSpec",
    "EstopSpec",
    "BreakdownSpec",
    "StationOutageSpec",
    "FailedSwapSpec",
    "FaultsSpec",
    "StrategySpec",
]


class WorkStep(_Frozen):
    """One step of the activity cycle: an activity (a key of ``power.activities``) for a duration."""

    activity: str
    duration: DurationDist


class RateSegment(_Frozen):
    """From ``start`` (time of day) until the next segment, tasks arrive at ``rate_per_h``."""

    start: Duration = Field(ge=0)
    rate_per_h: Real = Field(ge=0, le=lim.MAX_ARRIVAL_RATE_PER_H, description="tasks per hour")


def _check_segments(segments: list, period: float, what: str) -> None:
    if segments[0].start != 0.0:
        raise ValueError(f"the first {what} must start at 0 h")
    for a, b in zip(segments, segments[1:]):
        if b.start - a.start < lim.MIN_SEGMENT_H:
            raise ValueError(f"{what} starts must increase by at least 1 s")
    if period - segments[-1].start < lim.MIN_SEGMENT_H:
        raise ValueError(f"every {what} must start before the period ({period:g} h), by at least 1 s")


class ArrivalSpec(_Frozen):
    """Task arrivals: a Poisson process whose rate follows a repeating piecewise-constant profile."""

    period: Annotated[Duration, lim.duration_at_least(lim.MIN_PERIOD_H)] = Field(
        default=24.0, description="length of the repeating profile (h)"
    )
    profile: list[RateSegment] = Field(min_length=1)
    scale: Real = Field(default=1.0, gt=0, description="multiplies every rate (for sweeps)")

    @model_validator(mode="after")
    def _ordered(self) -> "ArrivalSpec":
        _check_segments(self.profile, self.period, "profile segment")
        if not any(seg.rate_per_h > 0 for seg in self.profile):
            raise ValueError("at least one segment needs rate_per_h > 0")
        return self

    def mean_rate_per_h(self) -> float:
        """Tasks per hour averaged over one period."""
        starts = [seg.start for seg in self.profile] + [self.period]
        total = sum(seg.rate_per_h * (starts[i + 1] - starts[i]) for i, seg in enumerate(self.profile))
        return self.scale * total / self.period


class FloorSpec(_Frozen):
    """The work floor: task locations are uniform on this rectangle; walks are rectilinear (aisles)."""

    width: Distance = Field(default=50.0, gt=0)
    depth: Distance = Field(default=50.0, gt=0)


class TaskSpec(_Frozen):
    """Task demand: work orders arrive, wait in a queue and are dispatched to idle robots."""

    arrivals: ArrivalSpec
    steps: list[WorkStep] = Field(min_length=1, description="what a task is, in order, after the walk to it")
    dispatch: Annotated[str, AfterValidator(DISPATCH_RULES.check)] = Field(
        default="fifo",
        description="fifo: oldest task to the robot idle longest; nearest: oldest task to the nearest idle robot",
    )
    floor: FloorSpec = FloorSpec()
    approach_activity: str = Field(default="walk", description="activity of the walk to a task's location")
    energy_aware: bool = Field(default=True, description="check a robot's energy before giving it a task")
    reserve: Real = Field(
        default=0.05,
        ge=0,
        lt=1,
        description="energy kept after a task and the walk to a station, as a fraction of one pack's usable energy",
    )


def _fleet_share(value: object) -> str:
    """``"90 %"`` (a share of ``fleet.robots``): checked here, resolved by :meth:`DutySegment.count`."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", value) if isinstance(value, str) else None
    if m is None:
        raise ValueError("must be a whole number of robots or a share of the fleet such as '90 %'")
    if float(m.group(1)) > 100:
        raise ValueError("a share of the fleet must be <= 100 %")
    return f"{m.group(1)} %"


class DutySegment(_Frozen):
    """From ``start`` (time of day) until the next segment, ``robots`` robots are on duty: a count, or a
    share of ``fleet.robots`` (``"90 %"``, rounded to the nearest robot, halves up)."""

    start: Duration = Field(ge=0)
    robots: Annotated[Int, Field(ge=0)] | Annotated[str, AfterValidator(_fleet_share)]

    def count(self, fleet_robots: int) -> int:
        """Robots on duty in this segment for a fleet of ``fleet_robots``."""
        if isinstance(self.robots, int):
            return self.robots
        return int(math.floor(float(self.robots.rstrip(" %")) / 100.0 * fleet_robots + 0.5 + 1e-9))


class ShiftSpec(_Frozen):
    """A calendar of on-duty robot counts, repeating every ``period``."""

    period: Annotated[Duration, lim.duration_at_least(lim.MIN_PERIOD_H)] = 24.0
    calendar: list[DutySegment] = Field(min_length=1)
    off_duty: Literal["replenish", "park_charging"] = Field(
        default="replenish",
        description="replenish: swap (or charge at a dock) every pack below the ready threshold, then park; "
        "park_charging: park at once and charge the packs in the parking spot",
    )

    @model_validator(mode="after")
    def _ordered(self) -> "ShiftSpec":
        _check_segments(self.calendar, self.period, "calendar segment")
        return self


class EstopSpec(_Frozen):
    """Emergency stops: the robot halts where it is for ``duration``, then resumes what it was doing."""

    rate_per_day: Real = Field(
        default=0.0,
        ge=0,
        le=lim.MAX_FAULT_RATE_PER_DAY,
        description="per robot, per day spent working, idle or travelling",
    )
    duration: DurationDist = Field(default="5 min", validate_default=True)


class BreakdownSpec(_Frozen):
    """Robot breakdowns: down until a technician has repaired it (response plus repair, one distribution)."""

    rate_per_day: Real = Field(
        default=0.0,
        ge=0,
        le=lim.MAX_FAULT_RATE_PER_DAY,
        description="per robot, per day spent working, idle or travelling",
    )
    repair: DurationDist = Field(default="4 h", validate_default=True)


class StationOutageSpec(_Frozen):
    """Station outages: the station admits no robot until repaired; queued robots re-route."""

    rate_per_day: Real = Field(default=0.0, ge=0, le=lim.MAX_FAULT_RATE_PER_DAY, description="per station, per day")
    repair: DurationDist = Field(default="2 h", validate_default=True)


class FailedSwapSpec(_Frozen):
    """Failed swap attempts (misread green light, connector fault): time lost, then retried."""

    probability: Real = Field(
        default=0.0, ge=0, le=lim.MAX_FAILED_SWAP_PROBABILITY, description="chance that one attempt fails"
    )
    retry: DurationDist = Field(default="1 min", validate_default=True)


class FaultsSpec(_Frozen):
    """Faults. Every rate defaults to zero (no faults); each kind has its own random stream."""

    estop: EstopSpec = EstopSpec()
    breakdown: BreakdownSpec = BreakdownSpec()
    station_outage: StationOutageSpec = StationOutageSpec()
    failed_swap: FailedSwapSpec = FailedSwapSpec()
    down_power: Power = Field(default=0.0, ge=0, description="draw of a halted or broken-down robot (W)")


class StrategySpec(_Frozen):
    """How robots get energy: ``hot_swap`` (two packs, swapped while powered), ``cold_swap`` (one pack,
    powered down for the swap, then boots), ``plug_in`` (two packs stay in; the robot docks to charge)."""

    kind: Annotated[str, AfterValidator(POWER_STRATEGIES.check)] = Field(
        default="hot_swap", description="a name in the model's registry of power strategies"
    )
    boot_time: DurationDist = Field(
        default="2 min", validate_default=True, description="cold_swap: power-up after the swap"
    )

    @property
    def packs_per_robot(self) -> int:
        return 1 if self.kind == "cold_swap" else 2
