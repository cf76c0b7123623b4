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
  charge, so that slot is empty (``None``) until it takes the first pack to turn green; from then on
  it stays at that station (an outage does not send it elsewhere without its pack).

Power strategies (``strategy.kind``): :class:`Robot` is the ``hot_swap`` robot above.
:class:`ColdSwapRobot` (``cold_swap``) carries one pack: it must go when that pack reaches the trigger
(at once, whatever ``policy.go`` says), powers down for the swap (state ``swapping``, no draw) and boots
on the fresh pack for ``strategy.boot_time`` (also ``swapping``, at station power).
:class:`PlugInRobot` (``plug_in``) keeps its two packs: it runs on one pack to the trigger, then on the
other, and when both are at the trigger walks to a station, queues for a free dock and charges there
(state ``charging``) until both packs read the ready threshold. The two packs charge **in parallel**,
each along the station charger's CC-CV curve, so the dock time is that of the emptier pack.

Workload: :meth:`Robot.operate` runs the activity cycle; :meth:`Robot.serve` takes tasks from a
:class:`~swapsim.model.workload.TaskBoard` (the walk to a task and every non-``idle`` step count as
``working``). In task mode ``policy.go: after_activity`` means after the task. A robot with
``on_duty`` cleared by the shift manager finishes its task or activity step and goes off duty
(:meth:`Robot.go_off_duty`).

Faults (:mod:`swapsim.model.faults`) halt a robot that is working, idle or travelling through
``Process.interrupt``: the interrupted wait returns early, the energy drawn so far is settled, the
robot is ``down`` for the fault's duration at ``faults.down_power`` and then resumes the rest of what
it was doing. Station outages are seen at the station: queued robots re-route (via the work area)
when another station is open, and wait for the repair otherwise. A failed swap attempt costs the
retry time in state ``down`` and is tried again.

Robot states, exactly one at a time: see :data:`swapsim.metrics.ROBOT_STATES`. Hours, Wh, W.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Callable, Generator, Sequence

import numpy as np
import simpy

from swapsim.model.pack import ChargeCurve, Pack
from swapsim.policies import StationView, choose_station_lazily, swap_early

if TYPE_CHECKING:
    from swapsim.config import Scenario
    from swapsim.metrics import Recorder
    from swapsim.model.faults import Fault, SwapFaults
    from swapsim.model.station import Station
    from swapsim.model.workload import Task, TaskBoard

__all__ = ["Robot", "ColdSwapRobot", "PlugInRobot", "STRIKEABLE", "robot_class"]

Proc = Generator[simpy.Event, Any, Any]

