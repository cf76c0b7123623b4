"""Experiments at scale: replications, parameter sweeps, confidence intervals, executors.

A sweep is data, not a loop in a script: a base scenario, a list of values for each varied field
(a *factor*, named by its dotted path such as ``fleet.robots`` or ``stations[*].positions``), a
design that turns the lists into *points* (``factorial``: every combination, first factor slowest;
``zip``: the i-th values together), a number of replications and a root seed. Each point x
replication is one run of :func:`swapsim.engine.simulate`.

Seeds. Replication ``r`` of every point runs with the same seed, derived from the root seed by
:func:`replication_seed` (``numpy.random.SeedSequence(root, spawn_key=(r,))``, the seed of the
r-th child of ``SeedSequence(root).spawn(...)``). Points are therefore compared under common random
numbers, and a run's seed never depends on the number of points, workers or machines.

Executors (:mod:`swapsim.experiments.executors`). Runs go to local worker processes (:class:`concurrent.futures.ProcessPoolExecutor`,
``jobs`` of them; ``jobs=1`` runs in this process) or to a Dask distributed cluster (the optional
``swapsim[dask]`` extra; a LocalCluster on this machine, or a running scheduler). Whatever runs
them, the tables are sorted by (point, replication) and are identical row for row, wall time aside.

On disk (a *sweep directory*, see ``results/README.md``):

==================  ============================================================================
``sweep.json``      the resolved sweep: base scenario (path, name, resolved fields), factors, design,
                    replications, root seed, sequential-precision targets, swapsim version, points
``runs/``           one JSON file per finished run, ``<point>-<replication>.json``, written
                    atomically as each run finishes: what ``--resume`` relies on
``runs.csv``        one row per run: ``point``, the factor columns, ``replication``, ``seed``, every
                    KPI of ``summary.json`` flattened with dots, ``wall_time_s``
``points.csv``      one row per point: ``point``, the factor columns, ``n`` (replications), then
                    ``<kpi>.mean``, ``<kpi>.sd``, ``<kpi>.ci95`` (Student-t 95 % half-width)
``failures.csv``    runs that raised an exception in the model, with their parameters (if any)
``*.parquet``       the same tables, when pyarrow is installed (the ``parquet`` extra)
==================  ============================================================================

A KPI whose name equals a factor's path (``fleet.robots``) is not repeated: the factor column holds it.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Callable, Iterable, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from swapsim._version import __version__
from swapsim.scenario import (
    Scenario,
    ScenarioError,
    WILDCARD,
    format_errors,
    load_scenario,
    read_yaml,
    scenario_from_dict,
    scenario_to_dict,
    split_path,
)
from swapsim.experiments.executors import (  # noqa: F401  (re-exported: the sweep's executors)
    DaskExecutor,
    LocalExecutor,
    check_scheduler,
    default_jobs,
    make_executor,
    max_jobs,
)

__all__ = [
    "SweepSpec", "Sweep", "Point", "RunTask", "SweepReport", "SweepInterrupted",
    "load_sweep_file", "sweep_from_scenario", "resolve_sweep", "sweep_from_dir", "parse_vary",
    "parse_target", "replication_seed", "mean_ci", "execute_run", "run_sweep", "build_tables",
    "kpi_names", "make_executor", "default_jobs", "apply_factors",
]

CONFIDENCE = 0.95
"""Confidence level of every interval in the sweep tables."""
MAX_RUNS = 100_000
"""Most runs (points x replications; x max_replications with target_ci) a sweep may plan unless raised."""


# =============================================================================================
# The sweep specification (as written in a sweep file)

class SweepSpec(BaseModel):
    """A sweep as written in a sweep file (YAML). Paths are relative to the sweep file.

    Example::

        base: warehouse.yaml            # the scenario every point starts from
        set: ["horizon=3 d"]            # overrides of the base, like --set
        factors:
          fleet.robots: [20, 40, 60]
          stations[*].positions: [1, 2, 3]   # [*]: every station
        design: factorial               # or zip
        replications: 10
        seed: 2024                      # root seed (default: the base scenario's)
        target_ci: {fleet.utilisation: 0.02}   # optional: sequential replications
        max_replications: 100
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    base: str = Field(min_length=1, description="base scenario file, relative to the sweep file")
    set: list[str] = Field(default_factory=list, description="dotted.path=value overrides of the base")
    factors: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(
        default_factory=dict, description="dotted path -> list of values")
    design: Literal["factorial", "zip"] = "factorial"
    replications: int = Field(default=10, ge=1, le=100_000)
    seed: int | None = Field(default=None, ge=0, description="root seed; default: the base scenario's")
    target_ci: dict[str, Annotated[float, Field(gt=0, lt=1)]] = Field(
        default_factory=dict, description="KPI -> target 95 % half-width relative to |mean|")
    max_replications: int = Field(default=100, ge=1, le=100_000,
                                  description="cap of replications per point with target_ci")


