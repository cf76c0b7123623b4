"""`swapsim plot` and `swapsim report`: exit codes and messages, on good and wrong directories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from swapsim.cli import cli

DATA = Path(__file__).resolve().parents[1] / "data"


def copy_fixture(name: str, tmp_path: Path) -> Path:
    dst = tmp_path / name
    shutil.copytree(DATA / name, dst)
    return dst


def invoke(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.mark.parametrize("command", ["plot", "report"])
def test_missing_directory_exits_2_with_one_message(tmp_path: Path, command: str) -> None:
    result = invoke(command, tmp_path / "no-such-run")
    assert result.exit_code == 2
    assert "no such directory" in result.stderr and "no-such-run" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["plot", "report"])
def test_wrong_directory_exits_2_and_says_what_it_expected(tmp_path: Path, command: str) -> None:
    (tmp_path / "notes.txt").write_text("not results")
    result = invoke(command, tmp_path)
    assert result.exit_code == 2
    assert "not a swapsim results directory" in result.stderr
    assert "summary.json" in result.stderr and "points.csv" in result.stderr and "compare.csv" in result.stderr
    result = invoke(command, tmp_path / "notes.txt")
    assert result.exit_code == 2 and "is a file" in result.stderr
    assert not (tmp_path / "report.html").exists()


def test_incomplete_run_exits_2_naming_the_file(tmp_path: Path) -> None:
    run = copy_fixture("run_small", tmp_path)
    (run / "robots.csv").unlink()
    result = invoke("plot", run)
    assert result.exit_code == 2 and "robots.csv" in result.stderr


def test_bad_format_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("plot", DATA / "run_small", "--format", "bmp")
    assert result.exit_code == 2 and "bmp" in result.output


def test_plot_and_report_a_run(tmp_path: Path) -> None:
    run = copy_fixture("run_small", tmp_path)
    result = invoke("plot", run, "--format", "svg")
    assert result.exit_code == 0, result.output
    svgs = sorted(p.name for p in run.glob("*.svg"))
    assert svgs == ["fleet_state.svg", "pack_health.svg", "robot_breakdown.svg", "stations.svg", "swap_waits.svg"]
    assert all(name in result.output for name in svgs)
    for name in svgs:
        head = (run / name).read_bytes()[:600]
        assert head.startswith(b"<?xml") and b'width="648pt"' in head  # 9 in wide, like the PNGs
    result = invoke("report", run)
    assert result.exit_code == 0, result.output
    assert "report written to" in result.output and (run / "report.html").is_file()
    assert not list(run.glob("*.png")), "SVG figures were there: the report embeds them, draws nothing"


@pytest.mark.parametrize("name, fn", [("sweep_small", "plot_sweep"), ("compare_small", "plot_compare")])
def test_plot_sweep_or_compare(tmp_path: Path, name: str, fn: str) -> None:
    d = copy_fixture(name, tmp_path)
    result = invoke("plot", d)
    assert result.exit_code == 0, result.output
    assert list(d.glob("*.png"))


@pytest.mark.parametrize("name", ["sweep_small", "compare_small"])
def test_report_a_sweep_or_comparison(tmp_path: Path, name: str) -> None:
    d = copy_fixture(name, tmp_path)
    result = invoke("report", d)
    assert result.exit_code == 0, result.output
    assert (d / "report.html").is_file()
