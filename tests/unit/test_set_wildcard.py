"""``--set`` with ``[*]``: every item of a list, the same meaning as in ``--vary`` and ``--search``."""

from __future__ import annotations

from pathlib import Path

import pytest

from swapsim.experiments.sweep import apply_factors
from swapsim.scenario import ScenarioError, apply_override, load_scenario, scenario_to_dict

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_star_sets_the_field_of_every_station():
    data = {"stations": [{"name": "a", "bays": 2}, {"name": "b", "bays": 3}], "fleet": {"robots": 4}}
    out = apply_override(data, "stations[*].bays=9")
    assert [s["bays"] for s in out["stations"]] == [9, 9]
    assert [s["bays"] for s in data["stations"]] == [2, 3]  # the input is not changed
    out["stations"][0]["bays"] = 1
    assert out["stations"][1]["bays"] == 9  # each item gets its own copy of the value


def test_star_means_what_it_means_in_a_sweep_factor():
    """The shipped warehouse (three stations): --set and --vary give the same scenario data."""
    base = scenario_to_dict(load_scenario(SCENARIOS / "warehouse.yaml"))
    assert len(base["stations"]) >= 2
    by_set = apply_override(base, "stations[*].positions=3")
    by_vary = apply_factors(base, {"stations[*].positions": 3})
    assert by_set == by_vary
    sc = load_scenario(SCENARIOS / "warehouse.yaml", ["stations[*].positions=3"])
    assert [s.positions for s in sc.stations] == [3] * len(base["stations"])


def test_star_nested_and_combined_with_an_index():
    data = {"stations": [{"charger": {"rate_c": 1}}, {"charger": {"rate_c": 2}}]}
    out = apply_override(data, "stations[*].charger.rate_c=0.5")
    assert [s["charger"]["rate_c"] for s in out["stations"]] == [0.5, 0.5]
    out = apply_override(out, "stations[1].charger.rate_c=0.7")
    assert [s["charger"]["rate_c"] for s in out["stations"]] == [0.5, 0.7]


@pytest.mark.parametrize("assignment, fragment", [
    ("fleet[*].robots=3", "--set fleet[*].robots=3: fleet[*]: is not a list"),
    ("stations[x].bays=3", "cannot read the path"),
    ("stations[**].bays=3", "cannot read the path"),
])
def test_star_where_there_is_no_list_is_refused(assignment, fragment):
    with pytest.raises(ScenarioError) as info:
        apply_override({"fleet": {"robots": 2}, "stations": [{"bays": 2}]}, assignment)
    assert fragment in str(info.value)


def test_star_over_an_empty_list_sets_nothing():
    assert apply_override({"stations": []}, "stations[*].bays=3") == {"stations": []}
