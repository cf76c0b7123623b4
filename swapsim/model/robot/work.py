"""The robot's work process: the activity cycle, or a task board's tasks, between trips for energy.

:meth:`Work.operate` runs the activity cycle (durations drawn from the robot's own stream, each once and
in order); :meth:`Work.serve` takes tasks from a :class:`~swapsim.model.workload.TaskBoard` (the walk to a
task and every non-``idle`` step count as ``working``; ``policy.go: after_activity`` means after the task).
Both run their schedule through one :meth:`Work.run_legs`, which waits out a quiet stretch
(:mod:`swapsim.model.robot.quiet`) as one event when one can be planned; the legs it cannot take are run leg by
leg (:meth:`~swapsim.model.robot.body.Body.spend`, with a trip for energy when a pack needs it). A robot
whose duty (:class:`~swapsim.model.robot.shifts.Duty`) the shift manager clears finishes its task or
activity step and goes off duty. Hours, W.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from itertools import chain, cycle, islice
from typing import TYPE_CHECKING

import numpy as np
import simpy

from swapsim.model.robot.body import Body, Proc
from swapsim.model.robot.quiet import AHEAD, Leg, plan_quiet
from swapsim.model.robot.shifts import Duty
from swapsim.model.robot.trip import Trip

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.roles import Board, Job, Worker
    from swapsim.scenario import Scenario

__all__ = ["Work"]

_ALARM = object()
"""The value an idle robot is woken with at its energy event (:meth:`Work.await_call`)."""


class Work:
    """A robot's work: the activity cycle or tasks, its trips for energy and its shifts in between.

    Args:
        body: the robot's body.
        trip: its trips to stations.
        duty: its duty status and off-duty process.
        scenario: the validated scenario (the activity cycle, activity powers, whether shifts are on).
        recorder: receives task starts and ends.
        work_rng: the robot's own stream for activity durations.
        start_step: index of the cycle step it starts in.
        start_elapsed: fraction of that first step already done (0 <= x < 1).
        position: where it starts on the floor (m; task demand).
        go_at_once: the power strategy's: go to a station as soon as a pack reaches the trigger.
        quiet_ok: whether quiet stretches apply (the strategy's energy rules, no event trace).
    """

    def __init__(
        self,
        body: Body,
        trip: Trip,
        duty: Duty,
        scenario: "Scenario",
        recorder: "Recorder",
        work_rng: np.random.Generator,
        start_step: int,
        start_elapsed: float,
        position: tuple[float, float],
        go_at_once: bool,
        quiet_ok: bool,
    ) -> None:
        self.body = body
        self.trip = trip
        self.duty = duty
        self.recorder = recorder
        self.work_rng = work_rng
        self.start = (start_step, start_elapsed)
        powers = scenario.power.activities
        self.idle_w = powers["idle"]
        cycle_spec = scenario.workload.cycle
        # per step of the activity cycle, once: its duration's sampler, state and power
        self.steps = [
            (spec.duration.sample, "idle" if spec.activity == "idle" else "working", powers[spec.activity])
            for spec in cycle_spec or ()
        ]
        self.shifts = scenario.shifts is not None
        self.go_at_once = go_at_once
        self.quiet_ok = quiet_ok
        self.position = position
        """Where on the floor the robot is between tasks (m)."""
        self._call_after_alarm: simpy.Event | None = None

    # -- one schedule, as quiet stretches where it can --------------------------------------------------
    def run_legs(self, legs: Iterable[Leg], early_below: float | None) -> Proc | None:
        """The schedule ``legs`` (hours, (state, power W)) from its first leg as one quiet stretch, if one
        starts now: None if none does (the caller runs the first leg leg by leg), else the process that
        waits it out (run it with ``yield from``; :meth:`Body.run_quiet`, not wrapped in another
        generator: a stretch resumes one frame less), which returns (k, None) once the stretch's ``k``
        legs have ended, or (k, hours left of leg k) when a fault halted the robot within leg k (the halt
        served: the rest of leg k is the caller's, leg by leg). ``early_below``: a quiet stretch ends
        before an idle step at which an early swap is considered."""
        body = self.body
        body.settle()  # as entering the leg would (nothing is drawn twice)
        stretch = plan_quiet(body, legs, early_below, not self.go_at_once)
        return None if stretch is None else body.run_quiet(stretch)

    # -- the activity cycle -------------------------------------------------------------------------------
    def operate(self) -> Proc:
        """Work through the activity cycle forever, swapping packs when needed."""
        body, trip, duty = self.body, self.trip, self.duty
        rng = self.work_rng
        steps = self.steps
        assert steps, "operate runs the activity cycle (the fleet runs serve for tasks)"
        n_steps = len(steps)
        go_at_once = self.go_at_once
        walk_w = trip.walk_w
        early_below = trip.opportunistic_below
        early_swaps = early_below is not None
        quiet = self.quiet_ok and not self.shifts  # on_duty is looked at between steps
        step, elapsed = self.start
        ahead: deque[float] = deque()  # durations drawn for the coming steps, in order
        ahead.append(steps[step][0](rng) * (1.0 - elapsed))
        # the sampler of the first step whose duration is not drawn yet, and of each step after it
        samplers = [sample for sample, _, _ in steps]
        next_sampler = cycle(samplers[step + 1 :] + samplers[: step + 1]).__next__
        # the (state, power) of the steps from each step on, for the legs of a stretch
        rotations = [[(st, p) for _, st, p in steps[k:] + steps[:k]] for k in range(n_steps)]

        back = 0.0  # the walk back from the station, still to go: the first leg of the next stretch (h)
        while True:
            if not duty.on_duty:
                yield from duty.go_off_duty()
            _, state, power = steps[step]
            resumed = False
            if quiet and not body.needs_swap:
                while len(ahead) < AHEAD:  # each step's duration drawn once, in order, from the robot's stream
                    ahead.append(next_sampler()(rng))
                legs: Iterable[Leg] = zip(ahead, cycle(rotations[step]))
                walk = 1 if back > 0.0 else 0
                if walk:
                    legs = chain((((back, ("travelling", walk_w))),), legs)
                run = self.run_legs(legs, early_below)
                ran = None if run is None else (yield from run)
                if ran is None and walk:  # as the trip would have walked back
                    yield from body.spend(back, "travelling", walk_w, False)
                    back = 0.0
                    continue
                if ran is not None:
                    back = 0.0
                    k, left = ran
                    if left is None:  # the stretch's k legs have ended
                        in_cycle = k - walk  # cycle steps in the stretch
                        for _ in range(in_cycle):
                            ahead.popleft()
                        step = (step + in_cycle) % n_steps
                        if body.needs_swap and in_cycle:  # the pack reached its trigger in the last step
                            back = (yield from trip.replenish(park=True)).travel_h
                        continue
                    # halted within leg k of the stretch: the rest of it leg by leg
                    for _ in range(k + 1 - walk):
                        ahead.popleft()
                    if k < walk:  # on the walk back
                        yield from body.spend(left, "travelling", walk_w, False)
                        continue
                    step = (step + k - walk) % n_steps
                    _, state, power = steps[step]
                    remaining = left
                    resumed = True
            if not resumed:
                remaining = ahead.popleft() if ahead else next_sampler()(rng)
                if early_swaps and state == "idle" and trip.wants_early_swap():
                    t0 = body.env.now  # at the start of an idle step, swap early if a station is free
                    yield from trip.replenish(trip.above_opportunistic)
                    remaining = max(0.0, remaining - (body.env.now - t0))
            while True:
                remaining = yield from body.spend(remaining, state, power, go_at_once)
                if remaining <= 0.0:
                    break
                yield from trip.replenish()
            if body.needs_swap:
                if quiet:
                    back = (yield from trip.replenish(park=True)).travel_h
                else:
                    yield from trip.replenish()
            step += 1
            if step == n_steps:
                step = 0

    # -- task demand --------------------------------------------------------------------------------------
    def serve(self, board: "Board", me: "Worker") -> Proc:
        """Task demand: offer itself (``me``, the robot as the board sees it) when idle, do the tasks it is
        given, swap when it needs to."""
        body, trip, duty = self.body, self.trip, self.duty
        while True:
            if not duty.on_duty:
                yield from duty.go_off_duty()
                continue
            if body.needs_swap:
                yield from trip.replenish()
                continue
            if trip.wants_early_swap():
                yield from trip.replenish(trip.above_opportunistic)
                continue
            call = yield from self.await_call(board, me)
            if call is None or call == "duty":
                continue
            if call == "swap":
                yield from trip.replenish(trip.above_opportunistic)
                continue
            yield from self.do_task(board, me, call)

    def await_call(self, board: "Board", me: "Worker") -> Proc:
        """Idle until the board calls; returns a task, ``"swap"``, ``"duty"``, or None if a pack needs a swap.

        The robot waits for its call alone; the time its active pack reaches its next threshold is an
        alarm on the board (:class:`~swapsim.model.alarms.IdleAlarms`) that wakes it
        through the call (:meth:`_wake`), so a call costs no condition event, and an alarm its call beat
        costs no event at all."""
        body = self.body
        env = body.env
        call = board.offer(me)
        body.enter("idle", self.idle_w)
        if not isinstance(call, simpy.Event):  # a task was waiting: it is this robot's at once
            return call
        while not call.triggered:
            dt, target = body.next_energy_event()
            if dt != math.inf:
                board.alarms.set(env.now + dt, me, call, self._wake)
            body.arm(True)
            try:
                value = yield call
            except simpy.Interrupt as stop:
                body.arm(False)
                board.withdraw(me)
                assert stop.cause is not None, "only faults interrupt a robot"
                yield from body.halt(stop.cause)
                if not call.triggered:
                    call = board.offer(me)
                    if not isinstance(call, simpy.Event):
                        return call
                continue
            body.arm(False)
            if value is not _ALARM:
                return value
            fresh = self._call_after_alarm
            assert fresh is not None, "set by the alarm"
            call = fresh
            if call.triggered:  # called in the same instant
                break
            if not body.on_energy_event(target):
                board.withdraw(me)
                yield from body.strand()
                return None
            if body.needs_swap:
                board.withdraw(me)
                return None
        return call.value

    def _wake(self, call: simpy.Event, fresh: simpy.Event) -> None:
        """The active pack of the idle robot reaches its threshold and ``call`` is still its call: wake it
        through ``call``; ``fresh`` calls it from now on (the board's alarm,
        :class:`~swapsim.model.alarms.IdleAlarms`)."""
        self._call_after_alarm = fresh
        call.succeed(_ALARM)

    def do_task(self, board: "Board", me: "Worker", task: "Job") -> Proc:
        """Swap first if the dispatcher said so, walk to the task, do its steps (swapping when needed)."""
        body, trip = self.body, self.trip
        if task.swap_first:
            yield from trip.replenish(lambda: board.feasible(me, task))
        self.recorder.task_started(task.id, body.id, task.arrived_h, body.env.now)
        legs: list[Leg] = [(board.approach_h(me, task), ("working", board.approach_w))]
        legs += [(st.duration_h, (st.state, st.power_w)) for st in task.steps]
        n_legs = len(legs)
        go_at_once = self.go_at_once
        i = 0
        while i < n_legs:
            remaining, (state, power) = legs[i]
            if self.quiet_ok and not (go_at_once and body.needs_swap):
                run = self.run_legs(islice(legs, i, None), None)
                ran = None if run is None else (yield from run)
                if ran is not None:
                    k, left = ran
                    i += k
                    if left is None:
                        continue
                    remaining = left  # halted within leg i: the rest of it leg by leg
                    state, power = legs[i][1]
            while True:
                remaining = yield from body.spend(remaining, state, power, go_at_once)
                if remaining <= 0:
                    break
                yield from trip.replenish()
            i += 1
        self.position = task.location
        self.recorder.task_done(task.id, body.id, task.arrived_h, body.env.now)
