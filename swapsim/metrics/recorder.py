"""The Recorder: one object the model reports to, made of one concern per kind of statistic.

The model never computes statistics. Its processes call one domain hook per event
(``recorder.robot_state(robot, "queueing", now)``, ``recorder.swap_started(...)``, ...). Each hook
belongs to exactly one concern, which owns its state, its reset and its section of the summary:

=================  ===========================================  =========================================
concern            hooks                                        summary sections
=================  ===========================================  =========================================
``states``         robot_state(s), robot_stranded               ``fleet``; per-robot rows
``swaps``          robot_arrived, swap_started, swap_done,      ``swaps``; stations' swap columns
                   queue_changed, busy_changed, green_changed
``energy``         charge_ended, rescue_charged,                ``energy``, ``charging`` (plug-in)
                   parking_charged, charge_started,
                   robot_charged
``demand``         task_arrived, task_started, task_done,       ``tasks`` (task scenarios)
                   roster_changed
``faults``         robot_fault, swap_failed, station_outage,    ``faults``; stations' outage columns
                   station_restored, robot_rerouted
``health``         pack_checked, alert, pack_quarantined, ...   ``packs``, ``alerts``, ``technicians``
``costs``          (none: it prices the other sections)         ``costs`` (scenarios with ``costs:``)
=================  ===========================================  =========================================

The hooks are the concerns' own bound methods, set as attributes of the Recorder, so a hook costs
one call (the robot-state hook runs once per activity step). :meth:`Recorder.summary` composes every
section; what only the model knows at the horizon (where the packs are, the health model's facts, the
crew, the measured ageing for the pack cost) comes in one :class:`RunEnd`, so the engine adds nothing
to the summary. Adding a KPI touches one concern and adds one entry to the catalogue
(:mod:`swapsim.metrics.catalogue`); adding a hook adds one line to :meth:`Recorder._bind_hooks`. A
concern defined elsewhere (a test module, a plug-in) joins every Recorder with :func:`register_concern`.

The summary is typed until it leaves the run. Each concern returns its sections as frozen dataclasses
declared in its own module (fields named as the keys of ``summary.json``; see
:mod:`swapsim.metrics.sections`), and :meth:`Recorder.summary` returns them as one :class:`Summary`;
whatever reads a section inside the run (the cost concern pricing the others, a registered concern)
reads its attributes. The flattening boundary is :meth:`Summary.to_dict`, called once by
:func:`swapsim.engine.simulate` to make :attr:`swapsim.engine.RunResult.summary`: the nested plain
data that ``summary.json`` holds and that the public API, the sweep rows and every reader of results
get.

Warm-up is handled by the engine calling :meth:`Recorder.reset` once; no process checks the clock.
Times are hours; waits are reported in minutes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from swapsim.metrics.catalogue import CONCERNS
from swapsim.metrics.costs import CostKPIs, CostStats, PackLife
from swapsim.metrics.demand import DemandStats, TaskKPIs
from swapsim.metrics.energy import ChargingKPIs, EnergyKPIs, EnergyStats, StationEnergyKPIs
from swapsim.metrics.faults import FaultKPIs, FaultStats, StationFaultKPIs
from swapsim.metrics.health import AlertKPIs, HealthStats, PackKPIs, PacksAtHorizon, TechnicianKPIs
from swapsim.metrics.monthly import monthly_rows
from swapsim.metrics.robot_states import FleetKPIs, RobotStates
from swapsim.metrics.sections import INLINE, plain
from swapsim.metrics.swaps import StationSwapKPIs, SwapKPIs, SwapStats
from swapsim.metrics.trace import Trace

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["Recorder", "RunEnd", "Summary", "StationKPIs", "Concern", "register_concern", "CONCERN_FACTORIES"]


@dataclass(frozen=True)
class RunEnd:
    """What the model holds at the horizon, which no hook reports: the inputs of the sections the
    recorder composes last (``packs``, ``alerts``, ``technicians``, ``costs``)."""

    packs_in_robots: int
    packs_in_bays: int
    crew: int
    at_horizon: PacksAtHorizon | None = None
    """The health model's facts (None without a health model)."""
    pack_life: PackLife | None = None
    """Expected pack replacements from the ageing the run measured (for the cost concern)."""


