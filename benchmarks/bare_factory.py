"""A floor: the factory (scenarios/factory.yaml) written as a minimal hand-written SimPy model.

What a competent SimPy user would write for the same events as swapsim's factory, and nothing more:
robots with two packs run their activity cycle (walk, stand, idle, each at its power) as **one
timeout per quiet stretch**, the stretch ending with the step in which the active pack reaches the
swap trigger (``policy.go: after_activity``); the robot then runs on its other pack, chooses a hall
by walk plus expected wait (``station_choice: shortest_wait``, swapsim's rule), walks there, queues
for a position (a ``simpy.Resource``), takes the most charged green pack from the bays (a stock of
charged packs) or, in a stock-out, leaves its drained pack in an empty bay and waits for the first
pack to turn green, swaps, walks back and resumes the cycle. Bays charge along the CC-CV curve in
closed form, with no process and no event: a pack's green time is known when it goes in.
No ageing, faults, technicians, recorder or time series: the wait is a sum and a count.

Every number comes from the scenario (:func:`bare_factory_params`), so the floor stays the same system
as the file. It is statistically the same model as swapsim's, not the same draw for draw; its swaps
per robot-day and mean swap wait are checked against swapsim's in benchmark 5. Times in hours.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable, Generator
from dataclasses import dataclass

import simpy

from swapsim.scenario import Scenario
from swapsim.streams import Streams

__all__ = ["FloorResult", "Curve", "Hall", "BareFactory", "bare_factory_params", "run_bare_factory"]


@dataclass(frozen=True)
class FloorResult:
    """What a floor run reports: swaps started, their mean wait (h), robots, horizon (h), and the events
    processed (if counted)."""

    swaps: int
    mean_wait_h: float
    robots: int
    horizon_h: float
    events: int | None

    @property
    def swaps_per_robot_day(self) -> float:
        return self.swaps / self.robots / (self.horizon_h / 24.0)


class Curve:
    """The bays' CC-CV charge curve (state of charge of the usable window; hours), in closed form."""

    def __init__(self, rate_c: float, cv_soc: float, cutoff_c: float, ready: float) -> None:
        self.rate, self.cv = rate_c, cv_soc
        self.tau = (1.0 - cv_soc) / rate_c
        self.end_h = self.tau * math.log(rate_c / cutoff_c)
        end_soc = 1.0 - (1.0 - cv_soc) * cutoff_c / rate_c
        self.ready_at = self.end_h if ready >= end_soc else (
            (ready - cv_soc) / rate_c if ready <= cv_soc else self.tau * math.log((1.0 - cv_soc) / (1.0 - ready)))

    def offset(self, soc: float) -> float:
        """Hours after the CC/CV switch at which the curve reads ``soc`` (negative in CC)."""
        if soc <= self.cv:
            return (soc - self.cv) / self.rate
        return self.tau * math.log((1.0 - self.cv) / (1.0 - soc)) if soc < 1.0 else self.end_h

    def soc_at(self, x: float) -> float:
        """State of charge at ``x`` hours after the switch (1.0 once charging has ended)."""
        if x >= self.end_h:
            return 1.0
        return self.cv + x * self.rate if x <= 0.0 else 1.0 - (1.0 - self.cv) * math.exp(-x / self.tau)


class Hall:
    """A swap station: positions, bays that charge packs along ``curve``, a stock of green packs.

    A pack in a bay is its curve position at time 0 (``now - offset``): green once ``now`` passes
    ``that + ready_at``, and at ``curve.soc_at(now - that)`` when taken. Charging packs wait in a heap
    by green time and move to the green stock (a FIFO, most charged first) when someone looks.
    """

    def __init__(self, env: simpy.Environment, travel_h: float, positions: int, bays: int, charged: int,
                 swap_h: Callable[[], float], swap_mean_h: float, curve: Curve) -> None:
        self.env, self.travel_h, self.curve = env, travel_h, curve
        self.positions = simpy.Resource(env, capacity=positions)
        self.n_positions = positions
        self.swap_h, self.swap_mean_h = swap_h, swap_mean_h
        self.green: deque[float] = deque([-curve.end_h] * charged)  # curve origins (h) of green packs
        self.charging: list[float] = []  # heap of green times
        self.reserved: list[float] = []  # green times of the packs robots in a stock-out wait for
        self.empty_bays = bays - charged
        self.incoming = 0
        self.swaps = self.stockouts = 0

    def _refresh(self) -> None:
        now, charging = self.env.now, self.charging
        while charging and charging[0] <= now:
            self.green.append(heapq.heappop(charging) - self.curve.ready_at)

    def drop(self, soc: float) -> None:
        """A drained pack goes into a bay and starts charging."""
        heapq.heappush(self.charging, self.env.now - self.curve.offset(soc) + self.curve.ready_at)

    def take_green(self) -> float | None:
        """The most charged green pack's state of charge, or None in a stock-out."""
        self._refresh()
        if not self.green:
            return None
        return self.curve.soc_at(self.env.now - self.green.popleft())

    def expected_wait_h(self) -> float:
        """swapsim's ``shortest_wait`` estimate for one more robot arriving now (h)."""
        self._refresh()
        queue = len(self.positions.queue)
        ahead = self.positions.count + queue + self.incoming
        queue_wait = max(0, ahead + 1 - self.n_positions) * self.swap_mean_h / self.n_positions
        if len(self.green) > queue + self.incoming:
            return queue_wait
        soonest = min(self.charging[0] if self.charging else math.inf, *self.reserved, math.inf)
        next_green = soonest - self.env.now
        return max(queue_wait, min(next_green, 24.0))


