"""Concern: faults. Emergency stops, breakdowns, failed swap attempts, station outages and re-routes;
the ``faults`` KPIs, each station's outage columns and the stations' down time series. Hours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from swapsim.metrics.accumulators import TimeWeighted
from swapsim.metrics.trace import Trace

__all__ = ["FaultStats", "FaultKPIs", "StationFaultKPIs"]


@dataclass(frozen=True, slots=True)
class FaultKPIs:
    """The ``faults`` section: counts of each kind, robot-hours down, station hours down (all stations)."""

    estops: int
    breakdowns: int
    failed_swaps: int
    station_outages: int
    reroutes: int
    down_h: float
    station_down_h: float


@dataclass(frozen=True, slots=True)
class StationFaultKPIs:
    """A station's fault columns, the last of its ``stations`` row: outages (count), hours down."""

    outages: int
    outage_h: float


_COUNTS = ("estops", "breakdowns", "failed_swaps", "station_outages", "reroutes")


class FaultStats:
    """Fault counts since the reset, and each station's outages (count, and down time per bin).

    Args:
        station_names: station names in scenario order.
        n_bins, width: time-series bins (count, width in hours).
        trace: the run's event trace.
    """

    def __init__(self, station_names: list[str], n_bins: int, width: float, trace: Trace) -> None:
        self.station_names = station_names
        self.counts = dict.fromkeys(_COUNTS, 0)
        self.station_down = [TimeWeighted(n_bins=n_bins, width=width) for _ in station_names]
        self.station_outages = [0] * len(station_names)
        self.trace = trace
        self.tracing = trace.limit > 0

    # -- hooks ---------------------------------------------------------------------------------------
    def robot_fault(self, robot: int, kind: str, duration_h: float, now: float) -> None:
        """A fault (``estop`` or ``breakdown``) halts a robot for ``duration_h``."""
        self.counts[kind + "s"] += 1
        if self.tracing:
            self.trace.add(now, kind, robot, None, {"duration_h": duration_h})

    def swap_failed(self, robot: int, station: int, now: float) -> None:
        """A swap attempt failed; the robot retries."""
        self.counts["failed_swaps"] += 1
        if self.tracing:
            self.trace.add(now, "swap_failed", robot, station)

    def station_outage(self, station: int, now: float) -> None:
        """``station`` goes down."""
        self.counts["station_outages"] += 1
        self.station_outages[station] += 1
        self.station_down[station].set(now, 1)
        if self.tracing:
            self.trace.add(now, "station_down", None, station)

    def station_restored(self, station: int, now: float) -> None:
        """``station`` is repaired."""
        self.station_down[station].set(now, 0)
        if self.tracing:
            self.trace.add(now, "station_up", None, station)

    def robot_rerouted(self, robot: int, station: int, now: float) -> None:
        """A robot leaves a station that went down, for another one."""
        self.counts["reroutes"] += 1
        if self.tracing:
            self.trace.add(now, "reroute", robot, station)

    # -- lifecycle -----------------------------------------------------------------------------------
    def reset(self, now: float) -> None:
        for tw in self.station_down:
            tw.reset(now)
        self.counts = dict.fromkeys(self.counts, 0)
        self.station_outages = [0] * len(self.station_outages)

    def finalise(self, now: float) -> None:
        for tw in self.station_down:
            tw.set(now, tw.value)

    # -- results -------------------------------------------------------------------------------------
    def summary(self, down_h: float, now: float) -> FaultKPIs:
        """The ``faults`` section: counts, robot-hours ``down`` (from the robot states), station down hours."""
        return FaultKPIs(
            **self.counts,
            down_h=down_h,
            station_down_h=sum(tw.integral(now) for tw in self.station_down),
        )

    def station_columns(self, k: int, now: float) -> StationFaultKPIs:
        """Station ``k``'s outages (count) and hours down."""
        return StationFaultKPIs(outages=self.station_outages[k], outage_h=self.station_down[k].integral(now))

    def columns(self, widths: np.ndarray) -> dict[str, np.ndarray]:
        """Time series: share of each bin each station was down."""
        return {
            f"{name}_down": np.asarray(down.bins) / widths for name, down in zip(self.station_names, self.station_down)
        }
