"""The scenario schema and the YAML loader: validate once, at the edge, then freeze.

A :class:`Scenario` is an immutable, fully resolved description of one deployment: fleet, packs,
activity powers, workload, swap policy, stations and run settings. It is built only by
:func:`load_scenario` (from a file plus ``--set`` overrides) or :func:`scenario_from_dict`; both
reject unknown keys at every level and raise :class:`ScenarioError`, whose message names the file,
the dotted path of the field, the offending value and what was expected, e.g.::

    scenarios/airport.yaml: stations[1].bays: must be >= 2 (got 0)

Quantities are written with units in the file and held in model units afterwards (hours, Wh, W,
m, m/s; see :mod:`swapsim.units`). :func:`dump_scenario` writes the resolved scenario, every default
filled in, back to YAML that loads to an equal scenario.
"""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from swapsim.distributions import DIST_NAMES, DurationDist
from swapsim.sizing.costs import CostsSpec
from swapsim.units import Distance, Duration, Energy, Power, Speed

__all__ = [
    "Scenario", "ScenarioError", "load_scenario", "scenario_from_dict", "dump_scenario",
    "apply_override", "split_path", "WILDCARD", "PackSpec", "ChargerSpec", "StationSpec", "FleetSpec", "PowerSpec",
    "WorkStep", "WorkloadSpec", "PolicySpec", "TravelSpec", "OutputSpec",
    "STRATEGIES", "TaskSpec", "ArrivalSpec", "ShiftSpec", "FaultsSpec", "StrategySpec",
    "BatterySpec", "TemperatureSpec", "HealthSpec", "ShiftWindow", "TechnicianSpec",
]


