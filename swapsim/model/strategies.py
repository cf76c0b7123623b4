"""Power strategies: how a robot gets energy, written as a few hooks the base robot calls.

:class:`~swapsim.model.robot.Robot` is the ``hot_swap`` robot (two packs, swap one while running on the
other). A strategy is a subclass overriding some of these hooks, and nothing else:

=========================  ==============================================================================
hook                       what it decides
=========================  ==============================================================================
``on_energy_event``        the active pack reached the trigger or empty: switch packs, ask for a swap,
                           or report the robot stranded (False)
``rebalance``              after an exchange: which pack to run on, whether a swap is still needed
``pack_to_swap``           which pack to exchange
``swap_legs``              the exchange as (hours, state, power W) legs
``swap_budget_wh``         energy the robot may spend before its rule sends it to a station (dispatch)
``view_of``                what the robot sees of a station when choosing one
``replenish``              the trip that restores energy (a swap trip, or a charge trip)
=========================  ==============================================================================

The registry :data:`~swapsim.model.registries.POWER_STRATEGIES` maps each ``strategy.kind`` to its robot
class; the scenario schema's allowed kinds are its names. Hours, Wh, W.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from swapsim.model.registries import POWER_STRATEGIES
from swapsim.model.robot import Robot

if TYPE_CHECKING:
    from swapsim.model.pack import Pack
    from swapsim.model.policies import StationView
    from swapsim.model.robot import Proc
    from swapsim.model.station import Station

__all__ = ["ColdSwapRobot", "PlugInRobot", "robot_class"]


class ColdSwapRobot(Robot):
    """``cold_swap``: one pack. At the trigger the robot must go at once; it powers down for the swap
    (``swapping``, no draw) and boots on the fresh pack for ``strategy.boot_time`` (``swapping``, at
    station power). The pack list has one entry; ``active`` is always 0."""

    quiet_stretches = False  # its own energy rules

    def __init__(self, *args: Any, boot_rng: np.random.Generator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.go_at_once = True
        self.boot = self.scenario.strategy.boot_time
        self.boot_rng = boot_rng

    def on_energy_event(self, target: float) -> bool:
        self.settle()
        self.packs[0].set_soc(target)  # type: ignore[union-attr]  # hot path; its one pack is held while it runs
        if target > 0.0:
            self.needs_swap = True
            return True
        return False

    def rebalance(self) -> None:
        self.needs_swap = self.active_pack.soc <= self.trigger

    def pack_to_swap(self) -> int:
        return 0

    def swap_legs(self, station: "Station") -> tuple[tuple[float, str, float], ...]:
        return (
            (station.sample_swap_h(), "swapping", 0.0),
            (self.boot.sample(self.boot_rng), "swapping", self.station_w),
        )

    def swap_budget_wh(self) -> float:
        return max(0.0, self._socs_now()[0] - self.trigger) * self.active_pack.usable_wh


class PlugInRobot(Robot):
    """``plug_in``: two packs that stay in the robot. It runs on one pack to the trigger, then on the
    other; when both are at the trigger it walks to a station, waits for a dock and charges both packs
    in parallel (state ``charging``, no draw from the packs) until both read the ready threshold."""

    quiet_stretches = False  # its own energy rules

    def on_energy_event(self, target: float) -> bool:
        self.settle()
        # hot path: annotations, no narrowing calls (a plug-in robot's packs never leave it)
        pack: Pack = self.packs[self.active]  # type: ignore[assignment]
        pack.set_soc(target)
        other: Pack = self.packs[1 - self.active]  # type: ignore[assignment]
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
        return sum(max(0.0, s - self.trigger) * p.usable_wh for s, p in zip(self._socs_now(), self.held_packs()))

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
        packs = self.held_packs()
        socs0 = [p.soc for p in packs]
        hours = max(curve.time_to_soc_h(s, self.ready) for s in socs0)
        for pack in packs:
            pack.start_charging(curve, env.now)
        yield env.timeout(hours)
        grid_wh = 0.0
        for pack, s0 in zip(packs, socs0):
            s1 = pack.charge_along(curve, hours, env.now)
            grid_wh += (s1 - s0) * pack.usable_wh / station.efficiency
        self._after_charge()
        rec.robot_charged(self.id, station.index, grid_wh, hours, env.now)
        station.release_dock()
        return True


def robot_class(kind: str) -> type[Robot]:
    """The robot class of a power strategy (``strategy.kind``, a name in ``POWER_STRATEGIES``)."""
    cls: type[Robot] = POWER_STRATEGIES[kind]
    return cls
