"""Faults: emergency stops, robot breakdowns, station outages and failed swap attempts.

Each kind of fault has its own random streams, so that turning one on (or changing its rate) leaves
every other draw of the run untouched, and a run with every rate at zero is the fault-free run:

=================  ================================  ==================================================
fault              stream                            effect
=================  ================================  ==================================================
emergency stop     ``("estop", robot)``              the robot halts where it is (``down``) for the
                                                     sampled duration, then resumes what it was doing
breakdown          ``("breakdown", robot)``          as an e-stop, for the repair time (technician
                                                     response plus repair, one distribution for now)
station outage     ``("station_outage", station)``   the station admits no robot until repaired;
                                                     queued robots re-route if another station is open
failed swap        ``("failed_swap", station)``      one attempt fails with the given probability; the
                                                     robot loses the retry time (``down``) and tries again
=================  ================================  ==================================================

Robot faults arrive as a Poisson process per robot (``rate_per_day``) and strike only a robot that is
working, idle or travelling (thinning: the rate is per day *spent in those states*); an arrival that
finds the robot at a station, off duty, stranded or already down passes. Each arrival draws its
duration at once, whether it strikes or not, so the sequence of faults does not depend on the model's
state (common random numbers across policies and strategies). The robot is halted through SimPy's
``Process.interrupt`` with a :class:`Fault` as the cause; the robot serves the halt itself
(:meth:`swapsim.model.robot.body.Body.halt`).

Station outages alternate with up times: up for an exponential time of mean ``1 / rate_per_day`` days,
then down for the sampled repair time. A robot already swapping finishes its swap; bays keep charging.

The robot-breakdown repair time is a plain distribution here; a technician crew model (shared with
pack replacement) can take it over later. Times in hours.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import simpy

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.station import Station
    from swapsim.scenario import FaultsSpec
    from swapsim.scenario.distributions import DurationDist
    from swapsim.streams import Streams

__all__ = ["Fault", "SwapFaults", "FaultInjector", "Strikeable"]


class Strikeable(Protocol):
    """A robot as faults see it (:class:`~swapsim.model.robot.Robot`; declared here so that this module
    and the robot's do not import each other)."""

    id: int

    def halt_if_strikeable(self, fault: "Fault") -> None: ...


Proc = Generator[simpy.Event, Any, Any]


@dataclass(frozen=True, slots=True)
class Fault:
    """The cause of a robot halt: ``kind`` (``estop`` or ``breakdown``) and how long it lasts (h)."""

    kind: str
    duration_h: float


class SwapFaults:
    """Failed swap attempts, drawn per station from its own stream (no draws when the probability is 0)."""

    def __init__(self, probability: float, retry: "DurationDist", streams: "Streams") -> None:
        self.probability = probability
        self.retry = retry
        self.streams = streams

    def attempt_fails(self, station: int) -> bool:
        if self.probability <= 0.0:
            return False
        return bool(self.streams.get("failed_swap", station).random() < self.probability)

    def retry_h(self, station: int) -> float:
        return self.retry.sample(self.streams.get("failed_swap", station))


class FaultInjector:
    """Starts one fault process per robot and station for each fault kind whose rate is above zero.

    Args:
        env: the simulation environment.
        spec: the scenario's ``faults`` section.
        streams: the run's streams.
        recorder: receives outage events (robot halts are recorded by the robot).
        robots: the fleet (their ``process`` must be set).
        stations: all stations.
    """

    def __init__(
        self,
        env: simpy.Environment,
        spec: "FaultsSpec",
        streams: "Streams",
        recorder: "Recorder",
        robots: Sequence[Strikeable],
        stations: Sequence["Station"],
    ) -> None:
        self.env = env
        self.spec = spec
        self.streams = streams
        self.recorder = recorder
        self.robots = robots
        self.stations = stations

    def start(self) -> None:
        env, spec = self.env, self.spec
        for robot in self.robots:
            if spec.estop.rate_per_day > 0:
                env.process(self.strike(robot, "estop", spec.estop.rate_per_day, spec.estop.duration))
            if spec.breakdown.rate_per_day > 0:
                env.process(self.strike(robot, "breakdown", spec.breakdown.rate_per_day, spec.breakdown.repair))
        if spec.station_outage.rate_per_day > 0:
            for station in self.stations:
                env.process(self.break_down(station))

    def strike(self, robot: Strikeable, kind: str, rate_per_day: float, duration: "DurationDist") -> Proc:
        """Poisson arrivals of ``kind`` faults at one robot; each halts it if it is in a strikeable state."""
        env = self.env
        rng = self.streams.get(kind, robot.id)
        mean_gap_h = 24.0 / rate_per_day
        while True:
            gap_h = float(rng.exponential(mean_gap_h))
            hours = duration.sample(rng)
            yield env.timeout(gap_h)
            robot.halt_if_strikeable(Fault(kind, hours))

    def break_down(self, station: "Station") -> Proc:
        """Alternate up times (exponential) and repairs (sampled) at one station."""
        env = self.env
        spec = self.spec.station_outage
        rng = self.streams.get("station_outage", station.index)
        mean_up_h = 24.0 / spec.rate_per_day
        while True:
            yield env.timeout(float(rng.exponential(mean_up_h)))
            station.go_down()
            yield env.timeout(spec.repair.sample(rng))
            station.come_up()
