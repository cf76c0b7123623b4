"""Statistics of a run: the Recorder, its concerns and the accumulators they are built from.

The model reports domain events to a :class:`Recorder`; each concern (robot states, swaps, energy,
demand, faults, health) keeps bounded statistics of its own events and returns its section of the
summary as a typed frozen dataclass, and the cost concern prices them; the recorder composes a typed
:class:`Summary`, turned into plain data once (:meth:`Summary.to_dict`) where the run's result is made. Every KPI has one entry in :mod:`swapsim.metrics.catalogue`
(label, unit, short name, concern, direction, estimate name). Nothing here runs a simulation or
touches files.
"""

from swapsim.metrics.accumulators import LOG_ROWS, FleetStates, Tally, TimeWeighted
from swapsim.metrics.glossary import FAULT_KINDS, MONTH_H, ON_DUTY_STATES, ROBOT_STATES
from swapsim.metrics.health import AlertRecord, HealthStats, PacksAtHorizon
from swapsim.metrics.recorder import Recorder, Summary
from swapsim.metrics.trace import Trace, TraceEvent

__all__ = [
    "ROBOT_STATES",
    "ON_DUTY_STATES",
    "FAULT_KINDS",
    "MONTH_H",
    "TimeWeighted",
    "Tally",
    "FleetStates",
    "LOG_ROWS",
    "Recorder",
    "Summary",
    "Trace",
    "TraceEvent",
    "AlertRecord",
    "HealthStats",
    "PacksAtHorizon",
]
