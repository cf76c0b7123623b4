"""The robot's body: its packs, event-driven energy, and the waits every robot process is made of.

The body is the only owner of a robot's energy state (the packs it holds, which one is active, the
draw and when it was last settled, whether a pack needs a swap). Between events the robot draws a
constant power, so the time the active pack reaches the swap trigger (or empty) is one timeout,
re-planned whenever the power changes (:meth:`Body.spend`, :meth:`Body.wait`). Faults halt a waiting
robot through ``Process.interrupt``; both packs empty strand it for the rescue time. What a threshold
and a swap do to the packs are the power strategy's rules (:class:`EnergyRules`). A quiet stretch
(:mod:`swapsim.model.robot.quiet`) is applied lazily; readers go through :meth:`Body.socs_at` (or
:meth:`Body.sync`), which bring it up to the time asked. Hours, Wh, W.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

import simpy

from swapsim.model.clock import TimeoutAt
from swapsim.model.pack import Pack

if TYPE_CHECKING:
    from swapsim.metrics import Recorder
    from swapsim.model.faults import Fault

__all__ = ["Body", "EnergyRules", "Stretch", "STRIKEABLE", "Proc", "energy_event_after"]

Proc = Generator[simpy.Event, Any, Any]

STRIKEABLE = frozenset({"working", "idle", "travelling"})
"""States in which an emergency stop or a breakdown can halt a robot."""


def energy_event_after(
    soc: float, soc_now: float, usable_wh: float, power_w: float, trigger: float
) -> tuple[float, float]:
    """(hours until a pack settled at ``soc``, at ``soc_now`` now, drawn at ``power_w`` > 0, reaches its next
    threshold, that threshold): the swap ``trigger`` while ``soc`` is above it, else empty. The one rule of
    the energy event, for the body and for quiet stretches (:func:`~swapsim.model.robot.quiet.plan_quiet`)."""
    target = trigger if soc > trigger else 0.0
    dt = (soc_now - target) * usable_wh / power_w
    return (dt if dt > 0.0 else 0.0), target


class Stretch(Protocol):
    """A quiet stretch as the body waits it out (:class:`~swapsim.model.robot.quiet.QuietStretch`, which plans it
    from the body: declared here so that the two modules do not import each other)."""

    end: float
    """When the stretch ends (h)."""
    n: int  # its legs

    def apply_until(self, now: float, inclusive: bool = False) -> None: ...

    def halted_at(self, now: float) -> tuple[int, float]: ...


class EnergyRules(Protocol):
    """What a power strategy decides about the packs (:mod:`swapsim.model.robot.power`)."""

    def reach(self, body: "Body", target: float) -> bool:
        """The active pack, settled, has reached ``target``: switch packs, ask for a swap, or report the
        robot stranded (False)."""
        ...

    def rebalance(self, body: "Body") -> None:
        """After an exchange: which pack to run on, whether a swap is still needed."""
        ...


class Body:
    """A robot's packs, its energy and the waits its processes are made of.

    Args:
        env: the simulation environment.
        index: robot id (0-based).
        packs: its packs; ``packs[0]`` is active at the start.
        recorder: receives the robot's state changes, faults, strandings and rescues.
        rules: the power strategy's energy rules (what a threshold and a swap do to the packs).
        trigger: the swap trigger (state of charge).
        down_w: draw while halted by a fault (W).
        rescue_h: time a stranded robot waits for the rescue crew (h).
    """

    def __init__(
        self,
        env: simpy.Environment,
        index: int,
        packs: Sequence[Pack],
        recorder: "Recorder",
        rules: "EnergyRules",
        trigger: float,
        down_w: float,
        rescue_h: float,
    ) -> None:
        self.env = env
        self.id = index
        self.packs: list[Pack | None] = list(packs)
        for p in packs:
            p.move_to(self.label)
        self.recorder = recorder
        self.rules = rules
        self.trigger = trigger
        self.down_w = down_w
        self.rescue_h = rescue_h
        self.active = 0
        self.state = "working"
        self.power_w = 0.0
        self.t_last = 0.0
        self.needs_swap = False
        self._quiet: "Stretch | None" = None
        """The quiet stretch the robot is in (:mod:`swapsim.model.robot.quiet`), if any."""
        self.strikeable = False
        """True only while the process waits in a state a fault can interrupt."""

    @property
    def label(self) -> str:
        """Where a pack in this robot is (``Pack.location``)."""
        return f"robot:{self.id}"

    # -- the packs ----------------------------------------------------------------------------------
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

    def take_out(self, slot: int) -> Pack:
        """Take the pack out of ``slot`` (empty until :meth:`put_in`)."""
        pack = self.packs[slot]
        assert pack is not None, "the robot holds the pack it came to swap"
        self.packs[slot] = None
        return pack

    def put_in(self, slot: int, pack: Pack) -> None:
        """Put ``pack`` into ``slot``; nothing needs a swap until the strategy's rules say so."""
        pack.move_to(self.label)
        self.packs[slot] = pack
        self.needs_swap = False

    def run_on(self, slot: int) -> None:  # the strategy's rules: draw from ``slot`` from now on
        self.active = slot

    def flag_swap(self, needed: bool = True) -> None:  # the strategy's rules: a pack needs a swap
        self.needs_swap = needed

    # -- energy bookkeeping -------------------------------------------------------------------------
    def sync(self) -> None:
        """Bring a robot in a quiet stretch up to now (the draws and state changes of the legs begun
        before now), for anything that looks at it or its packs: faults, health surveys, energy readers
        such as the shift manager, the end of the warm-up and of the run."""
        quiet = self._quiet
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

    def enter(self, state: str, power_w: float) -> None:
        """Change state and power draw now (the energy drawn so far is settled first)."""
        self.settle()
        if state != self.state:
            self.state = state
            self.recorder.robot_state(self.id, state, self.t_last)
        self.power_w = power_w

    def entered(self, t_last: float, power_w: float, state: str) -> None:
        """A quiet stretch has been applied up to ``t_last``: the robot is in ``state`` at ``power_w``."""
        self.t_last, self.power_w, self.state = t_last, power_w, state

    def next_energy_event(self) -> tuple[float, float]:
        """(hours until the active pack reaches its next threshold, that threshold)."""
        power_w = self.power_w
        if power_w <= 0.0:
            return math.inf, 0.0
        pack: Pack = self.packs[self.active]  # type: ignore[assignment]  # hot path; power_w > 0: a pack is held
        soc, usable_wh = pack.soc, pack.usable_wh
        return energy_event_after(
            soc, soc - power_w * (self.env.now - self.t_last) / usable_wh, usable_wh, power_w, self.trigger
        )

    def on_energy_event(self, target: float) -> bool:
        """The active pack has reached ``target``; returns False if the robot is now stranded."""
        self.settle()
        return self.rules.reach(self, target)

    def reach(self, target: float) -> bool:
        """The hot-swap rule once settled: snap the active pack to ``target``, run on the fuller pack."""
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
        """The hot-swap rule after a swap: run on the fuller pack if the active one is at or below the trigger."""
        pack = self.packs[self.active]
        other = self.packs[1 - self.active]
        assert pack is not None and other is not None, "both packs are back in the robot after a swap"
        if pack.soc <= self.trigger and other.soc > pack.soc:
            self.active = 1 - self.active
            pack, other = other, pack
        self.needs_swap = other.soc <= self.trigger  # the pack not in use

    def after_charge(self) -> None:
        """Run on the fullest pack; nothing needs a swap unless a pack is still at the trigger."""
        packs = self.held_packs()
        self.active = max(range(len(packs)), key=lambda i: packs[i].soc)
        self.needs_swap = min(p.soc for p in packs) <= self.trigger

    # -- what readers see -----------------------------------------------------------------------------
    def socs_at(self, now: float) -> list[float]:
        """State of charge of each pack slot at ``now`` (the current time), the active one's unsettled
        draw included; a quiet stretch is applied up to ``now`` first.

        A slot is empty (``None``) while its pack charges in a bay during a stock-out: the robot holds no
        energy there, so the slot reads 0. The robot may be asked meanwhile, e.g. by the shift manager
        ranking robots by energy at a roster change.
        """
        quiet = self._quiet
        if quiet is not None:
            quiet.apply_until(now)
        if self.power_w > 0:  # drawing: no pack it holds is in a charge session
            socs = [0.0 if p is None else p.soc for p in self.packs]
            pack: Pack = self.packs[self.active]  # type: ignore[assignment]  # power_w > 0: a pack is held
            soc = pack.soc - self.power_w * (now - self.t_last) / pack.usable_wh
            socs[self.active] = soc if soc > 0.0 else 0.0  # max(0.0, soc), without the builtin's call cost
            return socs
        # parked or docked, its packs may be charging
        return [0.0 if p is None else p.soc_at(now) for p in self.packs]

    def soc_at(self, now: float, slot: int) -> float:
        """State of charge of pack slot ``slot`` at ``now`` (the current time); see :meth:`socs_at`."""
        return self.socs_at(now)[slot]

    def packs_now(self) -> list[Pack | None]:
        """The pack slots, a quiet stretch applied up to now first (for readers of the packs themselves:
        health surveys, the end of the run)."""
        self.sync()
        return self.packs

    def energy_wh(self) -> float:
        """Energy left in the packs the robot holds now (Wh); an empty slot holds none."""
        return sum([s * p.usable_wh for s, p in zip(self.socs_at(self.env.now), self.packs) if p is not None])

    def lowest_soc(self) -> float:
        """State of charge of the emptiest pack now."""
        return min(self.socs_at(self.env.now))

    def pack_usable_wh(self) -> float:
        """Usable energy of one full pack (the first) (Wh)."""
        pack = self.packs[0]
        assert pack is not None, "asked only of a robot holding its packs"
        return pack.usable_wh

    # -- primitives -----------------------------------------------------------------------------------
    def spend(self, duration_h: float, state: str, power_w: float, stop_for_swap: bool) -> Proc:
        """Spend ``duration_h`` in ``state`` at ``power_w``; returns the time left if stopped for a swap.

        Each wait is one timeout: to the end, or to the active pack's next threshold if that comes
        first. A fault halting the robot meanwhile is served here (the robot is ``down``, then back in
        the state it was in), and the rest of the time is re-planned.
        """
        self.enter(state, power_w)
        env = self.env
        remaining = duration_h
        while remaining > 0.0:
            if stop_for_swap and self.needs_swap:
                return remaining
            t0 = env.now
            dt, target = self.next_energy_event()
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
                self.enter(state, power_w)
        return 0.0

    def run_quiet(self, stretch: "Stretch") -> Proc:
        """Wait out a quiet stretch as one event; returns (its legs, None) when it ends, or (index of the
        leg under way, hours left of it) once a fault that halted the robot there is served."""
        env = self.env
        stretch.apply_until(env.now, inclusive=True)
        self._quiet = stretch
        self.strikeable = True
        try:
            yield TimeoutAt(env, stretch.end)
        except simpy.Interrupt as stop:
            self.strikeable = False
            self._quiet = None
            now = env.now
            stretch.apply_until(now)
            leg, remaining = stretch.halted_at(now)
            yield from self.halt(stop.cause)  # type: ignore[arg-type]  # only faults interrupt a robot
            return leg, remaining
        self.strikeable = False
        self._quiet = None
        stretch.apply_until(env.now, inclusive=True)
        return stretch.n, None

    def wait(self, event: simpy.Event, state: str, power_w: float) -> Proc:
        """Wait for ``event`` in ``state`` at ``power_w``, handling energy events meanwhile."""
        self.enter(state, power_w)
        env = self.env
        while not event.triggered:
            dt, target = self.next_energy_event()
            if dt == math.inf:
                break
            timeout = env.timeout(dt)
            yield event | timeout
            if event.triggered:
                break
            if not self.on_energy_event(target):
                yield from self.strand()
                self.enter(state, power_w)
        value = yield event
        return value

    def wait_either(self, event: simpy.Event, closing: simpy.Event, state: str, power_w: float) -> Proc:
        """Wait until ``event`` or ``closing`` fires, in ``state`` at ``power_w``, handling energy events (on a
        flat ``any_of``: SimPy disarms the events of a nested condition when the outer one fires)."""
        self.enter(state, power_w)
        env = self.env
        while not (event.triggered or closing.triggered):
            dt, target = self.next_energy_event()
            waits = [event, closing] if dt == math.inf else [event, closing, env.timeout(dt)]
            yield env.any_of(waits)
            if event.triggered or closing.triggered:
                break
            if not self.on_energy_event(target):
                yield from self.strand()
                self.enter(state, power_w)

    # -- faults and rescue ------------------------------------------------------------------------------
    def strike(self) -> bool:
        """A fault strikes: True (and no longer strikeable) if the robot waits in a state a fault can
        halt (working, idle or travelling); the caller interrupts its process then."""
        self.sync()
        if self.strikeable and self.state in STRIKEABLE:
            self.strikeable = False
            return True
        return False

    def arm(self, strikeable: bool) -> None:  # whether a fault may interrupt the process while it waits now
        self.strikeable = strikeable

    def halt(self, fault: "Fault") -> Proc:
        """A fault halts the robot where it is: ``down`` for the fault's duration, then back as it was."""
        state, power = self.state, self.power_w
        self.recorder.robot_fault(self.id, fault.kind, fault.duration_h, self.env.now)
        yield from self.spend(fault.duration_h, "down", self.down_w, False)
        self.enter(state, power)

    def strand(self) -> Proc:
        """Both packs empty: down for the rescue time; the crew charges both packs meanwhile."""
        env = self.env
        self.recorder.robot_stranded(self.id, env.now)
        self.enter("stranded", 0.0)
        yield env.timeout(self.rescue_h)
        grid_wh = 0.0
        for pack in self.packs:
            if pack is None:  # left at a station during a stock-out
                continue
            grid_wh += (1.0 - pack.soc) * pack.usable_wh
            pack.set_soc(1.0)
        self.recorder.rescue_charged(self.id, grid_wh, env.now)
        self.needs_swap = False
