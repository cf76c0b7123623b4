"""Ageing stressors from a pack's own history (swapsim.model.stressors), on scripted paths.

Each expectation is worked out independently: numerical integration of the rate along the path, the
depth / C-rate / EFC of a window by hand, and BLAST-Lite's own ``_extract_stressors`` on the same
series where the package is installed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from builders import make_scenario
from hypothesis import given, settings
from hypothesis import strategies as st

from swapsim.analysis.validation.ageing import blast_input
from swapsim.engine import simulate
from swapsim.model.calendar_rates import CalendarTable
from swapsim.model.degradation import CHEMISTRIES, FadeState, advance, celsius_to_kelvin
from swapsim.model.pack import ChargeCurve, Pack
from swapsim.model.stressors import PackStress, PackTrace

T30 = celsius_to_kelvin(30.0)
T35 = celsius_to_kelvin(35.0)


def _stress(soc: float = 1.0, chem: str = "nmc811", kelvin: float = T30, trace: PackTrace | None = None):
    pack = Pack(0, 468.0, 0.9, soc=soc)
    fade = FadeState()
    stress = PackStress(pack, fade, CHEMISTRIES[chem], {}, 0.0, kelvin, trace)
    pack.stress = stress
    return pack, fade, stress


def _draw(pack: Pack, t0: float, t1: float, soc1: float) -> None:
    """The pack gives energy at constant power from t0 to t1, down to soc1 (as a robot settles it)."""
    pack.draw((pack.soc - soc1) * pack.usable_wh, t0, t1)


def _mean_rate(model, kelvin, soc_of_t, t0, t1, n=200_001):
    t = np.linspace(t0, t1, n)
    k = np.array([model.k_cal(kelvin, float(s)) for s in soc_of_t(t)])
    return float(np.sum(0.5 * (k[1:] + k[:-1]) * np.diff(t)) / (t1 - t0))


@pytest.mark.parametrize("chem", ["nmc811", "lfp"])
@pytest.mark.parametrize("s0,s1", [(1.0, 0.2), (0.95, 0.94), (0.3, 0.05), (0.5, 0.5)])
def test_calendar_table_averages_the_rate_along_a_linear_path(chem, s0, s1):
    model = CHEMISTRIES[chem]
    table = CalendarTable(model, T30)
    want = _mean_rate(model, T30, lambda t: s0 + (s1 - s0) * t, 0.0, 1.0, n=20_001)
    assert table.mean_linear(s0, s1) == pytest.approx(want, rel=2e-5)


def test_calendar_rate_is_averaged_not_the_charge():
    """A pack at 0.9 half the time and at 0.1 the other half ages at the mean rate, not at the rate of 0.5."""
    pack, fade, stress = _stress(0.9, "lfp")
    stress.hold(10.0)
    pack.soc = 0.1
    stress.sync(10.0)
    stress.hold(20.0)
    stress.settle_calendar()
    model = CHEMISTRIES["lfp"]
    k_mean = 0.5 * (model.k_cal(T30, 0.9) + model.k_cal(T30, 0.1))
    assert fade.q_cal == pytest.approx(advance(0.0, k_mean, model.p_cal, 20.0 / 24.0), rel=1e-4)
    assert abs(model.k_cal(T30, 0.5) - k_mean) / k_mean > 0.05  # the difference the test is about


def test_temperatures_are_weighted_as_rates():
    """Cycle rate of a window spread over two places = the hours-weighted mean of k_cyc at each."""
    pack, fade, stress = _stress(1.0)
    _draw(pack, 0.0, 4.0, 0.2)  # in the robot at 30 degC
    stress.move(4.0, T35)
    stress.hold(6.0)  # 2 h at 35 degC
    hours, dod, c_rate, efc = stress.window_stressors()
    assert (hours, dod) == (6.0, pytest.approx(0.8))
    q = fade.health  # C-rate and EFC in nominal capacity (calendar ageing folded in at the move)
    assert 0.99 < q < 1.0
    assert c_rate == pytest.approx(0.8 / 6.0 * q, rel=1e-12)
    assert efc == pytest.approx(0.4 * q, rel=1e-12)
    stress.settle(6.0)
    model = CHEMISTRIES["nmc811"]
    k = (4.0 * model.k_cyc(T30, 0.8, c_rate) + 2.0 * model.k_cyc(T35, 0.8, c_rate)) / 6.0
    assert fade.q_cyc == pytest.approx(advance(0.0, k, model.p_cyc, efc), rel=1e-12)


def test_a_cycle_window_closes_at_the_minimum_with_rests_in_its_c_rate():
    """Discharge 4 h, stand by 4 h, charge 1 h, rest 3 h, discharge again: the first window is
    everything up to the start of the charge after the first discharge... and closes there."""
    pack, fade, stress = _stress(1.0)
    stress.hold(4.0)  # standby, full
    _draw(pack, 4.0, 8.0, 0.2)  # active: 0.2 per hour
    assert fade.q_cyc == 0.0
    curve = ChargeCurve(0.8, 0.85, 0.05)
    stress.charge(curve, 8.0, 12.0)  # the rise after the fall is a minimum: window [0, 8] closes
    assert fade.efc == pytest.approx(0.4, rel=1e-12)  # (0 + 0.8) / 2 at the health before the update
    model = CHEMISTRIES["nmc811"]
    q_first = advance(0.0, model.k_cyc(T30, 0.8, 0.8 / 8.0), model.p_cyc, 0.4)
    assert fade.q_cyc == pytest.approx(q_first, rel=1e-12)
    hours, dod, c_rate, efc = stress.window_stressors()
    assert hours == pytest.approx(4.0)
    assert dod == pytest.approx(0.8)  # 0.2 to 1.0 (the BMS reads 100 % at the cut-off)
    assert efc == pytest.approx(0.4 * fade.health, rel=1e-9)
    assert c_rate == pytest.approx(0.8 / 4.0 * fade.health, rel=1e-9)


def test_windows_close_every_day_while_a_pack_rests():
    pack, fade, stress = _stress(0.2)
    curve = ChargeCurve(0.8, 0.85, 0.05)
    stress.charge(curve, 0.0, 2.0)
    stress.hold(60.0)  # charged in the first day, rests two more: closes at 24 h and 48 h
    assert fade.efc == pytest.approx(0.4, rel=1e-12)
    assert stress.w_t0 == 48.0 and stress.w_abs == 0.0


def test_charge_path_follows_the_curve_and_counts_its_swing():
    trace = PackTrace([0])
    pack, fade, stress = _stress(0.2, trace=trace)
    curve = ChargeCurve(0.8, 0.85, 0.05)
    stress.charge(curve, 1.0, 1.5)  # stopped mid-CC
    assert stress.soc == pytest.approx(curve.soc_after(0.2, 0.5))
    stress.charge(curve, 1.5, 3.0, soc0=stress.soc)  # on to the end of charge, then full
    assert stress.soc == 1.0
    assert stress.w_abs == pytest.approx(0.8)
    pts = np.array(trace.points[0])
    assert np.all(np.diff(pts[:, 0]) >= 0)
    on_curve = [(t, s) for t, s, _ in trace.points[0] if 1.0 <= t < 1.0 + curve.time_to_full_h(0.2) - 1e-9]
    for t, s in on_curve:
        assert s == pytest.approx(curve.soc_after(0.2, t - 1.0), abs=1e-12)


def test_a_session_folded_in_part_goes_on_from_where_it_stands():
    """Regression test (issue 24, stale state): folding a bay's session again from its start
    (``t0``, arrival charge ``soc0``) after part of it is folded in goes on along the curve; it does
    not jump back to the arrival charge (which would count the swing twice)."""
    curve = ChargeCurve(0.8, 0.85, 0.05)
    _, fade_whole, whole = _stress(0.2)
    whole.charge(curve, 1.0, 3.0, soc0=0.2)
    _, fade_parts, parts = _stress(0.2)
    parts.charge(curve, 1.0, 1.5, soc0=0.2)
    parts.charge(curve, 1.0, 3.0, soc0=0.2)  # the same session, from its start, looked at again later
    assert parts.soc == whole.soc == 1.0
    assert parts.w_abs == pytest.approx(whole.w_abs, rel=1e-12)
    assert fade_parts.efc == fade_whole.efc  # no window closed by a jump back down


def test_charge_calendar_rate_matches_numerical_integration_along_the_taper():
    pack, fade, stress = _stress(0.5, "lfp")
    curve = ChargeCurve(0.8, 0.85, 0.05)
    hours = curve.time_to_full_h(0.5) + 0.7
    stress.charge(curve, 0.0, hours)
    model = CHEMISTRIES["lfp"]
    want = _mean_rate(model, T30, lambda t: np.array([curve.soc_after(0.5, float(x)) for x in t]), 0.0, hours, n=40_001)
    assert stress.cal_int / hours == pytest.approx(want, rel=1e-4)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0.05, 3.0), st.floats(0.0, 1.0)), min_size=1, max_size=12))
def test_split_draws_age_like_one_draw(pieces):
    """Settling a linear fall in several draws folds in the same path as one draw."""
    _, fade_a, a = _stress(1.0)
    _, fade_b, b = _stress(1.0)
    total = sum(h for h, _ in pieces)
    soc_end = 0.3
    t = 0.0
    soc = 1.0
    for h, _ in pieces:
        s1 = soc - (1.0 - soc_end) * h / total
        a.linear(t, t + h, soc, s1)
        t, soc = t + h, s1
    b.linear(0.0, total, 1.0, soc_end)
    assert a.cal_int == pytest.approx(b.cal_int, rel=1e-9)
    assert a.w_abs == pytest.approx(b.w_abs, rel=1e-9)
    a.settle(total)
    b.settle(total)
    assert fade_a.q_cyc == pytest.approx(fade_b.q_cyc, rel=1e-9)
    assert fade_a.q_cal == pytest.approx(fade_b.q_cal, rel=1e-9)


def test_stressors_equal_blast_lites_extract_stressors():
    """dod, C-rate and EFC of one window as BLAST-Lite's own code computes them on the traced series."""
    blast = pytest.importorskip("blast.models.nmc811_grSi_LGMJ1_4Ah_2020")
    trace = PackTrace([0])
    pack, fade, stress = _stress(0.9, trace=trace)
    stress.hold(2.0)
    _draw(pack, 2.0, 3.0, 0.75)
    _draw(pack, 3.0, 7.0, 0.25)
    stress.hold(7.5)
    hours, dod, c_rate, efc = stress.window_stressors()
    series = blast_input(trace.points[0], step_s=30.0)
    cell = blast.Nmc811_GrSi_LGMJ1_4Ah_Battery()
    got = cell._extract_stressors(series["Time_s"], series["SOC"], series["Temperature_C"])
    assert dod == pytest.approx(got["dod"], abs=1e-9)
    assert efc == pytest.approx(got["delta_efc"], rel=1e-9)
    assert c_rate == pytest.approx(got["Crate"], rel=2e-3)  # BLAST's trapz over the sample points


