"""What a run may cost, checked before it starts: memory.

:func:`estimate_memory_bytes` estimates a run's peak memory from its scenario (time bins x series,
robots, packs, bays, queued tasks, the event trace); :func:`check_memory` refuses a run past
:func:`memory_limit_bytes` (2 GB unless raised with ``--max-memory``, which the CLI passes on in the
``SWAPSIM_MAX_MEMORY`` environment variable so that worker processes see it too);
:func:`check_sweep_memory` checks every point of a sweep before any runs. Bytes throughout.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

from swapsim.metrics.glossary import ROBOT_STATES
from swapsim.scenario import Scenario, ScenarioError, scenario_from_dict
from swapsim.scenario.limits import show

__all__ = [
    "estimate_memory_bytes",
    "check_memory",
    "check_sweep_memory",
    "memory_limit_bytes",
    "parse_size",
    "format_size",
    "max_memory_option",
    "MEMORY_ENV",
    "DEFAULT_MAX_MEMORY",
]


# -- memory ---------------------------------------------------------------------------------------
MEMORY_ENV = "SWAPSIM_MAX_MEMORY"
"""Environment variable holding the memory limit (bytes), set by ``--max-memory``."""
DEFAULT_MAX_MEMORY = 2 * 1000**3
"""Default limit on one run's estimated memory: 2 GB."""

_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([kKmMgGtT]?i?[bB]?)\s*$")
_UNITS = {"": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "t": 1000**4}


def parse_size(text: str) -> int:
    """A size such as ``"8GB"``, ``"512 MB"``, ``"2GiB"`` or plain bytes ``"1000000"``; returns bytes (kB, MB, GB, TB
    are powers of 1000, KiB, MiB, GiB, TiB powers of 1024)."""
    m = _SIZE.match(str(text))
    if not m:
        raise ValueError(f"expected a size like 2GB, 512MB or 8GiB (got {show(text, 40)})")
    number, unit = m.groups()
    prefix = unit[:1].lower() if unit[:1].lower() in "kmgt" and unit else ""
    base = 1024 if "i" in unit.lower() else 1000
    scale = base ** " kmgt".index(prefix) if prefix else 1
    value = float(number) * scale
    if not math.isfinite(value) or value <= 0 or value > 1000**6:
        raise ValueError(f"must be a positive size up to 1 EB (got {show(text, 40)})")
    return int(value)


def format_size(n: float) -> str:
    """Bytes as ``"1.2 GB"`` (decimal units)."""
    for unit, size in (("TB", 1000**4), ("GB", 1000**3), ("MB", 1000**2), ("kB", 1000)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} B"


