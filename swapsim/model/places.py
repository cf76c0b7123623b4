"""Places at a station: bays (one pack and its charge session each) and a FIFO of swap positions or docks.

:class:`Places` is a first-come-first-served set of identical places, lighter than ``simpy.Resource``:
a request granted at once costs no event. Times in hours.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.pack import Pack

__all__ = ["Bay", "BayBank", "Docks", "Places"]


class Bay:
    """One bay of a station and the charge session of the pack in it."""

    __slots__ = (
        "index",
        "pack",
        "soc0",
        "t_start",
        "session",
        "charging",
        "green",
        "full",
        "slot",
        "reserved",
        "quarantined",
        "label",
        "wake_session",
        "t_green",
    )

    def __init__(self, index: int, label: str = "") -> None:
        self.index = index
        self.label = label
        """Where a pack in this bay is (``Pack.location``)."""
        self.pack: Pack | None = None
        self.soc0 = 0.0
        self.t_start = 0.0
        self.session = 0
        self.charging = False
        self.green = False
        self.full = False
        self.slot: simpy.resources.resource.Request | None = None
        self.reserved = False
        """Empty, but promised to a robot waiting to leave its drained pack."""
        self.quarantined = False
        self.wake_session = -1
        """Session whose "turns green" milestone has a wake-up timeout (a robot was waiting)."""
        self.t_green = math.inf
        """When the pack charging here reads the ready threshold (set when its charging starts)."""

    # -- the bay's own state changes (each the one writer of what it sets) ---------------------------
    def fill(self, pack: "Pack", now: float) -> None:
        """``pack`` is put in (at ``now``, h): a new session, not charging, not green, not full."""
        self.pack = pack
        self.session += 1
        self.soc0 = pack.soc
        self.t_start = now
        self.charging = self.green = self.full = False
        pack.move_to(self.label)

    def quarantine(self, pack: "Pack", now: float) -> None:
        """``pack`` is put in (at ``now``, h) and left there: never charged, never green."""
        self.fill(pack, now)
        self.quarantined = True

    def empty(self) -> None:
        """The pack is taken out: a new session, nothing charging, green or full."""
        self.pack = None
        self.session += 1
        self.charging = self.green = self.full = False

    def lift_quarantine(self) -> None:
        """The quarantined pack is taken out (the bay is then empty)."""
        self.pack = None
        self.session += 1
        self.quarantined = False

    def start_charging(self, now: float) -> None:
        """The charger starts at ``now`` (h)."""
        self.t_start = now
        self.charging = True

    def stop_charging(self) -> None:
        """The charge session ends (the pack stays)."""
        self.charging = False

    def turn_green(self) -> None:
        """The pack reads the ready threshold."""
        self.green = True

    def turn_full(self) -> None:
        """The charge is complete."""
        self.full = True

    def green_at(self, t: float) -> None:
        """The pack charging here will read the ready threshold at ``t`` (h)."""
        self.t_green = t

    def reserve(self, reserved: bool = True) -> None:
        """Promise the empty bay to a robot waiting to leave its drained pack (False: the promise is kept)."""
        self.reserved = reserved

    def hold_slot(self, slot: "simpy.resources.resource.Request | None") -> None:
        """The request for a charger under a power cap (None: the slot is given back)."""
        self.slot = slot

    def wake_for(self, session: int) -> bool:
        """Note that ``session``'s "turns green" gets a wake-up timeout; False if it already has one."""
        if self.wake_session == session:
            return False
        self.wake_session = session
        return True


