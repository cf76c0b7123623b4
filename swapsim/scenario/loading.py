"""Loading scenarios: read YAML within bounds, apply ``--set`` overrides, validate, and say what is wrong.

:func:`load_scenario` reads a file (:mod:`~swapsim.scenario.yaml_loader`), applies ``dotted.path=value``
overrides (:func:`apply_override`, with ``stations[1].bays`` and ``stations[*].bays`` paths) and
validates into a frozen :class:`~swapsim.scenario.schema.Scenario`. Every problem becomes one line
naming the file, the dotted path, the value (cut, never expanded) and what was expected.
:func:`dump_scenario` writes the resolved scenario, every default filled in, back to YAML that loads
to an equal scenario.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

import swapsim.scenario.limits as lim
from swapsim.scenario.distributions import DIST_NAMES
from swapsim.scenario.limits import show
from swapsim.scenario.schema import Scenario, ScenarioError, cross_checks
from swapsim.scenario.shortening import MAX_HORIZON_ENV, cap_horizon_data, max_horizon_h
from swapsim.scenario.yaml_loader import YamlInputError, load_yaml_text, read_yaml_file

__all__ = [
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


# ---------------------------------------------------------------------------------------------
# Error messages


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int) or item == WILDCARD:
            parts.append(f"[{item}]")
        elif isinstance(item, str) and (item in DIST_NAMES or item.startswith("function-")):
            continue  # discriminated-union tags and validator wrappers are not part of the path
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts) or "(top level)"


def _describe(err: ErrorDetails) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "greater_than_equal":
        return f"must be >= {_num(ctx['ge'])}"
    if kind == "greater_than":
        return f"must be > {_num(ctx['gt'])}"
    if kind == "less_than_equal":
        return f"must be <= {_num(ctx['le'])}"
    if kind == "less_than":
        return f"must be < {_num(ctx['lt'])}"
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
    if kind == "finite_number":
        return "must be a finite number"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} item(s)"
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


def _num(x: Any) -> str:
    """A bound as written: ``0`` not ``0.0``, ``100000`` not ``100000.0``."""
    return f"{x:.12g}" if isinstance(x, float) else str(x)


def _show(value: Any) -> str:
    return show(value, 80)  # bounded work: an alias bomb or a 5000-digit integer is never written out


def format_errors(source: str, exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        path = _loc_to_path(err["loc"])
        msg = _describe(err)
        if err["type"] == "missing" or "(got " in msg:
            lines.append(f"{source}: {path}: {msg}")
        else:
            lines.append(f"{source}: {path}: {msg} (got {_show(err.get('input'))})")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# Overrides: --set dotted.path=value

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+|\*)\]")
WILDCARD = "*"
"""The list index ``[*]`` (every item), accepted where a caller allows it (--set, sweep factors)."""


def split_path(path: str, label: str = "--set", *, wildcard: bool = False, hint: str = "") -> list[str | int]:
    """``stations[1].bays`` (or ``stations.1.bays``) -> ``["stations", 1, "bays"]``.

    ``[*]`` gives :data:`WILDCARD` when ``wildcard`` is true and is an error otherwise. Errors name
    ``label`` and the path, with ``hint`` appended to an unreadable segment's message.
    """
    parts: list[str | int] = []
    if path.count(".") + path.count("[") >= lim.MAX_SET_PATH_PARTS:
        raise ScenarioError(f"{label} {show(path, 60)}: the path has more than {lim.MAX_SET_PATH_PARTS} segments")
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
    ``stations.1.bays``; ``stations[*].bays`` sets the field of every item of the list (as in a
    sweep's ``--vary`` and a size search's ``--search``). Unknown keys are caught by validation
    afterwards, like keys in the file.
    """
    if "=" not in assignment:
        raise ScenarioError(f"--set {assignment}: expected dotted.path=value")
    path, raw = assignment.split("=", 1)
    path = path.strip()
    try:
        value = load_yaml_text(raw, "value") if raw.strip() else ""
    except YamlInputError as exc:
        detail = str(exc).split("invalid YAML: ", 1)[-1]
        raise ScenarioError(f"--set {show(assignment, 100)}: value is not valid YAML ({detail})") from None
    parts = split_path(path, wildcard=True)
    out = copy.deepcopy(data)
    _assign_at(out, parts, 0, value, assignment)
    return out


def _assign_at(node: Any, parts: list[str | int], depth: int, value: Any, assignment: str) -> None:
    """Set ``value`` at ``parts[depth:]`` below ``node`` (in place); ``[*]`` visits every list item."""
    key = parts[depth]
    last = depth == len(parts) - 1
    where = _loc_to_path(tuple(parts[: depth + 1]))
    keys: list[Any] = [key]
    if key == WILDCARD or isinstance(key, int):
        if not isinstance(node, list):
            raise ScenarioError(f"--set {assignment}: {where}: is not a list")
        if not isinstance(key, int):
            keys = list(range(len(node)))
        elif not -len(node) <= key < len(node):
            raise ScenarioError(f"--set {assignment}: {where}: index out of range (the list has {len(node)} item(s))")
    else:
        if not isinstance(node, dict):
            raise ScenarioError(f"--set {assignment}: {where}: is not a mapping")
    for k in keys:
        if last:
            node[k] = copy.deepcopy(value)
        else:
            if isinstance(k, str) and k not in node:
                node[k] = {}
            _assign_at(node[k], parts, depth + 1, value, assignment)


# ---------------------------------------------------------------------------------------------
# Loading


def scenario_from_dict(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a mapping (as read from YAML) into a frozen :class:`Scenario`."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{source}: the file must hold a mapping of fields (got {type(data).__name__})")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_errors(source, exc)) from None
    problems = cross_checks(scenario)
    if problems:
        raise ScenarioError("\n".join(f"{source}: {p}: {m} (got {_show(v)})" for p, m, v in problems))
    return scenario


def read_yaml(path: str | Path) -> Any:
    """Read a YAML file safely and within bounds (see :mod:`swapsim.scenario.yaml_loader`), with readable errors."""
    try:
        return read_yaml_file(path)
    except YamlInputError as exc:
        raise ScenarioError(str(exc)) from None


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load, override and validate a scenario file.

    Args:
        path: the YAML file.
        overrides: ``dotted.path=value`` assignments applied in order before validation.

    When the environment sets ``SWAPSIM_MAX_HORIZON`` (test suites only), a longer horizon is cut to
    it and the warm-up scaled with it (:mod:`swapsim.scenario.shortening`).
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
    scenario = scenario_from_dict(data, source)
    cap = max_horizon_h()
    if cap is not None and scenario.horizon > cap:  # test suites only
        capped = cap_horizon_data(scenario_to_dict(scenario), scenario.horizon, scenario.warmup)
        scenario = scenario_from_dict(capped, f"{source} (capped by {MAX_HORIZON_ENV})")
    return scenario


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as plain data with units written out (loads back to an equal scenario)."""
    return scenario.model_dump(mode="json", by_alias=True)


def dump_scenario(scenario: Scenario) -> str:
    """The resolved scenario as YAML text."""
    return yaml.safe_dump(scenario_to_dict(scenario), sort_keys=False, allow_unicode=True, width=100)
