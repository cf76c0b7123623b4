"""A swap station: swap positions, bays with one charger each, green-light pack selection.

Robots queue (FIFO) for one of ``positions`` swap positions. At the start of a swap the robot puts
its drained pack into an empty bay and takes the best green pack (highest state of charge at or
above the ready threshold); the exchange is one instant, so it leaves the number of packs in the
station unchanged (validation keeps one bay empty at the start). If no pack is green (a stock-out)
the robot first leaves its drained pack in an empty bay, where it starts charging, then waits,
holding its position, for the first pack to turn green: that pack is reserved for it (with no
charged pack at all, it is the robot's own). When every bay is full the robot waits for a bay to
be emptied by a robot ahead of it taking its green pack; such a robot always exists, because the
station never holds more than ``charged_packs`` packs plus the drained packs of waiting robots.

A station is made of parts: its bays' charger (:class:`~swapsim.model.charging.BayCharger`: milestones,
power cap, the green list, the mean charge a pack saw), its bays (:class:`~swapsim.model.places.BayBank`),
its swap positions and plug-in docks (two :class:`~swapsim.model.places.Places`, one FIFO class for
both) and whether it is up (:class:`~swapsim.model.outage.Availability`).

Each bay charges its pack along the closed-form CC-CV curve (:class:`~swapsim.model.pack.ChargeCurve`):
two milestones, "turns green" and "charge complete" (one when they coincide), nothing in between.
They cost no event: the station applies them at their own times when it is next looked at
(:meth:`Station.advance`), and wakes itself only for a robot waiting for a green pack (see the notes
above :meth:`BayCharger._charge <swapsim.model.charging.BayCharger._charge>`). With a station power cap, at most ``floor(cap / charger power)`` bays
charge at once, the others wait in the order of the charging policy
(:class:`~swapsim.model.charging.ChargingPolicy`; first come, first served unless the scenario names
another), and milestones are timeouts.

A station can go down (:meth:`Station.go_down`, an outage from :mod:`swapsim.model.faults`): it then
admits no robot until :meth:`Station.come_up`; robots waiting there learn it from the ``closing`` event
and may give up their place (:meth:`Station.withdraw_request`, :meth:`Station.cancel_bay_wait`); a
robot that has already left its drained pack in a bay stays for a green one (bays keep charging).
Swap positions and docks are :class:`Places` (a FIFO lighter than ``simpy.Resource``). For the
``plug_in`` strategy a station also has ``docks`` (one robot each) where robots
charge their own packs; its busy/queue hooks then report docks. ``freed_listeners`` are told whenever a
position or dock is freed (opportunistic swaps). The fleet's station-choice index, if it keeps one,
subscribes to the station (:meth:`Station.watch`) and is told of every change a view would see.
Times in hours, energies in Wh, powers in W.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import simpy

from swapsim.model.charging import BayCharger, ChargingPolicy, FifoCharging
from swapsim.model.outage import Availability
from swapsim.model.pack import ChargeCurve, Pack
from swapsim.model.places import Bay, BayBank, Docks, Places
from swapsim.model.policies import StationView
from swapsim.model.station_roles import PackInspector, StationWatcher

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.scenario import StationSpec


class SwapTimes(NamedTuple):
    """A station's swap durations: their mean (h) and the sampler of its own stream."""

    mean_h: float
    sample: Callable[[], float]


