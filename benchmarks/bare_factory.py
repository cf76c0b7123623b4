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
Packs keep their own capacity (:class:`Fade`): drawn per pack as swapsim draws it, and faded in closed
form once per swap at the drop-off. Both matter to the statistics: without the spread of initial
capacities (1.5 % sd) the floor's mean swap wait was twice swapsim's (1.1 against 0.6 min: more
stock-outs at hall-A), without the fade its swaps per robot-day were 1.3 % fewer.
No ageing history, health checks, faults, technicians, recorder or time series: the wait is a sum and
a count.

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
from functools import partial

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


class FloorPack:
    """A pack as a floor sees it: its usable energy when full (Wh, its capacity times the usable fraction)
    and what its capacity fade needs: initial capacity and wear (fractions), equivalent full cycles, and
    its state of charge when it last left a bay."""

    __slots__ = ("id", "usable_wh", "q0", "wear", "efc", "soc_out")

    def __init__(self, index: int, usable_wh: float, q0: float, wear: float) -> None:
        self.id, self.usable_wh, self.q0, self.wear = index, usable_wh, q0, wear
        self.efc = 0.0
        self.soc_out = 1.0


class Fade:
    """Pack capacity in closed form: each pack's initial capacity and wear drawn as swapsim draws them
    (``battery.initial_capacity_sd``, ``battery.wear_sigma``, the ``("pack", id)`` stream), and its
    fade by swapsim's cell model (:mod:`swapsim.model.degradation`) at constant stress, evaluated once
    per swap when the pack is dropped off: calendar fade over its age at the time-share-weighted
    temperatures of robots and bays (mean state of charge: the middle of the working window in a robot,
    the ready threshold in a bay), cycle fade over its equivalent full cycles at the robots' temperature
    and a depth of discharge of ready threshold minus trigger. ``battery.ageing: false``: no spread, no fade."""

    def __init__(self, scenario: Scenario, streams: Streams, robots: int, stocked: int) -> None:
        from swapsim.model.degradation import CHEMISTRIES, HEALTH_FLOOR, celsius_to_kelvin

        b, pol = scenario.battery, scenario.policy
        self.rated_wh = scenario.pack.capacity * scenario.pack.usable_fraction
        self.on = b.ageing
        self.streams, self.battery, self.floor = streams, b, HEALTH_FLOOR
        self.n = 0
        model = self.model = CHEMISTRIES[b.chemistry]
        t_robot, t_bay = celsius_to_kelvin(b.temperature_c.in_robot), celsius_to_kelvin(b.temperature_c.in_bay)
        in_robots = 2 * robots / (2 * robots + stocked)
        self.k_cal = b.wear_scale * (in_robots * model.k_cal(t_robot, (pol.ready_threshold + pol.swap_trigger) / 2)
                                     + (1.0 - in_robots) * model.k_cal(t_bay, pol.ready_threshold))
        self.k_cyc = b.wear_scale * model.k_cyc(t_robot, pol.ready_threshold - pol.swap_trigger, 0.0)

    def new_pack(self) -> FloorPack:
        """A new pack, its initial capacity and wear drawn from its own stream."""
        b, i = self.battery, self.n
        self.n += 1
        if not self.on:
            return FloorPack(i, self.rated_wh, 1.0, 1.0)
        rng = self.streams.get("pack", i)
        wear = float(rng.lognormal(0.0, b.wear_sigma)) if b.wear_sigma else 1.0
        q0 = float(rng.normal(1.0, b.initial_capacity_sd)) if b.initial_capacity_sd else 1.0
        return FloorPack(i, self.rated_wh * q0, q0, wear)

    def recharged(self, pack: FloorPack, soc_before: float, soc_after: float) -> None:
        """``pack`` charged from ``soc_before`` to ``soc_after`` outside a bay (parked): count the cycles so far."""
        if self.on:
            pack.efc += (pack.soc_out - soc_before) * pack.usable_wh / self.rated_wh
        pack.soc_out = soc_after

    def dropped(self, pack: FloorPack, soc: float, now_h: float) -> None:
        """``pack`` comes back at ``soc`` at ``now_h``: count its cycles, set its capacity."""
        if not self.on:
            return
        pack.efc += (pack.soc_out - soc) * pack.usable_wh / self.rated_wh
        m, s = self.model, pack.wear
        q = s * self.k_cal * (now_h / 24.0) ** m.p_cal + (s * self.k_cyc * pack.efc ** m.p_cyc if pack.efc > 0 else 0.0)
        pack.usable_wh = self.rated_wh * max(self.floor, pack.q0 * (1.0 - q))