class ScenarioError(Exception):
    """A scenario that cannot be used, with a message fit to show the user as it is."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PackSpec(_Frozen):
    """A battery pack. Defaults: the Walker S2 class 48 V pack (shared/reference/walker-s2.md)."""

    capacity: Energy = Field(default=468.0, gt=0, description="nominal energy (Wh)")
    usable_fraction: float = Field(default=0.9, gt=0, le=1, description="share of capacity the BMS lets out")
    voltage_v: float = Field(default=46.8, gt=0, description="nominal voltage (V), for reports only")


class ChargerSpec(_Frozen):
    """A bay charger: constant current, then constant voltage with an exponential taper.

    ``rate_c`` is the constant-current rate in state of charge per hour (of the usable window);
    charging ends when the taper current falls to ``cutoff_c``; the pack then reads 100 %.
    """

    rate_c: float = Field(default=0.8, gt=0, description="CC rate (1/h)")
    cv_soc: float = Field(default=0.85, gt=0, lt=1, description="state of charge where CV starts")
    cutoff_c: float = Field(default=0.05, gt=0, description="taper current where charging ends (1/h)")
    efficiency: float = Field(default=0.9, gt=0, le=1, description="grid-to-pack efficiency")

    @field_validator("cutoff_c")
    @classmethod
    def _below_rate(cls, v: float, info) -> float:
        rate = info.data.get("rate_c")
        if rate is not None and v >= rate:
            raise ValueError(f"must be < rate_c ({rate})")
        return v


class StationSpec(_Frozen):
    """A swap station: positions where robots swap, bays that hold and charge packs."""

    name: str = Field(min_length=1)
    distance: Distance = Field(ge=0, description="one-way walking distance from the work area (m)")
    positions: int = Field(default=1, ge=1, description="robots that can swap at once")
    bays: int = Field(ge=1, description="pack bays, one charger each")
    charged_packs: int = Field(ge=0, description="full packs in the bays at the start")
    swap_duration: DurationDist = Field(default="3 min", validate_default=True)
    charger: ChargerSpec = ChargerSpec()
    power_cap: Power | None = Field(default=None, gt=0, description="grid power shared by the chargers (W)")
    docks: int | None = Field(default=None, ge=1,
                              description="plug_in: charging docks, one robot each; default bays // 2")

    @property
    def plug_in_docks(self) -> int:
        """Docks for plug-in charging: as given, else as many pack chargers as the bays (two per robot)."""
        return self.docks if self.docks is not None else max(1, self.bays // 2)

    @field_validator("charged_packs")
    @classmethod
    def _leave_an_empty_bay(cls, v: int, info) -> int:
        bays = info.data.get("bays")
        if bays is not None and v >= bays:
            raise ValueError(f"must be < bays ({bays}): a drop-off needs an empty bay")
        return v


class FleetSpec(_Frozen):
    """The robots."""

    robots: int = Field(ge=1, description="number of robots")
    initial_soc: Literal["staggered", "full"] = Field(
        default="staggered",
        description="staggered: each robot's active pack starts at a random charge above the trigger")
    rescue_time: Duration = Field(default=0.5, gt=0, description="time a stranded robot is down")


class PowerSpec(_Frozen):
    """Electrical power drawn by a robot in each activity."""

    activities: dict[str, Power] = Field(
        default_factory=lambda: {"walk": 210.0, "stand": 105.0, "idle": 50.0})
    at_station: Power | None = Field(default=None, ge=0,
                                     description="draw while queueing and swapping; default: idle")

    @field_validator("activities")
    @classmethod
    def _needs_walk_and_idle(cls, v: dict[str, float]) -> dict[str, float]:
        missing = [k for k in ("walk", "idle") if k not in v]
        if missing:
            raise ValueError(f"must define {', '.join(missing)} (travel walks; idle robots idle)")
        negative = [k for k, p in v.items() if p < 0]
        if negative:
            raise ValueError(f"power must be >= 0 for {', '.join(negative)}")
        return v

    @property
    def station_w(self) -> float:
        """Power drawn while at a station (W)."""
        return self.activities["idle"] if self.at_station is None else self.at_station


class WorkStep(_Frozen):
    """One step of the activity cycle: an activity (a key of ``power.activities``) for a duration."""

    activity: str
    duration: DurationDist


# ---------------------------------------------------------------------------------------------
# Task demand, shifts, faults and power strategies. All optional: a scenario without them runs the
# continuous activity cycle, all robots on duty, no faults, hot swapping.

STRATEGIES: tuple[str, ...] = ("hot_swap", "cold_swap", "plug_in")
"""Power strategies: two packs swapped hot; one pack swapped powered down; no swap, plug-in charging."""


class RateSegment(_Frozen):
    """From ``start`` (time of day) until the next segment, tasks arrive at ``rate_per_h``."""

    start: Duration = Field(ge=0)
    rate_per_h: float = Field(ge=0, description="tasks per hour")


def _check_segments(segments: list, period: float, what: str) -> None:
    if segments[0].start != 0.0:
        raise ValueError(f"the first {what} must start at 0 h")
    for a, b in zip(segments, segments[1:]):
        if b.start <= a.start:
            raise ValueError(f"{what} starts must increase")
    if segments[-1].start >= period:
        raise ValueError(f"every {what} must start before the period ({period:g} h)")


class ArrivalSpec(_Frozen):
    """Task arrivals: a Poisson process whose rate follows a repeating piecewise-constant profile."""

    period: Duration = Field(default=24.0, gt=0, description="length of the repeating profile (h)")
    profile: list[RateSegment] = Field(min_length=1)
    scale: float = Field(default=1.0, ge=0, description="multiplies every rate (for sweeps)")

    @model_validator(mode="after")
    def _ordered(self) -> "ArrivalSpec":
        _check_segments(self.profile, self.period, "profile segment")
        if self.scale > 0 and not any(seg.rate_per_h > 0 for seg in self.profile):
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
    dispatch: Literal["fifo", "nearest"] = Field(
        default="fifo",
        description="fifo: oldest task to the robot idle longest; nearest: oldest task to the nearest idle robot")
    floor: FloorSpec = FloorSpec()
    approach_activity: str = Field(default="walk", description="activity of the walk to a task's location")
    energy_aware: bool = Field(default=True, description="check a robot's energy before giving it a task")
    reserve: float = Field(default=0.05, ge=0, lt=1,
                           description="energy kept after a task and the walk to a station, "
                                       "as a fraction of one pack's usable energy")


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
    robots: Annotated[int, Field(ge=0)] | Annotated[str, AfterValidator(_fleet_share)]

    def count(self, fleet_robots: int) -> int:
        """Robots on duty in this segment for a fleet of ``fleet_robots``."""
        if isinstance(self.robots, int):
            return self.robots
        return int(math.floor(float(self.robots.rstrip(" %")) / 100.0 * fleet_robots + 0.5 + 1e-9))


class ShiftSpec(_Frozen):
    """A calendar of on-duty robot counts, repeating every ``period``."""

    period: Duration = Field(default=24.0, gt=0)
    calendar: list[DutySegment] = Field(min_length=1)
    off_duty: Literal["replenish", "park_charging"] = Field(
        default="replenish",
        description="replenish: swap (or charge at a dock) every pack below the ready threshold, then park; "
                    "park_charging: park at once and charge the packs in the parking spot")

    @model_validator(mode="after")
    def _ordered(self) -> "ShiftSpec":
        _check_segments(self.calendar, self.period, "calendar segment")
        return self


class EstopSpec(_Frozen):
    """Emergency stops: the robot halts where it is for ``duration``, then resumes what it was doing."""

    rate_per_day: float = Field(default=0.0, ge=0,
                                description="per robot, per day spent working, idle or travelling")
    duration: DurationDist = Field(default="5 min", validate_default=True)


class BreakdownSpec(_Frozen):
    """Robot breakdowns: down until a technician has repaired it (response plus repair, one distribution)."""

    rate_per_day: float = Field(default=0.0, ge=0,
                                description="per robot, per day spent working, idle or travelling")
    repair: DurationDist = Field(default="4 h", validate_default=True)


class StationOutageSpec(_Frozen):
    """Station outages: the station admits no robot until repaired; queued robots re-route."""

    rate_per_day: float = Field(default=0.0, ge=0, description="per station, per day")
    repair: DurationDist = Field(default="2 h", validate_default=True)


class FailedSwapSpec(_Frozen):
    """Failed swap attempts (misread green light, connector fault): time lost, then retried."""

    probability: float = Field(default=0.0, ge=0, lt=1, description="chance that one attempt fails")
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

    kind: Literal["hot_swap", "cold_swap", "plug_in"] = "hot_swap"
    boot_time: DurationDist = Field(default="2 min", validate_default=True,
                                    description="cold_swap: power-up after the swap")

    @property
    def packs_per_robot(self) -> int:
        return 1 if self.kind == "cold_swap" else 2


class WorkloadSpec(_Frozen):
    """What robots do between swaps: an endless ``cycle`` of steps (each robot starts at a random step),
    or ``tasks`` dispatched from a queue. Exactly one of the two."""

    cycle: list[WorkStep] | None = Field(default=None, min_length=1)
    tasks: TaskSpec | None = None

    @model_validator(mode="after")
    def _one_mode(self) -> "WorkloadSpec":
        if (self.cycle is None) == (self.tasks is None):
            raise ValueError("give exactly one of cycle (a repeated activity cycle) or tasks (task demand)")
        return self


class PolicySpec(_Frozen):
    """Swap decisions."""

    swap_trigger: float = Field(default=0.2, ge=0, lt=1,
                                description="state of charge at which the active pack is given up")
    ready_threshold: float = Field(default=0.95, gt=0, le=1,
                                   description="state of charge at which a bay shows green")
    go: Literal["immediately", "after_activity"] = "immediately"
    station_choice: Literal["nearest", "shortest_wait"] = "nearest"
    opportunistic_below: float | None = Field(
        default=None, gt=0, le=1,
        description="an idle robot with a pack below this state of charge swaps early when a station is free")


class TravelSpec(_Frozen):
    """Walking between the work area and the stations."""

    walking_speed: Speed = Field(default=1.0, gt=0)


class OutputSpec(_Frozen):
    """What a run records besides its KPIs."""

    bin_width: Duration = Field(default=0.25, gt=0, description="time-series bin width")
    trace_events: int = Field(default=0, ge=0, le=1_000_000,
                              description="keep the first N model events (0: none)")
    health_bin_width: Duration = Field(default=24.0, gt=0,
                                       description="interval between pack-health snapshots (health.csv)")
    alerts_limit: int = Field(default=10_000, ge=0, le=1_000_000,
                              description="keep the first N alerts as alerts.csv rows; count the rest")


# ---------------------------------------------------------------------------------------------
# Battery health over months: ageing, health checks at drop-off, the technician crew.
# Defaults: shared/reference/walker-s2.md; [G] marks an assumption (docs/scenarios.md).

def _parse_time_of_day(value: object) -> float:
    """``"06:30"`` or a duration such as ``"6.5 h"``; returns hours after midnight."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError("write a time of day in quotes ('22:00') or with a unit (22 h): "
                         "unquoted, YAML reads 22:00 as the number 1320")
    if isinstance(value, str):
        m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
        if m:
            hours, minutes = int(m.group(1)), int(m.group(2))
            if minutes >= 60:
                raise ValueError(f"minutes must be < 60 in {value!r}")
            return hours + minutes / 60.0
    from swapsim.units import UnitError, parse_duration_h
    try:
        return parse_duration_h(value)
    except UnitError as exc:
        raise ValueError(f"expected a time of day like '06:00' or '6 h' ({exc})") from None


