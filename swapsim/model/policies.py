"""Decisions as small pure functions: which station a robot walks to, which pack it takes, which
idle robot gets a task, whether a robot can do a task on its packs, whether an idle robot swaps early.

Each function sees plain numbers (a :class:`StationView` per station, state of charge per bay)
and returns an index; none touches the simulation, so each is tested on its own and a new policy
is one more function.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from swapsim.model.registries import Registry

__all__ = [
    "STATION_RULES",
    "DISPATCH_RULES",
    "StationView",
    "choose_station",
    "choose_station_lazily",
    "expected_wait_h",
    "choose_pack",
    "IdleRobot",
    "can_do_task",
    "choose_robots",
    "choose_robots_lazily",
    "best_robots",
    "station_is_free",
    "swap_early",
]


class StationView(NamedTuple):
    """What a robot knows about a station when it decides where to swap (times in hours).

    A named tuple (immutable, and cheap to build: a robot choosing among S stations builds up to S of
    them per trip, see :func:`choose_station_lazily`)."""

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


STATION_RULES: Registry[Callable[[StationView], float] | None] = Registry("station choice rule")
"""The station-choice rules (``policy.station_choice``): each rule's key is the walk plus a wait term
(h) that is never negative, or the walk alone (None). The scenario schema's allowed values are these
names."""
STATION_RULES.register("nearest", None)
STATION_RULES.register("shortest_wait", expected_wait_h)


def choose_station(rule: str, views: Sequence[StationView]) -> int:
    """Index of the station to walk to.

    ``nearest``: the shortest walk. ``shortest_wait``: the least walk plus expected wait.
    Ties go to the station listed first.
    """
    if rule not in STATION_RULES:
        raise ValueError(f"unknown station choice rule {rule!r}")
    extra = STATION_RULES[rule]
    key = [v.travel_h for v in views] if extra is None else [v.travel_h + extra(v) for v in views]
    return min(range(len(views)), key=key.__getitem__)


def choose_station_lazily(
    rule: str, travel_h: Sequence[float], view: Callable[[int], StationView], order: Sequence[int] | None = None
) -> int:
    """:func:`choose_station` that builds ``view(i)`` only for the stations that can still win.

    ``travel_h[i]`` is ``view(i).travel_h``, known without building the view; ``order`` lists the
    indices by walk, ties in list order (computed when not given). A station's key is its walk plus a
    wait that is never negative (``nearest``: its walk alone), so the stations are looked at in order
    of walk and the search stops at the first whose walk alone exceeds the best key so far. A station
    whose walk equals the best key can still tie, and wins the tie only if listed before the best one.
    The answer is always :func:`choose_station`'s on all the views; with a station that has a free
    position and a green pack near the front, it costs one view instead of one per station.
    """
    if rule not in STATION_RULES:
        raise ValueError(f"unknown station choice rule {rule!r}")
    extra = STATION_RULES[rule]
    if order is None:
        order = sorted(range(len(travel_h)), key=travel_h.__getitem__)
    best_i, best = -1, math.inf
    for i in order:
        walk = travel_h[i]
        if walk > best:
            break  # every station from here on walks at least this far
        if walk == best and i > best_i:
            continue  # at best a tie, which the station listed first wins
        key = walk if extra is None else walk + extra(view(i))
        if key < best or (key == best and i < best_i):
            best_i, best = i, key
    if best_i < 0:
        raise ValueError("choose_station_lazily: no station to choose from")
    return best_i


def choose_pack(socs: Iterable[float]) -> int:
    """Index (into ``socs``) of the green pack to hand out: the highest state of charge, first on ties.

    ``socs`` may be a lazy iterable: it is read in order and no further than the first full pack
    (state of charge 1, which nothing can beat), so the station computes no more charges than needed.
    """
    best_i, best = 0, -math.inf
    for i, soc in enumerate(socs):
        if soc > best:
            best_i, best = i, soc
            if soc >= 1.0:
                break
    return best_i


# ---------------------------------------------------------------------------------------------
# Task dispatch, energy feasibility and opportunistic swaps.


@dataclass(frozen=True, slots=True)
class IdleRobot:
    """What the dispatcher knows about an idle robot when it hands out a task."""

    idle_since_h: float
    distance_m: float
    """Walking distance from the robot to the task's location (m)."""
    feasible: bool
    """Whether the robot can do the task on its packs (see :func:`can_do_task`)."""


