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

The bays' charging (milestones, power cap, the mean charge a pack saw) is in :mod:`swapsim.model.charging`;
bays and the swap positions' FIFO are in :mod:`swapsim.model.places`.

Each bay charges its pack along the closed-form CC-CV curve (:class:`~swapsim.model.pack.ChargeCurve`):
two milestones, "turns green" and "charge complete" (one when they coincide), nothing in between.
They cost no event: the station applies them at their own times when it is next looked at
(:meth:`Station.advance`), and wakes itself only for a robot waiting for a green pack (see the notes
above :meth:`Station._charge`). With a station power cap, at most ``floor(cap / charger power)`` bays
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
position or dock is freed (opportunistic swaps). Times in hours, energies in Wh, powers in W.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from typing import TYPE_CHECKING, Protocol

import numpy as np
import simpy

from swapsim.model.charging import FULL, BayCharging, ChargingPolicy, FifoCharging
from swapsim.model.pack import ChargeCurve, Pack
from swapsim.model.places import Bay, Places
from swapsim.model.policies import StationView, choose_pack

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.scenario import StationSpec


class PackInspector(Protocol):
    """What a station tells the pack-health monitor (:class:`~swapsim.model.health.HealthMonitor`) at
    each exchange (declared here, so that the station and the monitor do not import each other)."""

    ageing: bool

    def handed_out(self, pack: Pack, station: "Station", stay: tuple[float, float | None] | None) -> None: ...

    def dropped_off(self, pack: Pack, station: "Station") -> str: ...

    def quarantined(self, pack: Pack, station: "Station", bay: Bay, reason: str) -> None: ...


class StationChooser(Protocol):
    """The fleet's station-choice index as robots ask it
    (:class:`~swapsim.model.station_index.StationChoiceIndex`)."""

    def choose(self, now: float) -> "Station | None": ...


class StationWatcher(StationChooser, Protocol):
    """The fleet's station-choice index as a station tells it of its changes (the one subscriber a
    station has, :meth:`Station.watch`): everything a view would see, as it happens."""

    def changed(self, station: "Station") -> None:
        """Busy, queue, incoming or green count changed."""
        ...

    def armed(self, station: "Station") -> None:
        """A new charge session: new charge milestones."""
        ...

    def up_changed(self, station: "Station") -> None:
        """The station went down or came back up (``station.up``)."""
        ...