class Hall:
    """A swap station: positions, bays that charge packs along ``curve``, a stock of green packs.

    A pack in a bay is its curve position at time 0 (``now - offset``): green once ``now`` passes
    ``that + ready_at``, and at ``curve.soc_at(now - that)`` when taken. Charging packs wait in a heap
    by green time and move to the green stock (a FIFO, most charged first) when someone looks.
    """

    def __init__(self, env: simpy.Environment, travel_h: float, positions: int, bays: int, stock: list[FloorPack],
                 swap_h: Callable[[], float], swap_mean_h: float, curve: Curve, fade: Fade) -> None:
        self.env, self.travel_h, self.curve, self.fade = env, travel_h, curve, fade
        self.positions = simpy.Resource(env, capacity=positions)
        self.n_positions = positions
        self.swap_h, self.swap_mean_h = swap_h, swap_mean_h
        self.green: deque[tuple[float, FloorPack]] = deque((-curve.end_h, p) for p in stock)  # (curve origin, pack)
        self.charging: list[tuple[float, int, FloorPack]] = []  # heap of (green time, pack id, pack)
        self.reserved: list[float] = []  # green times of the packs robots in a stock-out wait for
        self.empty_bays = bays - len(stock)
        self.incoming = 0
        self.swaps = self.stockouts = 0

    def _refresh(self) -> None:
        now, charging = self.env.now, self.charging
        while charging and charging[0][0] <= now:
            green_at, _, pack = heapq.heappop(charging)
            self.green.append((green_at - self.curve.ready_at, pack))

    def drop(self, soc: float, pack: FloorPack) -> None:
        """A drained pack goes into a bay (its capacity fade applied) and starts charging."""
        now = self.env.now
        self.fade.dropped(pack, soc, now)
        heapq.heappush(self.charging, (now - self.curve.offset(soc) + self.curve.ready_at, pack.id, pack))

    def take_green(self) -> FloorPack | None:
        """The most charged green pack (its ``soc_out`` set), or None in a stock-out."""
        self._refresh()
        if not self.green:
            return None
        origin, pack = self.green.popleft()
        pack.soc_out = self.curve.soc_at(self.env.now - origin)
        return pack

    def wait_green(self) -> tuple[float, FloorPack]:
        """In a stock-out: reserve the first pack to turn green; (its green time (h), the pack)."""
        green_at, _, pack = heapq.heappop(self.charging)
        self.reserved.append(green_at)
        return green_at, pack

    def take_reserved(self, green_at: float, pack: FloorPack) -> FloorPack:
        """The reserved ``pack``, green since ``green_at`` (now), its ``soc_out`` set."""
        self.reserved.remove(green_at)
        pack.soc_out = self.curve.soc_at(self.env.now - (green_at - self.curve.ready_at))
        return pack

    def expected_wait_h(self) -> float:
        """swapsim's ``shortest_wait`` estimate for one more robot arriving now (h)."""
        self._refresh()
        queue = len(self.positions.queue)
        ahead = self.positions.count + queue + self.incoming
        queue_wait = max(0, ahead + 1 - self.n_positions) * self.swap_mean_h / self.n_positions
        if len(self.green) > queue + self.incoming:
            return queue_wait
        soonest = min(self.charging[0][0] if self.charging else math.inf, *self.reserved, math.inf)
        next_green = soonest - self.env.now
        return max(queue_wait, min(next_green, 24.0))


class BareFactory:
    """The factory's robots and halls (see the module docstring). Parameters: :func:`bare_factory_params`."""

    def __init__(self, env: simpy.Environment, robots: int, trigger: float,
                 steps: list[tuple[Callable[[Streams, int], Callable[[], float]], float]],
                 walk_w: float, station_w: float, halls: list[dict], fade: Callable[..., Fade], seed: int) -> None:
        self.env = env
        self.trigger = trigger
        self.walk_w, self.station_w = walk_w, station_w
        streams = Streams(seed)
        packs = fade(streams, robots, sum(h["charged"] for h in halls))
        robot_packs = [[packs.new_pack(), packs.new_pack()] for _ in range(robots)]
        self.halls = [Hall(env, h["travel_h"], h["positions"], h["bays"], [packs.new_pack() for _ in range(h["charged"])],
                           h["swap"](streams, i), h["swap_mean_h"], h["curve"], packs) for i, h in enumerate(halls)]
        self.swaps = 0
        self.wait_sum_h = 0.0
        for i in range(robots):
            init = streams.get("initial", i)
            step, elapsed, soc = int(init.integers(len(steps))), float(init.random()), float(init.uniform(trigger, 1.0))
            draws = [(make(streams, i), power_w) for make, power_w in steps]
            env.process(self.operate(draws, step, elapsed, soc, robot_packs[i]))

    def choose(self) -> Hall:
        """The hall with the least walk plus expected wait (ties: the first listed)."""
        return min(self.halls, key=lambda h: h.travel_h + h.expected_wait_h())

    def operate(self, draws: list[tuple[Callable[[], float], float]], step: int, elapsed: float,
                soc: float, pk: list[FloorPack]) -> Generator[simpy.Event, object, None]:
        """Run the cycle to the trigger as one timeout, swap the drained pack, repeat. ``pk``: its two packs."""
        env, trigger = self.env, self.trigger
        n = len(draws)
        packs = [soc, 1.0]  # state of charge of each
        pk[0].soc_out = soc
        active = 0
        first = 1.0 - elapsed  # the share of the first step still to do
        while True:
            # A quiet stretch: cycle steps until the one in which the active pack reaches the trigger.
            left_wh = (packs[active] - trigger) * pk[active].usable_wh
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
            packs[active] -= (wh - left_wh) / pk[active].usable_wh
            # The swap trip, on the other pack.
            hall = self.choose()
            hall.incoming += 1
            yield env.timeout(hall.travel_h)
            hall.incoming -= 1
            arrived = env.now
            out = 1 - active
            with hall.positions.request() as req:
                yield req
                fresh = hall.take_green()
                hall.drop(packs[out], pk[out])
                if fresh is None:  # stock-out: leave the drained pack, wait for the first pack to turn green
                    hall.stockouts += 1
                    green_at, reserved = hall.wait_green()
                    yield env.timeout(green_at - env.now)
                    fresh = hall.take_reserved(green_at, reserved)
                self.wait_sum_h += env.now - arrived
                self.swaps += 1
                hall.swaps += 1
                yield env.timeout(hall.swap_h())
            pk[out], packs[out] = fresh, fresh.soc_out
            at_station_h = env.now - arrived
            yield env.timeout(hall.travel_h)
            packs[active] -= (2.0 * hall.travel_h * self.walk_w + at_station_h * self.station_w) / pk[active].usable_wh
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
    return {"robots": scenario.fleet.robots, "fade": partial(Fade, scenario),
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
