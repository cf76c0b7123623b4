"""Charging in a station's bays: each pack along the closed-form CC-CV curve, with two milestones.

A part of :class:`~swapsim.model.station.Station` (:class:`BayCharger`). A charge session
has two milestones known in closed form when it starts: "turns green" (the ready threshold) and "full"
(the cut-off current); see the notes above :meth:`BayCharger._charge`. Times in hours, energies in Wh.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from typing import TYPE_CHECKING, Protocol

import simpy
from simpy.resources.resource import Request

from swapsim.model.pack import ChargeCurve, Pack
from swapsim.model.policies import choose_pack

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.places import Bay

__all__ = ["BayCharger", "ChargingStation", "ChargingPolicy", "FifoCharging", "GREEN", "FULL", "GREEN_AND_FULL"]


class ChargingPolicy(Protocol):
    """Which bay waiting for a charger gets the next one free, under a station power cap.

    A policy makes the station's pool of chargers (a SimPy resource of ``capacity`` chargers) and files
    each bay's request for one, knowing the pack the bay holds. A new policy is a class with these two
    methods registered in :data:`~swapsim.model.registries.CHARGING_POLICIES` (``policy.charging``).
    """

    def chargers(self, env: simpy.Environment, capacity: int) -> simpy.Resource:
        """The station's chargers."""
        ...

    def request(self, chargers: simpy.Resource, pack: Pack) -> Request:
        """A request for a charger for the bay holding ``pack`` (granted by the resource in its order)."""
        ...


class FifoCharging:
    """First come, first served: the bays get chargers in the order their packs arrived."""

    def chargers(self, env: simpy.Environment, capacity: int) -> simpy.Resource:
        return simpy.Resource(env, capacity=capacity)

    def request(self, chargers: simpy.Resource, pack: Pack) -> Request:
        return chargers.request()


GREEN, FULL, GREEN_AND_FULL = 0, 1, 2
"""Kinds of charge milestone: the pack reads the ready threshold, charging ends, or both at once."""


class ChargingStation(Protocol):
    """What the bays' charger asks of its station (:class:`~swapsim.model.station.Station`): its
    number and bays, and the one notifier that tells the station's watcher of changes."""

    index: int

    @property
    def bays(self) -> "list[Bay]": ...

    def notify_changed(self) -> None:
        """The green count (or another count a view reads) changed."""
        ...

    def notify_armed(self) -> None:
        """A charge session started: new charge milestones."""
        ...