def _format_time_of_day(hours: float) -> str:
    minutes = hours * 60.0
    if abs(minutes - round(minutes)) < 1e-9:
        m = int(round(minutes))
        return f"{m // 60:02d}:{m % 60:02d}"
    from swapsim.units import format_duration
    return format_duration(hours)


from pydantic import BeforeValidator, PlainSerializer, model_validator  # noqa: E402
from typing import Annotated  # noqa: E402

TimeOfDay = Annotated[float, BeforeValidator(_parse_time_of_day),
                      PlainSerializer(_format_time_of_day, when_used="json")]
"""A time of day: ``"06:00"`` or ``"6 h"`` in the file, hours after midnight in the model."""


class TemperatureSpec(_Frozen):
    """Pack temperature (degC) in each place a pack can be; held constant there [G]."""

    in_robot: float = Field(default=30.0, ge=-30, le=80, description="pack in a robot, under load (degC)")
    in_bay: float = Field(default=30.0, ge=-30, le=80, description="pack in a station bay (degC)")


class BatterySpec(_Frozen):
    """Pack ageing: calendar plus cycle power-law fade (see :mod:`swapsim.model.degradation`)."""

    ageing: bool = Field(default=True, description="false: packs never age (health stays 1)")
    chemistry: Literal["nmc811", "lfp", "lfp_wang2011"] = Field(
        default="nmc811", description="cell ageing fit (degradation.CHEMISTRIES)")
    temperature_c: TemperatureSpec = TemperatureSpec()
    wear_sigma: float = Field(default=0.12, ge=0, le=1,
                              description="per-pack wear multiplier ~ lognormal(0, sigma) [G]")
    wear_scale: float = Field(default=1.0, gt=0, le=100,
                              description="multiplies every pack's wear (sensitivity studies)")
    initial_capacity_sd: float = Field(default=0.015, ge=0, le=0.2,
                                       description="initial capacity Q0 ~ N(1, sd) [G]")
    resistance_growth: float = Field(default=2.5, ge=0,
                                     description="R/R0 = 1 + growth x (1 - retained capacity) [G]")


