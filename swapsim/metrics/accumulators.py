"""Bounded accumulators: time-weighted values, per-state robot-hours, and tallies with quantiles.

Everything kept is bounded whatever the horizon:

* :class:`TimeWeighted` integrates a piecewise-constant quantity (robots in a state, a station's
  queue) since the last reset, and, optionally, into fixed-width time bins that cover the whole run
  (warm-up included) for the time-series output, with each bin's minimum and maximum when asked;
* :class:`FleetStates` folds robot state intervals into per-robot hours and per-state time bins;
* :class:`Tally` keeps count, sum, min and max of observations, plus a fixed-resolution histogram for
  quantiles (resolution stated on the class).

Times are hours.
"""

from __future__ import annotations

import math
from array import array

import numpy as np

from swapsim.metrics.glossary import ROBOT_STATES

__all__ = ["TimeWeighted", "FleetStates", "Tally", "LOG_ROWS"]

LOG_ROWS = 16_384
"""Rows a log gathers before it is folded into its tallies (bounds the log's memory)."""


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

    With ``extremes=True`` (and bins), :attr:`bin_min` and :attr:`bin_max` give the smallest and
    largest value held for a positive time within each bin (a value replaced at the instant it was
    set does not count). A change then costs two more comparisons; the running extremes of the open
    bin are stored when its edge is passed, so memory stays two doubles per bin.
    """

    __slots__ = (
        "value",
        "t_last",
        "total",
        "total_reset",
        "t0",
        "peak",
        "width",
        "_cum",
        "_k",
        "_edge",
        "_lo",
        "_hi",
        "_mins",
        "_maxs",
    )

    def __init__(
        self, value: float = 0.0, t0: float = 0.0, n_bins: int = 0, width: float = 1.0, extremes: bool = False
    ) -> None:
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
        keep = bool(n_bins and extremes)
        self._mins: array | None = array("d", [math.nan]) * n_bins if keep else None
        self._maxs: array | None = array("d", [math.nan]) * n_bins if keep else None
        """Per-bin extremes of the bins closed so far (NaN: not reached)."""
        self._lo = math.inf
        self._hi = -math.inf
        """Extremes of the open bin so far (values held for a positive time)."""

    def set(self, now: float, value: float) -> None:
        """The value changes to ``value`` at time ``now``."""
        t_last = self.t_last
        if now > t_last:
            if self._mins is not None:
                v = self.value
                if v < self._lo:
                    self._lo = v
                if v > self._hi:
                    self._hi = v
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
        assert cum is not None, "a finite next edge means bins"
        n = len(cum)
        w = self.width
        v, t_last, total = self.value, self.t_last, self.total
        k, edge = self._k, self._edge
        mins, maxs = self._mins, self._maxs
        while edge < now:
            cum[k] = total + v * (edge - t_last)
            if mins is not None and maxs is not None:  # kept together
                mins[k - 1], maxs[k - 1] = self._lo, self._hi
                self._lo = self._hi = v  # held on into the next bin
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
        starts[self._k :] = self.total  # edges not reached yet
        return np.append(starts[1:], self.total) - starts

    def _extremes(self, stored: array | None, running: float) -> np.ndarray | None:
        if stored is None:
            return None
        out = np.asarray(stored, dtype=float)
        k = self._k - 1  # the open bin (the last one once every edge is passed)
        if 0 <= k < len(out) and math.isfinite(running):
            out[k] = running
        return out

    @property
    def bin_min(self) -> np.ndarray | None:
        """Smallest value held within each bin (NaN for bins not reached), or None without extremes."""
        return self._extremes(self._mins, self._lo)

    @property
    def bin_max(self) -> np.ndarray | None:
        """Largest value held within each bin (NaN for bins not reached), or None without extremes."""
        return self._extremes(self._maxs, self._hi)

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
        self._hours += np.bincount(
            robot * n_states + state, weights=t1 - np.maximum(t0, self.t_reset), minlength=self._hours.size
        )
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
        whole = self._whole[k * (n + 1) : (k + 1) * (n + 1) - 1]
        return self._partial[k * n : (k + 1) * n] + self.width * np.cumsum(whole)


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
