"""Scenarios: the schema (pydantic, frozen, unknown keys rejected), loading with ``--set`` overrides and
path-aware errors, bounds on every input (:mod:`~swapsim.scenario.limits`, :mod:`~swapsim.scenario.yaml_loader`),
units (``"3 min"``, ``"468 Wh"``) and duration distributions.

Validate once, at the edge, then freeze: everything downstream receives a :class:`Scenario` and
never reads YAML.
"""

from swapsim.scenario.base import (
    ScenarioError,
    FrozenModel,
)
from swapsim.scenario.schema import (
    Scenario,
    PackSpec,
    ChargerSpec,
    StationSpec,
    FleetSpec,
    PowerSpec,
    WorkStep,
    WorkloadSpec,
    PolicySpec,
    TravelSpec,
    OutputSpec,
    STRATEGIES,
    TaskSpec,
    ArrivalSpec,
    ShiftSpec,
    FaultsSpec,
    StrategySpec,
    BatterySpec,
    TemperatureSpec,
    HealthSpec,
    ShiftWindow,
    TechnicianSpec,
)
from swapsim.scenario.costs import (
    CostsSpec,
    TariffSegment,
    HOURS_PER_YEAR,
)
from swapsim.scenario.loading import (
    load_scenario,
    scenario_from_dict,
    scenario_to_dict,
    dump_scenario,
    read_yaml,
    apply_override,
    split_path,
    WILDCARD,
    format_errors,
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
    "STRATEGIES",
    "TaskSpec",
    "ArrivalSpec",
    "ShiftSpec",
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