class HealthSpec(_Frozen):
    """The station's health check at every drop-off: noisy estimate, thresholds, faults."""

    check_noise_sd: float = Field(default=0.01, ge=0, le=0.2,
                                  description="sd of estimated minus true health [G]")
    warn_below: float = Field(default=0.85, gt=0, le=1.5,
                              description="estimated health below this: warning, order a replacement [G]")
    retire_below: float = Field(default=0.80, gt=0, le=1.5,
                                description="estimated health below this: quarantine and replace [G]")
    retire_resistance_ratio: float = Field(default=2.0, gt=1,
                                           description="R/R0 at or above this: quarantine and replace")
    fault_rate_per_cycle: float = Field(default=2e-5, ge=0, le=1,
                                        description="chance a drop-off finds a safety fault [G]")

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

    crew: int = Field(default=1, ge=0, le=1000, description="technicians on duty in each shift window")
    shifts: list[ShiftWindow] = Field(
        default_factory=lambda: [ShiftWindow(start="00:00", end="24:00")], min_length=1,
        description="daily on-duty windows (model time 0 is midnight); default around the clock")
    response_time: DurationDist = Field(
        default={"dist": "exponential", "mean": "30 min"}, validate_default=True,
        description="from taking a job to being on site [G]")
    job_duration: DurationDist = Field(
        default={"dist": "triangular", "low": "10 min", "mode": "15 min", "high": "25 min"},
        validate_default=True, description="on site: take out the old pack, fit a new one [G]")
    spare_packs: int = Field(default=4, ge=0, le=100_000, description="new packs in stock at the start [G]")
    reorder_lead_time: Duration = Field(default=336.0, ge=0,
                                        description="from ordering a new pack to its delivery [G]")
    new_pack_soc: float = Field(default=0.5, ge=0, le=1, description="charge of a new pack as delivered [G]")