# =============================================================================================
# Factors: dotted paths with [*] wildcards, applied to the base scenario's data

_WILD = WILDCARD


def _split_factor(path: str) -> list[str | int]:
    """``stations[*].bays`` -> ``["stations", "*", "bays"]``; ``stations.1.bays`` -> ``[..., 1, ...]``."""
    return split_path(path, "factor", wildcard=True,
                      hint=" (write fleet.robots, stations[1].bays or stations[*].bays)")


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
                    raise ScenarioError(f"factor {path}: {where}: index out of range "
                                        f"(the base scenario's list has {len(node)} item(s))")
            else:
                if node is not None and not isinstance(node, dict):
                    raise ScenarioError(f"factor {path}: {where}: is not a mapping in the base scenario")
                keys = [key]
            for k in keys:
                new_out.append(prefix + [k])
                child = node[k] if isinstance(node, list) else (node or {}).get(k)
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
    node[parts[-1]] = _copy(value)


def _copy(value: Any) -> Any:
    return json.loads(json.dumps(value))


def apply_factors(base: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """A copy of the base scenario's data with each factor path set to its value."""
    data = _copy(base)
    for path, value in values.items():
        for concrete in _concrete_paths(data, _split_factor(path), path):
            _assign(data, concrete, value)
    return data


def _show_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _assignment_text(values: dict[str, Any]) -> str:
    return ", ".join(f"{k}={_show_value(v)}" for k, v in values.items())


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
        """The resolved sweep as written to ``sweep.json`` (loads back with :func:`sweep_from_dir`)."""
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
            raise ScenarioError("design zip needs factor lists of equal length ("
                                + ", ".join(f"{n}: {k} values" for n, k in lengths.items()) + ")")
        return [dict(zip(names, combo)) for combo in zip(*factors.values())]
    return [dict(zip(names, combo)) for combo in itertools.product(*factors.values())]


def resolve_sweep(base_scenario: Scenario, factors: dict[str, list[Any]], *, base: str,
                  overrides: Iterable[str] = (), design: str = "factorial", replications: int = 10,
                  seed: int | None = None, target_ci: dict[str, float] | None = None,
                  max_replications: int = 100, max_runs: int = MAX_RUNS) -> Sweep:
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
            problems.append("factor seed: the sweep sets each replication's seed; use the root seed "
                            "(--seed, or seed: in the sweep file) instead")
        else:
            dup = [v for i, v in enumerate(values) if v in values[:i]]
            if dup:
                problems.append(f"factor {name}: repeated value(s) {', '.join(_show_value(v) for v in dup)}")
    if design not in ("factorial", "zip"):
        problems.append(f"design: must be factorial or zip (got {design!r})")
    if replications < 1:
        problems.append(f"replications: must be >= 1 (got {replications})")
    if target_ci:
        if replications < 3:
            problems.append(f"replications: must be >= 3 with a target confidence interval (got {replications})")
        if max_replications < replications:
            problems.append(f"max_replications: must be >= replications ({replications}) "
                            f"(got {max_replications})")
        for kpi, rel in target_ci.items():
            if not 0 < rel < 1:
                problems.append(f"target_ci {kpi}: the relative half-width must be between 0 and 1 "
                                f"(got {rel})")
    if not problems and design in ("factorial", "zip"):
        sizes = [len(v) for v in factors.values()]
        n_points = math.prod(sizes) if design == "factorial" else min(sizes, default=1)
        per_point = max(replications, max_replications) if target_ci else replications
        if n_points * per_point > max_runs:
            problems.append(f"{n_points:,} point(s) x {per_point:,} replication(s) = {n_points * per_point:,} "
                            f"runs: more than the limit of {max_runs:,}; fewer values, or raise the limit "
                            f"with --max-runs")
    if problems:
        raise ScenarioError("\n".join(problems))

    base_data = scenario_to_dict(base_scenario)
    # Each value alone first: the clearest message for a typo or a wrong type.
    for name, values in factors.items():
        parts = _split_factor(name)
        _concrete_paths(base_data, parts, name)
        for value in values:
            label = f"{base} with {name}={_show_value(value)}"
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
    for i, values in enumerate(combos):
        data = apply_factors(base_data, values)
        try:
            sc = scenario_from_dict(data, f"{base} at point {i} ({_assignment_text(values)})")
        except ScenarioError as exc:
            bad.append(str(exc))
            continue
        points.append(Point(i, values, scenario_to_dict(sc)))
    if bad:
        more = f"\n... and {len(bad) - 5} more point(s)" if len(bad) > 5 else ""
        raise ScenarioError(f"{len(bad)} of {len(combos)} point(s) are not valid scenarios:\n"
                            + "\n".join(bad[:5]) + more)
    root = base_scenario.seed if seed is None else int(seed)
    sweep = Sweep(base=base, base_scenario=base_scenario, overrides=tuple(overrides), factors=factors,
                  design=design, replications=replications, seed=root, target_ci=target_ci,
                  max_replications=max_replications if target_ci else replications,
                  points=tuple(points))
    if target_ci:
        known = kpi_names(sweep)
        for kpi in target_ci:
            if kpi not in known:
                raise ScenarioError(_unknown_kpi(kpi, known, "target_ci"))
    return sweep


def _unknown_kpi(kpi: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(kpi, known, n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(close)}?" if close else \
        f"; KPIs are the dotted keys of summary.json, e.g. {', '.join(known[:4])}"
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


def load_sweep_file(path: str | Path, *, extra_factors: dict[str, list[Any]] | None = None,
                    extra_overrides: Iterable[str] = (), **changes: Any) -> Sweep:
    """Read a sweep file; ``changes`` (replications=..., seed=..., ...) override its fields when not None."""
    path = Path(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a sweep file holds a mapping (base, factors, ...)")
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_errors(str(path), exc)) from None
    base_path = Path(os.path.normpath(path.parent / spec.base))
    overrides = [*spec.set, *extra_overrides]
    factors = {**spec.factors, **(extra_factors or {})}
    given = {k: v for k, v in changes.items() if v is not None}
    target = given.pop("target_ci", None) or spec.target_ci
    return resolve_sweep(
        load_scenario(base_path, overrides), factors, base=str(base_path), overrides=overrides,
        design=given.get("design", spec.design), replications=given.get("replications", spec.replications),
        seed=given.get("seed", spec.seed), target_ci=target,
        max_replications=given.get("max_replications", spec.max_replications),
        max_runs=given.get("max_runs", MAX_RUNS))


def sweep_from_scenario(path: str | Path, factors: dict[str, list[Any]], *, overrides: Iterable[str] = (),
                        design: str = "factorial", replications: int = 10, seed: int | None = None,
                        target_ci: dict[str, float] | None = None, max_replications: int = 100,
                        max_runs: int | None = None) -> Sweep:
    """A sweep over a scenario file, as given on the command line (``--vary``, ``--set`` ...)."""
    overrides = list(overrides)
    return resolve_sweep(load_scenario(path, overrides), factors, base=str(path), overrides=overrides,
                         design=design, replications=replications, seed=seed, target_ci=target_ci,
                         max_replications=max_replications, max_runs=max_runs or MAX_RUNS)


def sweep_from_dir(sweep_dir: str | Path, **changes: Any) -> Sweep:
    """The sweep stored in ``sweep_dir/sweep.json`` (to resume it), with optional changes of
    replications, target_ci or max_replications."""
    sweep_dir = Path(sweep_dir)
    meta = _read_meta(sweep_dir)
    kinds = {"base_scenario": dict, "factors": dict, "design": str, "seed": int, "base": str, "replications": int,
             "points": list}
    wrong = [k for k, t in kinds.items() if not isinstance(meta.get(k), t)]
    if wrong:
        raise ScenarioError(f"{sweep_dir}/sweep.json: damaged: {', '.join(wrong)} missing or of the wrong type")
    base = scenario_from_dict(meta["base_scenario"], f"{sweep_dir}/sweep.json: base_scenario")
    given = {k: v for k, v in changes.items() if v is not None}
    for key in ("seed", "design"):
        if key in given and given[key] != meta[key]:
            raise ScenarioError(f"{sweep_dir}: the stored sweep has {key} {meta[key]!r}; "
                                f"a resume cannot change it (got {given[key]!r})")
    return resolve_sweep(
        base, meta["factors"], base=meta["base"], overrides=meta.get("set", []), design=meta["design"],
        replications=given.get("replications", meta["replications"]), seed=meta["seed"],
        target_ci=given.get("target_ci") or meta.get("target_ci") or {},
        max_replications=given.get("max_replications", meta.get("max_replications", meta["replications"])),
        max_runs=given.get("max_runs", MAX_RUNS))


def _read_meta(sweep_dir: Path) -> dict[str, Any]:
    path = sweep_dir / "sweep.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{sweep_dir}: not a sweep directory (no sweep.json)") from None
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: bad JSON or bad UTF-8
        raise ScenarioError(f"{path}: cannot read it ({exc.__class__.__name__})") from None
    if not isinstance(meta, dict):
        raise ScenarioError(f"{path}: damaged: expected a JSON object")
    return meta


# =============================================================================================
# Statistics

def mean_ci(values: Iterable[float], confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """Mean, sample standard deviation and Student-t half-width of a confidence interval.

    The interval ``mean +- half`` covers the true mean with probability ``confidence`` when the
    values are independent and normal (approximately so for other distributions by the central
    limit theorem). With one value, sd and half-width are NaN; with none, all three are.
    """
    x = np.asarray([v for v in values if v is not None], dtype=float)
    n = x.size
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(np.mean(x))
    if n == 1:
        return mean, math.nan, math.nan
    from scipy.stats import t

    sd = float(np.std(x, ddof=1))
    half = float(t.ppf(0.5 + confidence / 2, n - 1) * sd / math.sqrt(n))
    return mean, sd, half


def _replications_needed(n: int, mean: float, sd: float, rel: float, cap: int) -> int:
    """Smallest i > n with t_{i-1} * sd / sqrt(i) <= rel * |mean| (Law & Kelton's estimate), capped."""
    from scipy.stats import t

    if not math.isfinite(sd) or mean == 0:
        return cap
    target = rel * abs(mean)
    for i in range(n + 1, cap + 1):
        if t.ppf(0.5 + CONFIDENCE / 2, i - 1) * sd / math.sqrt(i) <= target:
            return i
    return cap


def _target_met(values: list[float], rel: float) -> bool:
    mean, _, half = mean_ci(values)
    return math.isfinite(half) and half <= rel * abs(mean)


# =============================================================================================
# One run

@dataclass(frozen=True)
class RunTask:
    """One run to do: a point's scenario data, the replication number and its seed."""

    point: int
    replication: int
    seed: int
    factors: dict[str, Any]
    scenario: dict[str, Any] = field(repr=False)


def execute_run(task: RunTask) -> dict[str, Any]:
    """Run one task and return its record (never raises for an error in the model).

    The record holds ``status`` ("ok" or "failed"), ``point``, ``replication``, ``seed``,
    ``factors``, and either ``kpis`` (summary flattened with dots) or ``error`` and ``traceback``;
    ``wall_time_s`` is the run's own time.
    """
    from swapsim.engine import simulate
    from swapsim.results import flatten

    started = time.perf_counter()
    record: dict[str, Any] = {"point": task.point, "replication": task.replication, "seed": task.seed,
                              "factors": task.factors}
    try:
        scenario = scenario_from_dict(task.scenario, f"point {task.point}")
        result = simulate(scenario, task.seed)
        record.update(status="ok", kpis=flatten(result.summary))
    except Exception as exc:  # a failed run is reported, it does not stop the sweep
        record.update(status="failed", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc())
    record["wall_time_s"] = time.perf_counter() - started
    record["swapsim_version"] = __version__
    return record


# =============================================================================================
# Running a sweep

class SweepInterrupted(Exception):
    """The user stopped the sweep (Ctrl-C); finished runs are on disk."""

    def __init__(self, out_dir: Path, finished: int, planned: int) -> None:
        super().__init__(f"interrupted: {finished} of {planned} runs finished and are kept in {out_dir}/runs/")
        self.out_dir = out_dir
        self.finished = finished
        self.planned = planned


@dataclass
class SweepReport:
    """What a sweep did."""

    out_dir: Path
    runs_planned: int
    runs_new: int
    runs_resumed: int
    failures: list[dict[str, Any]]
    replications: dict[int, int]
    """Replications used per point."""
    target_met: dict[int, bool]
    """With target_ci: whether each point reached every target."""
    wall_time_s: float
    executor: str
    tables: list[Path]
    broken: int = 0
    """Runs lost to a worker that died (infrastructure failure); a resume runs them."""


def _run_file(runs_dir: Path, point: int, replication: int) -> Path:
    return runs_dir / f"{point}-{replication}.json"


def _write_json_atomic(path: Path, data: Any) -> None:
    from swapsim.results import atomic_write_text, json_default

    atomic_write_text(path, json.dumps(data, indent=1, default=json_default) + "\n")


def _prepare_dir(out_dir: Path, sweep: Sweep, resume: bool, write: bool = True) -> None:
    """Check that ``out_dir`` may hold this sweep (new, empty, or this sweep with ``resume``) and, with
    ``write``, create it and write ``sweep.json`` and the manifest."""
    from swapsim.results.outdir import MANIFEST, OutputError, check_path, write_manifest

    runs_dir = out_dir / "runs"
    meta_path = out_dir / "sweep.json"
    check_path(out_dir)
    if out_dir.is_symlink() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: a symbolic link to something other than a directory")
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir}: exists and is not a directory")
    if out_dir.exists() and any(out_dir.iterdir()):
        if not meta_path.is_file():
            raise OutputError(f"{out_dir}: not empty and not a sweep directory (no sweep.json); swapsim writes "
                              f"only into a new or empty directory or one it wrote before; choose another --out")
        if not resume:
            raise ScenarioError(f"{out_dir}: already holds a sweep; add --resume to continue it, "
                                f"or choose another --out")
        stored = _read_meta(out_dir)
        mine = sweep.identity()
        theirs = {"base_scenario": stored.get("base_scenario"), "factors": stored.get("factors"),
                  "design": stored.get("design"), "seed": stored.get("seed")}
        if _copy(mine) != theirs:
            what = [k for k in mine if _copy(mine[k]) != theirs[k]]
            raise ScenarioError(f"{out_dir}: holds a different sweep ({', '.join(what)} differ); "
                                f"a resume must use the same base scenario, factors, design and seed")
    if not write:
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    runs_dir.mkdir(exist_ok=True)
    for stale in runs_dir.glob(".*.tmp"):
        stale.unlink(missing_ok=True)
    _write_json_atomic(meta_path, sweep.to_json())
    if not (out_dir / MANIFEST).exists():
        write_manifest(out_dir, ["sweep.json"])


def _load_runs(runs_dir: Path, sweep: Sweep) -> dict[tuple[int, int], dict[str, Any]]:
    """Finished runs on disk that belong to this sweep (same point values and seed)."""
    done: dict[tuple[int, int], dict[str, Any]] = {}
    points = {p.index: p for p in sweep.points}
    for path in runs_dir.glob("*.json"):
        try:
            rec = json.loads(path.read_text(encoding="utf-8"))
            key = (int(rec["point"]), int(rec["replication"]))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # unreadable: the run is simply done again
        p = points.get(key[0])
        if (p is None or rec.get("status") != "ok" or rec.get("seed") != sweep.seed_for(key[1])
                or _copy(rec.get("factors")) != _copy(p.values)):
            continue
        done[key] = rec
    return done


def run_sweep(sweep: Sweep, out_dir: str | Path, *, executor: str = "local", jobs: int | None = None,
              scheduler: str | None = None, resume: bool = False, progress: bool = False,
              on_run: Callable[[dict[str, Any]], None] | None = None,
              log: Callable[[str], None] | None = None) -> SweepReport:
    """Run every missing (point, replication) of ``sweep`` and write the sweep directory.

    Args:
        sweep: a resolved sweep (:func:`resolve_sweep` and friends).
        out_dir: the sweep directory; must be new or empty unless ``resume``.
        executor: ``"local"`` (processes) or ``"dask"``; ``scheduler`` connects to a running Dask cluster.
        jobs: worker processes (default: all cores); 1 runs in this process.
        resume: continue the sweep in ``out_dir``: only runs missing from ``out_dir/runs/`` are done.
        progress: show a progress bar with ETA on stderr.
        on_run: called with each finished run's record, after it is on disk.
        log: where to report failed runs (default: stderr).
    Raises:
        SweepInterrupted: on Ctrl-C, after stopping the workers; finished runs are kept.
        ScenarioError: a directory that does not fit (exists without --resume, holds another sweep).
    """
    from tqdm import tqdm

    out_dir = Path(out_dir)
    started = time.perf_counter()
    _prepare_dir(out_dir, sweep, resume, write=False)  # refuse a wrong directory before any worker starts
    runs_dir = out_dir / "runs"
    done = _load_runs(runs_dir, sweep) if runs_dir.is_dir() else {}
    resumed = len(done)
    plan = {p.index: sweep.replications for p in sweep.points}
    failures: dict[tuple[int, int], dict[str, Any]] = {}
    broken: set[tuple[int, int]] = set()
    by_index = {p.index: p for p in sweep.points}
    new = 0

    def report(message: str) -> None:
        if log is not None:
            log(message)
        else:
            tqdm.write(message, file=sys.stderr)

    missing = sum(1 for p, n in plan.items() for r in range(n) if (p, r) not in done)
    ex = make_executor(executor, jobs, scheduler, runs=missing, say=report)
    try:  # a cluster that cannot be reached leaves no directory behind
        _prepare_dir(out_dir, sweep, resume)
    except BaseException:
        ex.close(abort=True)
        raise
    description = ex.describe()
    bar = tqdm(total=sum(plan.values()), initial=sum(1 for k in done if k[1] < plan[k[0]]),
               disable=not progress, unit="run", desc=f"sweep {sweep.name}", file=sys.stderr,
               smoothing=0.1, **_bar_width())
    try:
        while True:
            todo = [RunTask(p, r, sweep.seed_for(r), by_index[p].values, by_index[p].scenario)
                    for p in sorted(plan) for r in range(plan[p])
                    if (p, r) not in done and (p, r) not in failures and (p, r) not in broken]
            for task, rec in ex.map_unordered(execute_run, todo):
                key = (task.point, task.replication)
                if isinstance(rec, BaseException):
                    broken.add(key)
                    report(f"run lost: point {task.point} ({_assignment_text(task.factors)}), replication "
                           f"{task.replication}: the worker failed ({type(rec).__name__}: {rec})")
                elif rec["status"] == "ok":
                    _write_json_atomic(_run_file(runs_dir, *key), rec)
                    done[key] = rec
                    new += 1
                else:
                    failures[key] = rec
                    report(f"run failed: point {task.point} ({_assignment_text(task.factors)}), replication "
                           f"{task.replication}, seed {task.seed}: {rec['error']}")
                bar.update(1)
                if failures or broken:
                    bar.set_postfix(failed=len(failures) + len(broken), refresh=False)
                if on_run is not None:
                    on_run(rec)
            if not sweep.target_ci:
                break
            grown = _extend_plan(sweep, plan, done, failures, broken)
            if grown == plan:
                break
            bar.total += sum(grown.values()) - sum(plan.values())
            bar.refresh()
            plan = grown
    except KeyboardInterrupt:
        # A second Ctrl-C (or the same signal sent to the whole process group) must not break the
        # clean-up: ignore SIGINT while the workers are stopped.
        previous = _mask_sigint()
        try:
            bar.close()
            ex.close(abort=True)
        finally:
            _restore_sigint(previous)
        raise SweepInterrupted(out_dir, len([k for k in done if k[1] < plan[k[0]]]),
                               sum(plan.values())) from None
    except BaseException:
        bar.close()
        ex.close(abort=True)
        raise
    bar.close()
    ex.close()
    tables = build_tables(out_dir, counts=plan, failures=list(failures.values()))
    met = {}
    if sweep.target_ci:
        for p, n in plan.items():
            met[p] = all(_target_met([done[(p, r)]["kpis"].get(k) for r in range(n) if (p, r) in done], rel)
                         for k, rel in sweep.target_ci.items())
    return SweepReport(out_dir=out_dir, runs_planned=sum(plan.values()), runs_new=new, runs_resumed=resumed,
                       failures=[failures[k] for k in sorted(failures)], replications=dict(plan),
                       target_met=met, wall_time_s=time.perf_counter() - started, executor=description,
                       tables=tables, broken=len(broken))


def _mask_sigint() -> Any:
    try:
        return signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to handle
        return None


def _restore_sigint(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGINT, previous)


def _bar_width() -> dict[str, Any]:
    """Follow the terminal's size; a terminal that reports none (0 x 0, as some pseudo-terminals
    do) gets a fixed 100-column bar rather than an invisible one."""
    try:
        size = os.get_terminal_size(sys.stderr.fileno())
        columns, lines = size.columns, size.lines
    except (OSError, ValueError, AttributeError):
        columns = lines = 0
    if columns > 0 and lines > 0:
        return {"dynamic_ncols": True}
    return {"ncols": columns or 100, "nrows": lines or 24}


def _extend_plan(sweep: Sweep, plan: dict[int, int], done: dict, failures: dict, broken: set) -> dict[int, int]:
    """Sequential procedure: the replications each point needs next to reach every target.

    A point whose runs are all in and whose half-width is above ``target x |mean|`` for some KPI
    grows to Law & Kelton's estimate of the replications needed (at least one more, at most double,
    at most ``max_replications``). Decisions depend only on finished runs, so a resumed sweep makes
    the same ones.
    """
    grown = dict(plan)
    for p, n in plan.items():
        keys = [(p, r) for r in range(n)]
        if any(k in failures or k in broken or k not in done for k in keys) or n >= sweep.max_replications:
            continue
        need = n
        for kpi, rel in sweep.target_ci.items():
            values = [done[k]["kpis"].get(kpi) for k in keys]
            if _target_met(values, rel):
                continue
            mean, sd, _ = mean_ci(values)
            need = max(need, min(2 * n, _replications_needed(n, mean, sd, rel, sweep.max_replications)))
        grown[p] = min(need, sweep.max_replications)
    return grown


# =============================================================================================
# Tables

def _cell_value(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else value


def _atomic_csv(path: Path, columns: dict[str, list[Any]]) -> None:
    from swapsim.results import atomic_file, write_csv

    with atomic_file(path) as tmp:
        write_csv(tmp, columns)


def _write_parquet(path: Path, columns: dict[str, list[Any]]) -> Path | None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return None
    arrays = {}
    for name, values in columns.items():
        try:
            arrays[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays[name] = pa.array([None if v is None else str(v) for v in values])
    from swapsim.results import atomic_file

    with atomic_file(path) as tmp:
        pq.write_table(pa.table(arrays), tmp)
    return path


def build_tables(out_dir: str | Path, counts: dict[int, int] | None = None,
                 failures: list[dict[str, Any]] | None = None) -> list[Path]:
    """(Re)build ``runs.csv``, ``points.csv`` (and Parquet, ``failures.csv``) from ``out_dir/runs/``.

    Args:
        counts: replications per point to include (default: the sweep's ``replications`` everywhere).
        failures: failed-run records to list in ``failures.csv`` (none: the file is removed).
    Returns the paths written.
    """
    out_dir = Path(out_dir)
    meta = _read_meta(out_dir)
    factors = list(meta["factors"])
    points = meta["points"]
    counts = counts or {p["point"]: meta["replications"] for p in points}
    records = []
    for p in points:
        for r in range(counts.get(p["point"], 0)):
            path = _run_file(out_dir / "runs", p["point"], r)
            if path.exists():
                records.append(json.loads(path.read_text(encoding="utf-8")))
    records.sort(key=lambda rec: (rec["point"], rec["replication"]))
    kpis: list[str] = []
    seen: set[str] = set(factors)
    for rec in records:
        for k in rec["kpis"]:
            if k not in seen:
                seen.add(k)
                kpis.append(k)
    runs: dict[str, list[Any]] = {"point": [], **{f: [] for f in factors}, "replication": [], "seed": [],
                                  **{k: [] for k in kpis}, "wall_time_s": []}
    for rec in records:
        runs["point"].append(rec["point"])
        for f in factors:
            runs[f].append(_cell_value(rec["factors"].get(f)))
        runs["replication"].append(rec["replication"])
        runs["seed"].append(rec["seed"])
        for k in kpis:
            runs[k].append(rec["kpis"].get(k))
        runs["wall_time_s"].append(rec["wall_time_s"])
    by_point: dict[int, list[dict[str, Any]]] = {}
    for rec in records:
        by_point.setdefault(rec["point"], []).append(rec)
    target = meta.get("target_ci") or {}
    pts: dict[str, list[Any]] = {"point": [], **{f: [] for f in factors}, "n": []}
    if target:
        pts["target_ci_met"] = []
    for k in kpis:
        pts[f"{k}.mean"], pts[f"{k}.sd"], pts[f"{k}.ci95"] = [], [], []
    for p in points:
        recs = by_point.get(p["point"], [])
        pts["point"].append(p["point"])
        for f in factors:
            pts[f].append(_cell_value(p["factors"].get(f)))
        pts["n"].append(len(recs))
        if target:
            pts["target_ci_met"].append(all(_target_met([r["kpis"].get(k) for r in recs], rel)
                                            for k, rel in target.items()))
        for k in kpis:
            mean, sd, half = mean_ci(r["kpis"].get(k) for r in recs)
            pts[f"{k}.mean"].append(mean)
            pts[f"{k}.sd"].append(sd)
            pts[f"{k}.ci95"].append(half)
    written = []
    for stem, table in (("runs", runs), ("points", pts)):
        path = out_dir / f"{stem}.csv"
        _atomic_csv(path, table)
        written.append(path)
        pq = _write_parquet(out_dir / f"{stem}.parquet", table)
        if pq is not None:
            written.append(pq)
    fail_path = out_dir / "failures.csv"
    if failures:
        fails: dict[str, list[Any]] = {"point": [], **{f: [] for f in factors}, "replication": [], "seed": [],
                                       "error": []}
        for rec in sorted(failures, key=lambda r: (r["point"], r["replication"])):
            fails["point"].append(rec["point"])
            for f in factors:
                fails[f].append(_cell_value(rec["factors"].get(f)))
            fails["replication"].append(rec["replication"])
            fails["seed"].append(rec["seed"])
            fails["error"].append(rec["error"])
        _atomic_csv(fail_path, fails)
        written.append(fail_path)
    else:
        fail_path.unlink(missing_ok=True)
    from swapsim.results import claim

    claim(out_dir, [out_dir / "sweep.json", *written, *(out_dir / "runs").glob("*.json")])
    return written
