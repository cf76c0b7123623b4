"""Battery capacity fade in closed form: calendar plus cycle power laws, BLAST-Lite style.

A pack's capacity, as a fraction of its rated capacity, is::

    health = Q0 * (1 - q_cal - q_cyc)
    q_cal  = s * k_cal(T, SOC) * t ** p_cal          (t: days the pack has existed)
    q_cyc  = s * k_cyc(T, DoD, C) * EFC ** p_cyc     (EFC: equivalent full cycles)

with ``Q0`` the pack's initial capacity fraction and ``s`` its wear multiplier (both drawn per pack
by the model), the rates ``k`` from a fitted cell model (:class:`CellModel`, see :data:`CHEMISTRIES`)
evaluated on stressors: temperature ``T`` (kelvin), state of charge, depth of discharge (fractions)
and C-rate (1/h). In a run the rates are averaged over each pack's own history as BLAST-Lite does
(:mod:`swapsim.model.stressors`) and passed to :meth:`FadeState.age_calendar_rate` and
:meth:`FadeState.age_cycles_rate`.

Stress changes from one interval to the next, so the fade is advanced with the *equivalent time*
update (:func:`advance`): the loss so far ``q`` is what the new stress ``k`` would have caused after
``x = (q / (s k)) ** (1 / p)``; after ``dx`` more it is ``s k (x + dx) ** p``. For constant stress this
is the power law itself, whatever the split into intervals, so a pack that sits idle can be aged
lazily, in one step, at its next event. Nothing here steps through time or holds random state.

Two cell fits from NREL's BLAST-Lite (parameters in shared/reference/walker-s2.md) and one simpler
literature fit are provided:

* ``nmc811``: LG MJ1 NMC811 / graphite-silicon 18650 (BLAST-Lite ``Nmc811_GrSi_LGMJ1_4Ah``);
  reaches 80 % in about 1.3 years on three 95 % to 20 % cycles a day at 30 degC. Its cycle fade
  *falls* with temperature (the fit learnt low-temperature plating), its calendar fade rises.
* ``lfp``: large-format LFP / graphite 250 Ah prismatic (BLAST-Lite ``Lfp_Gr_250AhPrismatic``), whose
  calendar rate depends on the graphite anode potential ``Ua(SOC)`` (Safari and Delacourt 2011);
  about 6 years on the same duty.
* ``lfp_wang2011``: A123 LFP 2.3 Ah cycle-ageing fit of Wang et al. (J. Power Sources 196, 2011),
  ``Q_loss[%] = B exp(-(31700 - 370.3 C) / (R T)) Ah ** 0.55`` with B = 31630 (the C/2 value) and
  ``Ah = 2.3 EFC`` per cell; cycle fade only, no calendar term.

Depth of discharge, state of charge and EFC are those of the pack's usable window (the model's
state of charge), C-rates are in 1/h of nominal capacity. Times in days inside this module.

A pack's health never falls below :data:`HEALTH_FLOOR`: a pack that worn is dead, and the station's
check retires it at its next drop-off whatever its thresholds (:mod:`swapsim.model.health`). Usable
energy, and so every runtime and charge time, stays positive whatever the wear.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

__all__ = [
    "CellModel",
    "CHEMISTRIES",
    "anode_potential_v",
    "advance",
    "power_law",
    "FadeState",
    "HEALTH_FLOOR",
    "celsius_to_kelvin",
    "time_to_health",
    "years_to_health",
]

_R_GAS: Final = 8.314  # J / (mol K)

HEALTH_FLOOR: Final = 0.05
"""Lowest health (fraction of rated capacity) a pack reaches: a dead pack, retired at its next check.
Shipped scenarios retire packs at 0.8; only wear far past any cell's (``battery.wear_scale``) or an
initial capacity drawn near zero reaches it."""


def celsius_to_kelvin(t_c: float) -> float:
    """Temperature in kelvin."""
    return t_c + 273.15


def anode_potential_v(soc: float) -> float:
    """Graphite anode potential versus lithium (V) at state of charge ``soc``.

    Safari and Delacourt (J. Electrochem. Soc. 158(5), A562, 2011), with the lithiation fraction
    ``Xa = 0.0085 + soc (0.78 - 0.0085)`` as in BLAST-Lite.
    """
    xa = 8.5e-3 + soc * (0.78 - 8.5e-3)
    return (
        0.6379
        + 0.5416 * math.exp(-305.5309 * xa)
        + 0.044 * math.tanh(-(xa - 0.1958) / 0.1088)
        - 0.1978 * math.tanh((xa - 1.0571) / 0.0854)
        - 0.6875 * math.tanh((xa + 0.0117) / 0.0529)
        - 0.0175 * math.tanh((xa - 0.5692) / 0.0875)
    )


@dataclass(frozen=True, slots=True)
class CellModel:
    """A fitted cell ageing model: rate functions and power-law exponents.

    Args:
        name: preset key.
        label: human-readable description with the source.
        k_cal: ``k_cal(T_kelvin, mean_soc)``, calendar fade per day ** p_cal.
        p_cal: calendar exponent (time in days).
        k_cyc: ``k_cyc(T_kelvin, dod, c_rate)``, cycle fade per EFC ** p_cyc.
        p_cyc: cycle exponent.
    """

    name: str
    label: str
    k_cal: Callable[[float, float], float]
    p_cal: float
    k_cyc: Callable[[float, float, float], float]
    p_cyc: float

    def fade(
        self, days: float, efc: float, t_kelvin: float, soc: float, dod: float, c_rate: float, wear: float = 1.0
    ) -> tuple[float, float]:
        """(calendar, cycle) capacity loss fractions after ``days`` and ``efc`` at constant stress."""
        return (
            power_law(wear * self.k_cal(t_kelvin, soc), self.p_cal, days),
            power_law(wear * self.k_cyc(t_kelvin, dod, c_rate), self.p_cyc, efc),
        )


def _nmc811_k_cal(t: float, soc: float) -> float:
    return 0.0353 * math.exp(-1030.0 / t) * math.exp(57.7 * soc / t)


def _nmc811_k_cyc(t: float, dod: float, c_rate: float) -> float:
    return (1.77e-7 + 8.08e-13 * c_rate + 2.21e-7 * dod) * (math.exp(2250.0 / t) + math.exp(-11400.0 / t))


def _lfp_k_cal(t: float, soc: float) -> float:
    return 8.37e4 * math.exp(-5210.0 / t) * math.exp(-3560.0 * anode_potential_v(soc) / t)


def _lfp_k_cyc(t: float, dod: float, c_rate: float) -> float:
    return (4.38e-8 + 1.55e-8 * dod + 1.68e-7 * c_rate) * (math.exp(2190.0 / t) + math.exp(-1.55e5 / t))


def _zero_k_cal(t: float, soc: float) -> float:
    return 0.0


def _wang_k_cyc(t: float, dod: float, c_rate: float) -> float:
    # Q_loss[%] = B exp(-(31700 - 370.3 C)/(R T)) Ah^0.55, Ah = 2.3 Ah x EFC per cell; as a fraction.
    return 31630.0 * math.exp(-(31700.0 - 370.3 * c_rate) / (_R_GAS * t)) * 2.3**0.55 / 100.0


CHEMISTRIES: dict[str, CellModel] = {
    "nmc811": CellModel(
        "nmc811",
        "NMC811/GrSi, LG MJ1 fit (BLAST-Lite Nmc811_GrSi_LGMJ1_4Ah)",
        _nmc811_k_cal,
        0.743,
        _nmc811_k_cyc,
        0.695,
    ),
    "lfp": CellModel(
        "lfp", "LFP/Gr 250 Ah prismatic fit (BLAST-Lite Lfp_Gr_250AhPrismatic)", _lfp_k_cal, 0.526, _lfp_k_cyc, 0.828
    ),
    "lfp_wang2011": CellModel(
        "lfp_wang2011",
        "LFP 2.3 Ah cycle-ageing fit, Wang et al. 2011 (B at C/2; no calendar term)",
        _zero_k_cal,
        1.0,
        _wang_k_cyc,
        0.55,
    ),
}
"""Cell ageing presets by scenario name (``battery.chemistry``)."""


def power_law(k: float, p: float, x: float) -> float:
    """``k * x ** p`` (0 for x <= 0): the direct power law."""
    return k * x**p if x > 0 else 0.0


def advance(q: float, k: float, p: float, dx: float) -> float:
    """Advance a power-law loss ``q`` by ``dx`` (days or EFC) under the rate ``k`` (wear included).

    Equivalent-time update: ``x = (q / k) ** (1 / p)``, returns ``k (x + dx) ** p``. Exact for constant
    ``k``: ``advance(advance(0, k, p, a), k, p, b) == power_law(k, p, a + b)`` up to rounding.
    """
    if dx <= 0 or k <= 0:
        return q
    # typed float: ** of floats is typed Any (a negative base gives a complex), which made the compiled
    # build do every later operation on Python objects
    x: float = (q / k) ** (1.0 / p) if q > 0 else 0.0
    grown: float = (x + dx) ** p
    aged = k * grown
    return aged if aged > q else q  # max(q, aged): the round trip through x must not lose an ulp of fade


@dataclass(slots=True)
class FadeState:
    """The ageing state of one pack (mutable; owned by the model's health monitor).

    Args:
        q0: initial capacity as a fraction of rated capacity.
        wear: the pack's wear multiplier ``s`` (scales both rates).
        q_cal: calendar loss so far (fraction of ``q0``).
        q_cyc: cycle loss so far.
        efc: equivalent full cycles counted into ``q_cyc``.
        days: age in days counted into ``q_cal``.
    """

    q0: float = 1.0
    wear: float = 1.0
    q_cal: float = 0.0
    q_cyc: float = 0.0
    efc: float = 0.0
    days: float = 0.0

    @property
    def health(self) -> float:
        """Capacity as a fraction of rated capacity: ``q0 (1 - q_cal - q_cyc)``, never below :data:`HEALTH_FLOOR`."""
        health = self.q0 * (1.0 - self.q_cal - self.q_cyc)
        return health if health > HEALTH_FLOOR else HEALTH_FLOOR  # max(HEALTH_FLOOR, health), no builtin call

    @property
    def retained(self) -> float:
        """Capacity as a fraction of the pack's own initial capacity: ``1 - q_cal - q_cyc``."""
        retained = 1.0 - self.q_cal - self.q_cyc
        return retained if retained > 0.0 else 0.0  # max(0.0, retained)

    def pass_days(self, days: float) -> None:
        """``days`` more of age, with no ageing counted (the health model is off)."""
        self.days += days

    def age_calendar(self, model: CellModel, days: float, t_kelvin: float, soc: float) -> None:
        """Calendar ageing over ``days`` at constant temperature and mean state of charge."""
        if days > 0:
            self.q_cal = advance(self.q_cal, self.wear * model.k_cal(t_kelvin, soc), model.p_cal, days)
            self.days += days

    def age_cycles(self, model: CellModel, efc: float, t_kelvin: float, dod: float, c_rate: float) -> None:
        """Cycle ageing over ``efc`` equivalent full cycles at the given stress."""
        if efc > 0:
            self.q_cyc = advance(self.q_cyc, self.wear * model.k_cyc(t_kelvin, dod, c_rate), model.p_cyc, efc)
            self.efc += efc

    def age_calendar_rate(self, model: CellModel, k_cal: float, days: float) -> None:
        """Calendar ageing over ``days`` at the (time-averaged) rate ``k_cal`` (per day ** p_cal)."""
        if days > 0:
            self.q_cal = advance(self.q_cal, self.wear * k_cal, model.p_cal, days)
            self.days += days

    def age_cycles_rate(self, model: CellModel, k_cyc: float, efc: float) -> None:
        """Cycle ageing over ``efc`` equivalent full cycles at the (time-averaged) rate ``k_cyc``."""
        if efc > 0:
            self.q_cyc = advance(self.q_cyc, self.wear * k_cyc, model.p_cyc, efc)
            self.efc += efc

    def preview_calendar(self, model: CellModel, days: float, t_kelvin: float, soc: float) -> float:
        """Health after ``days`` more calendar ageing, without changing the state."""
        q_cal = (
            advance(self.q_cal, self.wear * model.k_cal(t_kelvin, soc), model.p_cal, days) if days > 0 else self.q_cal
        )
        return max(HEALTH_FLOOR, self.q0 * (1.0 - q_cal - self.q_cyc))


def years_to_health(
    q_cal: float, q_cyc: float, years: float, p_cal: float, p_cyc: float, target: float = 0.8, q0: float = 1.0
) -> float:
    """Years until ``q0 (1 - q_cal(y) - q_cyc(y))`` falls to ``target``, repeating the duty seen so far.

    The extrapolation used on both sides of the BLAST-Lite cross-check: the calendar and cycle losses
    ``q_cal``, ``q_cyc`` reached after ``years`` are continued on their own power laws at the duty's
    effective rates, with equivalent full cycles growing in proportion to time:
    ``q_cal(y) = q_cal (y / years) ** p_cal``, ``q_cyc(y) = q_cyc (y / years) ** p_cyc``
    (the equivalent-time continuation at constant stress). Bisection; inf if not within 200 years.
    """

    def health(y: float) -> float:
        r = y / years
        return q0 * (1.0 - q_cal * r**p_cal - q_cyc * r**p_cyc)

    lo, hi = 0.0, 200.0
    if health(hi) > target:
        return math.inf
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if health(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12:
            break
    return 0.5 * (lo + hi)


def time_to_health(
    model: CellModel,
    target: float,
    cycles_per_day: float,
    dod: float,
    t_kelvin: float,
    soc: float,
    c_rate: float,
    wear: float = 1.0,
    q0: float = 1.0,
    max_days: float = 365.0 * 50,
) -> float:
    """Days until ``q0 (1 - q_cal - q_cyc)`` falls to ``target`` on a steady duty (inf if never).

    The duty: ``cycles_per_day`` cycles of depth ``dod`` (so ``cycles_per_day * dod`` EFC a day) at
    constant temperature, mean state of charge and C-rate. Solved by bisection on the closed form.
    """

    def loss(days: float) -> float:
        q_cal, q_cyc = model.fade(days, cycles_per_day * dod * days, t_kelvin, soc, dod, c_rate, wear)
        return q0 * (1.0 - q_cal - q_cyc)

    if loss(max_days) > target:
        return math.inf
    lo, hi = 0.0, max_days
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if loss(mid) > target:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-9:
            break
    return 0.5 * (lo + hi)
