"""Ageing stressors from each pack's own state-of-charge and temperature history, BLAST-Lite's way.

A :class:`PackStress` follows one pack through the places it visits (active or standby in a robot,
charging or resting in a bay, on the spare shelf, with a technician, quarantined) and turns the path
of its state of charge into the stressors of the fade model (:mod:`swapsim.model.degradation`), the
way NREL BLAST-Lite 1.1.1 does in ``BatteryDegradationModel._extract_stressors`` and the cell classes'
``update_rates`` (``Nmc811_GrSi_LGMJ1_4Ah_Battery``, ``Lfp_Gr_250AhPrismatic``):

* **Calendar rate** ``k_cal(T, SOC)`` averaged over time along the path (``update_rates``:
  ``np.trapz(k_cal, x=t_secs) / delta_t_secs``): the *rate* is averaged, not the temperature or the
  state of charge. Along a linear piece of the path the average is exact from a tabulated
  antiderivative of ``k_cal`` in SOC (:class:`~swapsim.model.calendar_rates.CalendarTable`); along the
  charger's constant-voltage taper a 6-point Gauss-Legendre rule in time is used. The calendar loss is advanced with the
  equivalent-time update at every change of place (and at every cycle-window close).
* **Cycle windows**, as BLAST-Lite's ``simulate_battery_life`` cuts the series at rainflow turning
  points (``extract_cycles``) or every day (``_find_breakpoints``): a window closes at each minimum of
  the state of charge (a charge starts after a discharge, e.g. at every drop-off), and at the latest
  24 h after it opened. Over a window, as in ``_extract_stressors``:

  - depth of discharge ``dod = max(SOC) - min(SOC)``;
  - C-rate: the time average of ``|dSOC/dt|`` over the whole window, rests included, with pieces
    slower than 0.01 per hour counted as rest, times the pack's health (``Crate * q``); in 1/h;
  - equivalent full cycles ``sum |dSOC| / 2`` (charge and discharge), times the health;
  - ``k_cyc(T, dod, C)`` averaged over time (the temperature of each place weighted by its hours).

  The cycle loss is advanced once per window with the equivalent-time update; the partial window
  open at the horizon is closed by :meth:`PackStress.settle`.

Nothing ticks: the path is known in closed form between events (constant, linear while a robot draws
constant power, the CC-CV curve in a bay) and each piece is folded in when the next event reaches the
pack. Memory per pack is a fixed set of numbers plus one entry per distinct temperature in the open
window. An optional, bounded :class:`PackTrace` keeps the path itself (time, SOC, temperature) for
chosen packs, for the BLAST-Lite cross-check (:func:`blast_input`). Times in hours unless a name says
otherwise, temperatures in kelvin (degC in the trace), SOC as a fraction of the usable window.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from swapsim.model.calendar_rates import CalendarTable
from swapsim.model.degradation import CellModel, FadeState
from swapsim.model.pack_trace import PackTrace

if TYPE_CHECKING:
    from swapsim.model.pack import ChargeCurve, Pack

__all__ = ["PackStress", "PackTrace", "REST_RATE_PER_H", "WINDOW_MAX_H"]

REST_RATE_PER_H = 1e-2
"""Below this ``|dSOC/dt|`` (1/h) a piece counts as rest in the C-rate (BLAST-Lite's storage cut)."""
WINDOW_MAX_H = 24.0
"""A cycle window closes at the latest this long after it opened (BLAST-Lite's daily breakpoints)."""

_GL_X, _GL_W = np.polynomial.legendre.leggauss(6)
_GL = tuple(zip(((_GL_X + 1.0) / 2.0).tolist(), (_GL_W / 2.0).tolist()))
"""6-point Gauss-Legendre nodes and weights on [0, 1]."""


class PackStress:
    """One pack's path since its last ageing update, and the open cycle window (see the module doc).

    The owner (:class:`~swapsim.model.health.HealthMonitor`) tells it where the pack is
    (:meth:`move`) and the pack tells it how its charge changed (:meth:`linear`, :meth:`charge`,
    jumps found by :meth:`sync`). ``fade`` is updated in place; ``pack.health`` follows it.

    Args:
        pack: the pack.
        fade: its fade state.
        model: the cell model.
        tables: calendar tables by temperature (kelvin), shared by the run's packs.
        t_h: time the path starts (h).
        kelvin: temperature of the place it starts in.
        trace: optional bounded trace (used if it follows this pack).
    """

    __slots__ = (
        "pack",
        "fade",
        "model",
        "tables",
        "table",
        "kelvin",
        "t",
        "soc",
        "t_cal",
        "cal_int",
        "w_t0",
        "w_abs",
        "w_fast",
        "w_lo",
        "w_hi",
        "w_hours",
        "t_here",
        "direction",
        "trace",
        "t_c",
        "ageing",
        "live",
    )

    def __init__(
        self,
        pack: "Pack",
        fade: FadeState,
        model: CellModel,
        tables: dict[float, CalendarTable],
        t_h: float,
        kelvin: float,
        trace: PackTrace | None = None,
        ageing: bool = True,
    ) -> None:
        self.pack = pack
        self.fade = fade
        self.model = model
        self.tables = tables
        self.ageing = ageing
        self.live = True
        """False for a preview copy: it never reads nor writes the pack."""
        self.t = t_h
        self.soc = pack.soc
        self.t_cal = t_h
        self.cal_int = 0.0
        self.direction = 0
        self.trace = trace if trace is not None and trace.wants(pack.id) else None
        self.kelvin = kelvin
        self.table = self._table(kelvin)
        self.t_c = kelvin - 273.15
        self._open_window(t_h)
        self._mark()

    # -- bookkeeping ---------------------------------------------------------------------------------
    def _table(self, kelvin: float) -> CalendarTable:
        table = self.tables.get(kelvin)
        if table is None:
            table = self.tables[kelvin] = CalendarTable(self.model, kelvin)
        return table

    def _open_window(self, t_h: float) -> None:
        self.w_t0 = t_h
        self.w_abs = 0.0
        self.w_fast = 0.0
        self.w_lo = self.w_hi = self.soc
        self.w_hours: dict[float, float] = {}
        """Hours in the open window at each earlier temperature (kelvin) of it."""
        self.t_here = t_h
        """Since when the open window has been at the current temperature."""

    def _window_hours(self) -> dict[float, float]:
        """Hours of the open window at each temperature (kelvin), the current place included."""
        hours = dict(self.w_hours)
        here = self.t - self.t_here
        if here > 0.0:
            hours[self.kelvin] = hours.get(self.kelvin, 0.0) + here
        return hours

    def follow(self, trace: PackTrace) -> None:
        """Keep this pack's path in ``trace`` from now on (its point now first)."""
        self.trace = trace
        self._mark()

    def _mark(self) -> None:
        if self.trace is not None:
            self.trace.add(self.pack.id, self.t, self.soc, self.t_c)

    # -- the path ------------------------------------------------------------------------------------
    def _piece(self, t1: float, s1: float, cal_int: float, fast: float) -> None:
        """Fold in one piece of the path from (self.t, self.soc) to (t1, s1) that stays in the open
        window: ``cal_int`` the integral of ``k_cal`` over it (rate x h), ``fast`` its |dSOC| at rates
        of at least :data:`REST_RATE_PER_H`."""
        self.cal_int += cal_int
        ds = s1 - self.soc
        self.w_abs += abs(ds)
        self.w_fast += fast
        if s1 < self.w_lo:
            self.w_lo = s1
        if s1 > self.w_hi:
            self.w_hi = s1
        self.t, self.soc = t1, s1

    def window_end(self) -> float:
        """When the open cycle window closes at the latest (h): a draw ending before then cannot close it."""
        return self.w_t0 + WINDOW_MAX_H

    def hold(self, t1: float) -> None:
        """Constant charge from the last known time to ``t1`` (closing day-long windows on the way)."""
        while t1 > self.t:
            end = self.window_end()
            tb = t1 if t1 <= end else end
            self._piece(tb, self.soc, self.table.rate(self.soc) * (tb - self.t), 0.0)
            if tb >= end:
                self.close_window()
        self._mark()

    def _linear_to(self, t1: float, s1: float) -> None:
        """A piece linear in time from the current point to (t1, s1), split at window ends."""
        while True:
            dt = t1 - self.t
            if dt <= 0.0:
                self._jump(s1)
                return
            end = self.window_end()
            if t1 > end:  # split at the window's end
                sb = self.soc + (s1 - self.soc) * (end - self.t) / dt
                self._linear_piece(end, sb)
                self.close_window()
                continue
            self._linear_piece(t1, s1)
            if t1 >= end:
                self.close_window()
            return

    def _linear_piece(self, t1: float, s1: float) -> None:
        dt = t1 - self.t
        ds = abs(s1 - self.soc)
        self._turn(s1 - self.soc)
        self._piece(
            t1, s1, self.table.mean_linear(self.soc, s1) * dt, ds if dt > 0.0 and ds / dt >= REST_RATE_PER_H else 0.0
        )

    def _jump(self, s1: float) -> None:
        """An instantaneous change of charge (a snap at an event, a rescue charge, a top-up)."""
        ds = s1 - self.soc
        if -1e-9 < ds < 1e-9:  # rounding between two closed forms of the same charge: no change
            self.soc = s1
            self.w_lo = min(self.w_lo, s1)
            self.w_hi = max(self.w_hi, s1)
        else:
            self._turn(ds)
            self._piece(self.t, s1, 0.0, abs(ds))

    def _turn(self, ds: float) -> None:
        """Direction bookkeeping: a rise after a fall is a minimum, which closes the cycle window."""
        if ds > 0.0:
            if self.direction < 0 and self.w_abs > 0.0:
                self.close_window()
            self.direction = 1
        elif ds < 0.0:
            self.direction = -1

    def _fresh(self) -> bool:
        """No history folded in yet (the charge may still be set by the builder without counting)."""
        return self.t == self.t_cal == self.w_t0 and self.w_abs == 0.0 and self.direction == 0

    def _adopt(self, soc: float) -> None:
        self.soc = self.w_lo = self.w_hi = soc
        self._mark()

    def sync(self, t_h: float) -> None:
        """Hold to ``t_h``, then take the pack's charge as it is now (a change not reported: a jump)."""
        if self.live and self.pack.soc != self.soc and self._fresh():
            self._adopt(self.pack.soc)
        if t_h > self.t:
            self.hold(t_h)
        if self.live and self.pack.soc != self.soc:
            self._jump(self.pack.soc)
            self._mark()

    def linear(self, t0: float, t1: float, soc0: float, soc1: float) -> None:
        """The pack's charge went linearly from ``soc0`` at ``t0`` to ``soc1`` at ``t1`` (a draw)."""
        self.linear_run((t0,), (t1,), (soc0, soc1))

    def linear_run(self, t0s: Sequence[float], t1s: Sequence[float], socs: Sequence[float]) -> None:
        """:meth:`linear` for each draw k in turn, from ``socs[k]`` at ``t0s[k]`` to ``socs[k + 1]`` at
        ``t1s[k]`` (one call for the draws of a quiet stretch, :mod:`swapsim.model.quiet`)."""
        t, soc = self.t, self.soc
        end = self.w_t0 + WINDOW_MAX_H
        table = self.table
        antiderivative = table.antiderivatives(socs)  # one per charge along the run
        trace = self.trace
        cal_int, w_abs, w_fast, w_lo = self.cal_int, self.w_abs, self.w_fast, self.w_lo
        for k in range(len(t0s)):
            t0, t1, soc0, soc1 = t0s[k], t1s[k], socs[k], socs[k + 1]
            if soc0 == soc and t <= t0 < t1 and soc1 <= soc0 and t1 < end:
                # the common case, inlined: hold to t0, fall linearly to t1, inside the open window
                dt = t1 - t0
                ds = soc0 - soc1
                if ds > 1e-9:
                    cal = (antiderivative[k] - antiderivative[k + 1]) / ds * dt
                else:
                    cal = table.rate(0.5 * (soc0 + soc1)) * dt
                cal_int += cal if t0 == t else cal + table.rate(soc0) * (t0 - t)
                w_abs += ds
                if ds >= REST_RATE_PER_H * dt:
                    w_fast += ds
                if soc1 < w_lo:
                    w_lo = soc1
                if ds > 0.0:
                    self.direction = -1
                if trace is not None:
                    if t0 > t:
                        trace.add(self.pack.id, t0, soc0, self.t_c)
                    trace.add(self.pack.id, t1, soc1, self.t_c)
                t, soc = t1, soc1
                continue
            self.t, self.soc = t, soc
            self.cal_int, self.w_abs, self.w_fast, self.w_lo = cal_int, w_abs, w_fast, w_lo
            self._linear_general(t0, t1, soc0, soc1)
            t, soc = self.t, self.soc
            end = self.w_t0 + WINDOW_MAX_H
            cal_int, w_abs, w_fast, w_lo = self.cal_int, self.w_abs, self.w_fast, self.w_lo
        self.t, self.soc = t, soc
        self.cal_int, self.w_abs, self.w_fast, self.w_lo = cal_int, w_abs, w_fast, w_lo

    def _linear_general(self, t0: float, t1: float, soc0: float, soc1: float) -> None:
        """:meth:`linear` off the common case: a jump to ``soc0`` first, a hold, split windows."""
        if soc0 != self.soc and self._fresh():
            self._adopt(soc0)
        if t0 < self.t:
            t0 = self.t
        if t0 > self.t:
            self.hold(t0)
        if soc0 != self.soc:
            self._jump(soc0)
        self._linear_to(t1, soc1)
        self._mark()

    def charge(self, curve: "ChargeCurve", t0: float, t1: float, soc0: float | None = None) -> None:
        """Charging along ``curve`` from ``t0`` to ``t1`` (hold before ``t0``), from ``soc0`` (default:
        the pack's charge now, for a charge not yet applied to the pack).

        Constant current: a linear piece. Constant-voltage taper ``1 - (1 - soc_cv) exp(-x / tau)``:
        pieces of a quarter time constant, ``k_cal`` integrated with Gauss-Legendre in time. At the
        cut-off the BMS reads 100 % (a jump), then the charge holds.
        """
        if soc0 is None:
            self.sync(t0)
        else:
            if t0 > self.t:
                self.hold(t0)
            self._jump(soc0)
        tc, soc0 = self.t, self.soc
        if t1 <= tc:
            return
        full_h = curve.time_to_full_h(soc0)
        if full_h <= 0.0:
            self._jump(1.0)
            self._mark()
            self.hold(t1)
            return
        x0 = curve._offset_h(soc0)
        t_cv = tc - x0 if x0 < 0.0 else tc
        t_full = tc + full_h
        if t_cv > tc:
            tb = t_cv if t_cv < t1 else t1
            self._linear_to(tb, soc0 + curve.rate_c * (tb - tc) if tb < t_cv else curve.cv_soc)
            self._mark()
        stop = t_full if t_full < t1 else t1
        if self.t < stop:
            a = self.t
            self._cv_to(curve, tc - x0, stop)
            if self.trace is not None:  # the taper's shape, every quarter time constant (trace only)
                self._trace_cv(curve, tc - x0, a, stop)
        if t1 >= t_full:
            self._jump(1.0)
            self._mark()
            self.hold(t1)

    def _trace_cv(self, curve: "ChargeCurve", t_switch: float, a: float, b: float) -> None:
        trace = self.trace
        assert trace is not None
        gap, tau = 1.0 - curve.cv_soc, curve.tau_h
        n = max(1, int(math.ceil((b - a) / (0.25 * tau))))
        for k in range(1, n):
            t = a + (b - a) * k / n
            trace.add(self.pack.id, t, 1.0 - gap * math.exp(-(t - t_switch) / tau), self.t_c)
        self._mark()

    def _cv_to(self, curve: "ChargeCurve", t_switch: float, t1: float) -> None:
        """Along the CV taper (``t_switch``: time the curve's x = 0) to ``t1``, split at window ends."""
        tau = curve.tau_h
        gap = 1.0 - curve.cv_soc
        s_fast = 1.0 - REST_RATE_PER_H * tau  # the taper's |dSOC/dt| = (1 - soc) / tau
        rate = self.table.rate
        while self.t < t1:
            end = self.window_end()
            tb = t1 if t1 <= end else end
            a, dt = self.t, tb - self.t
            s1 = 1.0 - gap * math.exp(-(tb - t_switch) / tau)
            if s1 < self.soc:  # rounding at the start of the taper
                s1 = self.soc
            cal = dt * sum(w * rate(1.0 - gap * math.exp(-(a + x * dt - t_switch) / tau)) for x, w in _GL)
            fast = max(0.0, min(s1, s_fast) - min(self.soc, s_fast))
            self._turn(s1 - self.soc)
            self._piece(tb, s1, cal, fast)
            if tb >= end:
                self.close_window()

    # -- ageing updates ------------------------------------------------------------------------------
    def move(self, t_h: float, kelvin: float) -> None:
        """The pack changes place at ``t_h``: fold in the path so far, age the calendar loss, and go on
        at the new place's temperature ``kelvin``."""
        self.sync(t_h)
        self.settle_calendar()
        if kelvin != self.kelvin:
            here = self.t - self.t_here
            if here > 0.0:
                self.w_hours[self.kelvin] = self.w_hours.get(self.kelvin, 0.0) + here
            self.t_here = self.t
            self.kelvin = kelvin
            self.table = self._table(kelvin)
            self.t_c = kelvin - 273.15
            self._mark()

    def settle_calendar(self) -> None:
        """Advance the calendar loss over the time since the last calendar update at the time-average
        ``k_cal`` of the path (equivalent time)."""
        hours = self.t - self.t_cal
        if hours > 0.0:
            if self.ageing:
                self.fade.age_calendar_rate(self.model, self.cal_int / hours, hours / 24.0)
                if self.live:
                    self.pack.age_to(self.fade.health)
            else:
                self.fade.pass_days(hours / 24.0)
        self.t_cal = self.t
        self.cal_int = 0.0

    def window_stressors(self) -> tuple[float, float, float, float]:
        """(hours, depth of discharge, C-rate 1/h, equivalent full cycles) of the open window, with the
        C-rate and EFC in nominal capacity (times the health now), as ``_extract_stressors``."""
        hours = self.t - self.w_t0
        q = self.fade.health
        c_rate = self.w_fast / hours * q if hours > 0.0 else 0.0
        return hours, self.w_hi - self.w_lo, c_rate, 0.5 * self.w_abs * q

    def close_window(self) -> None:
        """Close the open cycle window now: advance the cycle loss over its EFC at the time-average
        ``k_cyc`` (each place's temperature weighted by its hours), age the calendar, open a new one."""
        if self.w_abs > 0.0:
            hours, dod, c_rate, efc = self.window_stressors()  # at the health before this update, as BLAST
            self.settle_calendar()
            if self.ageing and efc > 0.0:
                k_cyc = self.model.k_cyc
                if hours > 0.0:
                    k = sum(h * k_cyc(kel, dod, c_rate) for kel, h in self._window_hours().items()) / hours
                else:
                    k = k_cyc(self.kelvin, dod, c_rate)
                self.fade.age_cycles_rate(self.model, k, efc)
                if self.live:
                    self.pack.age_to(self.fade.health)
        self._open_window(self.t)

    def close_at_minimum(self) -> None:
        """The charge has just reached a minimum (a drop-off after a discharge): close the window."""
        if self.direction < 0 and self.w_abs > 0.0:
            self.close_window()
        self.direction = 0

    def preview(self) -> "PackStress":
        """A copy to run ahead on (its own fade state and window; never touches the pack or a trace)."""
        other = PackStress.__new__(PackStress)
        other._run_ahead_of(self)
        return other

    def _run_ahead_of(self, source: "PackStress") -> None:
        """Become a copy of ``source`` that runs ahead on its own (:meth:`preview`)."""
        for name in PackStress.__slots__:
            setattr(self, name, getattr(source, name))
        fade = source.fade
        self.fade = FadeState(fade.q0, fade.wear, fade.q_cal, fade.q_cyc, fade.efc, fade.days)
        self.w_hours = dict(source.w_hours)
        self.trace = None
        self.live = False

    def settle(self, t_h: float) -> None:
        """At the horizon or when the pack leaves the system: fold in everything up to ``t_h``,
        including the partial cycle window."""
        self.sync(t_h)
        self.close_window()
        self.settle_calendar()
