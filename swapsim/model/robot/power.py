"""Power strategies: how a robot gets energy, as objects behind :class:`~swapsim.model.robot.trip.PowerStrategy`.

=========================  ==============================================================================
hook                       what it decides
=========================  ==============================================================================
``reach``                  the active pack reached the trigger or empty: switch packs, ask for a swap,
                           or report the robot stranded (False)
``rebalance``              after an exchange: which pack to run on, whether a swap is still needed
``pack_to_swap``           which pack to exchange
``swap_legs``              the exchange as (hours, state, power W) legs
``swap_budget_wh``         energy the robot may spend before its rule sends it to a station (dispatch)
``view_of``                what the robot sees of a station when choosing one
``serve``                  the robot's stay at a station (a swap visit, or a charge at a dock)
=========================  ==============================================================================

The registry :data:`~swapsim.model.registries.POWER_STRATEGIES` maps each ``strategy.kind`` to its class;
the scenario schema's allowed kinds are its names. A strategy is built by the fleet builder as
``cls(scenario, boot_rng)`` (``boot_rng``: the robot's own ``("boot", robot)`` stream when the class's
``boots`` is true, else None). Hours, Wh, W.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from swapsim.model.pack import Pack
from swapsim.model.policies import StationView
from swapsim.model.robot.body import Body, Proc
from swapsim.model.robot.trip import Goal, Trip

if TYPE_CHECKING:
    from swapsim.model.station import Station
    from swapsim.scenario import Scenario

__all__ = ["HotSwap", "ColdSwap", "PlugIn"]


class HotSwap:
    """``hot_swap``: two packs; at the trigger the robot switches to the other pack and swaps the drained one
    while running (all travel, queueing and swapping powered by the active pack)."""

    quiet_stretches = True
    plain_view = True
    boots = False
    """Whether it samples boot times (the fleet builder then gives it the robot's ``("boot", robot)`` stream)."""

    def __init__(self, scenario: "Scenario", boot_rng: np.random.Generator | None = None) -> None:
        self.go_at_once = scenario.policy.go == "immediately"
        self.trigger = scenario.policy.swap_trigger
        self.station_w = scenario.power.station_w

    def reach(self, body: Body, target: float) -> bool:
        return body.reach(target)

    def rebalance(self, body: Body) -> None:
        body.rebalance()

    def pack_to_swap(self, body: Body) -> int:
        """The emptier pack (the robot runs on the fuller one meanwhile)."""
        pack, other = body.packs[body.active], body.packs[1 - body.active]
        assert pack is not None and other is not None, "a robot comes to swap holding both packs"
        if pack.soc < other.soc:
            body.run_on(1 - body.active)
        return 1 - body.active

    def swap_legs(self, station: "Station") -> tuple[tuple[float, str, float], ...]:
        """Hot: the sampled swap time at station power drawn from the active pack."""
        return ((station.sample_swap_h(), "swapping", self.station_w),)

    def swap_budget_wh(self, body: Body) -> float:
        """Going at once: until the active pack reaches the trigger. After the activity (task): all of it."""
        if not self.go_at_once:
            return body.energy_wh()
        return max(0.0, body.socs_at(body.env.now)[body.active] - self.trigger) * body.active_pack.usable_wh

    def view_of(self, station: "Station") -> StationView:
        return station.view()

    def serve(self, trip: Trip, station: "Station", goal: Goal) -> Proc:
        return trip.visit(station, goal)


class ColdSwap(HotSwap):
    """``cold_swap``: one pack. At the trigger the robot must go at once; it powers down for the swap
    (``swapping``, no draw) and boots on the fresh pack for ``strategy.boot_time`` (``swapping``, at
    station power). The pack list has one entry; the active pack is always 0."""

    quiet_stretches = False  # its own energy rules
    boots = True

    def __init__(self, scenario: "Scenario", boot_rng: np.random.Generator | None = None) -> None:
        super().__init__(scenario)
        assert boot_rng is not None, "a cold swap samples its boot times"
        self.go_at_once = True
        self.boot = scenario.strategy.boot_time
        self.boot_rng = boot_rng

    def reach(self, body: Body, target: float) -> bool:
        body.packs[0].set_soc(target)  # type: ignore[union-attr]  # hot path; its one pack is held while it runs
        if target > 0.0:
            body.flag_swap()
            return True
        return False

    def rebalance(self, body: Body) -> None:
        body.flag_swap(body.active_pack.soc <= self.trigger)

    def pack_to_swap(self, body: Body) -> int:
        return 0

    def swap_legs(self, station: "Station") -> tuple[tuple[float, str, float], ...]:
        return (
            (station.sample_swap_h(), "swapping", 0.0),
            (self.boot.sample(self.boot_rng), "swapping", self.station_w),
        )

    def swap_budget_wh(self, body: Body) -> float:
        return max(0.0, body.socs_at(body.env.now)[0] - self.trigger) * body.active_pack.usable_wh


class PlugIn(HotSwap):
    """``plug_in``: two packs that stay in the robot. It runs on one pack to the trigger, then on the
    other; when both are at the trigger it walks to a station, waits for a dock and charges both packs
    in parallel (state ``charging``, no draw from the packs) until both read the ready threshold."""

    quiet_stretches = False  # its own energy rules
    plain_view = False

    def __init__(self, scenario: "Scenario", boot_rng: np.random.Generator | None = None) -> None:
        super().__init__(scenario)
        self.ready = scenario.policy.ready_threshold

    def reach(self, body: Body, target: float) -> bool:
        # hot path: annotations, no narrowing calls (a plug-in robot's packs never leave it)
        pack: Pack = body.packs[body.active]  # type: ignore[assignment]
        pack.set_soc(target)
        other: Pack = body.packs[1 - body.active]  # type: ignore[assignment]
        if target > 0.0:
            if other.soc > self.trigger:
                body.run_on(1 - body.active)
            else:
                body.flag_swap()
            return True
        if other.soc > 0.0:
            body.run_on(1 - body.active)
            body.flag_swap()
            return True
        return False

    def view_of(self, station: "Station") -> StationView:
        return station.dock_view(station.curve.time_to_soc_h(self.trigger, self.ready))

    def swap_budget_wh(self, body: Body) -> float:
        if not self.go_at_once:
            return body.energy_wh()
        socs = body.socs_at(body.env.now)
        return sum(max(0.0, s - self.trigger) * p.usable_wh for s, p in zip(socs, body.held_packs()))

    def serve(self, trip: Trip, station: "Station", goal: Goal) -> Proc:
        """Queue for a dock at ``station`` and charge (``goal`` is met by charging both packs to the ready
        threshold); False if it is down and another one is open."""
        return self._dock(trip, station)

    def _dock(self, trip: Trip, station: "Station") -> Proc:
        body = trip.body
        env = body.env
        rec = trip.recorder
        if not (yield from trip.join_queue(station, station.request_dock, station.withdraw_dock_request)):
            return False
        while not station.up:  # docked while the station is down and nowhere else to go
            yield from body.wait(station.reopening, "queueing", trip.station_w)
        rec.charge_started(body.id, station.index, env.now)
        body.enter("charging", 0.0)
        curve = station.curve
        packs = body.held_packs()
        socs0 = [p.soc for p in packs]
        hours = max(curve.time_to_soc_h(s, self.ready) for s in socs0)
        for pack in packs:
            pack.start_charging(curve, env.now)
        yield env.timeout(hours)
        grid_wh = 0.0
        for pack, s0 in zip(packs, socs0):
            s1 = pack.charge_along(curve, hours, env.now)
            grid_wh += (s1 - s0) * pack.usable_wh / station.efficiency
        body.after_charge()
        rec.robot_charged(body.id, station.index, grid_wh, hours, env.now)
        station.release_dock()
        return True