STRIKEABLE = frozenset({"working", "idle", "travelling"})
"""States in which an emergency stop or a breakdown can halt a robot."""


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
        self.label = f"robot:{index}"
        """Where a pack in this robot is (``Pack.location``)."""
        for p in self.packs:
            p.location = self.label
        self.active = 0
        self.stations = stations
        self._travel_h = [s.travel_h for s in stations]
        self._by_walk = sorted(range(len(stations)), key=self._travel_h.__getitem__)
        """Station indices by walk, ties in scenario order (the station choice looks at them in this order)."""
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
        self._init_realistic_work(scenario)

    def _init_realistic_work(self, scenario: "Scenario") -> None:
        """Attributes for task demand, shifts, faults and the power strategies."""
        self.process: simpy.Process | None = None
        """The robot's own process (set by the fleet builder; faults interrupt it)."""
        self.position: tuple[float, float] = (0.0, 0.0)
        """Where on the floor the robot is between tasks (m)."""
        self.idle_w = self.powers["idle"]
        self.ready = scenario.policy.ready_threshold
        self.opportunistic_below = scenario.policy.opportunistic_below
        self.down_w = scenario.faults.down_power
        self.outages = scenario.faults.station_outage.rate_per_day > 0
        self.swap_faults: "SwapFaults | None" = None
        self.strikeable = False
        """True only while the process waits in a state a fault can interrupt."""
        self.on_duty = True
        self.parked = False
        self.duty_call: simpy.Event | None = None
        shifts = scenario.shifts
        self.off_duty_mode = shifts.off_duty if shifts is not None else "replenish"
        ch = scenario.stations[0].charger
        self.park_curve = ChargeCurve(ch.rate_c, ch.cv_soc, ch.cutoff_c)
        self.park_efficiency = ch.efficiency

    # -- energy bookkeeping ---------------------------------------------------------------------
    @property
    def active_pack(self) -> Pack:
        return self.packs[self.active]

    def _settle(self) -> None:
        """Draw the energy used since the last settlement from the active pack."""
        now = self.env.now
        dt = now - self.t_last
        if dt > 0.0 and self.power_w > 0.0:
            self.packs[self.active].draw(self.power_w * dt, self.t_last, now)
        self.t_last = now

    def _enter(self, state: str, power_w: float) -> None:
        """Change state and power draw now (the energy drawn so far is settled first)."""
        self._settle()
        if state != self.state:
            self.state = state
            self.recorder.robot_state(self.id, state, self.t_last)
        self.power_w = power_w

    def _next_energy_event(self) -> tuple[float, float]:
        """(hours until the active pack reaches its next threshold, that threshold)."""
        power_w = self.power_w
        if power_w <= 0.0:
            return math.inf, 0.0
        pack = self.packs[self.active]
        soc, usable_wh = pack.soc, pack.usable_wh
        target = self.trigger if soc > self.trigger else 0.0
        soc_now = soc - power_w * (self.env.now - self.t_last) / usable_wh
        dt = (soc_now - target) * usable_wh / power_w
        return (dt if dt > 0.0 else 0.0), target

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
        """Spend ``duration_h`` in ``state`` at ``power_w``; returns the time left if stopped for a swap.

        Each wait is one timeout: to the end, or to the active pack's next threshold if that comes
        first. A fault halting the robot meanwhile is served here (the robot is ``down``, then back in
        the state it was in), and the rest of the time is re-planned.
        """
        self._enter(state, power_w)
        env = self.env
        remaining = duration_h
        while remaining > 0.0:
            if stop_for_swap and self.needs_swap:
                return remaining
            t0 = env.now
            dt, target = self._next_energy_event()
            to_end = dt >= remaining
            self.strikeable = self.state in STRIKEABLE
            try:
                yield env.timeout(remaining if to_end else dt)
            except simpy.Interrupt as stop:
                self.strikeable = False
                remaining -= env.now - t0
                yield from self.halt(stop.cause)
                continue
            self.strikeable = False
            if to_end:
                return 0.0
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
        # Per step, once: its duration's sampler, state and power.
        steps = [(spec.duration.sample, "idle" if spec.activity == "idle" else "working", self.powers[spec.activity])
                 for spec in self.cycle]
        n_steps = len(steps)
        early_swaps = self.opportunistic_below is not None
        step = self.start_step
        first = True
        while True:
            if not self.on_duty:
                yield from self.go_off_duty()
            sample, state, power = steps[step]
            remaining = sample(rng)
            if first:
                remaining *= 1.0 - self.start_elapsed
                first = False
            if early_swaps and state == "idle":
                remaining = yield from self._swap_early_while_idle(remaining)
            while True:
                remaining = yield from self._spend(remaining, state, power, self.go_at_once)
                if remaining <= 0.0:
                    break
                yield from self.replenish()
            if self.needs_swap:
                yield from self.replenish()
            step += 1
            if step == n_steps:
                step = 0

    def _trip(self, serve: Callable[["Station", Callable[[], bool] | None], Proc],
              goal: Callable[[], bool] | None, park: bool) -> Proc:
        """Walk to the chosen station and ``serve(station, goal)`` there (re-routing through the work
        area while ``serve`` reports the station down), then walk back unless parking. Returns the station."""
        station = self.pick_station()
        station.incoming += 1
        if station.travel_h > 0.0:
            yield from self._spend(station.travel_h, "travelling", self.walk_w, False)
        station.incoming -= 1
        while not (yield from serve(station, goal)):
            other = self.pick_station(avoid=station)
            self.recorder.robot_rerouted(self.id, station.index, self.env.now)
            hop_h = station.travel_h + other.travel_h  # back through the work area
            if hop_h > 0:
                yield from self._spend(hop_h, "travelling", self.walk_w, False)
            station = other
        if not park and station.travel_h > 0.0:
            yield from self._spend(station.travel_h, "travelling", self.walk_w, False)
        return station

    def _join_queue(self, station: "Station", request: Callable[[], simpy.Event | None],
                    withdraw: Callable[[simpy.Event], None]) -> Proc:
        """Arrive at ``station`` and queue for a place (``request``: None when granted at once, else the
        event of the place in the queue); returns True once the place is held, or False if the station
        is down and another one is open (the place given up with ``withdraw``)."""
        if not station.up:
            if self._elsewhere(station):
                return False
            yield from self._wait(station.reopening, "queueing", self.station_w)
        self.recorder.robot_arrived(self.id, station.index, self.env.now)
        req = request()
        if req is None:
            return True
        if not self.outages:  # nothing can close the station: just wait (as _wait_at does)
            yield from self._wait(req, "queueing", self.station_w)
            return True
        return (yield from self._hold_place(station, req, withdraw))

    def _hold_place(self, station: "Station", req: simpy.Event, withdraw: Callable[[simpy.Event], None]) -> Proc:
        """Wait in the queue until ``req`` hands the place over (True), or give it up (False) when the
        station goes down and another one is open (outages on; without them _join_queue just waits)."""
        while not req.triggered:
            yield from self._wait_at(station, req)
            if not req.triggered and self._elsewhere(station):
                withdraw(req)
                return False
        return True

    def _visit(self, station: "Station", goal: Callable[[], bool] | None) -> Proc:
        """Queue at ``station`` and swap until ``goal()`` holds (lowest pack first, at most one exchange
        per pack; no goal: until no pack needs a swap). False if it is down and another one is open."""
        env = self.env
        rec = self.recorder
        if not (yield from self._join_queue(station, station.request_position, station.withdraw_request)):
            return False
        n_packs = len(self.packs)
        exchanges = 0
        while exchanges < n_packs and (self.needs_swap if goal is None else not goal()):
            if not station.up:
                if self._elsewhere(station):
                    station.release_position()
                    return False
                yield from self._wait(station.reopening, "queueing", self.station_w)
                continue
            bay = station.take_green()
            stockout = bay is None
            if stockout:
                # Leave the drained pack to charge (waiting for a bay if all are full), then wait for
                # the first pack to turn green. Once its pack is in a bay the robot stays here.
                empty = station.wait_empty_bay()
                yield from self._wait_at(station, empty)
                if not empty.triggered:
                    station.cancel_bay_wait(empty)
                    continue
                self._settle()
                out = self._pack_to_swap()
                drained, self.packs[out] = self.packs[out], None
                green = station.wait_green()  # first in line, so a pack that is green at once is its own
                station.drop_off(drained, empty.value)
                power = self.station_w if self.packs[self.active] is not None else 0.0  # one-pack robot: off
                bay = yield from self._wait(green, "queueing", power)
            rec.swap_started(self.id, station.index, env.now, stockout)
            if self.swap_faults is not None:
                yield from self._retry_failed_attempts(station)
            self._settle()
            if stockout:
                fresh = station.take(bay)
            else:
                out = self._pack_to_swap()
                self.packs[out].location = ""
                fresh = station.exchange(self.packs[out], bay)
            fresh.location = self.label
            self.packs[out] = fresh
            self.needs_swap = False
            for hours, state, power_w in self._swap_legs(station):
                yield from self._spend(hours, state, power_w, False)
            rec.swap_done(self.id, station.index, env.now)
            self._rebalance()
            exchanges += 1
        station.release_position()
        return True

    def _swap_legs(self, station: "Station") -> tuple[tuple[float, str, float], ...]:
        """The swap itself as (hours, state, power W) legs: hot, at station power drawn from the active pack."""
        return ((station.sample_swap_h(), "swapping", self.station_w),)

    def _pack_to_swap(self) -> int:
        """Index of the pack to exchange: the emptier one (the robot runs on the fuller one meanwhile)."""
        if self.packs[self.active].soc < self.packs[1 - self.active].soc:
            self.active = 1 - self.active
        return 1 - self.active

    def _retry_failed_attempts(self, station: "Station") -> Proc:
        """Failed swap attempts (misread light, connector fault): each costs the retry time, ``down``."""
        faults = self.swap_faults
        if faults is None:
            return
        while faults.attempt_fails(station.index):
            self.recorder.swap_failed(self.id, station.index, self.env.now)
            yield from self._spend(faults.retry_h(station.index), "down", self.station_w, False)

    def _wait_at(self, station: "Station", event: simpy.Event) -> Proc:
        """Queue at ``station`` until ``event`` fires or, when outages can happen, the station goes down.

        Waits on a flat ``any_of`` of the events and the energy timeout: SimPy disarms the events of a
        nested condition when the outer one fires, so conditions are never nested here.
        """
        if not self.outages or not station.up:
            yield from self._wait(event, "queueing", self.station_w)
            return
        self._enter("queueing", self.station_w)
        env = self.env
        closing = station.closing
        while not (event.triggered or closing.triggered):
            dt, target = self._next_energy_event()
            waits = [event, closing] if dt == math.inf else [event, closing, env.timeout(dt)]
            yield env.any_of(waits)
            if event.triggered or closing.triggered:
                break
            if not self._on_energy_event(target):
                yield from self.strand()
                self._enter("queueing", self.station_w)

    def _elsewhere(self, station: "Station") -> bool:
        """Whether another station is open (worth re-routing to)."""
        return any(s.up for s in self.stations if s is not station)

    # -- stations, energy and strategy hooks -------------------------------------------------------
    def view_of(self, station: "Station") -> StationView:
        """What this robot sees of ``station`` when choosing where to go."""
        return station.view()

    def pick_station(self, avoid: "Station | None" = None) -> "Station":
        """The station to walk to by the policy, among the open ones (all of them if none is open)."""
        if len(self.stations) == 1:  # nothing to choose (the rules below would pick it too)
            return self.stations[0]
        if avoid is None and not self.outages:  # no station ever closes: all are open (no O(stations) scan)
            cands = self.stations
        else:
            cands = [s for s in self.stations if s.up and s is not avoid]
            if not cands:
                cands = [s for s in self.stations if s is not avoid] or list(self.stations)
        if len(cands) == 1:  # nothing to choose: skip building the views (hot path with one station)
            return cands[0]
        if len(cands) == len(self.stations):  # all of them, in scenario order
            travel_h, order = self._travel_h, self._by_walk
        else:
            travel_h, order = [s.travel_h for s in cands], None
        return cands[choose_station_lazily(self.station_rule, travel_h, lambda i: self.view_of(cands[i]), order)]

    def replenish(self, goal: Callable[[], bool] | None = None, park: bool = False) -> Proc:
        """Get energy the strategy's way: the process of the trip (run it with ``yield from``; it
        returns the station used).

        Here a swap trip: walk to a station, queue, swap drained packs for green ones, walk back.
        ``goal``: swap (lowest pack first, at most one exchange per pack) until ``goal()`` holds;
        default: until no pack needs a swap. ``park``: stay at the station afterwards (going off duty).
        The trip's own generator is returned, not wrapped in another one: every wait on the trip
        resumes one frame less.
        """
        return self._trip(self._visit, goal, park)

    def _socs_now(self) -> list[float]:
        """State of charge of each pack now, the active one's unsettled draw included."""
        socs = [p.soc for p in self.packs]
        if self.power_w > 0:
            pack = self.packs[self.active]
            soc = pack.soc - self.power_w * (self.env.now - self.t_last) / pack.usable_wh
            socs[self.active] = soc if soc > 0.0 else 0.0  # max(0.0, soc), without the builtin's call cost
        return socs

    def energy_wh(self) -> float:
        """Energy left in all packs now (Wh)."""
        return sum([s * p.usable_wh for s, p in zip(self._socs_now(), self.packs)])

    def lowest_soc(self) -> float:
        """State of charge of the emptiest pack now."""
        return min(self._socs_now())

    def pack_usable_wh(self) -> float:
        """Usable energy of one full pack (the first) (Wh)."""
        return self.packs[0].usable_wh

    def swap_budget_wh(self) -> float:
        """Energy the robot may spend before its swap rule sends it to a station (Wh).

        Going at once: until the active pack reaches the trigger. After the activity (task): all of it.
        """
        if not self.go_at_once:
            return self.energy_wh()
        pack = self.packs[self.active]
        return max(0.0, self._socs_now()[self.active] - self.trigger) * pack.usable_wh

    # -- faults ------------------------------------------------------------------------------------
    def halt(self, fault: "Fault") -> Proc:
        """A fault halts the robot where it is: ``down`` for the fault's duration, then back as it was."""
        state, power = self.state, self.power_w
        self.recorder.robot_fault(self.id, fault.kind, fault.duration_h, self.env.now)
        yield from self._spend(fault.duration_h, "down", self.down_w, False)
        self._enter(state, power)

    # -- task demand -------------------------------------------------------------------------------
    def serve(self, board: "TaskBoard") -> Proc:
        """Task demand: offer itself when idle, do the tasks it is given, swap when it needs to."""
        while True:
            if not self.on_duty:
                yield from self.go_off_duty()
                continue
            if self.needs_swap:
                yield from self.replenish()
                continue
            if self._wants_early_swap():
                yield from self.replenish(self._above_opportunistic)
                continue
            call = yield from self.await_call(board)
            if call is None or call == "duty":
                continue
            if call == "swap":
                yield from self.replenish(self._above_opportunistic)
                continue
            yield from self.do_task(board, call)

    def await_call(self, board: "TaskBoard") -> Proc:
        """Idle until the board calls; returns a task, ``"swap"``, ``"duty"``, or None if a pack needs a swap."""
        env = self.env
        call = board.offer(self)
        self._enter("idle", self.idle_w)
        while not call.triggered:
            dt, target = self._next_energy_event()
            waits = call if dt == math.inf else call | env.timeout(dt)
            self.strikeable = True
            try:
                yield waits
            except simpy.Interrupt as stop:
                self.strikeable = False
                board.withdraw(self)
                yield from self.halt(stop.cause)
                if not call.triggered:
                    call = board.offer(self)
                continue
            self.strikeable = False
            if call.triggered:
                break
            if not self._on_energy_event(target):
                board.withdraw(self)
                yield from self.strand()
                return None
            if self.needs_swap:
                board.withdraw(self)
                return None
        return call.value

    def do_task(self, board: "TaskBoard", task: "Task") -> Proc:
        """Swap first if the dispatcher said so, walk to the task, do its steps (swapping when needed)."""
        if task.swap_first:
            yield from self.replenish(lambda: board.feasible(self, task))
        self.recorder.task_started(task.id, self.id, task.arrived_h, self.env.now)
        legs = [(board.approach_h(self, task), "working", board.approach_w)]
        legs += [(st.duration_h, st.state, st.power_w) for st in task.steps]
        for hours, state, power in legs:
            remaining = hours
            while True:
                remaining = yield from self._spend(remaining, state, power, self.go_at_once)
                if remaining <= 0:
                    break
                yield from self.replenish()
        self.position = task.location
        self.recorder.task_done(task.id, self.id, self.env.now)

    # -- opportunistic swaps -----------------------------------------------------------------------
    def _wants_early_swap(self) -> bool:
        if self.opportunistic_below is None:
            return False
        soc = self.lowest_soc()
        if soc >= self.opportunistic_below:  # spare the station views
            return False
        return swap_early(soc, self.opportunistic_below, self.view_of(self.pick_station()))

    def _above_opportunistic(self) -> bool:
        return self.lowest_soc() >= self.opportunistic_below

    def _swap_early_while_idle(self, idle_h: float) -> Proc:
        """Activity cycle: at the start of an idle step, swap early if a station is free; returns idle time left."""
        if not self._wants_early_swap():
            return idle_h
        t0 = self.env.now
        yield from self.replenish(self._above_opportunistic)
        return max(0.0, idle_h - (self.env.now - t0))

    # -- shifts ------------------------------------------------------------------------------------
    def _packs_ready(self) -> bool:
        return self.lowest_soc() >= self.ready

    def go_off_duty(self) -> Proc:
        """Off duty: replenish the packs (or walk to the parking), park until called, walk back to work.

        With ``shifts.off_duty: replenish`` the robot swaps (or charges at a dock) every pack below the
        ready threshold and parks at that station; with ``park_charging`` it walks to the nearest station's
        parking and its packs charge there while it is parked (along that station's charge curve).
        A robot called back before it has parked walks straight back to work.
        """
        env = self.env
        station = None
        if not self.parked:
            if self.off_duty_mode == "replenish" and not self._packs_ready():
                station = yield from self.replenish(self._packs_ready, park=True)
            else:  # walk to the parking by the nearest station
                station = self._nearest_station()
                if station.travel_h > 0:
                    yield from self._spend(station.travel_h, "travelling", self.walk_w, False)
        while not self.on_duty:
            self.parked = True
            self.duty_call = env.event()
            self._enter("off_duty", 0.0)
            t0 = env.now
            yield self.duty_call
            self.duty_call = None
            self.parked = False
            if self.off_duty_mode == "park_charging":
                self._charge_parked(env.now - t0)
        self.parked = False
        station = station or self._nearest_station()
        if station.travel_h > 0:
            yield from self._spend(station.travel_h, "travelling", self.walk_w, False)

    def call_to_duty(self) -> None:
        """The shift manager wants this robot on duty."""
        self.on_duty = True
        if self.duty_call is not None and not self.duty_call.triggered:
            self.duty_call.succeed()

    def _nearest_station(self) -> "Station":
        return min(self.stations, key=lambda s: (s.travel_h, s.index))

    def _charge_parked(self, hours: float) -> None:
        """Charge every pack for ``hours`` in the parking spot (parallel chargers, CC-CV)."""
        self._settle()
        grid_wh = 0.0
        now = self.env.now
        for pack in self.packs:
            soc0 = pack.soc
            soc = pack.charge_along(self.park_curve, hours, now)
            grid_wh += (soc - soc0) * pack.usable_wh / self.park_efficiency
        self._after_charge()
        self.recorder.parking_charged(self.id, grid_wh, self.env.now)

    def _after_charge(self) -> None:
        """Run on the fullest pack; nothing needs a swap unless a pack is still at the trigger."""
        self.active = max(range(len(self.packs)), key=lambda i: self.packs[i].soc)
        self.needs_swap = min(p.soc for p in self.packs) <= self.trigger

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


