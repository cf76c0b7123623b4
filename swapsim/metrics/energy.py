"""Concern: energy from the grid and plug-in charging. Grid energy per station (bay and dock charging),
rescues and off-duty parking; plug-in dock sessions and their waits. The ``energy`` and (plug-in
only) ``charging`` KPIs, and each station's ``grid_kwh``.

Grid energy is also binned by the hour of the day in which it is drawn (24 bins, for time-of-use
tariffs; :meth:`EnergyStats.grid_kwh_by_hour`): a session's energy is spread evenly over its charging
time (exact for the constant-current phase, where a pack takes most of its charge; the taper's
energy is spread at the session's mean rate). A rescue's energy is booked at its end.

Energies are Wh inside and kWh in the summary; waits in minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from swapsim.metrics.accumulators import Tally
from swapsim.metrics.sections import WaitStats
from swapsim.metrics.trace import Trace

__all__ = ["EnergyStats", "EnergyKPIs", "ChargingKPIs", "StationEnergyKPIs"]


@dataclass(frozen=True, slots=True)
class EnergyKPIs:
    """The ``energy`` section (kWh): total grid energy = stations + rescues + parking."""

    grid_kwh: float
    stations_kwh: float
    rescue_kwh: float
    parking_kwh: float


@dataclass(frozen=True, slots=True)
class ChargingKPIs:
    """The ``charging`` section (plug-in only): sessions (count), per robot per day, dock waits from
    arrival to docking (min), mean session length (min)."""

    sessions: int
    per_robot_per_day: float
    wait_min: WaitStats
    duration_min_mean: float


@dataclass(frozen=True, slots=True)
class StationEnergyKPIs:
    """A station's energy column in its ``stations`` row: grid energy for charging (kWh)."""

    grid_kwh: float


class EnergyStats:
    """Grid energy drawn since the reset, and the plug-in strategy's charging sessions.

    Args:
        n_robots: fleet size.
        n_stations: number of stations.
        arrived: when each robot last arrived at a station (h; shared with the swaps concern, where
            the dock wait starts).
        plug_in: the strategy is ``plug_in`` (the ``charging`` section is reported).
        wait_resolution_min: histogram resolution of dock waits (min).
        trace: the run's event trace.
    """

    def __init__(
        self,
        n_robots: int,
        n_stations: int,
        arrived: list[float],
        plug_in: bool,
        wait_resolution_min: float,
        trace: Trace,
    ) -> None:
        self.n_robots = n_robots
        self.station_wh = [0.0] * n_stations
        self.rescue_wh = 0.0
        self.parking_wh = 0.0
        self.arrived = arrived
        self.plug_in = plug_in
        self.charge_waits_min = Tally(resolution=wait_resolution_min, limit=24 * 60.0)
        self.charge_sessions = 0
        self.charge_hours = 0.0
        self.trace = trace
        self.tracing = trace.limit > 0
        self.hour_wh = [0.0] * 24
        """Grid energy (Wh) drawn in each hour of the day since the reset."""

    def _book(self, grid_wh: float, start: float, end: float) -> None:
        """Spread ``grid_wh`` evenly over [start, end] (h) into the hour-of-day bins."""
        hour_wh = self.hour_wh
        span = end - start
        if span <= 0.0 or grid_wh <= 0.0:
            hour_wh[int(end % 24.0) % 24] += grid_wh
            return
        rate = grid_wh / span
        t = start
        while t < end:
            k = int(t // 1.0)
            nxt = min(end, k + 1.0)
            hour_wh[k % 24] += rate * (nxt - t)
            t = nxt

    # -- hooks ---------------------------------------------------------------------------------------
    def charge_ended(self, station: int, grid_wh: float, now: float, started: float | None = None) -> None:
        """A bay's charging session at ``station`` ended, having drawn ``grid_wh`` from the grid since
        ``started`` (h; default: all of it now)."""
        self.station_wh[station] += grid_wh
        self._book(grid_wh, now if started is None else started, now)

    def rescue_charged(self, robot: int, grid_wh: float, now: float) -> None:
        """The rescue crew recharged a stranded robot's packs."""
        self.rescue_wh += grid_wh
        self._book(grid_wh, now, now)

    def parking_charged(self, robot: int, grid_wh: float, now: float, hours: float = 0.0) -> None:
        """An off-duty robot's packs were charged in its parking spot over the last ``hours``."""
        self.parking_wh += grid_wh
        self._book(grid_wh, now - hours, now)

    def charge_started(self, robot: int, station: int, now: float) -> None:
        """A plug-in robot docks (its wait since arriving at the station ends)."""
        self.charge_waits_min.observe((now - self.arrived[robot]) * 60.0)
        self.charge_sessions += 1
        if self.tracing:
            self.trace.add(now, "dock", robot, station)

    def robot_charged(self, robot: int, station: int, grid_wh: float, hours: float, now: float) -> None:
        """A plug-in robot undocks after ``hours`` of charging that drew ``grid_wh`` from the grid."""
        self.charge_hours += hours
        self.station_wh[station] += grid_wh
        self._book(grid_wh, now - hours, now)
        if self.tracing:
            self.trace.add(now, "undock", robot, station, {"grid_wh": grid_wh})

    # -- lifecycle -----------------------------------------------------------------------------------
    def reset(self, now: float) -> None:
        self.station_wh = [0.0] * len(self.station_wh)
        self.rescue_wh = 0.0
        self.parking_wh = 0.0
        self.charge_waits_min.reset()
        self.charge_sessions = 0
        self.charge_hours = 0.0
        self.hour_wh = [0.0] * 24

    # -- results -------------------------------------------------------------------------------------
    def summary(self) -> EnergyKPIs:
        """The ``energy`` section (kWh): total grid energy = stations + rescues + parking."""
        station_wh = sum(self.station_wh)
        return EnergyKPIs(
            grid_kwh=(station_wh + self.rescue_wh + self.parking_wh) / 1000.0,
            stations_kwh=station_wh / 1000.0,
            rescue_kwh=self.rescue_wh / 1000.0,
            parking_kwh=self.parking_wh / 1000.0,
        )

    def charging_summary(self, days: float) -> ChargingKPIs:
        """The ``charging`` section (plug-in): sessions, per robot per day, dock waits (min), mean duration."""
        cw = self.charge_waits_min
        return ChargingKPIs(
            sessions=self.charge_sessions,
            per_robot_per_day=self.charge_sessions / self.n_robots / days if days > 0 else 0.0,
            wait_min=WaitStats(mean=cw.mean, p95=cw.quantile(0.95), max=cw.maximum),
            duration_min_mean=60.0 * self.charge_hours / self.charge_sessions if self.charge_sessions else 0.0,
        )

    def grid_kwh_by_hour(self) -> list[float]:
        """Grid energy (kWh) drawn in each hour of the day (0-23) since the reset; sums to ``grid_kwh``."""
        return [wh / 1000.0 for wh in self.hour_wh]

    def station_columns(self, k: int) -> StationEnergyKPIs:
        """Station ``k``'s grid energy (kWh)."""
        return StationEnergyKPIs(grid_kwh=self.station_wh[k] / 1000.0)
