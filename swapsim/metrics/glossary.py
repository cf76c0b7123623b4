"""The words of the statistics: robot states, the calendar units every concern shares, and the label a
reader sees for every KPI.

Each robot is in exactly one of :data:`ROBOT_STATES` at any time; the model names the state, the
metrics concerns count the hours. :data:`KPI_LABELS` gives every key of ``summary.json`` (dotted, as
:func:`swapsim.results.flatten` writes them; per-station keys as ``stations.*.<column>``) a label with its
unit and, for a share, what it is a share of; :func:`kpi_label` renders it for a table or an axis.
The CLI, the report and the figures use these labels, so a KPI reads the same everywhere. Adding a KPI
to a concern means adding its label here (a test checks that every KPI of the shipped scenarios has one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

FAULT_KINDS: tuple[str, ...] = ("estop", "breakdown")
"""Faults that halt a robot (counted in ``faults``); failed swaps and station outages are counted apart."""


STATE_INDEX: dict[str, int] = {s: i for i, s in enumerate(ROBOT_STATES)}
MONTH_H = 720.0
"""Length of a month in the monthly table (30 days, in hours)."""


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


_ON_DUTY = "on-duty robot time"
KPI_LABELS: dict[str, Label] = {
    "fleet.robots": Label("robots in the fleet", "robots"),
    "fleet.utilisation": Label("fleet utilisation: robots working", "%", _ON_DUTY),
    **{f"fleet.state_fraction.{s}": Label(STATE_WORDS[s], "%", _ON_DUTY) for s in ON_DUTY_STATES},
    "fleet.strandings": Label("strandings (both packs ran empty)", "count"),
    "fleet.off_duty_fraction": Label("off duty (parked between shifts)", "%", "all robot time"),
    "fleet.on_duty_mean": Label("robots on duty, mean", "robots"),
    "swaps.count": Label("swaps", "count"),
    "swaps.per_robot_per_day": Label("swaps per robot per day", "1/robot/day"),
    "swaps.per_on_duty_robot_per_day": Label("swaps per on-duty robot per day", "1/robot/day"),
    "swaps.stockout_share": Label("stock-outs", "%", "swaps"),
    "costs.capital_per_year": Label("capital, annualised", "per year"),
    "costs.energy_per_year": Label("grid energy", "per year"),
    "costs.labour_per_year": Label("technician labour", "per year"),
    "costs.packs_per_year": Label("pack replacements", "per year"),
    "costs.pack_replacements_per_year": Label("pack replacements expected over the capital's life", "packs/year"),
    "costs.pack_replacements_se": Label("Monte Carlo error of the expected pack replacements", "packs/year"),
    "costs.pack_life_years": Label("service life of a typical pack to retirement", "years"),
    "costs.maintenance_per_year": Label("robot maintenance and insurance", "per year"),
    "costs.penalties_per_year": Label("penalties (unserved tasks, robot-hours short)", "per year"),
    "costs.total_per_year": Label("total cost", "per year"),
    "costs.per_productive_robot_hour": Label("total cost per productive robot-hour", "per robot-hour"),
    **{
        f"costs.capital.{k}": Label(f"capital of the {k}, annualised", "per year")
        for k in ("robots", "stations", "positions", "bays", "packs")
    },
    "swaps.stockouts": Label("stock-outs: swaps that found no green pack on arrival", "count"),
    "swaps.wait_min.mean": Label("swap wait, mean (arrival to start of swap)", "min"),
    "swaps.wait_min.p95": Label("swap wait, 95th percentile", "min"),
    "swaps.wait_min.max": Label("swap wait, longest", "min"),
    "stations.*.swaps": Label("swaps", "count"),
    "stations.*.swap_utilisation": Label("swap positions busy", "%", "the station's position time"),
    "stations.*.mean_queue_length": Label("robots queueing, mean", "robots"),
    "stations.*.max_queue_length": Label("robots queueing, most", "robots"),
    "stations.*.max_busy_positions": Label("swap positions busy, most", "positions"),
    "stations.*.charged_packs_mean": Label("green (ready) packs, mean", "packs"),
    "stations.*.stockouts": Label("stock-outs (no green pack on arrival)", "count"),
    "stations.*.grid_kwh": Label("grid energy for charging", "kWh"),
    "stations.*.outages": Label("outages", "count"),
    "stations.*.outage_h": Label("time down", "h"),
    "energy.grid_kwh": Label("grid energy, total", "kWh"),
    "energy.stations_kwh": Label("grid energy at stations", "kWh"),
    "energy.rescue_kwh": Label("grid energy for rescues", "kWh"),
    "energy.parking_kwh": Label("grid energy while parked off duty", "kWh"),
    "charging.sessions": Label("plug-in charging sessions", "count"),
    "charging.per_robot_per_day": Label("charging sessions per robot per day", "1/robot/day"),
    "charging.wait_min.mean": Label("dock wait, mean", "min"),
    "charging.wait_min.p95": Label("dock wait, 95th percentile", "min"),
    "charging.wait_min.max": Label("dock wait, longest", "min"),
    "charging.duration_min_mean": Label("charging session, mean length", "min"),
    "tasks.arrived": Label("tasks arrived (in the measured window)", "count"),
    "tasks.done": Label("tasks done (of those arrived in the measured window)", "count"),
    "tasks.served_share": Label("tasks served", "%", "the tasks arrived in the measured window"),
    "tasks.done_from_warmup": Label("tasks arrived in the warm-up, done after it (not counted as done)", "count"),
    "tasks.per_day": Label("tasks done per day (of those arrived in the measured window)", "1/day"),
    "tasks.wait_min.mean": Label("task wait, mean (arrival to a robot setting off)", "min"),
    "tasks.wait_min.p95": Label("task wait, 95th percentile", "min"),
    "tasks.wait_min.max": Label("task wait, longest", "min"),
    "tasks.waiting_mean": Label("task backlog, mean (tasks waiting)", "tasks"),
    "tasks.waiting_at_horizon": Label("task backlog at the end", "tasks"),
    "tasks.in_progress_at_horizon": Label("tasks in progress at the end", "tasks"),
    "faults.estops": Label("emergency stops", "count"),
    "faults.breakdowns": Label("breakdowns", "count"),
    "faults.failed_swaps": Label("failed swap attempts (retried)", "count"),
    "faults.station_outages": Label("station outages", "count"),
    "faults.reroutes": Label("robots re-routed from a station that went down", "count"),
    "faults.down_h": Label("robot time down after faults", "robot-h"),
    "faults.station_down_h": Label("station time down, all stations", "h"),
    "packs.total": Label("packs in robots and bays at the end", "packs"),
    "packs.robots": Label("packs in robots at the end", "packs"),
    "packs.bays": Label("packs in station bays at the end (quarantined ones included)", "packs"),
    "packs.retired": Label("packs retired after warm-up", "packs"),
    "packs.replaced": Label("packs replaced by a technician after warm-up", "packs"),
    "packs.quarantined_events": Label("packs put in quarantine after warm-up", "count"),
    "packs.initial": Label("packs at the start", "packs"),
    "packs.new_total": Label("new packs brought in", "packs"),
    "packs.in_service": Label("packs in service at the end", "packs"),
    "packs.quarantined": Label("packs in quarantine at the end", "packs"),
    "packs.with_technicians": Label("packs with technicians at the end", "packs"),
    "packs.retired_total": Label("packs retired in the whole run", "packs"),
    "packs.spare_stock": Label("new packs on the shelf at the end", "packs"),
    "packs.on_order": Label("new packs on order at the end", "packs"),
    "packs.ordered_total": Label("new packs ordered in the whole run", "packs"),
    "packs.mean_health_end": Label("pack health at the end, mean", "%", "rated capacity"),
    "packs.min_health_end": Label("pack health at the end, lowest", "%", "rated capacity"),
    "packs.open_jobs_end": Label("technician jobs open at the end", "jobs"),
    "alerts.warnings": Label("health warnings (replacement ordered)", "count"),
    "alerts.retirements": Label("retirement alerts (pack quarantined)", "count"),
    "alerts.faults": Label("safety faults (pack quarantined)", "count"),
    "alerts.checks": Label("pack health checks", "count"),
    "alerts.rows_kept": Label("alerts kept in alerts.csv", "rows"),
    "alerts.rows_dropped": Label("alerts counted but not kept (table full)", "rows"),
    "technicians.crew": Label("technicians per shift", "people"),
    "technicians.utilisation": Label("technicians busy", "%", "rostered technician time"),
    "technicians.jobs": Label("technician jobs done", "jobs"),
    "technicians.mean_response_min": Label("technician response, mean", "min"),
    "technicians.jobs_raised": Label("technician jobs raised", "jobs"),
    "technicians.stock_waits": Label("jobs that found no new pack on the shelf", "count"),
    "technicians.packs_ordered": Label("new packs ordered after warm-up", "packs"),
    "technicians.blocked_bay_h": Label("bay time blocked by quarantined packs", "bay-h"),
    "technicians.spare_stock_mean": Label("new packs on the shelf, mean", "packs"),
    # compare.csv columns (one row per strategy)
    "utilisation": Label("fleet utilisation: robots working", "%", _ON_DUTY),
    **{s: Label(STATE_WORDS[s], "%", _ON_DUTY) for s in ON_DUTY_STATES},
    "off_duty_fraction": Label("off duty (parked between shifts)", "%", "all robot time"),
    "swaps_per_robot_per_day": Label("swaps per robot per day", "1/robot/day"),
    "charges_per_robot_per_day": Label("charging sessions per robot per day", "1/robot/day"),
    "wait_min_mean": Label("swap wait, mean", "min"),
    "strandings": Label("strandings (both packs ran empty)", "count"),
    "down_h": Label("robot time down after faults", "robot-h"),
    "grid_kwh": Label("grid energy, total", "kWh"),
    "wall_time_s": Label("simulation wall time", "s"),
    "tasks_done": Label("tasks done", "count"),
    "task_wait_min_mean": Label("task wait, mean", "min"),
    "task_wait_min_p95": Label("task wait, 95th percentile", "min"),
}
"""Every KPI key a reader may see, with its label (summary.json keys dotted; compare.csv columns bare)."""

_STATION_KEY = re.compile(r"^stations\.([^.]+)\.(.+)$")


def label_for(key: str) -> Label | None:
    """The :class:`Label` of a dotted KPI key (a station's key by its column), or None if unknown."""
    if key in KPI_LABELS:
        return KPI_LABELS[key]
    m = _STATION_KEY.match(key)
    if m:
        return KPI_LABELS.get(f"stations.*.{m.group(2)}")
    return None


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


SWAP_ONLY = ("swaps.", "stations.*.swaps", "stations.*.stockouts", "stations.*.charged_packs_mean")
"""KPI keys (prefixes; ``*`` for a station) that exist only where robots swap packs."""
DOCK_ONLY = ("charging.",)
"""KPI keys that exist only where robots charge at a dock (``plug_in``)."""
NOT_APPLICABLE = "n/a"
"""What a table shows for a KPI that does not exist under the run's strategy (a plug-in run's swap waits)."""


def not_applicable(key: str, strategy: str | None) -> bool:
    """Whether the dotted KPI ``key`` does not exist under power ``strategy`` (``hot_swap``, ``cold_swap``,
    ``plug_in``; None: unknown, everything applies): a plug-in run has no swaps, stock-outs or green
    packs, a swapping run no dock sessions. Its stored value (0) is then shown as :data:`NOT_APPLICABLE`."""
    if strategy is None:
        return False
    m = _STATION_KEY.match(key)
    generic = f"stations.*.{m.group(2)}" if m else key
    prefixes = SWAP_ONLY if strategy == "plug_in" else DOCK_ONLY
    return any(generic == p or (p.endswith(".") and generic.startswith(p)) for p in prefixes)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 swap station``, ``3 swap stations`` (``many`` for an irregular plural)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


STRATEGY_NAMES: dict[str, str] = {"hot_swap": "hot swap", "cold_swap": "cold swap", "plug_in": "plug-in"}
"""The one name a reader sees for each power strategy (``strategy.kind``), in every figure and report."""


def strategy_name(kind: str) -> str:
    """A power strategy's display name (``cold_swap`` -> ``cold swap``); unknown kinds as they are."""
    return STRATEGY_NAMES.get(kind, kind)