def memory_limit_bytes() -> int:
    """The limit on a run's estimated memory: ``SWAPSIM_MAX_MEMORY`` if set (a size as ``--max-memory``
    takes it: ``8GB``, ``512MB``, ``2GiB`` or bytes), else 2 GB. A value that is not a size is a
    ``ScenarioError`` naming the variable, never silently the default."""
    raw = os.environ.get(MEMORY_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_MAX_MEMORY
    try:  # the same sizes as --max-memory, with the same meaning
        return parse_size(raw)
    except ValueError as exc:
        raise ScenarioError(f"{MEMORY_ENV}: {exc}") from None


_BYTES_PER_BIN_VALUE = 8 * 4
"""A double per bin and series, four times over: the bins, the table at the end, its temporaries and
the CSV writer's rows."""
_BYTES_PER_ROBOT = 6_000
_BYTES_PER_PACK = 1_500
_BYTES_PER_BAY = 200
_BYTES_PER_TASK = 600
_BYTES_PER_TRACE_EVENT = 400
_BYTES_PER_ALERT = 300
_BYTES_PER_SNAPSHOT = 400
_BASE_BYTES = 30 * 1000**2
_BYTES_PER_PLOTTED_VALUE = 120
"""Drawing the figures reads timeseries.csv back (a Python float and a list slot per value, the CSV
reader's rows) and coarsens each column with NumPy: measured 102 bytes a value (172,800 bins x 29
columns: 630 MB peak, 118 MB without bins)."""
_PLOT_BASE_BYTES = 150 * 1000**2
"""Drawing figures with no bins to speak of (matplotlib loaded): measured 118 MB."""
_STATION_COLUMNS = 9
"""timeseries.csv columns per station: busy, queue, green, down, queue and green min and max, stock-outs."""


def estimate_memory_bytes(s: "Scenario", figures: bool = False) -> int:
    """Estimated peak memory of one run of ``s`` (bytes), an upper-side estimate.

    Terms: time bins x series (9 robot states twice, 4 per station, roster and task series), robots,
    packs (in robots, bays and spare stock), bays, health snapshots, the event trace and alerts kept,
    and the tasks that would be waiting at the horizon if demand outran the fleet (mean rate x horizon).
    With ``figures``, the larger of that and drawing the run's figures afterwards (timeseries.csv read
    back: bins x columns).
    """

    n_bins = math.ceil(s.horizon / s.output.bin_width)
    series = 2 * len(ROBOT_STATES) + 4 * len(s.stations) + 4
    total: float = _BASE_BYTES + n_bins * series * _BYTES_PER_BIN_VALUE
    total += s.fleet.robots * _BYTES_PER_ROBOT
    packs = s.total_packs + s.technicians.spare_packs
    total += packs * _BYTES_PER_PACK
    total += sum(st.bays for st in s.stations) * _BYTES_PER_BAY
    total += (s.horizon / s.output.health_bin_width + 2) * _BYTES_PER_SNAPSHOT
    total += s.output.trace_events * _BYTES_PER_TRACE_EVENT + s.output.alerts_limit * _BYTES_PER_ALERT
    if s.workload.tasks is not None:
        total += s.workload.tasks.arrivals.mean_rate_per_h() * s.horizon * _BYTES_PER_TASK
    if figures:
        columns = 2 + len(ROBOT_STATES) + _STATION_COLUMNS * len(s.stations)
        total = max(total, _PLOT_BASE_BYTES + n_bins * columns * _BYTES_PER_PLOTTED_VALUE)
    return int(total)


def check_memory(
    s: "Scenario", limit_bytes: int | None = None, source: str | None = None, figures: bool = False
) -> int:
    """Raise ``ScenarioError`` if one run of ``s`` (and, with ``figures``, drawing its figures) is
    estimated to need more than ``limit_bytes`` (default :func:`memory_limit_bytes`); returns the estimate (bytes)."""

    limit = memory_limit_bytes() if limit_bytes is None else limit_bytes
    need = estimate_memory_bytes(s, figures)
    if need > limit:
        n_bins = math.ceil(s.horizon / s.output.bin_width)
        raise ScenarioError(
            f"{source or s.name}: a run would need about {format_size(need)} of memory, more than the "
            f"{format_size(limit)} limit ({n_bins:,} time bins, {s.fleet.robots:,} robots, "
            f"{s.total_packs:,} packs{', figures drawn' if figures else ''}): widen output.bin_width, shorten "
            f"the horizon, or raise the limit with --max-memory (e.g. --max-memory 8GB)"
        )
    return need


# -- duration bounds written in units -------------------------------------------------------------


def check_sweep_memory(sweep: Any) -> int:
    """:func:`check_memory` for every point of a sweep (``sweep.points[i].scenario``: validated scenario
    data); raises ``ScenarioError`` naming the first point past the limit; returns the largest estimate."""

    worst = 0
    for i, point in enumerate(sweep.points):
        sc = point.scenario if isinstance(point.scenario, Scenario) else scenario_from_dict(point.scenario)
        worst = max(worst, check_memory(sc, source=f"{sweep.name} sweep, point {i}"))
    return worst


def _set_memory_limit(ctx: Any, param: Any, value: str | None) -> None:
    if value is None:
        return
    import click

    try:
        limit = parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    os.environ[MEMORY_ENV] = str(limit)  # read by check_memory here and in worker processes


def max_memory_option(fn: Any) -> Any:
    """The ``--max-memory SIZE`` option of the commands that run models (sets :data:`MEMORY_ENV`)."""
    import click

    return click.option(
        "--max-memory",
        metavar="SIZE",
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_set_memory_limit,
        help="Refuse a run estimated to need more memory than this (default 2GB), e.g. 8GB.",
    )(fn)
