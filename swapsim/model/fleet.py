"""Build every entity of a run from a Scenario and wire them together; never runs the clock.

Packs are numbered robots first (robot ``i`` carries packs ``2i`` and ``2i+1``; with ``cold_swap`` only
pack ``i``), then station stock in scenario order (no stock with ``plug_in``: its stations are docks).
Random streams used here (see :mod:`swapsim.streams`): ``("initial", robot)`` for a robot's starting
point in its cycle and its starting charge, ``("workload", robot)`` for its activity durations,
``("swap_duration", station)`` for each station's swap times, ``("position", robot)`` for a robot's
starting place on the floor (task demand), ``("boot", robot)`` for cold-swap boot times. Task, shift and
fault streams are named in :mod:`swapsim.model.workload` and :mod:`swapsim.model.faults`. Pack health and the
technician crew (:class:`~swapsim.model.health.HealthMonitor`) use their own streams.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, cast

import simpy

from swapsim.metrics import Recorder
from swapsim.model.faults import FaultInjector, SwapFaults
from swapsim.model.health import HealthMonitor
from swapsim.model.observe import FleetView, catch_up, observe
from swapsim.model.pack import Pack
from swapsim.model.registries import CHARGING_POLICIES, POWER_STRATEGIES
from swapsim.model.robot import Robot, build_robot
from swapsim.model.station import Station
from swapsim.model.station_index import StationChoiceIndex, indexed
from swapsim.model.workload import DutyCalendar, ShiftManager, TaskBoard
from swapsim.scenario import Scenario, TaskSpec
from swapsim.streams import Streams

__all__ = ["Fleet", "build_fleet", "charger_power_w"]


def charger_power_w(scenario: Scenario, station_index: int) -> float:
    """Grid power of one bay charger at its constant-current rate, for a new pack (W)."""
    spec = scenario.stations[station_index].charger
    pack = scenario.pack
    return spec.rate_c * pack.capacity * pack.usable_fraction / spec.efficiency


@dataclass
class Fleet:
    """All entities of one run."""

    robots: list[Robot]
    stations: list[Station]
    packs: list[Pack]
    board: TaskBoard | None = None
    shifts: ShiftManager | None = None
    faults: FaultInjector | None = None
    health: HealthMonitor | None = None
    """Pack ageing, health checks and the technician crew."""

    def observe(self, now: float) -> FleetView:
        """Every pack, robot and bay as the rules give them at ``now``, the simulation's current time
        (:func:`swapsim.model.observe.observe`): the one accessor for readers of the running model."""
        return observe(self.robots, self.stations, self.packs, now)

    def catch_up(self) -> None:
        """Apply every lazy part due by now (:func:`swapsim.model.observe.catch_up`)."""
        catch_up(self.robots, self.stations)

    def pack_locations(self) -> dict[str, int]:
        """How many packs are in robots and in stations (for conservation checks)."""
        in_robots = sum(p is not None for r in self.robots for p in r.packs)
        in_bays = sum(len(s.packs()) for s in self.stations)
        return {"robots": in_robots, "bays": in_bays, "total": in_robots + in_bays}


def build_fleet(env: simpy.Environment, scenario: Scenario, streams: Streams, recorder: Recorder) -> Fleet:
    """Create packs, stations and robots, and start their processes."""
    pack_spec = scenario.pack
    packs: list[Pack] = []

    def new_pack(soc: float = 1.0) -> Pack:
        pack = Pack(len(packs), pack_spec.capacity, pack_spec.usable_fraction, soc)
        packs.append(pack)
        return pack

    stations = []
    kind = scenario.strategy.kind
    n_packs = scenario.strategy.packs_per_robot
    trigger = scenario.policy.swap_trigger
    tasks = scenario.workload.tasks
    n_steps = len(scenario.workload.activity_cycle()) if tasks is None else len(tasks.steps)
    starts = []  # each robot's start: (step, fraction of it done, charge of its active pack)
    for i in range(scenario.fleet.robots):
        init = streams.get("initial", i)
        # Any: numpy's stubs type integers() as int, but it returns numpy.int64, which a compiled (mypyc) int rejects
        step = int(cast(Any, init).integers(n_steps))
        elapsed, soc = float(init.random()), float(init.uniform(trigger, 1.0))
        starts.append((step, elapsed, soc if scenario.fleet.initial_soc == "staggered" else 1.0))
    robot_packs = [tuple(new_pack(start[2] if k == 0 else 1.0) for k in range(n_packs)) for start in starts]
    index = indexed(scenario.policy.station_choice, kind, len(scenario.stations))
    health = HealthMonitor(env, scenario, streams, recorder, packs)  # holds ``packs``, filled below
    for i, spec in enumerate(scenario.stations):
        station = Station(
            env,
            i,
            spec,
            scenario.policy.ready_threshold,
            scenario.travel.walking_speed,
            charger_power_w(scenario, i),
            recorder,
            streams.get("swap_duration", i),
            CHARGING_POLICIES[scenario.policy.charging](),
            health,
        )
        stations.append(station)
    if index:
        StationChoiceIndex(stations)  # the station choice without a view of every station
    for station, spec in zip(stations, scenario.stations):
        if kind != "plug_in":
            for _ in range(spec.charged_packs):
                station.stock(new_pack())

    robots = []
    boots = POWER_STRATEGIES[kind].boots
    swap_faults = None
    if scenario.faults.failed_swap.probability > 0:
        swap_faults = SwapFaults(scenario.faults.failed_swap.probability, scenario.faults.failed_swap.retry, streams)
    for i, (own, (step, elapsed, _)) in enumerate(zip(robot_packs, starts)):
        robot = build_robot(
            env,
            i,
            scenario,
            own,
            stations,
            recorder,
            streams.get("workload", i),
            start_step=step,
            start_elapsed=elapsed,
            swap_faults=swap_faults,
            position=(0.0, 0.0) if tasks is None else _floor_position(streams, i, tasks),
            boot_rng=streams.get("boot", i) if boots else None,
        )
        robots.append(robot)
    health.start(robots, stations)
    return _wire_realistic_work(env, scenario, streams, recorder, Fleet(robots, stations, packs, health=health))


def _floor_position(streams: Streams, robot: int, tasks: TaskSpec) -> tuple[float, float]:
    """Where robot ``robot`` starts on the floor (m), from its own ``("position", robot)`` stream."""
    pos = streams.get("position", robot)
    return (float(pos.uniform(0.0, tasks.floor.width)), float(pos.uniform(0.0, tasks.floor.depth)))


def _wire_realistic_work(
    env: simpy.Environment, scenario: Scenario, streams: Streams, recorder: Recorder, fleet: Fleet
) -> Fleet:
    """Task board, shift manager and faults (each only when the scenario asks for it); start the robots.
    Returns the fleet with them."""
    board = shifts = None
    if scenario.workload.tasks is not None:
        board = TaskBoard(env, scenario, streams, recorder, fleet.stations)
        env.process(board.generate())
    if scenario.shifts is not None:
        calendar = DutyCalendar.from_spec(scenario.shifts, scenario.fleet.robots)
        shifts = ShiftManager(env, calendar, fleet.robots, recorder, board)
        shifts.initial_roster()  # robots off the roster start parked, their packs charged
        env.process(shifts.follow_calendar())
    for robot in fleet.robots:
        robot.start(board)
    faults = FaultInjector(env, scenario.faults, streams, recorder, fleet.robots, fleet.stations)
    faults.start()
    return replace(fleet, board=board, shifts=shifts, faults=faults)
