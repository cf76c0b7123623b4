"""A floor: the warehouse (scenarios/warehouse.yaml) written as a minimal hand-written SimPy model.

What a competent SimPy user would write for the same events as swapsim's warehouse: picks arrive by a
Poisson process whose rate follows the day's profile; the oldest pick goes to the nearest idle robot
that has the energy for it (``dispatch: nearest``, ``energy_aware``; if none has, the nearest swaps
first); the robot walks to the pick face (rectilinear, from where its last pick ended) and does the
pick's steps, all as **one timeout per task**; an idle robot waits for its call or for its active pack
to reach the trigger, whichever comes first (one condition event). Robots with two packs swap at the
stations as in :mod:`benchmarks.bare_factory` (shortest expected wait, positions, green stock,
stock-outs, per-pack capacity and fade), with the scenario's failed swap attempts; after a pick in
which the active pack reached the trigger the robot swaps, by swapsim's rules: it runs on the fuller
pack and swaps the other, keeps running on the pack it has unless that one is at the trigger, and
counts each swap's wait from its arrival at the station. (Before issue 25's check the floor ran on the
fresh pack after every swap, which left its robots 0.3 packs emptier on average, parked them emptier
and so gave them 1.9 times swapsim's parking energy and 6 % fewer swaps.) A shift process follows the duty calendar: released robots (idle ones
first, then the least energy) finish their pick, walk to the nearest station's parking and charge
their packs there along the charge curve until called back (the fullest now first).

Left out, as swapsim's cost and not the floor's: e-stops, breakdowns and station outages (faults other
than failed swaps; about 0.5 % of the robots' time), pack ageing histories and health checks, the
recorder. Every number comes from the scenario
(:func:`bare_warehouse_params`). Statistically the same model as swapsim's with those faults off, not
the same draw for draw; benchmark 5 checks its swaps per robot-day and mean swap wait. Times in hours.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass

import simpy

from benchmarks.bare_factory import Curve, Fade, FloorPack, FloorResult, Hall
from swapsim.scenario import Scenario
from swapsim.streams import Streams

__all__ = ["Task", "WarehouseRobot", "BareWarehouse", "bare_warehouse_params", "run_bare_warehouse"]


@dataclass
class Task:
    """A pick: where it is (m), how long its steps take in all (h), and their energy (Wh)."""

    x: float
    y: float
    steps_h: float
    steps_wh: float
    swap_first: bool = False


class WarehouseRobot:
    """A robot's state: two packs (state of charge), the active one, where it is, its duty."""

    def __init__(self, index: int, soc: float, x: float, y: float, packs: list[FloorPack]) -> None:
        self.id = index
        self.packs = [soc, 1.0]  # state of charge of each pack
        self.pk = packs  # the packs themselves (their usable energy)
        packs[0].soc_out = soc
        self.active = 0
        self.x, self.y = x, y
        self.needs_swap = False
        self.on_duty = True
        self.parked = False
        self.since = 0.0  # when it last became idle, or parked (h)
        self.duty_call: simpy.Event | None = None


