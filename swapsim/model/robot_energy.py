"""The robot's body: two packs, event-driven energy, and the waits every robot process is made of.

Energy is event-driven: between events the robot draws a constant power, so the time at which the
active pack reaches the swap trigger (or empty) is known in closed form and is a single timeout,
re-planned whenever the power changes (:meth:`EnergyRobot._spend`, :meth:`EnergyRobot._wait`). Faults
halt a waiting robot through ``Process.interrupt``; both packs empty strand it for the rescue time.
The default strategy hooks (see :mod:`swapsim.model.strategies`) are those of the ``hot_swap`` robot.

This is the bottom layer of :class:`~swapsim.model.robot.Robot`: ``Robot`` < ``Duty``
(:mod:`~swapsim.model.duty`) < ``SwapTrip`` (:mod:`~swapsim.model.trip`) < ``EnergyRobot``. Hours, Wh, W.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
import simpy

from swapsim.model.clock import timeout_at
from swapsim.model.pack import ChargeCurve, Pack
from swapsim.model.policies import StationView, choose_station_lazily

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.faults import Fault, SwapFaults
    from swapsim.model.station import Station
    from swapsim.scenario import Scenario

__all__ = ["EnergyRobot", "STRIKEABLE", "Proc"]

Proc = Generator[simpy.Event, Any, Any]

STRIKEABLE = frozenset({"working", "idle", "travelling"})
"""States in which an emergency stop or a breakdown can halt a robot."""


class Stretch(Protocol):
    """A quiet stretch as the robot waits it out (:class:`~swapsim.model.quiet.QuietStretch`, which
    plans it from the robot: declared here so that the two modules do not import each other)."""

    end: float
    """When the stretch ends (h)."""

    def apply_until(self, now: float, inclusive: bool = False) -> None: ...

    def halted_at(self, now: float) -> tuple[int, float]: ...


class EnergyRobot:
    """A robot's packs, its energy and the waits its processes are made of (the bottom layer of a robot).

    Args:
        env: the simulation environment.
        index: robot id (0-based).
        scenario: the validated scenario.
        packs: its two packs; ``packs[0]`` is active at the start.
        stations: all stations, in scenario order.
        recorder: receives the robot's events.
        work_rng: the robot's own stream for activity durations.
        start_step: index of the cycle step it starts in.
        start_elapsed: fraction of that first step already done (0 <= x < 1).
        swap_faults: the fleet's failed-swap faults (None: swaps never fail).
        position: where it starts on the floor (m; task demand).
    """

    quiet_stretches = True
    """Run quiet stretches (:mod:`swapsim.model.quiet`) as one event: the same path as leg by leg.
    Off for the strategies whose energy rules differ, and always with an event trace (which lists
    state changes as they happen)."""

    def __init__(
        self,
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
    ) -> None:
        self.env = env
        self.id = index
        self.scenario = scenario
        self.packs: list[Pack | None] = list(packs)
        self.label = f"robot:{index}"
        """Where a pack in this robot is (``Pack.location``)."""
        for p in packs:
            p.location = self.label
        self.active = 0
        self.stations = stations
        self._travel_h = [s.travel_h for s in stations]
        self._by_walk = sorted(range(len(stations)), key=self._travel_h.__getitem__)
        """Station indices by walk, ties in scenario order (the station choice looks at them in this order)."""
        self.recorder = recorder
        self.work_rng = work_rng
        self.start_step = start_step
        self.start_elapsed = start_elapsed
        policy = scenario.policy
        self.trigger = policy.swap_trigger
        self.go_at_once = policy.go == "immediately"
        self.station_rule = policy.station_choice
        self.powers = scenario.power.activities
        self.walk_w = self.powers["walk"]
        self.station_w = scenario.power.station_w
        self.rescue_h = scenario.fleet.rescue_time
        self.cycle = scenario.workload.cycle
        self.state = "working"
        self.power_w = 0.0
        self.t_last = 0.0
        self.needs_swap = False
        self.quiet: "Stretch | None" = None
        """The quiet stretch the robot is in (:mod:`swapsim.model.quiet`), if any."""
        self.quiet_ok = self.quiet_stretches and not recorder.states.tracing
        self._init_realistic_work(scenario, swap_faults, position)

    def _init_realistic_work(
        self, scenario: "Scenario", swap_faults: "SwapFaults | None", position: tuple[float, float]
    ) -> None:
        """Attributes for task demand, shifts, faults and the power strategies."""
        self.process: simpy.Process | None = None
        """The robot's own process (set by the fleet builder; faults interrupt it)."""
        self.position = position
        """Where on the floor the robot is between tasks (m)."""
        self.idle_w = self.powers["idle"]
        self.ready = scenario.policy.ready_threshold
        self.opportunistic_below = scenario.policy.opportunistic_below
        self.down_w = scenario.faults.down_power
        self.outages = scenario.faults.station_outage.rate_per_day > 0
        self.swap_faults = swap_faults
        self.strikeable = False
        """True only while the process waits in a state a fault can interrupt."""
        self.on_duty = True
        self.parked = False
        self.duty_call: simpy.Event | None = None
        shifts = scenario.shifts
        self.off_duty_mode = shifts.off_duty if shifts is not None else "replenish"
        ch = scenario.stations[0].charger
        self.park_curve = ChargeCurve(ch.rate_c, ch.cv_soc, ch.cutoff_c)
        self.park_efficiency = ch.efficiency

    # -- energy bookkeeping ---------------------------------------------------------------------
    @property
    def active_pack(self) -> Pack:
        pack = self.packs[self.active]
        assert pack is not None, "asked only while the robot runs on a pack"
        return pack

    def held_packs(self) -> list[Pack]:
        """The pack slots, when none is empty (a slot is empty only while its pack charges in a bay during
        a stock-out): after a charge or a rescue, at a dock, parked, when called for a task."""
        assert all(p is not None for p in self.packs), "a pack slot is empty (its pack charges at a station)"
        return cast("list[Pack]", self.packs)

    def sync(self) -> None:
        """Bring a robot in a quiet stretch up to now (the draws and state changes of the legs begun
        before now), for anything that looks at it or its packs: faults, health surveys, energy readers
        such as the shift manager, the end of the warm-up and of the run."""
        quiet = self.quiet
        if quiet is not None:
            quiet.apply_until(self.env.now)

    def settle(self) -> None:
        """Draw the energy used since the last settlement from the active pack."""
        now = self.env.now
        dt = now - self.t_last
        if dt > 0.0 and self.power_w > 0.0:
            # hot path, no narrowing call: power_w > 0 only while the active slot holds a pack
            self.packs[self.active].draw(self.power_w * dt, self.t_last, now)  # type: ignore[union-attr]
        self.t_last = now

    def _enter(self, state: str, power_w: float) -> None:
        """Change state and power draw now (the energy drawn so far is settled first)."""
        self.settle()
        if state != self.state:
            self.state = state
            self.recorder.robot_state(self.id, state, self.t_last)
        self.power_w = power_w

    def _next_energy_event(self) -> tuple[float, float]:
        """(hours until the active pack reaches its next threshold, that threshold)."""
        power_w = self.power_w
        if power_w <= 0.0:
            return math.inf, 0.0
        pack: Pack = self.packs[self.active]  # type: ignore[assignment]  # hot path; power_w > 0: a pack is held
        soc, usable_wh = pack.soc, pack.usable_wh
        target = self.trigger if soc > self.trigger else 0.0
        soc_now = soc - power_w * (self.env.now - self.t_last) / usable_wh
        dt = (soc_now - target) * usable_wh / power_w
        return (dt if dt > 0.0 else 0.0), target

    def on_energy_event(self, target: float) -> bool:
        """The active pack has reached ``target``; returns False if the robot is now stranded."""
        self.settle()
        return self.reach(target)

    def reach(self, target: float) -> bool:
        """:meth:`on_energy_event` once settled: snap the active pack to ``target``, run on the fuller pack."""
        pack: Pack = self.packs[self.active]  # type: ignore[assignment]  # hot path; the active slot is never empty here
        pack.set_soc(target)
        other = self.packs[1 - self.active]  # None while its pack charges at a station
        if target > 0.0:
            self.needs_swap = True
            if other is not None and other.soc > pack.soc:
                self.active = 1 - self.active
            return True
        if other is not None and other.soc > 0.0:
            self.active = 1 - self.active
            self.needs_swap = True
            return True
        return False

    def rebalance(self) -> None:
        """After a swap: run on the fuller pack if the active one is at or below the trigger."""
        pack = self.packs[self.active]
        other = self.packs[1 - self.active]
        assert pack is not None and other is not None, "both packs are back in the robot after a swap"
        if pack.soc <= self.trigger and other.soc > pack.soc:
            self.active = 1 - self.active
            pack, other = other, pack
        self.needs_swap = other.soc <= self.trigger  # the pack not in use

    # -- primitives -------------------------------------------------------------------------------
    def _spend(self, duration_h: float, state: str, power_w: float, stop_for_swap: bool) -> Proc:
        """Spend ``duration_h`` in ``state`` at ``power_w``; returns the time left if stopped for a swap.

        Each wait is one timeout: to the end, or to the active pack's next threshold if that comes
        first. A fault halting the robot meanwhile is served here (the robot is ``down``, then back in
        the state it was in), and the rest of the time is re-planned.
        """
        self._enter(state, power_w)
        env = self.env
        remaining = duration_h
        while remaining > 0.0:
            if stop_for_swap and self.needs_swap:
                return remaining
            t0 = env.now
            dt, target = self._next_energy_event()
            to_end = dt >= remaining
            self.strikeable = self.state in STRIKEABLE
            try:
                yield env.timeout(remaining if to_end else dt)
            except simpy.Interrupt as stop:
                self.strikeable = False
                remaining -= env.now - t0
                yield from self.halt(stop.cause)  # type: ignore[arg-type]  # only faults interrupt a robot (hot path: no check)
                continue
            self.strikeable = False
            if to_end:
                return 0.0
            remaining -= dt
            if not self.on_energy_event(target):
                yield from self.strand()
                self._enter(state, power_w)
        return 0.0

    def run_quiet(self, stretch: "Stretch") -> Proc:
        """Wait out a quiet stretch as one event; returns None when it ends, or (index of the leg under
        way, hours left of it, fault) when a fault halts the robot (settled to that point)."""
        env = self.env
        stretch.apply_until(env.now, inclusive=True)
        self.quiet = stretch
        self.strikeable = True
        try:
            yield timeout_at(env, stretch.end)
        except simpy.Interrupt as stop:
            self.strikeable = False
            self.quiet = None
            now = env.now
            stretch.apply_until(now)
            leg, remaining = stretch.halted_at(now)
            assert stop.cause is not None, "only faults interrupt a robot"
            return leg, remaining, stop.cause
        self.strikeable = False
        self.quiet = None
        stretch.apply_until(env.now, inclusive=True)
        return None

    def _wait(self, event: simpy.Event, state: str, power_w: float) -> Proc:
        """Wait for ``event`` in ``state`` at ``power_w``, handling energy events meanwhile."""
        self._enter(state, power_w)
        env = self.env
        while not event.triggered:
            dt, target = self._next_energy_event()
            if dt == math.inf:
                break
            timeout = env.timeout(dt)
            yield event | timeout
            if event.triggered:
                break
            if not self.on_energy_event(target):
                yield from self.strand()
                self._enter(state, power_w)
        value = yield event
        return value

    # -- stations, energy and strategy hooks -------------------------------------------------------
    def view_of(self, station: "Station") -> StationView:
        """What this robot sees of ``station`` when choosing where to go."""
        return station.view()

    def pick_station(self, avoid: "Station | None" = None) -> "Station":
        """The station to walk to by the policy, among the open ones (all of them if none is open).

        With the fleet's choice index (``shortest_wait``, many stations) and the robot seeing stations
        as :meth:`view_of` does here, the index answers without viewing every station
        (:mod:`swapsim.model.station_index`); otherwise, or where the index does not apply, the lazy scan.
        """
        if len(self.stations) == 1:  # nothing to choose (the rules below would pick it too)
            return self.stations[0]
        choice = self.stations[0].choice
        if choice is not None and avoid is None and type(self).view_of is EnergyRobot.view_of:
            station = choice.choose(self.env.now)
            if station is not None:
                return station
        if avoid is None and not self.outages:  # no station ever closes: all are open (no O(stations) scan)
            cands = self.stations
        else:
            cands = [s for s in self.stations if s.up and s is not avoid]
            if not cands:
                cands = [s for s in self.stations if s is not avoid] or list(self.stations)
        if len(cands) == 1:  # nothing to choose: skip building the views (hot path with one station)
            return cands[0]
        if len(cands) == len(self.stations):  # all of them, in scenario order
            travel_h, order = self._travel_h, self._by_walk
        else:
            travel_h, order = [s.travel_h for s in cands], None
        return cands[choose_station_lazily(self.station_rule, travel_h, lambda i: self.view_of(cands[i]), order)]

    def _socs_now(self) -> list[float]:
        """State of charge of each pack slot now, the active one's unsettled draw included.

        A slot is empty (``None``) while its pack charges in a bay during a stock-out
        (:meth:`~swapsim.model.trip.SwapTrip._visit`): the robot holds no energy there, so the slot reads
        0. The robot may be asked meanwhile, e.g. by the shift manager ranking robots by energy at a
        roster change.
        """
        self.sync()
        now = self.env.now
        if self.power_w > 0:  # drawing: no pack it holds is in a charge session
            socs = [0.0 if p is None else p.soc for p in self.packs]
        else:  # parked or docked, its packs may be charging
            socs = [0.0 if p is None else p.soc_at(now) for p in self.packs]
        if self.power_w > 0:
            pack: Pack = self.packs[self.active]  # type: ignore[assignment]  # power_w > 0: a pack is held
            soc = pack.soc - self.power_w * (now - self.t_last) / pack.usable_wh
            socs[self.active] = soc if soc > 0.0 else 0.0  # max(0.0, soc), without the builtin's call cost
        return socs

    def energy_wh(self) -> float:
        """Energy left in the packs the robot holds now (Wh); an empty slot holds none."""
        return sum([s * p.usable_wh for s, p in zip(self._socs_now(), self.packs) if p is not None])

    def lowest_soc(self) -> float:
        """State of charge of the emptiest pack now."""
        return min(self._socs_now())

    def pack_usable_wh(self) -> float:
        """Usable energy of one full pack (the first) (Wh)."""
        pack = self.packs[0]
        assert pack is not None, "asked only of a robot holding its packs"
        return pack.usable_wh

    def swap_budget_wh(self) -> float:
        """Energy the robot may spend before its swap rule sends it to a station (Wh).

        Going at once: until the active pack reaches the trigger. After the activity (task): all of it.
        """
        if not self.go_at_once:
            return self.energy_wh()
        return max(0.0, self._socs_now()[self.active] - self.trigger) * self.active_pack.usable_wh

    # -- faults ------------------------------------------------------------------------------------
    def halt_if_strikeable(self, fault: "Fault") -> None:
        """A fault strikes: interrupt the robot's process if it waits in a state a fault can halt
        (working, idle or travelling); otherwise the fault passes it by."""
        self.sync()
        if self.strikeable and self.state in STRIKEABLE and self.process is not None:
            self.strikeable = False
            self.process.interrupt(fault)

    def halt(self, fault: "Fault") -> Proc:
        """A fault halts the robot where it is: ``down`` for the fault's duration, then back as it was."""
        state, power = self.state, self.power_w
        self.recorder.robot_fault(self.id, fault.kind, fault.duration_h, self.env.now)
        yield from self._spend(fault.duration_h, "down", self.down_w, False)
        self._enter(state, power)

    def _after_charge(self) -> None:
        """Run on the fullest pack; nothing needs a swap unless a pack is still at the trigger."""
        packs = self.held_packs()
        self.active = max(range(len(packs)), key=lambda i: packs[i].soc)
        self.needs_swap = min(p.soc for p in packs) <= self.trigger

    def strand(self) -> Proc:
        """Both packs empty: down for the rescue time; the crew charges both packs meanwhile."""
        env = self.env
        self.recorder.robot_stranded(self.id, env.now)
        self._enter("stranded", 0.0)
        yield env.timeout(self.rescue_h)
        grid_wh = 0.0
        for pack in self.packs:
            if pack is None:  # left at a station during a stock-out
                continue
            grid_wh += (1.0 - pack.soc) * pack.usable_wh
            pack.soc = 1.0
        self.recorder.rescue_charged(self.id, grid_wh, env.now)
        self.needs_swap = False