class Scenario(_Frozen):
    """A whole scenario. Times in hours, energies in Wh, powers in W, distances in m."""

    name: str = Field(min_length=1)
    description: str = ""
    horizon: Duration = Field(gt=0)
    warmup: Duration = Field(default=0.0, ge=0)
    seed: int = Field(default=1, ge=0)
    fleet: FleetSpec
    pack: PackSpec = PackSpec()
    power: PowerSpec = PowerSpec()
    workload: WorkloadSpec
    policy: PolicySpec = PolicySpec()
    travel: TravelSpec = TravelSpec()
    stations: list[StationSpec] = Field(min_length=1)
    output: OutputSpec = OutputSpec()
    strategy: StrategySpec = StrategySpec()
    shifts: ShiftSpec | None = None
    faults: FaultsSpec = FaultsSpec()
    battery: BatterySpec = BatterySpec()
    health: HealthSpec = HealthSpec()
    technicians: TechnicianSpec = TechnicianSpec()
    costs: CostsSpec | None = None  # swapsim.sizing.costs: prices, for the costs KPIs and swapsim size

    @property
    def total_packs(self) -> int:
        """Packs in the system: those in the robots plus those in the bays at the start (none for plug_in)."""
        in_bays = 0 if self.strategy.kind == "plug_in" else sum(s.charged_packs for s in self.stations)
        return self.strategy.packs_per_robot * self.fleet.robots + in_bays


# ---------------------------------------------------------------------------------------------
# Cross-field checks that pydantic field validators cannot place on one field.

def _cross_checks(s: Scenario) -> list[tuple[str, str, Any]]:
    errors: list[tuple[str, str, Any]] = []
    if s.warmup >= s.horizon:
        errors.append(("warmup", "must be shorter than horizon", _raw_duration(s.warmup)))
    known = set(s.power.activities)
    for i, step in enumerate(s.workload.cycle or []):
        if step.activity not in known:
            errors.append((f"workload.cycle[{i}].activity",
                           f"must be one of the activities in power.activities ({', '.join(sorted(known))})",
                           step.activity))
    if s.policy.ready_threshold <= s.policy.swap_trigger:
        errors.append(("policy.ready_threshold", f"must be > policy.swap_trigger ({s.policy.swap_trigger})",
                       s.policy.ready_threshold))
    if s.workload.cycle and sum(step.duration.mean for step in s.workload.cycle) <= 0:
        errors.append(("workload.cycle", "the steps' mean durations must add up to more than zero",
                       [step.activity for step in s.workload.cycle]))
    usable_wh = s.pack.capacity * s.pack.usable_fraction
    for i, st in enumerate(s.stations):
        charger_w = st.charger.rate_c * usable_wh / st.charger.efficiency
        if st.power_cap is not None and st.power_cap < charger_w:
            errors.append((f"stations[{i}].power_cap",
                           f"must be at least one charger's power ({charger_w:.0f} W)",
                           f"{st.power_cap:g} W"))
    seen: dict[str, int] = {}
    for i, st in enumerate(s.stations):
        if st.name in seen:
            errors.append((f"stations[{i}].name", f"duplicates stations[{seen[st.name]}].name", st.name))
        seen.setdefault(st.name, i)
    if sum(st.positions for st in s.stations) == 0:  # pragma: no cover - guarded by ge=1
        errors.append(("stations", "need at least one swap position", 0))
    errors.extend(_realistic_work_checks(s))
    return errors


