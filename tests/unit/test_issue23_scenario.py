"""Issue 23, the scenario side: valid scenarios that crashed, bad input that gave a traceback, and the
messages. Each test failed on the code before the fix."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from swapsim.analysis import estimate
from swapsim.analysis.estimate_format import format_estimate_json
from swapsim.engine import simulate
from swapsim.model.degradation import HEALTH_FLOOR, FadeState
from swapsim.scenario import ScenarioError, load_scenario, read_yaml, scenario_from_dict
from tests.builders import scenario_dict

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FACTORY = SCENARIOS / "factory.yaml"


def strict_parse(text: str) -> Any:
    """``json.loads`` as a strict parser: NaN and Infinity are errors."""

    def refuse(token: str) -> object:
        raise ValueError(f"non-standard JSON constant {token}")

    return json.loads(text, parse_constant=refuse)


# -- control characters in scenario text ------------------------------------------------------------
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"])
def test_a_control_character_in_a_scenario_file_is_one_line(tmp_path, char):
    path = tmp_path / "ctl.yaml"
    path.write_bytes(FACTORY.read_bytes().replace(b"name: factory", b"name: fac" + char.encode() + b"tory"))
    with pytest.raises(ScenarioError) as info:
        read_yaml(path)
    message = str(info.value)
    assert message.startswith(f"{path}: invalid YAML: a control character (U+{ord(char):04X})"), message
    assert "\n" not in message


def test_a_control_character_in_a_set_value_is_a_message():
    with pytest.raises(ScenarioError, match=r"--set .*control character \(U\+0000\)"):
        load_scenario(FACTORY, ["name=a\x00b"])


# -- packs worn to nothing ----------------------------------------------------------------------------
def test_health_never_falls_below_the_floor():
    fade = FadeState(q0=1.0, wear=1.0, q_cal=0.7, q_cyc=0.6)
    assert fade.health == HEALTH_FLOOR
    assert FadeState(q0=-0.1).health == HEALTH_FLOOR  # an initial capacity drawn below zero


@pytest.mark.parametrize("retire_below", [0.8, 1e-9])
def test_a_pack_worn_to_nothing_is_retired_and_the_run_completes(retire_below):
    data = scenario_dict(
        horizon="20 d",
        battery={"wear_scale": 100, "wear_sigma": 0},
        health={"retire_below": retire_below, "warn_below": max(retire_below, 0.85),
                "retire_resistance_ratio": 1e9, "fault_rate_per_cycle": 0},
        workload={"cycle": [{"activity": "walk", "duration": "10 min"}]},
    )
    result = simulate(scenario_from_dict(data, "worn.yaml"))
    retired = [p for p in result.packs if p.get("retire_time_h") is not None]
    assert retired, "a dead pack must be retired"
    assert min(p["health"] for p in result.packs) >= HEALTH_FLOOR


# -- estimate on huge durations ------------------------------------------------------------------------
@pytest.mark.parametrize("assignment", [
    "workload.cycle[0].duration=1e300 h",
    "workload.cycle[0].duration={dist: lognormal, mean: 1e200 h, sd: 1e202 h}",
    "workload.cycle[2].duration={dist: exponential, mean: 1e160 h}",
    "workload.cycle[0].duration={dist: uniform, low: 0 s, high: 1e300 h}",
    "stations[0].swap_duration=1e200 h",
    "stations[0].swap_duration=1e-300 s",
    "policy.go=after_activity",
])
def test_estimate_answers_huge_and_tiny_durations(assignment):
    est = estimate(load_scenario(FACTORY, [assignment]))
    strict_parse(format_estimate_json(est))


# -- sweeps and sizing: overlapping factors, unbounded grids, scheduler addresses --------------------
def test_overlapping_vary_paths_are_refused():
    from swapsim.experiments.sweep import resolve_sweep

    sc = load_scenario(FACTORY)
    with pytest.raises(ScenarioError, match=r"stations\[\*\]\.bays and stations\[0\]\.bays both set stations\[0\]\.bays"):
        resolve_sweep(sc, {"stations[*].bays": [14, 15], "stations[0].bays": [16, 17]}, base="factory")
    with pytest.raises(ScenarioError, match=r"both set stations\[1\]"):
        resolve_sweep(sc, {"stations[1]": [{"name": "x"}], "stations.1.bays": [16]}, base="factory")


def test_disjoint_vary_paths_still_sweep():
    from swapsim.experiments.sweep import resolve_sweep

    sweep = resolve_sweep(load_scenario(FACTORY), {"stations[0].bays": [14, 15], "stations[1].bays": [16]},
                          base="factory", replications=1)
    assert len(sweep.points) == 2


@pytest.mark.parametrize("text", ["fleet.robots=1..99999999999", "fleet.robots=1..1" + "0" * 5000])
def test_an_unbounded_search_range_is_refused_before_allocating(text):
    from swapsim.experiments.sizing.space import parse_search

    with pytest.raises(ScenarioError) as info:
        parse_search(text)
    assert len(str(info.value)) < 300 and "--search" in str(info.value)


def test_a_search_grid_past_the_limit_is_refused():
    from swapsim.experiments.sizing.space import MAX_CONFIGS, check_grid, parse_search

    dims = [parse_search("fleet.robots=1..1000"), parse_search("stations[*].positions=1..100")]
    with pytest.raises(ScenarioError, match=f"more than the {MAX_CONFIGS:,}"):
        check_grid(dims)


@pytest.mark.parametrize("address", ["tcp://[::1", "tcp://]:80", "tcp://\u2100:80", "tcp://a@b:80", "tcp://h:0",
                                     "tcp://h :80", "tcp://" + "a" * 5000 + ":80"])
def test_a_malformed_scheduler_address_is_a_message(address):
    from swapsim.experiments.executors import check_scheduler

    with pytest.raises(ScenarioError, match="not a scheduler address") as info:
        check_scheduler(address)
    assert len(str(info.value)) < 200


def test_good_scheduler_addresses_pass():
    from swapsim.experiments.executors import check_scheduler

    assert check_scheduler("localhost:8786") == "tcp://localhost:8786"
    assert check_scheduler("tcp://[::1]:8786") == "tcp://[::1]:8786"
    assert check_scheduler("tls://10.0.0.1:8786/") == "tls://10.0.0.1:8786"


# -- JSON that strict parsers read ---------------------------------------------------------------------
def test_json_files_never_hold_nan_or_infinity(tmp_path):
    import numpy as np

    from swapsim.results import nan_for_null, strict_json, write_json

    data = {"kpis": {"wait": float("nan"), "p95": np.float64("inf"), "n": 3}, "rows": [1.0, float("-inf")]}
    write_json(tmp_path / "x.json", data)
    back = strict_parse((tmp_path / "x.json").read_text())
    assert back["kpis"] == {"wait": None, "p95": None, "n": 3} and back["rows"] == [1.0, None]
    assert set(back["null_notes"]) == {"kpis.wait", "kpis.p95", "rows[1]"}
    assert "NaN" in back["null_notes"]["kpis.wait"] and "unbounded" in back["null_notes"]["kpis.p95"]
    assert math.isnan(nan_for_null(back["kpis"])["wait"])
    assert json.loads(strict_json({"a": 1.5})) == {"a": 1.5}  # no note when nothing was nulled


def test_a_scenario_path_under_a_regular_file_says_so(tmp_path):
    (tmp_path / "plain.yaml").write_text("name: x\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"plain.yaml is a file, not a directory"):
        read_yaml(tmp_path / "plain.yaml" / "s.yaml")
