"""Sweeps from files: the sweep file (:class:`SweepSpec`), a scenario file with factors, and a sweep directory.

This module reads a sweep from where it is written down and hands it to
:func:`~swapsim.experiments.sweep.resolve_sweep`, which checks every point before any run starts:
:func:`load_sweep_file` reads a sweep file (YAML, paths relative to it), :func:`sweep_from_scenario`
builds a sweep over a scenario file as given on the command line (``--vary``, ``--set`` ...), and
:func:`sweep_from_dir` reads back the ``sweep.json`` of a sweep directory to resume it. It also
knows the layout of a sweep directory (``sweep.json`` and ``runs/<point>-<replication>.json``), read
by :mod:`swapsim.experiments.runner` and :mod:`swapsim.experiments.tables`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from swapsim.experiments.sweep import MAX_RUNS, Sweep, resolve_sweep
from swapsim.results.reader import ResultsError, read_json
from swapsim.scenario import (
    ScenarioError,
    format_errors,
    load_scenario,
    read_yaml,
    scenario_from_dict,
)

__all__ = [
    "SweepSpec",
    "load_sweep_file",
    "sweep_from_scenario",
    "sweep_from_dir",
]


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
        default_factory=dict, description="dotted path -> list of values"
    )
    design: Literal["factorial", "zip"] = "factorial"
    replications: int = Field(default=10, ge=1, le=100_000)
    seed: int | None = Field(default=None, ge=0, description="root seed; default: the base scenario's")
    target_ci: dict[str, Annotated[float, Field(gt=0, lt=1)]] = Field(
        default_factory=dict, description="KPI -> target 95 % half-width relative to |mean|"
    )
    max_replications: int = Field(
        default=100, ge=1, le=100_000, description="cap of replications per point with target_ci"
    )


def load_sweep_file(
    path: str | Path,
    *,
    extra_factors: dict[str, list[Any]] | None = None,
    extra_overrides: Iterable[str] = (),
    **changes: Any,
) -> Sweep:
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
        load_scenario(base_path, overrides),
        factors,
        base=str(base_path),
        overrides=overrides,
        design=given.get("design", spec.design),
        replications=given.get("replications", spec.replications),
        seed=given.get("seed", spec.seed),
        target_ci=target,
        max_replications=given.get("max_replications", spec.max_replications),
        max_runs=given.get("max_runs", MAX_RUNS),
    )


def sweep_from_scenario(
    path: str | Path,
    factors: dict[str, list[Any]],
    *,
    overrides: Iterable[str] = (),
    design: str = "factorial",
    replications: int = 10,
    seed: int | None = None,
    target_ci: dict[str, float] | None = None,
    max_replications: int = 100,
    max_runs: int | None = None,
) -> Sweep:
    """A sweep over a scenario file, as given on the command line (``--vary``, ``--set`` ...)."""
    overrides = list(overrides)
    return resolve_sweep(
        load_scenario(path, overrides),
        factors,
        base=str(path),
        overrides=overrides,
        design=design,
        replications=replications,
        seed=seed,
        target_ci=target_ci,
        max_replications=max_replications,
        max_runs=max_runs or MAX_RUNS,
    )


def sweep_from_dir(sweep_dir: str | Path, **changes: Any) -> Sweep:
    """The sweep stored in ``sweep_dir/sweep.json`` (to resume it), with optional changes of
    replications, target_ci or max_replications."""
    sweep_dir = Path(sweep_dir)
    meta = read_meta(sweep_dir)
    kinds = {
        "base_scenario": dict,
        "factors": dict,
        "design": str,
        "seed": int,
        "base": str,
        "replications": int,
        "points": list,
    }
    wrong = [k for k, t in kinds.items() if not isinstance(meta.get(k), t)]
    if wrong:
        raise ScenarioError(f"{sweep_dir}/sweep.json: damaged: {', '.join(wrong)} missing or of the wrong type")
    base = scenario_from_dict(meta["base_scenario"], f"{sweep_dir}/sweep.json: base_scenario")
    given = {k: v for k, v in changes.items() if v is not None}
    for key in ("seed", "design"):
        if key in given and given[key] != meta[key]:
            raise ScenarioError(
                f"{sweep_dir}: the stored sweep has {key} {meta[key]!r}; a resume cannot change it (got {given[key]!r})"
            )
    return resolve_sweep(
        base,
        meta["factors"],
        base=meta["base"],
        overrides=meta.get("set", []),
        design=meta["design"],
        replications=given.get("replications", meta["replications"]),
        seed=meta["seed"],
        target_ci=given.get("target_ci") or meta.get("target_ci") or {},
        max_replications=given.get("max_replications", meta.get("max_replications", meta["replications"])),
        max_runs=given.get("max_runs", MAX_RUNS),
    )


# =============================================================================================
# The sweep directory: sweep.json and the run files (read by the runner and the tables too)


def read_meta(sweep_dir: Path) -> dict[str, Any]:
    """The stored sweep, ``sweep_dir/sweep.json``, as a dict; ScenarioError if missing or unreadable."""
    path = sweep_dir / "sweep.json"
    if not os.path.lexists(path):
        raise ScenarioError(f"{sweep_dir}: not a sweep directory (no sweep.json)")
    try:
        return dict(read_json(path))
    except ResultsError as exc:
        raise ScenarioError(str(exc)) from None


def run_file(runs_dir: Path, point: int, replication: int) -> Path:
    """Where run ``replication`` of point ``point`` is kept in a sweep directory's ``runs_dir``."""
    return runs_dir / f"{point}-{replication}.json"
