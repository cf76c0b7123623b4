"""What robots are asked to do: task demand with a daily profile, the dispatcher, and the shift calendar.

Besides the continuous activity cycle (``workload.cycle``, run by :meth:`Robot.operate`), a scenario
may give **task demand** (``workload.tasks``):

* Tasks arrive by a non-homogeneous Poisson process whose rate is piecewise constant over a repeating
  period (24 h by default): :class:`RateProfile`. Arrival times are drawn by inverting the cumulative
  rate (one exponential draw per task, from the ``("task_arrivals",)`` stream), which is exact for
  piecewise-constant rates.
* A task is a work order: a location on the floor (uniform on the rectangle, ``("task_location",)``)
  and a sequence of activities whose durations are drawn when the task arrives (``("task_steps",)``),
  so every strategy or policy run with the same seed sees the very same tasks.
* The :class:`TaskBoard` queues tasks in arrival order and gives the oldest one to an idle robot
  (``fifo``: the robot idle longest; ``nearest``: the shortest rectilinear walk to the task), preferring
  robots that can do it on their packs (:func:`swapsim.model.policies.can_do_task`); if no idle robot can,
  the chosen one swaps (or charges) first. Exact ties are broken with the ``("dispatch",)`` stream.
  A robot's position is where its last task was; stations are ``distance`` away from anywhere on the floor.

The **shift calendar** (:class:`DutyCalendar`, :class:`ShiftManager`) says how many robots are on
duty at each time of day. When the count drops, idle robots go off duty first, then the robots with the
least energy (after their current task or activity step); when it rises, parked robots with the most
energy come back first. An off-duty robot replenishes its packs and parks (see :meth:`Robot.go_off_duty`).

Times in hours, energies in Wh, powers in W, distances in m.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import attrgetter, mul
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import simpy

from swapsim.model.policies import DISPATCH_RULES, best_robots, can_do_task, swap_early
from swapsim.model.robot_energy import EnergyRobot
from swapsim.streams import BLOCK, BlockDraws

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.roles import Worker
    from swapsim.model.station import Station
    from swapsim.scenario import ArrivalSpec, Scenario, ShiftSpec

__all__ = [
    "RateProfile",
    "DutyCalendar",
    "TaskStep",
    "Task",
    "TaskBoard",
    "ShiftManager",
    "manhattan_m",
    "manhattan_from_m",
]

Proc = Generator[simpy.Event, Any, Any]


def manhattan_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Rectilinear (aisle) walking distance between two floor points (m)."""
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def manhattan_from_m(points: Iterable[tuple[float, float]], b: tuple[float, float]) -> list[float]:
    """:func:`manhattan_m` from each of ``points`` to ``b`` (m), the same numbers, in one call (the
    dispatcher measures every idle robot's walk to a task)."""
    bx, by = b
    return [abs(x - bx) + abs(y - by) for x, y in points]


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


def _always(i: int) -> bool:
    """Every robot can do every task (dispatch that is not energy-aware)."""
    return True


_POSITION = attrgetter("position")

_ENERGY_BUDGET = EnergyRobot.swap_budget_wh
"""The base robot's swap budget: all of its energy unless it goes at once (see :meth:`TaskBoard.feasible`)."""


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


class DutyCalendar:
    """A periodic piecewise-constant count of on-duty robots.

    Args:
        starts_h: segment start times within the period, ascending, the first 0.
        robots: robots on duty in each segment.
        period_h: length of the period.
    """

    def __init__(self, starts_h: Sequence[float], robots: Sequence[int], period_h: float) -> None:
        self.starts = [float(x) for x in starts_h]
        self.robots = [int(n) for n in robots]
        self.period = float(period_h)

    @classmethod
    def from_spec(cls, spec: "ShiftSpec", fleet_robots: int) -> "DutyCalendar":
        """The calendar of ``spec`` for a fleet of ``fleet_robots`` (shares of the fleet resolved)."""
        return cls(
            [seg.start for seg in spec.calendar], [seg.count(fleet_robots) for seg in spec.calendar], spec.period
        )

    def target(self, t: float) -> int:
        """Robots wanted on duty at time ``t``."""
        return self.robots[bisect.bisect_right(self.starts, t % self.period) - 1]

    def next_change(self, t: float) -> float:
        """The first segment boundary strictly after ``t``."""
        n, phase = divmod(t, self.period)
        k = bisect.bisect_right(self.starts, phase)
        if k < len(self.starts):
            return n * self.period + self.starts[k]
        return (n + 1) * self.period


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


