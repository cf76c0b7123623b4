"""The catalogue of KPIs: one entry per key of ``summary.json``, the one place a KPI is described.

Each :class:`KPI` gives a dotted ``path`` (as :func:`swapsim.results.flatten` writes it; a station's
column as ``stations.*.<column>``), the reader's ``label`` with its ``unit`` (and, for a share, what it
is a share of), a ``short`` name for a table header or an axis, the metrics ``concern`` that computes
it, its ``better`` direction (``"more"``, ``"less"`` or ``""`` for neither) and the name under which the
closed-form estimate (:func:`swapsim.analysis.estimator.estimate_kpis`) gives it (``None``: it does not).

Everything that names or labels a KPI reads it from here: the glossary (:func:`label_for`), the run,
sweep and size reports, the sweep figures, the sizing search (a target's estimate) and the cost
tables. The typed sections the concerns return (:mod:`swapsim.metrics.sections`) declare one field per
entry of their section, named as its key (a test walks both). Adding a KPI means computing it in its
concern, as a field of that concern's section class (:mod:`swapsim.metrics.recorder`; a concern from
elsewhere, with its own class, joins through ``register_concern``), and adding one entry with
:func:`register` (here, for a shipped KPI; from anywhere, even a test module, for another): it then
shows in ``summary.json``, the report's tables and the figures' labels.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "KPI",
    "Label",
    "CATALOGUE",
    "CONCERNS",
    "register",
    "kpi",
    "entry_for",
    "generic_path",
    "short_label",
    "quantity",
    "estimate_name",
    "section_keys",
    "STATE_WORDS",
    "ROBOT_STATES",
    "ON_DUTY_STATES",
]

ROBOT_STATES: tuple[str, ...] = (
    "working",
    "idle",
    "travelling",
    "queueing",
    "swapping",
    "stranded",
    "charging",
    "down",
    "off_duty",
)
"""Every state a robot can be in; a robot is in exactly one at any time.

``charging``: docked at a plug-in charger (strategy ``plug_in``); ``down``: halted by a fault (emergency
stop, breakdown under repair, a failed swap attempt being retried); ``off_duty``: parked between shifts.
Every state but ``off_duty`` is on-duty time.
"""

ON_DUTY_STATES: tuple[str, ...] = tuple(s for s in ROBOT_STATES if s != "off_duty")
"""States that count as on-duty time (the denominator of utilisation and state fractions)."""

STATE_WORDS: dict[str, str] = {
    "working": "working",
    "idle": "idle (no work)",
    "travelling": "travelling to a station and back",
    "queueing": "queueing at a station (for a position or a green pack)",
    "swapping": "swapping a pack",
    "stranded": "stranded (both packs empty)",
    "charging": "charging at a dock",
    "down": "down (fault)",
    "off_duty": "off duty (parked between shifts)",
}
"""A reader's words for each robot state."""

CONCERNS: list[str] = ["states", "swaps", "energy", "demand", "faults", "health", "costs"]
"""The metrics concerns that own KPIs (the Recorder's parts; ``costs`` prices the others); a concern
registered with :func:`swapsim.metrics.recorder.register_concern` joins the list."""

DIRECTIONS = ("more", "less", "")


@dataclass(frozen=True)
class Label:
    """A KPI as a reader sees it: what it is, its unit, and (for a share, unit ``%``) what it is a share of.

    ``str(label)`` gives ``text (unit)``, or ``text (% of <of>)`` for a share.
    """

    text: str
    unit: str = ""
    of: str = ""

    @property
    def is_share(self) -> bool:
        return self.unit == "%"

    def __str__(self) -> str:
        if self.is_share:
            return f"{self.text} (% of {self.of})" if self.of else f"{self.text} (%)"
        return f"{self.text} ({self.unit})" if self.unit else self.text


