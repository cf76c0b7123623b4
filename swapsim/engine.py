"""One run's lifecycle: build, warm up, reset statistics, run to the horizon, finalise.

The model's clock unit is the **hour**: every ``env.now``, timeout and duration inside the model is in
hours (energies in Wh, powers in W, so energy = power x time needs no conversion).

:func:`simulate` is the only entry point that runs a model. It returns a :class:`RunResult` holding
everything needed to reproduce and report the run: the resolved scenario, the seed, the swapsim
version, the wall time, the KPIs and the tables. It writes nothing to disk (see :mod:`swapsim.results`).
"""

from __future__ import annotations

import functools
import math
import operator
import platform
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from swapsim._version import __version__
from swapsim.metrics import MONTH_H, Recorder, TraceEvent
from swapsim.metrics.costs import technician_hours_per_year
from swapsim.metrics.recorder import RunEnd
from swapsim.model.fleet import Fleet, build_fleet
from swapsim.model.pack_life import PackFade, expected_replacements
from swapsim.model.stressors import PackTrace
from swapsim.model.technician import ShiftCalendar
from swapsim.resources import check_memory
from swapsim.scenario import Scenario
from swapsim.streams import Streams

__all__ = ["Environment", "RunResult", "simulate"]


class Environment(simpy.Environment):
    """``simpy.Environment`` with a cheaper clock read.

    The model reads ``env.now`` about twenty times per swap. SimPy's ``now`` is a Python property
    returning the private ``_now``; here the same read is a C-level getter, with no Python frame per
    read. Everything else is SimPy's. A unit test checks that ``now`` follows SimPy's clock, so a
    SimPy release renaming ``_now`` fails the test suite rather than a run.
    """

    now = property(operator.attrgetter("_now"), doc="The current simulation time (h).")

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        # SimPy binds its event shortcuts (timeout, event, process, any_of, ...) to the instance so that
        # ``env.timeout`` is a plain attribute read, but only those of the instance's own class: bind the
        # inherited ones the same way (without this each ``env.timeout`` builds a bound method).
        for name, attr in vars(simpy.Environment).items():
            if isinstance(attr, simpy.core.BoundClass):
                setattr(self, name, getattr(self, name))


