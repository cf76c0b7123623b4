"""Which scenario fields the analytic estimate reads, and which it ignores: one table, checked against the schema.

Every field of :class:`~swapsim.scenario.Scenario` (recursively, through nested sections, lists and the
duration distributions) is covered by an entry of :data:`FIELDS`, keyed by its schema path
(``stations[].charger.rate_c``; an entry covers the fields under it unless a longer entry says
otherwise). Each entry has one kind:

* ``used``: the estimate's equations read it;
* ``moot``: it cannot change a long-run KPI the estimate gives (names, the seed, what a run writes,
  prices; or a field that acts only on what the estimate predicts never happens, e.g. rescue time
  when it predicts no strandings);
* ``refused``: the estimate raises unless it has the value the formulas cover (task demand, power
  strategies other than ``hot_swap``);
* ``ignored``: it changes what a simulation would give, and the estimate leaves it out. Each such
  entry names the verdict groups it affects (``balance``: swaps a day, utilisation, energy;
  ``wait``; ``stockouts``).

:func:`ignored_settings` walks a scenario against the schema's defaults and returns each ignored field
whose value differs from its default; :func:`~swapsim.analysis.estimator.estimate` lists them under
``approximations`` and marks the verdicts of the affected KPIs unreliable, naming the field.
:func:`schema_paths` lists every field path of the schema, so that a test fails when a new field is
added without a decision here. Imports the scenario schema and pydantic only.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, TypeAdapter
from pydantic_core import PydanticUndefined

from swapsim.scenario import Scenario
from swapsim.scenario.base import FrozenModel

__all__ = ["FIELDS", "FieldUse", "IgnoredSetting", "classify", "ignored_settings", "ignored_reasons", "schema_paths"]

Kind = Literal["used", "moot", "refused", "ignored"]
ALL = ("balance", "wait", "stockouts")


@dataclass(frozen=True)
class FieldUse:
    """How the estimate treats one schema path: ``kind``, a short reason, and for an ignored field
    the verdict groups (``balance``, ``wait``, ``stockouts``) whose numbers it can move."""

    kind: Kind
    why: str = ""
    affects: tuple[str, ...] = ()
    assumed: tuple[Any, ...] = ()
    """Values the estimate itself assumes: an ignored field set to one of them is not reported."""
    applies: Callable[[Scenario], bool] | None = None
    """For an ignored field that acts only in some scenarios: whether it acts in this one."""


def _used(why: str = "") -> FieldUse:
    return FieldUse("used", why)


def _moot(why: str) -> FieldUse:
    return FieldUse("moot", why)


def _ignored(
    why: str,
    affects: tuple[str, ...] = ALL,
    assumed: tuple[Any, ...] = (),
    applies: Callable[[Scenario], bool] | None = None,
) -> FieldUse:
    return FieldUse("ignored", why, affects, assumed, applies)


def _ageing(sc: Scenario) -> bool:
    return sc.battery.ageing


_AGEING = "new packs (health 1): ageing lowers a pack's usable energy"


FIELDS: dict[str, FieldUse] = {
    "name": _moot("a label"),
    "description": _moot("a label"),
    "seed": _moot("the estimate is a long-run mean, not one sample"),
    "horizon": _used("the measured span horizon - warmup scales the counts"),
    "warmup": _used("the measured span horizon - warmup scales the counts"),
    "fleet.robots": _used(),
    "fleet.initial_soc": _ignored(
        "the estimate assumes robots at random phases; all starting full can lock regular robots into swap waves",
        ("wait", "stockouts"),
    ),
    "fleet.rescue_time": _moot("acts only on strandings, which the estimate predicts never happen"),
    "pack.capacity": _used(),
    "pack.usable_fraction": _used(),
    "pack.voltage_v": _moot("for reports only"),
    "power.activities": _used(),
    "power.at_station": _used(),
    "workload.cycle[].activity": _used(),
    "workload.cycle[].duration": _used("the first three moments"),
    "workload.tasks": FieldUse("refused", "task demand: the estimate covers the activity cycle only"),
    "policy.swap_trigger": _used(),
    "policy.ready_threshold": _used(),
    "policy.go": _used("after_activity adds the overshoot to the spread of the time between swaps"),
    "policy.station_choice": _used(),
    "policy.charging": _ignored(
        "bays under a power cap are taken as charged first come, first served", ("wait", "stockouts"), assumed=("fifo",)
    ),
    "policy.opportunistic_below": _ignored("early swaps by idle robots are not in the energy balance"),
    "travel.walking_speed": _used(),
    "stations[].name": _used(),
    "stations[].distance": _used(),
    "stations[].positions": _used(),
    "stations[].bays": _used(),
    "stations[].charged_packs": _used(),
    "stations[].swap_duration": _used("mean and variance"),
    "stations[].charger": _used(),
    "stations[].power_cap": _used(),
    "stations[].docks": _moot("plug_in docks; the estimate covers hot_swap only"),
    "output": _moot("what a run records, not what it does"),
    "strategy.kind": FieldUse("refused", "the estimate covers hot_swap only"),
    "strategy.boot_time": _moot("cold_swap only; the estimate covers hot_swap only"),
    "shifts": _ignored("every robot is taken as on duty all the time"),
    "faults": _ignored("no faults: no e-stops, breakdowns, station outages or failed swaps"),
    "battery.ageing": _ignored(_AGEING, assumed=(False,)),
    "battery.chemistry": _ignored(_AGEING, applies=_ageing),
    "battery.temperature_c": _ignored(_AGEING, applies=_ageing),
    "battery.wear_sigma": _ignored(_AGEING, applies=_ageing),
    "battery.wear_scale": _ignored(_AGEING, applies=_ageing),
    "battery.resistance_growth": _ignored(_AGEING, applies=_ageing),
    "battery.life": _ignored(
        "new packs: end-of-life capacity and resistance are not in the energy balance", assumed=("new",)
    ),
    "battery.initial_capacity_sd": _ignored("new packs at exactly their rated capacity", assumed=(0.0,)),
    "health": _ignored("no health checks: no pack is quarantined or replaced"),
    "health.fault_rate_per_cycle": _ignored("no pack is quarantined for a safety fault", assumed=(0.0,)),
    "technicians": _moot(
        "acts only on quarantined packs, which the estimate takes as none (new packs; see battery and health)"
    ),
    "costs": _moot("prices; the estimate gives no costs"),
}
"""The estimate's use of every schema path (``[]`` for a list item); longest matching prefix wins."""


