"""Concern: where robot time goes. Robot state intervals, strandings, the ``fleet`` KPIs and the
per-robot table.

The model reports each change of state (:meth:`RobotStates.robot_state`, the hottest hook: one per
activity step); intervals are logged flat and folded with NumPy (:class:`FleetStates`). Hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from swapsim.metrics.accumulators import LOG_ROWS, FleetStates
from swapsim.metrics.glossary import ON_DUTY_STATES, ROBOT_STATES, STATE_INDEX
from swapsim.metrics.trace import Trace

__all__ = ["RobotStates", "FleetKPIs", "StateFractions"]


@dataclass(frozen=True, slots=True)
class StateFractions:
    """Share of on-duty robot time in each on-duty state (fractions 0..1; the glossary's states)."""

    working: float
    idle: float
    travelling: float
    queueing: float
    swapping: float
    stranded: float
    charging: float
    down: float


@dataclass(frozen=True, slots=True)
class FleetKPIs:
    """The ``fleet`` section: utilisation and state shares (of on-duty time), strandings (count),
    off-duty share of all robot time, mean robots on duty."""

    robots: int
    utilisation: float
    state_fraction: StateFractions
    strandings: int
    off_duty_fraction: float
    on_duty_mean: float


class RobotStates:
    """Each robot's current state and the hours every robot spent in each state.

    Args:
        n_robots: fleet size.
        n_bins, width: time-series bins (count, width in hours).
        trace: the run's event trace.
    """

    def __init__(self, n_robots: int, n_bins: int, width: float, trace: Trace) -> None:
        self.n_robots = n_robots
        self.fleet_states = FleetStates(n_robots, n_bins, width)
        self.state = ["working"] * n_robots
        """Each robot's state now."""
        self.entered = [0.0] * n_robots
        """When each robot entered its state (h)."""
        self.strandings = [0] * n_robots
        self.trace = trace
        self.tracing = trace.limit > 0

    # -- hooks ---------------------------------------------------------------------------------------
    def robot_state(self, robot: int, state: str, now: float) -> None:
        """Robot ``robot`` enters ``state`` at ``now``."""
        old = self.state[robot]
        if old == state:
            return
        log = self.fleet_states.log
        log.extend((robot, STATE_INDEX[old], self.entered[robot], now))
        if len(log) >= 4 * LOG_ROWS:
            self.fleet_states.fold()
        self.entered[robot] = now
        self.state[robot] = state
        if self.tracing:
            self.trace.add(now, "state", robot, None, state)

    def robot_states(self, robot: int, changes: list[tuple[str, float]]) -> None:
        """Robot ``robot`` enters each ``(state, time)`` of ``changes`` in turn (times not decreasing; each
        state differs from the one before): :meth:`robot_state` for a run of changes, e.g. the legs of
        a quiet stretch (:mod:`swapsim.model.robot.quiet`)."""
        if self.tracing:
            for state, now in changes:
                self.robot_state(robot, state, now)
            return
        log = self.fleet_states.log
        old, entered = self.state[robot], self.entered[robot]
        for state, now in changes:
            log.extend((robot, STATE_INDEX[old], entered, now))
            if len(log) >= 4 * LOG_ROWS:
                self.fleet_states.fold()
            old, entered = state, now
        self.entered[robot] = entered
        self.state[robot] = old

    def robot_stranded(self, robot: int, now: float) -> None:
        """Both packs of ``robot`` ran empty (it waits for the rescue crew)."""
        self.strandings[robot] += 1
        if self.tracing:
            self.trace.add(now, "stranded", robot)

    # -- lifecycle -----------------------------------------------------------------------------------
    def reset(self, now: float) -> None:
        self.fleet_states.reset(now)
        self.strandings = [0] * self.n_robots

    def finalise(self, now: float) -> None:
        """Close every robot's open interval at ``now``."""
        log = self.fleet_states.log
        entered = self.entered
        for i, state in enumerate(self.state):
            log.extend((i, STATE_INDEX[state], entered[i], now))
            entered[i] = now
        self.fleet_states.fold()

    # -- results -------------------------------------------------------------------------------------
    def fleet_time(self) -> dict[str, float]:
        """Robot-hours in each state since the reset, summed over the fleet."""
        return dict(zip(ROBOT_STATES, self.fleet_states.hours().sum(axis=0).tolist()))

    def summary(self, span_h: float) -> FleetKPIs:
        """The ``fleet`` section: utilisation (working share of on-duty time), state shares of on-duty
        time, strandings, off-duty share of all time, mean robots on duty (over ``span_h`` hours)."""
        fleet_time = self.fleet_time()
        total = sum(fleet_time.values())
        on_duty = total - fleet_time["off_duty"]
        fractions = {s: (fleet_time[s] / on_duty if on_duty > 0 else 0.0) for s in ON_DUTY_STATES}
        return FleetKPIs(
            robots=self.n_robots,
            utilisation=fleet_time["working"] / on_duty if on_duty > 0 else 0.0,
            state_fraction=StateFractions(**fractions),
            strandings=sum(self.strandings),
            off_duty_fraction=fleet_time["off_duty"] / total if total > 0 else 0.0,
            on_duty_mean=on_duty / span_h if span_h > 0 else 0.0,
        )

    def robot_hours(self, robot: int) -> dict[str, float]:
        """Hours robot ``robot`` spent in each state since the reset (closed intervals)."""
        return dict(zip(ROBOT_STATES, self.fleet_states.hours()[robot].tolist()))

    def robot_row(self, robot: int) -> dict[str, Any]:
        """Hours and fractions in each state (fractions of on-duty time; off duty of all time), strandings."""
        time_h = self.robot_hours(robot)
        total = sum(time_h.values())
        on_duty = total - time_h["off_duty"]
        row: dict[str, Any] = {"robot": robot}
        for s in ROBOT_STATES:
            row[f"{s}_h"] = time_h[s]
        for s in ON_DUTY_STATES:
            row[f"{s}_fraction"] = time_h[s] / on_duty if on_duty > 0 else 0.0
        row["off_duty_fraction"] = time_h["off_duty"] / total if total > 0 else 0.0
        row["utilisation"] = row["working_fraction"]
        return row

    def columns(self, widths: np.ndarray) -> dict[str, np.ndarray]:
        """Time series: mean robots in each state per bin."""
        return {f"robots_{s}": self.fleet_states.bins(s) / widths for s in ROBOT_STATES}

    def bins(self, state: str) -> np.ndarray:
        """Robot-hours in ``state`` per time bin (whole run)."""
        return self.fleet_states.bins(state)
