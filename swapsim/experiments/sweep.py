"""Sweeps as data: the sweep file, factors and their paths, the design's points, seeds, and checks.

A sweep is data, not a loop in a script: a base scenario, a list of values for each varied field
(a *factor*, named by its dotted path such as ``fleet.robots`` or ``stations[*].positions``), a
design that turns the lists into *points* (``factorial``: every combination, first factor slowest;
``zip``: the i-th values together), a number of replications and a root seed. Each point x
replication is one run of :func:`swapsim.engine.simulate`. This module builds a sweep (from
``--vary``/``--target-ci`` on the command line; a sweep file or the ``sweep.json`` of a sweep
directory is read by :mod:`swapsim.experiments.sweep_files`) and checks every point against the
scenario schema before any run starts (:func:`resolve_sweep`); :mod:`swapsim.experiments.runner`
runs it and :mod:`swapsim.experiments.tables` writes its tables.

Seeds. Replication ``r`` of every point runs with the same seed, derived from the root seed by
:func:`replication_seed` (``numpy.random.SeedSequence(root, spawn_key=(r,))``, the seed of the
r-th child of ``SeedSequence(root).spawn(...)``). Points are therefore compared under common random
numbers, and a run's seed never depends on the number of points, workers or machines.

On disk (a *sweep directory*, see ``results/README.md``): ``sweep.json`` holds the resolved sweep
(base scenario: path, name, resolved fields; factors, design, replications, root seed,
sequential-precision targets, swapsim version, points); ``runs/<point>-<replication>.json`` one
finished run each, written atomically as each run finishes (what ``--resume`` relies on); then the
tables (:mod:`swapsim.experiments.tables`).
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from swapsim._version import __version__
from swapsim.experiments.stats import CONFIDENCE
from swapsim.scenario import (
    WILDCARD,
    Scenario,
    ScenarioError,
    scenario_from_dict,
    scenario_to_dict,
    split_path,
)

__all__ = [
    "Sweep",
    "Point",
    "resolve_sweep",
    "parse_vary",
    "parse_target",
    "replication_seed",
    "kpi_names",
    "apply_factors",
    "check_overlaps",
    "show_value",
    "unknown_kpi_message",
    "MAX_RUNS",
]

MAX_RUNS = 100_000
"""Most runs (points x replications; x max_replications with target_ci) a sweep may plan unless raised."""


# =============================================================================================
# Factors: dotted paths with [*] wildcards, applied to the base scenario's data

_WILD = WILDCARD


def _split_factor(path: str) -> list[str | int]:
    """``stations[*].bays`` -> ``["stations", "*", "bays"]``; ``stations.1.bays`` -> ``[..., 1, ...]``."""
    return split_path(path, "factor", wildcard=True, hint=" (write fleet.robots, stations[1].bays or stations[*].bays)")


def _concrete_paths(data: Any, parts: list[str | int], path: str) -> list[list[str | int]]:
    """Expand ``[*]`` over the lists of ``data``; check that list indices exist."""
    out: list[list[str | int]] = [[]]
    node_sets: list[Any] = [data]
    for depth, key in enumerate(parts):
        where = _join(parts[: depth + 1])
        new_out, new_nodes = [], []
        for prefix, node in zip(out, node_sets):
            if key == _WILD or isinstance(key, int):
                if not isinstance(node, list):
                    raise ScenarioError(f"factor {path}: {where}: is not a list in the base scenario")
                keys = range(len(node)) if key == _WILD else [key]
                if isinstance(key, int) and not 0 <= key < len(node):
                    raise ScenarioError(
                        f"factor {path}: {where}: index out of range (the base scenario's list has {len(node)} item(s))"
                    )
            else:
                if node is not None and not isinstance(node, dict):
                    raise ScenarioError(f"factor {path}: {where}: is not a mapping in the base scenario")
                keys = [key]
            for k in keys:
                new_out.append(prefix + [k])
                child = node[k] if isinstance(node, list) and isinstance(k, int) else (node or {}).get(k)
                new_nodes.append(child)
        out, node_sets = new_out, new_nodes
    return out


def _join(parts: Iterable[str | int]) -> str:
    text = ""
    for p in parts:
        text += f"[{p}]" if isinstance(p, int) or p == _WILD else ("." if text else "") + str(p)
    return text


def _assign(data: dict[str, Any], parts: list[str | int], value: Any) -> None:
    """Set ``value`` at a concrete path in place, creating missing mappings (validation catches them)."""
    node: Any = data
    for key in parts[:-1]:
        if isinstance(node, dict) and key not in node:
            node[key] = {}
        node = node[key]
    node[parts[-1]] = copy_plain(value)


def copy_plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def apply_factors(base: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of the base scenario's data with each factor path set to its value."""
    data = copy_plain(base)
    for path, value in values.items():
        for concrete in _concrete_paths(data, _split_factor(path), path):
            _assign(data, concrete, value)
    return data


