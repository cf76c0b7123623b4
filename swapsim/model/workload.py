"""What robots are asked to do: task demand with a daily profile, the dispatcher, and the shift calendar.

Besides the continuous activity cycle (``workload.cycle``, run by :meth:`Robot.operate`), a scenario
may give **task demand** (``workload.tasks``):

* Tasks arrive, each with its location and steps, from a :class:`~swapsim.model.tasks.TaskSource`
  (:mod:`swapsim.model.tasks`: the rate profile, the arrival, location and step streams).
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
from collections import deque
from collections.abc import Generator, Iterable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, cast

import simpy

from swapsim.model.alarms import IdleAlarms
from swapsim.model.policies import DISPATCH_RULES, best_robots, can_do_task, swap_early
from swapsim.model.robot import Robot
from swapsim.model.tasks import RateProfile, Task, TaskSource, TaskStep

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.roles import Worker
    from swapsim.model.station import Station
    from swapsim.scenario import Scenario, ShiftSpec

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


def _always(i: int) -> bool:
    """Every robot can do every task (dispatch that is not energy-aware)."""
    return True


_POSITION = attrgetter("position")

_ENERGY_BUDGET = Robot.swap_budget_wh
"""The base robot's swap budget: all of its energy unless it goes at once (see :meth:`TaskBoard.feasible`)."""


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


class TaskBoard:
    """The queue of waiting tasks and the dispatcher (tasks arrive from its :class:`TaskSource`).

    Robots offer themselves with :meth:`offer` when idle and get an event that fires with a
    :class:`Task`, or with the string ``"swap"`` (opportunistic swap) or ``"duty"`` (go off duty).

    Per dispatch each robot's energy is asked once.

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
        self.recorder = recorder
        self._by_walk = sorted(stations, key=lambda s: s.travel_h)
        """Stations by walk, nearest first (the first open one is the nearest open one)."""
        self.source = TaskSource(scenario, streams)
        """When tasks arrive and what they ask for (:mod:`swapsim.model.tasks`)."""
        self.tie_rng = streams.get("dispatch")
        powers = scenario.power.activities
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
        self.alarms = IdleAlarms(env, self.rearm, self.waits_on)
        """The idle robots' energy alarms (:mod:`swapsim.model.alarms`): robots set them through it."""
        if self.opportunistic_below is not None:
            for st in stations:
                st.freed_listeners.append(self._station_freed)

    # -- arrivals ----------------------------------------------------------------------------------
    def generate(self) -> Proc:
        """Create tasks forever at the profile's rate; each joins the queue and is dispatched at once if it can."""
        env = self.env
        source = self.source
        while True:
            t_next = source.next_arrival_h(env.now)
            yield env.timeout(t_next - env.now)
            task = source.make_task(env.now)
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
        if not self.waits_on(robot, call):
            return None
        fresh = self.idle[robot] = (self.idle[robot][0], simpy.Event(self.env))
        return fresh[1]

    def waits_on(self, robot: "Worker", call: simpy.Event) -> bool:
        """Whether ``robot`` is idle and ``call`` is still the event that calls it."""
        entry = self.idle.get(robot)
        return entry is not None and entry[1] is call

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
        # Any: integers() returns numpy.int64, not the int numpy's stubs say (a compiled int would reject it)
        pick = best[0] if len(best) == 1 else best[int(cast(Any, self.tie_rng).integers(len(best)))]
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