def test_a_trace_changes_nothing_in_the_run():
    """Same seed, same results, whether or not a trace follows some packs."""
    scenario = make_scenario(
        battery={"ageing": True},
        horizon="3 d",
        workload={"cycle": [{"activity": "walk", "duration": "20 min"}, {"activity": "stand", "duration": "30 min"}]},
    )
    plain = simulate(scenario)
    traced = simulate(scenario, pack_trace=PackTrace([0, 1, 2]))
    assert plain.packs == traced.packs
    assert plain.summary == traced.summary


def test_the_partial_cycle_at_the_horizon_is_counted():
    """A pack drained in its robot and never dropped off still carries the cycle loss of that discharge."""
    scenario = make_scenario(battery={"ageing": True, "wear_sigma": 0.0, "initial_capacity_sd": 0.0}, horizon="90 min")
    result = simulate(scenario)
    active = result.packs[0]
    assert active["location"] == "robot:0" and active["soc"] < 0.5
    assert active["cycle_loss"] > 0.0
    assert result.packs[1]["cycle_loss"] == 0.0  # the standby pack held its charge


def test_a_new_pack_has_aged_on_the_shelf_at_storage_charge():
    scenario = make_scenario(battery={"ageing": True, "wear_sigma": 0.0, "initial_capacity_sd": 0.0}, horizon="1 h")
    result = simulate(scenario, keep_entities=True)
    health = result.fleet.health
    env = health.env
    env.run(until=500.0)
    pack = health.new_pack(0)
    fade = health.records[pack.id].fade
    model = CHEMISTRIES["nmc811"]
    soc = scenario.technicians.new_pack_soc
    assert fade.days == pytest.approx(500.0 / 24.0)
    kelvin = celsius_to_kelvin(scenario.battery.temperature_c.in_bay)
    assert fade.q_cal == pytest.approx(advance(0.0, model.k_cal(kelvin, soc), model.p_cal, 500.0 / 24.0), rel=1e-4)
    assert math.isclose(pack.health, fade.health)


