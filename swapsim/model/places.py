"""Places at a station: bays (one pack and its charge session each) and a FIFO of swap positions or docks.

:class:`Places` is a first-come-first-served set of identical places, lighter than ``simpy.Resource``:
a request granted at once costs no event. Times in hours.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import simpy

if TYPE_CHECKING:
    from swapsim.model.pack import Pack

__all__ = ["Bay", "Places"]


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


class Places:
    """``capacity`` identical places (swap positions, plug-in docks), granted first come, first served.

    :meth:`request` grants a free place at once and returns None, without scheduling anything;
    otherwise it returns an event that fires when the place is handed over. :meth:`release` hands
    the place to the first robot waiting (its event fires) or frees it. Lighter than
    ``simpy.Resource``, which schedules an event for every request and every release.
    """

    __slots__ = ("env", "capacity", "count", "queue")

    def __init__(self, env: simpy.Environment, capacity: int) -> None:
        self.env = env
        self.capacity = capacity
        self.count = 0
        """Places held (a place being handed over counts as held), as ``simpy.Resource.count``."""
        self.queue: deque[simpy.Event] = deque()

    def request(self) -> simpy.Event | None:
        """None if a place is free (it is now held), else the event of a place in the queue."""
        if self.count < self.capacity and not self.queue:
            self.count += 1
            return None
        ev = simpy.Event(self.env)
        self.queue.append(ev)
        return ev

    def release(self) -> None:
        """Give the place up: to the first robot waiting, or free."""
        if self.queue:
            self.queue.popleft().succeed()
        else:
            self.count -= 1

    def withdraw(self, ev: simpy.Event) -> None:
        """Give up a place in the queue (or the place itself, if it was handed over already)."""
        if ev.triggered:
            self.release()
        else:
            self.queue.remove(ev)
