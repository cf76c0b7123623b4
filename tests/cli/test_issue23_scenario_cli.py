"""Issue 23 from the command line, the scenario side: names are text in figures, validate makes every
check run makes, --seed within the schema's bound, reserved station names, NUL in an argument, one
line for a bad flag. Each test failed on the code before the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from swapsim import resources
from swapsim.cli import cli
from swapsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
FACTORY = SCENARIOS / "factory.yaml"


def invoke(*args: object, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def one_line(result: Result, code: int, *fragments: str) -> str:
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture(autouse=True)
def _no_memory_limit_leak(monkeypatch):
    monkeypatch.setenv(resources.MEMORY_ENV, str(resources.DEFAULT_MAX_MEMORY))
    monkeypatch.delenv(resources.MEMORY_ENV)


def test_names_with_dollars_are_drawn_as_text(tmp_path):
    out = tmp_path / "o"
    result = invoke("run", FACTORY, "--set", "name=a$x^{$b", "--set", r"stations[0].name=h$\frac{",
                    "--set", "horizon=1 d", "--set", "warmup=0 h", "--out", out, "-q")
    assert result.exit_code == 0, result.output
    assert (out / "stations.png").exists() and (out / "fleet_state.png").exists()
    assert invoke("plot", out).exit_code == 0


@pytest.mark.parametrize("seed", [2**63, 2**64 + 5])
@pytest.mark.parametrize("command", ["run", "compare", "sweep", "size", "warmup"])
def test_seed_past_the_schema_bound_is_refused_in_one_line(command, seed):
    one_line(invoke(command, FACTORY, "--seed", seed), 2, "--seed", f"{command}: Invalid value", "--help)")


def test_the_largest_seed_gives_a_resolved_scenario_that_validates(tmp_path):
    out = tmp_path / "o"
    result = invoke("run", FACTORY, "--seed", 2**63 - 1, "--set", "horizon=6 h", "--set", "warmup=0 h",
                    "--out", out, "--no-figures", "-q")
    assert result.exit_code == 0, result.output
    assert yaml.safe_load((out / "scenario.resolved.yaml").read_text())["seed"] == 2**63 - 1
    assert invoke("validate", out / "scenario.resolved.yaml").exit_code == 0


def test_validate_makes_the_memory_check_run_makes(tmp_path):
    args = ["--set", "fleet.robots=1", "--set", "horizon=21 d", "--set", "output.bin_width=1 s"]
    one_line(invoke("validate", FACTORY, *args), 2, "factory.yaml", "memory", "--max-memory")
    one_line(invoke("run", FACTORY, *args, "--out", tmp_path / "o"), 2, "factory.yaml", "figures drawn")
    assert not (tmp_path / "o").exists()
    assert invoke("validate", FACTORY, *args, "--max-memory", "8GB").exit_code == 0


def test_the_estimate_covers_drawing_the_figures():
    """Measured: 172,800 one-second bins of the factory need 630 MB to draw (issue 23)."""
    sc = load_scenario(FACTORY, ["fleet.robots=1", "horizon=2 d", "output.bin_width=1 s"])
    assert resources.estimate_memory_bytes(sc, figures=True) >= 630e6
    assert resources.estimate_memory_bytes(sc) < resources.estimate_memory_bytes(sc, figures=True)


@pytest.mark.parametrize("value", ["lots", "-1", "0"])
def test_a_bad_memory_variable_is_named_not_ignored(value):
    one_line(invoke("validate", FACTORY, env={resources.MEMORY_ENV: value}), 2, resources.MEMORY_ENV)


def test_the_memory_variable_takes_the_option_s_sizes():
    args = ["--set", "output.bin_width=1 min"]
    refused = one_line(invoke("validate", FACTORY, *args, env={resources.MEMORY_ENV: "100MB"}), 2, "100 MB limit")
    assert refused == one_line(invoke("validate", FACTORY, *args, "--max-memory", "100MB"), 2)


@pytest.mark.parametrize("name", ["robots", "time", "rostered", "Robots"])
def test_a_station_may_not_take_a_name_of_swapsim_s_own_series(name):
    one_line(invoke("validate", FACTORY, "--set", f"stations[0].name={name}"), 2, "stations[0].name", "robots_down")


@pytest.mark.parametrize("args", [
    ["validate", "scenarios/factory.yaml\0x"],
    ["run", FACTORY, "--out", "o\0ut"],
    ["sweep", "sweep\0.yaml"],
])
def test_a_nul_in_an_argument_is_one_line(args):
    one_line(invoke(*args), 2, "NUL")


def test_a_bad_flag_is_one_line():
    one_line(invoke("run", FACTORY, "--bogus"), 2, "run: No such option", "--bogus")
