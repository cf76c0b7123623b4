"""The swap trip: walk to a station, queue for a position, exchange drained packs for green ones, walk back.

A layer of :class:`~swapsim.model.robot.Robot` on top of :class:`~swapsim.model.robot_energy.EnergyRobot`
(its energy bookkeeping and wait primitives). The station owns its positions and bays; the robot asks for a position, takes a
green pack (or, in a stock-out, leaves its drained pack in an empty bay and waits for the first pack to
turn green), and spends the swap legs the strategy gives (:meth:`~swapsim.model.robot.Robot.swap_legs`).
Station outages re-route queued robots through the work area when another station is open. Hours, W.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy

from swapsim.model.robot_energy import EnergyRobot, Proc

if TYPE_CHECKING:
    from swapsim.model.station import Station

__all__ = ["SwapTrip"]


class SwapTrip(EnergyRobot):
    """A robot that restores its energy by swap trips: the trip to a station and the visit there."""

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

    def _trip(
        self, serve: Callable[["Station", Callable[[], bool] | None], Proc], goal: Callable[[], bool] | None, park: bool
    ) -> Proc:
        """Walk to the chosen station and ``serve(station, goal)`` there (re-routing through the work
        area while ``serve`` reports the station down), then walk back unless parking. Returns the station."""
        station = self.pick_station()
        station.heading_here(1)
        if station.travel_h > 0.0:
            yield from self._spend(station.travel_h, "travelling", self.walk_w, False)
        station.heading_here(-1)
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

    def _join_queue(
        self, station: "Station", request: Callable[[], simpy.Event | None], withdraw: Callable[[simpy.Event], None]
    ) -> Proc:
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
                self.settle()
                out = self.pack_to_swap()
                drained, self.packs[out] = self.packs[out], None
                assert drained is not None, "the robot holds the pack it came to swap"
                green = station.wait_green()  # first in line, so a pack that is green at once is its own
                into = empty.value
                assert into is not None, "the event fires with the bay reserved for the drop-off"
                station.drop_off(drained, into)
                bay = yield from self._wait(green, "queueing", self.station_draw_w())
            assert bay is not None, "a green bay reserved for this robot (at once, or when one turned green)"
            rec.swap_started(self.id, station.index, env.now, stockout)
            if self.swap_faults is not None:
                yield from self._retry_failed_attempts(station)
            self.settle()
            if stockout:
                fresh = station.take(bay)
            else:
                out = self.pack_to_swap()
                drained = self.packs[out]
                assert drained is not None, "the robot holds the pack it came to swap"
                drained.location = ""
                fresh = station.exchange(drained, bay)
            fresh.location = self.label
            self.packs[out] = fresh
            self.needs_swap = False
            for hours, state, power_w in self.swap_legs(station):
                yield from self._spend(hours, state, power_w, False)
            rec.swap_done(self.id, station.index, env.now)
            self.rebalance()
            exchanges += 1
        station.release_position()
        return True

    def swap_legs(self, station: "Station") -> tuple[tuple[float, str, float], ...]:
        """The swap itself as (hours, state, power W) legs: hot, at station power drawn from the active pack."""
        return ((station.sample_swap_h(), "swapping", self.station_w),)

    def pack_to_swap(self) -> int:
        """Index of the pack to exchange: the emptier one (the robot runs on the fuller one meanwhile)."""
        pack, other = self.packs[self.active], self.packs[1 - self.active]
        assert pack is not None and other is not None, "a robot comes to swap holding both packs"
        if pack.soc < other.soc:
            self.active = 1 - self.active
        return 1 - self.active

    def station_draw_w(self) -> float:
        """The robot's draw at a station (W): ``station_w`` from its active pack, 0 while that slot is
        empty (a robot whose drained pack is already in a bay and that has no other pack powered: off)."""
        return self.station_w if self.packs[self.active] is not None else 0.0

    def _retry_failed_attempts(self, station: "Station") -> Proc:
        """Failed swap attempts (misread light, connector fault): each costs the retry time, ``down``."""
        faults = self.swap_faults
        if faults is None:
            return
        while faults.attempt_fails(station.index):
            self.recorder.swap_failed(self.id, station.index, self.env.now)
            yield from self._spend(faults.retry_h(station.index), "down", self.station_draw_w(), False)

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
            if not self.on_energy_event(target):
                yield from self.strand()
                self._enter("queueing", self.station_w)

    def _elsewhere(self, station: "Station") -> bool:
        """Whether another station is open (worth re-routing to)."""
        return any(s.up for s in self.stations if s is not station)
