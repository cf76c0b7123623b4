"""The trip that restores a robot's energy: walk to a station, queue, be served there, walk back.

The station owns its positions and bays; the trip chooses a station, walks there, queues for a place
and lets the power strategy serve the robot (:meth:`PowerStrategy.serve`): a swap visit
(:meth:`Trip.visit`: take a green pack or, in a stock-out, leave the drained pack in an empty bay
and wait for the first pack to turn green; then the strategy's swap legs) or a charge at a dock. Station
outages re-route queued robots through the work area when another station is open. All energy is
drawn through the robot's :class:`~swapsim.model.robot.body.Body`. Hours, W.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol

import simpy

from swapsim.model.policies import StationView, choose_station_lazily, swap_early
from swapsim.model.robot.body import Body, EnergyRules, Proc

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.faults import SwapFaults
    from swapsim.model.station import Station

__all__ = ["Trip", "PowerStrategy", "Goal"]

Goal = Callable[[], bool] | None
"""When a visit has done enough (None: when no pack needs a swap)."""


class PowerStrategy(EnergyRules, Protocol):
    """How a robot gets energy (``strategy.kind``): the hooks its body, trip and work call.

    Implementations are in :mod:`swapsim.model.robot.power`, registered in
    :data:`~swapsim.model.registries.POWER_STRATEGIES`."""

    go_at_once: bool
    """Whether the robot goes to a station as soon as a pack reaches the trigger (else after the activity)."""
    quiet_stretches: bool
    """Whether quiet stretches (:mod:`swapsim.model.robot.quiet`) apply: the hot-swap energy rules only."""
    boots: bool
    """Whether it samples boot times (it is built with the robot's ``("boot", robot)`` stream)."""
    plain_view: bool
    """Whether it sees stations as :meth:`Station.view` does (the station-choice index may answer then)."""

    def pack_to_swap(self, body: Body) -> int:
        """Index of the pack to exchange (may switch the active pack)."""
        ...

    def swap_legs(self, station: "Station") -> tuple[tuple[float, str, float], ...]:
        """The exchange as (hours, state, power W) legs."""
        ...

    def swap_budget_wh(self, body: Body) -> float:
        """Energy the robot may spend before its rule sends it to a station (Wh)."""
        ...

    def view_of(self, station: "Station") -> StationView:
        """What the robot sees of ``station`` when choosing one."""
        ...

    def serve(self, trip: "Trip", station: "Station", goal: Goal) -> Proc:
        """The generator of the robot's stay at ``station`` (False if it is down and another is open)."""
        ...


class Trip:
    """A robot's trips to stations, for energy (its power strategy decides what happens there).

    Args:
        body: the robot's body.
        power: its power strategy.
        stations: all stations, in scenario order.
        recorder: receives arrivals, swaps, re-routes.
        station_rule: ``policy.station_choice``.
        walk_w, station_w: draw walking and at a station (W).
        opportunistic_below: swap early below this charge when a station is free (None: never).
        outages: whether stations can go down.
        swap_faults: the fleet's failed-swap faults (None: swaps never fail).
    """

    def __init__(
        self,
        body: Body,
        power: PowerStrategy,
        stations: Sequence["Station"],
        recorder: "Recorder",
        station_rule: str,
        walk_w: float,
        station_w: float,
        opportunistic_below: float | None,
        outages: bool,
        swap_faults: "SwapFaults | None",
    ) -> None:
        self.body = body
        self.power = power
        self.stations = stations
        self.recorder = recorder
        self.station_rule = station_rule
        self.walk_w = walk_w
        self.station_w = station_w
        self.opportunistic_below = opportunistic_below
        self.outages = outages
        self.swap_faults = swap_faults
        self._travel_h = [s.travel_h for s in stations]
        self._by_walk = sorted(range(len(stations)), key=self._travel_h.__getitem__)
        """Station indices by walk, ties in scenario order (the station choice looks at them in this order)."""

    # -- the station choice ---------------------------------------------------------------------------
    def pick_station(self, avoid: "Station | None" = None) -> "Station":
        """The station to walk to by the policy, among the open ones (all of them if none is open).

        With the fleet's choice index (``shortest_wait``, many stations) and a strategy that sees
        stations plainly, the index answers without viewing every station
        (:mod:`swapsim.model.station_index`); otherwise, or where the index does not apply, the lazy scan.
        """
        stations = self.stations
        if len(stations) == 1:  # nothing to choose (the rules below would pick it too)
            return stations[0]
        choice = stations[0].choice
        if choice is not None and avoid is None and self.power.plain_view:
            station = choice.choose(self.body.env.now)
            if station is not None:
                return station
        if avoid is None and not self.outages:  # no station ever closes: all are open (no O(stations) scan)
            cands = stations
        else:
            cands = [s for s in stations if s.up and s is not avoid]
            if not cands:
                cands = [s for s in stations if s is not avoid] or list(stations)
        if len(cands) == 1:  # nothing to choose: skip building the views (hot path with one station)
            return cands[0]
        if len(cands) == len(stations):  # all of them, in scenario order
            travel_h, order = self._travel_h, self._by_walk
        else:
            travel_h, order = [s.travel_h for s in cands], None
        view_of = self.power.view_of
        return cands[choose_station_lazily(self.station_rule, travel_h, lambda i: view_of(cands[i]), order)]

    def nearest_station(self) -> "Station":
        return min(self.stations, key=lambda s: (s.travel_h, s.index))

    # -- early swaps ------------------------------------------------------------------------------------
    def wants_early_swap(self) -> bool:
        """Whether to swap now, before the trigger: a pack below ``opportunistic_below`` and a station free."""
        if self.opportunistic_below is None:
            return False
        soc = self.body.lowest_soc()
        if soc >= self.opportunistic_below:  # spare the station views
            return False
        return swap_early(soc, self.opportunistic_below, self.power.view_of(self.pick_station()))

    def above_opportunistic(self) -> bool:
        """The goal of an early swap: every pack at or above ``opportunistic_below``."""
        below = self.opportunistic_below
        assert below is not None, "the goal of an opportunistic swap"
        return self.body.lowest_soc() >= below

    # -- the trip ---------------------------------------------------------------------------------------
    def replenish(self, goal: Goal = None, park: bool = False) -> Proc:
        """Get energy the strategy's way: the process of the trip (run it with ``yield from``; it returns
        the station used). ``goal``: swap (lowest pack first, at most one exchange per pack) until
        ``goal()`` holds; default: until no pack needs a swap. ``park``: stay at the station afterwards
        (going off duty). The trip's own generator is returned, not wrapped in another one: every wait
        on the trip resumes one frame less."""
        return self._walk_and_serve(goal, park)

    def _walk_and_serve(self, goal: Goal, park: bool) -> Proc:
        """Walk to the chosen station and be served there (re-routing through the work area while the
        strategy reports the station down), then walk back unless parking. Returns the station."""
        body = self.body
        serve = self.power.serve
        station = self.pick_station()
        station.heading_here(1)
        if station.travel_h > 0.0:
            yield from body.spend(station.travel_h, "travelling", self.walk_w, False)
        station.heading_here(-1)
        while not (yield from serve(self, station, goal)):
            other = self.pick_station(avoid=station)
            self.recorder.robot_rerouted(body.id, station.index, body.env.now)
            hop_h = station.travel_h + other.travel_h  # back through the work area
            if hop_h > 0:
                yield from body.spend(hop_h, "travelling", self.walk_w, False)
            station = other
        if not park and station.travel_h > 0.0:
            yield from body.spend(station.travel_h, "travelling", self.walk_w, False)
        return station

    def join_queue(
        self, station: "Station", request: Callable[[], simpy.Event | None], withdraw: Callable[[simpy.Event], None]
    ) -> Proc:
        """Arrive at ``station`` and queue for a place (``request``: None when granted at once, else the
        event of the place in the queue); returns True once the place is held, or False if the station
        is down and another one is open (the place given up with ``withdraw``)."""
        body = self.body
        if not station.up:
            if self._elsewhere(station):
                return False
            yield from body.wait(station.reopening, "queueing", self.station_w)
        self.recorder.robot_arrived(body.id, station.index, body.env.now)
        req = request()
        if req is None:
            return True
        if not self.outages:  # nothing can close the station: just wait (as wait_at does)
            yield from body.wait(req, "queueing", self.station_w)
            return True
        while not req.triggered:
            yield from self.wait_at(station, req)
            if not req.triggered and self._elsewhere(station):
                withdraw(req)
                return False
        return True

    def visit(self, station: "Station", goal: Goal) -> Proc:
        """Queue at ``station`` and swap until ``goal()`` holds (lowest pack first, at most one exchange
        per pack; no goal: until no pack needs a swap). False if it is down and another one is open."""
        body = self.body
        power = self.power
        env = body.env
        rec = self.recorder
        if not (yield from self.join_queue(station, station.request_position, station.withdraw_request)):
            return False
        n_packs = len(body.packs)
        exchanges = 0
        while exchanges < n_packs and (body.needs_swap if goal is None else not goal()):
            if not station.up:
                if self._elsewhere(station):
                    station.release_position()
                    return False
                yield from body.wait(station.reopening, "queueing", self.station_w)
                continue
            bay = station.take_green()
            stockout = bay is None
            if stockout:
                # Leave the drained pack to charge (waiting for a bay if all are full), then wait for
                # the first pack to turn green. Once its pack is in a bay the robot stays here.
                empty = station.wait_empty_bay()
                yield from self.wait_at(station, empty)
                if not empty.triggered:
                    station.cancel_bay_wait(empty)
                    continue
                body.settle()
                out = power.pack_to_swap(body)
                drained = body.take_out(out)
                green = station.wait_green()  # first in line, so a pack that is green at once is its own
                into = empty.value
                assert into is not None, "the event fires with the bay reserved for the drop-off"
                station.drop_off(drained, into)
                bay = yield from body.wait(green, "queueing", self.station_draw_w())
            assert bay is not None, "a green bay reserved for this robot (at once, or when one turned green)"
            rec.swap_started(body.id, station.index, env.now, stockout)
            if self.swap_faults is not None:
                yield from self._retry_failed_attempts(station)
            body.settle()
            if stockout:
                fresh = station.take(bay)
            else:
                out = power.pack_to_swap(body)
                fresh = station.exchange(body.take_out(out), bay)
            body.put_in(out, fresh)
            for hours, state, power_w in power.swap_legs(station):
                yield from body.spend(hours, state, power_w, False)
            rec.swap_done(body.id, station.index, env.now)
            power.rebalance(body)
            exchanges += 1
        station.release_position()
        return True

    def station_draw_w(self) -> float:
        """The robot's draw at a station (W): ``station_w`` from its active pack, 0 while that slot is
        empty (a robot whose drained pack is already in a bay and that has no other pack powered: off)."""
        body = self.body
        return self.station_w if body.packs[body.active] is not None else 0.0

    def _retry_failed_attempts(self, station: "Station") -> Proc:
        """Failed swap attempts (misread light, connector fault): each costs the retry time, ``down``."""
        faults = self.swap_faults
        if faults is None:
            return
        body = self.body
        while faults.attempt_fails(station.index):
            self.recorder.swap_failed(body.id, station.index, body.env.now)
            yield from body.spend(faults.retry_h(station.index), "down", self.station_draw_w(), False)

    def wait_at(self, station: "Station", event: simpy.Event) -> Proc:
        """Queue at ``station`` until ``event`` fires or, when outages can happen, the station goes down."""
        if not self.outages or not station.up:
            return self.body.wait(event, "queueing", self.station_w)
        return self.body.wait_either(event, station.closing, "queueing", self.station_w)

    def _elsewhere(self, station: "Station") -> bool:
        """Whether another station is open (worth re-routing to)."""
        return any(s.up for s in self.stations if s is not station)
