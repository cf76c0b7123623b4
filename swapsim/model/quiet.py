"""Quiet stretches of the activity cycle: the steps nothing else in the model needs to see, as one event.

Between the events other processes care about (the active pack reaching its trigger or empty, an
early-swap check, a fault, the horizon), a robot on the activity cycle only walks, stands and idles
through steps whose durations come from its own stream. :func:`plan_quiet` works out that stretch
ahead of time in closed form: it draws the step durations in order, settles the energy of each step
exactly as the step-by-step process would (the same floating-point operations in the same order),
and stops before the first step in which an energy event falls (that step runs step by step, as
before). The robot then waits for the stretch's end with **one** timeout instead of one per step.

The stretch is applied lazily (:meth:`QuietStretch.apply_until`): the pack draws and the state
changes of the steps that have started by a given time are made when the stretch ends, or earlier
when something looks at the robot or its packs (a fault halting it, a health survey, the end of the
warm-up or of the run: :meth:`~swapsim.model.robot_energy.EnergyRobot.sync`). A fault that halts
the robot mid-stretch settles it to the exact point within the schedule; the steps not yet begun keep
their drawn durations. So the model's path is the same, event for event and bit for bit, as the
step-by-step one (``tests/unit/test_quiet_stretches.py``); only the fleet-state log receives a robot's
intervals in a later order. Hours, Wh, W.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Sequence
from heapq import heappush
from typing import TYPE_CHECKING

import numpy as np
import simpy
from simpy.events import NORMAL

if TYPE_CHECKING:
    from swapsim.model.robot_energy import EnergyRobot

__all__ = ["QuietStretch", "Step", "plan_quiet", "timeout_at", "MAX_STEPS"]

Step = tuple[Callable[[np.random.Generator], float], str, float]
"""One cycle step: its duration's sampler, the robot state, the power (W)."""

MAX_STEPS = 256
"""Longest stretch planned at once (a cycle whose steps draw no power never meets an energy event)."""


class QuietStretch:
    """Consecutive steps of one robot's activity cycle, none of which meets an energy event.

    ``starts[k]``, ``states[k]``, ``powers[k]``, ``durations[k]``: step k's start time (h), state, power
    (W) and drawn duration (h); ``end``: when the last step ends; ``next_step``: the cycle index of
    the step after the stretch; ``first_step``: the cycle index of the first. ``applied``: how many
    steps have been entered (their draws and state changes made).
    """

    __slots__ = ("robot", "starts", "states", "powers", "durations", "end", "first_step", "next_step", "applied")

    def __init__(self, robot: "EnergyRobot", first_step: int) -> None:
        self.robot = robot
        self.starts: list[float] = []
        self.states: list[str] = []
        self.powers: list[float] = []
        self.durations: list[float] = []
        self.end = 0.0
        self.first_step = first_step
        self.next_step = first_step
        self.applied = 0

    def apply_until(self, now: float, inclusive: bool = False) -> None:
        """Enter every step that has started before ``now`` (or at ``now``, if ``inclusive``): settle the
        energy of the step before it and record the change of state, as ``EnergyRobot._enter`` would
        have at the step's start."""
        i = self.applied
        starts = self.starts
        n = len(starts)
        if i >= n or starts[i] > now or (starts[i] == now and not inclusive):
            return
        r = self.robot
        pack = r.packs[r.active]
        assert pack is not None, "a robot on the activity cycle holds its active pack"
        record = r.recorder.robot_state
        states, powers = self.states, self.powers
        t_last, power, state = r.t_last, r.power_w, r.state
        while i < n:
            t = starts[i]
            if t > now or (t == now and not inclusive):
                break
            dt = t - t_last
            if dt > 0.0 and power > 0.0:
                pack.draw(power * dt, t_last, t)
            t_last = t
            s = states[i]
            if s != state:
                state = s
                record(r.id, s, t)
            power = powers[i]
            i += 1
        r.t_last, r.power_w, r.state = t_last, power, state
        self.applied = i


def plan_quiet(
    robot: "EnergyRobot",
    steps: Sequence[Step],
    step: int,
    ahead: deque[float],
    rng: np.random.Generator,
    early_below: float | None,
) -> QuietStretch | None:
    """The quiet stretch starting now at cycle step ``step``, or None if that step is not quiet.

    ``ahead`` holds durations already drawn for the coming steps, in order; durations drawn here are
    appended to it, so every step's duration is drawn exactly once and in order (the robot's own
    stream). The stretch's steps are taken off ``ahead``; the duration of the step that ends it stays
    at the front. A step is quiet when its duration ends before the active pack reaches its next
    threshold (trigger, or empty), when it is not an idle step at which an early swap is considered
    (lowest charge below ``early_below``), and when no pack draw in it could close the pack's ageing
    window (which may change the pack's health, hence its usable energy).
    """
    now = robot.env.now
    pack = robot.packs[robot.active]
    other = robot.packs[1 - robot.active] if len(robot.packs) > 1 else None
    if pack is None:
        return None
    soc, usable = pack.soc, pack.usable_wh
    trigger = robot.trigger
    other_soc = other.soc if other is not None else math.inf
    stable_until = pack.stable_until()
    t_last, p_prev = robot.t_last, robot.power_w
    t = now
    n_steps = len(steps)
    stretch = QuietStretch(robot, step)
    starts, states, powers, durations = stretch.starts, stretch.states, stretch.powers, stretch.durations
    k = step
    j = 0  # index into ahead
    while j < MAX_STEPS:
        sample, state, power = steps[k]
        # the settlement at the step's start (EnergyRobot.settle, Pack.draw)
        dt = t - t_last
        if dt > 0.0 and p_prev > 0.0:
            if t >= stable_until:
                break
            s1 = soc - p_prev * dt / usable
            soc = s1 if s1 > 0.0 else 0.0
        if early_below is not None and state == "idle" and min(soc, other_soc) < early_below:
            break  # Duty._swap_early_while_idle looks at the stations here
        if j == len(ahead):
            ahead.append(sample(rng))
        d = ahead[j]
        if power > 0.0:  # EnergyRobot._next_energy_event, just entered (nothing unsettled)
            target = trigger if soc > trigger else 0.0
            to_event = (soc - target) * usable / power
            if (to_event if to_event > 0.0 else 0.0) < d:
                break
        starts.append(t)
        states.append(state)
        powers.append(power)
        durations.append(d)
        t_last, p_prev = t, power
        t = t + d
        j += 1
        k += 1
        if k == n_steps:
            k = 0
    if not starts:
        return None
    for _ in range(j):
        ahead.popleft()
    stretch.end = t
    stretch.next_step = k
    return stretch


def timeout_at(env: simpy.Environment, when: float) -> simpy.Event:
    """An event that fires at exactly ``when`` (h), as a timeout does, for a time reached by a chain of
    step-by-step timeouts. ``env.timeout(when - now)`` fires at ``now + (when - now)``, which can be a
    unit in the last place off ``when`` (and no delay may reach it exactly), so the event is put on
    SimPy's event queue at ``when`` itself, with a timeout's priority (SimPy's private queue and id
    counter: ``tests/unit/test_quiet_stretches.py`` checks they are still there)."""
    event = simpy.Event(env)
    event._ok = True
    event._value = None
    heappush(env._queue, (when, NORMAL, next(env._eid), event))
    return event
