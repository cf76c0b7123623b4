"""`swapsim run` writes the battery-health tables and figures; bad health settings exit with status 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from swapsim.cli import cli
from swapsim.results import read_csv

SCENARIO = {
    "name": "tiny-health",
    "horizon": "35 d",
    "seed": 5,
    "fleet": {"robots": 3},
    "workload": {"cycle": [{"activity": "stand", "duration": "30 min"}, {"activity": "walk", "duration": "5 min"}]},
    "stations": [{"name": "S", "distance": "20 m", "bays": 8, "charged_packs": 5}],
    "output": {"bin_width": "1 h"},
    "battery": {"wear_scale": 6},
    "technicians": {"shifts": [{"start": "06:00", "end": "22:00"}], "spare_packs": 2, "reorder_lead_time": "5 d"},
}


@pytest.mark.slow
def test_run_writes_health_tables_and_figures(tmp_path: Path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    out = tmp_path / "run"
    res = CliRunner().invoke(cli, ["run", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "packs retired" in res.output
    for name in ("alerts.csv", "health.csv", "monthly.csv", "pack_health.png", "monthly.png"):
        assert (out / name).exists(), name
    summary = json.loads((out / "summary.json").read_text())
    assert summary["packs"]["retired"] > 0 and summary["technicians"]["jobs"] > 0
    alerts = read_csv(out / "alerts.csv")
    assert list(alerts) == ["time_h", "pack", "station", "kind", "estimated_health", "true_health"]
    assert len(alerts["kind"]) == summary["alerts"]["rows_kept"]
    packs = read_csv(out / "packs.csv")
    assert "retire_time_h" in packs and sum(v is not None for v in packs["retire_time_h"]) > 0
    monthly = read_csv(out / "monthly.csv")
    assert monthly["month"] == [1, 2]
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["technicians"]["shifts"] == [{"start": "06:00", "end": "22:00"}]


def test_short_run_writes_no_monthly_table(tmp_path: Path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump({**SCENARIO, "horizon": "2 d"}), encoding="utf-8")
    out = tmp_path / "run"
    res = CliRunner().invoke(cli, ["run", str(path), "--out", str(out), "--no-figures"])
    assert res.exit_code == 0, res.output
    assert (out / "health.csv").exists() and (out / "alerts.csv").exists()
    assert not (out / "monthly.csv").exists()


def test_bad_health_settings_are_user_errors(tmp_path: Path):
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(SCENARIO), encoding="utf-8")
    runner = CliRunner()
    for override, message in [
        ("health.retire_below=0.9", "retire_below (0.9) must be <= warn_below (0.85)"),
        ("battery.chemistry=lead_acid", "battery.chemistry: must be one of"),
        ("technicians.shifts=[{start: 22:00, end: '06:00'}]", "write a time of day in quotes"),
        ("battery.temperature_c.in_bay=95", "battery.temperature_c.in_bay: must be <= 80"),
    ]:
        res = runner.invoke(cli, ["validate", str(path), "--set", override])
        assert res.exit_code == 2, (override, res.output)
        assert message in res.output, (override, res.output)
        assert "Traceback" not in res.output
