"""Quiet stretches: the legs of a robot's schedule nothing else in the model needs to see, as one event.

Between the events other processes care about (the active pack reaching its trigger or empty, an
early-swap check at an idle step, a fault, a shift change, a dispatch), a robot's schedule is
known: the steps of its activity cycle, whose durations come from its own stream, or the legs of a
task (the walk to it, then its steps). :func:`plan_quiet` works the stretch out ahead of time in
closed form: it takes the legs in order (a cycle's durations drawn as they are asked for, each once
and in order), settles the energy of each leg exactly as the leg-by-leg process would (the same
floating-point operations in the same order), and stops before the first leg in which an energy
event falls (that leg runs leg by leg, as before). The robot then waits for the stretch's end with
**one** event, at the exact time the chain of leg timeouts would reach
(:func:`~swapsim.model.clock.timeout_at`).

The stretch is applied lazily (:meth:`QuietStretch.apply_until`): the pack draws and the state
changes of the legs begun by a given time are made when the stretch ends, or earlier when something
looks at the robot or its packs (a fault halting it, a health survey, the shift manager ranking
robots by energy, the end of the warm-up or of the run:
:meth:`~swapsim.model.robot.body.Body.sync`). A fault that halts the robot mid-stretch
settles it to the exact point within the schedule; the rest of that leg runs leg by leg and the legs
not yet begun keep their durations. So the model's path is the same, event for event and bit for
bit, as leg by leg (``tests/unit/test_quiet_stretches.py``); only the fleet-state log receives a
robot's intervals in a later order, so what it sums (the hours in each state, per robot and per time
bin) may differ in the last bits.
The energy rules are the body's (:mod:`swapsim.model.robot.body`): the time to the next threshold is
:func:`~swapsim.model.robot.body.energy_event_after`, the event itself the power strategy's ``reach``, the
entry into a leg :meth:`~swapsim.model.robot.body.Body.entered`; only the settlement of a leg's draw is
mirrored here (as :meth:`~swapsim.model.pack.Pack.draw` computes it), to plan ahead without drawing.
Hours, Wh, W.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING

from swapsim.model.clock import timeout_at
from swapsim.model.robot.body import energy_event_after

if TYPE_CHECKING:
    from swapsim.model.robot.body import Body

__all__ = ["QuietStretch", "Leg", "plan_quiet", "timeout_at", "AHEAD"]

Leg = tuple[float, tuple[str, float]]
"""One leg of a schedule: hours, and the robot state and power (W)."""

AHEAD = 32
"""Cycle steps whose durations are drawn ahead (the most steps in one stretch of the cycle)."""


class QuietStretch:
    """Consecutive legs (cycle steps, or a task's legs) of one robot with at most one energy event, in
    its last leg.

    ``starts[k]`` and ``legs[k]`` (hours, (state, power W)): the start and the leg of entry k, a stretch
    of constant state and power. A leg is one entry, except the last one when the active pack
    reaches its trigger within it (``policy.go: after_activity``): one entry up to the event, and
    entry ``event_at`` after it, whose hours are the rest of the leg and at whose start the pack
    reaches the robot's swap trigger. ``n``: legs; ``end``: when the last one ends; ``applied``:
    entries entered.
    """

    __slots__ = ("robot", "starts", "legs", "event_at", "end", "n", "applied")

    def __init__(self, robot: "Body", starts: list[float], legs: list[Leg], event_at: int, end: float) -> None:
        self.robot = robot
        self.starts = starts
        self.legs = legs
        self.event_at = event_at
        self.end = end
        self.n = len(legs) if event_at < 0 else len(legs) - 1
        self.applied = 0

    def apply_until(self, now: float, inclusive: bool = False) -> None:
        """Enter every entry that has started before ``now`` (or at ``now``, if ``inclusive``): settle the
        energy of the entry before it, make the energy event if there is one, record the change of
        state, as ``Body.enter`` and ``Body.on_energy_event`` would have at the entry's start (the
        pack's draws in one :meth:`~swapsim.model.pack.Pack.draw_run` per pack)."""
        first = self.applied
        starts = self.starts  # in time order: the entries begun are those up to the bisection
        n = bisect_right(starts, now, first) if inclusive else bisect_left(starts, now, first)
        if n <= first:
            return
        r = self.robot
        event_at = self.event_at
        changes: list[tuple[str, float]] = []
        legs = self.legs
        t_last, power, state = r.t_last, r.power_w, r.state
        energies: list[float] = []
        t0s: list[float] = []
        t1s: list[float] = []
        for i in range(first, n):
            t = starts[i]
            dt = t - t_last
            if dt > 0.0 and power > 0.0:
                energies.append(power * dt)
                t0s.append(t_last)
                t1s.append(t)
            t_last = t
            if i == event_at:
                _draw(r, energies, t0s, t1s)
                energies, t0s, t1s = [], [], []
                r.rules.reach(r, r.trigger)
            s, power = legs[i][1]
            if s != state:
                state = s
                changes.append((s, t))
        _draw(r, energies, t0s, t1s)
        if changes:
            r.recorder.robot_states(r.id, changes)
        r.entered(t_last, power, state)
        self.applied = n

    def halted_at(self, now: float) -> tuple[int, float]:
        """(leg under way at ``now``, hours left of the entry under way) once entered up to ``now``."""
        k = self.applied - 1
        return min(k, self.n - 1), self.legs[k][0] - (now - self.starts[k])

    def durations(self, first: int) -> list[float]:
        """The hours of the legs from ``first`` on (to give back the ones not begun)."""
        return [leg[0] for leg in self.legs[first : self.n]]


def _draw(robot: "Body", energies: list[float], t0s: list[float], t1s: list[float]) -> None:
    if energies:
        pack = robot.packs[robot.active]
        assert pack is not None, "a robot in a quiet stretch holds its active pack"
        pack.draw_run(energies, t0s, t1s)


def plan_quiet(
    robot: "Body", legs: Iterable[Leg], early_below: float | None = None, trigger_leg: bool = False
) -> QuietStretch | None:
    """The quiet stretch that starts now, or None if its first leg is not quiet.

    ``legs``: the legs from now on, in order (a task's, or a cycle's with their durations drawn
    ahead), as (hours, (state, power W)). The robot must be settled (nothing drawn since its last
    settlement). A leg is quiet when it ends before the active pack reaches its next threshold
    (trigger, or empty), when it is not an idle step at which an early swap is considered (lowest
    charge below ``early_below``), and when no pack draw in it could close the pack's ageing window
    (which may change the pack's health, hence its usable energy). With ``trigger_leg`` (``policy.go:
    after_activity``) the leg in which the active pack reaches its swap trigger ends the stretch,
    when the rest of it, on the fuller pack, is quiet. ``stretch.n`` legs are in it.
    """
    pack = robot.packs[robot.active]
    if pack is None:
        return None
    other = robot.packs[1 - robot.active] if len(robot.packs) > 1 else None
    soc, usable = pack.soc, pack.usable_wh
    trigger = robot.trigger
    other_soc = other.soc if other is not None else math.inf
    stable_until = pack.stable_until()
    t = t_last = robot.env.now
    p_prev = 0.0
    starts: list[float] = []
    kept: list[Leg] = []
    event_at = -1
    for leg in legs:
        d, (state, power) = leg
        if kept:  # the settlement at the leg's start (Body.settle, Pack.draw)
            dt = t - t_last
            if dt > 0.0 and p_prev > 0.0:
                if t >= stable_until:
                    break
                s1 = soc - p_prev * dt / usable
                soc = s1 if s1 > 0.0 else 0.0
        if early_below is not None and state == "idle" and min(soc, other_soc) < early_below:
            break  # Work.operate looks at the stations here (an early swap)
        if power > 0.0:  # Body.next_energy_event, just entered (nothing unsettled)
            to_event, target = energy_event_after(soc, soc, usable, power, trigger)
            if to_event < d:
                if not (trigger_leg and target > 0.0 and other is not None):
                    break
                # the trigger within this leg: Body.on_energy_event (settle, snap to the trigger,
                # run on the fuller pack), then the rest of the leg (Body.spend's next wait)
                t_event = t + to_event
                if to_event > 0.0 and t_event >= stable_until:
                    break
                soc = target
                if other_soc > soc:
                    soc, usable = other_soc, other.usable_wh
                rest = d - to_event
                if energy_event_after(soc, soc, usable, power, trigger)[0] < rest:
                    break
                starts += (t, t_event)
                kept += (leg, (rest, (state, power)))
                event_at = len(kept) - 1
                t = t_event + rest
                break
        starts.append(t)
        kept.append(leg)
        t_last, p_prev = t, power
        t = t + d
    if not kept:
        return None
    return QuietStretch(robot, starts, kept, event_at, t)
