"""The words of the statistics: robot states, the calendar units every concern shares, and the label a
reader sees for every KPI.

Each robot is in exactly one of :data:`ROBOT_STATES` at any time; the model names the state, the
metrics concerns count the hours. Every key of ``summary.json`` (dotted, as :func:`swapsim.results.flatten`
writes them; per-station keys as ``stations.*.<column>``) has its label, unit and, for a share, what it
is a share of in the catalogue (:mod:`swapsim.metrics.catalogue`); :data:`KPI_LABELS` is a live view of
it, and :func:`kpi_label` renders one for a table or an axis. The CLI, the report and the figures use
these labels, so a KPI reads the same everywhere (a test checks that every KPI of the shipped scenarios
has one).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from swapsim.metrics.catalogue import CATALOGUE, ON_DUTY_STATES, ROBOT_STATES, STATE_WORDS, Label, entry_for

__all__ = [
    "ROBOT_STATES",
    "ON_DUTY_STATES",
    "FAULT_KINDS",
    "STATE_INDEX",
    "MONTH_H",
    "Label",
    "KPI_LABELS",
    "STATE_WORDS",
    "label_for",
    "kpi_label",
    "NOT_APPLICABLE",
    "STRATEGY_NAMES",
    "strategy_name",
    "not_applicable",
    "plural",
]

FAULT_KINDS: tuple[str, ...] = ("estop", "breakdown")
"""Faults that halt a robot (counted in ``faults``); failed swaps and station outages are counted apart."""


STATE_INDEX: dict[str, int] = {s: i for i, s in enumerate(ROBOT_STATES)}
MONTH_H = 720.0
"""Length of a month in the monthly table (30 days, in hours)."""


class _Labels(Mapping[str, Label]):
    """Every KPI's :class:`Label`, read live from the catalogue (so a KPI registered later has one),
    then the bare columns of compare.csv."""

    def __getitem__(self, key: str) -> Label:
        entry = CATALOGUE.get(key)
        if entry is not None:
            return entry.as_label
        column = COMPARE_COLUMNS[key]
        return column if isinstance(column, Label) else CATALOGUE[column].as_label

    def __iter__(self) -> Iterator[str]:
        return iter([*CATALOGUE, *COMPARE_COLUMNS])

    def __len__(self) -> int:
        return len(CATALOGUE) + len(COMPARE_COLUMNS)


COMPARE_COLUMNS: dict[str, str | Label] = {
    "utilisation": "fleet.utilisation",
    **{s: f"fleet.state_fraction.{s}" for s in ON_DUTY_STATES},
    "off_duty_fraction": "fleet.off_duty_fraction",
    "swaps_per_robot_per_day": "swaps.per_robot_per_day",
    "charges_per_robot_per_day": "charging.per_robot_per_day",
    "wait_min_mean": "swaps.wait_min.mean",
    "strandings": "fleet.strandings",
    "down_h": "faults.down_h",
    "grid_kwh": "energy.grid_kwh",
    "wall_time_s": Label("simulation wall time", "s"),
    "tasks_done": "tasks.done",
    "task_wait_min_mean": "tasks.wait_min.mean",
    "task_wait_min_p95": "tasks.wait_min.p95",
}
"""compare.csv's columns (one row per strategy): the catalogue KPI each one is, or its own label."""

KPI_LABELS: Mapping[str, Label] = _Labels()
"""Every KPI key a reader may see, with its label (summary.json keys dotted, from
:data:`~swapsim.metrics.catalogue.CATALOGUE`; compare.csv columns bare)."""

_STATION_KEY = re.compile(r"^stations\.([^.]+)\.(.+)$")


def label_for(key: str) -> Label | None:
    """The :class:`Label` of a dotted KPI key (a station's key by its column), or None if unknown."""
    entry = entry_for(key)
    if entry is not None:
        return entry.as_label
    return KPI_LABELS[key] if key in COMPARE_COLUMNS else None


def kpi_label(key: str, with_station: bool = True) -> str:
    """A reader's label for a dotted KPI key, with unit: ``swap wait, mean (arrival to start of swap) (min)``.

    A station's key reads ``<station>: <label>`` (``with_station=False`` leaves the name out, for a
    column of a table by station). Unknown keys are returned as they are.
    """
    label = label_for(key)
    if label is None:
        return key
    m = _STATION_KEY.match(key)
    if m and with_station and key not in KPI_LABELS:
        return f"{m.group(1)}: {label}"
    return str(label)


NOT_APPLICABLE = "n/a"
"""What a table shows for a KPI that does not exist under the run's strategy (a plug-in run's swap waits)."""


def not_applicable(key: str, strategy: str | None) -> bool:
    """Whether the dotted KPI ``key`` does not exist under power ``strategy`` (``hot_swap``, ``cold_swap``,
    ``plug_in``; None: unknown, everything applies): a plug-in run has no swaps, stock-outs or green
    packs, a swapping run no dock sessions (the catalogue entry's ``only``). Its stored value (0) is then
    shown as :data:`NOT_APPLICABLE`."""
    if strategy is None:
        return False
    entry = entry_for(key)
    return entry is not None and entry.only == ("swap" if strategy == "plug_in" else "dock")


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 swap station``, ``3 swap stations`` (``many`` for an irregular plural)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


STRATEGY_NAMES: dict[str, str] = {"hot_swap": "hot swap", "cold_swap": "cold swap", "plug_in": "plug-in"}
"""The one name a reader sees for each power strategy (``strategy.kind``), in every figure and report."""


def strategy_name(kind: str) -> str:
    """A power strategy's display name (``cold_swap`` -> ``cold swap``); unknown kinds as they are."""
    return STRATEGY_NAMES.get(kind, kind)