class TaskBoard:
    """Task arrivals, the queue of waiting tasks and the dispatcher.

    Robots offer themselves with :meth:`offer` when idle and get an event that fires with a
    :class:`Task`, or with the string ``"swap"`` (opportunistic swap) or ``"duty"`` (go off duty).

    Per task the board does little Python work: what a task type has in common (each step's activity,
    state, power and sampler) is looked up once here; the streams that feed one distribution alone
    (arrivals, locations) are drawn in blocks; each robot's energy is asked once per dispatch.

    Args:
        env: the simulation environment.
        scenario: the validated scenario (its ``workload.tasks`` is used).
        streams: source of the ``task_arrivals``, ``task_location``, ``task_steps`` and ``dispatch`` streams.
        recorder: receives task events.
        stations: all stations (for the walk to the nearest open one and opportunistic swaps).
    """

    def __init__(
        self, env: simpy.Environment, scenario: "Scenario", streams, recorder: "Recorder", stations: Sequence["Station"]
    ) -> None:
        spec = scenario.workload.tasks
        assert spec is not None
        self.env = env
        self.spec = spec
        self.recorder = recorder
        self.stations = stations
        self._by_walk = sorted(stations, key=lambda s: s.travel_h)
        """Stations by walk, nearest first (the first open one is the nearest open one)."""
        self.profile = RateProfile.from_spec(spec.arrivals)
        self.arrival_rng = streams.get("task_arrivals")
        self.location_rng = streams.get("task_location")
        self.steps_rng = streams.get("task_steps")
        self.tie_rng = streams.get("dispatch")
        # Each stream below feeds one thing only, so it may be drawn ahead in blocks: the same numbers.
        self._next_mass = BlockDraws(lambda n: self.arrival_rng.exponential(1.0, n)).next
        self._next_location = _locations(self.location_rng, spec.floor.width, spec.floor.depth)
        powers = scenario.power.activities
        self.step_specs = [
            (st.activity, "idle" if st.activity == "idle" else "working", powers[st.activity], st.duration)
            for st in spec.steps
        ]
        self._activities = [a for a, _, _, _ in self.step_specs]
        self._states = [state for _, state, _, _ in self.step_specs]
        self._powers = [p for _, _, p, _ in self.step_specs]
        self._samplers = [d.sample for _, _, _, d in self.step_specs]
        self.approach_w = powers[spec.approach_activity]
        self.speed_mps = scenario.travel.walking_speed
        self.walk_w = powers["walk"]
        self.reserve_frac = spec.reserve
        self.energy_aware = spec.energy_aware
        self.rule = DISPATCH_RULES[spec.dispatch]
        self.opportunistic_below = scenario.policy.opportunistic_below
        self.queue: deque[Task] = deque()
        self.idle: dict["Worker", tuple[float, simpy.Event]] = {}
        """Idle robots, in the order they offered themselves: (since when (h), the event that calls them)."""
        self.next_id = 0
        if self.opportunistic_below is not None:
            for st in stations:
                st.freed_listeners.append(self._station_freed)

    # -- arrivals ----------------------------------------------------------------------------------
    def make_task(self) -> Task:
        """A new task arriving now: its location and step durations drawn from their own streams."""
        rng = self.steps_rng
        durations = [sample(rng) for sample in self._samplers]
        powers = self._powers
        steps = tuple(map(TaskStep, self._activities, self._states, powers, durations))
        # the steps' energy: the same products, summed in the same order, as over the steps themselves
        task = Task(self.next_id, self.env.now, self._next_location(), steps, sum(map(mul, powers, durations)))
        self.next_id += 1
        return task

    def generate(self) -> Proc:
        """Create tasks forever at the profile's rate; each joins the queue and is dispatched at once if it can."""
        env = self.env
        advance = self.profile.advance
        next_mass = self._next_mass
        while True:
            t_next = advance(env.now, next_mass())
            yield env.timeout(t_next - env.now)
            task = self.make_task()
            self.queue.append(task)
            self.recorder.task_arrived(task.id, env.now)
            if self.idle:
                self.dispatch()

    # -- robots ------------------------------------------------------------------------------------
    def offer(self, robot: "Worker") -> simpy.Event | Task:
        """``robot`` is idle and on duty; returns the event that will call it, or the task it gets at once.

        Tasks wait only while no robot is idle, so a robot offering itself while one waits is the only
        idle robot, and the oldest task is its (as :meth:`dispatch` would give it; no event)."""
        queue = self.queue
        if queue and not self.idle:
            task = queue.popleft()
            task.assign(robot.id, not self.feasible(robot, task))
            return task
        env = self.env
        call = simpy.Event(env)
        self.idle[robot] = (env.now, call)
        if queue:
            self.dispatch()
        return call

    def withdraw(self, robot: "Worker") -> None:
        """``robot`` is no longer available (a fault halted it, or it went to swap on its own)."""
        self.idle.pop(robot, None)

    def rearm(self, robot: "Worker", call: simpy.Event) -> simpy.Event | None:
        """Wake ``robot`` through ``call`` while it keeps its place in line: the fresh event that calls it
        from now on, or None if ``call`` is no longer its call."""
        entry = self.idle.get(robot)
        if entry is None or entry[1] is not call:
            return None
        fresh = self.idle[robot] = (entry[0], simpy.Event(self.env))
        return fresh[1]

    def call(self, robot: "Worker", value: Any) -> bool:
        """Wake an idle robot with ``value`` (``"duty"``, ``"swap"``); False if it was not idle."""
        entry = self.idle.pop(robot, None)
        if entry is None:
            return False
        entry[1].succeed(value)
        return True

    def trip_wh(self) -> float:
        """Energy of the walk to the nearest open station (all stations if every one is down) (Wh)."""
        for station in self._by_walk:
            if station.up:
                return station.travel_h * self.walk_w
        return self._by_walk[0].travel_h * self.walk_w

    def approach_h(self, robot: "Worker", task: Task) -> float:
        """Hours for ``robot`` to walk to ``task``."""
        return manhattan_m(robot.position, task.location) / self.speed_mps / 3600.0

    def feasible(self, robot: "Worker", task: Task) -> bool:
        """Whether ``robot`` can do ``task`` without swapping first."""
        if not self.energy_aware:
            return True
        return self._feasible_from(robot, task, manhattan_m(robot.position, task.location))

    def _feasible_from(self, robot: "Worker", task: Task, distance_m: float) -> bool:
        """:meth:`feasible` for a robot ``distance_m`` from the task (energy-aware dispatch only)."""
        need = task.energy_wh + distance_m / self.speed_mps / 3600.0 * self.approach_w
        reserve = self.reserve_frac * robot.pack_usable_wh()
        energy = robot.energy_wh()
        # The base robot's budget, going after the activity, is its energy: ask for it once, not twice.
        if type(robot).swap_budget_wh is _ENERGY_BUDGET and not robot.go_at_once:
            budget = energy
        else:
            budget = robot.swap_budget_wh()
        return can_do_task(budget, energy, need, self.trip_wh(), reserve)

    def dispatch(self) -> None:
        """Give waiting tasks to idle robots, oldest task first."""
        queue, idle = self.queue, self.idle
        while queue and idle:
            task = queue[0]
            if len(idle) == 1:  # nothing to choose (the rule would pick it whatever its verdict)
                robot = next(iter(idle))
                ok = self.feasible(robot, task)
            else:
                robot, ok = self._choose(task)
            queue.popleft()
            task.assign(robot.id, not ok)  # it swaps first unless it can do it on its packs
            idle.pop(robot)[1].succeed(task)

    def _choose(self, task: Task) -> tuple["Worker", bool]:
        """The idle robot (of two or more) that gets ``task`` by the dispatch rule, and whether it can do
        the task on its packs; exact ties broken with the ``dispatch`` stream."""
        robots = list(self.idle)
        walks: list[list[float]] = []  # each robot's walk to the task (m), if the rule asks (once)

        def measure() -> list[float]:
            walks.append(manhattan_from_m(map(_POSITION, robots), task.location))
            return walks[-1]

        key = self.rule([since for since, _ in self.idle.values()], measure)
        if not self.energy_aware:
            best, ok = best_robots(key, _always)
        elif walks:  # the rule measured every walk: the feasibility checks reuse them
            best, ok = best_robots(key, lambda i: self._feasible_from(robots[i], task, walks[0][i]))
        else:
            location = task.location
            best, ok = best_robots(
                key, lambda i: self._feasible_from(robots[i], task, manhattan_m(robots[i].position, location))
            )
        pick = best[0] if len(best) == 1 else best[int(self.tie_rng.integers(len(best)))]
        return robots[pick], ok

    # -- opportunistic swaps -----------------------------------------------------------------------
    def _station_freed(self, station: "Station") -> None:
        """A position (or dock) is free: the idle robot with the lowest pack may go and swap early.

        Every robot sees the same stations, so only the robot with the emptiest pack is asked.
        """
        below = self.opportunistic_below
        if not self.idle or self.queue or below is None:  # None: never listening (see __init__)
            return
        low = min(self.idle, key=lambda r: (r.lowest_soc(), r.id))
        soc = low.lowest_soc()
        if soc < below and swap_early(soc, below, low.view_of(low.pick_station())):
            self.call(low, "swap")


