"""The robot process: work, draw energy from one of two packs, swap the drained one, come back.

A robot carries two packs and draws from the *active* one. Energy is event-driven: between events
the robot draws a constant power, so the time at which the active pack reaches the swap trigger
(or empty) is known in closed form and is a single timeout, re-planned whenever the power changes.

* Active pack reaches the trigger: the robot switches to the other pack if it holds more charge and
  marks the drained one for a swap. It goes at once (interrupting the activity, resumed afterwards)
  or after the current activity, as the policy says.
* Active pack empty: switch to the other pack if it has charge; if both are empty the robot is
  stranded, down for the rescue time, after which the rescue crew has charged both packs.
* The swap trip: walk to the chosen station (walking power), queue for a position (station power),
  swap for the sampled duration (station power, powered by the active pack: a hot swap never powers
  the robot down), walk back. If no pack is green the robot first leaves its drained pack in a bay to
  charge, so that slot is empty (``None``) until it takes the first pack to turn green.

Robot states, exactly one at a time: see :data:`swapsim.metrics.ROBOT_STATES`. Hours, Wh, W.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Generator, Sequence

import numpy as np
import simpy

from swapsim.model.pack import Pack
from swapsim.policies import choose_station

if TYPE_CHECKING:
    from swapsim.config import Scenario
    from swapsim.metrics import Recorder
    from swapsim.model.station import Station

__all__ = ["Robot"]

Proc = Generator[simpy.Event, Any, Any]


class Robot:
    """One robot and its ``operate`` process.

    Args:
        env: the simulation environment.
        index: robot id (0-based).
        scenario: the validated scenario.
        packs: its two packs; ``packs[0]`` is active at the start.
        stations: all stations, in scenario order.
        recorder: receives the robot's events.
        work_rng: the robot's own stream for activity durations.
        start_step: index of the cycle step it starts in.
        start_elapsed: fraction of that first step already done (0 <= x < 1).
    """

    def __init__(self, env: simpy.Environment, index: int, scenario: "Scenario", packs: Sequence[Pack],
                 stations: Sequence["Station"], recorder: "Recorder", work_rng: np.random.Generator,
                 start_step: int = 0, start_elapsed: float = 0.0) -> None:
        self.env = env
        self.id = index
        self.scenario = scenario
        self.packs: list[Pack | None] = list(packs)
        for p in self.packs:
            p.location = f"robot:{index}"
        self.active = 0
        self.stations = stations
        self.recorder = recorder
        self.work_rng = work_rng
        self.start_step = start_step
        self.start_elapsed = start_elapsed
        policy = scenario.policy
        self.trigger = policy.swap_trigger
        self.go_at_once = policy.go == "immediately"
        self.station_rule = policy.station_choice
        self.powers = scenario.power.activities
        self.walk_w = self.powers["walk"]
        self.station_w = scenario.power.station_w
        self.rescue_h = scenario.fleet.rescue_time
        self.cycle = scenario.workload.cycle
        self.state = "working"
        self.power_w = 0.0
        self.t_last = 0.0
        self.needs_swap = False

    # -- energy bookkeeping ---------------------------------------------------------------------
    @property
    def active_pack(self) -> Pack:
        return self.packs[self.active]

    def _settle(self) -> None:
        """Draw the energy used since the last settlement from the active pack."""
        now = self.env.now
        dt = now - self.t_last
        if dt > 0 and self.power_w > 0:
            self.packs[self.active].draw(self.power_w * dt)
        self.t_last = now

    def _enter(self, state: str, power_w: float) -> None:
        """Change state and power draw now."""
        self._settle()
        if state != self.state:
            self.state = state
            self.recorder.robot_state(self.id, state, self.env.now)
        self.power_w = power_w

    def _next_energy_event(self) -> tuple[float, float]:
        """(hours until the active pack reaches its next threshold, that threshold)."""
        pack = self.packs[self.active]
        if self.power_w <= 0:
            return math.inf, 0.0
        target = self.trigger if pack.soc > self.trigger else 0.0
        elapsed = self.env.now - self.t_last
        soc_now = pack.soc - self.power_w * elapsed / pack.usable_wh
        return max(0.0, (soc_now - target) * pack.usable_wh / self.power_w), target

    def _on_energy_event(self, target: float) -> bool:
        """The active pack has reached ``target``; returns False if the robot is now stranded."""
        self._settle()
        pack = self.packs[self.active]
        pack.set_soc(target)
        other = self.packs[1 - self.active]  # None while its pack charges at a station
        if target > 0.0:
            self.needs_swap = True
            if other is not None and other.soc > pack.soc:
                self.active = 1 - self.active
            return True
        if other is not None and other.soc > 0.0:
            self.active = 1 - self.active
            self.needs_swap = True
            return True
        return False

    def _rebalance(self) -> None:
        """After a swap: run on the fuller pack if the active one is at or below the trigger."""
        pack = self.packs[self.active]
        other = self.packs[1 - self.active]
        if pack.soc <= self.trigger and other.soc > pack.soc:
            self.active = 1 - self.active
        self.needs_swap = self.packs[1 - self.active].soc <= self.trigger

    # -- primitives -------------------------------------------------------------------------------
    def _spend(self, duration_h: float, state: str, power_w: float, stop_for_swap: bool) -> Proc:
        """Spend ``duration_h`` in ``state`` at ``power_w``; returns the time left if stopped for a swap."""
        self._enter(state, power_w)
        remaining = duration_h
        env = self.env
        while remaining > 0:
            if stop_for_swap and self.needs_swap:
                return remaining
            dt, target = self._next_energy_event()
            if dt >= remaining:
                yield env.timeout(remaining)
                return 0.0
            yield env.timeout(dt)
            remaining -= dt
            if not self._on_energy_event(target):
                yield from self.strand()
                self._enter(state, power_w)
        return 0.0

    def _wait(self, event: simpy.Event, state: str, power_w: float) -> Proc:
        """Wait for ``event`` in ``state`` at ``power_w``, handling energy events meanwhile."""
        self._enter(state, power_w)
        env = self.env
        while not event.triggered:
            dt, target = self._next_energy_event()
            if dt == math.inf:
                break
            timeout = env.timeout(dt)
            yield event | timeout
            if event.triggered:
                break
            if not self._on_energy_event(target):
                yield from self.strand()
                self._enter(state, power_w)
        value = yield event
        return value

    # -- processes ----------------------------------------------------------------------------------
    def operate(self) -> Proc:
        """Work through the activity cycle forever, swapping packs when needed."""
        rng = self.work_rng
        cycle = self.cycle
        step = self.start_step
        first = True
        while True:
            spec = cycle[step]
            duration = spec.duration.sample(rng)
            if first:
                duration *= 1.0 - self.start_elapsed
                first = False
            state = "idle" if spec.activity == "idle" else "working"
            power = self.powers[spec.activity]
            remaining = duration
            while True:
                remaining = yield from self._spend(remaining, state, power, self.go_at_once)
                if remaining <= 0:
                    break
                yield from self.swap_trip()
            if self.needs_swap:
                yield from self.swap_trip()
            step = (step + 1) % len(cycle)

    def swap_trip(self) -> Proc:
        """Walk to a station, queue, swap the drained pack for a green one, walk back."""
        env = self.env
        rec = self.recorder
        station = self.stations[choose_station(self.station_rule, [s.view() for s in self.stations])]
        station.incoming += 1
        if station.travel_h > 0:
            yield from self._spend(station.travel_h, "travelling", self.walk_w, False)
        station.incoming -= 1
        rec.robot_arrived(self.id, station.index, env.now)
        req = station.request_position()
        yield from self._wait(req, "queueing", self.station_w)
        while True:
            bay = station.take_green()
            stockout = bay is None
            if stockout:
                # Leave the drained pack to charge (waiting for a bay if all are full), then wait for
                # the first pack to turn green.
                empty = yield from self._wait(station.wait_empty_bay(), "queueing", self.station_w)
                self._settle()
                out = 1 - self.active
                drained, self.packs[out] = self.packs[out], None
                station.drop_off(drained, empty)
                bay = yield from self._wait(station.wait_green(), "queueing", self.station_w)
            rec.swap_started(self.id, station.index, env.now, stockout)
            self._settle()
            out = 1 - self.active
            if stockout:
                assert self.packs[out] is None
                fresh = station.take(bay)
            else:
                self.packs[out].location = ""
                fresh = station.exchange(self.packs[out], bay)
            fresh.location = f"robot:{self.id}"
            self.packs[out] = fresh
            self.needs_swap = False
            yield from self._spend(station.sample_swap_h(), "swapping", self.station_w, False)
            rec.swap_done(self.id, station.index, env.now)
            self._rebalance()
            if not self.needs_swap:
                break
        station.release_position(req)
        if station.travel_h > 0:
            yield from self._spend(station.travel_h, "travelling", self.walk_w, False)

    def strand(self) -> Proc:
        """Both packs empty: down for the rescue time; the crew charges both packs meanwhile."""
        env = self.env
        self.recorder.robot_stranded(self.id, env.now)
        self._enter("stranded", 0.0)
        yield env.timeout(self.rescue_h)
        grid_wh = 0.0
        for pack in self.packs:
            if pack is None:  # left at a station during a stock-out
                continue
            grid_wh += (1.0 - pack.soc) * pack.usable_wh
            pack.soc = 1.0
        self.recorder.rescue_charged(self.id, grid_wh, env.now)
        self.needs_swap = False