@dataclass(frozen=True, slots=True)
class StationKPIs:
    """One station's row of ``stations``: its swap columns (``name`` first), grid energy, outages."""

    swaps: StationSwapKPIs = field(metadata=INLINE)
    energy: StationEnergyKPIs = field(metadata=INLINE)
    faults: StationFaultKPIs = field(metadata=INLINE)


@dataclass(frozen=True, slots=True)
class Summary:
    """A run's KPIs since the last reset, one typed section per attribute in the order of ``summary.json``.

    A section a run does not have is None (``tasks`` without task demand, ``charging`` unless robots
    charge at a dock (``plug_in``), ``packs``, ``alerts`` and ``technicians`` without the facts at the horizon,
    ``costs`` without a ``costs:`` section) and absent from :meth:`to_dict`. ``added`` holds the
    registered concerns' sections, each a typed part by the name of the section it joins.
    """

    fleet: FleetKPIs
    swaps: SwapKPIs
    stations: tuple[StationKPIs, ...]
    energy: EnergyKPIs
    tasks: TaskKPIs | None
    faults: FaultKPIs
    charging: ChargingKPIs | None
    packs: PackKPIs | None = None
    alerts: AlertKPIs | None = None
    technicians: TechnicianKPIs | None = None
    costs: CostKPIs | None = None
    added: tuple[tuple[str, DataclassInstance], ...] = ()

    def added_to(self, section: str) -> tuple[DataclassInstance, ...]:
        """The registered concerns' parts of ``section`` so far, in the order they were added."""
        return tuple(part for name, part in self.added if name == section)

    def to_dict(self) -> dict[str, Any]:
        """The summary as nested plain data, as ``summary.json`` holds it: each present section a dict of
        its keys (:func:`~swapsim.metrics.sections.plain`), ``stations`` a list of rows, a registered
        concern's part adding its keys after the section's own (a new section after the others)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "added" and value is not None:
                out[f.name] = plain(value)
        for section, part in self.added:
            out.setdefault(section, {}).update(plain(part))
        return out


class Concern(Protocol):
    """A concern registered from outside the Recorder: its typed sections (or keys added to existing ones)."""

    def reset(self, now: float) -> None: ...

    def finalise(self, now: float) -> None: ...

    def summary(self, now: float, sections: Summary) -> Mapping[str, DataclassInstance]: ...


CONCERN_FACTORIES: dict[str, Callable[[Recorder], Concern]] = {}
"""Concerns joined to every Recorder after the built-in ones, by name (:func:`register_concern`)."""


def register_concern(name: str, factory: Callable[[Recorder], Concern]) -> None:
    """Add a concern, built by ``factory(recorder)`` in every new Recorder (it may read the built-in
    concerns, e.g. ``recorder.swaps``). Its ``summary(now, sections)`` reads the typed :class:`Summary`
    so far and returns, by section name, a frozen dataclass whose fields are keys of that section (added
    after the keys already there, or a new section); its KPIs name it as their ``concern`` in the
    catalogue."""
    CONCERN_FACTORIES[name] = factory
    if name not in CONCERNS:
        CONCERNS.append(name)


class Recorder:
    """Receives the model's domain events and keeps bounded statistics of them.

    Args:
        n_robots: fleet size.
        stations: (name, swap positions) per station, in scenario order.
        horizon_h: run length (h); sizes the time-series bins.
        bin_width_h: width of the time-series bins (h).
        trace_limit: keep the first ``trace_limit`` events as :class:`~swapsim.metrics.trace.TraceEvent` (0: none).
        wait_resolution_min: histogram resolution of swap, dock and task waits (min).
        tasks: the scenario has task demand.
        strategy: the power strategy (``plug_in`` reports the ``charging`` section).
        alerts_limit: keep the first ``alerts_limit`` pack alerts as rows (the rest are counted).
        priced: the scenario to price (it has a ``costs:`` section), with its staffed technician-hours
            a year; None: no ``costs`` section.
    """

    def __init__(
        self,
        n_robots: int,
        stations: list[tuple[str, int]],
        horizon_h: float,
        bin_width_h: float,
        trace_limit: int = 0,
        wait_resolution_min: float = 0.05,
        tasks: bool = False,
        strategy: str = "hot_swap",
        alerts_limit: int = 10_000,
        priced: tuple[Any, float] | None = None,
    ) -> None:
        self.n_robots = n_robots
        self.horizon_h = horizon_h
        self.bin_width_h = bin_width_h
        self.n_bins = n_bins = max(1, int(math.ceil(horizon_h / bin_width_h - 1e-9)))
        self.t_reset = 0.0
        self.strategy = strategy
        names = [name for name, _ in stations]
        self.trace = Trace(trace_limit)
        self.states = RobotStates(n_robots, n_bins, bin_width_h, self.trace)
        self.swaps = SwapStats(n_robots, stations, n_bins, bin_width_h, wait_resolution_min, self.trace)
        self.energy = EnergyStats(
            n_robots, len(stations), self.swaps.arrived, strategy == "plug_in", wait_resolution_min, self.trace
        )
        self.demand = DemandStats(n_robots, tasks, n_bins, bin_width_h, wait_resolution_min, self.trace)
        self.faults = FaultStats(names, n_bins, bin_width_h, self.trace)
        self.health = HealthStats(horizon_h, names, alerts_limit, self.trace)
        self.costs = CostStats(*priced, self.energy.grid_kwh_by_hour) if priced is not None else None
        self._bind_hooks()
        self.extra = {name: factory(self) for name, factory in CONCERN_FACTORIES.items()}

    def _bind_hooks(self) -> None:
        """Every hook the model calls, each the bound method of the concern that owns it."""
        states, swaps, energy, demand, faults, health = (
            self.states,
            self.swaps,
            self.energy,
            self.demand,
            self.faults,
            self.health,
        )
        self.robot_state = states.robot_state
        self.robot_states = states.robot_states
        self.robot_stranded = states.robot_stranded
        self.robot_arrived = swaps.robot_arrived
        self.swap_started = swaps.swap_started
        self.swap_done = swaps.swap_done
        self.queue_changed = swaps.queue_changed
        self.busy_changed = swaps.busy_changed
        self.green_changed = swaps.green_changed
        self.charge_ended = energy.charge_ended
        self.rescue_charged = energy.rescue_charged
        self.parking_charged = energy.parking_charged
        self.charge_started = energy.charge_started
        self.robot_charged = energy.robot_charged
        self.task_arrived = demand.task_arrived
        self.task_started = demand.task_started
        self.task_done = demand.task_done
        self.roster_changed = demand.roster_changed
        self.robot_fault = faults.robot_fault
        self.swap_failed = faults.swap_failed
        self.station_outage = faults.station_outage
        self.station_restored = faults.station_restored
        self.robot_rerouted = faults.robot_rerouted
        self.pack_checked = health.pack_checked
        self.alert = health.alert
        self.pack_quarantined = health.pack_quarantined
        self.pack_replaced = health.pack_replaced
        self.health_survey = health.health_survey
        self.spare_ordered = health.spare_ordered
        self.spares_changed = health.spares_changed
        self.spare_stockout = health.spare_stockout
        self.technicians_rostered = health.technicians_rostered
        self.technician_job_raised = health.technician_job_raised
        self.technician_job_started = health.technician_job_started
        self.technician_on_site = health.technician_on_site
        self.technician_job_done = health.technician_job_done

    # -- lifecycle -------------------------------------------------------------------------------
    def reset(self, now: float) -> None:
        """Start the statistics afresh at ``now`` (end of warm-up); time series are kept."""
        self.t_reset = now
        self.states.reset(now)
        self.swaps.reset(now)
        self.energy.reset(now)
        self.demand.reset(now)
        self.faults.reset(now)
        self.health.reset(now)
        for concern in self.extra.values():
            concern.reset(now)

    def finalise(self, now: float) -> None:
        """Close every open interval at ``now`` (the horizon)."""
        self.states.finalise(now)
        self.swaps.finalise(now)
        self.demand.finalise(now)
        self.faults.finalise(now)
        self.health.finalise(now)
        for concern in self.extra.values():
            concern.finalise(now)

    # -- results ---------------------------------------------------------------------------------
    def summary(self, now: float, end: RunEnd | None = None) -> Summary:
        """KPIs since the last reset as a typed :class:`Summary` (call after :meth:`finalise`); with the
        facts at the horizon (``end``), the health and cost sections too. It stays typed inside the run
        (the cost concern and registered concerns read its sections); :meth:`Summary.to_dict` turns it
        into plain data once, where the run's result is made (:func:`swapsim.engine.simulate`)."""
        span = now - self.t_reset
        days = span / 24.0
        fleet = self.states.summary(span)
        energy = self.energy.summary()
        tasks = self.demand.summary(days, now) if self.demand.tasks_used else None
        out = Summary(
            fleet=fleet,
            swaps=self.swaps.summary(days, fleet.on_duty_mean),
            stations=tuple(
                StationKPIs(
                    self.swaps.station_columns(k, now),
                    self.energy.station_columns(k),
                    self.faults.station_columns(k, now),
                )
                for k in range(len(self.swaps.stations))
            ),
            energy=energy,
            tasks=tasks,
            faults=self.faults.summary(self.states.fleet_time()["down"], now),
            charging=self.energy.charging_summary(days) if self.strategy == "plug_in" else None,
        )
        if end is not None:
            packs, alerts, technicians = self.health.summary(
                now, end.packs_in_robots, end.packs_in_bays, end.crew, end.at_horizon
            )
            costs = None
            if self.costs is not None:
                costs = self.costs.summary(fleet, energy, packs, alerts, tasks, end.pack_life)
            out = replace(out, packs=packs, alerts=alerts, technicians=technicians, costs=costs)
        for concern in self.extra.values():
            parts = tuple(concern.summary(now, out).items())
            out = replace(out, added=out.added + parts)
        return out

    def robot_rows(self) -> list[dict[str, Any]]:
        """One row per robot: hours and fractions in each state, swaps, strandings (since reset)."""
        rows = []
        for i in range(self.n_robots):
            row = self.states.robot_row(i)
            row["swaps"] = self.swaps.per_robot[i]
            row["strandings"] = self.states.strandings[i]
            rows.append(row)
        return rows

    def robot_hours(self, robot: int) -> dict[str, float]:
        """Hours robot ``robot`` spent in each state since the reset (closed intervals)."""
        return self.states.robot_hours(robot)

    def timeseries(self) -> dict[str, np.ndarray]:
        """Bin start times (h) and the time-average of each series within each bin (whole run); last, the
        stations' per-bin extremes and stock-out counts (:meth:`SwapStats.extreme_columns`)."""
        w = self.bin_width_h
        starts = np.arange(self.n_bins) * w
        widths = np.minimum(starts + w, self.horizon_h) - starts
        widths = np.where(widths > 0, widths, w)
        return {
            "time_h": starts,
            **self.states.columns(widths),
            **self.swaps.columns(widths),
            **self.demand.roster_columns(widths),
            **self.faults.columns(widths),
            **self.demand.task_columns(widths),
            **self.swaps.extreme_columns(),
        }

    def wait_histogram(self) -> tuple[np.ndarray, np.ndarray, int, list[float]]:
        """Swap waits (min): bin edges, counts, exact zeros, values past the histogram's limit."""
        return self.swaps.waits_min.histogram()

    def alert_rows(self) -> list[dict[str, Any]]:
        """The kept alerts, one row each (whole run, warm-up included)."""
        return self.health.alert_rows()

    def health_rows(self) -> dict[str, np.ndarray]:
        """The health snapshots as columns (whole run)."""
        return self.health.survey_columns()

    def monthly_rows(self) -> list[dict[str, Any]]:
        """One row per 30-day month of the whole run (see :func:`~swapsim.metrics.monthly.monthly_rows`)."""
        return monthly_rows(self.states, self.health, self.n_bins, self.bin_width_h, self.horizon_h, self.n_robots)