def check_overlaps(base: dict[str, Any], paths: Iterable[str], label: str = "factors") -> None:
    """Refuse two factor paths that set the same field (``stations[*].x`` and ``stations[0].x``), or one
    inside the other (``stations[0]`` and ``stations[0].x``): the later one would silently win."""
    owner: dict[tuple[str | int, ...], str] = {}
    for path in paths:
        for concrete in _concrete_paths(base, _split_factor(path), path):
            key = tuple(concrete)
            for other_key, other in owner.items():
                shorter = min(len(key), len(other_key))
                if other != path and key[:shorter] == other_key[:shorter]:
                    raise ScenarioError(
                        f"{label} {other} and {path} both set {_join(key[:shorter])}: give each field one factor"
                    )
            owner[key] = path


def show_value(value: Any) -> str:
    """A factor value as written in messages: strings as they are, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def assignment_text(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={show_value(v)}" for k, v in values.items())


# =============================================================================================
# The resolved sweep


@dataclass(frozen=True)
class Point:
    """One combination of factor values and the resolved scenario data it gives."""

    index: int
    values: dict[str, Any]
    scenario: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class Sweep:
    """A validated sweep: every point's scenario has been checked before any run starts."""

    base: str
    """Where the base scenario came from (as given)."""
    base_scenario: Scenario
    overrides: tuple[str, ...]
    factors: dict[str, list[Any]]
    design: str
    replications: int
    seed: int
    target_ci: dict[str, float]
    max_replications: int
    points: tuple[Point, ...]

    @property
    def name(self) -> str:
        return self.base_scenario.name

    def seed_for(self, replication: int) -> int:
        """The seed of replication ``replication`` (the same at every point)."""
        return replication_seed(self.seed, replication)

    def identity(self) -> dict[str, Any]:
        """What must not change for a resume to continue this sweep."""
        return {
            "base_scenario": scenario_to_dict(self.base_scenario),
            "factors": self.factors,
            "design": self.design,
            "seed": self.seed,
        }

    def to_json(self) -> dict[str, Any]:
        """The resolved sweep as written to ``sweep.json`` (loads back with
        :func:`~swapsim.experiments.sweep_files.sweep_from_dir`)."""
        return {
            "swapsim_version": __version__,
            "base": self.base,
            "base_name": self.name,
            "set": list(self.overrides),
            "factors": self.factors,
            "design": self.design,
            "replications": self.replications,
            "seed": self.seed,
            "target_ci": self.target_ci,
            "max_replications": self.max_replications,
            "confidence": CONFIDENCE,
            "points": [{"point": p.index, "factors": p.values} for p in self.points],
            "base_scenario": scenario_to_dict(self.base_scenario),
        }


def replication_seed(root: int, replication: int) -> int:
    """Seed of replication ``replication`` from the root seed (a 63-bit non-negative integer).

    It is the state of ``SeedSequence(root).spawn(n)[replication]`` for any ``n`` > ``replication``,
    so it depends on the root seed and the replication number only.
    """
    seq = np.random.SeedSequence(entropy=int(root), spawn_key=(int(replication),))
    return int(seq.generate_state(1, np.uint64)[0]) & (2**63 - 1)


