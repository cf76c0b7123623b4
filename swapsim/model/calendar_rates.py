"""Calendar-ageing rate tables: ``k_cal(T, SOC)`` at one temperature, tabulated in SOC with its antiderivative.

A :class:`CalendarTable` lets :class:`swapsim.model.stressors.PackStress` average the calendar rate of
the fade model (:mod:`swapsim.model.degradation`) exactly along a piece of a pack's path that is linear
in time (:meth:`CalendarTable.mean_linear`), the way BLAST-Lite averages the *rate* rather than the
temperature or the state of charge. One table per temperature is built on demand and shared by a
run's packs (:class:`swapsim.model.health.HealthMonitor` keeps them).
"""

from __future__ import annotations

from swapsim.model.degradation import CellModel

__all__ = ["CalendarTable"]


class CalendarTable:
    """``k_cal(T, soc)`` at one temperature as a function of SOC, with its antiderivative.

    The rate is tabulated on ``n`` equal SOC intervals of [0, 1]; between nodes it is linear and the
    antiderivative is that of the linear interpolant, so :meth:`mean_linear` of a short piece tends to
    :meth:`rate` at its middle. Units: the model's ``k_cal`` (per day ** p_cal), SOC as a fraction.
    """

    __slots__ = ("n", "h", "f", "F")

    def __init__(self, model: CellModel, t_kelvin: float, n: int = 2000) -> None:
        self.n = n
        self.h = 1.0 / n
        self.f = [model.k_cal(t_kelvin, i / n) for i in range(n + 1)]
        F = [0.0]
        for i in range(n):
            F.append(F[-1] + 0.5 * self.h * (self.f[i] + self.f[i + 1]))
        self.F = F

    def rate(self, s: float) -> float:
        """``k_cal`` at state of charge ``s`` (linear between nodes)."""
        x = (0.0 if s < 0.0 else (1.0 if s > 1.0 else s)) * self.n
        i = int(x)
        if i >= self.n:
            i = self.n - 1
        f = self.f
        a = f[i]
        return a + (f[i + 1] - a) * (x - i)

    def antiderivative(self, s: float) -> float:
        """Integral of the rate in SOC from 0 to ``s``."""
        return self.antiderivatives([s])[0]

    def antiderivatives(self, socs: list[float]) -> list[float]:
        """:meth:`antiderivative` at each state of charge of ``socs`` (one call for a run of draws)."""
        n, f, F, h = self.n, self.f, self.F, self.h
        last = n - 1
        out = []
        for s in socs:
            x = (0.0 if s < 0.0 else (1.0 if s > 1.0 else s)) * n
            i = int(x)
            if i > last:
                i = last
            a = f[i]
            u = x - i
            out.append(F[i] + h * u * (a + 0.5 * (f[i + 1] - a) * u))
        return out

    def mean_linear(self, s0: float, s1: float) -> float:
        """Time average of the rate along a path linear in time from ``s0`` to ``s1``."""
        if abs(s1 - s0) < 1e-9:
            return self.rate(0.5 * (s0 + s1))
        a0, a1 = self.antiderivatives([s0, s1])
        return (a1 - a0) / (s1 - s0)