class Station(BayCharging):
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
        charging: the charging policy under a power cap (default: first come, first served).
        health: ages and checks packs at each exchange (None: no health model).
    """

    choice: StationWatcher | None = None
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
        health: PackInspector | None = None,
    ) -> None:
        self.env = env
        self.index = index
        self.spec = spec
        self.name = spec.name
        self.ready = ready_threshold
        self.recorder = recorder
        self.swap_rng = swap_rng
        self.travel_h = spec.distance / walking_speed_mps / 3600.0
        self.swap_mean_h = spec.swap_duration.mean
        self._next_swap_h = spec.swap_duration.sampler(swap_rng)  # the stream feeds swap times only
        self.curve = ChargeCurve(spec.charger.rate_c, spec.charger.cv_soc, spec.charger.cutoff_c)
        self.efficiency = spec.charger.efficiency
        self.positions = Places(env, spec.positions)
        self.busy = 0
        """Positions in use (robots swapping or waiting there for a green pack)."""
        self.queued = 0
        """Robots waiting for a position."""
        self.incoming = 0
        """Robots walking here to swap (changed through :meth:`heading_here`)."""
        self.bays = [Bay(i, f"station:{self.name}:bay{i}") for i in range(spec.bays)]
        self._free: list[int] = list(range(spec.bays))
        """Heap of the indices of the bays that are empty and not reserved (the lowest is used first)."""
        self._milestones: list[tuple[float, int, Bay, int, int]] = []
        """Charge milestones not applied yet: (time, order, bay, session, GREEN, FULL or GREEN_AND_FULL)."""
        self._seq = 0
        self._next_greens: list[tuple[float, int, Bay, int]] | None = None
        """Heap of (green time, order, bay, session) of the packs charging towards green, kept once a
        robot has looked at the station (views read the next green time off its top; stale entries
        are dropped when they reach it)."""
        self._green_when_full = self.ready >= self.curve.end_soc
        """The ready threshold is past the curve's end: a pack turns green when its charge ends."""
        self.green: list[Bay] = []
        self._waiters: deque[simpy.Event] = deque()
        self._bay_waiters: deque[simpy.Event] = deque()
        self.charging_policy = FifoCharging() if charging is None else charging
        self.health = health
        """Ages and checks packs at each exchange (None: no health model)."""
        self.chargers: simpy.Resource | None = None
        if spec.power_cap is not None:
            self.chargers = self.charging_policy.chargers(env, max(1, int(spec.power_cap // charger_power_w)))
        self._init_service_extras()

    # -- the one notifier: the choice index, if the fleet keeps one, hears of every change ----------
    def watch(self, watcher: StationWatcher) -> None:
        """Subscribe ``watcher`` (the fleet's station-choice index) to this station's changes: busy,
        queue, incoming and green counts (before any freed-position listener is told: it may choose a
        station at once), new charge milestones, outages. It is told of the state now at once."""
        self.choice = watcher
        watcher.up_changed(self)
        watcher.changed(self)
        watcher.armed(self)

    def _changed(self) -> None:
        """Tell the watcher a count a view reads has changed."""
        watcher = self.choice
        if watcher is not None:
            watcher.changed(self)

    def _armed(self) -> None:
        """Tell the watcher a charge session has started (new milestones)."""
        watcher = self.choice
        if watcher is not None:
            watcher.armed(self)

    # -- outages, plug-in docks, listeners (task demand, faults, power strategies) ----------------
    def _init_service_extras(self) -> None:
        env = self.env
        self.up = True
        self.closing = env.event()
        """Fires when the station goes down (a new one is made at each repair)."""
        self.reopening = env.event()
        """Fires when the station comes back up (a new one is made at each outage)."""
        self.docks = Places(env, self.spec.plug_in_docks)
        self.docks_busy = 0
        self.docks_queued = 0
        self.freed_listeners: list = []
        """Callables ``f(station)`` told when a swap position or a dock is freed (opportunistic swaps)."""

    def go_down(self) -> None:
        """An outage starts: no robot is admitted; robots waiting here are told through ``closing``."""
        self.up = False
        self.recorder.station_outage(self.index, self.env.now)
        self.closing.succeed()
        self.reopening = self.env.event()
        if self.choice is not None:
            self.choice.up_changed(self)

    def come_up(self) -> None:
        """The outage is repaired."""
        self.up = True
        self.recorder.station_restored(self.index, self.env.now)
        self.closing = self.env.event()
        self.reopening.succeed()
        if self.choice is not None:
            self.choice.up_changed(self)

    def withdraw_request(self, req: simpy.Event) -> None:
        """A robot gives up its place in the queue for a swap position (the station closed)."""
        if req.triggered:
            self.release_position()
            return
        self.positions.withdraw(req)
        req.callbacks.remove(self._granted)
        self.queued -= 1
        self.recorder.queue_changed(self.index, self.queued, self.env.now)
        self._changed()

    def cancel_bay_wait(self, event: simpy.Event) -> None:
        """A robot holding a position stops waiting for an empty bay (the station closed)."""
        if event in self._bay_waiters:
            self._bay_waiters.remove(event)

    def _tell_freed(self) -> None:
        self._changed()  # a position was handed over (or a dock freed)
        for listener in self.freed_listeners:
            listener(self)

    def dock_view(self, charge_h: float) -> StationView:
        """What a plug-in robot deciding where to charge sees: docks as positions, ``charge_h`` a typical
        dock time (h); a dock needs no green pack."""
        return StationView(
            travel_h=self.travel_h,
            incoming=self.incoming,
            positions=self.docks.capacity,
            busy=self.docks_busy,
            queue=self.docks_queued,
            green=self.docks.capacity,
            swap_mean_h=charge_h,
            next_green_h=0.0,
        )

    def request_dock(self) -> simpy.Event | None:
        """Join the FIFO queue for a plug-in charging dock: None if one is free (now held), else the
        event that fires when one is handed over."""
        req = self.docks.request()
        if req is None:
            self.docks_busy += 1
        else:
            self.docks_queued += 1
            req.callbacks.append(self._dock_granted)
        self._docks_changed()
        return req

    def _dock_granted(self, _event: simpy.Event) -> None:
        self.docks_queued -= 1
        self.docks_busy += 1
        self._docks_changed()

    def withdraw_dock_request(self, req: simpy.Event) -> None:
        """A robot gives up waiting for a dock (the station closed)."""
        if req.triggered:
            self.release_dock()
            return
        self.docks.withdraw(req)
        req.callbacks.remove(self._dock_granted)
        self.docks_queued -= 1
        self._docks_changed()

    def release_dock(self) -> None:
        """Free a dock; the next robot in the queue gets it in the same instant."""
        self.docks.release()
        self.docks_busy -= 1
        self._docks_changed()
        self._tell_freed()

    def _docks_changed(self) -> None:
        now = self.env.now
        self.recorder.queue_changed(self.index, self.docks_queued, now)
        self.recorder.busy_changed(self.index, self.docks_busy, now)

    # -- stocking and views ----------------------------------------------------------------------
    def stock(self, pack: Pack) -> None:
        """Put a full pack into the first empty bay at the start of a run."""
        bay = self._claim_empty_bay()
        assert bay is not None, "validation keeps charged_packs < bays"
        pack.set_soc(1.0)
        self._insert(bay, pack)

    def view(self) -> StationView:
        """What a robot deciding where to swap sees of this station now."""
        now = self.env.now
        ms = self._milestones
        if ms and ms[0][0] <= now:
            self.advance()
        greens = self._next_greens
        if greens is None:  # first view: from now on every charge session is noted as it starts
            greens = self._next_greens = [
                (b.t_green, -b.index - 1, b, b.session)
                for b in self.bays
                if b.pack is not None and b.charging and not b.green
            ]
            heapq.heapify(greens)
        while greens and (greens[0][2].session != greens[0][3] or greens[0][2].green):
            heapq.heappop(greens)  # taken out, or green already
        nxt = greens[0][0] - now if greens else math.inf
        # positional, in StationView's field order (travel_h, incoming, positions, busy, queue, green,
        # swap_mean_h, next_green_h): cheaper than keywords; a robot may build one per station per trip
        return StationView(
            self.travel_h,
            self.incoming,
            self.spec.positions,
            self.busy,
            self.queued,
            len(self.green),
            self.swap_mean_h,
            nxt if nxt > 0.0 else 0.0,
        )

    def packs(self) -> list[Pack]:
        return [b.pack for b in self.bays if b.pack is not None]

    def heading_here(self, robots: int) -> None:
        """``robots`` more robots walk here to swap (-1: one has arrived)."""
        self.incoming += robots
        self._changed()

    def next_milestone_h(self) -> float:
        """Time of the next charge milestone not applied yet (h; inf if none): a view then applies it."""
        ms = self._milestones
        return ms[0][0] if ms else math.inf

    # -- swap positions ------------------------------------------------------------------------
    def request_position(self) -> simpy.Event | None:
        """Join the FIFO queue for a swap position: None if one is free (now held), else the event
        that fires when one is handed over."""
        req = self.positions.request()
        if req is None:
            self.busy += 1
            self.recorder.busy_changed(self.index, self.busy, self.env.now)
        else:
            self.queued += 1
            req.callbacks.append(self._granted)
            self.recorder.queue_changed(self.index, self.queued, self.env.now)
        self._changed()
        return req

    def release_position(self) -> None:
        """Free the position; the next robot in the queue is handed it in the same instant."""
        self.positions.release()
        self.busy -= 1
        self.recorder.busy_changed(self.index, self.busy, self.env.now)
        self._changed()

    def _granted(self, _event: simpy.Event) -> None:
        self.queued -= 1
        self.busy += 1
        self._positions_changed()
        self._tell_freed()

    def _positions_changed(self) -> None:
        now = self.env.now
        self.recorder.queue_changed(self.index, self.queued, now)
        self.recorder.busy_changed(self.index, self.busy, now)

    def sample_swap_h(self) -> float:
        """Duration of one swap (h), from the station's own stream."""
        return self._next_swap_h()

    # -- green packs -------------------------------------------------------------------------------
    def take_green(self) -> Bay | None:
        """Reserve the best green bay for a robot holding a position, or None (a stock-out)."""
        ms = self._milestones
        if ms and ms[0][0] <= self.env.now:
            self.advance()
        if not self.green:
            self._changed()
            return None
        green = self.green
        i = choose_pack(map(self.bay_soc, green)) if len(green) > 1 else 0
        bay = green.pop(i)
        self.recorder.green_changed(self.index, len(green), self.env.now)
        self._changed()
        return bay

    def wait_green(self) -> simpy.Event:
        """An event that fires with a reserved bay when the next pack turns green."""
        self.advance()
        ev = self.env.event()
        first = not self._waiters
        self._waiters.append(ev)
        if first:  # from now on a robot waits: wake the station at every pending "turns green"
            for t, _, bay, session, kind in self._milestones:
                if kind != FULL and bay.session == session:
                    self._wake_at(bay, session, t)
        return ev

    # -- the exchange ------------------------------------------------------------------------------
    def exchange(self, drained: Pack, bay: Bay) -> Pack:
        """Put ``drained`` into an empty bay and hand out the pack of the reserved green ``bay``."""
        empty = self._claim_empty_bay()  # never ``bay``: it holds the green pack
        health = self.health
        stay = self.bay_path(bay) if health is not None and health.ageing else None  # only ageing reads it
        taken = self._remove(bay)
        drained.count_cycle()
        if health is not None:
            health.handed_out(taken, self, stay)
        if empty is None:
            self._receive(drained, bay)
        else:
            self._receive(drained, empty)
            heapq.heappush(self._free, bay.index)
        return taken

    def wait_empty_bay(self) -> simpy.Event:
        """An event that fires with an empty bay reserved for a drop-off (at once if one is free)."""
        ev = self.env.event()
        bay = self._claim_empty_bay()
        if bay is not None:
            bay.reserve()
            ev.succeed(bay)
        else:
            self._bay_waiters.append(ev)
        return ev

    def drop_off(self, drained: Pack, bay: Bay) -> None:
        """Put ``drained`` into the empty ``bay`` reserved for it, to charge (a stock-out drop-off)."""
        bay.reserve(False)
        drained.count_cycle()
        self._receive(drained, bay)

    def _receive(self, drained: Pack, bay: Bay) -> None:
        """A dropped-off pack: health check, then charging, or quarantine if it fails the check."""
        health = self.health
        if health is not None:
            reason = health.dropped_off(drained, self)
            if reason:
                self._quarantine(bay, drained)
                health.quarantined(drained, self, bay, reason)
                return
        self._insert(bay, drained)

    def take(self, bay: Bay) -> Pack:
        """Hand out the pack of the reserved green ``bay`` to a robot that already left its drained pack."""
        health = self.health
        stay = self.bay_path(bay) if health is not None and health.ageing else None  # only ageing reads it
        taken = self._remove(bay)
        if health is not None:
            health.handed_out(taken, self, stay)
        if self._bay_waiters:
            bay.reserve()
            self._bay_waiters.popleft().succeed(bay)
        else:
            heapq.heappush(self._free, bay.index)
        return taken

    def _claim_empty_bay(self) -> Bay | None:
        """The first (lowest-numbered) bay that is empty and not reserved, taken off the free list (the
        caller fills or reserves it at once), or None if there is none."""
        return self.bays[heapq.heappop(self._free)] if self._free else None

    def bay_pack(self, bay: Bay) -> Pack:
        """The pack in ``bay`` (which must hold one)."""
        assert bay.pack is not None
        return bay.pack

    def _quarantine(self, bay: Bay, pack: Pack) -> None:
        """Put ``pack`` into the empty ``bay`` and leave it there: never charged, never green."""
        bay.quarantine(pack, self.env.now)

    def quarantined_bays(self) -> int:
        """Bays blocked by a quarantined pack."""
        return sum(1 for b in self.bays if b.quarantined)

    def replace_quarantined(self, bay: Bay, new: Pack) -> Pack:
        """A technician takes the quarantined pack out of ``bay`` and puts ``new`` in; returns the old one."""
        assert bay.quarantined and bay.pack is not None
        old = bay.pack
        bay.lift_quarantine()
        self._insert(bay, new)
        return old
