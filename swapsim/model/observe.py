"""What a reader sees of the running model at a time: one observation, through one accessor.

Much of the model's state is computed lazily: a station's charge milestones are applied when it is
next looked at (:meth:`~swapsim.model.station.Station.advance`), a robot in a quiet stretch of its
cycle takes its legs' draws when it is next looked at (:meth:`~swapsim.model.robot.body.Body.sync`),
the energy a working robot has drawn since its last state change is settled only at its next event,
and a pack's charge during a session is answered in closed form
(:meth:`~swapsim.model.pack.Pack.soc_at`). A reader that reads the attributes itself must remember
each of these catch-ups; :func:`observe` (``Fleet.observe(now)``) does them once, in one order, and
returns a frozen view in which every value is the one the rules give at ``now``:

* a pack in a robot reads the robot's own energy rule (:meth:`Body.socs_at`: the unsettled draw of
  the active pack included), a pack anywhere else its charge session's (:meth:`Pack.soc_at`);
* a bay's flags (charging, green, full) are read after the station's milestones due by ``now``.

Observing changes no result (the eager-versus-lazy property test, ``tests/property``): the catch-ups
apply what the rules would apply later anyway, at the same times. ``now`` must be the simulation's
current time (the lazy parts catch up to the clock, not to an arbitrary time).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from swapsim.model.pack import Pack
from swapsim.model.robot import Robot
from swapsim.model.station import Station

__all__ = ["PackView", "RobotView", "BayView", "FleetView", "catch_up", "observe"]


@dataclass(frozen=True, slots=True)
class PackView:
    """One pack at the time of the observation."""

    id: int
    location: str
    soc: float
    """State of charge (fraction of the usable energy), by the rule of the place it is in."""
    health: float
    cycles: int
    equivalent_full_cycles: float
    throughput_wh: float


@dataclass(frozen=True, slots=True)
class RobotView:
    """One robot at the time of the observation."""

    id: int
    state: str
    socs: tuple[float, ...]
    """State of charge of each pack slot (an empty slot, whose pack charges in a bay, reads 0)."""
    energy_wh: float
    """Energy left in the packs it holds (Wh)."""


@dataclass(frozen=True, slots=True)
class BayView:
    """One station bay at the time of the observation."""

    station: str
    label: str
    pack: int | None
    """Id of the pack in the bay (None: empty)."""
    soc: float | None
    charging: bool
    green: bool
    """A charged pack a robot may take (its light is green)."""
    quarantined: bool


@dataclass(frozen=True, slots=True)
class FleetView:
    """The whole fleet at ``now`` (h): every pack, robot and bay."""

    now: float
    packs: tuple[PackView, ...]
    robots: tuple[RobotView, ...]
    bays: tuple[BayView, ...]

    def pack(self, pack_id: int) -> PackView:
        """The view of the pack with id ``pack_id``."""
        for p in self.packs:
            if p.id == pack_id:
                return p
        raise KeyError(pack_id)


def catch_up(robots: Sequence[Robot], stations: Sequence[Station]) -> None:
    """Apply every lazy part due by now: the stations' charge milestones, then the robots' quiet
    stretches (the one place that lists the catch-ups; :func:`observe`, the end of the warm-up and of
    the run call it)."""
    for station in stations:
        station.advance()
    for robot in robots:
        robot.sync()


def observe(robots: Sequence[Robot], stations: Sequence[Station], packs: Sequence[Pack], now: float) -> FleetView:
    """Every pack, robot and bay as the rules give them at ``now`` (the current time); see the module."""
    catch_up(robots, stations)
    held: dict[int, float] = {}
    robot_views = []
    for robot in robots:
        socs = robot.body.socs_at(now)
        for soc, pack in zip(socs, robot.body.packs):
            if pack is not None:
                held[pack.id] = soc
        robot_views.append(RobotView(robot.id, robot.state, tuple(socs), robot.energy_wh()))  # the body's rule
    bay_views = []
    for station in stations:
        for bay in station.bays:
            p = bay.pack
            bay_views.append(
                BayView(
                    station.name,
                    bay.label,
                    None if p is None else p.id,
                    None if p is None else p.soc_at(now),
                    bay.charging,
                    bay.green,
                    bay.quarantined,
                )
            )
    pack_views = tuple(
        PackView(
            p.id,
            p.location,
            held[p.id] if p.id in held else p.soc_at(now),
            p.health,
            p.cycles,
            p.equivalent_full_cycles,
            p.throughput_wh,
        )
        for p in packs
    )
    return FleetView(now, pack_views, tuple(robot_views), tuple(bay_views))
