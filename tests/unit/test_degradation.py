"""Unit tests of the closed-form fade model, the charge-curve integral and the shift calendar."""

from __future__ import annotations

import math

import numpy as np
import pytest

from swapsim.model.degradation import (
    CHEMISTRIES,
    FadeState,
    advance,
    anode_potential_v,
    celsius_to_kelvin,
    power_law,
    time_to_health,
)
from swapsim.model.pack import ChargeCurve
from swapsim.model.technician import ShiftCalendar

T30 = celsius_to_kelvin(30.0)


def test_advance_from_new_is_the_power_law():
    assert advance(0.0, 0.002, 0.7, 100.0) == pytest.approx(0.002 * 100.0**0.7, rel=1e-12)
    assert advance(0.05, 0.002, 0.7, 0.0) == 0.05
    assert power_law(0.002, 0.7, 0.0) == 0.0


def test_equivalent_time_after_a_stress_change():
    # 100 days at k1, then 50 days at k2: the second leg starts from the time k2 would need for the loss.
    k1, k2, p = 0.001, 0.003, 0.75
    q1 = advance(0.0, k1, p, 100.0)
    x = (q1 / k2) ** (1 / p)
    assert advance(q1, k2, p, 50.0) == pytest.approx(k2 * (x + 50.0) ** p, rel=1e-12)
    assert x < 100.0  # a harsher stress reaches the same loss sooner


def test_fade_state_health_and_retained_capacity():
    f = FadeState(q0=1.02, wear=1.1)
    model = CHEMISTRIES["nmc811"]
    f.age_calendar(model, 30.0, T30, 0.6)
    f.age_cycles(model, 60.0, T30, 0.75, 0.3)
    assert f.q_cal == pytest.approx(1.1 * model.k_cal(T30, 0.6) * 30.0**model.p_cal)
    assert f.q_cyc == pytest.approx(1.1 * model.k_cyc(T30, 0.75, 0.3) * 60.0**model.p_cyc)
    assert f.health == pytest.approx(1.02 * (1 - f.q_cal - f.q_cyc))
    assert f.retained == pytest.approx(1 - f.q_cal - f.q_cyc)
    assert (f.days, f.efc) == (30.0, 60.0)


def test_preview_does_not_change_the_state():
    f = FadeState()
    model = CHEMISTRIES["lfp"]
    before = (f.q_cal, f.days)
    h = f.preview_calendar(model, 200.0, T30, 1.0)
    assert (f.q_cal, f.days) == before
    f.age_calendar(model, 200.0, T30, 1.0)
    assert f.health == pytest.approx(h, rel=1e-12)


def test_nmc811_rates_move_with_temperature_as_the_fit_says():
    m = CHEMISTRIES["nmc811"]
    hot, cold = celsius_to_kelvin(45), celsius_to_kelvin(15)
    assert m.k_cal(hot, 0.6) > m.k_cal(cold, 0.6)  # calendar fade faster when hot
    assert m.k_cyc(hot, 0.75, 0.3) < m.k_cyc(cold, 0.75, 0.3)  # cycle fade faster when cold (plating)
    assert m.k_cyc(T30, 0.9, 0.3) > m.k_cyc(T30, 0.5, 0.3)  # deeper cycles wear more
    assert m.k_cal(T30, 0.95) > m.k_cal(T30, 0.2)  # high charge ages faster in storage


def test_anode_potential_falls_with_charge():
    socs = np.linspace(0.0, 1.0, 101)
    ua = np.array([anode_potential_v(s) for s in socs])
    assert np.all(np.diff(ua) <= 1e-12)
    assert 0.05 < ua[-1] < 0.12 and ua[0] > 0.5


def test_lfp_calendar_fade_grows_with_charge_and_temperature():
    m = CHEMISTRIES["lfp"]
    assert m.k_cal(T30, 1.0) > m.k_cal(T30, 0.5) > m.k_cal(T30, 0.05)
    assert m.k_cal(celsius_to_kelvin(45), 0.5) > m.k_cal(T30, 0.5)


