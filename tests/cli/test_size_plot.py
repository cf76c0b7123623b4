"""`swapsim plot` redraws a size directory's figure from size.json and size.csv (as `report` reads it)."""

from __future__ import annotations

import yaml
from click.testing import CliRunner

from swapsim.analysis.validation.scenarios import mmcn_scenario
from swapsim.cli import cli
from swapsim.scenario import scenario_to_dict


def test_plot_redraws_a_size_folder(tmp_path):
    sc = mmcn_scenario(12, 1, 2.0, 0.25, work="exponential", horizon_h=100.0, warmup_h=10.0)
    path = tmp_path / "mmcn.yaml"
    path.write_text(yaml.safe_dump(scenario_to_dict(sc), sort_keys=False))
    out = tmp_path / "size"
    r = CliRunner().invoke(cli, ["size", str(path), "--search", "stations[*].positions=1..4", "--target",
                                 "swaps.wait_min.mean<=2.5", "--min-replications", "3", "--max-replications", "3",
                                 "-j", "1", "-q", "--no-figures", "--out", str(out)])
    assert r.exit_code in (0, 1), r.output
    assert not (out / "size.png").exists()
    p = CliRunner().invoke(cli, ["plot", str(out)])
    assert p.exit_code == 0, p.output
    assert f"wrote {out / 'size.png'}" in p.output
    assert (out / "size.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    s = CliRunner().invoke(cli, ["plot", str(out), "--format", "svg"])
    assert s.exit_code == 0 and (out / "size.svg").read_text().lstrip().startswith("<?xml")
    (out / "size.csv").write_text("not,a\nsize,table\n")
    bad = CliRunner().invoke(cli, ["plot", str(out)])
    assert bad.exit_code != 0 and "Traceback" not in bad.output