class ShiftManager:
    """Follows the duty calendar: sends robots off duty and calls them back.

    Args:
        env: the simulation environment.
        calendar: on-duty counts over the day.
        robots: the fleet.
        recorder: told the rostered count at each change.
        board: the task board (task demand only), to wake idle robots that go off duty.
    """

    def __init__(
        self,
        env: simpy.Environment,
        calendar: DutyCalendar,
        robots: Sequence["Worker"],
        recorder: "Recorder",
        board: TaskBoard | None,
    ) -> None:
        self.env = env
        self.calendar = calendar
        self.robots = robots
        self.recorder = recorder
        self.board = board

    def initial_roster(self) -> None:
        """At time 0: the first ``target`` robots (by id) are on duty, the others parked with full packs."""
        target = self.calendar.target(0.0)
        for robot in self.robots:
            if robot.id >= target:
                robot.start_off_duty()
        self.recorder.roster_changed(target, 0.0)

    def follow_calendar(self) -> Proc:
        """At each calendar boundary, bring the on-duty count to the calendar's."""
        env = self.env
        while True:
            yield env.timeout(self.calendar.next_change(env.now) - env.now)
            self.adjust(self.calendar.target(env.now))

    def adjust(self, target: int) -> None:
        """Release or call robots so that exactly ``target`` are on duty."""
        self.recorder.roster_changed(target, self.env.now)
        on = [r for r in self.robots if r.on_duty]
        if len(on) > target:
            idle = set(self.board.idle) if self.board is not None else set()
            # idle robots first, then the ones with the least energy
            release = sorted(on, key=lambda r: (r not in idle, r.energy_wh(), r.id))[: len(on) - target]
            for robot in release:
                robot.release_from_duty()
                if self.board is not None:
                    self.board.call(robot, "duty")
        elif len(on) < target:
            off = [r for r in self.robots if not r.on_duty]
            # robots still on their way off duty first (they simply stay), then parked ones, fullest first
            call = sorted(off, key=lambda r: (r.parked, -r.energy_wh(), r.id))[: target - len(on)]
            for robot in call:
                robot.call_to_duty()
