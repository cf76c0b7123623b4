"""The cost model: capital recovery factor by hand, the costs section, the hour-of-day energy bins."""

from __future__ import annotations

import math

import pytest

from swapsim.analysis.costs import CostsSpec, capital_recovery_factor, cost_summary, static_costs, unit_counts
from swapsim.engine import simulate
from swapsim.metrics.energy import EnergyStats
from swapsim.metrics.trace import Trace
from swapsim.scenario import ScenarioError, scenario_from_dict
from tests.builders import scenario_dict


def test_capital_recovery_factor_by_hand():
    # 8 % over 5 years: 0.08 * 1.08^5 / (1.08^5 - 1) = 0.25045645...
    g = 1.08**5
    assert capital_recovery_factor(0.08, 5) == pytest.approx(0.08 * g / (g - 1))
    assert capital_recovery_factor(0.08, 5) == pytest.approx(0.2504564545, rel=1e-9)
    assert capital_recovery_factor(0.0, 4) == 0.25
    # a loan of 1000 repaid in 3 payments at 10 %: 402.11 each (the textbook annuity)
    assert 1000 * capital_recovery_factor(0.10, 3) == pytest.approx(402.1148, abs=1e-3)
    with pytest.raises(ValueError):
        capital_recovery_factor(0.05, 0)


def _scenario(**costs):
    return scenario_from_dict(
        scenario_dict(horizon="2 d", warmup="2 h", costs=costs, fleet={"robots": 2, "initial_soc": "staggered"}), "test"
    )


def test_static_costs_count_every_unit():
    sc = _scenario(
        robot_capex=1000,
        station_capex=100,
        position_capex=10,
        bay_capex=1,
        pack_capex=0.5,
        discount_rate=0,
        life_years=2,
        robot_per_year=7,
        technician_per_hour=2,
    )
    n = unit_counts(sc)
    assert n == {
        "robots": 2,
        "stations": 1,
        "positions": 1,
        "bays": 2,
        "packs": 2 * 2 + 1 + sc.technicians.spare_packs,
        "technicians": 1,
    }
    st = static_costs(sc)
    assert st["capital"]["robots"] == 1000  # 2 robots x 1000 / 2 years
    assert st["capital"]["packs"] == pytest.approx(0.5 * n["packs"] / 2)
    assert st["maintenance_per_year"] == 14
    assert st["labour_per_year"] == pytest.approx(2 * 8760)  # one technician around the clock


def test_cost_summary_from_a_summary():
    sc = _scenario(
        robot_capex=0,
        station_capex=0,
        position_capex=0,
        bay_capex=0,
        pack_capex=0,
        robot_per_year=0,
        technician_per_hour=0,
        energy_per_kwh=0.2,
        pack_replacement=100,
        robot_hour_short=10,
        target_productive_robots=2,
    )
    span_days = (48 - 2) / 24
    summary = {
        "energy": {"grid_kwh": 10.0},
        "packs": {"retired": 1},
        "fleet": {"on_duty_mean": 2.0, "utilisation": 0.5},
    }
    c = cost_summary(summary, sc)
    assert c["energy_per_year"] == pytest.approx(10 * 0.2 * 365 / span_days)
    assert c["packs_per_year"] == pytest.approx(100 * 365 / span_days)
    assert c["penalties_per_year"] == pytest.approx(10 * 1.0 * 8760)  # one robot short all year
    assert c["total_per_year"] == pytest.approx(c["energy_per_year"] + c["packs_per_year"] + c["penalties_per_year"])
    assert c["per_productive_robot_hour"] == pytest.approx(c["total_per_year"] / (1.0 * 8760))