@dataclass(frozen=True)
class KPI:
    """One KPI of ``summary.json``.

    Attributes:
        path: dotted key (``swaps.wait_min.mean``; a station's column ``stations.*.stockouts``).
        label: what it is, in a reader's words, without the unit.
        unit: its unit (``min``, ``kWh``, ``count``, ``%`` for a share stored as a fraction 0..1).
        of: for a share, what it is a share of.
        concern: the metrics concern that computes it (one of :data:`CONCERNS`).
        better: ``"more"`` (more is better), ``"less"`` or ``""`` (neither).
        short: a short name for a table header or a figure's axis (default: the label).
        estimate: the key under which the closed-form estimate gives it (None: not estimated).
        only: ``"swap"``: it exists only where robots swap packs (a plug-in run shows n/a);
            ``"dock"``: only where robots charge at a dock (``plug_in``); ``""``: under every strategy.
    """

    path: str
    label: str
    unit: str
    concern: str
    of: str = ""
    better: str = ""
    short: str = ""
    estimate: str | None = None
    only: str = ""

    def __post_init__(self) -> None:
        if self.concern not in CONCERNS:
            raise ValueError(f"{self.path}: concern must be one of {', '.join(CONCERNS)} (got {self.concern!r})")
        if self.better not in DIRECTIONS:
            raise ValueError(f"{self.path}: better must be 'more', 'less' or '' (got {self.better!r})")
        if self.only not in ("", "swap", "dock"):
            raise ValueError(f"{self.path}: only must be 'swap', 'dock' or '' (got {self.only!r})")
        if self.unit == "%" and not self.of:
            raise ValueError(f"{self.path}: a share (unit %) says what it is a share of")

    @property
    def as_label(self) -> Label:
        return Label(self.label, self.unit, self.of)

    @property
    def is_share(self) -> bool:
        return self.unit == "%"

    @property
    def section(self) -> str:
        return self.path.split(".", 1)[0]


CATALOGUE: dict[str, KPI] = {}
"""Every KPI by dotted path, grouped by concern."""


def register(entry: KPI, *, replace: bool = False) -> KPI:
    """Add ``entry`` to the catalogue (a KPI path is registered once unless ``replace``)."""
    if entry.path in CATALOGUE and not replace:
        raise ValueError(f"KPI {entry.path} is already in the catalogue")
    CATALOGUE[entry.path] = entry
    return entry


def kpi(
    path: str,
    label: str,
    unit: str,
    concern: str,
    of: str = "",
    *,
    better: str = "",
    short: str = "",
    estimate: str | None = None,
    only: str = "",
) -> KPI:
    """:func:`register` a :class:`KPI` made of these fields (``estimate="="``: the same name)."""
    return register(KPI(path, label, unit, concern, of, better, short, path if estimate == "=" else estimate, only))


_STATION_KEY = re.compile(r"^stations\.([^.]+)\.(.+)$")


def generic_path(key: str) -> str:
    """A station's dotted key by its column (``stations.hall-A.swaps`` -> ``stations.*.swaps``)."""
    if key in CATALOGUE:
        return key
    m = _STATION_KEY.match(key)
    return f"stations.*.{m.group(2)}" if m else key


def entry_for(key: str) -> KPI | None:
    """The catalogue entry of a dotted KPI key (a station's key by its column), or None if unknown."""
    return CATALOGUE.get(generic_path(key))


def short_label(key: str) -> str:
    """A short header for a KPI: its short name, with its unit unless the name already says it (a share,
    a count, a rate per robot or day)."""
    e = entry_for(key)
    if e is None:
        return key
    name = e.short or e.label
    if e.unit in ("", "count", "%") or e.unit.startswith("1/"):
        return name
    return f"{name} ({e.unit})"


def quantity(key: str) -> str:
    """A KPI's short name with the unit its stored values are in, for an axis of raw values:
    ``swap wait, p95 (min)``, ``stock-outs (fraction of swaps)`` (a share is stored as a fraction)."""
    e = entry_for(key)
    if e is None:
        return key
    name = e.short or e.label
    if e.is_share:
        return f"{name} (fraction of {e.of})"
    return f"{name} ({e.unit})"


