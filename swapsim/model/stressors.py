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

from typing import TYPE_CHECKING, Final

from swapsim.model.calendar_rates import CalendarTable
from swapsim.model.degradation import CellModel, FadeState
from swapsim.model.pack_trace import PackTrace
from swapsim.model.stress_charge import REST_RATE_PER_H, fold_charge
from swapsim.model.stress_place import AgeingPlace

if TYPE_CHECKING:
    from swapsim.model.pack import ChargeCurve, Pack

__all__ = ["PackStress", "PackTrace", "REST_RATE_PER_H", "WINDOW_MAX_H"]

WINDOW_MAX_H: Final = 24.0
"""A cycle window closes at the latest this long after it opened (BLAST-Lite's daily breakpoints)."""


STRESS_FIELDS = (
    "pack",
    "fade",
    "place",
    "t",
    "soc",
    "t_cal",
    "cal_int",
    "w_t0",
    "w_abs",
    "w_fast",
    "w_lo",
    "w_hi",
    "direction",
    "trace",
    "live",
)
"""The attributes of a :class:`PackStress` (its ``__slots__``; a preview takes each)."""


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

    __slots__ = STRESS_FIELDS

    def __new__(cls, *args: object, **kwargs: object) -> "PackStress":
        # declared so that PackStress.__new__(PackStress) (preview) makes a blank object also when compiled
        return super().__new__(cls)

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
        self.live = True
        """False for a preview copy: it never reads nor writes the pack."""
        self.t = t_h
        self.soc = pack.soc
        self.t_cal = t_h
        self.cal_int = 0.0
        self.direction = 0
        self.trace = trace if trace is not None and trace.wants(pack.id) else None
        self.place = AgeingPlace(model, tables, kelvin, t_h, ageing)
        """The cell model, the place's temperature and the open window's temperatures."""
        self._open_window(t_h)
        self.mark()

    # -- bookkeeping ---------------------------------------------------------------------------------
    def _open_window(self, t_h: float) -> None:
        self.w_t0 = t_h
        self.w_abs = 0.0
        self.w_fast = 0.0
        self.w_lo = self.w_hi = self.soc
        self.place.open_window(t_h)

    @property
    def pack_id(self) -> int:
        return self.pack.id

    def follow(self, trace: PackTrace) -> None:
        """Keep this pack's path in ``trace`` from now on (its point now first)."""
        self.trace = trace
        self.mark()

    def mark(self) -> None:
        if self.trace is not None:
            self.trace.add(self.pack.id, self.t, self.soc, self.place.t_c)

    # -- the path ------------------------------------------------------------------------------------
    def piece(self, t1: float, s1: float, cal_int: float, fast: float) -> None:
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
            self.piece(tb, self.soc, self.place.table.rate(self.soc) * (tb - self.t), 0.0)
            if tb >= end:
                self.close_window()
        self.mark()

    def linear_to(self, t1: float, s1: float) -> None:
        """A piece linear in time from the current point to (t1, s1), split at window ends."""
        while True:
            dt = t1 - self.t
            if dt <= 0.0:
                self.jump(s1)
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
        self.turn(s1 - self.soc)
        self.piece(
            t1,
            s1,
            self.place.table.mean_linear(self.soc, s1) * dt,
            ds if dt > 0.0 and ds / dt >= REST_RATE_PER_H else 0.0,
        )

    def jump(self, s1: float) -> None:
        """An instantaneous change of charge (a snap at an event, a rescue charge, a top-up)."""
        ds = s1 - self.soc
        if -1e-9 < ds < 1e-9:  # rounding between two closed forms of the same charge: no change
            self.soc = s1
            if s1 < self.w_lo:  # min() and max() as comparisons (the same values, no builtin call)
                self.w_lo = s1
            if s1 > self.w_hi:
                self.w_hi = s1
        else:
            self.turn(ds)
            self.piece(self.t, s1, 0.0, abs(ds))

    def turn(self, ds: float) -> None:
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
        self.mark()

    def sync(self, t_h: float) -> None:
        """Hold to ``t_h``, then take the pack's charge at ``t_h`` (``Pack.soc_at``: along a charge session
        under way; a change not reported: a jump)."""
        if not self.live:
            if t_h > self.t:
                self.hold(t_h)
            return
        soc = self.pack.soc_at(t_h)
        if soc != self.soc and self._fresh():
            self._adopt(soc)
        if t_h > self.t:
            self.hold(t_h)
        if soc != self.soc:
            self.jump(soc)
            self.mark()

    def linear(self, t0: float, t1: float, soc0: float, soc1: float) -> None:
        """The pack's charge went linearly from ``soc0`` at ``t0`` to ``soc1`` at ``t1`` (a draw)."""
        self.linear_run([t0], [t1], [soc0, soc1])

    def linear_run(self, t0s: list[float], t1s: list[float], socs: list[float]) -> None:
        """:meth:`linear` for each draw k in turn, from ``socs[k]`` at ``t0s[k]`` to ``socs[k + 1]`` at
        ``t1s[k]`` (one call for the draws of a quiet stretch, :mod:`swapsim.model.robot.quiet`)."""
        t, soc = self.t, self.soc
        end = self.w_t0 + WINDOW_MAX_H
        place = self.place
        table = place.table
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
                        trace.add(self.pack.id, t0, soc0, place.t_c)
                    trace.add(self.pack.id, t1, soc1, place.t_c)
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
            self.jump(soc0)
        self.linear_to(t1, soc1)
        self.mark()

    def charge(self, curve: "ChargeCurve", t0: float, t1: float, soc0: float | None = None) -> None:
        """Charging along ``curve`` from ``t0`` to ``t1`` (hold before ``t0``), from ``soc0`` (default:
        the pack's charge now, for a charge not yet applied to the pack); see
        :func:`~swapsim.model.stress_charge.fold_charge`."""
        fold_charge(self, curve, t0, t1, soc0)

    # -- ageing updates ------------------------------------------------------------------------------
    def move(self, t_h: float, kelvin: float) -> None:
        """The pack changes place at ``t_h``: fold in the path so far, age the calendar loss, and go on
        at the new place's temperature ``kelvin``."""
        self.sync(t_h)
        self.relocate(kelvin)

    def relocate(self, kelvin: float) -> None:
        """:meth:`move` once the path is folded in up to the move (``sync`` done, as at a drop-off)."""
        self.settle_calendar()
        if self.place.move(self.t, kelvin):
            self.mark()

    def settle_calendar(self, tell_pack: bool = True) -> bool:
        """Advance the calendar loss over the time since the last calendar update at the time-average
        ``k_cal`` of the path (equivalent time); whether the health was aged. ``tell_pack=False``: the
        caller tells the pack its health (once, after its own update)."""
        hours = self.t - self.t_cal
        aged = False
        if hours > 0.0:
            if self.place.ageing:
                self.fade.age_calendar_rate(self.place.model, self.cal_int / hours, hours / 24.0)
                aged = True
                if tell_pack and self.live:
                    self.pack.age_to(self.fade.health)
            else:
                self.fade.pass_days(hours / 24.0)
        self.t_cal = self.t
        self.cal_int = 0.0
        return aged

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
            aged = self.settle_calendar(tell_pack=False)
            place = self.place
            if place.ageing and efc > 0.0:
                self.fade.age_cycles_rate(place.model, place.k_cyc(self.t, hours, dod, c_rate), efc)
                aged = True
            if aged and self.live:  # the pack told once, after both updates (nothing reads it between)
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
        for name in STRESS_FIELDS:
            setattr(self, name, getattr(source, name))
        fade = source.fade
        self.fade = FadeState(fade.q0, fade.wear, fade.q_cal, fade.q_cyc, fade.efc, fade.days)
        self.place = source.place.copy()
        self.trace = None
        self.live = False

    def settle(self, t_h: float) -> None:
        """At the horizon or when the pack leaves the system: fold in everything up to ``t_h``,
        including the partial cycle window."""
        self.sync(t_h)
        self.close_window()
        self.settle_calendar()
