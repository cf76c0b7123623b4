"""`swapsim plot` and `swapsim report` on damaged results folders: every file of a valid run, sweep and
comparison deleted, emptied, truncated, garbled, or replaced by a symbolic link gives exit 1 or 2, one
message naming the damaged file (or the folder), and no traceback."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from swapsim.cli import cli

DATA = Path(__file__).resolve().parents[1] / "data"
RUN_FILES = sorted(p.name for p in (DATA / "run_small").iterdir())
DAMAGE = ["delete", "empty", "truncate", "garble", "header-only-gone", "binary"]


def damage(path: Path, how: str) -> None:
    """Damage one file in place."""
    data = path.read_bytes()
    if how == "delete":
        path.unlink()
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "truncate":
        path.write_bytes(data[: max(1, len(data) // 2 - 7)])
    elif how == "garble":
        mid = len(data) // 3
        path.write_bytes(data[:mid] + b'x,}"{zz;\n,,,' + data[mid + 12 :])
    elif how == "header-only-gone":
        path.write_bytes(b"\n".join(data.split(b"\n")[1:]))
    elif how == "binary":
        path.write_bytes(b"\xff\xfe\x00\x81" * 64)


def check(result, results_dir: Path, name: str | None = None) -> None:
    """Exit 0 (the file was not needed, e.g. an empty alerts table), or 1/2 with one message naming the
    file or the folder; never a traceback."""
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        return
    assert result.exit_code in (1, 2), (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert str(results_dir) in message, message
    if name is not None and result.exit_code == 2 and "do not fit together" not in message:
        assert name in message or "not a swapsim results directory" in message, message


@pytest.mark.slow
@pytest.mark.parametrize("how", DAMAGE)
@pytest.mark.parametrize("name", RUN_FILES)
def test_damaged_run_folder(tmp_path: Path, name: str, how: str) -> None:
    run = tmp_path / "run"
    shutil.copytree(DATA / "run_small", run)
    damage(run / name, how)
    for command in ("plot", "report"):
        result = CliRunner().invoke(cli, [command, str(run)])
        check(result, run, name)


@pytest.mark.parametrize("how", ["delete", "empty", "truncate", "garble", "binary"])
@pytest.mark.parametrize(
    "kind, name",
    [
        ("sweep_small", "sweep.json"),
        ("sweep_small", "points.csv"),
        ("compare_small", "compare.json"),
        ("compare_small", "compare.csv"),
        ("compare_small", "hot_swap/summary.json"),
        ("compare_small", "hot_swap/timeseries.csv"),
    ],
)
def test_damaged_sweep_and_compare_folders(tmp_path: Path, kind: str, name: str, how: str) -> None:
    d = tmp_path / kind
    shutil.copytree(DATA / kind, d)
    damage(d / name, how)
    result = CliRunner().invoke(cli, ["report", str(d)])
    check(result, d, Path(name).name)


def test_a_damaged_summary_is_named(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(DATA / "run_small", run)
    damage(run / "summary.json", "truncate")
    result = CliRunner().invoke(cli, ["report", str(run)])
    assert result.exit_code == 2
    assert f"{run / 'summary.json'}: damaged" in result.stderr


def test_csv_with_a_missing_column_is_named(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(DATA / "run_small", run)
    lines = (run / "timeseries.csv").read_text().splitlines()
    (run / "timeseries.csv").write_text("\n".join(",".join(line.split(",")[1:]) for line in lines) + "\n")
    result = CliRunner().invoke(cli, ["plot", str(run)])
    assert result.exit_code == 2
    assert "timeseries.csv: damaged: no column time_h" in result.stderr


def test_a_symlinked_resolved_scenario_is_not_embedded(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(DATA / "run_small", run)
    secret = tmp_path / "secret.txt"
    secret.write_text("do-not-embed-me")
    (run / "scenario.resolved.yaml").unlink()
    (run / "scenario.resolved.yaml").symlink_to(secret)
    result = CliRunner().invoke(cli, ["report", str(run)])
    assert result.exit_code == 2
    assert "scenario.resolved.yaml: is a symbolic link" in result.stderr
    assert not (run / "report.html").exists()


def test_report_says_when_a_resumed_sweep_has_stale_tables(tmp_path: Path) -> None:
    import json

    d = tmp_path / "sweep"
    shutil.copytree(DATA / "sweep_small", d)
    assert CliRunner().invoke(cli, ["report", str(d)]).exit_code == 0
    assert "but the tables hold" not in (d / "report.html").read_text(), "a complete sweep is not stale"
    meta = json.loads((d / "sweep.json").read_text())
    meta["replications"] = meta["replications"] + 5  # a resume asked for more, then was interrupted
    (d / "sweep.json").write_text(json.dumps(meta))
    result = CliRunner().invoke(cli, ["report", str(d)])
    assert result.exit_code == 0, result.output
    page = (d / "report.html").read_text()
    assert f"plans {meta['replications']} replication(s) per point but the tables hold" in page


@pytest.mark.parametrize(
    "text", ["", "[1, 2]", '{"factors": {}}', '{"base_scenario": 3, "seed": "x"}', "\xff\xfe garbage", "{" * 5000]
)
def test_resuming_a_damaged_sweep_directory_is_one_message(tmp_path: Path, text: str) -> None:
    d = tmp_path / "sweep"
    shutil.copytree(DATA / "sweep_small", d)
    (d / "sweep.json").write_bytes(
        text.encode("utf-8", "surrogateescape") if text[:1] != "\xff" else b"\xff\xfe garbage"
    )
    result = CliRunner().invoke(cli, ["sweep", str(d), "--resume", "-q", "--no-figures"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "sweep.json" in result.stderr and "Traceback" not in result.output


@pytest.mark.slow
def test_symlinked_figures_are_not_embedded(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(DATA / "run_small", run)
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n" + b"SECRET-BYTES" * 50)
    (run / "fleet_state.png").symlink_to(secret)
    result = CliRunner().invoke(cli, ["report", str(run)])
    # no manifest: the link is the user's, so it is neither embedded nor replaced by a redrawn figure
    assert result.exit_code == 2, result.output
    assert "fleet_state.png" in result.output and len(result.output.strip().splitlines()) == 1
    assert os.readlink(run / "fleet_state.png") == str(secret)
    assert not (run / "report.html").exists()
    assert secret.read_bytes() == b"\x89PNG\r\n\x1a\n" + b"SECRET-BYTES" * 50, "written through the link"
    (run / "fleet_state.png").unlink()
    (run / "stations.png").symlink_to(secret)
    (run / ".swapsim-owned.json").write_text('{"files": ["summary.json"], "kind": "run"}')
    result = CliRunner().invoke(cli, ["report", str(run)])
    assert result.exit_code == 2 and "stations.png" in result.output, result.output
    import base64

    assert base64.b64encode(secret.read_bytes())[:40].decode() not in result.output


def test_a_strategy_name_that_is_a_path_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "cmp"
    shutil.copytree(DATA / "compare_small", d)
    text = (d / "compare.csv").read_text().replace("\nhot_swap,", "\n../../outside,", 1)
    (d / "compare.csv").write_text(text)
    result = CliRunner().invoke(cli, ["report", str(d)])
    assert result.exit_code == 2 and "is not a plain name" in result.stderr, result.output


def test_deeply_nested_json_is_damage_not_a_crash(tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(DATA / "run_small", run)
    (run / "summary.json").write_text("[" * 100_000 + "]" * 100_000)
    for command in ("plot", "report"):
        result = CliRunner().invoke(cli, [command, str(run)])
        assert result.exit_code == 2 and "summary.json" in result.stderr, result.output