class BayCharger:
    """A station's bays' charging: putting packs into bays and taking them out, charging them along the
    charge curve, turning them green, and the green list robots take packs from (a part of
    :class:`~swapsim.model.station.Station`).

    Args:
        env: the simulation environment.
        station: the station whose bays it charges (its index, bays and notifier).
        recorder: receives green counts and the energy of each charge session.
        curve: the chargers' CC-CV charge curve.
        efficiency: charger efficiency (grid energy = pack energy / efficiency).
        ready: the ready threshold: a pack at or above it is green.
        policy: which bay waiting for a charger gets the next one under a power cap.
        n_chargers: chargers under a power cap (None: every bay charges at once).
    """

    def __init__(
        self,
        env: simpy.Environment,
        station: ChargingStation,
        recorder: "Recorder",
        curve: ChargeCurve,
        efficiency: float,
        ready: float,
        policy: ChargingPolicy,
        n_chargers: int | None,
    ) -> None:
        self.env = env
        self.station = station
        self.recorder = recorder
        self.curve = curve
        self.efficiency = efficiency
        self.ready = ready
        self.policy = policy
        """Which bay waiting for a charger gets the next one (:class:`ChargingPolicy`)."""
        self.chargers: simpy.Resource | None = None if n_chargers is None else policy.chargers(env, n_chargers)
        """Chargers under a station power cap (None: every bay charges at once)."""
        self.green: list[Bay] = []
        """Bays whose pack is green and not reserved, in the order they turned green."""
        self._waiters: deque[simpy.Event] = deque()
        self._milestones: list[tuple[float, int, Bay, int, int]] = []
        """Charge milestones not applied yet: (time, order, bay, session, GREEN, FULL or GREEN_AND_FULL)."""
        self._seq = 0
        self._next_greens: list[tuple[float, int, Bay, int]] | None = None
        """Heap of (green time, order, bay, session) of the packs charging towards green, kept once a
        robot has looked at the station (views read the next green time off its top; stale entries
        are dropped when they reach it)."""
        self._green_when_full = ready >= curve.end_soc
        """The ready threshold is past the curve's end: a pack turns green when its charge ends."""

    # -- what a robot sees and takes -----------------------------------------------------------------
    def next_green_h(self, now: float) -> float:
        """Hours from ``now`` until the next pack charging turns green (inf if none; 0 if overdue),
        having applied the milestones due by now."""
        ms = self._milestones
        if ms and ms[0][0] <= now:
            self.advance()
        greens = self._next_greens
        if greens is None:  # first view: from now on every charge session is noted as it starts
            greens = self._next_greens = [
                (b.t_green, -b.index - 1, b, b.session)
                for b in self.station.bays
                if b.pack is not None and b.charging and not b.green
            ]
            heapq.heapify(greens)
        while greens and (greens[0][2].session != greens[0][3] or greens[0][2].green):
            heapq.heappop(greens)  # taken out, or green already
        nxt = greens[0][0] - now if greens else math.inf
        return nxt if nxt > 0.0 else 0.0

    def take_green(self) -> Bay | None:
        """Reserve the best green bay (highest charge now), or None (a stock-out)."""
        ms = self._milestones
        if ms and ms[0][0] <= self.env.now:
            self.advance()
        if not self.green:
            return None
        green = self.green
        i = choose_pack(map(self.bay_soc, green)) if len(green) > 1 else 0
        bay = green.pop(i)
        self.recorder.green_changed(self.station.index, len(green), self.env.now)
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

    def next_milestone_h(self) -> float:
        """Time of the next charge milestone not applied yet (h; inf if none): a view then applies it."""
        ms = self._milestones
        return ms[0][0] if ms else math.inf

    def _turn_green(self, bay: Bay, t: float | None = None) -> None:
        """The pack in ``bay`` reads the ready threshold (at ``t``; default now): to the first robot
        waiting, or onto the green list."""
        bay.turn_green()
        if self._waiters:
            self._waiters.popleft().succeed(bay)
        else:
            self.green.append(bay)
            self.recorder.green_changed(self.station.index, len(self.green), self.env.now if t is None else t)
        self.station.notify_changed()

    def bay_soc(self, bay: Bay) -> float:
        """State of charge of the pack in ``bay`` now (closed form)."""
        pack = bay.pack
        assert pack is not None, "asked of a bay holding a pack"
        return pack.soc_at(self.env.now)

    def insert(self, bay: Bay, pack: Pack) -> None:
        """Put ``pack`` into the empty ``bay`` and start charging it (or queue it for a charger)."""
        now = self.env.now
        ms = self._milestones
        if ms and ms[0][0] <= now:
            self.advance()  # earlier milestones first: the green count is recorded in time order
        bay.fill(pack, now)
        full_h = self.curve.time_to_full_h(pack.soc) if pack.soc < 1.0 else 0.0
        if full_h == 0.0:
            if pack.soc < 1.0:  # past the cut-off already: the charger only tops it up to 100 %
                self.recorder.charge_ended(
                    self.station.index, (1.0 - pack.soc) * pack.usable_wh / self.efficiency, self.env.now
                )
            pack.set_soc(1.0)
            bay.turn_full()
            self._turn_green(bay)
            self.station.notify_armed()
            return
        if pack.soc >= self.ready:
            self._turn_green(bay)
        self._charge(bay, full_h)
        self.station.notify_armed()

    def remove(self, bay: Bay) -> Pack:
        """Take the pack out of ``bay``, ending its charge session (or giving back its charger slot)."""
        pack = bay.pack
        assert pack is not None
        ms = self._milestones
        if ms and ms[0][0] <= self.env.now:
            self.advance()
        if bay.charging and not bay.full:
            self._end_session(bay, self.bay_soc(bay))
        elif bay.slot is not None:  # still waiting for a charger under the power cap
            if bay.slot.triggered:  # granted this instant, not yet started: give the charger back
                assert self.chargers is not None, "a bay holds a charger slot only under a power cap"
                self.chargers.release(bay.slot)
            else:
                bay.slot.cancel()
            bay.hold_slot(None)
        bay.empty()
        return pack

    def _end_session(self, bay: Bay, soc_end: float, t: float | None = None) -> None:
        pack = bay.pack
        assert pack is not None, "a charge session ends with its pack in the bay"
        gained = soc_end - pack.soc
        grid_wh = (gained if gained > 0.0 else 0.0) * pack.usable_wh / self.efficiency
        pack.end_charging(soc_end)
        self.recorder.charge_ended(self.station.index, grid_wh, self.env.now if t is None else t, bay.t_start)
        bay.stop_charging()
        if bay.slot is not None:
            assert self.chargers is not None, "a bay holds a charger slot only under a power cap"
            self.chargers.release(bay.slot)
            bay.hold_slot(None)

    # -- charging ------------------------------------------------------------------------------------
    # A charge session has two milestones known in closed form when it starts: "turns green" (the
    # ready threshold) and "full" (the cut-off current). Without a power cap nothing is scheduled for
    # them: they wait in a heap and are applied at their own times, in time order, by advance(), which
    # every method that reads or changes the bays or the green list calls first (and the engine before
    # the warm-up reset and at the horizon). Only a robot waiting for a green pack has to be woken, so
    # while one waits each pending "turns green" gets a timeout. Under a power cap the end of a session
    # hands its charger to the next bay at that moment, so there each milestone is a timeout with a
    # callback. A pack taken out ends its session; stale milestones see a new ``bay.session``.
    def _charge(self, bay: Bay, full_h: float) -> None:
        """Start the charge session of the pack just put into ``bay``, ``full_h`` from full (or queue
        it for a charger)."""
        session = bay.session
        if self.chargers is not None:
            pack = bay.pack
            assert pack is not None, "a charge session starts with its pack in the bay"
            req = self.policy.request(self.chargers, pack)
            bay.hold_slot(req)
            req.callbacks.append(lambda _ev: self._charging_from_now(bay, session))
            return
        now = self.env.now
        bay.start_charging(now)
        bay_pack = bay.pack
        assert bay_pack is not None, "a charge session starts with its pack in the bay"
        bay_pack.start_charging(self.curve, now)
        ms = self._milestones
        self._seq += 1
        if bay.green:
            heapq.heappush(ms, (now + full_h, self._seq, bay, session, FULL))
            return
        if self._green_when_full:  # one milestone: it turns green as charging ends
            to_green = full_h
            t_green = now + to_green
            heapq.heappush(ms, (t_green, self._seq, bay, session, GREEN_AND_FULL))
        else:
            to_green = self.curve.time_to_soc_h(bay.soc0, self.ready)
            t_green = now + to_green
            heapq.heappush(ms, (t_green, self._seq, bay, session, GREEN))
            self._seq += 1
            heapq.heappush(ms, (now + full_h, self._seq, bay, session, FULL))
        bay.green_at(t_green)
        if self._next_greens is not None:
            self._seq += 1
            heapq.heappush(self._next_greens, (t_green, self._seq, bay, session))
        if self._waiters:
            self._wake_at(bay, session, t_green, to_green)

    def advance(self) -> None:
        """Apply the charge milestones due by now, in time order, each at its own time."""
        ms = self._milestones
        now = self.env.now
        while ms and ms[0][0] <= now:
            t, _, bay, session, kind = heapq.heappop(ms)
            if bay.session != session:
                continue
            if kind != FULL:
                self._turn_green(bay, t)
            if kind != GREEN:
                self._end_session(bay, 1.0, t)
                bay.turn_full()

    def _wake_at(self, bay: Bay, session: int, t: float, delay: float | None = None) -> None:
        """A timeout at ``t`` (when ``bay`` turns green) that applies the milestones due then.

        ``delay``: the hours from now to ``t`` as the session computed them (its charge time, when the
        session starts now), so the timeout fires at exactly ``t``. Without it the delay is ``t - now``,
        nudged up by the last bit if rounding would make the timeout fire just before ``t`` (it would
        then find the milestone not yet due).
        """
        if not bay.wake_for(session):
            return
        now = self.env.now
        if delay is None:
            delay = max(0.0, t - now)
            while now + delay < t:
                delay = math.nextafter(delay, math.inf)
        timeout = self.env.timeout(delay)
        timeout.callbacks.append(self._woken)

    def _woken(self, _event: simpy.Event) -> None:
        self.advance()

    def _charging_from_now(self, bay: Bay, session: int) -> None:
        """Power cap: the session starts now that ``bay`` has a charger; milestones are timeouts."""
        if bay.session != session:  # pragma: no cover - removed while waiting; cancel() handles it
            return
        bay.start_charging(self.env.now)
        bay_pack = bay.pack
        assert bay_pack is not None, "a charge session starts with its pack in the bay"
        bay_pack.start_charging(self.curve, bay.t_start)
        if bay.green:
            self._schedule_full(bay, session)
            return
        to_green = self.curve.time_to_soc_h(bay.soc0, self.ready)
        bay.green_at(bay.t_start + to_green)
        if self._next_greens is not None:
            self._seq += 1
            heapq.heappush(self._next_greens, (bay.t_green, self._seq, bay, session))
        timeout = self.env.timeout(to_green)
        timeout.callbacks.append(lambda _ev: self._green_reached(bay, session))

    def _green_reached(self, bay: Bay, session: int) -> None:
        if bay.session != session:
            return
        self._turn_green(bay)
        if self._green_when_full:  # the same instant by definition (as GREEN_AND_FULL without a cap)
            self._full_reached(bay, session)
        else:
            self._schedule_full(bay, session)

    def _schedule_full(self, bay: Bay, session: int) -> None:
        rest = self.curve.time_to_full_h(bay.soc0) - (self.env.now - bay.t_start)
        if rest > 0:
            timeout = self.env.timeout(rest)
            timeout.callbacks.append(lambda _ev: self._full_reached(bay, session))
            return
        self._full_reached(bay, session)

    def _full_reached(self, bay: Bay, session: int) -> None:
        if bay.session != session:
            return
        self._end_session(bay, 1.0)
        bay.turn_full()

    # -- battery health: quarantine and replacement ----------------------------------------------------
    def bay_path(self, bay: Bay) -> tuple[float, float | None]:
        """How the charge of the pack in ``bay`` has moved since it arrived: (its charge on arrival, the
        time (h) its charger started, or None if it has not started). From that time it follows the
        charge curve (:class:`~swapsim.model.pack.ChargeCurve`); before it, it held its arrival charge."""
        if bay.quarantined or not (bay.charging or bay.full):
            return bay.soc0, None
        return bay.soc0, bay.t_start

    def bay_mean_soc(self, bay: Bay, since_h: float) -> float:
        """Mean state of charge of the pack in ``bay`` from ``since_h`` (its arrival) to now.

        Closed form: the charge it arrived with until its charger started, then the charge curve.
        """
        span = self.env.now - since_h
        if span <= 0 or bay.pack is None:
            return bay.soc0 if bay.pack is not None else 0.0
        if not (bay.charging or bay.full) or bay.quarantined:
            return bay.soc0
        wait = max(0.0, bay.t_start - since_h)
        charged = max(0.0, self.env.now - max(bay.t_start, since_h))
        return (bay.soc0 * wait + self.curve.soc_integral(bay.soc0, charged)) / span
