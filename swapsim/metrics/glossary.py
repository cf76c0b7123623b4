"""The words of the statistics: robot states and the calendar units every concern shares.

Each robot is in exactly one of :data:`ROBOT_STATES` at any time; the model names the state, the
metrics concerns count the hours. The labels shown to readers (CLI, report) are built from these names.
"""

from __future__ import annotations

__all__ = ["ROBOT_STATES", "ON_DUTY_STATES", "FAULT_KINDS", "STATE_INDEX", "MONTH_H"]

ROBOT_STATES: tuple[str, ...] = ("working", "idle", "travelling", "queueing", "swapping", "stranded",
                                 "charging", "down", "off_duty")
"""Every state a robot can be in; a robot is in exactly one at any time.

``charging``: docked at a plug-in charger (strategy ``plug_in``); ``down``: halted by a fault (emergency
stop, breakdown under repair, a failed swap attempt being retried); ``off_duty``: parked between shifts.
Every state but ``off_duty`` is on-duty time.
"""

ON_DUTY_STATES: tuple[str, ...] = tuple(s for s in ROBOT_STATES if s != "off_duty")
"""States that count as on-duty time (the denominator of utilisation and state fractions)."""

FAULT_KINDS: tuple[str, ...] = ("estop", "breakdown")
"""Faults that halt a robot (counted in ``faults``); failed swaps and station outages are counted apart."""


LOG_ROWS = 16_384
"""Rows a log gathers before it is folded into its tallies (bounds the log's memory)."""

STATE_INDEX: dict[str, int] = {s: i for i, s in enumerate(ROBOT_STATES)}
MONTH_H = 720.0
"""Length of a month in the monthly table (30 days, in hours)."""