def test_an_ordered_pack_ages_on_the_shelf_from_its_delivery():
    scenario = make_scenario(
        battery={"ageing": True, "wear_sigma": 0.0, "initial_capacity_sd": 0.0},
        technicians={"spare_packs": 0, "reorder_lead_time": "100 h"},
        horizon="1 h",
    )
    result = simulate(scenario, keep_entities=True)
    health = result.fleet.health
    env = health.env
    env.run(until=20.0)
    health._order(health.records[0])  # ordered at 20 h, on the shelf from 120 h
    env.run(until=300.0)
    pack = health.new_pack(0)
    assert health.records[pack.id].fade.days == pytest.approx(180.0 / 24.0)


def test_packs_charged_at_a_plug_in_dock_age_their_cycles():
    """Plug-in packs never leave the robot: the dock's charge is a minimum of their charge, and closes
    the cycle window (before issue 19 such packs had no cycle ageing at all)."""
    scenario = make_scenario(
        battery={"ageing": True, "wear_sigma": 0.0, "initial_capacity_sd": 0.0},
        strategy={"kind": "plug_in"},
        horizon="12 h",
    )
    result = simulate(scenario)
    assert result.summary["swaps"]["count"] == 0
    for row in result.packs:
        assert row["cycle_loss"] > 0.0 and row["calendar_loss"] > 0.0, row


