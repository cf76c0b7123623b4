"""``swapsim plot`` of a ``swapsim size`` directory: ``size.png`` redrawn from ``size.json`` and ``size.csv``.

:func:`swapsim.output.figures_size.draw_size_figure` draws from the search's result in memory; here the
same figure is drawn from the saved files only (nothing is simulated): each configuration's status, mean
objective and, per target, its mean and the one-sided bounds of its last look (``size.csv``), the
targets, binding targets and the recommendation (``size.json``), read into light stand-ins of the
objects the drawing reads.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swapsim.output.figures_size import draw_size_figure
from swapsim.results import ResultsError, owned_file
from swapsim.results.reader import read_json, read_text

__all__ = ["plot_size", "is_size_dir"]


def is_size_dir(results_dir: Path) -> bool:
    """True when ``results_dir`` holds the outputs of ``swapsim size`` (whatever they are: a damaged or
    non-regular ``size.json`` is then refused by the guarded reader, naming it)."""
    return os.path.lexists(results_dir / "size.json") and os.path.lexists(results_dir / "size.csv")


@dataclass(frozen=True)
class _Target:
    kpi: str
    op: str
    value: float
    guard: bool = False

    def __str__(self) -> str:
        return f"{self.kpi}{self.op}{self.value:g}"

    @property
    def upper(self) -> bool:
        return self.op == "<="


@dataclass(frozen=True)
class _Bound:
    mean: float
    lower: float
    upper: float


@dataclass(frozen=True)
class _Dim:
    path: str


@dataclass
class _Config:
    index: int
    values: tuple[Any, ...]

    def label(self, dims: list[_Dim]) -> str:
        return ", ".join(f"{d.path}={v}" for d, v in zip(dims, self.values))


@dataclass
class _Evaluated:
    config: _Config
    status: str
    n: int
    objective: float
    bounds: dict[str, _Bound] = field(default_factory=dict)

    def mean(self, name: str) -> float:
        return self.objective


@dataclass
class _Spec:
    source: str
    objective: str
    targets: list[_Target]
    dims: list[_Dim]


@dataclass(frozen=True)
class _Horizon:
    best_holds: bool


@dataclass
class _Result:
    spec: _Spec
    evaluated: list[_Evaluated]
    binding: list[str]
    best: _Evaluated | None
    horizon: _Horizon | None = None


def _target(text: str, guards: list[str]) -> _Target:
    for op in ("<=", ">="):
        if op in text:
            kpi, value = text.split(op, 1)
            return _Target(kpi, op, float(value), text in guards)
    raise ResultsError(f"size.json: damaged: target {text[:60]!r} has no <= or >=")


def _num(text: str | None) -> float:
    try:
        return float(text) if text not in (None, "") else math.nan
    except ValueError:
        return math.nan


def read_size_result(size_dir: Path) -> _Result:
    """The figure's inputs from ``size.json`` and ``size.csv``."""
    try:
        doc = read_json(size_dir / "size.json", size_dir)
        q = doc["question"]
        targets = [_target(t, list(q.get("guards") or [])) for t in q["targets"]]
        dims = [_Dim(d["path"]) for d in q["search"]]
        spec = _Spec(str(doc["scenario"]), str(q["objective"]), targets, dims)
        reader = csv.DictReader(io.StringIO(read_text(size_dir / "size.csv", size_dir, what="CSV table"), newline=""))
        rows = list(reader)
        need = ["config", "status", "n", f"{spec.objective}.mean", *(f"{t.kpi}.mean" for t in targets)]
        missing = [c for c in need if c not in (reader.fieldnames or [])]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ResultsError(f"{size_dir}: size.json or size.csv is damaged ({type(exc).__name__}: {exc})") from None
    if missing:
        raise ResultsError(f"{size_dir / 'size.csv'}: damaged: no column {', '.join(missing)}")
    evaluated = []
    for row in rows:
        if not row.get("config"):
            continue  # an invalid configuration has no index
        cfg = _Config(int(row["config"]), tuple(row.get(d.path) for d in dims))
        ev = _Evaluated(
            cfg, row.get("status", ""), int(_num(row.get("n")) or 0), _num(row.get(f"{spec.objective}.mean"))
        )
        for t in targets:
            m = _num(row.get(f"{t.kpi}.mean"))
            if math.isfinite(m):
                ev.bounds[t.kpi] = _Bound(m, _num(row.get(f"{t.kpi}.lower")), _num(row.get(f"{t.kpi}.upper")))
        evaluated.append(ev)
    rec = doc.get("recommendation")
    best = None
    if isinstance(rec, dict):
        best = next((e for e in evaluated if e.config.index == rec.get("config")), None)
    holds = doc.get("holds_at_longer_horizon")
    horizon = None if holds is None else _Horizon(bool(holds))
    return _Result(spec, evaluated, list(doc.get("binding_targets") or []), best, horizon)


def plot_size(size_dir: Path, fmt: str = "png") -> list[Path]:
    """Redraw ``size.<fmt>`` of a size directory from its saved files; returns the path written."""
    size_dir = Path(size_dir)
    res = read_size_result(size_dir)
    if not res.spec.targets:
        raise ResultsError(f"{size_dir / 'size.json'}: damaged: no targets")
    path = size_dir / f"size.{fmt}"
    with owned_file(path) as tmp:
        draw_size_figure(res, tmp, fmt)  # type: ignore[arg-type]  # the stand-ins carry what it reads
    return [path]