def _design_points(factors: dict[str, list[Any]], design: str) -> list[dict[str, Any]]:
    names = list(factors)
    if not names:
        return [{}]
    if design == "zip":
        lengths = {n: len(v) for n, v in factors.items()}
        if len(set(lengths.values())) > 1:
            raise ScenarioError(
                "design zip needs factor lists of equal length ("
                + ", ".join(f"{n}: {k} values" for n, k in lengths.items())
                + ")"
            )
        return [dict(zip(names, combo)) for combo in zip(*factors.values())]
    return [dict(zip(names, combo)) for combo in itertools.product(*factors.values())]


def resolve_sweep(
    base_scenario: Scenario,
    factors: dict[str, list[Any]],
    *,
    base: str,
    overrides: Iterable[str] = (),
    design: str = "factorial",
    replications: int = 10,
    seed: int | None = None,
    target_ci: dict[str, float] | None = None,
    max_replications: int = 100,
    max_runs: int = MAX_RUNS,
) -> Sweep:
    """Check every factor value and every point against the scenario schema and build the sweep.

    ``max_runs`` bounds points x replications (x ``max_replications`` with ``target_ci``), checked
    before any point is built.

    Raises:
        ScenarioError: one line per problem, naming the factor and the value (or the point).
    """
    target_ci = dict(target_ci or {})
    problems: list[str] = []
    for name, values in factors.items():
        if not isinstance(values, list) or not values:
            problems.append(f"factor {name}: needs at least one value (got {values!r})")
        elif name == "seed":
            problems.append(
                "factor seed: the sweep sets each replication's seed; use the root seed "
                "(--seed, or seed: in the sweep file) instead"
            )
        else:
            dup = [v for i, v in enumerate(values) if v in values[:i]]
            if dup:
                problems.append(f"factor {name}: repeated value(s) {', '.join(show_value(v) for v in dup)}")
    if design not in ("factorial", "zip"):
        problems.append(f"design: must be factorial or zip (got {design!r})")
    if replications < 1:
        problems.append(f"replications: must be >= 1 (got {replications})")
    if target_ci:
        if replications < 3:
            problems.append(f"replications: must be >= 3 with a target confidence interval (got {replications})")
        if max_replications < replications:
            problems.append(f"max_replications: must be >= replications ({replications}) (got {max_replications})")
        for kpi, rel in target_ci.items():
            if not 0 < rel < 1:
                problems.append(f"target_ci {kpi}: the relative half-width must be between 0 and 1 (got {rel})")
    if not problems and design in ("factorial", "zip"):
        sizes = [len(v) for v in factors.values()]
        n_points = math.prod(sizes) if design == "factorial" else min(sizes, default=1)
        per_point = max(replications, max_replications) if target_ci else replications
        if n_points * per_point > max_runs:
            problems.append(
                f"{n_points:,} point(s) x {per_point:,} replication(s) = {n_points * per_point:,} "
                f"runs: more than the limit of {max_runs:,}; fewer values, or raise the limit "
                f"with --max-runs"
            )
    if problems:
        raise ScenarioError("\n".join(problems))

    base_data = scenario_to_dict(base_scenario)
    for name in factors:
        _concrete_paths(base_data, _split_factor(name), name)
    check_overlaps(base_data, factors)
    # Factorial: each value alone first, the clearest message for a typo or a wrong type (every
    # value meets every other factor's values, so a value that fails alone rarely works in a point).
    # Zip: a value is only ever used with its partners, so only the zipped combinations are checked
    # (bays=3 with charged_packs=2 is a valid pair even where charged_packs is 4 in the base).
    if design == "factorial":
        for name, values in factors.items():
            for value in values:
                label = f"{base} with {name}={show_value(value)}"
                try:
                    scenario_from_dict(apply_factors(base_data, {name: value}), label)
                except ScenarioError as exc:
                    problems.append(str(exc))
        if problems:
            raise ScenarioError("\n".join(problems))
    # Then every combination (cross-field rules such as charged_packs < bays).
    points: list[Point] = []
    bad: list[str] = []
    combos = _design_points(factors, design)
    for i, assignment in enumerate(combos):
        data = apply_factors(base_data, assignment)
        try:
            sc = scenario_from_dict(data, f"{base} at point {i} ({assignment_text(assignment)})")
        except ScenarioError as exc:
            bad.append(str(exc))
            continue
        points.append(Point(i, assignment, scenario_to_dict(sc)))
    if bad:
        more = f"\n... and {len(bad) - 5} more point(s)" if len(bad) > 5 else ""
        raise ScenarioError(
            f"{len(bad)} of {len(combos)} point(s) are not valid scenarios:\n" + "\n".join(bad[:5]) + more
        )
    root = base_scenario.seed if seed is None else int(seed)
    sweep = Sweep(
        base=base,
        base_scenario=base_scenario,
        overrides=tuple(overrides),
        factors=factors,
        design=design,
        replications=replications,
        seed=root,
        target_ci=target_ci,
        max_replications=max_replications if target_ci else replications,
        points=tuple(points),
    )
    if target_ci:
        known = kpi_names(sweep)
        for kpi in target_ci:
            if kpi not in known:
                raise ScenarioError(unknown_kpi_message(kpi, known, "target_ci"))
    return sweep


