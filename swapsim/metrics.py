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
from array import array
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ROBOT_STATES", "ON_DUTY_STATES", "TimeWeighted", "Tally", "Recorder", "TraceEvent", "AlertRecord",
           "BatteryStats", "MONTH_H", "FleetStates", "LOG_ROWS"]

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


LOG_ROWS = 16_384
"""Rows a log gathers before it is folded into its tallies (bounds the log's memory)."""

STATE_INDEX: dict[str, int] = {s: i for i, s in enumerate(ROBOT_STATES)}


def _zeros(n: int) -> array:
    """``n`` zero doubles, 8 bytes each: time-series bins cover the whole run, so they are stored
    compactly (a list of floats takes four times the memory)."""
    return array("d", bytes(8 * n))


class TimeWeighted:
    """Time integral of a piecewise-constant value.

    ``area`` and ``mean`` cover the time since the last :meth:`reset`; ``bins`` (when given a width)
    hold the integral over each fixed-width bin from time 0, never reset.

    A change costs the same whether or not a bin edge was passed since the previous one: the
    running integral is kept from the start, its value at each bin edge is noted when the edge is
    passed, and the bins are the differences between edges when read.
    """

    __slots__ = ("value", "t_last", "total", "total_reset", "t0", "peak", "width", "_cum", "_k", "_edge")

    def __init__(self, value: float = 0.0, t0: float = 0.0, n_bins: int = 0, width: float = 1.0) -> None:
        self.value = value
        self.t_last = t0
        self.t0 = t0
        self.total = 0.0
        """Integral from the start to ``t_last`` (never reset)."""
        self.total_reset = 0.0
        """``total`` at the last reset."""
        self.peak = value
        self.width = width
        self._cum: array | None = _zeros(n_bins) if n_bins else None
        """``_cum[k]``: integral from the start to the edge ``k * width`` (k >= 1), once passed."""
        self._k = int(t0 / width) + 1
        """The next edge to note, and its time (inf: none left)."""
        self._edge = self._k * width if n_bins and self._k < n_bins else math.inf

    def set(self, now: float, value: float) -> None:
        """The value changes to ``value`` at time ``now``."""
        t_last = self.t_last
        if now > t_last:
            if now > self._edge:
                self._pass_edges(now)
            self.total += self.value * (now - t_last)
            self.t_last = now
        self.value = value
        if value > self.peak:
            self.peak = value

    def add(self, now: float, delta: float) -> None:
        """The value changes by ``delta`` at time ``now``."""
        self.set(now, self.value + delta)

    def _pass_edges(self, now: float) -> None:
        """Note the integral at every bin edge before ``now`` (the value was constant since ``t_last``)."""
        cum = self._cum
        n = len(cum)
        w = self.width
        v, t_last, total = self.value, self.t_last, self.total
        k, edge = self._k, self._edge
        while edge < now:
            cum[k] = total + v * (edge - t_last)
            k += 1
            edge = k * w if k < n else math.inf
        self._k, self._edge = k, edge

    @property
    def bins(self) -> np.ndarray | None:
        """Integral over each bin (up to ``t_last`` in the bin not closed yet; the last bin also takes
        anything past the binned range), or None without bins."""
        if self._cum is None:
            return None
        starts = np.asarray(self._cum, dtype=float)
        starts[self._k:] = self.total  # edges not reached yet
        return np.append(starts[1:], self.total) - starts

    @property
    def area(self) -> float:
        """Integral since the last reset, up to ``t_last``."""
        return self.total - self.total_reset

    def integral(self, now: float) -> float:
        """Integral since the last reset, up to ``now``."""
        return self.total - self.total_reset + self.value * (now - self.t_last)

    def mean(self, now: float) -> float:
        """Time average since the last reset (0 over an empty interval)."""
        span = now - self.t0
        return self.integral(now) / span if span > 0 else float(self.value)

    def reset(self, now: float) -> None:
        """Forget the integral so far (the bins are kept)."""
        self.set(now, self.value)
        self.total_reset = self.total
        self.t0 = now
        self.peak = self.value