def _realistic_work_checks(s: Scenario) -> list[tuple[str, str, Any]]:
    """Cross-field checks of tasks, shifts and opportunistic swaps."""
    errors: list[tuple[str, str, Any]] = []
    known = set(s.power.activities)
    tasks = s.workload.tasks
    if tasks is not None:
        for i, step in enumerate(tasks.steps):
            if step.activity not in known:
                errors.append((f"workload.tasks.steps[{i}].activity",
                               f"must be one of the activities in power.activities ({', '.join(sorted(known))})",
                               step.activity))
        if tasks.approach_activity not in known:
            errors.append(("workload.tasks.approach_activity",
                           f"must be one of the activities in power.activities ({', '.join(sorted(known))})",
                           tasks.approach_activity))
    if s.shifts is not None:
        for i, seg in enumerate(s.shifts.calendar):
            if isinstance(seg.robots, int) and seg.robots > s.fleet.robots:
                errors.append((f"shifts.calendar[{i}].robots", f"must be <= fleet.robots ({s.fleet.robots})",
                               seg.robots))
    below = s.policy.opportunistic_below
    if below is not None and below <= s.policy.swap_trigger:
        errors.append(("policy.opportunistic_below", f"must be > policy.swap_trigger ({s.policy.swap_trigger})",
                       below))
    if below is not None and below > s.policy.ready_threshold:
        errors.append(("policy.opportunistic_below",
                       f"must be <= policy.ready_threshold ({s.policy.ready_threshold}): a fresh pack must satisfy it",
                       below))
    return errors


def _raw_duration(hours: float) -> str:
    from swapsim.units import format_duration
    return format_duration(hours)


# ---------------------------------------------------------------------------------------------
# Error messages

def _loc_to_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif isinstance(item, str) and (item in DIST_NAMES or item.startswith("function-")):
            continue  # discriminated-union tags and validator wrappers are not part of the path
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _describe(err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "greater_than_equal":
        return f"must be >= {ctx['ge']}"
    if kind == "greater_than":
        return f"must be > {ctx['gt']}"
    if kind == "less_than_equal":
        return f"must be <= {ctx['le']}"
    if kind == "less_than":
        return f"must be < {ctx['lt']}"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/scenarios.md)"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "must be a whole number"
    if kind in ("float_type", "float_parsing"):
        return "must be a number"
    if kind in ("string_type",):
        return "must be text"
    if kind in ("bool_type", "bool_parsing"):
        return "must be true or false"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a mapping of fields"
    if kind == "list_type":
        return "must be a list"
    if kind == "too_short":
        return f"must have at least {ctx.get('min_length')} item(s)"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "union_tag_invalid":
        return f"unknown distribution (expected dist: one of {', '.join(DIST_NAMES)})"
    if kind == "union_tag_not_found":
        return f"a distribution needs a 'dist' key (one of {', '.join(DIST_NAMES)})"
    if kind == "value_error":
        msg = str(ctx.get("error", err["msg"]))
        return msg
    return err["msg"]


def _show(value: Any) -> str:
    if isinstance(value, dict) and "dist" in value and value.get("dist") == "fixed" and len(value) == 2:
        value = value.get("value")
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _format_errors(source: str, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        path = _loc_to_path(err["loc"])
        msg = _describe(err)
        if err["type"] == "missing":
            lines.append(f"{source}: {path}: {msg}")
        else:
            lines.append(f"{source}: {path}: {msg} (got {_show(err.get('input'))})")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Overrides: --set dotted.path=value

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+|\*)\]")
WILDCARD = "*"
"""The list index ``[*]`` (every item), accepted where a caller allows it (sweep factors)."""