def estimate_name(key: str) -> str | None:
    """The key of the closed-form estimate that gives the KPI ``key`` (None: not estimated)."""
    e = entry_for(key)
    if e is None or e.estimate is None:
        return None
    m = _STATION_KEY.match(key)
    if m and key not in CATALOGUE and e.estimate.startswith("stations.*."):
        return f"stations.{m.group(1)}.{e.estimate[len('stations.*.') :]}"
    return e.estimate


def section_keys(section: str) -> Iterator[str]:
    """The keys within ``section`` (``costs``: ``capital_per_year``, ..., ``capital.robots``), in order."""
    prefix = section + "."
    return (p[len(prefix) :] for p in CATALOGUE if p.startswith(prefix))


_ON_DUTY = "on-duty robot time"
_RATED = "rated capacity"

# fmt: off

# -- states: robot states, utilisation, strandings ------------------------------------------------
kpi("fleet.robots", "robots in the fleet", "robots", "states", estimate="=")
kpi("fleet.utilisation", "fleet utilisation: robots working", "%", "states", _ON_DUTY, better="more",
    short="fleet utilisation", estimate="=")
for _s in ON_DUTY_STATES:
    kpi(f"fleet.state_fraction.{_s}", STATE_WORDS[_s], "%", "states", _ON_DUTY,
        better="more" if _s == "working" else "" if _s in ("idle", "charging") else "less",
        estimate="=" if _s in ("working", "idle", "travelling", "queueing", "swapping", "stranded") else None)
kpi("fleet.strandings", "strandings (both packs ran empty)", "count", "states", better="less",
    short="strandings", estimate="=")
kpi("fleet.off_duty_fraction", "off duty (parked between shifts)", "%", "states", "all robot time")
kpi("fleet.on_duty_mean", "robots on duty, mean", "robots", "states")

# -- swaps ----------------------------------------------------------------------------------------
kpi("swaps.count", "swaps", "count", "swaps", short="swaps after warm-up", estimate="=", only="swap")
kpi("swaps.per_robot_per_day", "swaps per robot per day", "1/robot/day", "swaps", short="swaps / robot / day",
    estimate="=", only="swap")
kpi("swaps.per_on_duty_robot_per_day", "swaps per on-duty robot per day", "1/robot/day", "swaps", only="swap")
kpi("swaps.stockouts", "stock-outs: swaps that found no green pack on arrival", "count", "swaps", better="less",
    short="stock-outs", estimate="=", only="swap")
kpi("swaps.stockout_share", "stock-outs", "%", "swaps", "swaps", better="less", estimate="swaps.stockout_fraction", only="swap")
kpi("swaps.wait_min.mean", "swap wait, mean (arrival to start of swap)", "min", "swaps", better="less",
    short="swap wait, mean", estimate="=", only="swap")
kpi("swaps.wait_min.p95", "swap wait, 95th percentile", "min", "swaps", better="less", short="swap wait, p95", only="swap")
kpi("swaps.wait_min.max", "swap wait, longest", "min", "swaps", better="less", short="swap wait, longest", only="swap")

# -- per station (swaps, energy, faults) ----------------------------------------------------------
kpi("stations.*.swaps", "swaps", "count", "swaps", estimate="=", only="swap")
kpi("stations.*.swap_utilisation", "swap positions busy", "%", "swaps", "the station's position time", estimate="=")
kpi("stations.*.mean_queue_length", "robots queueing, mean", "robots", "swaps", better="less", estimate="=")
kpi("stations.*.max_queue_length", "robots queueing, most", "robots", "swaps", better="less")
kpi("stations.*.max_busy_positions", "swap positions busy, most", "positions", "swaps")
kpi("stations.*.charged_packs_mean", "green (ready) packs, mean", "packs", "swaps", estimate="=", only="swap")
kpi("stations.*.stockouts", "stock-outs (no green pack on arrival)", "count", "swaps", better="less", estimate="=", only="swap")
kpi("stations.*.grid_kwh", "grid energy for charging", "kWh", "energy", better="less", estimate="=")
kpi("stations.*.outages", "outages", "count", "faults", better="less")
kpi("stations.*.outage_h", "time down", "h", "faults", better="less")