class FleetStates:
    """Robot-hours per robot and state since the last reset, and per state and time bin since the start.

    The Recorder logs each closed interval of one robot in one state as a row ``(robot, state index,
    t0, t1)`` in a flat list (:attr:`log`, one ``list.extend`` per state change) and folds the rows
    into both tallies with NumPy once :data:`LOG_ROWS` have gathered, at :meth:`reset` and whenever
    they are read, so memory stays bounded and a state change costs no per-bin Python work.

    An interval's hours count from ``max(t0, reset time)`` in the per-robot tally (they are the run's
    KPIs) and from ``t0`` in the bins (which cover the warm-up). In the bins, an interval inside one bin
    adds its length to it; a longer one adds its partial first and last bins and marks the whole bins
    between in a difference array (``+1`` after its first bin, ``-1`` from its last), summed when
    :meth:`bins` is read. Intervals past the binned range land in the last bin.
    """

    __slots__ = ("log", "n_robots", "n_bins", "width", "t_reset", "_hours", "_partial", "_whole")

    def __init__(self, n_robots: int, n_bins: int, width: float) -> None:
        self.log: list[float] = []
        """Unfolded rows ``robot, state index, t0, t1``, flat (a list: ``list.extend`` of a tuple is
        cheaper than ``array.extend``, which converts item by item)."""
        self.n_robots = n_robots
        self.n_bins = n_bins
        self.width = width
        self.t_reset = 0.0
        n_states = len(ROBOT_STATES)
        self._hours = np.zeros(n_robots * n_states)
        self._partial = np.zeros(n_states * n_bins)
        self._whole = np.zeros(n_states * (n_bins + 1), dtype=np.int64)

    def fold(self) -> None:
        """Add the logged rows to the tallies and empty the log."""
        if not self.log:
            return
        rows = np.array(self.log, dtype=float).reshape(-1, 4)
        self.log.clear()
        robot, state = rows[:, 0].astype(np.intp), rows[:, 1].astype(np.intp)
        t0, t1 = rows[:, 2], rows[:, 3]
        n_states = len(ROBOT_STATES)
        self._hours += np.bincount(robot * n_states + state, weights=t1 - np.maximum(t0, self.t_reset),
                                   minlength=self._hours.size)
        keep = t1 > t0
        state, t0, t1 = state[keep], t0[keep], t1[keep]
        w, n, last = self.width, self.n_bins, self.n_bins - 1
        i = np.minimum((t0 / w).astype(np.intp), last)
        j = np.minimum((t1 / w).astype(np.intp), last)
        one = i == j
        span = ~one
        at_i, at_j = state * n + i, state * n + j
        idx = np.concatenate((at_i[one], at_i[span], at_j[span]))
        add = np.concatenate(((t1 - t0)[one], ((i + 1) * w - t0)[span], (t1 - j * w)[span]))
        self._partial += np.bincount(idx, weights=add, minlength=self._partial.size)
        row = state[span] * (n + 1)
        self._whole += np.bincount(row + i[span] + 1, minlength=self._whole.size)
        self._whole -= np.bincount(row + j[span], minlength=self._whole.size)

    def reset(self, now: float) -> None:
        """Forget the per-robot hours so far; from now on they count from ``now`` (bins are kept)."""
        self.fold()
        self._hours[:] = 0.0
        self.t_reset = now

    def hours(self) -> np.ndarray:
        """Hours since the reset, one row per robot, one column per state of :data:`ROBOT_STATES`."""
        self.fold()
        return self._hours.reshape(self.n_robots, len(ROBOT_STATES))

    def bins(self, state: str) -> np.ndarray:
        """Robot-hours in ``state`` per bin (from time 0)."""
        self.fold()
        k = ROBOT_STATES.index(state)
        n = self.n_bins
        whole = self._whole[k * (n + 1):(k + 1) * (n + 1) - 1]
        return self._partial[k * n:(k + 1) * n] + self.width * np.cumsum(whole)


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
        self.hist = [0] * int(math.ceil(limit / resolution))
        """Counts per bin of width ``resolution`` (a list: one observation is a cheap list update)."""
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
        counts = np.asarray(self.hist, dtype=np.int64)
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
        self.hist = [0] * len(self.hist)
        self.overflow.clear()
        self.n = 0
        self.total = 0.0
        self.maximum = 0.0
        self.zeros = 0

    def histogram(self) -> tuple[np.ndarray, np.ndarray, int, list[float]]:
        """Bin edges, counts, the count of exact zeros, and the values past the limit."""
        edges = np.arange(len(self.hist) + 1) * self.resolution
        return edges, np.asarray(self.hist, dtype=np.int64), self.zeros, sorted(self.overflow)


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


