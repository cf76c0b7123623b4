"""Statistics of a run: the Recorder and the accumulators it is built from.

The model never computes statistics. Its processes call one domain hook per event
(``recorder.robot_state(robot, "queueing", now)``, ``recorder.swap_started(...)``, ...) and the
Recorder decides what to keep. Everything kept is bounded whatever the horizon:

* :class:`TimeWeighted` integrates a piecewise-constant quantity (robots in a state, a station's
  queue) since the last :meth:`Recorder.reset`, and, optionally, into fixed-width time bins that
  cover the whole run (warm-up included) for the time-series output;
* :class:`Tally` keeps count, sum, min and max of observations, plus a fixed-resolution histogram for
  quantiles (resolution stated on the class);
* an optional event trace keeps the first ``trace_limit`` events only.

Warm-up is handled by the engine calling :meth:`Recorder.reset` once; no process checks the clock.
Times are hours; waits are reported in minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["ROBOT_STATES", "ON_DUTY_STATES", "TimeWeighted", "Tally", "Recorder", "TraceEvent"]

ROBOT_STATES: tuple[str, ...] = ("working", "idle", "travelling", "queueing", "swapping", "stranded",
                                 "charging", "down", "off_duty")
"""Every state a robot can be in; a robot is in exactly one at any time.

``charging``: docked at a plug-in charger (strategy ``plug_in``); ``down``: halted by a fault (emergency
stop, breakdown under repair, a failed swap attempt being retried); ``off_duty``: parked between shifts.
Every state but ``off_duty`` is on-duty time.
"""

ON_DUTY_STATES: tuple[str, ...] = tuple(s for s in ROBOT_STATES if s != "off_duty")
"""States that count as on-duty time (the denominator of utilisation and state fractions)."""

FAULT_KINDS: tuple[str, ...] = ("estop", "breakdown")
"""Faults that halt a robot (counted in ``faults``); failed swaps and station outages are counted apart."""


class TimeWeighted:
    """Time integral of a piecewise-constant value.

    ``area`` and ``mean`` cover the time since the last :meth:`reset`; ``bins`` (when given a width)
    hold the integral over each fixed-width bin from time 0, never reset.
    """

    __slots__ = ("value", "t_last", "area", "t0", "peak", "bins", "width")

    def __init__(self, value: float = 0.0, t0: float = 0.0, n_bins: int = 0, width: float = 1.0) -> None:
        self.value = value
        self.t_last = t0
        self.t0 = t0
        self.area = 0.0
        self.peak = value
        self.width = width
        self.bins: list[float] | None = [0.0] * n_bins if n_bins else None

    def set(self, now: float, value: float) -> None:
        """The value changes to ``value`` at time ``now``."""
        dt = now - self.t_last
        if dt > 0:
            v = self.value
            if v:
                self.area += v * dt
                if self.bins is not None:
                    self._bin(self.t_last, now, v)
            self.t_last = now
        self.value = value
        if value > self.peak:
            self.peak = value

    def add(self, now: float, delta: float) -> None:
        """The value changes by ``delta`` at time ``now``."""
        self.set(now, self.value + delta)

    def _bin(self, t0: float, t1: float, v: float) -> None:
        w = self.width
        bins = self.bins
        last = len(bins) - 1
        i = min(int(t0 / w), last)
        j = min(int(t1 / w), last)
        if i == j:
            bins[i] += v * (t1 - t0)
            return
        bins[i] += v * ((i + 1) * w - t0)
        for k in range(i + 1, j):
            bins[k] += v * w
        bins[j] += v * (t1 - j * w)

    def integral(self, now: float) -> float:
        """Integral since the last reset, up to ``now``."""
        return self.area + self.value * (now - self.t_last)

    def mean(self, now: float) -> float:
        """Time average since the last reset (0 over an empty interval)."""
        span = now - self.t0
        return self.integral(now) / span if span > 0 else float(self.value)

    def reset(self, now: float) -> None:
        """Forget the integral so far (the bins are kept)."""
        self.set(now, self.value)
        self.area = 0.0
        self.t0 = now
        self.peak = self.value


class Tally:
    """Observations: count, mean, max, and quantiles from a histogram.

    Quantiles are exact for values equal to zero and otherwise accurate to ``resolution``
    (linear interpolation inside a histogram bin, never above the largest observation); values
    beyond ``limit`` are kept exactly.
    """

    __slots__ = ("n", "total", "maximum", "zeros", "resolution", "hist", "overflow", "limit")

    def __init__(self, resolution: float, limit: float) -> None:
        self.resolution = resolution
        self.limit = limit
        self.hist = np.zeros(int(math.ceil(limit / resolution)), dtype=np.int64)
        self.overflow: list[float] = []
        self.n = 0
        self.total = 0.0
        self.maximum = 0.0
        self.zeros = 0

    def observe(self, x: float) -> None:
        self.n += 1
        self.total += x
        if x > self.maximum:
            self.maximum = x
        if x <= 0.0:
            self.zeros += 1
        elif x < self.limit:
            self.hist[int(x / self.resolution)] += 1
        else:
            self.overflow.append(x)

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else 0.0

    def quantile(self, q: float) -> float:
        """The ``q``-quantile (0 <= q <= 1) of the observations (0 when there are none)."""
        if self.n == 0:
            return 0.0
        rank = q * self.n
        if rank <= self.zeros:
            return 0.0
        cum = self.zeros
        counts = self.hist
        csum = np.cumsum(counts) + cum
        k = int(np.searchsorted(csum, rank, side="left"))
        if k < len(counts):
            below = csum[k - 1] if k > 0 else cum
            inside = counts[k]
            frac = (rank - below) / inside if inside else 1.0
            # Interpolating inside the bin can pass the largest observation; no quantile may.
            return float(min((k + frac) * self.resolution, self.maximum))
        extra = sorted(self.overflow)
        idx = min(len(extra) - 1, max(0, int(math.ceil(rank - csum[-1])) - 1))
        return float(extra[idx])

    def reset(self) -> None:
        self.hist[:] = 0
        self.overflow.clear()
        self.n = 0
        self.total = 0.0
        self.maximum = 0.0
        self.zeros = 0

    def histogram(self) -> tuple[np.ndarray, np.ndarray, int, list[float]]:
        """Bin edges, counts, the count of exact zeros, and the values past the limit."""
        edges = np.arange(len(self.hist) + 1) * self.resolution
        return edges, self.hist.copy(), self.zeros, sorted(self.overflow)


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One recorded model event (time in hours)."""

    time_h: float
    kind: str
    robot: int | None = None
    station: int | None = None
    detail: Any = None


