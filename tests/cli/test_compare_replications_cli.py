"""``swapsim compare --replications``: paired differences, significance, plug-in's own column."""

from __future__ import annotations

import json

import yaml
from click.testing import CliRunner

from swapsim.cli import cli
from tests.builders import scenario_dict


def test_compare_with_replications_reports_paired_differences(tmp_path):
    data = scenario_dict(
        horizon="12 h",
        fleet={"robots": 3, "initial_soc": "staggered"},
        power={"activities": {"walk": "600 W", "idle": "50 W"}},
    )
    data["stations"][0].update(bays=6, charged_packs=4)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "cmp"
    r = CliRunner().invoke(cli, ["compare", str(path), "--out", str(out), "-r", "4", "-j", "1", "--no-figures"])
    assert r.exit_code == 0, r.output
    assert "paired differences" in r.output and "charges/robot/d" in r.output
    doc = json.loads((out / "compare_paired.json").read_text())
    assert doc["replications"] == 4
    diffs = [row for row in doc["rows"] if row["kind"] == "difference"]
    assert {row["strategy"] for row in diffs} == {"cold_swap", "plug_in"}
    assert all(isinstance(row["significant"], bool) for row in diffs)
    assert (out / "compare.csv").exists()  # the single-seed comparison is still written


def test_one_replication_keeps_the_old_output(tmp_path):
    data = scenario_dict(horizon="6 h")
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    out = tmp_path / "cmp"
    r = CliRunner().invoke(cli, ["compare", str(path), "--out", str(out), "-r", "1", "--no-figures"])
    assert r.exit_code == 0, r.output
    assert not (out / "compare_paired.json").exists() and "paired" not in r.output
