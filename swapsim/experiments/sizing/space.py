"""The sizing question as data: the search space (``--search PATH=LO..HI``) and the service targets
(``--target 'KPI<=VALUE'``), parsed and checked against the base scenario.

A *dimension* is an integer range over one scenario field; ``stations[*].positions`` moves every
station's field together (one dimension), ``stations[1].bays`` one station's. A *configuration* is one
value per dimension. Dimensions over a resource (positions, bays, charged packs, docks, technicians,
spare packs) order configurations; but a KPI is assumed *monotone* in a resource (more of it never
makes the KPI worse) only where :data:`MONOTONE_KPIS` says so, from theory with an exact check in
``tests/validation/test_size_exact.py``: swap waits in positions (M/M/c//N), the stock-out share in
charged packs and bays (Palm), dock waits in docks (M/M/c). Swap waits are *not* assumed monotone in
charged packs: on the factory (7 d, one position) the p95 swap wait was 2.3 +- 0.3 min longer with 6
packs per hall than with 5 (paired, 95 %), in the overloaded corner where most swaps stock out. The search skips a
configuration only when one shown infeasible has at least its resources and failed a target whose KPI
is monotone in every dimension where the two differ (and checks; see
:mod:`swapsim.experiments.sizing.search`). The stock-out share is *not* monotone in positions: a robot
waiting for a position is not a stock-out, one that holds a position and finds no green pack is, so a
second position turns queueing into stock-outs. Task KPIs are monotone in nothing (opportunistic and
off-duty swaps grow with the green stock; station choice moves robots between stations), nor is any KPI
in ``fleet.robots``, technicians or spare packs.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from dataclasses import dataclass
from typing import Any

from swapsim.experiments.sizing.equivalence import model_key, why_equivalent
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
    "MONOTONE_KPIS",
    "dominates",
    "differing",
    "check_kpis",
    "check_grid",
    "MAX_CONFIGS",
    "STATIONS",
    "check_station_count",
]

MONOTONE_FIELDS = ("positions", "bays", "charged_packs", "docks", "crew", "spare_packs")
"""Last path segments of resource fields: they order configurations (more resources)."""

MONOTONE_KPIS: dict[str, tuple[str, ...]] = {
    "positions": ("swaps.wait_min.",),
    "charged_packs": ("swaps.stockout_share",),
    "bays": ("swaps.stockout_share",),
    "docks": ("charging.wait_min.",),
}
"""For each resource field, the KPIs (dotted prefixes) that more of it never makes worse: the only pairs
the search prunes on (see the module doc); every other pair is checked and reported, never assumed."""

STATIONS = "stations"
"""``--search stations=LO..HI``: how many of the scenario's listed (candidate) stations are built, the
first N in the order listed; the others are dropped with their cost."""

MAX_CONFIGS = 10_000
"""Most configurations in a ``size --search`` grid (the product of the ranges' lengths), checked before
any is built."""
_RANGE = re.compile(r"^\s*(-?\d{1,18})\s*\.\.\s*(-?\d{1,18})\s*(?:/\s*(\d{1,18})\s*)?$")
_LINKED = re.compile(r"^\s*([A-Za-z_]\w*)\s*([+-]\s*\d{1,18})\s*\.\.\s*([+-]\s*\d{1,18})\s*(?:/\s*(\d{1,18})\s*)?$")
_ITEM_FIELD = re.compile(r"^(\w+)\[(\*|\d+)\]\.(\w+)$")
_TARGET = re.compile(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*(<=|>=)\s*([-+0-9.eE]+)\s*(%?)\s*$")


@dataclass(frozen=True)
class Dimension:
    """One searched field: ``path`` (as in a sweep factor) over the integers ``lo..hi`` (inclusive) in
    steps of ``step``."""

    path: str
    lo: int
    hi: int
    step: int = 1
    link: str = ""
    """A sibling field of the same list item: the value is an offset from it
    (``stations[*].bays=charged_packs+2..+8``: each station's bays = its charged packs + 2 .. + 8)."""

    @property
    def values(self) -> list[int]:
        return list(range(self.lo, self.hi + 1, self.step))

    def show(self, v: int) -> str:
        """``path=value`` as a reader sees it (``stations[*].bays=charged_packs+3`` for a linked one)."""
        return f"{self.path}={self.link}{v:+d}" if self.link else f"{self.path}={v}"

    @property
    def field(self) -> str:
        """The last segment of the path (``positions`` for ``stations[*].positions``)."""
        return self.path.rsplit(".", 1)[-1]

    @property
    def monotone(self) -> bool:
        """A resource: configurations are ordered along it."""
        return self.field in MONOTONE_FIELDS

    def monotone_for(self, kpi: str) -> bool:
        """More of this field never makes ``kpi`` worse (:data:`MONOTONE_KPIS`)."""
        return any(kpi.startswith(p) for p in MONOTONE_KPIS.get(self.field, ()))


@dataclass(frozen=True)
class Target:
    """A service target: the mean over replications of ``kpi`` (a dotted summary key) ``op`` ``value``."""

    kpi: str
    op: str
    value: float
    guard: bool = False
    """Added by ``size`` (not asked for): a swap-wait or stock-out guard next to a coverage target."""

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
    key: str = ""
    """Equal for configurations the model cannot tell apart (:func:`~swapsim.experiments.sizing.equivalence.model_key`)."""
    why_same: str = ""
    """Why a configuration with this key runs as another (bays that never hold a pack)."""
    work: float = 0.0
    """The work of one run: robots x horizon (robot-hours; :mod:`swapsim.experiments.sizing.eta`)."""

    def label(self, dims: list[Dimension]) -> str:
        return ", ".join(d.show(v) for d, v in zip(dims, self.values))


def parse_search(text: str) -> Dimension:
    """``stations[*].positions=1..4`` -> Dimension("stations[*].positions", 1, 4); ``fleet.robots=40..80/5``
    steps by 5."""
    if "=" not in text:
        raise ScenarioError(f"--search {show(text, 80)}: expected PATH=LO..HI, e.g. stations[*].positions=1..4")
    path, raw = text.split("=", 1)
    linked = _LINKED.match(raw)
    if linked is not None:
        if _ITEM_FIELD.match(path.strip()) is None:
            raise ScenarioError(
                f"--search {show(text, 80)}: a linked range needs a list item's field, e.g. stations[*].bays=charged_packs+2..+8"
            )
        lo, hi = int(linked.group(2).replace(" ", "")), int(linked.group(3).replace(" ", ""))
        step = int(linked.group(4) or 1)
        if hi < lo or step < 1:
            raise ScenarioError(f"--search {show(text, 80)}: the range is empty or the step is < 1")
        if (hi - lo) // step + 1 > MAX_CONFIGS:
            raise ScenarioError(
                f"--search {show(text, 80)}: more values than the {MAX_CONFIGS:,} configurations a search may have"
            )
        return Dimension(path.strip(), lo, hi, step, link=linked.group(1))
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
    check_overlaps(base_data, [d.path for d in dims if d.path != STATIONS], "--search")
    check_station_count(base_data, dims, source)
    configs: list[Config] = []
    invalid: list[tuple[tuple[int, ...], str]] = []
    for i, combo in enumerate(itertools.product(*(d.values for d in dims))):
        values = {d.path: v for d, v in zip(dims, combo) if not d.link and d.path != STATIONS}
        shown = ", ".join(d.show(v) for d, v in zip(dims, combo))
        try:
            data = apply_factors(base_data, values)
            for d, v in zip(dims, combo):
                if d.link:
                    _apply_linked(data, d, v)
            for d, v in zip(dims, combo):
                if d.path == STATIONS:  # build the first v of the candidate stations (after their fields are set)
                    data[STATIONS] = data[STATIONS][:v]
            sc = scenario_from_dict(data, f"{source} with {shown}")
        except ScenarioError as exc:
            invalid.append((combo, str(exc).splitlines()[0]))
            continue
        work = float(sc.fleet.robots) * float(sc.horizon)
        configs.append(Config(i, tuple(combo), data, static_cost(sc), model_key(data, sc), why_equivalent(sc), work))
    return configs, invalid


def check_station_count(base_data: dict[str, Any], dims: list[Dimension], source: str) -> None:
    """Refuse ``--search stations=LO..HI`` asking for more stations than the scenario lists as candidates
    (or for none): the search builds the first N of the listed stations."""
    for d in dims:
        if d.path != STATIONS:
            continue
        listed = base_data.get(STATIONS)
        k = len(listed) if isinstance(listed, list) else 0
        if d.lo < 1 or d.hi > k:
            raise ScenarioError(
                f"{source}: stations: --search stations={d.lo}..{d.hi} builds the first N of the {k} listed "
                f"candidate station(s); expected a range within 1..{k} (got {d.lo if d.lo < 1 else d.hi})"
            )


def _apply_linked(data: dict[str, Any], d: Dimension, offset: int) -> None:
    """Set ``d.path`` in each list item it names to the item's ``d.link`` field plus ``offset`` (in place)."""
    m = _ITEM_FIELD.match(d.path)
    assert m is not None, "checked by parse_search"
    items = data.get(m.group(1))
    if not isinstance(items, list):
        raise ScenarioError(f"--search {d.path}: {m.group(1)} is not a list in the scenario")
    chosen = range(len(items)) if m.group(2) == "*" else [int(m.group(2))]
    for i in chosen:
        if not 0 <= i < len(items) or not isinstance(items[i], dict):
            raise ScenarioError(f"--search {d.path}: {m.group(1)}[{i}] is not in the scenario")
        base = items[i].get(d.link)
        if not isinstance(base, int):
            raise ScenarioError(f"--search {d.path}: {m.group(1)}[{i}].{d.link} is not a whole number to link to")
        items[i][m.group(3)] = base + offset


def dominates(a: Config, b: Config, dims: list[Dimension], kpi: str | None = None) -> bool:
    """``a >= b`` in every resource dimension, equal in the others, and not equal: ``a`` has at least the
    resources of ``b``. With ``kpi``: also, ``kpi`` is monotone in every dimension where they differ (so
    ``a`` does at least as well on it)."""
    if a.values == b.values:
        return False
    for d, x, y in zip(dims, a.values, b.values):
        if d.monotone:
            if x < y or (x != y and kpi is not None and not d.monotone_for(kpi)):
                return False
        elif x != y:
            return False
    return True


def differing(a: Config, b: Config, dims: list[Dimension]) -> list[Dimension]:
    """The dimensions where ``a`` and ``b`` differ."""
    return [d for d, x, y in zip(dims, a.values, b.values) if x != y]
