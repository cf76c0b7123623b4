"""The scenario schema: validate once, at the edge, then freeze.

A :class:`Scenario` is an immutable, fully resolved description of one deployment: fleet, packs,
activity powers, workload, swap policy, stations and run settings. It is built only by
:func:`~swapsim.scenario.loading.load_scenario` (from a file plus ``--set`` overrides) or
:func:`~swapsim.scenario.loading.scenario_from_dict`; both reject unknown keys at every level and raise
:class:`ScenarioError`, whose message names the file, the dotted path of the field, the offending value
and what was expected, e.g.::

    scenarios/airport.yaml: stations[1].bays: must be >= 2 (got 0)

Quantities are written with units in the file and held in model units afterwards (hours, Wh, W,
m, m/s; see :mod:`swapsim.scenario.units`). The battery-health sections are in :mod:`swapsim.scenario.health`; the task demand, shift, fault and power-strategy sections in :mod:`swapsim.scenario.work`; the loading, the ``--set`` overrides, the error messages and the YAML round trip are in
:mod:`swapsim.scenario.loading`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

import swapsim.scenario.limits as lim
from swapsim.model.policies import STATION_RULES
from swapsim.model.registries import CHARGING_POLICIES
from swapsim.scenario.base import FrozenModel as _Frozen
from swapsim.scenario.base import ScenarioError
from swapsim.scenario.costs import CostsSpec
from swapsim.scenario.distributions import DurationDist
from swapsim.scenario.health import BatterySpec, HealthSpec, ShiftWindow, TechnicianSpec, TemperatureSpec
from swapsim.scenario.limits import Int, Real, runnable_checks
from swapsim.scenario.units import Distance, Duration, Energy, Power, Speed
from swapsim.scenario.work import (
    ArrivalSpec,
    DutySegment,
    FaultsSpec,
    ShiftSpec,
    StrategySpec,
    TaskSpec,
    WorkStep,
)

StationRule = Annotated[str, AfterValidator(STATION_RULES.check)]
"""A station-choice rule: a name in the model's registry of rules, read at validation (one list, not two)."""
ChargingPolicyName = Annotated[str, AfterValidator(CHARGING_POLICIES.check)]
"""A charging policy: a name in the model's registry of charging policies."""

__all__ = [
    "Scenario",
    "ScenarioError",
    "PackSpec",
    "ChargerSpec",
    "StationSpec",
    "FleetSpec",
    "PowerSpec",
    "WorkStep",
    "WorkloadSpec",
    "PolicySpec",
    "TravelSpec",
    "OutputSpec",
    "TaskSpec",
    "ArrivalSpec",
    "ShiftSpec",
    "DutySegment",
    "FaultsSpec",
    "StrategySpec",
    "BatterySpec",
    "TemperatureSpec",
    "HealthSpec",
    "ShiftWindow",
    "TechnicianSpec",
]


class PackSpec(_Frozen):
    """A battery pack. Defaults: the Walker S2 class 48 V pack (shared/reference/walker-s2.md)."""

    capacity: Energy = Field(default=468.0, gt=0, description="nominal energy (Wh)")
    usable_fraction: Real = Field(default=0.9, gt=0, le=1, description="share of capacity the BMS lets out")
    voltage_v: Real = Field(default=46.8, gt=0, description="nominal voltage (V), for reports only")


class ChargerSpec(_Frozen):
    """A bay charger: constant current, then constant voltage with an exponential taper.

    ``rate_c`` is the constant-current rate in state of charge per hour (of the usable window);
    charging ends when the taper current falls to ``cutoff_c``; the pack then reads 100 %.
    """

    rate_c: Real = Field(default=0.8, gt=0, description="CC rate (1/h)")
    cv_soc: Real = Field(default=0.85, gt=0, lt=1, description="state of charge where CV starts")
    cutoff_c: Real = Field(default=0.05, gt=0, description="taper current where charging ends (1/h)")
    efficiency: Real = Field(default=0.9, gt=0, le=1, description="grid-to-pack efficiency")

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
    positions: Int = Field(default=1, ge=1, le=lim.MAX_POSITIONS, description="robots that can swap at once")
    bays: Int = Field(ge=1, le=lim.MAX_BAYS, description="pack bays, one charger each")
    charged_packs: Int = Field(ge=0, description="full packs in the bays at the start")
    swap_duration: DurationDist = Field(default="3 min", validate_default=True)
    charger: ChargerSpec = ChargerSpec()
    power_cap: Power | None = Field(default=None, gt=0, description="grid power shared by the chargers (W)")
    docks: Int | None = Field(
        default=None,
        ge=1,
        le=lim.MAX_POSITIONS,
        description="plug_in: charging docks, one robot each; default bays // 2",
    )

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

    robots: Int = Field(ge=1, le=lim.MAX_ROBOTS, description="number of robots")
    initial_soc: Literal["staggered", "full"] = Field(
        default="staggered",
        description="staggered: each robot's active pack starts at a random charge above the trigger",
    )
    rescue_time: Duration = Field(default=0.5, gt=0, description="time a stranded robot is down")


