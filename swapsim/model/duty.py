"""Task demand and shifts: how a robot serves a task board, swaps early when a station is free, and goes
off and on duty.

A layer of :class:`~swapsim.model.robot.Robot` on top of :class:`~swapsim.model.trip.SwapTrip`. In task mode the walk to
a task and every non-``idle`` step count as ``working``; ``policy.go: after_activity`` means after the
task. A robot whose ``on_duty`` the shift manager clears finishes its task or activity step and goes off
duty (:meth:`Duty.go_off_duty`). Hours, Wh, W.
"""

from __future__ import annotations

import math
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING

import simpy

from swapsim.model.policies import swap_early
from swapsim.model.quiet import Leg, plan_quiet
from swapsim.model.robot_energy import Proc
from swapsim.model.trip import SwapTrip

if TYPE_CHECKING:
    from swapsim.model.station import Station
    from swapsim.model.workload import Task, TaskBoard

__all__ = ["Duty"]

_ALARM = object()
"""The value an idle robot is woken with at its energy event (:meth:`Duty.await_call`)."""


class Duty(SwapTrip):
    """A robot that serves task demand, swaps early when a station is free, and works shifts."""

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
        """Idle until the board calls; returns a task, ``"swap"``, ``"duty"``, or None if a pack needs a swap.

        The robot waits for its call alone; the time its active pack reaches its next threshold is an
        alarm that wakes it through the call (:meth:`_alarm`), so a call costs no condition event."""
        env = self.env
        call = board.offer(self)
        self._enter("idle", self.idle_w)
        if not isinstance(call, simpy.Event):  # a task was waiting: it is this robot's at once
            return call
        while not call.triggered:
            dt, target = self._next_energy_event()
            if dt != math.inf:
                env.timeout(dt).callbacks.append(partial(self._alarm, board, call))
            self.strikeable = True
            try:
                value = yield call
            except simpy.Interrupt as stop:
                self.strikeable = False
                board.withdraw(self)
                assert stop.cause is not None, "only faults interrupt a robot"
                yield from self.halt(stop.cause)
                if not call.triggered:
                    call = board.offer(self)
                    if not isinstance(call, simpy.Event):
                        return call
                continue
            self.strikeable = False
            if value is not _ALARM:
                return value
            call = self._call_after_alarm
            if call.triggered:  # called in the same instant
                break
            if not self.on_energy_event(target):
                board.withdraw(self)
                yield from self.strand()
                return None
            if self.needs_swap:
                board.withdraw(self)
                return None
        return call.value

    def _alarm(self, board: "TaskBoard", call: simpy.Event, _timeout: simpy.Event) -> None:
        """The active pack of the idle robot reaches its threshold: wake it, unless it was called first."""
        fresh = board.rearm(self, call)
        if fresh is not None:
            self._call_after_alarm = fresh
            call.succeed(_ALARM)

    def do_task(self, board: "TaskBoard", task: "Task") -> Proc:
        """Swap first if the dispatcher said so, walk to the task, do its steps (swapping when needed)."""
        if task.swap_first:
            yield from self.replenish(lambda: board.feasible(self, task))
        self.recorder.task_started(task.id, self.id, task.arrived_h, self.env.now)
        legs: list[Leg] = [(board.approach_h(self, task), ("working", board.approach_w))]
        legs += [(st.duration_h, (st.state, st.power_w)) for st in task.steps]
        n_legs = len(legs)
        i = 0
        while i < n_legs:
            remaining, (state, power) = legs[i]
            if self.quiet_ok and not (self.go_at_once and self.needs_swap):
                self.settle()  # as entering the leg would
                stretch = plan_quiet(self, islice(legs, i, None), None, not self.go_at_once)
                if stretch is not None:
                    halted = yield from self.run_quiet(stretch)
                    if halted is None:
                        i += stretch.n
                        continue
                    k, remaining, fault = halted  # a fault within leg i + k: the rest of it leg by leg
                    i += k
                    state, power = legs[i][1]
                    yield from self.halt(fault)
            while True:
                remaining = yield from self._spend(remaining, state, power, self.go_at_once)
                if remaining <= 0:
                    break
                yield from self.replenish()
            i += 1
        self.position = task.location
        self.recorder.task_done(task.id, self.id, task.arrived_h, self.env.now)

    # -- opportunistic swaps -----------------------------------------------------------------------
    def _wants_early_swap(self) -> bool:
        if self.opportunistic_below is None:
            return False
        soc = self.lowest_soc()
        if soc >= self.opportunistic_below:  # spare the station views
            return False
        return swap_early(soc, self.opportunistic_below, self.view_of(self.pick_station()))

    def _above_opportunistic(self) -> bool:
        below = self.opportunistic_below
        assert below is not None, "the goal of an opportunistic swap"
        return self.lowest_soc() >= below

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
            if self.off_duty_mode == "park_charging":  # read through Pack.soc_at until it ends
                for pack in self.held_packs():
                    pack.start_charging(self.park_curve, t0)
            yield self.duty_call
            self.duty_call = None
            self.parked = False
            if self.off_duty_mode == "park_charging":
                self._charge_parked(env.now - t0)
        self.parked = False
        station = station or self._nearest_station()
        if station.travel_h > 0:
            yield from self._spend(station.travel_h, "travelling", self.walk_w, False)

    def start_off_duty(self) -> None:
        """At time 0: off the roster, parked, its packs charged (before its process starts)."""
        self.on_duty = False
        self.parked = True
        for pack in self.held_packs():
            pack.set_soc(1.0)

    def release_from_duty(self) -> None:
        """The shift manager releases this robot (it goes off duty when its current work allows)."""
        self.on_duty = False

    def call_to_duty(self) -> None:
        """The shift manager wants this robot on duty."""
        self.on_duty = True
        if self.duty_call is not None and not self.duty_call.triggered:
            self.duty_call.succeed()

    def _nearest_station(self) -> "Station":
        return min(self.stations, key=lambda s: (s.travel_h, s.index))

    def _charge_parked(self, hours: float) -> None:
        """Charge every pack for ``hours`` in the parking spot (parallel chargers, CC-CV)."""
        self.settle()
        grid_wh = 0.0
        now = self.env.now
        for pack in self.held_packs():
            soc0 = pack.soc
            soc = pack.charge_along(self.park_curve, hours, now)
            grid_wh += (soc - soc0) * pack.usable_wh / self.park_efficiency
        self._after_charge()
        self.recorder.parking_charged(self.id, grid_wh, self.env.now, hours)
