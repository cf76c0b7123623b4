"""Pack replacements per year from measured ageing rates (swapsim.analysis.pack_life), against cases
worked by hand: the power-law rates recovered, a deterministic life's renewal count, faults alone as a
Poisson rate, and the cost independent of the horizon."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from swapsim.analysis.costs import cost_summary
from swapsim.analysis.pack_life import DutyRates, PackFade, life_days, measure_duty, replacements
from swapsim.engine import simulate
from swapsim.model.degradation import CHEMISTRIES
from swapsim.scenario import scenario_from_dict
from tests.builders import scenario_dict


def _scenario(**overrides):
    data = scenario_dict(horizon="2 d", warmup="2 h", costs={"life_years": 5},
                         fleet={"robots": 2, "initial_soc": "staggered"})
    for key, value in overrides.items():
        data[key] = {**data.get(key, {}), **value}
    return scenario_from_dict(data, "test")


def test_measure_duty_recovers_the_power_law_rates():
    m = CHEMISTRIES["nmc811"]
    a_cal, a_cyc = 4e-4, 2e-3
    fades = [PackFade(w * a_cal * d**m.p_cal, w * a_cyc * d**m.p_cyc, d, d, w, True) for w, d in ((0.9, 10.0), (1.2, 30.0))]
    # a pack that did not serve from the start is left out while some did
    fades.append(PackFade(0.5, 0.5, 3.0, 3.0, 1.0, False))
    duty = measure_duty(fades, "nmc811", checks=300.0, span_days=10.0, in_service=10)
    assert duty.a_cal == pytest.approx(a_cal) and duty.a_cyc == pytest.approx(a_cyc)
    assert duty.checks_per_day == pytest.approx(3.0) and duty.packs == 2


def test_a_deterministic_life_is_renewed_floor_of_years_over_life_times():
    # lfp_wang2011 has no calendar term, so the shelf does not age packs; no wear spread, no noise,
    # no faults, checks every 15 min: every life is the closed-form one (to a check).
    sc = _scenario(battery={"ageing": True, "chemistry": "lfp_wang2011", "wear_sigma": 0, "initial_capacity_sd": 0},
                   health={"check_noise_sd": 0, "fault_rate_per_cycle": 0},
                   technicians={"spare_packs": 100, "reorder_lead_time": "0 h"})
    p = CHEMISTRIES["lfp_wang2011"].p_cyc
    a_cyc = 0.2 / 400.0**p  # 80 % after 400 days
    duty = DutyRates(0.0, a_cyc, 96.0, 10)
    assert life_days(duty, "lfp_wang2011", 0.8) == pytest.approx(400.0, abs=0.02)
    out = replacements(duty, sc, 5.0, seed=1)
    per_position = math.floor(5 * 365 / 400.0)  # 4 lives end within 5 years
    assert out["per_year"] == pytest.approx(sc.total_packs * per_position / 5.0)
    assert out["se"] == 0.0 and out["life_years"] == pytest.approx(400 / 365, abs=1e-4)


def test_safety_faults_alone_are_a_poisson_rate_per_check():
    sc = _scenario(battery={"ageing": False}, health={"fault_rate_per_cycle": 1e-3})
    duty = DutyRates(0.0, 0.0, 2.0, 4)
    out = replacements(duty, sc, 5.0, seed=3)
    expected = sc.total_packs * 1e-3 * 2.0 * 365  # a geometric number of checks: the rate per check
    # Monte Carlo: within 4 of its standard errors (and the error is stated, not zero)
    assert out["se"] > 0
    assert abs(out["per_year"] - expected) < 4 * out["se"], (out, expected)


def test_packs_that_wait_on_the_shelf_age_there_and_are_replaced_sooner():
    base = dict(health={"check_noise_sd": 0, "fault_rate_per_cycle": 0}, battery={"ageing": True})
    duty = DutyRates(4e-4, 2e-3, 3.0, 10)
    just_in_time = _scenario(technicians={"spare_packs": 0, "reorder_lead_time": "0 h"}, **base)
    # 20 spares from day 0, first in first out: every replacement has waited on the shelf for years
    stocked = _scenario(technicians={"spare_packs": 20, "reorder_lead_time": "0 h"}, **base)
    a, b = replacements(duty, just_in_time, 5, 1), replacements(duty, stocked, 5, 1)
    assert b["per_year"] > a["per_year"] * 1.05, (a, b)


def test_packs_per_year_comes_from_rates_whatever_the_horizon():
    data = scenario_dict(fleet={"robots": 2, "initial_soc": "staggered"}, costs={"pack_replacement": 100},
                         battery={"ageing": True},
                         power={"activities": {"walk": "400 W", "idle": "50 W"}})
    short = simulate(scenario_from_dict({**data, "horizon": "2 d", "warmup": "0 h"}, "t")).summary
    longer = simulate(scenario_from_dict({**data, "horizon": "6 d", "warmup": "0 h"}, "t")).summary
    assert short["packs"]["retired"] == 0  # nothing retires in days: counting would say 0
    for s in (short, longer):
        c = s["costs"]
        assert c["pack_replacements_per_year"] > 0
        assert c["packs_per_year"] == pytest.approx(100 * c["pack_replacements_per_year"])
        assert 0 < c["pack_life_years"] < 50
    a, b = short["costs"]["pack_replacements_per_year"], longer["costs"]["pack_replacements_per_year"]
    assert a == pytest.approx(b, rel=0.15)


def test_without_measured_rates_the_cost_counts_retirements():
    sc = _scenario(costs={"pack_replacement": 100})
    c = cost_summary({"energy": {"grid_kwh": 0.0}, "packs": {"retired": 2}, "fleet": {}}, sc)
    assert c["packs_per_year"] == pytest.approx(2 * 100 * 8760 / 46)
    assert "pack_replacements_per_year" not in c


def test_a_pack_entering_service_after_the_end_of_the_life_is_never_replaced_again():
    """Regression test of a crash found by the validate-implies-runs property test: with a safety fault
    at every check, replacement packs enter service after the costed life ends; the renewal process
    took a negative span and compared a complex number (TypeError). Such a pack adds no replacement."""
    from swapsim import load_scenario, simulate

    sc = load_scenario(
        Path(__file__).resolve().parents[2] / "scenarios" / "warehouse.yaml",
        ["health.fault_rate_per_cycle=1.0", "costs.technician_per_hour=1e308", "horizon=2 d", "warmup=6 h"],
    )
    costs = simulate(sc, 1).summary["costs"]
    assert costs["pack_replacements_per_year"] > 0