class PowerSpec(_Frozen):
    """Electrical power drawn by a robot in each activity."""

    activities: dict[str, Power] = Field(default_factory=lambda: {"walk": 210.0, "stand": 105.0, "idle": 50.0})
    at_station: Power | None = Field(default=None, ge=0, description="draw while queueing and swapping; default: idle")

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

    def activity_cycle(self) -> list[WorkStep]:
        """The activity cycle's steps; a ValueError for task demand, which has none."""
        if self.cycle is None:
            raise ValueError("workload.tasks: this needs an activity cycle (workload.cycle), not task demand")
        return self.cycle


class PolicySpec(_Frozen):
    """Swap decisions."""

    swap_trigger: Real = Field(
        default=0.2, ge=0, lt=1, description="state of charge at which the active pack is given up"
    )
    ready_threshold: Real = Field(default=0.95, gt=0, le=1, description="state of charge at which a bay shows green")
    go: Literal["immediately", "after_activity"] = "immediately"
    station_choice: StationRule = "nearest"
    charging: ChargingPolicyName = Field(
        default="fifo", description="which bay waiting for a charger under a station power cap gets the next one"
    )
    opportunistic_below: Real | None = Field(
        default=None,
        gt=0,
        le=1,
        description="an idle robot with a pack below this state of charge swaps early when a station is free",
    )


class TravelSpec(_Frozen):
    """Walking between the work area and the stations."""

    walking_speed: Speed = Field(default=1.0, gt=0)


class OutputSpec(_Frozen):
    """What a run records besides its KPIs."""

    bin_width: Annotated[Duration, lim.duration_at_least(lim.MIN_BIN_WIDTH_H)] = Field(
        default=0.25, description="time-series bin width"
    )
    trace_events: Int = Field(default=0, ge=0, le=1_000_000, description="keep the first N model events (0: none)")
    health_bin_width: Annotated[Duration, lim.duration_at_least(lim.MIN_HEALTH_BIN_WIDTH_H)] = Field(
        default=24.0, description="interval between pack-health snapshots (health.csv)"
    )
    alerts_limit: Int = Field(
        default=10_000, ge=0, le=1_000_000, description="keep the first N alerts as alerts.csv rows; count the rest"
    )


class Scenario(_Frozen):
    """A whole scenario. Times in hours, energies in Wh, powers in W, distances in m."""

    name: str = Field(min_length=1)
    description: str = ""
    horizon: Annotated[Duration, lim.duration_at_most(lim.MAX_HORIZON_H)] = Field(gt=0)
    warmup: Duration = Field(default=0.0, ge=0)
    seed: Int = Field(default=1, ge=0, le=lim.MAX_SEED)
    fleet: FleetSpec
    pack: PackSpec = PackSpec()
    power: PowerSpec = PowerSpec()
    workload: WorkloadSpec
    policy: PolicySpec = PolicySpec()
    travel: TravelSpec = TravelSpec()
    stations: list[StationSpec] = Field(min_length=1, max_length=lim.MAX_STATIONS)
    output: OutputSpec = OutputSpec()
    strategy: StrategySpec = StrategySpec()
    shifts: ShiftSpec | None = None
    faults: FaultsSpec = FaultsSpec()
    battery: BatterySpec = BatterySpec()
    health: HealthSpec = HealthSpec()
    technicians: TechnicianSpec = TechnicianSpec()
    costs: CostsSpec | None = None  # prices, for the costs KPIs and swapsim size (swapsim.scenario.costs)

    @property
    def end_of_life_health(self) -> float:
        """Health (fraction of rated capacity) at which a pack of rated capacity is retired: the capacity
        threshold ``health.retire_below``, or where the resistance ratio ``1 + growth (1 - health)``
        reaches ``health.retire_resistance_ratio`` if that comes first."""
        growth = self.battery.resistance_growth
        by_resistance = 1.0 - (self.health.retire_resistance_ratio - 1.0) / growth if growth > 0 else 0.0
        return max(self.health.retire_below, by_resistance)

    @property
    def total_packs(self) -> int:
        """Packs in the system: those in the robots plus those in the bays at the start (none for plug_in)."""
        in_bays = 0 if self.strategy.kind == "plug_in" else sum(s.charged_packs for s in self.stations)
        return self.strategy.packs_per_robot * self.fleet.robots + in_bays