@dataclass(slots=True)
class _RobotStats:
    state: str
    swaps: int = 0
    strandings: int = 0
    arrived: float = 0.0
    entered: float = 0.0
    """When it entered its current state."""


class Recorder:
    """Receives the model's domain events and keeps bounded statistics of them.

    Args:
        n_robots: fleet size.
        stations: (name, swap positions) per station, in scenario order.
        horizon_h: run length (h); sizes the time-series bins.
        bin_width_h: width of the time-series bins (h).
        trace_limit: keep the first ``trace_limit`` events as :class:`TraceEvent` (0: none).
        wait_resolution_min: histogram resolution of swap waits (min).
        alerts_limit: keep the first ``alerts_limit`` pack alerts as rows (the rest are counted).
    """

    def __init__(self, n_robots: int, stations: list[tuple[str, int]], horizon_h: float,
                 bin_width_h: float, trace_limit: int = 0, wait_resolution_min: float = 0.05,
                 tasks: bool = False, strategy: str = "hot_swap", alerts_limit: int = 10_000) -> None:
        self.n_robots = n_robots
        self.horizon_h = horizon_h
        self.bin_width_h = bin_width_h
        self.n_bins = max(1, int(math.ceil(horizon_h / bin_width_h - 1e-9)))
        self.t_reset = 0.0
        self.fleet_states = FleetStates(n_robots, self.n_bins, bin_width_h)
        self.robots = [_RobotStats(state="working") for _ in range(n_robots)]
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
        self.battery = BatteryStats(horizon_h, alerts_limit)
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
        log = self.fleet_states.log
        log.extend((robot, STATE_INDEX[old], r.entered, now))
        if len(log) >= 4 * LOG_ROWS:
            self.fleet_states.fold()
        r.entered = now
        r.state = state
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
        self.fleet_states.reset(now)
        for r in self.robots:
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
        self.battery.reset(now)
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
        log = self.fleet_states.log
        for i, r in enumerate(self.robots):
            log.extend((i, STATE_INDEX[r.state], r.entered, now))
            r.entered = now
        self.fleet_states.fold()
        for st in self.stations:
            for tw in (st.busy, st.queue, st.green):
                tw.set(now, tw.value)
        for tw in (self.tasks_waiting, self.tasks_in_progress, self.roster, *self.station_down):
            tw.set(now, tw.value)
        self.battery.finalise(now)

    # -- results ---------------------------------------------------------------------------------
    def summary(self, now: float) -> dict[str, Any]:
        """KPIs since the last reset, as nested plain data (call after :meth:`finalise`)."""
        span = now - self.t_reset
        fleet_time = dict(zip(ROBOT_STATES, self.fleet_states.hours().sum(axis=0).tolist()))
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
            time_h = self.robot_hours(i)
            total = sum(time_h.values())
            on_duty = total - time_h["off_duty"]
            row: dict[str, Any] = {"robot": i}
            for s in ROBOT_STATES:
                row[f"{s}_h"] = time_h[s]
            for s in ON_DUTY_STATES:
                row[f"{s}_fraction"] = time_h[s] / on_duty if on_duty > 0 else 0.0
            row["off_duty_fraction"] = time_h["off_duty"] / total if total > 0 else 0.0
            row["utilisation"] = row["working_fraction"]
            row["swaps"] = r.swaps
            row["strandings"] = r.strandings
            rows.append(row)
        return rows

    def robot_hours(self, robot: int) -> dict[str, float]:
        """Hours robot ``robot`` spent in each state since the reset (closed intervals)."""
        return dict(zip(ROBOT_STATES, self.fleet_states.hours()[robot].tolist()))

    def timeseries(self) -> dict[str, np.ndarray]:
        """Bin start times (h) and the time-average of each series within each bin (whole run)."""
        w = self.bin_width_h
        starts = np.arange(self.n_bins) * w
        widths = np.minimum(starts + w, self.horizon_h) - starts
        widths = np.where(widths > 0, widths, w)
        cols: dict[str, np.ndarray] = {"time_h": starts}
        for s in ROBOT_STATES:
            cols[f"robots_{s}"] = self.fleet_states.bins(s) / widths
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

    # -- battery health and technician hooks ---------------------------------------------------------
    def pack_checked(self, station: int, pack: int, estimated: float, true: float, now: float) -> None:
        """A station checked a pack just dropped off (estimated and true health, fractions)."""
        self.battery.pack_checked(now)

    def alert(self, kind: str, station: int, pack: int, estimated: float, true: float, now: float) -> None:
        """A health check raised an alert: ``warning``, ``retirement`` or ``fault``."""
        self.battery.alert(AlertRecord(now, pack, self.stations[station].name, kind, estimated, true))
        if self.trace_limit:
            self._trace(now, f"alert_{kind}", None, station, {"pack": pack, "estimated": estimated})

    def pack_quarantined(self, station: int, pack: int, reason: str, now: float) -> None:
        """A pack is put aside in its bay (``reason``: retirement or fault)."""
        self.battery.blocked.add(now, 1)
        self.battery.quarantined += 1

    def pack_replaced(self, station: int, old_pack: int, new_pack: int, now: float) -> None:
        """A technician retired ``old_pack`` and put ``new_pack`` into its bay."""
        b = self.battery
        b.blocked.add(now, -1)
        b.replaced += 1
        b.monthly["replaced"][b.month(now)] += 1
        if self.trace_limit:
            self._trace(now, "pack_replaced", None, station, {"old": old_pack, "new": new_pack})

    def spare_ordered(self, on_order: int, now: float) -> None:
        """A new pack was ordered (``on_order``: packs now on order)."""
        self.battery.orders += 1

    def spares_changed(self, count: int, now: float) -> None:
        """New packs on the shelf changed to ``count``."""
        self.battery.spares.set(now, count)

    def spare_stockout(self, kind: str, station: int, now: float) -> None:
        """A job needing a new pack found none on the shelf: its bay stays blocked."""
        self.battery.stock_waits += 1

    def technicians_rostered(self, count: int, now: float) -> None:
        """Technicians on duty changed to ``count`` (shift calendar)."""
        self.battery.rostered.set(now, count)

    def technician_job_raised(self, kind: str, station: int, now: float) -> None:
        self.battery.jobs_raised += 1

    def technician_job_started(self, member: int, kind: str, station: int, now: float) -> None:
        """Technician ``member`` takes a job (busy from now: travel, then work on site)."""
        self.battery.busy.add(now, 1)

    def technician_on_site(self, member: int, kind: str, station: int, response_h: float, now: float) -> None:
        """Technician reached the job, ``response_h`` after it was raised."""
        b = self.battery
        b.responses += 1
        b.response_h += response_h

    def technician_job_done(self, member: int, kind: str, station: int, now: float) -> None:
        b = self.battery
        b.busy.add(now, -1)
        b.jobs_done += 1
        if self.trace_limit:
            self._trace(now, "technician_done", None, station, {"member": member, "kind": kind})

    def health_survey(self, now: float, healths: np.ndarray, quarantined: int, retired: int,
                      spare_stock: int, on_order: int) -> None:
        """Health of every pack in service now (snapshot), with the counts of packs out of service."""
        self.battery.survey(now, healths, quarantined, retired, spare_stock, on_order)

    # -- battery health results ------------------------------------------------------------------------
    def battery_summary(self, now: float) -> dict[str, Any]:
        """KPIs of pack health and the crew since the last reset (``packs``, ``alerts``, ``technicians``)."""
        b = self.battery
        rostered = b.rostered.integral(now)
        return {
            "packs": {"retired": b.replaced, "replaced": b.replaced, "quarantined_events": b.quarantined},
            "alerts": {"warnings": b.warnings, "retirements": b.retirements, "faults": b.faults,
                       "checks": b.checks, "rows_kept": len(b.alerts), "rows_dropped": b.alerts_dropped},
            "technicians": {
                "utilisation": b.busy.integral(now) / rostered if rostered > 0 else 0.0,
                "jobs": b.jobs_done,
                "mean_response_min": b.response_h / b.responses * 60.0 if b.responses else 0.0,
                "jobs_raised": b.jobs_raised,
                "stock_waits": b.stock_waits,
                "packs_ordered": b.orders,
                "blocked_bay_h": b.blocked.integral(now),
                "spare_stock_mean": b.spares.mean(now),
            },
        }

    def alert_rows(self) -> list[dict[str, Any]]:
        """The kept alerts, one row each (whole run, warm-up included)."""
        return [{"time_h": a.time_h, "pack": a.pack, "station": a.station, "kind": a.kind,
                 "estimated_health": a.estimated_health, "true_health": a.true_health} for a in self.battery.alerts]

    def health_rows(self) -> dict[str, np.ndarray]:
        """The health snapshots as columns (whole run)."""
        return self.battery.survey_columns()

    def monthly_rows(self) -> list[dict[str, Any]]:
        """One row per 30-day month of the whole run (warm-up included): utilisation and the share of every
        other robot state, swaps, pack health, alerts, replacements, the crew.

        Robot time comes from the time-series bins, each counted in the month its start falls in.
        """
        b = self.battery
        w = self.bin_width_h
        month_of_bin = np.minimum((np.arange(self.n_bins) * w / MONTH_H + 1e-9).astype(int), b.n_months - 1)
        areas = {s: np.bincount(month_of_bin, weights=self.fleet_states.bins(s), minlength=b.n_months)
                 for s in ROBOT_STATES}
        on_duty = sum(a for s, a in areas.items() if s != "off_duty")
        health = b.survey_columns()
        h_time = np.asarray(health["time_h"], dtype=float)
        h_month = np.minimum((h_time / MONTH_H + 1e-9).astype(int), b.n_months - 1)
        rostered_bins, busy_bins, blocked_bins = b.rostered.bins, b.busy.bins, b.blocked.bins
        rows = []
        for m in range(b.n_months):
            start = m * MONTH_H
            end = min((m + 1) * MONTH_H, self.horizon_h)
            days = (end - start) / 24.0
            sel = h_month == m
            rostered = rostered_bins[m] if rostered_bins is not None else 0.0
            rows.append({
                "month": m + 1,
                "start_d": start / 24.0,
                "end_d": end / 24.0,
                "utilisation": float(areas["working"][m] / on_duty[m]) if on_duty[m] > 0 else 0.0,
                **{f"{st}_fraction": (float(areas[st][m] / on_duty[m]) if on_duty[m] > 0 else 0.0)
                   for st in ROBOT_STATES if st not in ("working", "off_duty")},
                "swaps": int(b.monthly["checks"][m]),
                "swaps_per_robot_per_day": float(b.monthly["checks"][m] / self.n_robots / days) if days > 0 else 0.0,
                "health_mean": float(np.mean(health["health_mean"][sel])) if sel.any() else None,
                "health_min": float(np.min(health["health_min"][sel])) if sel.any() else None,
                "warnings": int(b.monthly["warnings"][m]),
                "retirements": int(b.monthly["retirements"][m]),
                "faults": int(b.monthly["faults"][m]),
                "replaced": int(b.monthly["replaced"][m]),
                "technician_utilisation": float(busy_bins[m] / rostered) if rostered > 0 else 0.0,
                "blocked_bay_h": float(blocked_bins[m]),
            })
        return rows