# -- energy and plug-in charging ------------------------------------------------------------------
kpi("energy.grid_kwh", "grid energy, total", "kWh", "energy", better="less", short="grid energy", estimate="=")
kpi("energy.stations_kwh", "grid energy at stations", "kWh", "energy", better="less", estimate="=")
kpi("energy.rescue_kwh", "grid energy for rescues", "kWh", "energy", better="less", estimate="=")
kpi("energy.parking_kwh", "grid energy while parked off duty", "kWh", "energy")
kpi("charging.sessions", "plug-in charging sessions", "count", "energy", only="dock")
kpi("charging.per_robot_per_day", "charging sessions per robot per day", "1/robot/day", "energy", only="dock")
kpi("charging.wait_min.mean", "dock wait, mean", "min", "energy", better="less", only="dock")
kpi("charging.wait_min.p95", "dock wait, 95th percentile", "min", "energy", better="less", only="dock")
kpi("charging.wait_min.max", "dock wait, longest", "min", "energy", better="less", only="dock")
kpi("charging.duration_min_mean", "charging session, mean length", "min", "energy", only="dock")

# -- task demand ----------------------------------------------------------------------------------
kpi("tasks.arrived", "tasks arrived (in the measured window)", "count", "demand")
kpi("tasks.done", "tasks done (of those arrived in the measured window)", "count", "demand", better="more",
    short="tasks done")
kpi("tasks.served_share", "tasks served", "%", "demand", "the tasks arrived in the measured window", better="more")
kpi("tasks.done_from_warmup", "tasks arrived in the warm-up, done after it (not counted as done)", "count", "demand")
kpi("tasks.per_day", "tasks done per day (of those arrived in the measured window)", "1/day", "demand",
    better="more", short="tasks done / day")
kpi("tasks.wait_min.mean", "task wait, mean (arrival to a robot setting off)", "min", "demand", better="less",
    short="task wait, mean")
kpi("tasks.wait_min.p95", "task wait, 95th percentile", "min", "demand", better="less", short="task wait, p95")
kpi("tasks.wait_min.max", "task wait, longest", "min", "demand", better="less", short="task wait, longest")
kpi("tasks.waiting_mean", "task backlog, mean (tasks waiting)", "tasks", "demand", better="less")
kpi("tasks.waiting_at_horizon", "task backlog at the end", "tasks", "demand")
kpi("tasks.in_progress_at_horizon", "tasks in progress at the end", "tasks", "demand")

# -- faults ---------------------------------------------------------------------------------------
kpi("faults.estops", "emergency stops", "count", "faults", better="less")
kpi("faults.breakdowns", "breakdowns", "count", "faults", better="less")
kpi("faults.failed_swaps", "failed swap attempts (retried)", "count", "faults", better="less")
kpi("faults.station_outages", "station outages", "count", "faults", better="less")
kpi("faults.reroutes", "robots re-routed from a station that went down", "count", "faults", better="less")
kpi("faults.down_h", "robot time down after faults", "robot-h", "faults", better="less")
kpi("faults.station_down_h", "station time down, all stations", "h", "faults", better="less")