@dataclass
class RunResult:
    """Everything a run produced. Times in hours unless a key says otherwise."""

    scenario: Scenario
    seed: int
    manifest: dict[str, Any]
    summary: dict[str, Any]
    """The KPIs as nested plain data, as ``summary.json`` holds them without the manifest: the recorder's
    typed :class:`~swapsim.metrics.recorder.Summary`, flattened once, here (:meth:`Summary.to_dict`)."""
    timeseries: dict[str, np.ndarray]
    robots: list[dict[str, Any]]
    packs: list[dict[str, Any]]
    wait_histogram: tuple[np.ndarray, np.ndarray, int, list[float]] | None = field(repr=False, default=None)
    """Swap waits (min): bin edges, counts, exact zeros, values past the histogram's limit."""
    trace: list[TraceEvent] = field(default_factory=list)
    fleet: Fleet | None = field(default=None, repr=False)
    """The live entities at the horizon (kept only when ``keep_entities=True``, for tests); read their
    state through ``fleet.observe(horizon_h)`` (:meth:`swapsim.model.fleet.Fleet.observe`)."""
    alerts: list[dict[str, Any]] = field(default_factory=list)
    """Pack health alerts (the first ``output.alerts_limit``), one dict per alerts.csv row."""
    health: dict[str, np.ndarray] = field(default_factory=dict)
    """Pack-health snapshots every ``output.health_bin_width`` (health.csv columns)."""
    monthly: list[dict[str, Any]] = field(default_factory=list)
    """One row per 30-day month (monthly.csv); written for runs longer than one month."""

    def kpis(self) -> dict[str, Any]:
        """The summary with the manifest, as written to ``summary.json``."""
        return {"manifest": self.manifest, **self.summary}

    def to_frames(self) -> dict[str, Any]:
        """The run's tables as pandas DataFrames (needs pandas: ``pip install 'swapsim[notebook]'``).

        Keys: ``kpis`` (one row per KPI, manifest included: dotted ``kpi``; ``value``, always a float,
        NaN where the entry is not a number; ``text`` for those, e.g. versions, the strategy, the
        ``--set`` overrides joined by "; ", or a health mean of None; ``label`` and ``unit`` from the
        KPI catalogue, a share's unit ``fraction`` as stored, empty for the manifest), ``timeseries`` (one row per time
        bin, ``time_h`` the bin start), ``robots``, ``packs``, ``alerts``, ``health``, ``monthly``
        (no rows for runs of a month or less, the columns of monthly.csv all the same) and ``swap_waits`` (histogram: bin start and
        end in minutes, count; exact zeros in the first row). The same columns as the run directory's
        CSV files.
        """
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("RunResult.to_frames needs pandas: pip install 'swapsim[notebook]'") from None
        from swapsim.metrics.catalogue import entry_for
        from swapsim.metrics.monthly import MONTHLY_COLUMNS
        from swapsim.results import flatten

        kpis = flatten(self.kpis())
        numeric = [isinstance(v, (int, float)) and not isinstance(v, bool) for v in kpis.values()]
        frames = {
            "kpis": pd.DataFrame(
                {
                    "kpi": list(kpis),
                    "value": pd.array(
                        [float(v) if n else np.nan for v, n in zip(kpis.values(), numeric)], dtype="float64"
                    ),
                    "text": [None if n else _as_text(v) for v, n in zip(kpis.values(), numeric)],
                    "label": [e.label if (e := entry_for(k)) else "" for k in kpis],
                    "unit": [("fraction" if e.is_share else e.unit) if (e := entry_for(k)) else "" for k in kpis],
                }
            ),
            "timeseries": pd.DataFrame({k: np.asarray(v) for k, v in self.timeseries.items()}),
            "robots": pd.DataFrame(self.robots),
            "packs": pd.DataFrame(self.packs),
            "alerts": pd.DataFrame(
                self.alerts, columns=["time_h", "pack", "station", "kind", "estimated_health", "true_health"]
            ),
            "health": pd.DataFrame({k: np.asarray(v) for k, v in self.health.items()}),
            "monthly": pd.DataFrame(self.monthly, columns=list(MONTHLY_COLUMNS)),
        }
        frames["swap_waits"] = pd.DataFrame(self.swap_wait_table())
        return frames

    def swap_wait_table(self) -> dict[str, list[float]]:
        """The swap-wait histogram as columns (``swap_waits.csv``): bin low and high edges (min) and count;
        non-empty bins only; the first row counts exact zeros, and each wait past the histogram's
        limit is a row of its own."""
        if self.wait_histogram is None:
            raise ValueError("this run result holds no swap-wait histogram")
        edges, counts, zeros, overflow = self.wait_histogram
        nz = np.flatnonzero(counts)
        return {
            "wait_min_low": [0.0, *edges[nz].tolist(), *overflow],
            "wait_min_high": [0.0, *edges[nz + 1].tolist(), *overflow],
            "count": [zeros, *counts[nz].tolist(), *([1] * len(overflow))],
        }


