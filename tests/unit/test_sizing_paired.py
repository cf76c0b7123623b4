"""Strategies compared with replications: common seeds, paired intervals, plug-in's own column."""

from __future__ import annotations

import json
import math

import pytest

from swapsim.engine import simulate
from swapsim.experiments import replication_seed
from swapsim.experiments.compare import with_strategy
from swapsim.experiments.paired import format_paired, paired_rows, run_replicated, write_paired
from swapsim.scenario import scenario_from_dict
from tests.builders import scenario_dict


@pytest.fixture(scope="module")
def runs():
    data = scenario_dict(
        horizon="12 h",
        fleet={"robots": 3, "initial_soc": "staggered"},
        power={"activities": {"walk": "600 W", "idle": "50 W"}},
    )
    data["stations"][0].update(bays=6, charged_packs=4, positions=1)
    sc = scenario_from_dict(data, "t")
    return sc, run_replicated(sc, ["hot_swap", "cold_swap", "plug_in"], replications=4, seed=11, jobs=1)


def test_replication_r_uses_the_same_seed_for_every_strategy(runs):
    sc, out = runs
    assert set(out) == {"hot_swap", "cold_swap", "plug_in"} and all(len(v) == 4 for v in out.values())
    again = simulate(with_strategy(sc, "cold_swap"), replication_seed(11, 2)).summary
    assert out["cold_swap"][2]["fleet.utilisation"] == again["fleet"]["utilisation"]


def test_rows_pair_each_strategy_with_the_first_and_plug_in_has_no_swaps(runs):
    _, out = runs
    rows = paired_rows(out)
    means = {(r["kpi"], r["strategy"]) for r in rows if r["kind"] == "mean"}
    assert ("swaps.per_robot_per_day", "plug_in") not in means
    assert ("charging.per_robot_per_day", "plug_in") in means
    assert ("charging.per_robot_per_day", "hot_swap") not in means
    diff = next(
        r
        for r in rows
        if r["kind"] == "difference" and r["kpi"] == "fleet.utilisation" and r["strategy"] == "cold_swap"
    )
    a = [x["fleet.utilisation"] for x in out["cold_swap"]]
    b = [x["fleet.utilisation"] for x in out["hot_swap"]]
    assert diff["vs"] == "hot_swap" and diff["n"] == 4
    assert diff["mean"] == pytest.approx(sum(x - y for x, y in zip(a, b)) / 4)
    assert diff["significant"] == (abs(diff["mean"]) > diff["half_width"])


def test_console_and_files_say_what_is_significant(runs, tmp_path):
    _, out = runs
    rows = paired_rows(out)
    text = format_paired(rows)
    assert "charges/robot/d" in text and "paired differences" in text
    assert ("*" in text) or ("not significant" in text)
    paths = write_paired(rows, tmp_path, {"scenario": "t", "replications": 4})
    assert [p.name for p in paths] == ["compare_paired.csv", "compare_paired.json", "compare_paired.png"]
    doc = json.loads(paths[1].read_text())
    assert doc["replications"] == 4 and all(
        r["half_width"] is None or math.isfinite(r["half_width"]) for r in doc["rows"]
    )
