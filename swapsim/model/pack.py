"""Battery packs: data that moves robot -> bay -> robot, and the closed-form physics around it.

State of charge (``soc``) is the fraction of the pack's *usable* energy window (0 = the BMS cut-off,
1 = charge complete), so a pack holds ``soc * usable_wh`` watt-hours it can give. Usable energy is
nominal capacity x usable fraction x health (capacity fraction; 1.0 for a new pack).

Nothing here steps through time. Discharge at constant power is linear in time; charging in a bay
follows a constant-current / constant-voltage curve in closed form:

* CC: ``soc(t) = soc0 + c t`` until ``soc = soc_cv``, after ``t_cc = (soc_cv - soc0) / c``;
* CV: ``soc(t) = 1 - (1 - soc_cv) exp(-(t - t_cc) / tau)`` with ``tau = (1 - soc_cv) / c``;
* charging ends when the taper current ``c exp(-(t - t_cc)/tau)`` falls to the cut-off ``c_off``,
  i.e. ``tau ln(c / c_off)`` into CV. The BMS then reads 100 % (``soc = 1``).

Times are in hours, energies in Wh, powers in W.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Pack", "AgeingPath", "ChargeCurve", "discharge_time_h"]


class AgeingPath(Protocol):
    """What a pack tells the path of its ageing stressors (:class:`~swapsim.model.stressors.PackStress`)
    as its charge moves (declared here so that this module imports nothing from the model)."""

    soc: float
    """The charge the path has taken in so far."""

    def linear_run(self, t0s: list[float], t1s: list[float], socs: list[float]) -> None: ...

    def charge(self, curve: "ChargeCurve", t0: float, t1: float) -> None: ...

    def window_end(self) -> float: ...


class Pack:
    """One battery pack and its history. Mutable: it is the entity that moves through the model.

    ``usable_wh`` (energy from full to empty now) is kept up to date whenever ``health`` is set, so
    the energy bookkeeping at every activity step reads an attribute instead of recomputing it.
    """

    __slots__ = (
        "id",
        "capacity_wh",
        "usable_fraction",
        "soc",
        "_health",
        "usable_wh",
        "cycles",
        "throughput_wh",
        "location",
        "stress",
        "_charging",
    )

    def __init__(
        self,
        id: int,
        capacity_wh: float,
        usable_fraction: float,
        soc: float = 1.0,
        health: float = 1.0,
        cycles: int = 0,
        throughput_wh: float = 0.0,
        location: str = "",
    ) -> None:
        self.id = id
        self.capacity_wh = capacity_wh
        self.usable_fraction = usable_fraction
        self.soc = soc
        self.health = health
        self.cycles = cycles
        self.throughput_wh = throughput_wh
        self.location = location
        self.stress: AgeingPath | None = None
        """The ageing stressors of its history (set by the health monitor when packs age)."""
        self._charging: tuple[ChargeCurve, float] | None = None
        """The charge session under way: (its curve, the time (h) it started from ``soc``); None: none.
        Read only through :meth:`soc_at`."""

    def __repr__(self) -> str:
        return (
            f"Pack(id={self.id}, capacity_wh={self.capacity_wh}, usable_fraction={self.usable_fraction}, "
            f"soc={self.soc}, health={self.health}, cycles={self.cycles}, "
            f"throughput_wh={self.throughput_wh}, location={self.location!r})"
        )

    @property
    def health(self) -> float:
        """Capacity as a fraction of nominal (1.0 for a new pack)."""
        return self._health

    @health.setter
    def health(self, value: float) -> None:
        self.age_to(value)

    def age_along(self, path: AgeingPath | None) -> None:
        """From now on tell ``path`` how the charge moves (None: stop; the health monitor's call)."""
        self.stress = path

    def soc_at(self, now: float) -> float:
        """State of charge at ``now`` (h): ``soc``, or, while a charge session is under way (a bay, a
        dock, a parking charger), its charge along the session's curve at ``now``. Every reader of a
        pack's charge at a given time (``packs.csv``, the bays' green choice, a robot's energy) reads
        it here, so none sees the charge as it was when the session started."""
        session = self._charging
        if session is None:
            return self.soc
        curve, t_start = session
        return curve.soc_after(self.soc, now - t_start)

    def start_charging(self, curve: "ChargeCurve", t_start_h: float) -> None:
        """A charge session along ``curve`` starts at ``t_start_h`` (h) from the pack's charge now."""
        self._charging = (curve, t_start_h)

    def end_charging(self, soc: float) -> None:
        """The charge session ends with the pack at ``soc`` (the caller's closed form at the end)."""
        self._charging = None
        self.soc = soc

    @property
    def equivalent_full_cycles(self) -> float:
        """Discharged energy divided by the new pack's usable energy."""
        return self.throughput_wh / (self.capacity_wh * self.usable_fraction)

    def draw(self, energy_wh: float, t0_h: float | None = None, t1_h: float | None = None) -> None:
        """Take ``energy_wh`` out of the pack (clamped at empty), drawn at constant power from ``t0_h``
        to ``t1_h`` (h; given, the ageing stressors follow the linear fall of the charge)."""
        soc0 = self.soc
        soc = soc0 - energy_wh / self.usable_wh
        self.soc = soc if soc > 0.0 else 0.0
        self.throughput_wh += energy_wh
        if self.stress is not None and t1_h is not None:
            self.stress.linear_run([t1_h if t0_h is None else t0_h], [t1_h], [soc0, self.soc])  # one draw

    def draw_run(self, energies_wh: list[float], t0s_h: list[float], t1s_h: list[float]) -> None:
        """:meth:`draw` of each ``energies_wh[k]`` from ``t0s_h[k]`` to ``t1s_h[k]`` in turn (the draws of
        a quiet stretch, :mod:`swapsim.model.robot.quiet`, which end before :meth:`stable_until`)."""
        usable = self.usable_wh
        soc, throughput = self.soc, self.throughput_wh
        socs = [soc]
        for energy_wh in energies_wh:
            s1 = soc - energy_wh / usable
            soc = s1 if s1 > 0.0 else 0.0
            throughput += energy_wh
            socs.append(soc)
        self.soc, self.throughput_wh = soc, throughput
        if self.stress is not None:
            self.stress.linear_run(t0s_h, t1s_h, socs)

    def stable_until(self) -> float:
        """Time (h) before which draws cannot change the pack's health (so its usable energy): the end of
        its open ageing window; -inf while its ageing path lags a change of charge not yet reported."""
        stress = self.stress
        if stress is None:
            return math.inf
        if stress.soc != self.soc:
            return -math.inf
        return stress.window_end()

    def charge_along(self, curve: "ChargeCurve", hours: float, t1_h: float) -> float:
        """Charge along ``curve`` for ``hours`` ending at ``t1_h`` (h), in place (a dock, a parking
        charger); returns the new state of charge."""
        soc = curve.soc_after(self.soc, hours)
        if self.stress is not None:
            self.stress.charge(curve, t1_h - hours, t1_h)
        self._charging = None
        self.soc = soc
        return soc

    def age_to(self, health: float) -> None:
        """The pack's capacity is now ``health`` of its rated capacity (the ageing model's answer); its
        usable energy follows (the ``health`` setter's rule, here so the hot caller makes one call)."""
        self._health = health
        self.usable_wh = self.capacity_wh * self.usable_fraction * health
        """Energy the pack gives from full to empty now (Wh)."""

    def move_to(self, location: str) -> None:
        """The pack is now at ``location`` (a robot's, a bay's or a technician's label, or ``"retired"``)."""
        self.location = location

    def count_cycle(self) -> None:
        """One more swap cycle: the pack was dropped off drained at a station."""
        self.cycles += 1

    def set_soc(self, soc: float) -> None:
        """Set the state of charge exactly, counting the energy drawn if it fell (snap at an event)."""
        if soc < self.soc:
            self.throughput_wh += (self.soc - soc) * self.usable_wh
        self.soc = soc


def discharge_time_h(soc: float, target_soc: float, usable_wh: float, power_w: float) -> float:
    """Hours for a pack at ``soc`` to reach ``target_soc`` at constant ``power_w`` (inf if no draw)."""
    if soc <= target_soc:
        return 0.0
    if power_w <= 0:
        return math.inf
    return (soc - target_soc) * usable_wh / power_w


@dataclass(frozen=True, slots=True)
class ChargeCurve:
    """The CC-CV charge curve of a bay charger, in state of charge of the usable window.

    Args:
        rate_c: constant-current rate (state of charge per hour).
        cv_soc: state of charge where constant voltage begins.
        cutoff_c: taper current at which charging stops (state of charge per hour).
    """

    rate_c: float
    cv_soc: float
    cutoff_c: float
    _tau_h: float = field(init=False, repr=False, compare=False)
    _end_soc: float = field(init=False, repr=False, compare=False)
    _end_h: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Constants of the curve, computed once (the charge methods run at every drop-off and take).
        tau = (1.0 - self.cv_soc) / self.rate_c
        object.__setattr__(self, "_tau_h", tau)
        object.__setattr__(self, "_end_soc", 1.0 - (1.0 - self.cv_soc) * self.cutoff_c / self.rate_c)
        object.__setattr__(self, "_end_h", tau * math.log(self.rate_c / self.cutoff_c))

    @property
    def tau_h(self) -> float:
        """Time constant of the CV taper (h)."""
        return self._tau_h

    @property
    def end_soc(self) -> float:
        """State of charge on the curve when the taper current reaches the cut-off."""
        return self._end_soc

    def _offset_h(self, soc0: float) -> float:
        """Position of ``soc0`` on the curve, as hours after the CC/CV switch (negative while in CC)."""
        if soc0 <= self.cv_soc:
            return -(self.cv_soc - soc0) / self.rate_c
        return self._tau_h * math.log((1.0 - self.cv_soc) / (1.0 - soc0))

    def soc_after(self, soc0: float, hours: float) -> float:
        """State of charge after charging for ``hours`` from ``soc0`` (1.0 once charging has ended)."""
        if hours <= 0:
            return soc0
        if hours >= self.time_to_full_h(soc0):
            return 1.0
        x = self._offset_h(soc0) + hours
        if x <= 0:
            return self.cv_soc + x * self.rate_c
        return 1.0 - (1.0 - self.cv_soc) * math.exp(-x / self.tau_h)

    def time_to_full_h(self, soc0: float) -> float:
        """Hours from ``soc0`` until charging ends at the cut-off current (0 if already there)."""
        if soc0 >= self._end_soc:
            return 0.0
        return self._end_h - self._offset_h(soc0)

    def time_to_soc_h(self, soc0: float, target: float) -> float:
        """Hours from ``soc0`` until the pack reads ``target`` (the full time for targets past the end)."""
        if soc0 >= target:
            return 0.0
        if target >= self.end_soc:
            return self.time_to_full_h(soc0)
        if target <= self.cv_soc:
            return (target - soc0) / self.rate_c
        x = self.tau_h * math.log((1.0 - self.cv_soc) / (1.0 - target))
        return x - self._offset_h(soc0)

    def soc_integral(self, soc0: float, hours: float) -> float:
        """Integral of the state of charge over the first ``hours`` of charging from ``soc0`` (h).

        Closed form along the curve (linear in CC, exponential in CV); 1.0 once charging has ended,
        as :meth:`soc_after` reads. Divide by ``hours`` for the mean state of charge.
        """
        if hours <= 0:
            return 0.0
        full = self.time_to_full_h(soc0)
        if full <= 0:
            return hours
        x0 = self._offset_h(soc0)
        x1 = x0 + min(hours, full)
        total = 0.0
        a, b = x0, min(x1, 0.0)
        if b > a:
            total += self.cv_soc * (b - a) + 0.5 * self.rate_c * (b * b - a * a)
        a, b = max(x0, 0.0), x1
        if b > a:
            tau = self.tau_h
            total += (b - a) - (1.0 - self.cv_soc) * tau * (math.exp(-a / tau) - math.exp(-b / tau))
        return total + max(0.0, hours - full)
