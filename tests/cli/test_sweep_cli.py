"""`swapsim sweep` and `swapsim warmup` on the command line: exit codes, messages, files, and a
real Ctrl-C (SIGINT) followed by --resume."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from swapsim import experiments as ex
from swapsim.cli import cli

ROOT = Path(__file__).resolve().parents[2]
FACTORY = str(ROOT / "scenarios" / "factory.yaml")
SHORT = ["--set", "horizon=12 h", "--set", "warmup=2 h"]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as fh:
        data = list(csv.reader(fh))
    keep = [i for i, h in enumerate(data[0]) if h != "wall_time_s"]
    return [[r[i] for i in keep] for r in data]


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "args, message",
    [
        (["--vary", "fleet.robot=4,8"], "with fleet.robot=4: fleet.robot: unknown field"),
        (["--vary", "fleet.robots="], "--vary fleet.robots=: needs at least one value"),
        (["--vary", "fleet.robots=a,8"], "with fleet.robots=a: fleet.robots: must be a whole number (got 'a')"),
        (["--vary", "fleet.robots=4", "--vary", "fleet.robots=8"], "--vary fleet.robots: given twice"),
        (["--vary", "stations[*].bays=5,20"], "charged_packs: must be < bays"),
        (["--vary", "fleet.robots=4,8", "--vary", "stations[0].bays=14", "--design", "zip"], "equal length"),
        (["--target-ci", "fleet.utilisation=lots"], "--target-ci fleet.utilisation=lots: the half-width must be"),
        (["--target-ci", "fleet.utilisaton=0.02"], "target_ci fleet.utilisaton: not a KPI"),
        (["--kpi", "swaps.stockout"], "--kpi swaps.stockout: not a KPI of this scenario; did you mean swaps.stockouts"),
    ],
)
def test_bad_command_line_specs_exit_2_before_any_run(tmp_path, args, message):
    out = tmp_path / "out"
    result = invoke("sweep", FACTORY, *SHORT, "--out", str(out), *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "base: ../scenarios/factory.yaml\nfactors: {fleet.robots: [4]}\nreplicatons: 3\n",
            "replicatons: unknown field",
        ),
        (
            "base: ../scenarios/factory.yaml\nfactors: {fleet.robots: []}\n",
            "factors.fleet.robots: must have at least 1 item(s) (got [])",
        ),
        (
            "base: ../scenarios/factory.yaml\nfactors: {fleet.robots: 20}\n",
            "factors.fleet.robots: must be a list (got 20)",
        ),
        (
            "base: ../scenarios/factory.yaml\nfactors: {fleet.robots: [4]}\nreplications: ten\n",
            "replications: must be a whole number (got 'ten')",
        ),
        (
            "base: ../scenarios/factory.yaml\nfactors: {fleet.robots: [4]}\ndesign: random\n",
            "design: must be one of 'factorial' or 'zip'",
        ),
        ("base: ../scenarios/nowhere.yaml\nfactors: {fleet.robots: [4]}\n", "nowhere.yaml: file not found"),
    ],
)
def test_bad_sweep_files_exit_2_with_the_field_named(tmp_path, body, message):
    spec = write(tmp_path / "bad.yaml", body.replace("../scenarios", str(ROOT / "scenarios")))
    result = invoke("sweep", str(spec), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert not (tmp_path / "out").exists()


def test_sweep_writes_tables_and_figures_and_reports_the_points(tmp_path):
    out = tmp_path / "s"
    result = invoke(
        "sweep",
        FACTORY,
        *SHORT,
        "--vary",
        "fleet.robots=4,8",
        "--vary",
        "stations[*].positions=1,2",
        "-r",
        "3",
        "-j",
        "1",
        "--seed",
        "3",
        "--out",
        str(out),
        "--kpi",
        "swaps.stockouts",
    )
    assert result.exit_code == 0, result.output
    assert "4 point(s) x 3 replication(s)" in result.stdout
    assert "12 runs (12 new, 0 already on disk)" in result.stdout
    assert "utilisation %" in result.stdout
    for name in (
        "sweep.json",
        "runs.csv",
        "points.csv",
        "sweep_fleet.utilisation.png",
        "sweep_swaps.wait_min.mean.png",
        "sweep_swaps.stockouts.png",
        "heatmap_fleet.utilisation.png",
    ):
        assert (out / name).exists(), name
    # The same command again refuses to overwrite, and says how to continue.
    again = invoke(
        "sweep",
        FACTORY,
        *SHORT,
        "--vary",
        "fleet.robots=4,8",
        "--vary",
        "stations[*].positions=1,2",
        "-r",
        "3",
        "-j",
        "1",
        "--seed",
        "3",
        "--out",
        str(out),
    )
    assert again.exit_code == 2 and "add --resume" in again.stderr
    # Resuming a finished sweep by its directory runs nothing and rebuilds the same tables.
    before = rows(out / "runs.csv")
    done = invoke("sweep", str(out), "--resume", "-j", "1", "--no-figures")
    assert done.exit_code == 0, done.output
    assert "12 runs (0 new, 12 already on disk)" in done.stdout
    assert rows(out / "runs.csv") == before


def test_a_failed_run_exits_1_after_the_others(tmp_path, monkeypatch):
    import swapsim.engine

    real = swapsim.engine.simulate

    def flaky(scenario, seed=None, **kw):
        if scenario.fleet.robots == 8 and seed == ex.replication_seed(3, 0):
            raise RuntimeError("pack went missing")
        return real(scenario, seed, **kw)

    monkeypatch.setattr(swapsim.engine, "simulate", flaky)
    out = tmp_path / "s"
    result = invoke(
        "sweep",
        FACTORY,
        *SHORT,
        "--vary",
        "fleet.robots=4,8",
        "-r",
        "2",
        "-j",
        "1",
        "--seed",
        "3",
        "--out",
        str(out),
        "--no-figures",
    )
    assert result.exit_code == 1, result.output
    assert "run failed: point 1 (fleet.robots=8), replication 0" in result.stderr
    assert "RuntimeError: pack went missing" in result.stderr
    assert "1 run(s) did not finish" in result.stderr and "failures.csv" in result.stderr
    assert len(rows(out / "runs.csv")) == 1 + 3


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_resume_gives_the_uninterrupted_tables(tmp_path):
    args = [
        FACTORY,
        "--set",
        "horizon=2 d",
        "--set",
        "warmup=6 h",
        "--vary",
        "fleet.robots=6,10",
        "--vary",
        "stations[*].positions=1,2",
        "-r",
        "6",
        "--seed",
        "9",
        "--no-figures",
    ]
    ref = tmp_path / "ref"
    assert invoke("sweep", *args, "-j", "1", "--out", str(ref)).exit_code == 0
    out = tmp_path / "cut"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    # The sweep gets Ctrl-C's default disposition, as in a terminal. A test run started in the background
    # (`make test &`, a CI runner) inherits SIGINT ignored, and Python keeps an ignored SIGINT ignored:
    # the sweep would then run to the end and exit 0.
    proc = subprocess.Popen(
        [sys.executable, "-m", "swapsim", "sweep", *args, "-j", "2", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((out / "runs").glob("*.json"))) < 3 and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert f"resume with: swapsim sweep {out} --resume" in err
    kept = len(list((out / "runs").glob("*.json")))
    assert 3 <= kept < 24 and not (out / "runs.csv").exists()
    resumed = invoke("sweep", str(out), "--resume", "-j", "1")
    assert resumed.exit_code == 0, resumed.output
    assert f"24 runs ({24 - kept} new, {kept} already on disk)" in resumed.stdout
    assert rows(out / "runs.csv") == rows(ref / "runs.csv")
    assert rows(out / "points.csv") == rows(ref / "points.csv")


def test_warmup_command_suggests_a_length_and_draws_it(tmp_path):
    out = tmp_path / "w"
    result = invoke(
        "warmup",
        FACTORY,
        "--set",
        "horizon=2 d",
        "--set",
        "fleet.robots=8",
        "-r",
        "2",
        "-j",
        "1",
        "--bin",
        "15 min",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    assert "MSER-5 on utilisation: truncate" in result.stdout
    assert "suggested warm-up:" in result.stdout
    assert (out / "warmup.png").exists() and (out / "warmup.json").exists()
    bad = invoke("warmup", FACTORY, "--bin", "2 parsecs", "--out", str(tmp_path / "x"))
    assert bad.exit_code == 2 and "--bin 2 parsecs" in bad.stderr
