"""The sizing question as data: --search and --target parsing, dominance, the grid."""

from __future__ import annotations

import pytest

from swapsim.experiments.sizing.space import (
    Config,
    Dimension,
    dominates,
    enumerate_configs,
    parse_objective_target,
    parse_search,
)
from swapsim.scenario import ScenarioError, scenario_to_dict
from tests.builders import make_scenario


def test_parse_search_ranges_and_steps():
    assert parse_search("stations[*].positions=1..4") == Dimension("stations[*].positions", 1, 4)
    d = parse_search("fleet.robots = 40..80/10")
    assert d.values == [40, 50, 60, 70, 80] and not d.monotone
    assert parse_search("stations[1].bays=3..3").values == [3]
    assert Dimension("technicians.crew", 0, 2).monotone and Dimension("stations[0].charged_packs", 1, 2).monotone


@pytest.mark.parametrize(
    "bad,msg",
    [
        ("fleet.robots", "PATH=LO..HI"),
        ("fleet.robots=5..2", "empty"),
        ("fleet.robots=1..x", "whole numbers"),
        ("=1..2", "whole numbers"),
        ("fleet.robots=1..9/0", "step must be >= 1"),
    ],
)
def test_parse_search_errors(bad, msg):
    with pytest.raises(ScenarioError, match=msg):
        parse_search(bad)


def test_parse_targets():
    t = parse_objective_target("swaps.wait_min.p95<=5")
    assert (t.kpi, t.op, t.value, t.upper) == ("swaps.wait_min.p95", "<=", 5.0, True)
    u = parse_objective_target("fleet.utilisation >= 85%")
    assert (u.op, u.value, u.upper) == (">=", 0.85, False)
    assert (
        str(parse_objective_target("stations.hall-A.swap_utilisation<=0.7")) == "stations.hall-A.swap_utilisation<=0.7"
    )
    for bad in ("swaps.wait_min.p95<5", "swaps.wait_min.p95<=five", "<=3"):
        with pytest.raises(ScenarioError, match="--target"):
            parse_objective_target(bad)


def test_dominance_needs_more_resources_and_equal_other_values():
    dims = [Dimension("stations[*].positions", 1, 3), Dimension("fleet.robots", 1, 3)]
    c = lambda *v: Config(0, v, {}, 0.0)  # noqa: E731
    assert dominates(c(2, 1), c(1, 1), dims)
    assert not dominates(c(1, 1), c(1, 1), dims)
    assert not dominates(c(2, 2), c(1, 1), dims)  # robots is not a resource: no order across it
    assert not dominates(c(1, 1), c(2, 1), dims)


def test_dominance_for_a_kpi_needs_it_monotone_in_every_dimension_that_differs():
    dims = [Dimension("stations[*].positions", 1, 3), Dimension("stations[*].charged_packs", 4, 9)]
    c = lambda *v: Config(0, v, {}, 0.0)  # noqa: E731
    assert dominates(c(2, 5), c(1, 5), dims, "swaps.wait_min.p95")
    assert not dominates(c(2, 6), c(2, 5), dims, "swaps.wait_min.p95")  # seen worse with more packs
    assert not dominates(c(2, 5), c(1, 5), dims, "swaps.stockout_share")  # stock-outs are not monotone in positions
    assert dominates(c(2, 6), c(2, 5), dims, "swaps.stockout_share")  # but are in charged packs (Palm)
    assert not dominates(c(2, 6), c(1, 5), dims, "swaps.stockout_share")
    assert not dominates(c(2, 6), c(2, 5), dims, "tasks.served_share")  # task KPIs: in nothing
    assert dominates(c(2, 6), c(2, 5), dims) and Dimension("technicians.crew", 0, 2).monotone_for("swaps.wait_min.p95") is False


def test_enumerate_keeps_valid_configurations_and_says_why_others_are_not():
    base = scenario_to_dict(make_scenario())  # one station, 2 bays, 1 charged pack
    dims = [Dimension("stations[0].charged_packs", 0, 2)]
    configs, invalid = enumerate_configs(base, dims, "t", lambda sc: float(sc.stations[0].charged_packs))
    assert [c.values for c in configs] == [(0,), (1,)]
    assert [c.static_cost for c in configs] == [0.0, 1.0]
    assert invalid[0][0] == (2,) and "must be < bays" in invalid[0][1]


def test_a_linked_dimension_sets_each_station_from_its_sibling_field():
    d = parse_search("stations[*].bays=charged_packs+2..+4")
    assert (d.path, d.lo, d.hi, d.link, d.field) == ("stations[*].bays", 2, 4, "charged_packs", "bays")
    assert d.show(3) == "stations[*].bays=charged_packs+3"
    base = scenario_to_dict(make_scenario())  # one station, 2 bays, 1 charged pack
    dims = [Dimension("stations[*].charged_packs", 1, 2), d]
    configs, invalid = enumerate_configs(base, dims, "t", lambda sc: float(sc.stations[0].bays))
    assert invalid == []
    got = {c.values: (c.data["stations"][0]["charged_packs"], c.data["stations"][0]["bays"]) for c in configs}
    assert got == {(1, 2): (1, 3), (1, 3): (1, 4), (1, 4): (1, 5), (2, 2): (2, 4), (2, 3): (2, 5), (2, 4): (2, 6)}
    assert configs[0].label(dims) == "stations[*].charged_packs=1, stations[*].bays=charged_packs+2"
    with pytest.raises(ScenarioError, match="list item's field"):
        parse_search("fleet.robots=charged_packs+1..+2")