class BareWarehouse:
    """The warehouse's task board, robots, stations and shifts (see the module docstring)."""

    def __init__(self, env: simpy.Environment, seed: int, robots: int, fade: Callable[..., Fade], trigger: float,
                 profile: list[tuple[float, float]], period_h: float, steps: list, floor_m: tuple[float, float],
                 speed_m_h: float, approach_w: float, walk_w: float, idle_w: float, station_w: float,
                 energy_aware: bool, reserve: float, halls: list[dict], fail_p: float,
                 retry: Callable[[Streams, int], Callable[[], float]], calendar: list[tuple[float, int]],
                 shift_period_h: float, park_curve: Curve) -> None:
        self.env = env
        self.trigger = trigger
        self.speed_m_h, self.approach_w, self.walk_w = speed_m_h, approach_w, walk_w
        self.idle_w, self.station_w = idle_w, station_w
        self.energy_aware, self.reserve = energy_aware, reserve
        self.park_curve = park_curve
        streams = Streams(seed)
        packs = self.fade = fade(streams, robots, sum(h["charged"] for h in halls))
        robot_packs = [[packs.new_pack(), packs.new_pack()] for _ in range(robots)]
        self.halls = [Hall(env, h["travel_h"], h["positions"], h["bays"], [packs.new_pack() for _ in range(h["charged"])],
                           h["swap"](streams, i), h["swap_mean_h"], h["curve"], packs) for i, h in enumerate(halls)]
        self.nearest = min(self.halls, key=lambda h: h.travel_h)
        self.trip_wh = self.nearest.travel_h * walk_w
        self.fail_p, self.fail_rng = fail_p, streams.get("failed_swap")
        self.retry_h = retry(streams, 0)
        self.swaps = 0
        self.tasks = 0
        self.wait_sum_h = 0.0
        # Tasks: the day's profile (start h, rate per h), arrivals, locations and step durations.
        self.starts = [s for s, _ in profile]
        self.rates = [r for _, r in profile]
        self.period = period_h
        self.arrival_rng = streams.get("task_arrivals")
        self.location_rng = streams.get("task_location")
        self.steps = [(draw(streams, k), power_w) for k, (draw, power_w) in enumerate(steps)]
        self.floor_m = floor_m
        self.queue: deque[Task] = deque()
        self.idle: dict[WarehouseRobot, simpy.Event] = {}
        # Robots, the first of the calendar's count on duty, the others parked with full packs.
        self.calendar_starts = [s for s, _ in calendar]
        self.calendar_counts = [n for _, n in calendar]
        self.shift_period = shift_period_h
        self.robots = []
        on = self.duty_target(0.0)
        for i in range(robots):
            init = streams.get("initial", i)
            init.integers(len(steps)), init.random()  # swapsim's start step and share (unused with tasks)
            soc = float(init.uniform(trigger, 1.0))
            pos = streams.get("position", i)
            robot = WarehouseRobot(i, soc, float(pos.uniform(0.0, floor_m[0])), float(pos.uniform(0.0, floor_m[1])),
                                   robot_packs[i])
            if i >= on:
                robot.on_duty, robot.parked, robot.packs = False, True, [1.0, 1.0]
                robot.pk[0].soc_out = 1.0
            self.robots.append(robot)
            env.process(self.serve(robot))
        env.process(self.generate())
        env.process(self.follow_calendar())

    # -- energy ------------------------------------------------------------------------------------
    def drain(self, robot: WarehouseRobot, wh: float) -> None:
        """Draw ``wh`` from the active pack; at the trigger, run on the other pack and note a swap is due."""
        packs, pk, a = robot.packs, robot.pk, robot.active
        left = (packs[a] - self.trigger) * pk[a].usable_wh
        if wh < left or robot.needs_swap:
            packs[a] -= wh / pk[a].usable_wh
            return
        packs[a] = self.trigger
        if packs[1 - a] > packs[a]:
            robot.active = a = 1 - a
        packs[a] -= (wh - left) / pk[a].usable_wh
        robot.needs_swap = True

    def energy_wh(self, robot: WarehouseRobot) -> float:
        packs, pk = robot.packs, robot.pk
        return packs[0] * pk[0].usable_wh + packs[1] * pk[1].usable_wh

    def energy_now_wh(self, robot: WarehouseRobot) -> float:
        """Its energy now, as the shift manager ranks robots: an idle robot's idle draw and a parked
        robot's charge so far included (a working robot's as of its task's start)."""
        hours = self.env.now - robot.since
        if robot in self.idle:
            return self.energy_wh(robot) - hours * self.idle_w
        if robot.parked and robot.duty_call is not None:
            curve, pk = self.park_curve, robot.pk
            return sum(curve.soc_at(curve.offset(s) + hours) * p.usable_wh for s, p in zip(robot.packs, pk))
        return self.energy_wh(robot)

    # -- tasks and dispatch ------------------------------------------------------------------------
    def generate(self) -> Generator[simpy.Event, object, None]:
        """Picks by a Poisson process with the piecewise-constant daily rate (inverting the cumulative rate)."""
        env, rng = self.env, self.arrival_rng
        starts, rates, period = self.starts, self.rates, self.period
        while True:
            mass = float(rng.exponential())
            t = env.now
            day, phase = divmod(t, period)
            k = bisect.bisect_right(starts, phase) - 1
            while True:  # walk the profile's segments until the mass is used up
                end = day * period + (starts[k + 1] if k + 1 < len(starts) else period)
                rate = rates[k]
                if rate > 0 and mass <= rate * (end - t):
                    t += mass / rate
                    break
                mass -= rate * max(0.0, end - t)
                t = end
                k += 1
                if k == len(starts):
                    k, day = 0, day + 1
            yield env.timeout(t - env.now)
            w, d = self.floor_m
            loc = self.location_rng.uniform(0.0, 1.0, 2)
            steps_h = steps_wh = 0.0
            for draw, power_w in self.steps:
                h = draw()
                steps_h += h
                steps_wh += power_w * h
            self.queue.append(Task(float(loc[0]) * w, float(loc[1]) * d, steps_h, steps_wh))
            self.tasks += 1
            if self.idle:
                self.dispatch()

    def feasible(self, robot: WarehouseRobot, task: Task, dist_m: float) -> bool:
        if not self.energy_aware:
            return True
        need = task.steps_wh + dist_m / self.speed_m_h * self.approach_w
        energy = self.energy_wh(robot)
        return need <= energy and energy - need >= self.trip_wh + self.reserve * robot.pk[0].usable_wh

    def dispatch(self) -> None:
        """The oldest pick to the nearest idle robot that can do it (else the nearest, which swaps first)."""
        queue, idle = self.queue, self.idle
        while queue and idle:
            task = queue.popleft()
            best = best_ok = None
            d_best = d_ok = math.inf
            for robot in idle:
                d = abs(robot.x - task.x) + abs(robot.y - task.y)
                if d < d_best:
                    best, d_best = robot, d
                if d < d_ok and self.feasible(robot, task, d):
                    best_ok, d_ok = robot, d
            robot = best_ok if best_ok is not None else best
            task.swap_first = best_ok is None
            idle.pop(robot).succeed(task)

    # -- the robot ---------------------------------------------------------------------------------
    def serve(self, robot: WarehouseRobot) -> Generator[simpy.Event, object, None]:
        """Off duty, swap, or wait for a pick and do it (walk and steps as one timeout)."""
        env = self.env
        while True:
            if not robot.on_duty:
                yield from self.off_duty(robot)
                continue
            if robot.needs_swap:
                yield from self.swap_trip(robot, None)
                continue
            task: Task | str
            if self.queue and not self.idle:  # a pick is waiting: this robot's at once
                task = self.queue.popleft()
                task.swap_first = not self.feasible(robot, task, abs(robot.x - task.x) + abs(robot.y - task.y))
            else:
                call = env.event()
                self.idle[robot] = call
                robot.since = env.now
                if self.queue:
                    self.dispatch()
                t0 = env.now
                left_wh = (robot.packs[robot.active] - self.trigger) * robot.pk[robot.active].usable_wh
                yield call | env.timeout(left_wh / self.idle_w)
                if not call.triggered:  # the active pack reached the trigger while idle
                    self.drain(robot, left_wh)
                    del self.idle[robot]
                    continue
                self.drain(robot, (env.now - t0) * self.idle_w)
                task = call.value  # type: ignore[assignment]
            if task == "duty":
                continue
            assert isinstance(task, Task)
            if task.swap_first:
                yield from self.swap_trip(robot, task)
            walk_h = (abs(robot.x - task.x) + abs(robot.y - task.y)) / self.speed_m_h
            yield env.timeout(walk_h + task.steps_h)
            self.drain(robot, walk_h * self.approach_w + task.steps_wh)
            robot.x, robot.y = task.x, task.y

    def swap_trip(self, robot: WarehouseRobot, task: Task | None) -> Generator[simpy.Event, object, None]:
        """Walk to the hall of least walk plus expected wait, swap the emptier pack while running on the
        fuller one; swap the other too if it is at the trigger (or, before a pick, until the pick is
        feasible); walk back. Each swap's wait counts from the arrival at the hall, as swapsim's does."""
        env = self.env
        hall = min(self.halls, key=lambda h: h.travel_h + h.expected_wait_h())
        hall.incoming += 1
        yield env.timeout(hall.travel_h)
        hall.incoming -= 1
        self.drain(robot, hall.travel_h * self.walk_w)
        arrived = env.now
        packs, pk = robot.packs, robot.pk
        with hall.positions.request() as req:
            yield req
            for _ in range(2):
                if packs[robot.active] < packs[1 - robot.active]:  # run on the fuller pack, swap the other
                    robot.active = 1 - robot.active
                out = 1 - robot.active
                fresh = hall.take_green()
                hall.drop(packs[out], pk[out])
                if fresh is None:  # stock-out: wait for the first pack to turn green
                    hall.stockouts += 1
                    green_at, reserved = hall.wait_green()
                    yield env.timeout(green_at - env.now)
                    fresh = hall.take_reserved(green_at, reserved)
                self.wait_sum_h += env.now - arrived
                self.swaps += 1
                hall.swaps += 1
                pk[out], packs[out] = fresh, fresh.soc_out
                while self.fail_rng.random() < self.fail_p:
                    yield env.timeout(self.retry_h())
                yield env.timeout(hall.swap_h())
                a = robot.active  # swapsim's rule after a swap: leave a pack at or below the trigger
                if packs[a] <= self.trigger and packs[1 - a] > packs[a]:
                    robot.active = a = 1 - a
                robot.needs_swap = packs[1 - a] <= self.trigger
                if not robot.needs_swap if task is None else self.feasible(
                        robot, task, abs(robot.x - task.x) + abs(robot.y - task.y)):
                    break
        self.drain(robot, (env.now - arrived) * self.station_w)
        yield env.timeout(hall.travel_h)
        self.drain(robot, hall.travel_h * self.walk_w)

    def off_duty(self, robot: WarehouseRobot) -> Generator[simpy.Event, object, None]:
        """Walk to the nearest station's parking, charge both packs there until called, walk back."""
        env = self.env
        hall = self.nearest
        if not robot.parked:
            yield env.timeout(hall.travel_h)
            self.drain(robot, hall.travel_h * self.walk_w)
        while not robot.on_duty:
            robot.parked = True
            robot.duty_call = env.event()
            t0 = robot.since = env.now
            yield robot.duty_call
            robot.duty_call = None
            curve, hours = self.park_curve, env.now - t0
            for k, pack in enumerate(robot.pk):
                soc = curve.soc_at(curve.offset(robot.packs[k]) + hours)
                self.fade.recharged(pack, robot.packs[k], soc)
                robot.packs[k] = soc
            robot.active = 0 if robot.packs[0] >= robot.packs[1] else 1
            robot.needs_swap = min(robot.packs) <= self.trigger
        robot.parked = False
        yield env.timeout(hall.travel_h)
        self.drain(robot, hall.travel_h * self.walk_w)

    # -- shifts ------------------------------------------------------------------------------------
    def duty_target(self, t: float) -> int:
        return self.calendar_counts[bisect.bisect_right(self.calendar_starts, t % self.shift_period) - 1]

    def follow_calendar(self) -> Generator[simpy.Event, object, None]:
        """At each calendar boundary, release robots (idle first, then the least energy) or call parked
        ones back (the fullest first)."""
        env, starts, period = self.env, self.calendar_starts, self.shift_period
        while True:
            phase = env.now % period
            k = bisect.bisect_right(starts, phase)
            nxt = env.now - phase + (starts[k] if k < len(starts) else period)
            yield env.timeout(nxt - env.now)
            target = self.duty_target(env.now)
            on = [r for r in self.robots if r.on_duty]
            if len(on) > target:
                for robot in sorted(on, key=lambda r: (r not in self.idle, self.energy_now_wh(r), r.id))[:len(on) - target]:
                    robot.on_duty = False
                    call = self.idle.pop(robot, None)
                    if call is not None:
                        call.succeed("duty")
            elif len(on) < target:
                off = [r for r in self.robots if not r.on_duty]
                for robot in sorted(off, key=lambda r: (r.parked, -self.energy_now_wh(r), r.id))[:target - len(on)]:
                    robot.on_duty = True
                    if robot.duty_call is not None and not robot.duty_call.triggered:
                        robot.duty_call.succeed()


