"""A robot, by composition: a body, a power strategy, trips, a duty status and a work process.

:class:`Robot` is what other entities see of a robot (the roles :class:`~swapsim.model.roles.Worker`
and :class:`~swapsim.model.faults.Strikeable`): it holds its parts, starts its process and answers for
them. :func:`build_robot` wires the parts of one robot through their constructors. Hours, Wh, W.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import simpy

from swapsim.model.pack import Pack
from swapsim.model.policies import StationView
from swapsim.model.registries import POWER_STRATEGIES
from swapsim.model.robot.body import Body, Proc
from swapsim.model.robot.shifts import Duty
from swapsim.model.robot.trip import PowerStrategy, Trip
from swapsim.model.robot.work import Work

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.faults import Fault, SwapFaults
    from swapsim.model.roles import Board
    from swapsim.model.station import Station
    from swapsim.scenario import Scenario

__all__ = ["Robot", "build_robot"]


class Robot:
    """One robot: its ``body`` (packs and energy), ``power`` strategy, ``trip`` (to stations for energy),
    ``duty`` (shifts) and ``work`` (the activity cycle or tasks); ``process`` once started."""

    def __init__(self, body: Body, power: PowerStrategy, trip: Trip, duty: Duty, work: Work) -> None:
        self.id = body.id
        self.body = body
        self.power = power
        self.trip = trip
        self.duty = duty
        self.work = work
        self.process: simpy.Process | None = None
        """The robot's own process (faults interrupt it)."""
        # the body's answers, as its bound methods: the task board asks them of every idle robot it
        # weighs for a task (no forwarding frame per question)
        self.energy_wh = body.energy_wh
        """Energy left in the packs the robot holds now (Wh; :meth:`Body.energy_wh`)."""
        self.lowest_soc = body.lowest_soc
        """State of charge of the emptiest pack now (:meth:`Body.lowest_soc`)."""
        self.pack_usable_wh = body.pack_usable_wh
        """Usable energy of one full pack (Wh; :meth:`Body.pack_usable_wh`)."""
        self.go_at_once = power.go_at_once
        """The power strategy's: go to a station as soon as a pack reaches the trigger (fixed when built)."""

    def start(self, board: "Board | None") -> None:
        """Start the robot's process: the activity cycle, or serving ``board`` (task demand)."""
        self.process = self.body.env.process(self.operate() if board is None else self.work.serve(board, self))

    def operate(self) -> Proc:
        """The activity cycle (:meth:`Work.operate`)."""
        return self.work.operate()

    # -- what others read ----------------------------------------------------------------------------
    @property
    def packs(self) -> list[Pack | None]:
        """The pack slots, their draws brought up to now (:meth:`Body.packs_now`)."""
        return self.body.packs_now()

    @property
    def state(self) -> str:
        return self.body.state

    @property
    def on_duty(self) -> bool:
        return self.duty.on_duty

    @property
    def parked(self) -> bool:
        return self.duty.parked

    position: ClassVar[property] = property(
        attrgetter("work.position"), doc="Where on the floor the robot is between tasks (m)."
    )
    """The work's position, read through a C getter: the board reads it of every idle robot it weighs
    for a task, and a Python property would cost a frame per read. A ``ClassVar``, so that the compiled
    build keeps it on the class (without the annotation mypyc made it an instance attribute whose
    value was the property object itself, and the board got that instead of a position)."""

    def sync(self) -> None:
        """Bring a robot in a quiet stretch up to now (:meth:`Body.sync`)."""
        self.body.sync()

    def settle(self) -> None:
        """Draw the energy used since the last settlement (:meth:`Body.settle`)."""
        self.body.settle()

    def swap_budget_wh(self) -> float:
        return self.power.swap_budget_wh(self.body)

    def pick_station(self, avoid: "Station | None" = None) -> "Station":
        return self.trip.pick_station(avoid)

    def view_of(self, station: "Station") -> StationView:
        return self.power.view_of(station)

    # -- what others tell it ---------------------------------------------------------------------------
    def call_to_duty(self) -> None:
        self.duty.call_to_duty()

    def release_from_duty(self) -> None:
        self.duty.release_from_duty()

    def start_off_duty(self) -> None:
        self.duty.start_off_duty()

    def halt_if_strikeable(self, fault: "Fault") -> None:
        """A fault strikes: interrupt the robot's process if it waits in a state a fault can halt
        (working, idle or travelling); otherwise the fault passes it by."""
        if self.body.strike() and self.process is not None:
            self.process.interrupt(fault)


def build_robot(
    env: simpy.Environment,
    index: int,
    scenario: "Scenario",
    packs: Sequence[Pack],
    stations: Sequence["Station"],
    recorder: "Recorder",
    work_rng: np.random.Generator,
    start_step: int = 0,
    start_elapsed: float = 0.0,
    swap_faults: "SwapFaults | None" = None,
    position: tuple[float, float] = (0.0, 0.0),
    boot_rng: np.random.Generator | None = None,
) -> Robot:
    """Robot ``index`` of the power strategy ``scenario.strategy.kind`` (a name in ``POWER_STRATEGIES``),
    its parts wired through their constructors. ``packs[0]`` is active at the start; ``boot_rng``: the
    robot's ``("boot", index)`` stream (cold swap)."""
    power: PowerStrategy = POWER_STRATEGIES[scenario.strategy.kind](scenario, boot_rng)
    policy = scenario.policy
    body = Body(
        env, index, packs, recorder, power, policy.swap_trigger, scenario.faults.down_power, scenario.fleet.rescue_time
    )
    trip = Trip(
        body,
        power,
        stations,
        recorder,
        policy.station_choice,
        scenario.power.activities["walk"],
        scenario.power.station_w,
        policy.opportunistic_below,
        scenario.faults.station_outage.rate_per_day > 0,
        swap_faults,
    )
    duty = Duty(body, trip, scenario, recorder)
    quiet_ok = power.quiet_stretches and not recorder.states.tracing
    work = Work(
        body, trip, duty, scenario, recorder, work_rng, start_step, start_elapsed, position, power.go_at_once, quiet_ok
    )
    return Robot(body, power, trip, duty, work)