def split_path(path: str, label: str = "--set", *, wildcard: bool = False, hint: str = "") -> list[str | int]:
    """``stations[1].bays`` (or ``stations.1.bays``) -> ``["stations", 1, "bays"]``.

    ``[*]`` gives :data:`WILDCARD` when ``wildcard`` is true and is an error otherwise. Errors name
    ``label`` and the path, with ``hint`` appended to an unreadable segment's message.
    """
    parts: list[str | int] = []
    for token in path.split("."):
        if not token:
            raise ScenarioError(f"{label} {path}: empty path segment")
        pos = 0
        for m in _SEGMENT.finditer(token):
            if m.start() != pos or (m.group(2) == WILDCARD and not wildcard):
                break
            pos = m.end()
            if m.group(1) is not None:
                parts.append(int(m.group(1)) if m.group(1).isdigit() else m.group(1))
            else:
                parts.append(WILDCARD if m.group(2) == WILDCARD else int(m.group(2)))
        if pos != len(token):
            raise ScenarioError(f"{label} {path}: cannot read the path at '{token}'{hint}")
    return parts


def apply_override(data: dict[str, Any], assignment: str) -> dict[str, Any]:
    """Return a copy of ``data`` with one ``dotted.path=value`` assignment applied.

    The value is read as a YAML scalar or flow collection (``40``, ``"14 d"``, ``[1, 2]``,
    ``{dist: exponential, mean: 3 min}``). List items are addressed as ``stations[1].bays`` or
    ``stations.1.bays``. Unknown keys are caught by validation afterwards, like keys in the file.
    """
    if "=" not in assignment:
        raise ScenarioError(f"--set {assignment}: expected dotted.path=value")
    path, raw = assignment.split("=", 1)
    path = path.strip()
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise ScenarioError(f"--set {assignment}: value is not valid YAML ({exc.__class__.__name__})") from None
    parts = split_path(path)
    out = copy.deepcopy(data)
    node: Any = out
    for depth, key in enumerate(parts):
        last = depth == len(parts) - 1
        where = _loc_to_path(tuple(parts[: depth + 1]))
        if isinstance(key, int):
            if not isinstance(node, list):
                raise ScenarioError(f"--set {assignment}: {where}: is not a list")
            if not -len(node) <= key < len(node):
                raise ScenarioError(f"--set {assignment}: {where}: index out of range "
                                    f"(the list has {len(node)} item(s))")
        else:
            if not isinstance(node, dict):
                raise ScenarioError(f"--set {assignment}: {where}: is not a mapping")
        if last:
            node[key] = value
        else:
            if isinstance(key, str) and key not in node:
                node[key] = {}
            node = node[key]
    return out


# ---------------------------------------------------------------------------------------------
# Loading

def scenario_from_dict(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a mapping (as read from YAML) into a frozen :class:`Scenario`."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: the file must hold a mapping of fields (got {type(data).__name__})")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format_errors(source, exc)) from None
    problems = _cross_checks(scenario)
    if problems:
        raise ScenarioError("\n".join(f"{source}: {p}: {m} (got {_show(v)})" for p, m, v in problems))
    return scenario


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file safely (no object-building tags), with readable errors."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a directory, expected a YAML file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc.__class__.__name__})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if mark is not None:
            raise ScenarioError(f"{path}:{mark.line + 1}:{mark.column + 1}: invalid YAML: {problem}") from None
        raise ScenarioError(f"{path}: invalid YAML: {problem}") from None


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load, override and validate a scenario file.

    Args:
        path: the YAML file.
        overrides: ``dotted.path=value`` assignments applied in order before validation.
    Raises:
        ScenarioError: with one line per problem, each naming the file and the field.
    """
    path = Path(path)
    data = read_yaml(path)
    if data is None:
        raise ScenarioError(f"{path}: the file is empty")
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: the file must hold a mapping of fields (got {type(data).__name__})")
    data.setdefault("name", path.stem)
    for assignment in overrides:
        data = apply_override(data, assignment)
    source = str(path) if not overrides else f"{path} (with --set {', '.join(overrides)})"
    return scenario_from_dict(data, source)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain data with units written out (loads back to an equal scenario)."""
    return scenario.model_dump(mode="json", by_alias=True)


def dump_scenario(scenario: Scenario) -> str:
    """The resolved scenario as YAML text."""
    return yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True, width=100)