def bare_warehouse_params(scenario: Scenario) -> dict:
    """The floor's parameters read from a warehouse-like scenario (task demand, shifts, hot swap)."""
    from benchmarks.bare_factory import bare_factory_params

    tasks = scenario.workload.tasks
    shifts = scenario.shifts
    assert tasks is not None and shifts is not None, "the warehouse floor needs task demand and shifts"
    power = scenario.power.activities
    base = bare_factory_params(scenario, cycle=False)
    arrivals = tasks.arrivals
    failed = scenario.faults.failed_swap
    ch = scenario.stations[0].charger

    def step_draw(dist):
        return lambda streams, k: dist.sampler(streams.get("task_steps", k))

    return {**{k: base[k] for k in ("robots", "fade", "trigger", "walk_w", "station_w", "halls")},
            "profile": [(seg.start, seg.rate_per_h * arrivals.scale) for seg in arrivals.profile],
            "period_h": arrivals.period, "steps": [(step_draw(st.duration), power[st.activity]) for st in tasks.steps],
            "floor_m": (tasks.floor.width, tasks.floor.depth), "speed_m_h": scenario.travel.walking_speed * 3600.0,
            "approach_w": power[tasks.approach_activity], "idle_w": power["idle"],
            "energy_aware": tasks.energy_aware, "reserve": tasks.reserve,
            "fail_p": failed.probability,
            "retry": lambda streams, i: failed.retry.sampler(streams.get("failed_swap_retry", i)),
            "calendar": [(seg.start, seg.count(scenario.fleet.robots)) for seg in shifts.calendar],
            "shift_period_h": shifts.period, "park_curve": Curve(ch.rate_c, ch.cv_soc, ch.cutoff_c, 1.0)}


def run_bare_warehouse(scenario: Scenario, horizon_h: float, seed: int,
                       env: simpy.Environment | None = None) -> FloorResult:
    """Run the floor of ``scenario`` to ``horizon_h``; pass a counting environment to count events."""
    env = simpy.Environment() if env is None else env
    params = bare_warehouse_params(scenario)
    model = BareWarehouse(env, seed, **params)
    env.run(until=horizon_h)
    mean = model.wait_sum_h / model.swaps if model.swaps else 0.0
    return FloorResult(model.swaps, mean, params["robots"], horizon_h, getattr(env, "events_processed", None))
