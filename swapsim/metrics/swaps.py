"""Concern: swaps and the stations' swap positions. Arrivals, waits (minutes), stock-outs, positions
busy, queues and green (charged) packs per station; the ``swaps`` KPIs and the stations' swap columns.

A robot's wait runs from :meth:`SwapStats.robot_arrived` to :meth:`SwapStats.swap_started`; the
plug-in strategy's dock wait starts at the same arrival (:class:`~swapsim.metrics.energy.EnergyStats`
reads :attr:`SwapStats.arrived`). Hours inside, waits reported in minutes.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np

from swapsim.metrics.accumulators import Tally, TimeWeighted
from swapsim.metrics.sections import WaitStats
from swapsim.metrics.trace import Trace

__all__ = ["SwapStats", "StationSwaps", "SwapKPIs", "StationSwapKPIs"]


@dataclass(frozen=True, slots=True)
class SwapKPIs:
    """The ``swaps`` section: count, per robot per day, per on-duty robot per day, stock-outs (count,
    and the share of swaps that found no green pack, 0..1), waits from arrival to start of swap (min)."""

    count: int
    per_robot_per_day: float
    per_on_duty_robot_per_day: float
    stockouts: int
    stockout_share: float
    wait_min: WaitStats


@dataclass(frozen=True, slots=True)
class StationSwapKPIs:
    """A station's swap columns, the first of its ``stations`` row (``name`` names the row; no KPI)."""

    name: str
    swaps: int
    swap_utilisation: float
    mean_queue_length: float
    max_queue_length: int
    max_busy_positions: int
    charged_packs_mean: float
    stockouts: int


@dataclass
class StationSwaps:
    """One station's swap statistics: positions busy, queue length, green packs (time-weighted)."""

    name: str
    positions: int
    busy: TimeWeighted
    queue: TimeWeighted
    green: TimeWeighted
    stockout_bins: array
    """Stock-outs per time bin (whole run, warm-up included)."""
    swaps: int = 0
    stockouts: int = 0