class BayBank:
    """A station's bays: which are empty and free, and the robots waiting for one to leave a pack in.

    Args:
        n: number of bays.
        label: the station's name (a bay's label is ``station:<label>:bay<i>``).
    """

    __slots__ = ("bays", "_free", "_waiters")

    def __init__(self, n: int, label: str) -> None:
        self.bays = [Bay(i, f"station:{label}:bay{i}") for i in range(n)]
        self._free: list[int] = list(range(n))
        """Heap of the indices of the bays that are empty and not reserved (the lowest is used first)."""
        self._waiters: deque[simpy.Event] = deque()

    def claim(self) -> Bay | None:
        """The first (lowest-numbered) bay that is empty and not reserved, taken off the free list (the
        caller fills or reserves it at once), or None if there is none."""
        return self.bays[heapq.heappop(self._free)] if self._free else None

    def free(self, bay: Bay) -> None:
        """``bay`` is empty again: to the first robot waiting for one (reserved), or onto the free list."""
        if self._waiters:
            bay.reserve()
            self._waiters.popleft().succeed(bay)
        else:
            heapq.heappush(self._free, bay.index)

    def put_back(self, bay: Bay) -> None:
        """``bay`` is empty again and goes onto the free list (a robot waiting was served another)."""
        heapq.heappush(self._free, bay.index)

    def wait_empty(self, env: simpy.Environment) -> simpy.Event:
        """An event that fires with an empty bay reserved for a drop-off (at once if one is free)."""
        ev = env.event()
        bay = self.claim()
        if bay is not None:
            bay.reserve()
            ev.succeed(bay)
        else:
            self._waiters.append(ev)
        return ev

    def cancel_wait(self, event: simpy.Event) -> None:
        """A robot stops waiting for an empty bay."""
        if event in self._waiters:
            self._waiters.remove(event)

    def free_indices(self) -> list[int]:
        """Indices of the bays that are empty and not reserved, in order."""
        return sorted(self._free)


class Places:
    """``capacity`` identical places (swap positions, plug-in docks), granted first come, first served.

    :meth:`request` grants a free place at once and returns None, without scheduling anything;
    otherwise it returns an event that fires when the place is handed over. :meth:`release` hands
    the place to the first robot waiting (its event fires) or frees it. Lighter than
    ``simpy.Resource``, which schedules an event for every request and every release.
    """

    __slots__ = ("env", "capacity", "count", "queue", "busy", "queued")

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self.env = env
        self.capacity = capacity
        self.count = 0
        """Places held (a place being handed over counts as held), as ``simpy.Resource.count``."""
        self.queue: deque[simpy.Event] = deque()
        self.busy = 0
        """Places in use by a robot that has them (one handed over counts once its robot is told,
        :meth:`granted`)."""
        self.queued = 0
        """Robots waiting for a place."""

    def request(self) -> simpy.Event | None:
        """None if a place is free (it is now held and busy), else the event of a place in the queue."""
        if self.count < self.capacity and not self.queue:
            self.count += 1
            self.busy += 1
            return None
        ev = simpy.Event(self.env)
        self.queue.append(ev)
        self.queued += 1
        return ev

    def granted(self) -> None:
        """A robot waiting has been told it has its place (its request's event was processed)."""
        self.queued -= 1
        self.busy += 1

    def release(self) -> None:
        """Give the place up: to the first robot waiting, or free."""
        if self.queue:
            self.queue.popleft().succeed()
        else:
            self.count -= 1
        self.busy -= 1

    def withdraw(self, ev: simpy.Event) -> None:
        """Give up a place in the queue (not handed over yet)."""
        self.queue.remove(ev)
        self.queued -= 1


class Docks(Places):
    """A station's plug-in charging docks (one robot each, first come, first served), whose busy and
    queue counts are the station's when robots plug in.

    Args:
        env: the simulation environment.
        capacity: number of docks.
        recorder: receives the busy and queue counts (as the station's).
        index: the station's index.
        freed: told when a dock is freed (the station tells its listeners).
    """

    __slots__ = ("recorder", "index", "freed")

    def __init__(
        self, env: simpy.Environment, capacity: int, recorder: "Recorder", index: int, freed: Callable[[], None]
    ) -> None:
        super().__init__(env, capacity)
        self.recorder = recorder
        self.index = index
        self.freed = freed

    def join(self) -> simpy.Event | None:
        """Join the queue for a dock: None if one is free (now held), else the event of its hand-over."""
        req = self.request()
        if req is not None:
            req.callbacks.append(self._handed_over)
        self._record()
        return req

    def _handed_over(self, _event: simpy.Event) -> None:
        self.granted()
        self._record()

    def leave(self, req: simpy.Event) -> None:
        """A robot gives up waiting for a dock (or the dock, if it was handed over already)."""
        if req.triggered:
            self.free_one()
            return
        self.withdraw(req)
        req.callbacks.remove(self._handed_over)
        self._record()

    def free_one(self) -> None:
        """Free a dock; the next robot in the queue gets it in the same instant."""
        self.release()
        self._record()
        self.freed()

    def _record(self) -> None:
        now = self.env.now
        self.recorder.queue_changed(self.index, self.queued, now)
        self.recorder.busy_changed(self.index, self.busy, now)
