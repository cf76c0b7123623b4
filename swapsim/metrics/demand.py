"""Concern: the work asked of the fleet. Task demand (arrivals, waits in minutes, backlog) and the shift
calendar's roster; the ``tasks`` KPIs (task scenarios only) and their time series. Hours inside.

Tasks are counted by *cohort*: ``arrived`` counts the tasks that arrived in the measured window (after
the warm-up's reset), ``done`` those of them that were finished by the horizon, and ``served_share`` is
``done / arrived``. A task that arrived during the warm-up and is finished after it counts in neither
(``done_from_warmup`` says how many there were), so ``done <= arrived`` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from swapsim.metrics.accumulators import Tally, TimeWeighted
from swapsim.metrics.sections import WaitStats
from swapsim.metrics.trace import Trace

__all__ = ["DemandStats", "TaskKPIs"]


@dataclass(frozen=True, slots=True)
class TaskKPIs:
    """The ``tasks`` section (task scenarios): the measured window's cohort (arrived, done of those,
    the share served 0..1), tasks done from the warm-up, done per day, waits from arrival to a robot
    setting off (min), the backlog (mean, and tasks waiting and in progress at the horizon)."""

    arrived: int
    done: int
    served_share: float
    done_from_warmup: int
    per_day: float
    wait_min: WaitStats
    waiting_mean: float
    waiting_at_horizon: int
    in_progress_at_horizon: int


class DemandStats:
    """Tasks arrived, started and done since the reset, the task backlog, and robots rostered on duty.

    Args:
        n_robots: fleet size (the roster before the shift calendar speaks).
        tasks: the scenario has task demand (the ``tasks`` section and series are reported).
        n_bins, width: time-series bins (count, width in hours).
        wait_resolution_min: histogram resolution of task waits (min).
        trace: the run's event trace.
    """

    def __init__(
        self, n_robots: int, tasks: bool, n_bins: int, width: float, wait_resolution_min: float, trace: Trace
    ) -> None:
        self.tasks_used = tasks
        self.task_waits_min = Tally(resolution=wait_resolution_min, limit=7 * 24 * 60.0)
        self.tasks_arrived = 0
        self.tasks_done = 0
        self.done_from_warmup = 0
        self.window_start_h = 0.0
        self.tasks_waiting = TimeWeighted(n_bins=n_bins, width=width)
        self.tasks_in_progress = TimeWeighted(n_bins=n_bins, width=width)
        self.roster = TimeWeighted(value=float(n_robots), n_bins=n_bins, width=width)
        self.trace = trace
        self.tracing = trace.limit > 0

    # -- hooks ---------------------------------------------------------------------------------------
    def task_arrived(self, task: int, now: float) -> None:
        """A task joins the queue."""
        self.tasks_arrived += 1
        self.tasks_waiting.add(now, 1)
        if self.tracing:
            self.trace.add(now, "task_arrive", None, None, task)

    def task_started(self, task: int, robot: int, arrived_h: float, now: float) -> None:
        """A robot sets off to do the task (after any swap it needed first); its wait ends."""
        self.task_waits_min.observe((now - arrived_h) * 60.0)
        self.tasks_waiting.add(now, -1)
        self.tasks_in_progress.add(now, 1)
        if self.tracing:
            self.trace.add(now, "task_start", robot, None, task)

    def task_done(self, task: int, robot: int, arrived_h: float, now: float) -> None:
        """The robot finished the task, which arrived at ``arrived_h`` (h); counted as done only if it
        arrived in the measured window."""
        if arrived_h >= self.window_start_h:
            self.tasks_done += 1
        else:
            self.done_from_warmup += 1
        self.tasks_in_progress.add(now, -1)
        if self.tracing:
            self.trace.add(now, "task_done", robot, None, task)

    def roster_changed(self, robots: int, now: float) -> None:
        """The shift calendar now wants ``robots`` robots on duty."""
        self.roster.set(now, robots)

    # -- lifecycle -----------------------------------------------------------------------------------
    def reset(self, now: float) -> None:
        self.task_waits_min.reset()
        self.tasks_arrived = 0
        self.tasks_done = 0
        self.done_from_warmup = 0
        self.window_start_h = now
        for tw in (self.tasks_waiting, self.tasks_in_progress, self.roster):
            tw.reset(now)

    def finalise(self, now: float) -> None:
        for tw in (self.tasks_waiting, self.tasks_in_progress, self.roster):
            tw.set(now, tw.value)

    # -- results -------------------------------------------------------------------------------------
    def summary(self, days: float, now: float) -> TaskKPIs:
        """The ``tasks`` section: arrived, done (of those arrived), the share served, per day, waits (min),
        backlog (mean and at the horizon)."""
        tw = self.task_waits_min
        return TaskKPIs(
            arrived=self.tasks_arrived,
            done=self.tasks_done,
            served_share=self.tasks_done / self.tasks_arrived if self.tasks_arrived else 1.0,
            done_from_warmup=self.done_from_warmup,
            per_day=self.tasks_done / days if days > 0 else 0.0,
            wait_min=WaitStats(mean=tw.mean, p95=tw.quantile(0.95), max=tw.maximum),
            waiting_mean=self.tasks_waiting.mean(now),
            waiting_at_horizon=int(self.tasks_waiting.value),
            in_progress_at_horizon=int(self.tasks_in_progress.value),
        )

    def roster_columns(self, widths: np.ndarray) -> dict[str, np.ndarray]:
        """Time series: robots rostered on duty (mean per bin)."""
        return {"rostered_robots": np.asarray(self.roster.bins) / widths}

    def task_columns(self, widths: np.ndarray) -> dict[str, np.ndarray]:
        """Time series (task scenarios): tasks waiting and in progress (means per bin)."""
        if not self.tasks_used:
            return {}
        return {
            "tasks_waiting": np.asarray(self.tasks_waiting.bins) / widths,
            "tasks_in_progress": np.asarray(self.tasks_in_progress.bins) / widths,
        }
