"""Hostile scenario input from the command line (issue 14): exit status 2, one line naming the file and
the field (or line), no traceback; a scenario that validates runs; --max-memory raises the limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from swapsim import resources
from swapsim.cli import cli

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
WAREHOUSE = SCENARIOS / "warehouse.yaml"
FACTORY = SCENARIOS / "factory.yaml"


def invoke(*args: object) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture(autouse=True)
def _no_memory_limit_leak(monkeypatch):
    # --max-memory sets the variable in this process: record it as absent so that teardown removes it
    monkeypatch.setenv(resources.MEMORY_ENV, str(resources.DEFAULT_MAX_MEMORY))
    monkeypatch.delenv(resources.MEMORY_ENV)


@pytest.mark.parametrize(
    "assignment, fragments",
    [
        ("fleet.robots=true", ["warehouse.yaml", "fleet.robots: must be a whole number, not true/false"]),
        ("fleet.robots=10000000", ["warehouse.yaml", "fleet.robots: must be <= 10000"]),
        ("stations[0].bays=1000000000", ["stations[0].bays: must be <= 10000"]),
        ("horizon=1e9 d", ["horizon: must be <= 3650 d"]),
        ("output.bin_width=1e-300 s", ["output.bin_width: must be >= 1 s"]),
        ("workload.tasks.arrivals.scale=0", ["workload.tasks.arrivals.scale: must be > 0 (got 0)"]),
        (
            "workload.tasks.steps[0].duration={dist: empirical, values: [1 min, 2 min], weights: [.nan, 1]}",
            ["workload.tasks.steps[0].duration.weights[0]: must be a finite number"],
        ),
        ("seed=" + "9" * 5000, ["--set", "5000 digits", "at most 30 digits"]),
        (".".join(["a"] * 1200) + "=1", ["--set", "more than 32 segments"]),
        ("description=" + "[" * 3000 + "]" * 3000, ["--set", "nested more than 50 levels"]),
        ("faults.estop.rate_per_day=1e9", ["faults.estop.rate_per_day"]),
    ],
)
@pytest.mark.parametrize("command", ["validate", "run"])
def test_bad_values_exit_2_with_one_line(command, assignment, fragments, tmp_path):
    extra = ["--out", tmp_path / "o", "--no-figures"] if command == "run" else []
    assert_one_line_error(invoke(command, WAREHOUSE, "--set", assignment, *extra), *fragments)
    assert not (tmp_path / "o").exists()


def test_duplicate_key_exits_2_with_both_lines(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text(FACTORY.read_text(encoding="utf-8") + "\nhorizon: 2 d\n", encoding="utf-8")
    result = invoke("validate", path)
    assert_one_line_error(result, "dup.yaml:", "duplicate key 'horizon' (first at line 8, again at line")


def test_yes_is_not_a_robot_count(tmp_path):
    path = tmp_path / "yes.yaml"
    path.write_text(FACTORY.read_text(encoding="utf-8").replace("robots: 30 ", "robots: yes"), encoding="utf-8")
    assert_one_line_error(invoke("validate", path), "yes.yaml: fleet.robots: must be a whole number")


def test_alias_bomb_exits_2_quickly(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_one_line_error(invoke("run", path, "--out", tmp_path / "o"), "bomb.yaml:", "alias bomb")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_fifo_and_dev_zero_exit_2(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    assert_one_line_error(invoke("validate", fifo), "pipe.yaml: is not a regular file")
    if Path("/dev/zero").exists():
        assert_one_line_error(invoke("validate", "/dev/zero"), "/dev/zero: is not a regular file")


def test_memory_limit_refuses_then_max_memory_admits(tmp_path):
    args = ["--set", "horizon=5 d", "--set", "output.bin_width=1 s", "--no-figures", "-q"]
    result = invoke("run", FACTORY, "--out", tmp_path / "o", "--max-memory", "100MB", *args)
    assert_one_line_error(result, "factory", "more than the 100 MB limit", "--max-memory")
    assert not (tmp_path / "o").exists()


def test_max_memory_refuses_nonsense():
    result = invoke("run", FACTORY, "--max-memory", "lots")
    assert result.exit_code == 2 and "Traceback" not in result.output and "--max-memory" in result.output


def test_the_shift_release_scenario_runs(tmp_path):
    """Issue 14: validated, then crashed with AttributeError at a roster change during a stock-out."""
    result = invoke(
        "run",
        WAREHOUSE,
        "--set",
        "stations[0].distance=0 m",
        "--set",
        "horizon=2 d",
        "--out",
        tmp_path / "o",
        "--no-figures",
        "-q",
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "summary.json").exists()