def can_do_task(budget_wh: float, energy_wh: float, task_wh: float, trip_wh: float, reserve_wh: float) -> bool:
    """Whether a robot can do a task without swapping first.

    Args:
        budget_wh: energy the robot may spend before its swap rule sends it to a station.
        energy_wh: energy left in all its packs.
        task_wh: energy of the task, the walk to it included.
        trip_wh: energy of the walk from the task to the nearest open station.
        reserve_wh: energy to keep after that walk (for queueing at the station).

    The task must end before the swap rule interrupts it, and what is left must take the robot to a
    station with the reserve intact. All energies in Wh.
    """
    return task_wh <= budget_wh and energy_wh - task_wh >= trip_wh + reserve_wh


DispatchKey = Callable[[Sequence[float], Callable[[], Sequence[float]]], Sequence[float]]
"""A dispatch rule: given each idle robot's idle-since time (h) and a function giving each one's walk
to the task (m; computed only if asked), each robot's key (the lowest gets the task)."""

DISPATCH_RULES: Registry[DispatchKey] = Registry("dispatch rule")
"""The task-dispatch rules (``workload.tasks.dispatch``); the scenario schema's allowed values are
these names. ``fifo``: the robot idle longest; ``nearest``: the shortest walk to the task."""
DISPATCH_RULES.register("fifo", lambda idle_since_h, _distance_m: idle_since_h)
DISPATCH_RULES.register("nearest", lambda _idle_since_h, distance_m: distance_m())


def choose_robots(rule: str, robots: Sequence[IdleRobot]) -> list[int]:
    """Indices of the best idle robots for a task (several on an exact tie; the caller breaks it).

    Robots that can do the task on their packs come first; only when none can is the best of the rest
    chosen (it swaps first). ``fifo``: the robot idle longest. ``nearest``: the shortest walk to the task.
    """
    return choose_robots_lazily(
        rule, [r.idle_since_h for r in robots], [r.distance_m for r in robots], lambda i: robots[i].feasible
    )


def choose_robots_lazily(
    rule: str, idle_since_h: Sequence[float], distance_m: Sequence[float], feasible: Callable[[int], bool]
) -> list[int]:
    """:func:`choose_robots` that asks ``feasible(i)`` only of the robots it has to.

    Robots are taken in the rule's order, in groups of equal key; the first group holding a robot that
    can do the task gives the answer (its feasible members). If no robot can, the first group is the answer.
    """
    if rule not in DISPATCH_RULES:
        raise ValueError(f"unknown dispatch rule {rule!r}")
    return best_robots(DISPATCH_RULES[rule](idle_since_h, lambda: distance_m), feasible)[0]


def best_robots(key: Sequence[float], feasible: Callable[[int], bool]) -> tuple[list[int], bool]:
    """:func:`choose_robots_lazily` given the rule's key of each robot (lowest first): the best robots,
    and whether they can do the task (False: none can, and the answer is the first group).

    ``feasible(i)`` is asked in key order, and of every member of a group until a group holds a robot
    that can. Usually the lowest key is held by one robot that can: that is found without sorting.
    """
    n = len(key)
    if n == 0:
        return [], False
    lowest = min(key)
    if key.count(lowest) == 1:
        lead = key.index(lowest)
        if feasible(lead):
            return [lead], True
        order = sorted(range(n), key=key.__getitem__)  # order[0] is lead: it was asked
        first: list[int] | None = [lead]
        i = 1
    else:
        order = sorted(range(n), key=key.__getitem__)
        first = None
        i = 0
    while i < n:
        lead = order[i]
        k = key[lead]
        j = i + 1
        while j < n and key[order[j]] == k:
            j += 1
        if j == i + 1:  # a group of one
            if feasible(lead):
                return [lead], True
            if first is None:
                first = [lead]
        else:
            group = order[i:j]
            if first is None:
                first = group
            ok = [m for m in group if feasible(m)]
            if ok:
                return sorted(ok), True
        i = j
    return (sorted(first) if first else []), False


def station_is_free(view: StationView) -> bool:
    """A station where a robot arriving now would swap at once: a free position, no queue, a green pack."""
    return view.busy < view.positions and view.queue == 0 and view.green > 0


def swap_early(lowest_soc: float, threshold: float | None, view: StationView) -> bool:
    """Whether an idle robot whose lowest pack is at ``lowest_soc`` swaps now (opportunistic swap).

    Only when opportunistic swaps are on (``threshold`` not None), the pack is below the threshold and
    the station the robot would walk to is free.
    """
    return threshold is not None and lowest_soc < threshold and station_is_free(view)
