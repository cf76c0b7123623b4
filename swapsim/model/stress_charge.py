"""Folding a charge along the charger's CC-CV curve into a pack's ageing path (:func:`fold_charge`).

Constant current is a linear piece of the path; the constant-voltage taper is folded in pieces split at
the cycle windows' ends, ``k_cal`` integrated with a 6-point Gauss-Legendre rule in time. Used by
:meth:`~swapsim.model.stressors.PackStress.charge`, through the path's primitives (``sync``, ``hold``,
``jump``, ``linear_to``, ``turn``, ``piece``, ``mark``). Times in hours.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final, Protocol

import numpy as np

if TYPE_CHECKING:
    from swapsim.model.pack import ChargeCurve
    from swapsim.model.pack_trace import PackTrace
    from swapsim.model.stress_place import AgeingPlace

__all__ = ["fold_charge", "REST_RATE_PER_H"]

REST_RATE_PER_H: Final = 1e-2
"""Below this ``|dSOC/dt|`` (1/h) a piece counts as rest in the C-rate (BLAST-Lite's storage cut)."""

_GL_X, _GL_W = np.polynomial.legendre.leggauss(6)
_GL: Final[tuple[tuple[float, float], ...]] = tuple(zip(((_GL_X + 1.0) / 2.0).tolist(), (_GL_W / 2.0).tolist()))
"""6-point Gauss-Legendre nodes and weights on [0, 1]."""


class ChargingPath(Protocol):
    """The ageing path of a pack as a charge is folded into it (:class:`~swapsim.model.stressors.PackStress`)."""

    t: float
    soc: float
    trace: "PackTrace | None"
    place: "AgeingPlace"

    @property
    def pack_id(self) -> int: ...

    def sync(self, t_h: float) -> None: ...

    def hold(self, t1: float) -> None: ...

    def jump(self, s1: float) -> None: ...

    def linear_to(self, t1: float, s1: float) -> None: ...

    def turn(self, ds: float) -> None: ...

    def piece(self, t1: float, s1: float, cal_int: float, fast: float) -> None: ...

    def mark(self) -> None: ...

    def window_end(self) -> float: ...

    def close_window(self) -> None: ...


def fold_charge(stress: "ChargingPath", curve: "ChargeCurve", t0: float, t1: float, soc0: float | None = None) -> None:
    """Charging along ``curve`` from ``t0`` to ``t1`` (hold before ``t0``), from ``soc0`` (default:
    the pack's charge now, for a charge not yet applied to the pack). A session already folded in
    past ``t0`` goes on from where the path stands (the curve depends on the charge only), not from
    ``soc0`` again.

    Constant current: a linear piece. Constant-voltage taper ``1 - (1 - soc_cv) exp(-x / tau)``:
    pieces of a quarter time constant, ``k_cal`` integrated with Gauss-Legendre in time. At the
    cut-off the BMS reads 100 % (a jump), then the charge holds.
    """
    if soc0 is None:
        stress.sync(t0)
    elif t0 >= stress.t:
        if t0 > stress.t:
            stress.hold(t0)
        stress.jump(soc0)
    tc, soc0 = stress.t, stress.soc
    if t1 <= tc:
        return
    full_h = curve.time_to_full_h(soc0)
    if full_h <= 0.0:
        stress.jump(1.0)
        stress.mark()
        stress.hold(t1)
        return
    x0 = curve._offset_h(soc0)
    t_cv = tc - x0 if x0 < 0.0 else tc
    t_full = tc + full_h
    if t_cv > tc:
        tb = t_cv if t_cv < t1 else t1
        stress.linear_to(tb, soc0 + curve.rate_c * (tb - tc) if tb < t_cv else curve.cv_soc)
        stress.mark()
    stop = t_full if t_full < t1 else t1
    if stress.t < stop:
        a = stress.t
        _cv_to(stress, curve, tc - x0, stop)
        if stress.trace is not None:  # the taper's shape, every quarter time constant (trace only)
            _trace_cv(stress, curve, tc - x0, a, stop)
    if t1 >= t_full:
        stress.jump(1.0)
        stress.mark()
        stress.hold(t1)


def _trace_cv(stress: "ChargingPath", curve: "ChargeCurve", t_switch: float, a: float, b: float) -> None:
    trace = stress.trace
    assert trace is not None
    gap, tau = 1.0 - curve.cv_soc, curve.tau_h
    n = max(1, int(math.ceil((b - a) / (0.25 * tau))))
    for k in range(1, n):
        t = a + (b - a) * k / n
        trace.add(stress.pack_id, t, 1.0 - gap * math.exp(-(t - t_switch) / tau), stress.place.t_c)
    stress.mark()


def _cv_to(stress: "ChargingPath", curve: "ChargeCurve", t_switch: float, t1: float) -> None:
    """Along the CV taper (``t_switch``: time the curve's x = 0) to ``t1``, split at window ends."""
    tau = curve.tau_h
    gap = 1.0 - curve.cv_soc
    s_fast = 1.0 - REST_RATE_PER_H * tau  # the taper's |dSOC/dt| = (1 - soc) / tau
    table = stress.place.table  # its rate called as a method: a native call in the compiled build
    while stress.t < t1:
        end = stress.window_end()
        tb = t1 if t1 <= end else end
        a, soc = stress.t, stress.soc  # turn() below may close the window; it changes neither
        dt = tb - a
        s1 = 1.0 - gap * math.exp(-(tb - t_switch) / tau)
        if s1 < soc:  # rounding at the start of the taper
            s1 = soc
        # the nodes summed in order from 0.0, as sum() adds floats (no list, no generic call compiled)
        total = 0.0
        for x, w in _GL:
            total += w * table.rate(1.0 - gap * math.exp(-(a + x * dt - t_switch) / tau))
        cal = dt * total
        fast = max(0.0, min(s1, s_fast) - min(soc, s_fast))
        stress.turn(s1 - soc)
        stress.piece(tb, s1, cal, fast)
        if tb >= end:
            stress.close_window()
