"""What a station says to the entities it talks to, as Protocols generic in the station's type.

A station tells the pack-health monitor of each exchange (:class:`PackInspector`) and the fleet's
station-choice index of each change a view would see (:class:`StationWatcher`); robots ask that index
for a station (:class:`StationChooser`). Declared here, generic in the station type ``S``, so that
neither the station nor the entities it talks to import each other, not even for types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from swapsim.model.pack import Pack
    from swapsim.model.places import Bay

__all__ = ["PackInspector", "StationChooser", "StationWatcher"]

S = TypeVar("S")
S_contra = TypeVar("S_contra", contravariant=True)
S_co = TypeVar("S_co", covariant=True)


class PackInspector(Protocol[S_contra]):
    """What a station tells the pack-health monitor (:class:`~swapsim.model.health.HealthMonitor`) at
    each exchange."""

    ageing: bool

    def handed_out(self, pack: "Pack", station: S_contra, stay: tuple[float, float | None] | None) -> None: ...

    def dropped_off(self, pack: "Pack", station: S_contra, bay: "Bay") -> str: ...

    def quarantined(self, pack: "Pack", station: S_contra, bay: "Bay", reason: str) -> None: ...


class StationChooser(Protocol[S_co]):
    """The fleet's station-choice index as robots ask it
    (:class:`~swapsim.model.station_index.StationChoiceIndex`)."""

    def choose(self, now: float) -> S_co | None: ...


class StationWatcher(Protocol[S]):
    """The fleet's station-choice index as a station tells it of its changes (the one subscriber a
    station has, :meth:`~swapsim.model.station.Station.watch`): everything a view would see, as it
    happens; and, as robots ask it, the choice."""

    def choose(self, now: float) -> S | None: ...

    def changed(self, station: S) -> None:
        """Busy, queue, incoming or green count changed."""
        ...

    def armed(self, station: S) -> None:
        """A new charge session: new charge milestones."""
        ...

    def up_changed(self, station: S) -> None:
        """The station went down or came back up (``station.up``)."""
        ...
