"""CLI: `swapsim estimate SCENARIO [--json] [--set ...]`: output, exit codes, messages."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from swapsim.cli import cli

ROOT = Path(__file__).resolve().parents[2]
FACTORY = str(ROOT / "scenarios" / "factory.yaml")


def test_estimate_prints_a_table() -> None:
    res = CliRunner().invoke(cli, ["estimate", FACTORY])
    assert res.exit_code == 0, res.output
    for text in (
        "factory: analytic estimate",
        "swaps per robot per day",
        "grid energy (kWh per day)",
        "station hall-A",
        "approximations:",
    ):
        assert text in res.output


def test_estimate_json_is_valid_and_keyed_like_a_summary() -> None:
    res = CliRunner().invoke(cli, ["estimate", FACTORY, "--json", "--set", "fleet.robots=20"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["fleet"]["robots"] == 20
    assert {"utilisation", "state_fraction"} <= set(data["fleet"])
    assert {"count", "per_robot_per_day", "wait_min", "stockouts"} <= set(data["swaps"])
    assert [s["name"] for s in data["stations"]] == ["hall-A", "hall-B"]
    assert data["energy"]["grid_kwh"] > 0


def test_estimate_json_writes_infinite_waits_as_null(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        cli,
        [
            "estimate",
            FACTORY,
            "--json",
            "--set",
            "stations[0].charged_packs=0",
            "--set",
            "stations[1].charged_packs=0",
            "--set",
            "policy.station_choice=nearest",
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["swaps"]["wait_min"]["mean"] is None


def test_estimate_user_errors_exit_2_without_traceback(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["estimate", FACTORY, "--set", "fleet.robots=0"])
    assert res.exit_code == 2
    assert "fleet.robots: must be >= 1 (got 0)" in res.output
    assert "Traceback" not in res.output
    res = runner.invoke(cli, ["estimate", str(tmp_path / "missing.yaml")])
    assert res.exit_code == 2 and "file not found" in res.output
