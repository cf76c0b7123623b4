"""Unit tests: a pack's charge is read at a time (``Pack.soc_at``), never as it was when a session began.

Issue 24's defect: ``packs.csv`` wrote ``Pack.soc``, which for a pack charging in a bay is brought up to
date only when its session ends (factory, 2 days, no warm-up, seed 3: eight packs at 0.20 whose charge
at the horizon was 0.62 to 0.99).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from swapsim.engine import simulate
from swapsim.model.pack import ChargeCurve, Pack
from swapsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_soc_at_follows_the_charge_curve_during_a_session_and_holds_after_it() -> None:
    curve = ChargeCurve(rate_c=0.8, cv_soc=0.85, cutoff_c=0.05)
    pack = Pack(1, capacity_wh=468.0, usable_fraction=0.9, soc=0.2)
    assert pack.soc_at(5.0) == 0.2  # no session: the charge it holds
    pack.start_charging(curve, 1.0)
    assert pack.soc_at(1.0) == 0.2
    assert pack.soc_at(1.5) == pytest.approx(0.2 + 0.8 * 0.5)
    assert pack.soc_at(10.0) == 1.0
    pack.end_charging(curve.soc_after(0.2, 0.25))
    assert pack.soc_at(10.0) == pytest.approx(0.4)  # the session ended at 0.4: no more charging


def test_charge_along_ends_the_session() -> None:
    curve = ChargeCurve(rate_c=0.8, cv_soc=0.85, cutoff_c=0.05)
    pack = Pack(1, capacity_wh=468.0, usable_fraction=0.9, soc=0.2)
    pack.start_charging(curve, 0.0)
    assert pack.charge_along(curve, 0.5, 0.5) == pytest.approx(0.6)
    assert pack.soc_at(3.0) == pytest.approx(0.6)


def test_packs_csv_reads_the_charge_of_packs_charging_in_bays_at_the_horizon() -> None:
    """The case of issue 24: each pack charging in a bay at the horizon reports its charge on the curve."""
    scenario = load_scenario(SCENARIOS / "factory.yaml", ["horizon=2 d", "warmup=0 h"])
    result = simulate(scenario, seed=3, keep_entities=True)
    assert result.fleet is not None
    rows = {row["pack"]: row for row in result.packs}
    charging = 0
    for station in result.fleet.stations:
        for bay in station.bays:
            if bay.pack is None or not bay.charging:
                continue
            charging += 1
            expected = station.curve.soc_after(bay.soc0, scenario.horizon - bay.t_start)
            assert math.isclose(rows[bay.pack.id]["soc"], expected, rel_tol=1e-12), bay.label
            assert rows[bay.pack.id]["soc"] > bay.soc0
    assert charging >= 8  # the case still has packs mid-session at the horizon


def test_a_parked_robot_charging_reports_its_energy_now_to_the_shift_manager() -> None:
    """A robot parked with ``off_duty: park_charging`` is ranked by the charge its packs have reached,
    not the charge they had when it parked (the shift manager reads ``lowest_soc`` and ``energy_wh``)."""
    scenario = load_scenario(SCENARIOS / "warehouse.yaml", ["horizon=2 d", "warmup=0 h"])
    result = simulate(scenario, seed=1, keep_entities=True)
    assert result.fleet is not None
    now = scenario.horizon
    parked = [r for r in result.fleet.robots if r.parked]
    assert parked, "the case has robots parked at the horizon"
    gained = 0
    for robot in parked:
        packs = robot.body.held_packs()
        assert robot.lowest_soc() == min(p.soc_at(now) for p in packs)
        assert robot.energy_wh() == pytest.approx(sum(p.soc_at(now) * p.usable_wh for p in packs))
        gained += robot.lowest_soc() > min(p.soc for p in packs)
    assert gained > 0, "some parked robot has charged since it parked"
