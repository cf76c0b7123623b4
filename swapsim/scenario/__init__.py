"""Scenarios: the schema (pydantic, frozen, unknown keys rejected), loading with ``--set`` overrides and
path-aware errors, bounds on every input (:mod:`~swapsim.scenario.limits`, :mod:`~swapsim.scenario.yaml_loader`),
units (``"3 min"``, ``"468 Wh"``) and duration distributions.

Validate once, at the edge, then freeze: everything downstream receives a :class:`Scenario` and
never reads YAML.
"""

from swapsim.scenario.base import (
    FrozenModel,
    ScenarioError,
)
from swapsim.scenario.costs import (
    HOURS_PER_YEAR,
    CostsSpec,
    TariffSegment,
)
from swapsim.scenario.loading import (
    WILDCARD,
    apply_override,
    dump_scenario,
    format_errors,
    load_scenario,
    read_yaml,
    scenario_from_dict,
    scenario_to_dict,
    split_path,
)
from swapsim.scenario.schema import (
    ArrivalSpec,
    BatterySpec,
    ChargerSpec,
    DutySegment,
    FaultsSpec,
    FleetSpec,
    HealthSpec,
    OutputSpec,
    PackSpec,
    PolicySpec,
    PowerSpec,
    Scenario,
    ShiftSpec,
    ShiftWindow,
    StationSpec,
    StrategySpec,
    TaskSpec,
    TechnicianSpec,
    TemperatureSpec,
    TravelSpec,
    WorkloadSpec,
    WorkStep,
)

__all__ = [
    "ScenarioError",
    "FrozenModel",
    "Scenario",
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
    "CostsSpec",
    "TariffSegment",
    "HOURS_PER_YEAR",
    "load_scenario",
    "scenario_from_dict",
    "scenario_to_dict",
    "dump_scenario",
    "read_yaml",
    "apply_override",
    "split_path",
    "WILDCARD",
    "format_errors",
]
