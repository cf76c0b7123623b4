"""The station choice at scale: the exact answer of the lazy scan without a view of every station.

Rule ``shortest_wait`` sends a robot to the station with the least walk plus expected wait
(:func:`~swapsim.model.policies.expected_wait_h`), ties to the station listed first;
:func:`~swapsim.model.policies.choose_station_lazily` finds it by building a view of each station
in order of walk until the walk alone exceeds the best key. With many halls at the same walk (the
benchmark's 67 halls alternate two walks) that is tens of views per trip. :class:`StationChoiceIndex`
gives the same answer, and has the same side effects, from a few bit masks over the stations in
order of walk (bit ``p`` is the ``p``-th nearest):

* ``free``: stations where a robot arriving now would wait for nothing (busy + queue + incoming
  below the positions, more green packs than robots queueing or on their way): their key is their
  walk, exactly. The first one, F, is an upper bound of the answer.
* ``dirty``: stations with a charge milestone due but not applied (a view applies it, see
  :meth:`~swapsim.model.station.Station.view`: that may turn a pack green and the station free).
  A heap of alarms at each station's next milestone sets the bit when the time comes.
* ``unsure``: stations whose wait, when not free, may still add nothing to the walk in floating
  point (no swap time, or a power cap: a pack turning green "now" before its timeout fires).

Any other station that is not free waits a positive time that survives the addition: its key is
above its walk (for a pack turning green later, once the clock has passed the longest walk, the gap
is at least one unit in the last place of the walk). So among the stations at F's walk only those
before F and dirty or unsure can beat or change anything; the stations at a shorter walk are
scanned as the lazy scan does. The views built are exactly those of the lazy scan that change
something (a milestone applied, or a key that can win), in the same order, so a run is
bit-identical with or without the index. The index subscribes to each station at construction
(:meth:`~swapsim.model.station.Station.watch`, the station's one notifier), which keeps the masks
current through :meth:`StationChoiceIndex.changed`, :meth:`StationChoiceIndex.armed` and
:meth:`StationChoiceIndex.up_changed`, each O(1) (heap pushes O(log stations)); a station nobody
watches pays one test of ``None`` per change. A choice costs O(1) bit operations plus one view per station it has to look at.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence

from swapsim.model.policies import STATION_RULES, expected_wait_h
from swapsim.model.station import Station

__all__ = ["MIN_STATIONS", "StationChoiceIndex", "indexed"]

MIN_STATIONS = 3
"""An index is kept from this many stations (with two, the lazy scan is as cheap)."""


def indexed(rule: str, strategy: str, n_stations: int) -> bool:
    """Whether a fleet keeps a choice index: rule ``shortest_wait`` (``nearest`` builds no view anyway),
    robots that swap (plug-in robots see docks) and at least :data:`MIN_STATIONS` stations."""
    return rule == "shortest_wait" and strategy != "plug_in" and n_stations >= MIN_STATIONS


class StationChoiceIndex:
    """The free, dirty and unsure stations of a fleet as bit masks in order of walk (see the module).

    Args:
        stations: all stations, in scenario order; the index subscribes to each (:meth:`Station.watch`).
    """

    def __init__(self, stations: Sequence[Station]) -> None:
        if STATION_RULES["shortest_wait"] is not expected_wait_h:  # pragma: no cover - a changed rule
            raise ValueError("StationChoiceIndex answers for expected_wait_h only")
        self.stations = list(stations)
        n = len(self.stations)
        travel = [s.travel_h for s in self.stations]
        self.order = sorted(range(n), key=travel.__getitem__)
        """Station indices by walk, ties in scenario order (the lazy scan's order)."""
        self.walk = [travel[i] for i in self.order]
        self.bit = [0] * n
        """``bit[i]``: the mask bit of station ``i`` (``1 << its place in the order``)."""
        for p, i in enumerate(self.order):
            self.bit[i] = 1 << p
        self.group_start = [0] * n
        """For each place in the order, the first place with the same walk."""
        for p in range(1, n):
            self.group_start[p] = self.group_start[p - 1] if self.walk[p] == self.walk[p - 1] else p
        self.max_walk_h = max(travel)
        self.free = 0
        self.dirty = 0
        self.unsure = 0
        for s in self.stations:
            smh, walk = s.swap.mean_h, s.travel_h
            if s.charger.chargers is not None or not (smh > 0.0 and walk + smh / s.spec.positions > walk):
                self.unsure |= self.bit[s.index]
        self.down = 0
        """Bit mask of the stations down now (an outage): the choice is then left to the lazy scan."""
        self._alarm_h = [math.inf] * n
        self._alarms: list[tuple[float, int]] = []
        for s in self.stations:
            s.watch(self)

    # -- kept current by the stations ---------------------------------------------------------------
    def up_changed(self, station: Station) -> None:
        """``station`` went down (an outage) or came back up."""
        if station.up:
            self.down &= ~self.bit[station.index]
        else:
            self.down |= self.bit[station.index]

    def changed(self, station: Station) -> None:
        """``station``'s busy, queue, incoming or green count changed: update its free bit."""
        positions = station.positions
        waiting = positions.queued + station.incoming
        bit = self.bit[station.index]
        if positions.busy + waiting < positions.capacity and len(station.charger.green) > waiting:
            self.free |= bit
        else:
            self.free &= ~bit

    def armed(self, station: Station) -> None:
        """``station`` may have a new charge milestone: keep an alarm at or before its next one."""
        i = station.index
        t = station.charger.next_milestone_h()
        if t < self._alarm_h[i] and not self.dirty & self.bit[i]:
            self._alarm_h[i] = t
            heapq.heappush(self._alarms, (t, i))

    def _ring(self, now: float) -> None:
        """Mark dirty the stations whose next milestone is due by ``now``."""
        alarms, alarm_h, stations = self._alarms, self._alarm_h, self.stations
        while alarms and alarms[0][0] <= now:
            t, i = heapq.heappop(alarms)
            if t != alarm_h[i]:
                continue  # superseded by an earlier alarm
            alarm_h[i] = math.inf
            nxt = stations[i].charger.next_milestone_h()
            if nxt <= now:
                self.dirty |= self.bit[i]
            elif nxt < math.inf:
                alarm_h[i] = nxt
                heapq.heappush(alarms, (nxt, i))

    def _clean(self, station: Station) -> None:
        """``station`` has no milestone due (just viewed, or its dirty bit was stale): clear the bit."""
        self.dirty &= ~self.bit[station.index]
        self.armed(station)

    def _due(self, station: Station, now: float) -> bool:
        """Whether ``station`` has a milestone due by ``now`` (a stale dirty bit is cleared)."""
        if station.charger.next_milestone_h() <= now:
            return True
        self._clean(station)
        return False

    # -- the choice ------------------------------------------------------------------------------------
    def choose(self, now: float) -> "Station | None":
        """The station the lazy scan would choose by ``shortest_wait`` among all stations, viewing (so
        applying due milestones at) exactly the stations where the scan's view changes something; or
        None, having viewed nothing, where the index does not apply (a station down, no free station,
        or the clock before the longest walk): the caller then runs the lazy scan."""
        if self.down or now < self.max_walk_h:
            return None
        self._ring(now)
        free = self.free
        if not free:
            return None
        stations, order, walk = self.stations, self.order, self.walk
        pf = (free & -free).bit_length() - 1
        walk_f, g0 = walk[pf], self.group_start[pf]
        best, best_i = math.inf, -1
        for p in range(g0):  # shorter walks: the lazy scan itself
            w = walk[p]
            if w > best:
                return stations[best_i]
            i = order[p]
            if w == best and i > best_i:
                continue
            key = w + expected_wait_h(stations[i].view())
            self._clean(stations[i])
            if key < best or (key == best and i < best_i):
                best, best_i = key, i
        if walk_f > best:
            return stations[best_i]
        # F's walk: before F every station waits; only a dirty or unsure one can wait for nothing
        risky = (self.dirty | self.unsure) & ((1 << pf) - (1 << g0))
        while risky:
            low = risky & -risky
            risky ^= low
            i = order[low.bit_length() - 1]
            if walk_f == best and i > best_i:
                return stations[best_i]  # the scan skips it and every later station at this walk
            station = stations[i]
            if not self.unsure & low and not self._due(station, now):
                continue  # a stale dirty bit: its view changes nothing and its key is above its walk
            key = walk_f + expected_wait_h(station.view())
            self._clean(station)
            if key < best or (key == best and i < best_i):
                best, best_i = key, i
                if key == walk_f:
                    return station
        i = order[pf]
        if walk_f < best or (walk_f == best and i < best_i):
            station = stations[i]
            if self.dirty & (1 << pf) and self._due(station, now):
                station.view()  # the scan's view applies the milestones (the station stays free)
                self._clean(station)
            return station
        return stations[best_i]