def unknown_kpi_message(kpi: str, known: list[str], what: str) -> str:
    """The error for ``kpi`` not among the ``known`` KPI names, given as ``what`` (``--kpi``, ``target_ci``),
    with the closest names as a hint."""
    close = difflib.get_close_matches(kpi, known, n=3, cutoff=0.5)
    hint = (
        f"; did you mean {' or '.join(close)}?"
        if close
        else f"; KPIs are the dotted keys of summary.json, e.g. {', '.join(known[:4])}"
    )
    return f"{what} {kpi}: not a KPI of this scenario{hint}"


def kpi_names(sweep: Sweep) -> list[str]:
    """The KPI columns a run of this sweep gives (found by a few simulated minutes of point 0)."""
    from swapsim.engine import simulate
    from swapsim.results import flatten

    sc = scenario_from_dict(sweep.points[0].scenario)
    probe = sc.model_copy(update={"horizon": min(sc.horizon, 0.1), "warmup": 0.0})
    names = list(flatten(simulate(probe, 0).summary))
    return [n for n in names if n not in sweep.factors]


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``fleet.robots=20,40,60`` -> ``("fleet.robots", [20, 40, 60])``.

    Values are read as a YAML flow list, so ``"horizon=3 d,7 d"`` gives two strings and
    ``"stations[0].swap_duration={dist: fixed, value: 3 min},{dist: exponential, mean: 3 min}"``
    two distributions.
    """
    if "=" not in text:
        raise ScenarioError(f"--vary {text}: expected dotted.path=value1,value2,...")
    path, raw = text.split("=", 1)
    path = path.strip()
    if not path:
        raise ScenarioError(f"--vary {text}: the path is empty")
    if not raw.strip():
        raise ScenarioError(f"--vary {text}: needs at least one value")
    import yaml

    try:
        values = yaml.safe_load(f"[{raw}]")
    except yaml.YAMLError:
        raise ScenarioError(f"--vary {text}: cannot read the values as a comma-separated list") from None
    if any(v is None for v in values):
        raise ScenarioError(f"--vary {text}: empty value in the list")
    return path, values


def parse_target(text: str) -> tuple[str, float]:
    """``fleet.utilisation=0.02`` -> ``("fleet.utilisation", 0.02)`` (``2%`` is accepted too)."""
    if "=" not in text:
        raise ScenarioError(f"--target-ci {text}: expected KPI=relative half-width, e.g. fleet.utilisation=0.02")
    kpi, raw = text.split("=", 1)
    raw = raw.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ScenarioError(f"--target-ci {text}: the half-width must be a number such as 0.02 or 2%") from None
    if not 0 < value < 1:
        raise ScenarioError(f"--target-ci {text}: the relative half-width must be between 0 and 1 (got {value})")
    return kpi.strip(), value