MONTH_H = 720.0
"""Length of a month in the monthly table (30 days, in hours)."""


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One health alert (time in hours; health as a fraction of rated capacity)."""

    time_h: float
    pack: int
    station: str
    kind: str
    estimated_health: float
    true_health: float


class BatteryStats:
    """Bounded statistics of pack health, alerts and the technician crew, kept by the Recorder.

    Counts and time integrals restart at :meth:`reset` (warm-up); the month-by-month counters, the
    monthly bins of the time integrals and the health snapshots cover the whole run. At most
    ``alerts_limit`` alerts are kept as records; later ones are only counted.
    """

    def __init__(self, horizon_h: float, alerts_limit: int = 10_000) -> None:
        self.n_months = max(1, int(math.ceil(horizon_h / MONTH_H - 1e-9)))
        self.alerts_limit = alerts_limit
        self.alerts: list[AlertRecord] = []
        self.alerts_dropped = 0
        self.monthly = {k: [0] * self.n_months for k in ("checks", "warnings", "retirements", "faults", "replaced")}
        self.busy = TimeWeighted(n_bins=self.n_months, width=MONTH_H)
        self.rostered = TimeWeighted(n_bins=self.n_months, width=MONTH_H)
        self.blocked = TimeWeighted(n_bins=self.n_months, width=MONTH_H)
        self.spares = TimeWeighted(n_bins=self.n_months, width=MONTH_H)
        self.totals = {"warnings": 0, "retirements": 0, "faults": 0}
        self._rows: list[tuple[float, ...]] = []
        self._zero_counts()

    def _zero_counts(self) -> None:
        self.checks = self.warnings = self.retirements = self.faults = 0
        self.replaced = self.quarantined = self.orders = self.stock_waits = 0
        self.jobs_raised = self.jobs_done = self.responses = 0
        self.response_h = 0.0

    def month(self, now: float) -> int:
        """Index of the month ``now`` falls in (the last month takes anything past the horizon)."""
        m = int(now / MONTH_H)
        return m if m < self.n_months else self.n_months - 1

    def pack_checked(self, now: float) -> None:
        self.checks += 1
        self.monthly["checks"][self.month(now)] += 1

    def alert(self, a: AlertRecord) -> None:
        kind = {"warning": "warnings", "retirement": "retirements", "fault": "faults"}[a.kind]
        setattr(self, kind, getattr(self, kind) + 1)
        self.totals[kind] += 1
        self.monthly[kind][self.month(a.time_h)] += 1
        if len(self.alerts) < self.alerts_limit:
            self.alerts.append(a)
        else:
            self.alerts_dropped += 1

    def survey(self, now: float, healths: np.ndarray, quarantined: int, retired: int, spare_stock: int,
               on_order: int) -> None:
        n = len(healths)
        if n:
            stats = (float(healths.mean()), float(healths.min()), float(np.quantile(healths, 0.1)),
                     float(healths.max()))
        else:
            stats = (math.nan,) * 4
        self._rows.append((now, n, *stats, quarantined, retired, spare_stock, on_order,
                           self.totals["warnings"], self.totals["retirements"], self.totals["faults"]))

    _SURVEY_COLUMNS = ("time_h", "packs_in_service", "health_mean", "health_min", "health_p10", "health_max",
                       "quarantined", "retired", "spare_stock", "on_order", "warnings_total",
                       "retirement_alerts_total", "faults_total")

    def survey_columns(self) -> dict[str, np.ndarray]:
        """Health snapshots as columns: time (h), packs in service, their health (mean, min, 10th
        percentile, max), packs quarantined, retired so far, spare stock, on order, alerts so far."""
        data = np.asarray(self._rows, dtype=float).reshape(-1, len(self._SURVEY_COLUMNS))
        cols = {name: data[:, i] for i, name in enumerate(self._SURVEY_COLUMNS)}
        for name in ("packs_in_service", "quarantined", "retired", "spare_stock", "on_order", "warnings_total",
                     "retirement_alerts_total", "faults_total"):
            cols[name] = cols[name].astype(np.int64)
        return cols

    def reset(self, now: float) -> None:
        for tw in (self.busy, self.rostered, self.blocked, self.spares):
            tw.reset(now)
        self._zero_counts()

    def finalise(self, now: float) -> None:
        for tw in (self.busy, self.rostered, self.blocked, self.spares):
            tw.set(now, tw.value)