class SwapStats:
    """Swaps per station and per robot, and the wait from arrival to the start of the swap.

    Args:
        n_robots: fleet size.
        stations: (name, swap positions) per station, in scenario order.
        n_bins, width: time-series bins (count, width in hours).
        wait_resolution_min: histogram resolution of the waits (min).
        trace: the run's event trace.
    """

    def __init__(
        self,
        n_robots: int,
        stations: list[tuple[str, int]],
        n_bins: int,
        width: float,
        wait_resolution_min: float,
        trace: Trace,
    ) -> None:
        self.n_robots = n_robots
        self.stations = [
            StationSwaps(
                name,
                positions,
                busy=TimeWeighted(n_bins=n_bins, width=width),
                queue=TimeWeighted(n_bins=n_bins, width=width, extremes=True),
                green=TimeWeighted(n_bins=n_bins, width=width, extremes=True),
                stockout_bins=array("l", bytes(array("l").itemsize * n_bins)),
            )
            for name, positions in stations
        ]
        self.width = width
        self.last_bin = n_bins - 1
        self.waits_min = Tally(resolution=wait_resolution_min, limit=24 * 60.0)
        self.arrived = [0.0] * n_robots
        """When each robot last arrived at a station (h)."""
        self.per_robot = [0] * n_robots
        """Swaps per robot since the reset."""
        self.trace = trace
        self.tracing = trace.limit > 0

    # -- hooks ---------------------------------------------------------------------------------------
    def robot_arrived(self, robot: int, station: int, now: float) -> None:
        """Robot reaches a station and joins its queue."""
        self.arrived[robot] = now
        if self.tracing:
            self.trace.add(now, "arrive", robot, station)

    def swap_started(self, robot: int, station: int, now: float, stockout: bool) -> None:
        """The swap itself begins (position held, green pack taken). ``stockout``: it had to wait for one."""
        wait_min = (now - self.arrived[robot]) * 60.0
        self.waits_min.observe(wait_min)
        st = self.stations[station]
        st.swaps += 1
        self.per_robot[robot] += 1
        if stockout:
            st.stockouts += 1
            st.stockout_bins[min(int(self.arrived[robot] / self.width), self.last_bin)] += 1  # found none on arrival
        if self.tracing:
            self.trace.add(now, "swap_start", robot, station, {"wait_min": wait_min, "stockout": stockout})

    def swap_done(self, robot: int, station: int, now: float) -> None:
        """The swap is over; the robot leaves the position."""
        if self.tracing:
            self.trace.add(now, "swap_done", robot, station)

    def queue_changed(self, station: int, length: int, now: float) -> None:
        """Robots queueing at ``station`` (for a position, or a dock under plug-in charging)."""
        self.stations[station].queue.set(now, length)

    def busy_changed(self, station: int, busy: int, now: float) -> None:
        """Positions (or docks) in use at ``station``."""
        self.stations[station].busy.set(now, busy)

    def green_changed(self, station: int, count: int, now: float) -> None:
        """Packs ready to hand out (green) at ``station``."""
        self.stations[station].green.set(now, count)

    # -- lifecycle -----------------------------------------------------------------------------------
    def reset(self, now: float) -> None:
        self.per_robot = [0] * self.n_robots
        for st in self.stations:
            st.busy.reset(now)
            st.queue.reset(now)
            st.green.reset(now)
            st.swaps = 0
            st.stockouts = 0
        self.waits_min.reset()

    def finalise(self, now: float) -> None:
        for st in self.stations:
            for tw in (st.busy, st.queue, st.green):
                tw.set(now, tw.value)

    # -- results -------------------------------------------------------------------------------------
    def summary(self, days: float, on_duty_mean: float | None = None) -> SwapKPIs:
        """The ``swaps`` section: count, per robot per day, per on-duty robot per day (``on_duty_mean``:
        mean robots on duty), stock-outs (count, and share of swaps that found no green pack), waits (min)."""
        swaps = sum(st.swaps for st in self.stations)
        on_duty = self.n_robots if on_duty_mean is None else on_duty_mean
        stockouts = sum(st.stockouts for st in self.stations)
        return SwapKPIs(
            count=swaps,
            per_robot_per_day=swaps / self.n_robots / days if days > 0 else 0.0,
            per_on_duty_robot_per_day=swaps / on_duty / days if days > 0 and on_duty > 0 else 0.0,
            stockouts=stockouts,
            stockout_share=stockouts / swaps if swaps else 0.0,
            wait_min=WaitStats(
                mean=self.waits_min.mean,
                p95=self.waits_min.quantile(0.95),
                max=self.waits_min.maximum,
            ),
        )

    def station_columns(self, k: int, now: float) -> StationSwapKPIs:
        """Station ``k``'s swap KPIs (the first columns of its ``stations`` entry)."""
        st = self.stations[k]
        return StationSwapKPIs(
            name=st.name,
            swaps=st.swaps,
            swap_utilisation=st.busy.mean(now) / st.positions,
            mean_queue_length=st.queue.mean(now),
            max_queue_length=int(st.queue.peak),
            max_busy_positions=int(st.busy.peak),
            charged_packs_mean=st.green.mean(now),
            stockouts=st.stockouts,
        )

    def columns(self, widths: np.ndarray) -> dict[str, np.ndarray]:
        """Time series per station: positions busy, queue, green packs (means per bin)."""
        cols: dict[str, np.ndarray] = {}
        for st in self.stations:
            cols[f"{st.name}_busy"] = np.asarray(st.busy.bins) / widths
            cols[f"{st.name}_queue"] = np.asarray(st.queue.bins) / widths
            cols[f"{st.name}_green"] = np.asarray(st.green.bins) / widths
        return cols

    def extreme_columns(self) -> dict[str, np.ndarray]:
        """Time series per station: the smallest and largest queue and green packs held within each bin
        (``<station>_queue_min``, ``_queue_max``, ``_green_min``, ``_green_max``) and the stock-outs per bin
        (``<station>_stockouts``: swaps whose robot arrived in the bin and found no green pack)."""
        cols: dict[str, np.ndarray] = {}
        for st in self.stations:
            for key, tw in (("queue", st.queue), ("green", st.green)):
                lo, hi = tw.bin_min, tw.bin_max
                assert lo is not None and hi is not None, "station queues and green packs keep their extremes"
                cols[f"{st.name}_{key}_min"] = lo
                cols[f"{st.name}_{key}_max"] = hi
            cols[f"{st.name}_stockouts"] = np.asarray(st.stockout_bins, dtype=np.int64)
        return cols
