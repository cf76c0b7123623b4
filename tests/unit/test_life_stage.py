"""``battery.life: end``: every pack starts at its end-of-life state and stays there (swapsim.model.health),
and ``--life`` on run, compare and size."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from swapsim.cli import cli
from swapsim.engine import simulate
from swapsim.scenario import ScenarioError, scenario_from_dict
from tests.builders import scenario_dict


def _data(**battery):
    return scenario_dict(horizon="2 d", fleet={"robots": 2, "initial_soc": "staggered"},
                         battery={"ageing": True, **battery},
                         health={"fault_rate_per_cycle": 0.0, "check_noise_sd": 0.02},
                         stations=[{"name": "A", "distance": "60 m", "bays": 4, "charged_packs": 2,
                                    "swap_duration": "3 min"}])


def test_end_of_life_health_is_the_first_retirement_criterion():
    sc = scenario_from_dict(_data(), "t")
    assert sc.end_of_life_health == pytest.approx(0.8)
    # resistance first: R/R0 = 1 + 2.5 (1 - h) reaches 1.3 at h = 0.88, before the capacity's 0.8
    d = _data()
    d["health"] = {**d["health"], "retire_resistance_ratio": 1.3}
    assert scenario_from_dict(d, "t").end_of_life_health == pytest.approx(0.88)


def test_packs_held_at_end_of_life_run_shorter_and_are_never_retired():
    new = simulate(scenario_from_dict(_data(), "t"), keep_entities=True)
    end = simulate(scenario_from_dict(_data(life="end"), "t"), keep_entities=True)
    health = end.fleet.health
    for rec in health.records.values():
        assert rec.pack.health == pytest.approx(0.8)
        assert health.resistance_ratio(rec) == pytest.approx(1.5)
    # noise 0.02 around 0.8: half the checks read below retire_below, yet nothing is retired or warned
    assert end.summary["alerts"]["checks"] > 20
    assert end.summary["alerts"]["warnings"] == 0 and end.summary["alerts"]["retirements"] == 0
    # a pack of 0.8 the energy: 1.25 times the swaps (the robots walk all the time)
    ratio = end.summary["swaps"]["count"] / new.summary["swaps"]["count"]
    assert ratio == pytest.approx(1.25, rel=0.1)


def test_life_is_validated():
    with pytest.raises(ScenarioError, match="battery.life"):
        scenario_from_dict(_data(life="middle"), "t")


@pytest.mark.slow  # a run and a search (about 15 s of CPU)
def test_run_and_size_take_life(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_data()))
    r = CliRunner().invoke(cli, ["run", str(path), "--life", "end", "--no-figures", "-q", "--out", str(tmp_path / "r")])
    assert r.exit_code == 0, r.output
    s = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert s["packs"]["mean_health_end"] == pytest.approx(0.8)
    r = CliRunner().invoke(cli, ["size", str(path), "--life", "both", "--search", "stations[0].positions=1..2",
                                 "--target", "swaps.wait_min.mean<=30", "--min-replications", "2",
                                 "--max-replications", "2", "-j", "1", "-q", "--no-figures", "--no-guards",
                                 "--out", str(tmp_path / "z")])
    assert r.exit_code == 0, r.output
    assert "end_of_life.swaps.wait_min.mean<=30" in r.output and "life        swaps.wait_min.mean" in r.output
    doc = json.loads((tmp_path / "z" / "size.json").read_text())
    assert doc["question"]["life"] == "both" and doc["life"]["recommendation"] == "stations[0].positions=1"
    page = (tmp_path / "z" / "report.html").read_text()
    assert "KPI at the recommendation" in page and "end of life costs nothing more" in page
    c = CliRunner().invoke(cli, ["compare", str(path), "--life", "end", "--strategies", "hot_swap,cold_swap", "-r", "1",
                                 "--no-figures", "-q", "--out", str(tmp_path / "c")])
    assert c.exit_code == 0, c.output
    run = json.loads((tmp_path / "c" / "hot_swap" / "summary.json").read_text())
    assert run["packs"]["mean_health_end"] == pytest.approx(0.8)
    bad = CliRunner().invoke(cli, ["run", str(path), "--life", "old"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