class BareFactory:
    """The factory's robots and halls (see the module docstring). Parameters: :func:`bare_factory_params`."""

    def __init__(self, env: simpy.Environment, robots: int, usable_wh: float, trigger: float,
                 steps: list[tuple[Callable[[Streams, int], Callable[[], float]], float]],
                 walk_w: float, station_w: float, halls: list[dict], seed: int) -> None:
        self.env = env
        self.usable_wh, self.trigger = usable_wh, trigger
        self.walk_w, self.station_w = walk_w, station_w
        streams = Streams(seed)
        self.halls = [Hall(env, h["travel_h"], h["positions"], h["bays"], h["charged"],
                           h["swap"](streams, i), h["swap_mean_h"], h["curve"]) for i, h in enumerate(halls)]
        self.swaps = 0
        self.wait_sum_h = 0.0
        for i in range(robots):
            init = streams.get("initial", i)
            step, elapsed, soc = int(init.integers(len(steps))), float(init.random()), float(init.uniform(trigger, 1.0))
            draws = [(make(streams, i), power_w) for make, power_w in steps]
            env.process(self.operate(draws, step, elapsed, soc))

    def choose(self) -> Hall:
        """The hall with the least walk plus expected wait (ties: the first listed)."""
        return min(self.halls, key=lambda h: h.travel_h + h.expected_wait_h())

    def operate(self, draws: list[tuple[Callable[[], float], float]], step: int, elapsed: float,
                soc: float) -> Generator[simpy.Event, object, None]:
        """Run the cycle to the trigger as one timeout, swap the drained pack, repeat."""
        env, usable, trigger = self.env, self.usable_wh, self.trigger
        n = len(draws)
        packs = [soc, 1.0]
        active = 0
        first = 1.0 - elapsed  # the share of the first step still to do
        while True:
            # A quiet stretch: cycle steps until the one in which the active pack reaches the trigger.
            left_wh = (packs[active] - trigger) * usable
            hours = 0.0
            while True:
                draw, power_w = draws[step]
                step = step + 1 if step + 1 < n else 0
                d = draw() * first
                first = 1.0
                hours += d
                wh = power_w * d
                if wh >= left_wh:
                    break
                left_wh -= wh
            yield env.timeout(hours)
            packs[active] = trigger
            active = 1 - active
            packs[active] -= (wh - left_wh) / usable
            # The swap trip, on the other pack.
            hall = self.choose()
            hall.incoming += 1
            yield env.timeout(hall.travel_h)
            hall.incoming -= 1
            arrived = env.now
            with hall.positions.request() as req:
                yield req
                fresh = hall.take_green()
                if fresh is None:  # stock-out: leave the drained pack, wait for the first pack to turn green
                    hall.stockouts += 1
                    hall.drop(packs[1 - active])
                    green_at = heapq.heappop(hall.charging)
                    hall.reserved.append(green_at)
                    yield env.timeout(green_at - env.now)
                    hall.reserved.remove(green_at)
                    fresh = hall.curve.soc_at(env.now - (green_at - hall.curve.ready_at))
                else:
                    hall.drop(packs[1 - active])
                self.wait_sum_h += env.now - arrived
                self.swaps += 1
                hall.swaps += 1
                yield env.timeout(hall.swap_h())
            packs[1 - active] = fresh
            at_station_h = env.now - arrived
            yield env.timeout(hall.travel_h)
            packs[active] -= (2.0 * hall.travel_h * self.walk_w + at_station_h * self.station_w) / usable
            if packs[active] <= trigger:  # run on the fuller pack
                active = 1 - active


def _sampler(dist, *name: object) -> Callable[[Streams, int], Callable[[], float]]:
    """A maker of ``dist``'s draws for robot (or hall) ``i``, on its own stream ``(*name, i)``."""
    return lambda streams, i: dist.sampler(streams.get(*name, i))


def bare_factory_params(scenario: Scenario, cycle: bool = True) -> dict:
    """The floor's parameters read from a factory-like scenario (an activity cycle, hot swap, no shifts);
    ``cycle=False``: all but the cycle's steps (for the warehouse floor)."""
    power = scenario.power.activities
    station_w = scenario.power.at_station if scenario.power.at_station is not None else power["idle"]
    speed_m_h = scenario.travel.walking_speed * 3600.0
    halls = []
    for s in scenario.stations:
        c = s.charger
        halls.append({"travel_h": s.distance / speed_m_h, "positions": s.positions, "bays": s.bays,
                      "charged": s.charged_packs, "swap": _sampler(s.swap_duration, "swap_duration"), "swap_mean_h": s.swap_duration.mean,
                      "curve": Curve(c.rate_c, c.cv_soc, c.cutoff_c, scenario.policy.ready_threshold)})
    return {"robots": scenario.fleet.robots, "usable_wh": scenario.pack.capacity * scenario.pack.usable_fraction,
            "trigger": scenario.policy.swap_trigger,
            "steps": [(_sampler(st.duration, "cycle", k), power[st.activity])
                      for k, st in enumerate(scenario.workload.activity_cycle())] if cycle else [],
            "walk_w": power["walk"], "station_w": station_w, "halls": halls}


def run_bare_factory(scenario: Scenario, horizon_h: float, seed: int,
                     env: simpy.Environment | None = None) -> FloorResult:
    """Run the floor of ``scenario`` to ``horizon_h``; pass a counting environment to count events."""
    env = simpy.Environment() if env is None else env
    params = bare_factory_params(scenario)
    model = BareFactory(env, seed=seed, **params)
    env.run(until=horizon_h)
    mean = model.wait_sum_h / model.swaps if model.swaps else 0.0
    return FloorResult(model.swaps, mean, params["robots"], horizon_h, getattr(env, "events_processed", None))
