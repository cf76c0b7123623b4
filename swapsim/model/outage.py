"""Whether a station is up: an outage's events (:class:`Availability`, a part of a station).

A station goes down (an outage from :mod:`swapsim.model.faults`) and comes back up; robots waiting
there learn of an outage from ``closing``, and robots waiting for it to reopen from ``reopening``.
"""

from __future__ import annotations

import simpy

__all__ = ["Availability"]


class Availability:
    """Up or down, with the events robots wait on.

    Args:
        env: the simulation environment.
    """

    __slots__ = ("env", "up", "closing", "reopening")

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.up = True
        self.closing = env.event()
        """Fires when the station goes down (a new one is made at each repair)."""
        self.reopening = env.event()
        """Fires when the station comes back up (a new one is made at each outage)."""

    def go_down(self) -> None:
        """An outage starts: ``closing`` fires."""
        self.up = False
        self.closing.succeed()
        self.reopening = self.env.event()

    def come_up(self) -> None:
        """The outage is repaired: ``reopening`` fires."""
        self.up = True
        self.closing = self.env.event()
        self.reopening.succeed()
