"""Roles entities play for one another, as Protocols: what one side calls on the other.

A module that only talks to an entity annotates with its role here instead of importing the entity's
class, so that no two model modules import each other, not even for types. Each role lists exactly what
its users call; the entity's class satisfies it structurally (mypy checks it where they meet).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from swapsim.model.policies import StationView
    from swapsim.model.station import Station

__all__ = ["Worker"]


class Worker(Protocol):
    """A robot as the task board and the shift manager (:mod:`swapsim.model.workload`) see it: a
    :class:`~swapsim.model.robot.Robot` of any power strategy. Energies in Wh, positions in m."""

    id: int
    on_duty: bool
    parked: bool
    go_at_once: bool
    position: tuple[float, float]

    def call_to_duty(self) -> None: ...

    def release_from_duty(self) -> None: ...

    def start_off_duty(self) -> None: ...

    def energy_wh(self) -> float: ...

    def lowest_soc(self) -> float: ...

    def pack_usable_wh(self) -> float: ...

    def swap_budget_wh(self) -> float: ...

    def pick_station(self, avoid: Station | None = None) -> Station: ...

    def view_of(self, station: Station) -> StationView: ...
