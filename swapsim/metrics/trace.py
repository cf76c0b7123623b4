"""An optional, bounded trace of model events, shared by the metrics concerns.

A scenario's ``output.trace_events`` keeps the first N events (0: none); the concerns add to it from
their hooks only when tracing is on, so a run without a trace pays one attribute test per hook.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["TraceEvent", "Trace"]


@dataclass(frozen=True, slots=True)
class TraceEvent:
    """One recorded model event (time in hours)."""

    time_h: float
    kind: str
    robot: int | None = None
    station: int | None = None
    detail: Any = None


class Trace:
    """The first ``limit`` events of a run, in the order they happened."""

    __slots__ = ("limit", "events")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.events: list[TraceEvent] = []

    def add(
        self, now: float, kind: str, robot: int | None = None, station: int | None = None, detail: Any = None
    ) -> None:
        """Keep the event if fewer than ``limit`` are kept."""
        if len(self.events) < self.limit:
            self.events.append(TraceEvent(now, kind, robot, station, detail))

    def __iter__(self) -> Iterator[TraceEvent]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.events)
