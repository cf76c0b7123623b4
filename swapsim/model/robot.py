"""The robot process: work, draw energy from one of two packs, swap the drained one, come back.

This module holds the robot's energy bookkeeping, its wait primitives and the activity cycle; the swap
trip is in :mod:`swapsim.model.trip`, task demand and shifts in :mod:`swapsim.model.duty`, the other power
strategies in :mod:`swapsim.model.strategies`.

A robot carries two packs and draws from the *active* one. Energy is event-driven: between events
the robot draws a constant power, so the time at which the active pack reaches the swap trigger
(or empty) is known in closed form and is a single timeout, re-planned whenever the power changes.

* Active pack reaches the trigger: the robot switches to the other pack if it holds more charge and
  marks the drained one for a swap. It goes at once (interrupting the activity, resumed afterwards)
  or after the current activity, as the policy says.
* Active pack empty: switch to the other pack if it has charge; if both are empty the robot is
  stranded, down for the rescue time, after which the rescue crew has charged both packs.
* The swap trip: walk to the chosen station (walking power), queue for a position (station power),
  swap for the sampled duration (station power, powered by the active pack: a hot swap never powers
  the robot down), walk back. If no pack is green the robot first leaves its drained pack in a bay to
  charge, so that slot is empty (``None``) until it takes the first pack to turn green; from then on
  it stays at that station (an outage does not send it elsewhere without its pack).

Power strategies (``strategy.kind``, :mod:`swapsim.model.strategies`): :class:`Robot` is the ``hot_swap`` robot above.
:class:`ColdSwapRobot` (``cold_swap``) carries one pack: it must go when that pack reaches the trigger
(at once, whatever ``policy.go`` says), powers down for the swap (state ``swapping``, no draw) and boots
on the fresh pack for ``strategy.boot_time`` (also ``swapping``, at station power).
:class:`PlugInRobot` (``plug_in``) keeps its two packs: it runs on one pack to the trigger, then on the
other, and when both are at the trigger walks to a station, queues for a free dock and charges there
(state ``charging``) until both packs read the ready threshold. The two packs charge **in parallel**,
each along the station charger's CC-CV curve, so the dock time is that of the emptier pack.

Workload: :meth:`Robot.operate` runs the activity cycle; :meth:`Robot.serve` takes tasks from a
:class:`~swapsim.model.workload.TaskBoard` (the walk to a task and every non-``idle`` step count as
``working``). In task mode ``policy.go: after_activity`` means after the task. A robot with
``on_duty`` cleared by the shift manager finishes its task or activity step and goes off duty
(:meth:`Robot.go_off_duty`).

Faults (:mod:`swapsim.model.faults`) halt a robot that is working, idle or travelling through
``Process.interrupt``: the interrupted wait returns early, the energy drawn so far is settled, the
robot is ``down`` for the fault's duration at ``faults.down_power`` and then resumes the rest of what
it was doing. Station outages are seen at the station: queued robots re-route (via the work area)
when another station is open, and wait for the repair otherwise. A failed swap attempt costs the
retry time in state ``down`` and is tried again.

Robot states, exactly one at a time: see :data:`swapsim.metrics.glossary.ROBOT_STATES`. Hours, Wh, W.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from itertools import chain, cycle
from typing import TYPE_CHECKING

from swapsim.model.duty import Duty
from swapsim.model.quiet import AHEAD, Leg, plan_quiet
from swapsim.model.robot_energy import STRIKEABLE, Proc

if TYPE_CHECKING:
    from swapsim.model.workload import TaskBoard

__all__ = ["Robot", "STRIKEABLE", "Proc"]


class Robot(Duty):
    """One robot and its ``operate`` process (the ``hot_swap`` strategy; see :mod:`swapsim.model.strategies`).

    Built in layers: :class:`~swapsim.model.robot_energy.EnergyRobot` (packs, energy, waits, faults),
    :class:`~swapsim.model.trip.SwapTrip` (the swap trip), :class:`~swapsim.model.duty.Duty` (tasks,
    early swaps, shifts), and here the activity cycle.
    """

    # -- processes ----------------------------------------------------------------------------------
    def start(self, board: "TaskBoard | None") -> None:
        """Start the robot's process: the activity cycle, or serving ``board`` (task demand)."""
        self.process = self.env.process(self.operate() if board is None else self.serve(board))

    def operate(self) -> Proc:
        """Work through the activity cycle forever, swapping packs when needed."""
        rng = self.work_rng
        assert self.cycle is not None, "operate runs the activity cycle (the fleet runs serve for tasks)"
        # Per step, once: its duration's sampler, state and power.
        steps = [
            (spec.duration.sample, "idle" if spec.activity == "idle" else "working", self.powers[spec.activity])
            for spec in self.cycle
        ]
        n_steps = len(steps)
        early_below = self.opportunistic_below
        early_swaps = early_below is not None
        quiet = self.quiet_ok and self.scenario.shifts is None  # on_duty is looked at between steps
        step = self.start_step
        ahead: deque[float] = deque()  # durations drawn for the coming steps, in order
        ahead.append(steps[step][0](rng) * (1.0 - self.start_elapsed))
        # the sampler of the first step whose duration is not drawn yet, and of each step after it
        samplers = [sample for sample, _, _ in steps]
        next_sampler = cycle(samplers[step + 1 :] + samplers[: step + 1]).__next__
        # the (state, power) of the steps from each step on, for the legs of a stretch
        rotations = [[(st, p) for _, st, p in steps[k:] + steps[:k]] for k in range(n_steps)]

        back = 0.0  # the walk back from the station, still to go: the first leg of the next stretch (h)
        while True:
            if not self.on_duty:
                yield from self.go_off_duty()
            _, state, power = steps[step]
            resumed = False
            if quiet and not self.needs_swap:
                self.settle()  # as entering the step would (nothing is drawn twice)
                while len(ahead) < AHEAD:  # each step's duration drawn once, in order, from the robot's stream
                    ahead.append(next_sampler()(rng))
                legs: Iterable[Leg] = zip(ahead, cycle(rotations[step]))
                walk = 1 if back > 0.0 else 0
                if walk:
                    legs = chain((((back, ("travelling", self.walk_w))),), legs)
                stretch = plan_quiet(self, legs, early_below, not self.go_at_once)
                if stretch is None and walk:  # as the trip would have walked back
                    yield from self._spend(back, "travelling", self.walk_w, False)
                    back = 0.0
                    continue
                if stretch is not None:
                    back = 0.0
                    in_cycle = stretch.n - walk  # cycle steps in the stretch
                    for _ in range(in_cycle):
                        ahead.popleft()
                    halted = yield from self.run_quiet(stretch)
                    if halted is None:
                        step = (step + in_cycle) % n_steps
                        if self.needs_swap and in_cycle:  # the pack reached its trigger in the last step
                            back = (yield from self.replenish(park=True)).travel_h
                        continue
                    # a fault halted the robot within leg k of the stretch: the rest of it leg by leg
                    k, remaining, fault = halted
                    ahead.extendleft(reversed(stretch.durations(k + 1)))
                    yield from self.halt(fault)
                    if k < walk:  # on the walk back
                        yield from self._spend(remaining, "travelling", self.walk_w, False)
                        continue
                    step = (step + k - walk) % n_steps
                    _, state, power = steps[step]
                    resumed = True
            if not resumed:
                remaining = ahead.popleft() if ahead else next_sampler()(rng)
                if early_swaps and state == "idle":
                    remaining = yield from self._swap_early_while_idle(remaining)
            while True:
                remaining = yield from self._spend(remaining, state, power, self.go_at_once)
                if remaining <= 0.0:
                    break
                yield from self.replenish()
            if self.needs_swap:
                if quiet:
                    back = (yield from self.replenish(park=True)).travel_h
                else:
                    yield from self.replenish()
            step += 1
            if step == n_steps:
                step = 0
