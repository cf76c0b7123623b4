"""A swap station: swap positions, bays with one charger each, green-light pack selection.

Robots queue (FIFO) for one of ``positions`` swap positions. At the start of a swap the robot puts
its drained pack into an empty bay and takes the best green pack (highest state of charge at or
above the ready threshold); the exchange is one instant, so the number of packs in a station
never changes and an empty bay always exists for the drop-off (validation keeps one empty at the
start). If no pack is green the robot waits, holding its position, for the first bay to turn green
(a stock-out): that pack is reserved for it.

Each bay charges its pack along the closed-form CC-CV curve (:class:`~swapsim.model.pack.ChargeCurve`):
one timeout to "turns green" and one to "charge complete", nothing in between. With a station power
cap, at most ``floor(cap / charger power)`` bays charge at once, the others wait in FIFO order.
Times in hours, energies in Wh, powers in W.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING, Generator

import numpy as np
import simpy

from swapsim.model.pack import ChargeCurve, Pack
from swapsim.policies import StationView, choose_pack

if TYPE_CHECKING:
    from swapsim.config import StationSpec
    from swapsim.metrics import Recorder

__all__ = ["Bay", "Station"]


class Bay:
    """One bay of a station and the charge session of the pack in it."""

    __slots__ = ("index", "pack", "soc0", "t_start", "session", "charging", "green", "full", "slot")

    def __init__(self, index: int) -> None:
        self.index = index
        self.pack: Pack | None = None
        self.soc0 = 0.0
        self.t_start = 0.0
        self.session = 0
        self.charging = False
        self.green = False
        self.full = False
        self.slot: simpy.resources.resource.Request | None = None


class Station:
    """A swap station and its charging bays.

    Args:
        env: the simulation environment.
        index: position of the station in the scenario.
        spec: the validated station spec.
        ready_threshold: state of charge at which a bay shows green.
        walking_speed_mps: robot walking speed, to turn distance into travel time.
        charger_power_w: grid power of one charger at its constant-current rate.
        recorder: receives the station's events.
        swap_rng: the station's stream for swap durations.
    """

    def __init__(self, env: simpy.Environment, index: int, spec: "StationSpec", ready_threshold: float,
                 walking_speed_mps: float, charger_power_w: float, recorder: "Recorder",
                 swap_rng: np.random.Generator) -> None:
        self.env = env
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.ready = ready_threshold
        self.recorder = recorder
        self.swap_rng = swap_rng
        self.travel_h = spec.distance / walking_speed_mps / 3600.0
        self.swap_mean_h = spec.swap_duration.mean
        self.curve = ChargeCurve(spec.charger.rate_c, spec.charger.cv_soc, spec.charger.cutoff_c)
        self.efficiency = spec.charger.efficiency
        self.positions = simpy.Resource(env, capacity=spec.positions)
        self.bays = [Bay(i) for i in range(spec.bays)]
        self.green: list[Bay] = []
        self._waiters: deque[simpy.Event] = deque()
        self.chargers: simpy.Resource | None = None
        if spec.power_cap is not None:
            self.chargers = simpy.Resource(env, capacity=max(1, int(spec.power_cap // charger_power_w)))

    # -- stocking and views ----------------------------------------------------------------------
    def stock(self, pack: Pack) -> None:
        """Put a full pack into the first empty bay at the start of a run."""
        bay = self._empty_bay(exclude=None)
        pack.soc = 1.0
        self._insert(bay, pack)

    def view(self) -> StationView:
        """What a robot deciding where to swap sees of this station now."""
        now = self.env.now
        nxt = math.inf
        for bay in self.bays:
            if bay.pack is not None and bay.charging and not bay.green:
                nxt = min(nxt, bay.t_start + self.curve.time_to_soc_h(bay.soc0, self.ready) - now)
        return StationView(self.travel_h, self.spec.positions, self.positions.count,
                           len(self.positions.queue), len(self.green), self.swap_mean_h, max(0.0, nxt))

    def bay_soc(self, bay: Bay) -> float:
        """State of charge of the pack in ``bay`` now (closed form)."""
        if bay.full:
            return 1.0
        if not bay.charging:
            return bay.soc0
        return self.curve.soc_after(bay.soc0, self.env.now - bay.t_start)

    def packs(self) -> list[Pack]:
        return [b.pack for b in self.bays if b.pack is not None]

    # -- swap positions ------------------------------------------------------------------------
    def request_position(self) -> simpy.resources.resource.Request:
        """Join the FIFO queue for a swap position."""
        req = self.positions.request()
        self._positions_changed()
        # SimPy grants a waiting request in a callback of the releasing event, after
        # release_position() has recorded; record again when this request is granted.
        req.callbacks.append(lambda _event: self._positions_changed())
        return req

    def release_position(self, req: simpy.resources.resource.Request) -> None:
        self.positions.release(req)
        self._positions_changed()

    def _positions_changed(self) -> None:
        now = self.env.now
        self.recorder.queue_changed(self.index, len(self.positions.queue), now)
        self.recorder.busy_changed(self.index, self.positions.count, now)

    def sample_swap_h(self) -> float:
        """Duration of one swap (h), from the station's own stream."""
        return self.spec.swap_duration.sample(self.swap_rng)

    # -- green packs -------------------------------------------------------------------------------
    def take_green(self) -> Bay | None:
        """Reserve the best green bay for a robot holding a position, or None (a stock-out)."""
        if not self.green:
            return None
        i = choose_pack([self.bay_soc(b) for b in self.green]) if len(self.green) > 1 else 0
        bay = self.green.pop(i)
        self.recorder.green_changed(self.index, len(self.green), self.env.now)
        return bay

    def wait_green(self) -> simpy.Event:
        """An event that fires with a reserved bay when the next pack turns green."""
        ev = self.env.event()
        self._waiters.append(ev)
        return ev

    def _turn_green(self, bay: Bay) -> None:
        bay.green = True
        if self._waiters:
            self._waiters.popleft().succeed(bay)
        else:
            self.green.append(bay)
            self.recorder.green_changed(self.index, len(self.green), self.env.now)

    # -- the exchange ------------------------------------------------------------------------------
    def exchange(self, drained: Pack, bay: Bay) -> Pack:
        """Put ``drained`` into an empty bay and hand out the pack of the reserved green ``bay``."""
        empty = self._empty_bay(exclude=bay)
        taken = self._remove(bay)
        drained.cycles += 1
        self._insert(empty, drained)
        return taken

    def _empty_bay(self, exclude: Bay | None) -> Bay:
        for b in self.bays:
            if b.pack is None and b is not exclude:
                return b
        raise RuntimeError(f"station {self.name}: no empty bay for a drop-off")  # pragma: no cover

    def _insert(self, bay: Bay, pack: Pack) -> None:
        bay.pack = pack
        bay.session += 1
        bay.soc0 = pack.soc
        bay.t_start = self.env.now
        bay.charging = False
        bay.green = False
        bay.full = False
        pack.location = f"station:{self.name}:bay{bay.index}"
        if pack.soc >= 1.0 or self.curve.time_to_full_h(pack.soc) == 0.0:
            pack.soc = 1.0
            bay.full = True
            self._turn_green(bay)
            return
        if pack.soc >= self.ready:
            self._turn_green(bay)
        self.env.process(self.charge(bay, bay.session))

    def _remove(self, bay: Bay) -> Pack:
        pack = bay.pack
        assert pack is not None
        if bay.charging and not bay.full:
            self._end_session(bay, self.bay_soc(bay))
        elif bay.slot is not None:  # still waiting for a charger under the power cap
            bay.slot.cancel()
            bay.slot = None
        bay.pack = None
        bay.session += 1
        bay.charging = bay.green = bay.full = False
        return pack

    def _end_session(self, bay: Bay, soc_end: float) -> None:
        pack = bay.pack
        grid_wh = max(0.0, soc_end - pack.soc) * pack.usable_wh / self.efficiency
        pack.soc = soc_end
        self.recorder.charge_ended(self.index, grid_wh, self.env.now)
        bay.charging = False
        if bay.slot is not None:
            self.chargers.release(bay.slot)
            bay.slot = None

    # -- charging process ----------------------------------------------------------------------------
    def charge(self, bay: Bay, session: int) -> Generator[simpy.Event, object, None]:
        """Charge the pack in ``bay`` to completion: turns green, then full (one timeout each)."""
        env = self.env
        if self.chargers is not None:
            req = self.chargers.request()
            bay.slot = req
            yield req
            if bay.session != session:  # pragma: no cover - removed while waiting; cancel() handles it
                return
        bay.t_start = env.now
        bay.charging = True
        soc0 = bay.soc0
        if not bay.green:
            yield env.timeout(self.curve.time_to_soc_h(soc0, self.ready))
            if bay.session != session:
                return
            self._turn_green(bay)
        rest = self.curve.time_to_full_h(soc0) - (env.now - bay.t_start)
        if rest > 0:
            yield env.timeout(rest)
            if bay.session != session:
                return
        self._end_session(bay, 1.0)
        bay.full = True