def test_time_of_use_tariff_prices_energy_by_the_hour_drawn():
    tariff = [
        {"start": "00:00", "per_kwh": 0.1},
        {"start": "07:00", "per_kwh": 0.3},
        {"start": "19:00", "per_kwh": 0.1},
    ]
    sc = _scenario(energy_tariff=tariff)
    by_hour = [0.0] * 24
    by_hour[3], by_hour[12] = 2.0, 1.0
    c = cost_summary({"energy": {"grid_kwh": 3.0}, "packs": {}, "fleet": {}}, sc, by_hour)
    per_year = 8760 / 46
    assert c["energy_per_year"] == pytest.approx((2 * 0.1 + 1 * 0.3) * per_year)
    assert CostsSpec(energy_tariff=tariff).hourly_prices()[6:8] == [0.1, 0.3]


@pytest.mark.parametrize(
    "tariff,msg",
    [
        ([{"start": "01:00", "per_kwh": 0.1}], "must start at 00:00"),
        ([{"start": "00:00", "per_kwh": 0.1}, {"start": "07:30", "per_kwh": 0.3}], "on the hour"),
        ([{"start": "00:00", "per_kwh": 0.1}, {"start": "00:00", "per_kwh": 0.3}], "must increase"),
    ],
)
def test_bad_tariffs_are_rejected_with_the_path(tariff, msg):
    with pytest.raises(ScenarioError, match=msg) as err:
        _scenario(energy_tariff=tariff)
    assert "costs" in str(err.value)


def test_unknown_cost_field_is_rejected():
    with pytest.raises(ScenarioError, match=r"costs\.robot_price: unknown field"):
        _scenario(robot_price=3)


def test_hour_bins_spread_a_session_and_sum_to_the_total():
    e = EnergyStats(1, 1, [0.0], False, 0.05, Trace(0))
    e.charge_ended(0, 300.0, now=26.5, started=23.5)  # 3 h across midnight: 100 Wh/h
    assert e.grid_kwh_by_hour()[23] == pytest.approx(0.05)
    assert e.grid_kwh_by_hour()[0] == pytest.approx(0.1)
    assert e.grid_kwh_by_hour()[1] == pytest.approx(0.1)
    assert e.grid_kwh_by_hour()[2] == pytest.approx(0.05)
    e.rescue_charged(0, 50.0, now=5.2)
    assert e.grid_kwh_by_hour()[5] == pytest.approx(0.05)
    assert sum(e.grid_kwh_by_hour()) == pytest.approx(e.summary().grid_kwh)
    e.reset(30.0)
    assert sum(e.grid_kwh_by_hour()) == 0.0


def test_a_run_with_costs_has_the_section_and_one_without_does_not():
    data = scenario_dict(
        horizon="1 d",
        fleet={"robots": 2, "initial_soc": "staggered"},
        power={"activities": {"walk": "400 W", "idle": "50 W"}},
    )
    plain = simulate(scenario_from_dict(data, "t"))
    assert "costs" not in plain.summary
    priced = simulate(scenario_from_dict({**data, "costs": {}}, "t"))
    keys = {
        "capital_per_year",
        "energy_per_year",
        "labour_per_year",
        "packs_per_year",
        "total_per_year",
        "per_productive_robot_hour",
    }
    assert keys <= set(priced.summary["costs"])
    assert priced.summary["energy"] == plain.summary["energy"]  # pricing changes no result
    assert priced.summary["costs"]["energy_per_year"] == pytest.approx(
        priced.summary["energy"]["grid_kwh"] * 0.15 * 365
    )
    assert math.isfinite(priced.summary["costs"]["total_per_year"])


@pytest.mark.slow
def test_a_run_report_shows_the_cost_breakdown(tmp_path):
    from swapsim.output.report import build_report
    from swapsim.results import write_run

    data = scenario_dict(horizon="6 h", costs={"energy_per_kwh": 0.3})
    res = simulate(scenario_from_dict(data, "t"))
    write_run(res, tmp_path / "run")
    page = build_report(tmp_path / "run")
    assert "Costs per year" in page and "per productive robot-hour" in page and "capital: robots" in page
    plain = simulate(scenario_from_dict(scenario_dict(horizon="6 h"), "t"))
    write_run(plain, tmp_path / "plain")
    assert "Costs per year" not in build_report(tmp_path / "plain")
