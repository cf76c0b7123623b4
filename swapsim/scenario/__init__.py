"""Scenarios: the schema (pydantic, frozen, unknown keys rejected), loading with ``--set`` overrides and
path-aware errors, units (``"3 min"``, ``"468 Wh"``) and duration distributions.

Validate once, at the edge, then freeze: everything downstream receives a :class:`Scenario` and
never reads YAML.
"""

from swapsim.scenario.schema import (
    Scenario,
    ScenarioError,
    load_scenario,
    scenario_from_dict,
    dump_scenario,
    apply_override,
    split_path,
    WILDCARD,
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

__all__ = [
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "scenario_from_dict",
    "dump_scenario",
    "apply_override",
    "split_path",
    "WILDCARD",
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
]
from swapsim.scenario.schema import (  # noqa: E402  public helpers not in schema.__all__
    STRATEGIES,
    ArrivalSpec,
    FaultsSpec,
    ShiftSpec,
    TechnicianSpec,
    read_yaml,
    scenario_to_dict,
)

__all__ += ["STRATEGIES", "ArrivalSpec", "FaultsSpec", "ShiftSpec", "TechnicianSpec", "read_yaml", "scenario_to_dict"]
