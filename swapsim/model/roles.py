"""Roles entities play for one another, as Protocols: what one side calls on the other.

A module that only talks to an entity annotates with its role here instead of importing the entity's
class, so that no two model modules import each other, not even for types. Each role lists exactly what
its users call; the entity's class satisfies it structurally (mypy checks it where they meet).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from swapsim.model.policies import StationView
    from swapsim.model.station import Station

__all__ = ["Worker", "Board", "Job", "JobStep"]


class Worker(Protocol):
    """A robot as the task board and the shift manager (:mod:`swapsim.model.workload`) see it: a
    :class:`~swapsim.model.robot.Robot` of any power strategy. Energies in Wh, positions in m."""

    id: int

    @property
    def on_duty(self) -> bool: ...

    @property
    def parked(self) -> bool: ...

    @property
    def go_at_once(self) -> bool: ...

    @property
    def position(self) -> tuple[float, float]: ...

    def call_to_duty(self) -> None: ...

    def release_from_duty(self) -> None: ...

    def start_off_duty(self) -> None: ...

    def energy_wh(self) -> float: ...

    def lowest_soc(self) -> float: ...

    def pack_usable_wh(self) -> float: ...

    def swap_budget_wh(self) -> float: ...

    def pick_station(self, avoid: Station | None = None) -> Station: ...

    def view_of(self, station: Station) -> StationView: ...


class JobStep(Protocol):
    """One step of a task as a robot does it (:class:`~swapsim.model.workload.TaskStep`)."""

    @property
    def duration_h(self) -> float: ...

    @property
    def state(self) -> str: ...

    @property
    def power_w(self) -> float: ...


class Job(Protocol):
    """A task as a robot does it (:class:`~swapsim.model.workload.Task`); positions in m, times in h."""

    @property
    def id(self) -> int: ...

    @property
    def arrived_h(self) -> float: ...

    @property
    def location(self) -> tuple[float, float]: ...

    @property
    def steps(self) -> Sequence[JobStep]: ...

    @property
    def swap_first(self) -> bool: ...


class Board(Protocol):
    """The task board as a robot's work process (:class:`~swapsim.model.robot.work.Work`) sees it
    (:class:`~swapsim.model.workload.TaskBoard`)."""

    approach_w: float
    alarms: Any
    """The idle robots' energy alarms (:class:`~swapsim.model.alarms.IdleAlarms`)."""

    def offer(self, robot: Worker) -> Any: ...

    def withdraw(self, robot: Worker) -> None: ...

    def feasible(self, robot: Worker, task: Any) -> bool: ...

    def approach_h(self, robot: Worker, task: Any) -> float: ...
