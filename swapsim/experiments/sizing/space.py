"""The sizing question as data: the search space (``--search PATH=LO..HI``) and the service targets
(``--target 'KPI<=VALUE'``), parsed and checked against the base scenario.

A *dimension* is an integer range over one scenario field; ``stations[*].positions`` moves every
station's field together (one dimension), ``stations[1].bays`` one station's. A *configuration* is one
value per dimension. Dimensions over a resource (positions, bays, charged packs, docks, technicians,
spare packs) are *monotone*: adding one never makes a wait or a stock-out worse, which the search uses
to skip dominated configurations (and checks; see :mod:`swapsim.experiments.sizing.search`). ``fleet.robots`` and
any other field are searched but not assumed monotone.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from dataclasses import dataclass
from typing import Any

from swapsim.experiments.sweep import apply_factors, check_overlaps
from swapsim.scenario import ScenarioError, scenario_from_dict
from swapsim.scenario.limits import show

__all__ = [
    "Dimension",
    "Target",
    "Config",
    "parse_search",
    "parse_objective_target",
    "enumerate_configs",
    "MONOTONE_FIELDS",
    "check_kpis",
    "check_grid",
    "MAX_CONFIGS",
]

MONOTONE_FIELDS = ("positions", "bays", "charged_packs", "docks", "crew", "spare_packs")
"""Last path segments of resource fields: more of them never makes service worse (assumed, then checked)."""

MAX_CONFIGS = 10_000
"""Most configurations in a ``size --search`` grid (the product of the ranges' lengths), checked before
any is built."""
_RANGE = re.compile(r"^\s*(-?\d{1,18})\s*\.\.\s*(-?\d{1,18})\s*(?:/\s*(\d{1,18})\s*)?$")
_TARGET = re.compile(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(<=|>=)\s*([-+0-9.eE]+)\s*(%?)\s*$")


@dataclass(frozen=True)
class Dimension:
    """One searched field: ``path`` (as in a sweep factor) over the integers ``lo..hi`` (inclusive) in
    steps of ``step``."""

    path: str
    lo: int
    hi: int
    step: int = 1

    @property
    def values(self) -> list[int]:
        return list(range(self.lo, self.hi + 1, self.step))

    @property
    def monotone(self) -> bool:
        """More of this field never makes service worse (a resource)."""
        return self.path.rsplit(".", 1)[-1] in MONOTONE_FIELDS


@dataclass(frozen=True)
class Target:
    """A service target: the mean over replications of ``kpi`` (a dotted summary key) ``op`` ``value``."""

    kpi: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.kpi}{self.op}{self.value:g}"

    @property
    def upper(self) -> bool:
        """True for ``<=`` (the KPI must stay below the value)."""
        return self.op == "<="


@dataclass(frozen=True)
class Config:
    """One configuration: its index in the grid, the value of each dimension, its scenario data."""

    index: int
    values: tuple[int, ...]
    data: dict[str, Any]
    static_cost: float

    def label(self, dims: list[Dimension]) -> str:
        return ", ".join(f"{d.path}={v}" for d, v in zip(dims, self.values))


def parse_search(text: str) -> Dimension:
    """``stations[*].positions=1..4`` -> Dimension("stations[*].positions", 1, 4); ``fleet.robots=40..80/5``
    steps by 5."""
    if "=" not in text:
        raise ScenarioError(f"--search {show(text, 80)}: expected PATH=LO..HI, e.g. stations[*].positions=1..4")
    path, raw = text.split("=", 1)
    m = _RANGE.match(raw)
    if not path.strip() or m is None:
        raise ScenarioError(
            f"--search {show(text, 80)}: expected PATH=LO..HI with whole numbers, e.g. fleet.robots=20..40"
        )
    lo, hi, step = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
    if hi < lo:
        raise ScenarioError(f"--search {show(text, 80)}: the range is empty (LO must be <= HI)")
    if step < 1:
        raise ScenarioError(f"--search {show(text, 80)}: the step must be >= 1")
    count = (hi - lo) // step + 1
    if count > MAX_CONFIGS:
        raise ScenarioError(
            f"--search {show(text, 80)}: {count:,} values, more than the {MAX_CONFIGS:,} configurations a search may have"
        )
    return Dimension(path.strip(), lo, hi, step)


def check_grid(dims: list[Dimension]) -> None:
    """Refuse a grid of more than :data:`MAX_CONFIGS` configurations before any is built."""
    count = math.prod((d.hi - d.lo) // d.step + 1 for d in dims)
    if count > MAX_CONFIGS:
        sizes = " x ".join(f"{(d.hi - d.lo) // d.step + 1:,}" for d in dims)
        raise ScenarioError(
            f"--search: the grid has {sizes} = {count:,} configurations, more than the {MAX_CONFIGS:,} a "
            f"search may have; narrow a range or step it (fleet.robots=20..80/5)"
        )


def parse_objective_target(text: str) -> Target:
    """``swaps.wait_min.p95<=5`` -> Target("swaps.wait_min.p95", "<=", 5.0); ``90%`` reads as 0.9."""
    m = _TARGET.match(text)
    if m is None:
        raise ScenarioError(f"--target {text}: expected KPI<=VALUE or KPI>=VALUE, e.g. 'swaps.wait_min.p95<=5'")
    try:
        value = float(m.group(3))
    except ValueError:
        raise ScenarioError(f"--target {text}: the value must be a number") from None
    if m.group(4):
        value /= 100.0
    return Target(m.group(1), m.group(2), value)


def check_kpis(names: list[str], known: list[str], what: str) -> None:
    """Raise a ScenarioError naming each KPI of ``names`` missing from ``known`` (with close matches)."""
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(close)}?" if close else " (see the keys of summary.json)"
            raise ScenarioError(f"{what} {name}: not a KPI of this scenario's summary{hint}")


def enumerate_configs(
    base_data: dict[str, Any], dims: list[Dimension], source: str, static_cost
) -> tuple[list[Config], list[tuple[tuple[int, ...], str]]]:
    """Every configuration of the grid that is a valid scenario, and the invalid ones with the reason.

    ``static_cost(scenario)`` gives the cost known before any run (ordering key). Configurations are
    numbered in grid order (first dimension slowest).
    """
    check_grid(dims)
    check_overlaps(base_data, [d.path for d in dims], "--search")
    configs: list[Config] = []
    invalid: list[tuple[tuple[int, ...], str]] = []
    for i, combo in enumerate(itertools.product(*(d.values for d in dims))):
        values = {d.path: v for d, v in zip(dims, combo)}
        try:
            data = apply_factors(base_data, values)
            sc = scenario_from_dict(data, f"{source} with " + ", ".join(f"{k}={v}" for k, v in values.items()))
        except ScenarioError as exc:
            invalid.append((combo, str(exc).splitlines()[0]))
            continue
        configs.append(Config(i, tuple(combo), data, static_cost(sc)))
    return configs, invalid


def dominates(a: Config, b: Config, dims: list[Dimension]) -> bool:
    """``a >= b`` in every monotone dimension, equal in the others, and not equal: ``a`` has at least the
    resources of ``b`` (so, by monotonicity, serves at least as well)."""
    if a.values == b.values:
        return False
    for d, x, y in zip(dims, a.values, b.values):
        if d.monotone:
            if x < y:
                return False
        elif x != y:
            return False
    return True
