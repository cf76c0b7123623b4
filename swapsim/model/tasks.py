"""Task demand: when tasks arrive and what each asks for (:class:`TaskSource`).

Tasks arrive by a non-homogeneous Poisson process whose rate is piecewise constant over a repeating
period (24 h by default): :class:`RateProfile`. Arrival times are drawn by inverting the cumulative
rate (one exponential draw per task, from the ``("task_arrivals",)`` stream), which is exact for
piecewise-constant rates. A task (:class:`Task`) is a work order: a location on the floor (uniform on
the rectangle, ``("task_location",)``) and a sequence of activities whose durations are drawn when the
task arrives (``("task_steps",)``), so every strategy or policy run with the same seed sees the very
same tasks. The dispatcher that gives tasks to robots is :class:`~swapsim.model.workload.TaskBoard`.

Times in hours, energies in Wh, powers in W, distances in m.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from operator import mul
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from swapsim.streams import BLOCK, BlockDraws, Streams

if TYPE_CHECKING:
    from swapsim.scenario import ArrivalSpec, Scenario

__all__ = ["RateProfile", "Task", "TaskSource", "TaskStep"]


def _locations(rng: np.random.Generator, width_m: float, depth_m: float) -> Callable[[], tuple[float, float]]:
    """A function returning successive task locations, uniform on the floor: the same numbers as
    ``(uniform(rng, 0.0, width_m), uniform(rng, 0.0, depth_m))`` per call, drawn ``BLOCK`` tasks at a
    time (for a stream that feeds the locations alone; numpy computes ``low + (high - low) * u`` with
    the same operations as :func:`swapsim.streams.uniform`)."""

    def blocks() -> Iterator[Iterator[tuple[float, float]]]:
        low = 0.0
        while True:
            u = rng.random(2 * BLOCK)
            xs = low + (width_m - low) * u[0::2]
            ys = low + (depth_m - low) * u[1::2]
            yield zip(xs.tolist(), ys.tolist())

    return itertools.chain.from_iterable(blocks()).__next__


class RateProfile:
    """A periodic piecewise-constant rate and the inverse of its integral.

    Args:
        starts_h: segment start times within the period, ascending, the first 0.
        rates_per_h: rate in each segment (>= 0, at least one > 0).
        period_h: length of the period.
    """

    def __init__(self, starts_h: Sequence[float], rates_per_h: Sequence[float], period_h: float) -> None:
        if len(starts_h) != len(rates_per_h) or not starts_h or starts_h[0] != 0.0:
            raise ValueError("need matching starts and rates, the first start at 0")
        self.period = float(period_h)
        self.starts = [float(x) for x in starts_h]
        self.rates = [float(r) for r in rates_per_h]
        self.ends = self.starts[1:] + [self.period]
        self.per_period = sum(r * (e - s) for s, e, r in zip(self.starts, self.ends, self.rates))
        if self.per_period <= 0:
            raise ValueError("the rate must be positive somewhere")

    @classmethod
    def from_spec(cls, spec: "ArrivalSpec") -> "RateProfile":
        return cls(
            [seg.start for seg in spec.profile], [seg.rate_per_h * spec.scale for seg in spec.profile], spec.period
        )

    def rate(self, t: float) -> float:
        """Rate at time ``t`` (per hour)."""
        k = bisect.bisect_right(self.starts, t % self.period) - 1
        return self.rates[k]

    def cumulative(self, t: float) -> float:
        """Expected arrivals in [0, t)."""
        n, phase = divmod(t, self.period)
        total = n * self.per_period
        for s, e, r in zip(self.starts, self.ends, self.rates):
            if phase <= s:
                break
            total += r * (min(phase, e) - s)
        return total

    def advance(self, t: float, mass: float) -> float:
        """The time ``t' >= t`` at which ``mass`` expected arrivals have accumulated since ``t``.

        With ``mass`` drawn from Exp(1) this is the next arrival of the Poisson process after ``t``.
        """
        n, phase = divmod(t, self.period)
        base = n * self.period
        whole = math.floor(mass / self.per_period) if mass > self.per_period else 0
        if whole:  # skip whole periods at once (long gaps at low rates)
            mass -= whole * self.per_period
            base += whole * self.period
        k = bisect.bisect_right(self.starts, phase) - 1
        while True:
            end = self.ends[k]
            room = self.rates[k] * (end - phase)
            if room >= mass and self.rates[k] > 0:
                return base + phase + mass / self.rates[k]
            mass -= room
            k += 1
            if k == len(self.starts):
                k = 0
                base += self.period
            phase = self.starts[k]


class TaskStep(NamedTuple):
    """One activity of a task, its duration fixed when the task arrives.

    A named tuple (immutable, and cheap to build: every task builds one per step)."""

    activity: str
    state: str
    power_w: float
    duration_h: float


@dataclass(slots=True, eq=False)
class Task:
    """A work order. Mutable only in ``robot`` (who does it) and ``swap_first``."""

    id: int
    arrived_h: float
    location: tuple[float, float]
    steps: tuple[TaskStep, ...]
    energy_wh: float
    """Energy of the steps (the walk to the task not included)."""
    robot: int | None = None
    swap_first: bool = False

    def assign(self, robot: int, swap_first: bool) -> None:
        """The task goes to robot ``robot``, which swaps first if ``swap_first`` (it cannot do the task
        on its packs)."""
        self.robot = robot
        self.swap_first = swap_first


class TaskSource:
    """The tasks of a scenario's ``workload.tasks``: when the next arrives and what it asks for.

    Per task it does little Python work: what a task type has in common (each step's activity, state,
    power and sampler) is looked up once here; the streams that feed one distribution alone (arrivals,
    locations) are drawn in blocks.

    Args:
        scenario: the validated scenario (its ``workload.tasks`` and activity powers are used).
        streams: source of the ``task_arrivals``, ``task_location`` and ``task_steps`` streams.
    """

    def __init__(self, scenario: "Scenario", streams: Streams) -> None:
        spec = scenario.workload.tasks
        assert spec is not None
        self.profile = RateProfile.from_spec(spec.arrivals)
        arrival_rng = streams.get("task_arrivals")
        self.steps_rng = streams.get("task_steps")
        # Each stream below feeds one thing only, so it may be drawn ahead in blocks: the same numbers.
        self._next_mass = BlockDraws(lambda n: arrival_rng.exponential(1.0, n)).next
        self._next_location = _locations(streams.get("task_location"), spec.floor.width, spec.floor.depth)
        powers = scenario.power.activities
        step_specs = [
            (st.activity, "idle" if st.activity == "idle" else "working", powers[st.activity], st.duration)
            for st in spec.steps
        ]
        self._activities = [a for a, _, _, _ in step_specs]
        self._states = [state for _, state, _, _ in step_specs]
        self._powers = [p for _, _, p, _ in step_specs]
        self._samplers = [d.sample for _, _, _, d in step_specs]
        self.next_id = 0

    def next_arrival_h(self, now: float) -> float:
        """When the next task arrives (h), the last having arrived at ``now``."""
        return self.profile.advance(now, self._next_mass())

    def make_task(self, now: float) -> Task:
        """A new task arriving at ``now``: its location and step durations drawn from their own streams."""
        rng = self.steps_rng
        durations = [sample(rng) for sample in self._samplers]
        powers = self._powers
        steps = tuple(map(TaskStep, self._activities, self._states, powers, durations))
        # the steps' energy: the same products, summed in the same order, as over the steps themselves
        task = Task(self.next_id, now, self._next_location(), steps, sum(map(mul, powers, durations)))
        self.next_id += 1
        return task
