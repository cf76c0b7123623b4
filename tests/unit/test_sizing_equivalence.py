"""Configurations the model cannot tell apart run once (swapsim.experiments.sizing.equivalence).

The rule (bays beyond ``charged_packs + positions`` never hold a pack) is proved on the model itself:
two such configurations of a factory with stock-outs, ageing and faults give identical KPIs (only the
bays' capital differs); a pair with one bay fewer than the bound is not merged, and differs.
"""

from __future__ import annotations

import copy

import pytest

from swapsim.analysis.costs import static_costs
from swapsim.experiments.runner import RunTask, execute_run
from swapsim.experiments.sizing.equivalence import effective_bays, merge_equivalent, model_key
from swapsim.experiments.sizing.search import Evaluated
from swapsim.experiments.sizing.space import Dimension, enumerate_configs
from swapsim.scenario import load_scenario, scenario_from_dict, scenario_to_dict


def _factory(charged: int, positions: int, bays: int) -> dict:
    """The shipped factory (ageing, health checks, faults), one day, short of packs: stock-outs happen,
    robots drop drained packs into bays and wait at their positions."""
    data = scenario_to_dict(load_scenario("scenarios/factory.yaml"))
    data["horizon"], data["warmup"] = "30 h", "6 h"
    for st in data["stations"]:
        st.update(charged_packs=charged, positions=positions, bays=bays)
    return data


def _kpis(data: dict, seed: int = 7) -> dict:
    rec = execute_run(RunTask(0, 0, seed, {}, data))
    assert rec["status"] == "ok", rec.get("error")
    return rec["kpis"]


def _model_kpis(kpis: dict) -> dict:
    """Everything but money (a scenario with a costs section prices the bays)."""
    return {k: v for k, v in kpis.items() if not k.startswith("costs.")}


def test_bays_beyond_charged_packs_plus_positions_change_nothing_in_the_model():
    at_bound = _factory(charged=3, positions=2, bays=5)  # 3 + 2: every bay can be used
    beyond = _factory(charged=3, positions=2, bays=11)  # six bays more: never claimed
    a, b = _kpis(at_bound), _kpis(beyond)
    assert a["swaps.stockouts"] > 0 and a["swaps.count"] > 0  # the bays are exercised
    assert _model_kpis(a) == _model_kpis(b)
    sa, sb = (scenario_from_dict(d, "t") for d in (at_bound, beyond))
    assert static_costs(sa)["static_per_year"] < static_costs(sb)["static_per_year"]  # only the money differs
    assert effective_bays(sb) == [5, 5]
    assert model_key(at_bound, sa) == model_key(beyond, sb)


def test_one_bay_short_of_the_bound_is_not_merged_and_differs():
    short = _factory(charged=3, positions=2, bays=4)  # a stock-out drop-off can find every bay full
    full = _factory(charged=3, positions=2, bays=5)
    ss, sf = (scenario_from_dict(d, "t") for d in (short, full))
    assert effective_bays(ss) == [4, 4]
    assert model_key(short, ss) != model_key(full, sf)
    assert _model_kpis(_kpis(short)) != _model_kpis(_kpis(full))


def test_plug_in_bays_are_never_cut():
    data = _factory(charged=3, positions=2, bays=11)
    data["strategy"] = {"kind": "plug_in"}
    sc = scenario_from_dict(data, "t")
    assert effective_bays(sc) == [11, 11]  # the bays set the default docks (bays // 2)


def test_the_walk_runs_the_cheapest_of_each_group_and_marks_the_rest():
    base = _factory(charged=3, positions=1, bays=5)
    dims = [Dimension("stations[*].positions", 1, 2), Dimension("stations[*].bays", 4, 7)]
    configs, invalid = enumerate_configs(base, dims, "t", lambda sc: float(sum(s.bays for s in sc.stations)))
    assert invalid == []
    order = sorted((Evaluated(c) for c in configs), key=lambda e: (e.config.static_cost, e.config.values))
    assert merge_equivalent(order, dims) == 5  # positions 1: bays 5, 6, 7 run as 4; positions 2: 6, 7 as 5
    merged = {e.config.values: e.reason for e in order if e.status == "equivalent"}
    assert set(merged) == {(1, 5), (1, 6), (1, 7), (2, 6), (2, 7)}
    assert "runs as #" in merged[(1, 6)] and "never hold a pack" in merged[(1, 6)]
    kept = [e.config.values for e in order if e.status != "equivalent"]
    assert sorted(kept) == [(1, 4), (2, 4), (2, 5)]


@pytest.mark.parametrize("n", [1, 2])
def test_a_station_count_dimension_builds_the_first_n_and_prices_only_them(n):
    base = copy.deepcopy(_factory(charged=3, positions=1, bays=5))
    dims = [Dimension("stations", 1, 2), Dimension("stations[1].positions", 1, 2)]
    configs, invalid = enumerate_configs(base, dims, "t", lambda sc: float(len(sc.stations)))
    assert invalid == []
    built = [c for c in configs if c.values[0] == n]
    assert all(len(c.data["stations"]) == n and c.static_cost == n for c in built)
    keys = {c.key for c in built}
    assert len(keys) == (1 if n == 1 else 2)  # one station: the second's positions cannot matter


def test_identical_runs_are_recognised_money_aside():
    from swapsim.experiments.sizing.equivalence import same_runs
    from swapsim.experiments.sizing.space import Config

    def ev(i: int, runs: dict) -> Evaluated:
        e = Evaluated(Config(i, (i,), {}, float(i)))
        e.runs = runs
        return e

    a = ev(0, {0: {"swaps.count": 10, "x": float("nan"), "costs.total_per_year": 1.0}, 1: {"swaps.count": 11}})
    b = ev(1, {0: {"swaps.count": 10, "x": float("nan"), "costs.total_per_year": 2.0}, 1: {"swaps.count": 11}})
    c = ev(2, {0: {"swaps.count": 10, "x": float("nan")}, 1: {"swaps.count": 12}})
    assert same_runs(a, b) and not same_runs(a, c) and not same_runs(a, ev(3, {}))