def test_draws_before_stable_until_keep_the_health_and_a_later_one_may_change_it():
    """Pack.stable_until, which quiet stretches (swapsim.model.robot.quiet) plan by: draws ending before it
    leave the health (hence usable energy) alone; the window's close at it ages the pack."""
    pack, fade, stress = _stress(1.0)
    stress.linear(0.0, 1.0, 1.0, 0.6)
    pack.soc = 0.6
    end = pack.stable_until()
    assert end == stress.w_t0 + 24.0
    health = pack.health
    t = 1.0
    while t + 1.0 < end:  # small draws all through the open window
        _draw(pack, t, t + 1.0, pack.soc - 0.01)
        t += 1.0
    assert pack.health == health
    _draw(pack, t, end + 1.0, pack.soc - 0.01)  # crosses the window's end: it closes, the pack ages
    assert pack.health < health
    pack.soc = 0.9  # a change of charge the ageing path has not seen (a rescue charge): nothing is stable
    assert pack.stable_until() == -math.inf
    assert Pack(1, 468.0, 0.9).stable_until() == math.inf  # no ageing model


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.0, 2.0), st.floats(0.0, 400.0)), min_size=1, max_size=20),
    st.floats(0.0, 20.0),
)
def test_draw_run_is_draw_after_draw_bit_for_bit(draws, t_start):
    """Pack.draw_run (a quiet stretch's draws in one call) leaves the pack and its ageing path exactly
    as the same draws one by one, gaps between draws and empty packs included, for draws that end
    before Pack.stable_until (as a stretch's do: a window closing may change the usable energy)."""
    a, fade_a, stress_a = _stress(0.97)
    b, fade_b, stress_b = _stress(0.97)
    end = a.stable_until()
    assert end == b.stable_until() == 24.0
    energies, t0s, t1s = [], [], []
    t = t_start
    for gap, power in draws:
        t0, t1 = t + 0.25 * gap, t + gap + 0.01
        if t1 >= end:
            break
        energies.append(power * (t1 - t0))
        t0s.append(t0)
        t1s.append(t1)
        t = t1
    for e, t0, t1 in zip(energies, t0s, t1s):
        a.draw(e, t0, t1)
    b.draw_run(energies, t0s, t1s)
    assert (a.soc, a.throughput_wh, a.health) == (b.soc, b.throughput_wh, b.health)
    for name in ("t", "soc", "cal_int", "w_abs", "w_fast", "w_lo", "w_hi", "w_t0", "direction"):
        assert getattr(stress_a, name) == getattr(stress_b, name), name
    assert (fade_a.q_cal, fade_a.q_cyc, fade_a.efc) == (fade_b.q_cal, fade_b.q_cyc, fade_b.efc)