class ColdSwapRobot(Robot):
    """``cold_swap``: one pack. At the trigger the robot must go at once; it powers down for the swap
    (``swapping``, no draw) and boots on the fresh pack for ``strategy.boot_time`` (``swapping``, at
    station power). The pack list has one entry; ``active`` is always 0."""

    def __init__(self, *args: Any, boot_rng: np.random.Generator | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.go_at_once = True
        self.boot = self.scenario.strategy.boot_time
        self.boot_rng = boot_rng

    def _on_energy_event(self, target: float) -> bool:
        self._settle()
        self.packs[0].set_soc(target)
        if target > 0.0:
            self.needs_swap = True
            return True
        return False

    def _rebalance(self) -> None:
        self.needs_swap = self.packs[0].soc <= self.trigger

    def _pack_to_swap(self) -> int:
        return 0

    def _swap_legs(self, station: "Station") -> tuple[tuple[float, str, float], ...]:
        return ((station.sample_swap_h(), "swapping", 0.0),
                (self.boot.sample(self.boot_rng), "swapping", self.station_w))

    def swap_budget_wh(self) -> float:
        return max(0.0, self._socs_now()[0] - self.trigger) * self.packs[0].usable_wh


class PlugInRobot(Robot):
    """``plug_in``: two packs that stay in the robot. It runs on one pack to the trigger, then on the
    other; when both are at the trigger it walks to a station, waits for a dock and charges both packs
    in parallel (state ``charging``, no draw from the packs) until both read the ready threshold."""

    def _on_energy_event(self, target: float) -> bool:
        self._settle()
        pack = self.packs[self.active]
        pack.set_soc(target)
        other = self.packs[1 - self.active]
        if target > 0.0:
            if other.soc > self.trigger:
                self.active = 1 - self.active
            else:
                self.needs_swap = True
            return True
        if other.soc > 0.0:
            self.active = 1 - self.active
            self.needs_swap = True
            return True
        return False

    def view_of(self, station: "Station") -> StationView:
        return station.dock_view(station.curve.time_to_soc_h(self.trigger, self.ready))

    def swap_budget_wh(self) -> float:
        if not self.go_at_once:
            return self.energy_wh()
        return sum(max(0.0, s - self.trigger) * p.usable_wh for s, p in zip(self._socs_now(), self.packs))

    def replenish(self, goal: Callable[[], bool] | None = None, park: bool = False) -> Proc:
        """A charge trip (``goal`` is met by charging both packs to the ready threshold)."""
        return self.charge_trip(park)

    def charge_trip(self, park: bool = False) -> Proc:
        """Walk to a station, queue for a dock, charge both packs, walk back (unless parking)."""
        return self._trip(self._dock, None, park)

    def _dock(self, station: "Station", _goal: Callable[[], bool] | None = None) -> Proc:
        """Queue for a dock at ``station`` and charge; False if it is down and another one is open."""
        env = self.env
        rec = self.recorder
        if not (yield from self._join_queue(station, station.request_dock, station.withdraw_dock_request)):
            return False
        while not station.up:  # docked while the station is down and nowhere else to go
            yield from self._wait(station.reopening, "queueing", self.station_w)
        rec.charge_started(self.id, station.index, env.now)
        self._enter("charging", 0.0)
        curve = station.curve
        socs0 = [p.soc for p in self.packs]
        hours = max(curve.time_to_soc_h(s, self.ready) for s in socs0)
        yield env.timeout(hours)
        grid_wh = 0.0
        for pack, s0 in zip(self.packs, socs0):
            s1 = pack.charge_along(curve, hours, env.now)
            grid_wh += (s1 - s0) * pack.usable_wh / station.efficiency
        self._after_charge()
        rec.robot_charged(self.id, station.index, grid_wh, hours, env.now)
        station.release_dock()
        return True


def robot_class(kind: str) -> type[Robot]:
    """The robot class of a power strategy."""
    return {"hot_swap": Robot, "cold_swap": ColdSwapRobot, "plug_in": PlugInRobot}[kind]