def test_wang_preset_has_no_calendar_fade():
    m = CHEMISTRIES["lfp_wang2011"]
    assert m.fade(1000.0, 0.0, T30, 1.0, 0.8, 0.5) == (0.0, 0.0)
    q_cyc = m.fade(0.0, 1000.0, T30, 1.0, 0.8, 0.5)[1]
    # Q_loss[%] = B exp(-(31700 - 370.3 C)/(R T)) Ah^0.55 with Ah = 2.3 x 1000
    expected = 31630 * math.exp(-(31700 - 370.3 * 0.5) / (8.314 * T30)) * (2.3 * 1000) ** 0.55 / 100
    assert q_cyc == pytest.approx(expected, rel=1e-12)


def test_time_to_health_solves_the_closed_form():
    m = CHEMISTRIES["nmc811"]
    d = time_to_health(m, 0.8, 3, 0.75, T30, 0.575, 0.3)
    q_cal, q_cyc = m.fade(d, 2.25 * d, T30, 0.575, 0.75, 0.3)
    assert 1 - q_cal - q_cyc == pytest.approx(0.8, abs=1e-9)
    assert time_to_health(m, 0.8, 3, 0.75, T30, 0.575, 0.3, wear=1.5) < d
    assert time_to_health(CHEMISTRIES["lfp_wang2011"], 0.8, 0.0, 0.75, T30, 0.5, 0.3) == math.inf


@pytest.mark.parametrize("soc0,hours", [(0.2, 0.5), (0.2, 1.2), (0.2, 3.0), (0.9, 0.3), (0.97, 1.0), (1.0, 2.0)])
def test_charge_curve_integral_matches_numerical_integration(soc0, hours):
    curve = ChargeCurve(0.8, 0.85, 0.05)
    t = np.linspace(0.0, hours, 4001)
    soc = np.array([curve.soc_after(soc0, x) for x in t])
    assert curve.soc_integral(soc0, hours) == pytest.approx(
        getattr(np, "trapezoid", None)(soc, t) if hasattr(np, "trapezoid") else np.trapz(soc, t), abs=2e-4
    )
    assert curve.soc_integral(soc0, 0.0) == 0.0


def test_shift_calendar_day_shifts():
    cal = ShiftCalendar.from_windows([(6.0, 14.0), (14.0, 22.0)])
    assert cal.intervals == ((6.0, 22.0),)
    assert cal.daily_hours == 16.0 and not cal.always
    assert not cal.on_duty(5.99) and cal.on_duty(6.0) and cal.on_duty(21.9) and not cal.on_duty(22.0)
    assert cal.on_duty(24 + 7) and not cal.on_duty(48 + 23)
    assert cal.next_change(0.0) == 6.0
    assert cal.next_change(6.0) == 22.0
    assert cal.next_change(22.0) == 30.0
    assert cal.on_duty_hours(0.0, 48.0) == 32.0
    assert cal.on_duty_hours(10.0, 30.0) == pytest.approx(12.0)


def test_shift_calendar_night_shift_wraps_midnight():
    cal = ShiftCalendar.from_windows([(22.0, 6.0)])
    assert cal.intervals == ((0.0, 6.0), (22.0, 24.0))
    assert cal.on_duty(23.0) and cal.on_duty(24.0) and cal.on_duty(29.0) and not cal.on_duty(30.0)
    assert cal.next_change(23.0) == 30.0  # midnight is not a change
    assert cal.next_change(6.0) == 22.0
    assert cal.on_duty_hours(0.0, 24.0) == 8.0


def test_shift_calendar_around_the_clock():
    cal = ShiftCalendar.from_windows([(0.0, 24.0)])
    assert cal.always and cal.on_duty(13.7)
    assert cal.next_change(5.0) == math.inf
    assert ShiftCalendar.from_windows([(0.0, 12.0), (12.0, 24.0)]).always