# -- health: packs, alerts, technicians ----------------------------------------------------------
kpi("packs.total", "packs in robots and bays at the end", "packs", "health")
kpi("packs.robots", "packs in robots at the end", "packs", "health")
kpi("packs.bays", "packs in station bays at the end (quarantined ones included)", "packs", "health")
kpi("packs.retired", "packs retired after warm-up", "packs", "health", better="less")
kpi("packs.replaced", "packs replaced by a technician after warm-up", "packs", "health")
kpi("packs.quarantined_events", "packs put in quarantine after warm-up", "count", "health", better="less")
kpi("packs.initial", "packs at the start", "packs", "health")
kpi("packs.new_total", "new packs brought in", "packs", "health")
kpi("packs.in_service", "packs in service at the end", "packs", "health")
kpi("packs.quarantined", "packs in quarantine at the end", "packs", "health")
kpi("packs.with_technicians", "packs with technicians at the end", "packs", "health")
kpi("packs.retired_total", "packs retired in the whole run", "packs", "health", better="less")
kpi("packs.spare_stock", "new packs on the shelf at the end", "packs", "health")
kpi("packs.on_order", "new packs on order at the end", "packs", "health")
kpi("packs.ordered_total", "new packs ordered in the whole run", "packs", "health")
kpi("packs.mean_health_end", "pack health at the end, mean", "%", "health", _RATED, better="more")
kpi("packs.min_health_end", "pack health at the end, lowest", "%", "health", _RATED, better="more")
kpi("packs.open_jobs_end", "technician jobs open at the end", "jobs", "health")
kpi("alerts.warnings", "health warnings (replacement ordered)", "count", "health")
kpi("alerts.retirements", "retirement alerts (pack quarantined)", "count", "health")
kpi("alerts.faults", "safety faults (pack quarantined)", "count", "health", better="less")
kpi("alerts.checks", "pack health checks", "count", "health")
kpi("alerts.rows_kept", "alerts kept in alerts.csv", "rows", "health")
kpi("alerts.rows_dropped", "alerts counted but not kept (table full)", "rows", "health")
kpi("technicians.crew", "technicians per shift", "people", "health")
kpi("technicians.utilisation", "technicians busy", "%", "health", "rostered technician time")
kpi("technicians.jobs", "technician jobs done", "jobs", "health")
kpi("technicians.mean_response_min", "technician response, mean", "min", "health", better="less")
kpi("technicians.jobs_raised", "technician jobs raised", "jobs", "health")
kpi("technicians.stock_waits", "jobs that found no new pack on the shelf", "count", "health", better="less")
kpi("technicians.packs_ordered", "new packs ordered after warm-up", "packs", "health")
kpi("technicians.blocked_bay_h", "bay time blocked by quarantined packs", "bay-h", "health", better="less")
kpi("technicians.spare_stock_mean", "new packs on the shelf, mean", "packs", "health")

# -- costs (per year; money in the scenario's currency) -------------------------------------------
kpi("costs.capital_per_year", "capital, annualised", "per year", "costs", better="less", short="capital")
kpi("costs.energy_per_year", "grid energy", "per year", "costs", better="less", short="energy")
kpi("costs.labour_per_year", "technician labour", "per year", "costs", better="less", short="labour")
kpi("costs.packs_per_year", "pack replacements", "per year", "costs", better="less", short="packs")
kpi("costs.maintenance_per_year", "robot maintenance and insurance", "per year", "costs", better="less",
    short="maintenance")
kpi("costs.penalties_per_year", "penalties (unserved tasks, robot-hours short)", "per year", "costs", better="less",
    short="penalties")
kpi("costs.total_per_year", "total cost", "per year", "costs", better="less", short="total")
kpi("costs.per_productive_robot_hour", "total cost per productive robot-hour", "per robot-hour", "costs",
    better="less", short="per productive robot-hour")
kpi("costs.pack_replacements_per_year", "pack replacements expected over the capital's life", "packs/year", "costs",
    better="less")
kpi("costs.pack_replacements_se", "Monte Carlo error of the expected pack replacements", "packs/year", "costs")
kpi("costs.pack_life_years", "service life of a typical pack to retirement", "years", "costs", better="more")
for _item in ("robots", "stations", "positions", "bays", "packs"):
    kpi(f"costs.capital.{_item}", f"capital of the {_item}, annualised", "per year", "costs", better="less",
        short=_item)
# fmt: on
del _s, _item