@dataclass
class _StationStats:
    name: str
    positions: int
    busy: TimeWeighted
    queue: TimeWeighted
    green: TimeWeighted
    swaps: int = 0
    stockouts: int = 0
    grid_wh: float = 0.0


@dataclass
class _RobotStats:
    state: str
    since: float
    time_h: dict[str, float] = field(default_factory=lambda: dict.fromkeys(ROBOT_STATES, 0.0))
    swaps: int = 0
    strandings: int = 0
    arrived: float = 0.0


class Recorder:
    """Receives the model's domain events and keeps bounded statistics of them.

    Args:
        n_robots: fleet size.
        stations: (name, swap positions) per station, in scenario order.
        horizon_h: run length (h); sizes the time-series bins.
        bin_width_h: width of the time-series bins (h).
        trace_limit: keep the first ``trace_limit`` events as :class:`TraceEvent` (0: none).
        wait_resolution_min: histogram resolution of swap waits (min).
    """

    def __init__(self, n_robots: int, stations: list[tuple[str, int]], horizon_h: float,
                 bin_width_h: float, trace_limit: int = 0, wait_resolution_min: float = 0.05,
                 tasks: bool = False, strategy: str = "hot_swap") -> None:
        self.n_robots = n_robots
        self.horizon_h = horizon_h
        self.bin_width_h = bin_width_h
        self.n_bins = max(1, int(math.ceil(horizon_h / bin_width_h - 1e-9)))
        self.t_reset = 0.0
        self.state_counts = {s: TimeWeighted(n_bins=self.n_bins, width=bin_width_h) for s in ROBOT_STATES}
        self.state_counts["working"].set(0.0, n_robots)
        self.robots = [_RobotStats(state="working", since=0.0) for _ in range(n_robots)]
        self.stations = [
            _StationStats(name, positions,
                          busy=TimeWeighted(n_bins=self.n_bins, width=bin_width_h),
                          queue=TimeWeighted(n_bins=self.n_bins, width=bin_width_h),
                          green=TimeWeighted(n_bins=self.n_bins, width=bin_width_h))
            for name, positions in stations
        ]
        self.waits_min = Tally(resolution=wait_resolution_min, limit=24 * 60.0)
        self.rescue_wh = 0.0
        self.trace_limit = trace_limit
        self.trace: list[TraceEvent] = []
        self._init_realistic_work(tasks, strategy, wait_resolution_min)

    def _init_realistic_work(self, tasks: bool, strategy: str, wait_resolution_min: float) -> None:
        """Accumulators for task demand, shifts, faults and plug-in charging."""
        n_bins, width = self.n_bins, self.bin_width_h
        self.tasks_used = tasks
        self.strategy = strategy
        self.task_waits_min = Tally(resolution=wait_resolution_min, limit=7 * 24 * 60.0)
        self.tasks_arrived = 0
        self.tasks_done = 0
        self.tasks_waiting = TimeWeighted(n_bins=n_bins, width=width)
        self.tasks_in_progress = TimeWeighted(n_bins=n_bins, width=width)
        self.roster = TimeWeighted(value=float(self.n_robots), n_bins=n_bins, width=width)
        self.fault_counts = {"estops": 0, "breakdowns": 0, "failed_swaps": 0, "station_outages": 0,
                             "reroutes": 0}
        self.station_down = [TimeWeighted(n_bins=n_bins, width=width) for _ in self.stations]
        self.station_outages = [0] * len(self.stations)
        self.charge_waits_min = Tally(resolution=wait_resolution_min, limit=24 * 60.0)
        self.charge_sessions = 0
        self.charge_hours = 0.0
        self.parking_wh = 0.0

    # -- trace -------------------------------------------------------------------------------
    def _trace(self, now: float, kind: str, robot: int | None = None, station: int | None = None,
               detail: Any = None) -> None:
        if len(self.trace) < self.trace_limit:
            self.trace.append(TraceEvent(now, kind, robot, station, detail))

    # -- robot hooks ---------------------------------------------------------------------------
    def robot_state(self, robot: int, state: str, now: float) -> None:
        """Robot ``robot`` enters ``state`` at ``now``."""
        r = self.robots[robot]
        old = r.state
        if old == state:
            return
        r.time_h[old] += now - r.since
        r.since = now
        r.state = state
        counts = self.state_counts
        counts[old].add(now, -1)
        counts[state].add(now, 1)
        if self.trace_limit:
            self._trace(now, "state", robot, None, state)

    def robot_arrived(self, robot: int, station: int, now: float) -> None:
        """Robot reaches a station and joins its queue."""
        self.robots[robot].arrived = now
        if self.trace_limit:
            self._trace(now, "arrive", robot, station)

    def swap_started(self, robot: int, station: int, now: float, stockout: bool) -> None:
        """The swap itself begins (position held, green pack taken). ``stockout``: it had to wait for one."""
        r = self.robots[robot]
        wait_min = (now - r.arrived) * 60.0
        self.waits_min.observe(wait_min)
        st = self.stations[station]
        st.swaps += 1
        r.swaps += 1
        if stockout:
            st.stockouts += 1
        if self.trace_limit:
            self._trace(now, "swap_start", robot, station, {"wait_min": wait_min, "stockout": stockout})

    def swap_done(self, robot: int, station: int, now: float) -> None:
        if self.trace_limit:
            self._trace(now, "swap_done", robot, station)

    def robot_stranded(self, robot: int, now: float) -> None:
        self.robots[robot].strandings += 1
        if self.trace_limit:
            self._trace(now, "stranded", robot)

    def rescue_charged(self, robot: int, grid_wh: float, now: float) -> None:
        self.rescue_wh += grid_wh

    # -- task hooks ------------------------------------------------------------------------------
    def task_arrived(self, task: int, now: float) -> None:
        """A task joins the queue."""
        self.tasks_arrived += 1
        self.tasks_waiting.add(now, 1)
        if self.trace_limit:
            self._trace(now, "task_arrive", None, None, task)

    def task_started(self, task: int, robot: int, arrived_h: float, now: float) -> None:
        """A robot sets off to do the task (after any swap it needed first); its wait ends."""
        self.task_waits_min.observe((now - arrived_h) * 60.0)
        self.tasks_waiting.add(now, -1)
        self.tasks_in_progress.add(now, 1)
        if self.trace_limit:
            self._trace(now, "task_start", robot, None, task)

    def task_done(self, task: int, robot: int, now: float) -> None:
        self.tasks_done += 1
        self.tasks_in_progress.add(now, -1)
        if self.trace_limit:
            self._trace(now, "task_done", robot, None, task)

    # -- shift hooks -----------------------------------------------------------------------------
    def roster_changed(self, robots: int, now: float) -> None:
        """The shift calendar now wants ``robots`` robots on duty."""
        self.roster.set(now, robots)

    def parking_charged(self, robot: int, grid_wh: float, now: float) -> None:
        """An off-duty robot's packs were charged in its parking spot."""
        self.parking_wh += grid_wh

    # -- fault hooks -----------------------------------------------------------------------------
    def robot_fault(self, robot: int, kind: str, duration_h: float, now: float) -> None:
        """A fault (``estop`` or ``breakdown``) halts a robot for ``duration_h``."""
        self.fault_counts[kind + "s"] += 1
        if self.trace_limit:
            self._trace(now, kind, robot, None, {"duration_h": duration_h})

    def swap_failed(self, robot: int, station: int, now: float) -> None:
        """A swap attempt failed; the robot retries."""
        self.fault_counts["failed_swaps"] += 1
        if self.trace_limit:
            self._trace(now, "swap_failed", robot, station)

    def station_outage(self, station: int, now: float) -> None:
        self.fault_counts["station_outages"] += 1
        self.station_outages[station] += 1
        self.station_down[station].set(now, 1)
        if self.trace_limit:
            self._trace(now, "station_down", None, station)

    def station_restored(self, station: int, now: float) -> None:
        self.station_down[station].set(now, 0)
        if self.trace_limit:
            self._trace(now, "station_up", None, station)

    def robot_rerouted(self, robot: int, station: int, now: float) -> None:
        """A robot leaves a station that went down, for another one."""
        self.fault_counts["reroutes"] += 1
        if self.trace_limit:
            self._trace(now, "reroute", robot, station)

    # -- plug-in charging hooks -----------------------------------------------------------------
    def charge_started(self, robot: int, station: int, now: float) -> None:
        """A plug-in robot docks (its wait since arriving at the station ends)."""
        self.charge_waits_min.observe((now - self.robots[robot].arrived) * 60.0)
        self.charge_sessions += 1
        if self.trace_limit:
            self._trace(now, "dock", robot, station)

    def robot_charged(self, robot: int, station: int, grid_wh: float, hours: float, now: float) -> None:
        """A plug-in robot undocks after ``hours`` of charging that drew ``grid_wh`` from the grid."""
        self.charge_hours += hours
        self.stations[station].grid_wh += grid_wh
        if self.trace_limit:
            self._trace(now, "undock", robot, station, {"grid_wh": grid_wh})

    # -- station hooks -------------------------------------------------------------------------
    def queue_changed(self, station: int, length: int, now: float) -> None:
        self.stations[station].queue.set(now, length)

    def busy_changed(self, station: int, busy: int, now: float) -> None:
        self.stations[station].busy.set(now, busy)

    def green_changed(self, station: int, count: int, now: float) -> None:
        self.stations[station].green.set(now, count)

    def charge_ended(self, station: int, grid_wh: float, now: float) -> None:
        self.stations[station].grid_wh += grid_wh

    # -- lifecycle -------------------------------------------------------------------------------
    def reset(self, now: float) -> None:
        """Start the statistics afresh at ``now`` (end of warm-up); time series are kept."""
        self.t_reset = now
        for tw in self.state_counts.values():
            tw.reset(now)
        for r in self.robots:
            r.time_h = dict.fromkeys(ROBOT_STATES, 0.0)
            r.since = now
            r.swaps = 0
            r.strandings = 0
        for st in self.stations:
            st.busy.reset(now)
            st.queue.reset(now)
            st.green.reset(now)
            st.swaps = 0
            st.stockouts = 0
            st.grid_wh = 0.0
        self.waits_min.reset()
        self.rescue_wh = 0.0
        self._reset_realistic_work(now)

    def _reset_realistic_work(self, now: float) -> None:
        self.task_waits_min.reset()
        self.tasks_arrived = 0
        self.tasks_done = 0
        for tw in (self.tasks_waiting, self.tasks_in_progress, self.roster, *self.station_down):
            tw.reset(now)
        self.fault_counts = dict.fromkeys(self.fault_counts, 0)
        self.station_outages = [0] * len(self.stations)
        self.charge_waits_min.reset()
        self.charge_sessions = 0
        self.charge_hours = 0.0
        self.parking_wh = 0.0

    def finalise(self, now: float) -> None:
        """Close every open interval at ``now`` (the horizon)."""
        for r in self.robots:
            r.time_h[r.state] += now - r.since
            r.since = now
        for tw in self.state_counts.values():
            tw.set(now, tw.value)
        for st in self.stations:
            for tw in (st.busy, st.queue, st.green):
                tw.set(now, tw.value)
        for tw in (self.tasks_waiting, self.tasks_in_progress, self.roster, *self.station_down):
            tw.set(now, tw.value)

    # -- results ---------------------------------------------------------------------------------
    def summary(self, now: float) -> dict[str, Any]:
        """KPIs since the last reset, as nested plain data (call after :meth:`finalise`)."""
        span = now - self.t_reset
        fleet_time = {s: sum(r.time_h[s] for r in self.robots) for s in ROBOT_STATES}
        total = sum(fleet_time.values())
        on_duty = total - fleet_time["off_duty"]
        fractions = {s: (fleet_time[s] / on_duty if on_duty > 0 else 0.0) for s in ON_DUTY_STATES}
        swaps = sum(st.swaps for st in self.stations)
        days = span / 24.0
        stations = []
        for k, st in enumerate(self.stations):
            stations.append({
                "name": st.name,
                "swaps": st.swaps,
                "swap_utilisation": st.busy.mean(now) / st.positions,
                "mean_queue_length": st.queue.mean(now),
                "max_queue_length": int(st.queue.peak),
                "max_busy_positions": int(st.busy.peak),
                "charged_packs_mean": st.green.mean(now),
                "stockouts": st.stockouts,
                "grid_kwh": st.grid_wh / 1000.0,
                "outages": self.station_outages[k],
                "outage_h": self.station_down[k].integral(now),
            })
        station_wh = sum(st.grid_wh for st in self.stations)
        out = {
            "fleet": {
                "robots": self.n_robots,
                "utilisation": fleet_time["working"] / on_duty if on_duty > 0 else 0.0,
                "state_fraction": fractions,
                "strandings": sum(r.strandings for r in self.robots),
                "off_duty_fraction": fleet_time["off_duty"] / total if total > 0 else 0.0,
                "on_duty_mean": on_duty / span if span > 0 else 0.0,
            },
            "swaps": {
                "count": swaps,
                "per_robot_per_day": swaps / self.n_robots / days if days > 0 else 0.0,
                "stockouts": sum(st.stockouts for st in self.stations),
                "wait_min": {
                    "mean": self.waits_min.mean,
                    "p95": self.waits_min.quantile(0.95),
                    "max": self.waits_min.maximum,
                },
            },
            "stations": stations,
            "energy": {
                "grid_kwh": (station_wh + self.rescue_wh + self.parking_wh) / 1000.0,
                "stations_kwh": station_wh / 1000.0,
                "rescue_kwh": self.rescue_wh / 1000.0,
                "parking_kwh": self.parking_wh / 1000.0,
            },
        }
        out.update(self._realistic_work_summary(now, fleet_time["down"]))
        return out

    def _realistic_work_summary(self, now: float, down_h: float) -> dict[str, Any]:
        """The ``tasks`` (task demand only), ``faults`` and ``charging`` (plug_in only) sections."""
        span = now - self.t_reset
        days = span / 24.0
        out: dict[str, Any] = {}
        if self.tasks_used:
            tw = self.task_waits_min
            out["tasks"] = {
                "arrived": self.tasks_arrived,
                "done": self.tasks_done,
                "per_day": self.tasks_done / days if days > 0 else 0.0,
                "wait_min": {"mean": tw.mean, "p95": tw.quantile(0.95), "max": tw.maximum},
                "waiting_mean": self.tasks_waiting.mean(now),
                "waiting_at_horizon": int(self.tasks_waiting.value),
                "in_progress_at_horizon": int(self.tasks_in_progress.value),
            }
        out["faults"] = {
            **self.fault_counts,
            "down_h": down_h,
            "station_down_h": sum(tw.integral(now) for tw in self.station_down),
        }
        if self.strategy == "plug_in":
            cw = self.charge_waits_min
            out["charging"] = {
                "sessions": self.charge_sessions,
                "per_robot_per_day": self.charge_sessions / self.n_robots / days if days > 0 else 0.0,
                "wait_min": {"mean": cw.mean, "p95": cw.quantile(0.95), "max": cw.maximum},
                "duration_min_mean": 60.0 * self.charge_hours / self.charge_sessions if self.charge_sessions else 0.0,
            }
        return out

    def robot_rows(self) -> list[dict[str, Any]]:
        """One row per robot: hours and fractions in each state, swaps, strandings (since reset)."""
        rows = []
        for i, r in enumerate(self.robots):
            total = sum(r.time_h.values())
            on_duty = total - r.time_h["off_duty"]
            row: dict[str, Any] = {"robot": i}
            for s in ROBOT_STATES:
                row[f"{s}_h"] = r.time_h[s]
            for s in ON_DUTY_STATES:
                row[f"{s}_fraction"] = r.time_h[s] / on_duty if on_duty > 0 else 0.0
            row["off_duty_fraction"] = r.time_h["off_duty"] / total if total > 0 else 0.0
            row["utilisation"] = row["working_fraction"]
            row["swaps"] = r.swaps
            row["strandings"] = r.strandings
            rows.append(row)
        return rows

    def timeseries(self) -> dict[str, np.ndarray]:
        """Bin start times (h) and the time-average of each series within each bin (whole run)."""
        w = self.bin_width_h
        starts = np.arange(self.n_bins) * w
        widths = np.minimum(starts + w, self.horizon_h) - starts
        widths = np.where(widths > 0, widths, w)
        cols: dict[str, np.ndarray] = {"time_h": starts}
        for s in ROBOT_STATES:
            cols[f"robots_{s}"] = np.asarray(self.state_counts[s].bins) / widths
        for st in self.stations:
            cols[f"{st.name}_busy"] = np.asarray(st.busy.bins) / widths
            cols[f"{st.name}_queue"] = np.asarray(st.queue.bins) / widths
            cols[f"{st.name}_green"] = np.asarray(st.green.bins) / widths
        cols["rostered_robots"] = np.asarray(self.roster.bins) / widths
        for st, down in zip(self.stations, self.station_down):
            cols[f"{st.name}_down"] = np.asarray(down.bins) / widths
        if self.tasks_used:
            cols["tasks_waiting"] = np.asarray(self.tasks_waiting.bins) / widths
            cols["tasks_in_progress"] = np.asarray(self.tasks_in_progress.bins) / widths
        return cols
