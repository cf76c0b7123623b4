"""Events at an exact time of the clock (h), for the fast paths that stand for a chain of timeouts.

A leaf of the model (it imports nothing from swapsim): :mod:`swapsim.model.robot.quiet` plans quiet stretches
that end at such a time, and the robot's body (:mod:`swapsim.model.robot.body`) waits for them.
"""

from __future__ import annotations

from heapq import heappush

import simpy
from simpy.events import NORMAL

__all__ = ["TimeoutAt", "timeout_at"]


class TimeoutAt(simpy.Event):
    """An event that fires at exactly ``when`` (h), as a timeout does, for a time reached by a chain of
    step-by-step timeouts. ``env.timeout(when - now)`` fires at ``now + (when - now)``, which can be a
    unit in the last place off ``when`` (and no delay may reach it exactly), so the event is put on
    SimPy's event queue at ``when`` itself, with a timeout's priority (SimPy's private queue and id
    counter: ``tests/unit/test_quiet_stretches.py`` checks they are still there). Like
    ``simpy.Timeout``, it is triggered when made: it sets only its own state (all of it, as
    ``simpy.Timeout.__init__`` does, without a call to ``Event.__init__``: one is made per quiet stretch)."""

    def __init__(self, env: simpy.Environment, when: float) -> None:
        self.env = env
        self.callbacks = []
        self._ok = True
        self._value = None
        heappush(env._queue, (when, NORMAL, next(env._eid), self))


def timeout_at(env: simpy.Environment, when: float) -> simpy.Event:
    """A :class:`TimeoutAt` at ``when`` (h)."""
    return TimeoutAt(env, when)