def classify(path: str) -> FieldUse | None:
    """The entry of :data:`FIELDS` for a schema path (``stations[].bays``): the longest prefix that
    has one, or None if no entry covers it."""
    parts = path.split(".")
    for k in range(len(parts), 0, -1):
        use = FIELDS.get(".".join(parts[:k]))
        if use is not None:
            return use
    return None


# ---------------------------------------------------------------------------------------------
# The schema, walked


def _models_in(annotation: Any) -> Iterator[tuple[str, type[BaseModel]]]:
    """The pydantic models a field's annotation can hold, each with ``"[]"`` when inside a list."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield "", annotation
    elif origin is Annotated:
        yield from _models_in(typing.get_args(annotation)[0])
    elif origin in (Union, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from _models_in(arg)
    elif origin in (list, tuple):
        for arg in typing.get_args(annotation):
            for suffix, model in _models_in(arg):
                yield "[]" + suffix, model
    elif origin is dict:
        for arg in typing.get_args(annotation)[1:]:
            for suffix, model in _models_in(arg):
                yield "[]" + suffix, model


def schema_paths(model: type[BaseModel] = Scenario, prefix: str = "") -> list[str]:
    """Every field path of ``model``'s schema, recursively (``stations[].charger.rate_c``,
    ``stations[].swap_duration.mean``, ...), sections and leaves alike, sorted, without repeats."""
    out: set[str] = set()
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        out.add(path)
        for suffix, sub in _models_in(info.annotation):
            out.update(schema_paths(sub, path + suffix))
    return sorted(out)


# ---------------------------------------------------------------------------------------------
# A scenario's ignored settings


@dataclass(frozen=True)
class IgnoredSetting:
    """An ignored field set away from its default: the dotted ``path`` (with list indices), its value
    and default as written, why it matters and the verdict groups it affects."""

    path: str
    value: str
    default: str
    why: str
    affects: tuple[str, ...]

    def describe(self) -> str:
        """``policy.opportunistic_below = 0.6 (default none)``."""
        return f"{self.path} = {self.value} (default {self.default})"


def _field_default(model: type[BaseModel], name: str) -> Any:
    """The validated default of a field, or PydanticUndefined if it is required."""
    info = model.model_fields[name]
    raw = info.get_default(call_default_factory=True)
    if raw is PydanticUndefined:
        return PydanticUndefined
    if raw is None or isinstance(raw, BaseModel) or not info.validate_default:
        return raw
    annotation: Any = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    return TypeAdapter(annotation).validate_python(raw)


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if value is PydanticUndefined:
        return "unset"
    if isinstance(value, FrozenModel):
        plain = value.model_dump(mode="json")
        if any(isinstance(v, (dict, list)) for v in plain.values()):
            return "set"
        return "{" + ", ".join(f"{k}: {v}" for k, v in plain.items()) + "}"
    if isinstance(value, BaseModel):  # a duration distribution
        from swapsim.scenario.units import format_duration

        dist: Any = value
        return (
            format_duration(dist.value) if dist.dist == "fixed" else f"{dist.dist}, mean {format_duration(dist.mean)}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(x) for x in value) + "]"
    return str(value)


def ignored_settings(scenario: Scenario) -> list[IgnoredSetting]:
    """The ignored fields of ``scenario`` (kind ``ignored`` in :data:`FIELDS`) whose value differs from
    the schema's default, most specific first found: a section set where its default is absent
    (``shifts``) is one entry; within a section that has a default, each differing field is one."""
    out: list[IgnoredSetting] = []

    def walk(obj: BaseModel, path: str, spath: str) -> None:
        for name in type(obj).model_fields:
            value = getattr(obj, name)
            p = f"{path}.{name}" if path else name
            sp = f"{spath}.{name}" if spath else name
            use = classify(sp)
            if use is not None and use.kind in ("moot", "refused"):
                continue
            if use is None or use.kind == "used":  # a section without an entry of its own, or used
                for sub_p, sub_sp, sub in _children(value, p, sp):
                    walk(sub, sub_p, sub_sp)
                continue
            default = _field_default(type(obj), name)
            if value == default or value in use.assumed or (use.applies is not None and not use.applies(scenario)):
                continue
            if isinstance(value, FrozenModel) and type(default) is type(value):
                walk(value, p, sp)
            else:
                out.append(IgnoredSetting(p, _show(value), _show(default), use.why, use.affects))

    walk(scenario, "", "")
    return out


def _children(value: Any, path: str, spath: str) -> Iterator[tuple[str, str, BaseModel]]:
    """The sections directly inside a field's value, with their dotted and schema paths (duration
    distributions are values, not sections)."""
    if isinstance(value, FrozenModel):
        yield path, spath, value
    elif isinstance(value, (list, tuple)):
        for i, x in enumerate(value):
            if isinstance(x, FrozenModel):
                yield f"{path}[{i}]", f"{spath}[]", x


def ignored_reasons(scenario: Scenario) -> dict[str, list[str]]:
    """For each verdict group (``balance``, ``wait``, ``stockouts``), one sentence naming the ignored
    settings of ``scenario`` that affect it (an empty list when none does)."""
    out: dict[str, list[str]] = {g: [] for g in ALL}
    found = ignored_settings(scenario)
    for group in ALL:
        named = [s.path for s in found if group in s.affects]
        if named:
            out[group].append(
                f"the estimate ignores {', '.join(named)} (set away from the default{'s' if len(named) > 1 else ''}; "
                "see the approximations): simulate to see the effect"
            )
    return out
