"""Unit tests for swapsim.model.pack: the closed-form CC-CV charge curve, discharge and pack energy."""

from __future__ import annotations

import math

import pytest

from swapsim.model.pack import ChargeCurve, Pack, discharge_time_h
from swapsim.scenario import ChargerSpec

DEFAULT = ChargerSpec()
CURVE = ChargeCurve(DEFAULT.rate_c, DEFAULT.cv_soc, DEFAULT.cutoff_c)


def test_defaults_are_those_of_the_reference() -> None:
    assert (DEFAULT.rate_c, DEFAULT.cv_soc, DEFAULT.cutoff_c) == (0.8, 0.85, 0.05)
    assert CURVE.tau_h == pytest.approx(0.15 / 0.8)


def test_zero_to_full_takes_tcc_plus_tau_ln_c_over_cutoff() -> None:
    t_cc = 0.85 / 0.8
    tau = 0.15 / 0.8
    expected = t_cc + tau * math.log(0.8 / 0.05)
    assert CURVE.time_to_full_h(0.0) == pytest.approx(expected, rel=1e-12)
    # walker-s2.md: "0 to 100 % takes about 95 min (fits 'about 90 min')"
    assert CURVE.time_to_full_h(0.0) * 60 == pytest.approx(95.0, abs=0.5)


def test_twenty_to_eighty_percent_takes_45_min() -> None:
    assert CURVE.time_to_soc_h(0.2, 0.8) * 60 == pytest.approx(45.0, rel=1e-12)  # all in CC: 0.6 / 0.8 h


def test_twenty_to_ninety_five_percent_takes_about_61_min() -> None:
    expected = 0.65 / 0.8 + (0.15 / 0.8) * math.log(0.15 / 0.05)
    assert CURVE.time_to_soc_h(0.2, 0.95) == pytest.approx(expected, rel=1e-12)
    assert CURVE.time_to_soc_h(0.2, 0.95) * 60 == pytest.approx(61.1, abs=0.1)


def test_end_of_charge_is_where_the_taper_reaches_the_cutoff() -> None:
    # In CV the current is c (1 - soc) / (1 - soc_cv); it equals c_off at soc = 1 - (1 - soc_cv) c_off / c.
    assert CURVE.end_soc == pytest.approx(1 - 0.15 * 0.05 / 0.8, rel=1e-15)
    assert CURVE.time_to_soc_h(0.0, 0.999) == CURVE.time_to_full_h(0.0)
    assert CURVE.time_to_soc_h(0.0, 1.0) == CURVE.time_to_full_h(0.0)
    assert CURVE.time_to_full_h(CURVE.end_soc) == 0.0
    assert CURVE.time_to_full_h(1.0) == 0.0


def test_curve_is_continuous_at_the_cc_cv_switch() -> None:
    t_cc = CURVE.time_to_soc_h(0.2, 0.85)
    assert t_cc == pytest.approx(0.65 / 0.8, rel=1e-15)
    assert CURVE.soc_after(0.2, t_cc) == pytest.approx(0.85, rel=1e-15)
    eps = 1e-9
    assert CURVE.soc_after(0.2, t_cc - eps) == pytest.approx(0.85, abs=1e-8)
    assert CURVE.soc_after(0.2, t_cc + eps) == pytest.approx(0.85, abs=1e-8)


def test_cc_phase_is_linear_and_cv_phase_exponential() -> None:
    assert CURVE.soc_after(0.1, 0.5) == pytest.approx(0.1 + 0.8 * 0.5, rel=1e-15)
    x = 0.3  # hours into CV starting from the switch
    assert CURVE.soc_after(0.85, x) == pytest.approx(1 - 0.15 * math.exp(-x / CURVE.tau_h), rel=1e-15)


def test_soc_after_past_the_end_reads_full_and_zero_time_changes_nothing() -> None:
    assert CURVE.soc_after(0.2, CURVE.time_to_full_h(0.2)) == 1.0
    assert CURVE.soc_after(0.2, 100.0) == 1.0
    assert CURVE.soc_after(0.37, 0.0) == 0.37
    assert CURVE.soc_after(0.37, -1.0) == 0.37


@pytest.mark.parametrize("soc0", [0.0, 0.2, 0.5, 0.85, 0.9, 0.97])
@pytest.mark.parametrize("target", [0.05, 0.3, 0.8, 0.85, 0.86, 0.95, 0.99])
def test_soc_after_inverts_time_to_soc(soc0: float, target: float) -> None:
    t = CURVE.time_to_soc_h(soc0, target)
    if target <= soc0:
        assert t == 0.0
    else:
        assert CURVE.soc_after(soc0, t) == pytest.approx(target, abs=1e-12)


@pytest.mark.parametrize("soc0", [0.0, 0.2, 0.9])
@pytest.mark.parametrize("frac", [0.01, 0.3, 0.6, 0.99])
def test_time_to_soc_inverts_soc_after(soc0: float, frac: float) -> None:
    t = frac * CURVE.time_to_full_h(soc0)
    assert CURVE.time_to_soc_h(soc0, CURVE.soc_after(soc0, t)) == pytest.approx(t, rel=1e-9)


def test_charging_in_two_legs_equals_charging_in_one() -> None:
    # A curve position depends only on the state of charge: stopping and restarting changes nothing.
    for t1, t2 in [(0.3, 0.4), (0.9, 0.2), (1.2, 0.05)]:
        mid = CURVE.soc_after(0.1, t1)
        assert CURVE.soc_after(mid, t2) == pytest.approx(CURVE.soc_after(0.1, t1 + t2), abs=1e-12)


def test_other_curve_parameters() -> None:
    curve = ChargeCurve(rate_c=1.0, cv_soc=0.8, cutoff_c=0.1)
    assert curve.time_to_full_h(0.0) == pytest.approx(0.8 + 0.2 * math.log(10), rel=1e-12)
    assert curve.end_soc == pytest.approx(0.98)


def test_discharge_time_is_energy_over_power() -> None:
    usable = 468 * 0.9
    assert discharge_time_h(1.0, 0.2, usable, 210.0) == pytest.approx(0.8 * usable / 210, rel=1e-15)
    assert discharge_time_h(1.0, 0.2, usable, 105.0) == pytest.approx(2 * 0.8 * usable / 210, rel=1e-15)
    assert discharge_time_h(0.2, 0.2, usable, 210.0) == 0.0
    assert discharge_time_h(0.1, 0.2, usable, 210.0) == 0.0
    assert discharge_time_h(1.0, 0.2, usable, 0.0) == math.inf


def test_pack_energy_bookkeeping() -> None:
    p = Pack(id=0, capacity_wh=468.0, usable_fraction=0.9)
    assert p.usable_wh == pytest.approx(421.2)
    p.draw(210.0)
    assert p.soc == pytest.approx(1 - 210 / 421.2)
    assert p.throughput_wh == 210.0
    p.draw(1000.0)  # more than it holds: clamps at empty
    assert p.soc == 0.0
    p = Pack(id=1, capacity_wh=468.0, usable_fraction=0.9)
    p.set_soc(0.2)
    assert p.throughput_wh == pytest.approx(0.8 * 421.2)
    p.set_soc(0.9)  # charging does not count as throughput
    assert p.throughput_wh == pytest.approx(0.8 * 421.2)
    assert p.equivalent_full_cycles == pytest.approx(0.8)
    p.health = 0.5
    assert p.usable_wh == pytest.approx(210.6)
    assert p.equivalent_full_cycles == pytest.approx(0.8)  # measured against the new pack
