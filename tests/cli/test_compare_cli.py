"""``swapsim compare``: exit codes, messages, and the compare directory format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from swapsim.cli import cli
from swapsim.metrics import ON_DUTY_STATES
from swapsim.results import read_csv

TINY = {
    "name": "tiny",
    "horizon": "1 d",
    "warmup": "2 h",
    "seed": 3,
    "fleet": {"robots": 4},
    "workload": {
        "tasks": {
            "arrivals": {"profile": [{"start": "0 h", "rate_per_h": 6}, {"start": "8 h", "rate_per_h": 12}]},
            "steps": [
                {"activity": "walk", "duration": {"dist": "uniform", "low": "5 min", "high": "15 min"}},
                {"activity": "stand", "duration": "10 min"},
            ],
        }
    },
    "shifts": {"calendar": [{"start": "0 h", "robots": 2}, {"start": "6 h", "robots": 4}]},
    "faults": {"estop": {"rate_per_day": 1}, "failed_swap": {"probability": 0.05}},
    "stations": [{"name": "A", "distance": "20 m", "bays": 6, "charged_packs": 4}],
}


@pytest.fixture()
def tiny(tmp_path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY))
    return path


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_compare_writes_the_compare_directory(tiny, tmp_path):
    out = tmp_path / "cmp"
    res = invoke("compare", tiny, "--out", out, "--no-figures")
    assert res.exit_code == 0, res.output
    assert "hot_swap" in res.output and "plug_in" in res.output and f"results written to {out}/" in res.output
    table = read_csv(out / "compare.csv")
    assert table["strategy"] == ["hot_swap", "cold_swap", "plug_in"]
    head = ["strategy", "utilisation", *ON_DUTY_STATES, "tasks_done", "swaps_per_robot_per_day", "wait_min_mean"]
    assert list(table)[: len(head)] == head
    for i in range(3):
        assert sum(table[s][i] for s in ON_DUTY_STATES) == pytest.approx(1.0)
        assert table["utilisation"][i] == pytest.approx(table["working"][i])
    assert table["swaps_per_robot_per_day"][2] == 0.0 and table["charges_per_robot_per_day"][2] > 0
    meta = json.loads((out / "compare.json").read_text())
    assert (
        meta["scenario"] == "tiny" and meta["seed"] == 3 and meta["strategies"] == ["hot_swap", "cold_swap", "plug_in"]
    )
    for kind in meta["strategies"]:
        summary = json.loads((out / kind / "summary.json").read_text())
        assert summary["manifest"]["strategy"] == kind
        assert (out / kind / "scenario.resolved.yaml").exists()
    # common random numbers: the same tasks arrive under every strategy
    arrived = {json.loads((out / k / "summary.json").read_text())["tasks"]["arrived"] for k in meta["strategies"]}
    assert len(arrived) == 1


@pytest.mark.slow
def test_compare_draws_the_grouped_bar_chart(tiny, tmp_path):
    out = tmp_path / "cmp"
    res = invoke(
        "compare", tiny, "--out", out, "--strategies", "hot_swap,plug_in", "--set", "horizon=12 h", "--seed", "5", "-q"
    )
    assert res.exit_code == 0, res.output
    assert (out / "compare.png").stat().st_size > 10_000
    assert (out / "hot_swap" / "fleet_state.png").exists()
    assert read_csv(out / "compare.csv")["strategy"] == ["hot_swap", "plug_in"]
    assert json.loads((out / "compare.json").read_text())["seed"] == 5


@pytest.mark.parametrize(
    "strategies,message",
    [
        (
            "hot_swap,battery_swap",
            "error: --strategies: unknown strategy 'battery_swap' (expected a comma-separated "
            "list of hot_swap, cold_swap, plug_in)",
        ),
        ("hot_swap,hot_swap", "error: --strategies: hot_swap given more than once"),
        (" , ", "error: --strategies: give at least one of hot_swap, cold_swap, plug_in"),
    ],
)
def test_bad_strategies_exit_2_with_a_clear_message(tiny, tmp_path, strategies, message):
    out = tmp_path / "cmp"
    res = invoke("compare", tiny, "--out", out, "--strategies", strategies)
    assert res.exit_code == 2
    assert message in res.output
    assert "Traceback" not in res.output
    assert not out.exists()


def test_compare_reports_scenario_errors_with_exit_2(tiny, tmp_path):
    res = invoke("compare", tiny, "--out", tmp_path / "c", "--set", "shifts.calendar[1].robots=9")
    assert res.exit_code == 2
    assert "shifts.calendar[1].robots: must be <= fleet.robots (4) (got 9)" in res.output
    res = invoke("compare", tmp_path / "missing.yaml", "--out", tmp_path / "c")
    assert res.exit_code == 2 and "file not found" in res.output


def test_run_headline_shows_tasks_shifts_and_faults(tiny, tmp_path):
    res = invoke("run", tiny, "--out", tmp_path / "r", "--no-figures")
    assert res.exit_code == 0, res.output
    for text in ("tasks done", "task wait, mean / p95 / max (min)", "off duty", "faults: e-stops"):
        assert text in res.output
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert set(summary["faults"]) >= {"estops", "station_outages", "failed_swaps", "breakdowns", "down_h"}
    assert set(summary["tasks"]) >= {"done", "wait_min", "waiting_at_horizon"}
    assert "off_duty_fraction" in summary["fleet"]