def _as_text(value: Any) -> str | None:
    """A non-numeric KPI entry as text for the ``text`` column of :meth:`RunResult.to_frames`."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return "; ".join(map(str, value))
    return str(value)


def _pack_rows(fleet: Fleet, now: float) -> list[dict[str, Any]]:
    """One packs.csv row per pack, as :meth:`Fleet.observe` gives it at ``now`` (h)."""
    view = fleet.observe(now)
    health = fleet.health
    return [
        {
            "pack": v.id,
            "location": v.location,
            "soc": v.soc,
            "health": v.health,
            "cycles": v.cycles,
            "equivalent_full_cycles": v.equivalent_full_cycles,
            "throughput_kwh": v.throughput_wh / 1000.0,
            **(health.pack_columns(p) if health is not None else {}),
        }
        for v, p in zip(view.packs, fleet.packs)
    ]


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    *,
    keep_entities: bool = False,
    env: simpy.Environment | None = None,
    pack_trace: PackTrace | None = None,
    origin: Mapping[str, Any] | None = None,
    observer: Callable[[simpy.Environment, Fleet], None] | None = None,
) -> RunResult:
    """Run ``scenario`` once.

    Args:
        scenario: a validated scenario.
        seed: root seed of the random streams; defaults to ``scenario.seed``.
        keep_entities: keep the robots, stations and packs in the result (tests and debugging).
        env: a fresh environment at time 0 to run in (default: a new :class:`Environment`). For
            instrumentation, e.g. the benchmarks' event-counting subclass; it must be unused.
        pack_trace: keep the state-of-charge and temperature path of the packs it names (bounded; for
            the BLAST-Lite cross-check); filled in place. Needs ``battery.ageing``.
        origin: where the scenario came from, copied into the manifest: ``scenario_file`` (the YAML
            path) and ``overrides`` (the ``--set`` assignments applied to it, in order), so that a
            report says what was run, not only what the file describes.
        observer: called once with the environment and the fleet when the fleet is built, before the
            clock runs (tests: a process that reads the model during the run; it must change nothing).
    Raises:
        ScenarioError: the run is estimated to need more memory than the limit
            (:func:`swapsim.resources.check_memory`: 2 GB unless raised with ``--max-memory``).
    """
    check_memory(scenario)  # refuse before allocating anything (ScenarioError; limit: --max-memory)
    seed = scenario.seed if seed is None else int(seed)
    if seed != scenario.seed:  # the resolved scenario must reproduce this run on its own
        scenario = scenario.model_copy(update={"seed": seed})
    started = time.perf_counter()
    if env is None:
        env = Environment()
    elif env.now != 0 or env.peek() != math.inf:
        raise ValueError(f"simulate: env must be a fresh environment at time 0 (now={env.now})")
    streams = Streams(seed)
    recorder = Recorder(
        n_robots=scenario.fleet.robots,
        stations=[
            (s.name, s.plug_in_docks if scenario.strategy.kind == "plug_in" else s.positions) for s in scenario.stations
        ],
        horizon_h=scenario.horizon,
        bin_width_h=scenario.output.bin_width,
        trace_limit=scenario.output.trace_events,
        tasks=scenario.workload.tasks is not None,
        strategy=scenario.strategy.kind,
        alerts_limit=scenario.output.alerts_limit,
        priced=(scenario, _technician_hours_per_year(scenario)) if scenario.costs is not None else None,
    )
    fleet = build_fleet(env, scenario, streams, recorder)
    if pack_trace is not None and fleet.health is not None:
        fleet.health.follow(pack_trace)
    if observer is not None:
        observer(env, fleet)
    if scenario.warmup > 0:
        env.run(until=scenario.warmup)
        fleet.catch_up()  # milestones and quiet stretches due by now are recorded before the reset
        recorder.reset(env.now)
    env.run(until=scenario.horizon)
    fleet.catch_up()
    for robot in fleet.robots:
        robot.settle()
    if fleet.health is not None:
        fleet.health.finalise(env.now)
    recorder.finalise(env.now)
    wall = time.perf_counter() - started
    manifest = {
        "swapsim_version": __version__,
        "scenario": scenario.name,
        "seed": seed,
        "strategy": scenario.strategy.kind,
        "horizon_h": scenario.horizon,
        "warmup_h": scenario.warmup,
        "wall_time_s": wall,
        "python": platform.python_version(),
        "simpy": simpy.__version__,
        "numpy": np.__version__,
        **(dict(origin) if origin else {}),
    }
    summary = recorder.summary(env.now, _run_end(scenario, fleet)).to_dict()  # typed until here
    return RunResult(
        scenario=scenario,
        seed=seed,
        manifest=manifest,
        summary=summary,
        timeseries=recorder.timeseries(),
        robots=recorder.robot_rows(),
        packs=_pack_rows(fleet, env.now),
        wait_histogram=recorder.wait_histogram(),
        trace=list(recorder.trace),
        fleet=fleet if keep_entities else None,
        alerts=recorder.alert_rows(),
        health=recorder.health_rows(),
        monthly=recorder.monthly_rows() if scenario.horizon > MONTH_H + 1e-9 else [],
    )


def _run_end(scenario: Scenario, fleet: Fleet) -> RunEnd:
    """The facts only the model holds at the horizon, for the recorder's last sections."""
    where = fleet.pack_locations()
    health = fleet.health
    fades = []
    if health is not None:
        for rec in health.records.values():
            if rec.status in ("in_robot", "in_bay"):
                f = rec.fade
                service_days = (scenario.horizon - rec.entered_h) / 24.0
                fades.append(PackFade(f.q_cal, f.q_cyc, f.days, service_days, f.wear, rec.entered_h == 0.0))
    return RunEnd(
        packs_in_robots=where["robots"],
        packs_in_bays=where["bays"],
        crew=health.crew.size if health is not None else 0,
        at_horizon=health.at_horizon() if health is not None else None,
        pack_life=functools.partial(expected_replacements, fades, scenario) if scenario.costs is not None else None,
    )


def _technician_hours_per_year(scenario: Scenario) -> float:
    """Staffed technician-hours a year (crew x on-duty hours a day x 365), for the cost concern."""
    tech = scenario.technicians
    return technician_hours_per_year(
        tech.crew, ShiftCalendar.from_windows([(w.start, w.end) for w in tech.shifts]).daily_hours
    )