# ---------------------------------------------------------------------------------------------
# Cross-field checks that pydantic field validators cannot place on one field.


RESERVED_STATION_NAMES = ("robots", "rostered", "time")
"""Station names refused: the first words of swapsim's own columns in timeseries.csv (``robots_down``,
``rostered_robots``, ``time_h``), so that a station's columns (``<name>_<series>``) never take one's name."""


def cross_checks(s: Scenario) -> list[tuple[str, str, Any]]:
    errors: list[tuple[str, str, Any]] = []
    if s.warmup >= s.horizon:
        errors.append(("warmup", "must be shorter than horizon", _raw_duration(s.warmup)))
    known = set(s.power.activities)
    for i, step in enumerate(s.workload.cycle or []):
        if step.activity not in known:
            errors.append(
                (
                    f"workload.cycle[{i}].activity",
                    f"must be one of the activities in power.activities ({', '.join(sorted(known))})",
                    step.activity,
                )
            )
    if s.policy.ready_threshold <= s.policy.swap_trigger:
        errors.append(
            (
                "policy.ready_threshold",
                f"must be > policy.swap_trigger ({s.policy.swap_trigger})",
                s.policy.ready_threshold,
            )
        )
    if s.workload.cycle and sum(step.duration.mean for step in s.workload.cycle) < lim.MIN_CYCLE_H:
        errors.append(
            (
                "workload.cycle",
                "the steps' mean durations must add up to at least 1 min (a shorter cycle stops the clock)",
                _raw_duration(sum(step.duration.mean for step in s.workload.cycle)),
            )
        )
    usable_wh = s.pack.capacity * s.pack.usable_fraction
    for i, st in enumerate(s.stations):
        charger_w = st.charger.rate_c * usable_wh / st.charger.efficiency
        if st.power_cap is not None and st.power_cap < charger_w:
            errors.append(
                (
                    f"stations[{i}].power_cap",
                    f"must be at least one charger's power ({charger_w:.0f} W)",
                    f"{st.power_cap:g} W",
                )
            )
    seen: dict[str, int] = {}
    for i, st in enumerate(s.stations):
        if st.name in seen:
            errors.append((f"stations[{i}].name", f"duplicates stations[{seen[st.name]}].name", st.name))
        seen.setdefault(st.name, i)
        if st.name.lower() in RESERVED_STATION_NAMES:
            errors.append(
                (
                    f"stations[{i}].name",
                    f"must not be one of {', '.join(RESERVED_STATION_NAMES)}: timeseries.csv names its own series "
                    f"{RESERVED_STATION_NAMES[0]}_<state>, rostered_robots and time_h, and a station's columns are "
                    f"<name>_busy, <name>_down, ... (a station 'robots' would overwrite robots_down)",
                    st.name,
                )
            )
    if sum(st.positions for st in s.stations) == 0:  # pragma: no cover - guarded by ge=1
        errors.append(("stations", "need at least one swap position", 0))
    errors.extend(_realistic_work_checks(s))
    errors.extend(runnable_checks(s))
    return errors


def _realistic_work_checks(s: Scenario) -> list[tuple[str, str, Any]]:
    """Cross-field checks of tasks, shifts and opportunistic swaps."""
    errors: list[tuple[str, str, Any]] = []
    known = set(s.power.activities)
    tasks = s.workload.tasks
    if tasks is not None:
        for i, step in enumerate(tasks.steps):
            if step.activity not in known:
                errors.append(
                    (
                        f"workload.tasks.steps[{i}].activity",
                        f"must be one of the activities in power.activities ({', '.join(sorted(known))})",
                        step.activity,
                    )
                )
        if tasks.approach_activity not in known:
            errors.append(
                (
                    "workload.tasks.approach_activity",
                    f"must be one of the activities in power.activities ({', '.join(sorted(known))})",
                    tasks.approach_activity,
                )
            )
    if s.shifts is not None:
        for i, seg in enumerate(s.shifts.calendar):
            if isinstance(seg.robots, int) and seg.robots > s.fleet.robots:
                errors.append(
                    (f"shifts.calendar[{i}].robots", f"must be <= fleet.robots ({s.fleet.robots})", seg.robots)
                )
    below = s.policy.opportunistic_below
    if below is not None and below <= s.policy.swap_trigger:
        errors.append(("policy.opportunistic_below", f"must be > policy.swap_trigger ({s.policy.swap_trigger})", below))
    if below is not None and below > s.policy.ready_threshold:
        errors.append(
            (
                "policy.opportunistic_below",
                f"must be <= policy.ready_threshold ({s.policy.ready_threshold}): a fresh pack must satisfy it",
                below,
            )
        )
    return errors


def _raw_duration(hours: float) -> str:
    from swapsim.scenario.units import format_duration

    return format_duration(hours)
