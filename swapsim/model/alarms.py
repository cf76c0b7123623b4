"""Idle robots' energy alarms on one heap, with one clock event for the earliest (task demand).

An idle robot waits for the task board's call; the time its active pack reaches its next threshold is
an alarm that wakes it through that call (:meth:`Work.await_call
<swapsim.model.robot.work.Work.await_call>`). Most idle robots are called before their alarm: in the
warehouse a robot sets about six alarms per swap and about one in fifty fires while it still waits.
So the alarms do not each get a timeout on SimPy's event queue: they wait in one heap here, and only
the earliest has a clock event (:class:`~swapsim.model.clock.TimeoutAt`, at exactly the alarm's time, as
a timeout set for it would fire). An alarm whose call has gone (the robot was called, withdrew or was
halted) is dropped when it reaches the top of the heap, at no event. An alarm that still stands wakes
its robot at its time, as that timeout's callback would have. Hours.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

import simpy

from swapsim.model.clock import TimeoutAt

__all__ = ["IdleAlarms", "Wake"]

Wake = Callable[[simpy.Event, simpy.Event], None]
"""How a robot is woken at its alarm: ``wake(call, fresh)``, ``fresh`` the event that calls it from then on."""


class IdleAlarms:
    """The energy alarms of a task board's idle robots.

    Args:
        env: the simulation environment.
        rearm: the board's ``rearm(robot, call)``: the fresh event that calls ``robot`` from now on if
            ``call`` is still its call (it keeps its place in line), else None.
        stands: the board's ``waits_on(robot, call)``: whether ``call`` is still ``robot``'s call (the
            rule ``rearm`` applies too).
    """

    def __init__(
        self,
        env: simpy.Environment,
        rearm: Callable[[Any, simpy.Event], simpy.Event | None],
        stands: Callable[[Any, simpy.Event], bool],
    ) -> None:
        self.env = env
        self.rearm = rearm
        self.stands = stands
        self.heap: list[tuple[float, int, Any, simpy.Event, Wake]] = []
        """(when (h), order set, robot, its call then, how to wake it)."""
        self.seq = 0
        self.timers: list[float] = []
        """When the clock events scheduled for the alarms fire (h), latest first: the last is the next."""

    def set(self, when: float, robot: Any, call: simpy.Event, wake: Wake) -> None:
        """At ``when`` (h), if ``call`` is still ``robot``'s call, wake it: ``wake(call, fresh)``."""
        self.seq += 1
        heapq.heappush(self.heap, (when, self.seq, robot, call, wake))
        self._clock_at(when)

    def _clock_at(self, when: float) -> None:
        """Give the alarm due at ``when`` (h) a clock event, unless one fires at or before it."""
        timers = self.timers
        if not timers or when < timers[-1]:
            timers.append(when)
            TimeoutAt(self.env, when).callbacks.append(self._ring)

    def _ring(self, _timer: simpy.Event) -> None:
        """A clock event fires: wake the robots whose alarm is due and still theirs, in the order the
        alarms were due (then set), then give the earliest alarm still standing its clock event."""
        self.timers.pop()
        heap, stands = self.heap, self.stands
        now = self.env.now
        while heap:
            when, _, robot, call, wake = heap[0]
            if when <= now:
                heapq.heappop(heap)
                fresh = self.rearm(robot, call)
                if fresh is not None:
                    wake(call, fresh)
                continue
            if stands(robot, call):
                break  # the earliest alarm that still stands
            heapq.heappop(heap)  # its robot's call has gone
        if heap:
            self._clock_at(heap[0][0])
