"""Decisions as small pure functions: which station a robot walks to, which pack it takes.

Each function sees plain numbers (a :class:`StationView` per station, state of charge per bay)
and returns an index; none touches the simulation, so each is tested on its own and a new policy
is one more function.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

__all__ = ["StationView", "choose_station", "expected_wait_h", "choose_pack"]


@dataclass(frozen=True, slots=True)
class StationView:
    """What a robot knows about a station when it decides where to swap (times in hours)."""

    travel_h: float
    incoming: int
    """Robots already walking to this station to swap."""
    positions: int
    busy: int
    queue: int
    green: int
    swap_mean_h: float
    next_green_h: float
    """Hours until the next pack in the bays turns green (inf if none is charging)."""


def expected_wait_h(view: StationView) -> float:
    """A quick estimate of the wait at a station for one more robot arriving now (h).

    Robots ahead (swapping, queueing, or already walking there) beyond the free positions wait for
    swaps to finish at ``positions`` at a time; if there are no more green packs than robots queueing
    or on their way, add the time to the next green pack.
    """
    ahead = view.busy + view.queue + view.incoming
    queue_wait = max(0, ahead + 1 - view.positions) * view.swap_mean_h / view.positions
    stock_wait = 0.0 if view.green > view.queue + view.incoming else min(view.next_green_h, 24.0)
    return max(queue_wait, stock_wait)


def choose_station(rule: str, views: Sequence[StationView]) -> int:
    """Index of the station to walk to.

    ``nearest``: the shortest walk. ``shortest_wait``: the least walk plus expected wait.
    Ties go to the station listed first.
    """
    if rule == "nearest":
        key = [v.travel_h for v in views]
    elif rule == "shortest_wait":
        key = [v.travel_h + expected_wait_h(v) for v in views]
    else:
        raise ValueError(f"unknown station choice rule {rule!r}")
    return min(range(len(views)), key=key.__getitem__)


def choose_pack(socs: Sequence[float]) -> int:
    """Index (into ``socs``) of the green pack to hand out: the highest state of charge, first on ties."""
    return max(range(len(socs)), key=socs.__getitem__)
