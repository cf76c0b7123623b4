"""Build every entity of a run from a Scenario and wire them together; never runs the clock.

Packs are numbered robots first (robot ``i`` carries packs ``2i`` and ``2i+1``), then station stock in
scenario order. Random streams used here (see :mod:`swapsim.streams`): ``("initial", robot)`` for a
robot's starting point in its cycle and its starting charge, ``("workload", robot)`` for its activity
durations and ``("swap_duration", station)`` for each station's swap times. Pack health and the
technician crew (:class:`~swapsim.model.health.HealthMonitor`) use their own streams.
"""

from __future__ import annotations

from dataclasses import dataclass

import simpy

from swapsim.config import Scenario
from swapsim.metrics import Recorder
from swapsim.model.health import HealthMonitor
from swapsim.model.pack import Pack
from swapsim.model.robot import Robot
from swapsim.model.station import Station
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
    health: HealthMonitor | None = None
    """Pack ageing, health checks and the technician crew."""

    def pack_locations(self) -> dict[str, int]:
        """How many packs are in robots and in stations (for conservation checks)."""
        in_robots = sum(len(r.packs) for r in self.robots)
        in_bays = sum(len(s.packs()) for s in self.stations)
        return {"robots": in_robots, "bays": in_bays, "total": in_robots + in_bays}


def build_fleet(env: simpy.Environment, scenario: Scenario, streams: Streams, recorder: Recorder) -> Fleet:
    """Create packs, stations and robots, and start their processes."""
    pack_spec = scenario.pack
    packs: list[Pack] = []

    def new_pack() -> Pack:
        pack = Pack(id=len(packs), capacity_wh=pack_spec.capacity, usable_fraction=pack_spec.usable_fraction)
        packs.append(pack)
        return pack

    stations = []
    robot_packs = [(new_pack(), new_pack()) for _ in range(scenario.fleet.robots)]
    for i, spec in enumerate(scenario.stations):
        station = Station(env, i, spec, scenario.policy.ready_threshold, scenario.travel.walking_speed,
                          charger_power_w(scenario, i), recorder, streams.get("swap_duration", i))
        for _ in range(spec.charged_packs):
            station.stock(new_pack())
        stations.append(station)

    robots = []
    trigger = scenario.policy.swap_trigger
    n_steps = len(scenario.workload.cycle)
    for i, (a, b) in enumerate(robot_packs):
        init = streams.get("initial", i)
        step = int(init.integers(n_steps))
        elapsed = float(init.random())
        soc = float(init.uniform(trigger, 1.0))
        if scenario.fleet.initial_soc == "staggered":
            a.soc = soc
        robot = Robot(env, i, scenario, (a, b), stations, recorder, streams.get("workload", i),
                      start_step=step, start_elapsed=elapsed)
        robots.append(robot)
        env.process(robot.operate())
    health = HealthMonitor(env, scenario, streams, recorder, packs)
    health.start(robots, stations)
    return Fleet(robots=robots, stations=stations, packs=packs, health=health)