class Station:
    """A swap station: its swap positions, its bays and their charger, its plug-in docks.

    Args:
        env: the simulation environment.
        index: position of the station in the scenario.
        spec: the validated station spec.
        ready_threshold: state of charge at which a bay shows green.
        walking_speed_mps: robot walking speed, to turn distance into travel time.
        charger_power_w: grid power of one charger at its constant-current rate.
        recorder: receives the station's events.
        swap_rng: the station's stream for swap durations.
        charging: the charging policy under a power cap (default: first come, first served).
        health: ages and checks packs at each exchange (None: no health model).
    """

    choice: "StationWatcher[Station] | None"
    """The fleet's station-choice index (:mod:`swapsim.model.station_index`; None: none is kept),
    subscribed through :meth:`watch` and told of every change a view would see."""

    def __init__(
        self,
        env: simpy.Environment,
        index: int,
        spec: "StationSpec",
        ready_threshold: float,
        walking_speed_mps: float,
        charger_power_w: float,
        recorder: "Recorder",
        swap_rng: np.random.Generator,
        charging: ChargingPolicy | None = None,
        health: "PackInspector[Station] | None" = None,
    ) -> None:
        self.choice = None  # set in the constructor: a compiled (mypyc) class has no class-level default
        self.env = env
        self.index = index
        self.spec = spec
        self.recorder = recorder
        self.travel_h = spec.distance / walking_speed_mps / 3600.0
        self.swap = SwapTimes(spec.swap_duration.mean, spec.swap_duration.sampler(swap_rng))
        """Swap durations (the stream feeds swap times only)."""
        self.positions = Places(env, spec.positions)
        """Swap positions: ``busy`` (robots swapping or waiting there for a green pack), ``queued``."""
        self.incoming = 0
        """Robots walking here to swap (changed through :meth:`heading_here`)."""
        self.bank = BayBank(spec.bays, spec.name)
        self.charger = BayCharger(
            env,
            self,
            recorder,
            ChargeCurve(spec.charger.rate_c, spec.charger.cv_soc, spec.charger.cutoff_c),
            spec.charger.efficiency,
            ready_threshold,
            FifoCharging() if charging is None else charging,
            None if spec.power_cap is None else max(1, int(spec.power_cap // charger_power_w)),
        )
        self.health = health
        """Ages and checks packs at each exchange (None: no health model)."""
        self.availability = Availability(env)
        self.docks = Docks(env, spec.plug_in_docks, recorder, index, self._tell_freed)
        """Plug-in charging docks (one robot each): ``busy``, ``queued``."""
        self.freed_listeners: list = []
        """Callables ``f(station)`` told when a swap position or a dock is freed (opportunistic swaps)."""

    # -- read-only views of the parts (``busy``, ``queued``: the swap positions'; ``up``, ``closing``,
    # ``reopening``: see :class:`~swapsim.model.outage.Availability`) ----------------------------------
    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def bays(self) -> list[Bay]:
        return self.bank.bays

    @property
    def busy(self) -> int:
        return self.positions.busy

    @property
    def queued(self) -> int:
        return self.positions.queued

    @property
    def green(self) -> list[Bay]:
        """Bays holding a green pack not reserved (the charger's list: read, do not change)."""
        return self.charger.green

    @property
    def curve(self) -> ChargeCurve:
        return self.charger.curve

    @property
    def efficiency(self) -> float:
        return self.charger.efficiency

    @property
    def up(self) -> bool:
        """No outage now. A plain property: a class-body ``property(attrgetter(...))`` is no property in
        the compiled build (mypyc made it an instance attribute holding the property object, always true)."""
        return self.availability.up

    @property
    def closing(self) -> simpy.Event:
        return self.availability.closing

    @property
    def reopening(self) -> simpy.Event:
        return self.availability.reopening

    # -- the one notifier: the choice index, if the fleet keeps one, hears of every change ----------
    def watch(self, watcher: "StationWatcher[Station]") -> None:
        """Subscribe ``watcher`` (the fleet's station-choice index) to this station's changes: busy,
        queue, incoming and green counts (before any freed-position listener is told: it may choose a
        station at once), new charge milestones, outages. It is told of the state now at once."""
        self.choice = watcher
        watcher.up_changed(self)
        watcher.changed(self)
        watcher.armed(self)

    def notify_changed(self) -> None:
        """Tell the watcher a count a view reads has changed."""
        watcher = self.choice
        if watcher is not None:
            watcher.changed(self)

    def notify_armed(self) -> None:
        """Tell the watcher a charge session has started (new milestones)."""
        watcher = self.choice
        if watcher is not None:
            watcher.armed(self)

    # -- outages, plug-in docks, listeners (task demand, faults, power strategies) ----------------
    def go_down(self) -> None:
        """An outage starts: no robot is admitted; robots waiting here are told through ``closing``."""
        self.recorder.station_outage(self.index, self.env.now)
        self.availability.go_down()
        if self.choice is not None:
            self.choice.up_changed(self)

    def come_up(self) -> None:
        """The outage is repaired."""
        self.recorder.station_restored(self.index, self.env.now)
        self.availability.come_up()
        if self.choice is not None:
            self.choice.up_changed(self)

    def withdraw_request(self, req: simpy.Event) -> None:
        """A robot gives up its place in the queue for a swap position (the station closed)."""
        if req.triggered:
            self.release_position()
            return
        self.positions.withdraw(req)
        req.callbacks.remove(self._granted)
        self.recorder.queue_changed(self.index, self.positions.queued, self.env.now)
        if self.choice is not None:  # the notifier (inline: no call for a fleet without an index)
            self.choice.changed(self)

    def cancel_bay_wait(self, event: simpy.Event) -> None:
        """A robot holding a position stops waiting for an empty bay (the station closed)."""
        self.bank.cancel_wait(event)

    def _tell_freed(self) -> None:
        if self.choice is not None:  # a position was handed over (or a dock freed)
            self.choice.changed(self)
        for listener in self.freed_listeners:
            listener(self)

    def dock_view(self, charge_h: float) -> StationView:
        """What a plug-in robot deciding where to charge sees: docks as positions, ``charge_h`` a typical
        dock time (h); a dock needs no green pack."""
        docks = self.docks
        return StationView(self.travel_h, self.incoming, docks.capacity, docks.busy, docks.queued, docks.capacity,
                           charge_h, 0.0)  # fmt: skip

    def request_dock(self) -> simpy.Event | None:
        """Join the FIFO queue for a plug-in charging dock: None if one is free (now held), else the
        event that fires when one is handed over."""
        return self.docks.join()

    def withdraw_dock_request(self, req: simpy.Event) -> None:
        """A robot gives up waiting for a dock (the station closed)."""
        self.docks.leave(req)

    def release_dock(self) -> None:
        """Free a dock; the next robot in the queue gets it in the same instant."""
        self.docks.free_one()

    # -- stocking and views ----------------------------------------------------------------------
    def stock(self, pack: Pack) -> None:
        """Put a full pack into the first empty bay at the start of a run."""
        bay = self.bank.claim()
        assert bay is not None, "validation keeps charged_packs < bays"
        pack.set_soc(1.0)
        self.charger.insert(bay, pack)

    def view(self) -> StationView:
        """What a robot deciding where to swap sees of this station now."""
        charger = self.charger
        nxt = charger.next_green_h(self.env.now)  # applies the milestones due first
        positions = self.positions
        # positional, in StationView's field order (travel_h, incoming, positions, busy, queue, green,
        # swap_mean_h, next_green_h): cheaper than keywords; a robot may build one per station per trip
        return StationView(
            self.travel_h,
            self.incoming,
            positions.capacity,
            positions.busy,
            positions.queued,
            len(charger.green),
            self.swap.mean_h,
            nxt,
        )

    def advance(self) -> None:
        """Apply the charge milestones due by now, in time order, each at its own time."""
        self.charger.advance()

    def packs(self) -> list[Pack]:
        return [b.pack for b in self.bank.bays if b.pack is not None]

    def heading_here(self, robots: int) -> None:
        """``robots`` more robots walk here to swap (-1: one has arrived)."""
        self.incoming += robots
        if self.choice is not None:  # the notifier (inline: no call for a fleet without an index)
            self.choice.changed(self)

    # -- swap positions ------------------------------------------------------------------------
    def request_position(self) -> simpy.Event | None:
        """Join the FIFO queue for a swap position: None if one is free (now held), else the event
        that fires when one is handed over."""
        positions = self.positions
        req = positions.request()
        if req is None:
            self.recorder.busy_changed(self.index, positions.busy, self.env.now)
        else:
            req.callbacks.append(self._granted)
            self.recorder.queue_changed(self.index, positions.queued, self.env.now)
        if self.choice is not None:  # the notifier (inline: no call for a fleet without an index)
            self.choice.changed(self)
        return req

    def release_position(self) -> None:
        """Free the position; the next robot in the queue is handed it in the same instant."""
        self.positions.release()
        self.recorder.busy_changed(self.index, self.positions.busy, self.env.now)
        if self.choice is not None:  # the notifier (inline: no call for a fleet without an index)
            self.choice.changed(self)

    def _granted(self, _event: simpy.Event) -> None:
        self.positions.granted()
        now = self.env.now
        self.recorder.queue_changed(self.index, self.positions.queued, now)
        self.recorder.busy_changed(self.index, self.positions.busy, now)
        self._tell_freed()

    def sample_swap_h(self) -> float:
        """Duration of one swap (h), from the station's own stream."""
        return self.swap.sample()

    # -- green packs -------------------------------------------------------------------------------
    def take_green(self) -> Bay | None:
        """Reserve the best green bay for a robot holding a position, or None (a stock-out)."""
        bay = self.charger.take_green()
        if self.choice is not None:  # the notifier (inline: no call for a fleet without an index)
            self.choice.changed(self)
        return bay

    def wait_green(self) -> simpy.Event:
        """An event that fires with a reserved bay when the next pack turns green."""
        return self.charger.wait_green()

    # -- the exchange ------------------------------------------------------------------------------
    def exchange(self, drained: Pack, bay: Bay) -> Pack:
        """Put ``drained`` into an empty bay and hand out the pack of the reserved green ``bay``."""
        empty = self.bank.claim()  # never ``bay``: it holds the green pack
        health = self.health
        stay = self.charger.bay_path(bay) if health is not None and health.ageing else None  # only ageing reads it
        taken = self.charger.remove(bay)
        drained.count_cycle()
        if health is not None:
            health.handed_out(taken, self, stay)
        if empty is None:
            self._receive(drained, bay)
        else:
            self._receive(drained, empty)
            self.bank.put_back(bay)
        return taken

    def wait_empty_bay(self) -> simpy.Event:
        """An event that fires with an empty bay reserved for a drop-off (at once if one is free)."""
        return self.bank.wait_empty(self.env)

    def drop_off(self, drained: Pack, bay: Bay) -> None:
        """Put ``drained`` into the empty ``bay`` reserved for it, to charge (a stock-out drop-off)."""
        bay.reserve(False)
        drained.count_cycle()
        self._receive(drained, bay)

    def _receive(self, drained: Pack, bay: Bay) -> None:
        """A dropped-off pack: health check, then charging, or quarantine if it fails the check."""
        health = self.health
        if health is not None:
            reason = health.dropped_off(drained, self, bay)
            if reason:
                bay.quarantine(drained, self.env.now)  # left there: never charged, never green
                health.quarantined(drained, self, bay, reason)
                return
        self.charger.insert(bay, drained)

    def take(self, bay: Bay) -> Pack:
        """Hand out the pack of the reserved green ``bay`` to a robot that already left its drained pack."""
        health = self.health
        stay = self.charger.bay_path(bay) if health is not None and health.ageing else None  # only ageing reads it
        taken = self.charger.remove(bay)
        if health is not None:
            health.handed_out(taken, self, stay)
        self.bank.free(bay)
        return taken

    def bay_pack(self, bay: Bay) -> Pack:
        """The pack in ``bay`` (which must hold one)."""
        assert bay.pack is not None
        return bay.pack

    def quarantined_bays(self) -> int:
        """Bays blocked by a quarantined pack."""
        return sum(1 for b in self.bank.bays if b.quarantined)

    def replace_quarantined(self, bay: Bay, new: Pack) -> Pack:
        """A technician takes the quarantined pack out of ``bay`` and puts ``new`` in; returns the old one."""
        assert bay.quarantined and bay.pack is not None
        old = bay.pack
        bay.lift_quarantine()
        self.charger.insert(bay, new)
        return old
