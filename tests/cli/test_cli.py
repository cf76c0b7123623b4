"""CLI tests: ``swapsim run`` writes a complete run directory; bad files and flags exit 2 with the field
named and no traceback; a failed run leaves nothing behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from builders import scenario_dict
from click.testing import CliRunner, Result

from swapsim.cli import cli
from swapsim.metrics import ROBOT_STATES
from swapsim.results import flatten, read_csv
from swapsim.scenario import load_scenario, scenario_from_dict

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def small_scenario() -> dict:
    """Three robots, two stations, six hours with one hour of warm-up: runs in well under a second."""
    return scenario_dict(
        name="small",
        horizon="6 h",
        warmup="1 h",
        seed=5,
        fleet={"robots": 3, "initial_soc": "staggered"},
        workload={
            "cycle": [
                {"activity": "walk", "duration": {"dist": "uniform", "low": "2 min", "high": "6 min"}},
                {"activity": "stand", "duration": {"dist": "exponential", "mean": "20 min"}},
            ]
        },
        stations=[
            {"name": "hall-A", "distance": "40 m", "positions": 1, "bays": 3, "charged_packs": 1},
            {"name": "hall-B", "distance": "90 m", "positions": 2, "bays": 4, "charged_packs": 2},
        ],
        pack={"capacity": "150 Wh"},
        output={"bin_width": "15 min"},
    )


def write(path: Path, data: dict | str) -> Path:
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_user_error(result: Result, *fragments: str) -> None:
    """Exit status 2, one readable message naming what is wrong, no traceback."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result, Path]:
    tmp = tmp_path_factory.mktemp("run")
    scenario = write(tmp / "small.yaml", small_scenario())
    out = tmp / "out"
    result = invoke("run", scenario, "--out", out, "--seed", "11", "--set", "fleet.robots=4")
    assert result.exit_code == 0, result.output
    return out, result, scenario


# -- a good run ----------------------------------------------------------------------------------------


def test_run_writes_every_file(run_dir) -> None:
    out, _, _ = run_dir
    names = {p.name for p in out.iterdir()}
    assert {
        "summary.json",
        "scenario.resolved.yaml",
        "timeseries.csv",
        "robots.csv",
        "packs.csv",
        "swap_waits.csv",
        "fleet_state.png",
        "robot_breakdown.png",
        "stations.png",
    } <= names
    for png in ("fleet_state.png", "robot_breakdown.png", "stations.png"):
        data = (out / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".")], "no hidden partial directory"


def test_summary_has_the_keys_of_the_issue(run_dir) -> None:
    out, _, _ = run_dir
    summary = json.loads((out / "summary.json").read_text())
    flat = flatten(summary)
    required = [
        "fleet.utilisation",
        "swaps.count",
        "swaps.per_robot_per_day",
        "swaps.wait_min.mean",
        "swaps.wait_min.p95",
        "swaps.wait_min.max",
        "energy.grid_kwh",
    ]
    required += [
        f"fleet.state_fraction.{s}" for s in ("working", "idle", "travelling", "queueing", "swapping", "stranded")
    ]
    for station in ("hall-A", "hall-B"):
        required += [
            f"stations.{station}.{k}"
            for k in ("swap_utilisation", "mean_queue_length", "charged_packs_mean", "stockouts")
        ]
    missing = [k for k in required if k not in flat]
    assert not missing
    assert [s["name"] for s in summary["stations"]] == ["hall-A", "hall-B"]
    assert sum(summary["fleet"]["state_fraction"].values()) == pytest.approx(1.0)
    man = summary["manifest"]
    assert man["scenario"] == "small" and man["seed"] == 11
    assert man["horizon_h"] == 6.0 and man["warmup_h"] == 1.0
    assert {"swapsim_version", "wall_time_s"} <= set(man)
    assert summary["fleet"]["robots"] == 4  # the --set override


def test_tables_have_their_columns(run_dir) -> None:
    out, _, _ = run_dir
    ts = read_csv(out / "timeseries.csv")
    assert ts["time_h"][:3] == [0.0, 0.25, 0.5] and len(ts["time_h"]) == 24
    for s in ROBOT_STATES:
        assert f"robots_{s}" in ts
    for station in ("hall-A", "hall-B"):
        assert {f"{station}_busy", f"{station}_queue", f"{station}_green"} <= set(ts)
    robots = read_csv(out / "robots.csv")
    assert robots["robot"] == [0, 1, 2, 3]
    for s in ROBOT_STATES:
        assert len(robots[f"{s}_h"]) == 4 and len(robots[f"{s}_fraction"]) == 4
    for i in range(4):
        assert sum(robots[f"{s}_h"][i] for s in ROBOT_STATES) == pytest.approx(5.0)
    packs = read_csv(out / "packs.csv")
    assert len(packs["pack"]) == 2 * 4 + 1 + 2
    assert {"location", "soc", "health", "cycles", "equivalent_full_cycles"} <= set(packs)


def test_resolved_scenario_reloads_to_the_run_scenario(run_dir) -> None:
    out, _, scenario = run_dir
    resolved = load_scenario(out / "scenario.resolved.yaml")
    # --seed 11 is part of the run, so the resolved file carries it
    assert resolved == load_scenario(scenario, ["fleet.robots=4", "seed=11"])
    assert resolved.stations[0].charger.rate_c == 0.8  # defaults are written out


def test_rerunning_the_resolved_scenario_alone_reproduces_the_run(run_dir, tmp_path) -> None:
    out, _, _ = run_dir
    summary = json.loads((out / "summary.json").read_text())
    again = invoke("run", out / "scenario.resolved.yaml", "--out", tmp_path / "again", "--no-figures")
    assert again.exit_code == 0, again.output
    summary2 = json.loads((tmp_path / "again" / "summary.json").read_text())
    drop = ("manifest",)
    assert {k: v for k, v in summary.items() if k not in drop} == {k: v for k, v in summary2.items() if k not in drop}


def test_run_prints_headline_kpis_and_where_the_files_went(run_dir) -> None:
    out, result, _ = run_dir
    assert "fleet utilisation" in result.output
    assert "swap wait, mean / p95 / max (min)" in result.output
    assert "station hall-A" in result.output
    assert f"results written to {out}/" in result.output


def test_quiet_run_prints_only_where_results_went(tmp_path) -> None:
    scenario = write(tmp_path / "s.yaml", small_scenario())
    result = invoke("run", scenario, "--out", tmp_path / "o", "--no-figures", "-q")
    assert result.exit_code == 0
    assert result.output.strip() == f"results written to {tmp_path / 'o'}/"
    assert not list((tmp_path / "o").glob("*.png"))


# -- bad files ------------------------------------------------------------------------------------------


def _station(**kw):
    def mutate(d: dict) -> None:
        d["stations"][0].update(kw)

    return mutate


BAD_FILES = [
    ("bays-zero", _station(bays=0), "stations[0].bays: must be >= 1 (got 0)"),
    ("charged-equals-bays", _station(charged_packs=3), "stations[0].charged_packs: must be < bays (3)"),
    ("charged-above-bays", _station(charged_packs=9), "stations[0].charged_packs: must be < bays (3)"),
    ("unknown-top", lambda d: d.update(horizn="2 h"), "horizn: unknown field"),
    ("unknown-fleet", lambda d: d["fleet"].update(robot=3), "fleet.robot: unknown field"),
    ("unknown-station", _station(bay=3), "stations[0].bay: unknown field"),
    ("unknown-charger", _station(charger={"rate": 1.0}), "stations[0].charger.rate: unknown field"),
    (
        "unknown-dist-field",
        lambda d: d["workload"]["cycle"][1]["duration"].update(sd="1 min"),
        "workload.cycle[1].duration.sd: unknown field",
    ),
    ("wrong-unit", lambda d: d.update(horizon="3 parsecs"), "horizon: unknown duration unit 'parsecs'"),
    ("energy-as-duration", lambda d: d.update(horizon="3 Wh"), "horizon: unknown duration unit 'Wh'"),
    ("bare-number-horizon", lambda d: d.update(horizon=6), "horizon: a bare number has no unit"),
    ("bare-number-swap", _station(swap_duration=3), "stations[0].swap_duration"),
    ("bare-number-distance", _station(distance=40), "stations[0].distance: a bare number has no unit"),
    (
        "unknown-dist",
        lambda d: d["workload"]["cycle"][0].update(duration={"dist": "gamma", "k": 2}),
        "workload.cycle[0].duration: unknown distribution",
    ),
    (
        "unknown-activity",
        lambda d: d["workload"]["cycle"][0].update(activity="fly"),
        "workload.cycle[0].activity: must be one of the activities",
    ),
    ("missing-required", lambda d: d["fleet"].pop("robots"), "fleet.robots: is required"),
    ("warmup-too-long", lambda d: d.update(warmup="6 h"), "warmup: must be shorter than horizon"),
    (
        "ready-below-trigger",
        lambda d: d.update(policy={"swap_trigger": 0.5, "ready_threshold": 0.4}),
        "policy.ready_threshold: must be > policy.swap_trigger",
    ),
    (
        "duplicate-station",
        lambda d: d["stations"].append(dict(d["stations"][0])),
        "stations[2].name: duplicates stations[0].name",
    ),
    ("bad-literal", lambda d: d.update(policy={"go": "whenever"}), "policy.go: must be one of"),
]


@pytest.mark.parametrize("command", ["run", "validate"])
@pytest.mark.parametrize("case, mutate, message", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_scenario_files_exit_2_naming_the_field(tmp_path, command, case, mutate, message) -> None:
    data = small_scenario()
    mutate(data)
    path = write(tmp_path / "bad.yaml", data)
    extra = ["--out", str(tmp_path / "out")] if command == "run" else []
    result = invoke(command, path, *extra)
    assert_user_error(result, f"{path}: ", message)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "text, location, problem",
    [
        ("name: x\nhorizon: 2 h\nfleet: {robots: 3\nworkload: 1\n", ":4:9:", "expected ',' or '}'"),
        ("name: x\nhorizon: 2 h\n  fleet: 3\n", ":3:8:", "mapping values are not allowed here"),
        ('name: x\nhorizon: "2 h\n', ":3:1:", "unexpected end of stream"),
    ],
)
def test_yaml_syntax_errors_show_line_and_column(tmp_path, text, location, problem) -> None:
    path = write(tmp_path / "broken.yaml", text)
    assert_user_error(invoke("validate", path), f"{path}{location} invalid YAML", problem)


def test_object_building_yaml_tags_are_refused(tmp_path) -> None:
    marker = tmp_path / "pwned"
    text = f'name: x\nhorizon: !!python/object/apply:os.system ["touch {marker}"]\n'
    path = write(tmp_path / "evil.yaml", text)
    assert_user_error(invoke("validate", path), f"{path}:2:10: invalid YAML", "could not determine a constructor")
    assert not marker.exists()


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "the file must hold a mapping of fields (got list)"),
    ],
)
def test_files_that_are_not_scenarios(tmp_path, text, message) -> None:
    path = write(tmp_path / "odd.yaml", text)
    assert_user_error(invoke("validate", path), f"{path}: {message}")


def test_missing_file(tmp_path) -> None:
    path = tmp_path / "nowhere.yaml"
    assert_user_error(invoke("run", path), f"{path}: file not found")


# -- bad flags ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "assignment, fragments",
    [
        ("fleet.robotz=3", ["fleet.robotz: unknown field"]),
        ("fleet.robots=-1", ["fleet.robots: must be >= 1 (got -1)"]),
        ("fleet.robots=many", ["fleet.robots: must be a whole number (got 'many')"]),
        ("horizon=14", ["horizon: a bare number has no unit"]),
        ("stations[0].bays=0", ["stations[0].bays: must be >= 1 (got 0)"]),
        ("stations.1.charged_packs=4", ["stations[1].charged_packs: must be < bays (4)"]),
        ("stations[7].bays=2", ["--set stations[7].bays=2", "index out of range (the list has 2 item(s))"]),
        ("fleet.robots.count=2", ["--set fleet.robots.count=2", "is not a mapping"]),
        ("fleet", ["--set fleet: expected dotted.path=value"]),
        ("fleet..robots=2", ["empty path segment"]),
        ("policy.go=[unclosed", ["value is not valid YAML"]),
    ],
)
@pytest.mark.parametrize("command", ["run", "validate"])
def test_bad_set_overrides_exit_2(tmp_path, command, assignment, fragments) -> None:
    path = write(tmp_path / "s.yaml", small_scenario())
    extra = ["--out", str(tmp_path / "out")] if command == "run" else []
    assert_user_error(invoke(command, path, "--set", assignment, *extra), *fragments)
    assert not (tmp_path / "out").exists()


def test_set_error_names_the_file_and_the_override(tmp_path) -> None:
    path = write(tmp_path / "s.yaml", small_scenario())
    result = invoke("validate", path, "--set", "fleet.robots=0")
    assert_user_error(result, f"{path} (with --set fleet.robots=0): fleet.robots: must be >= 1 (got 0)")


@pytest.mark.parametrize(
    "flags, fragment",
    [
        (["--seed", "-1"], "Invalid value for '--seed'"),
        (["--seed", "abc"], "Invalid value for '--seed'"),
        (["--format", "bmp"], "Invalid value for '--format'"),
        (["--colour"], "No such option"),
    ],
)
def test_bad_run_flags_exit_2(tmp_path, flags, fragment) -> None:
    path = write(tmp_path / "s.yaml", small_scenario())
    assert_user_error(invoke("run", path, "--out", tmp_path / "out", *flags), fragment)
    assert not (tmp_path / "out").exists()


def test_user_errors_exit_2_from_the_real_command(tmp_path) -> None:
    data = small_scenario()
    data["stations"][0]["bays"] = 0
    path = write(tmp_path / "bad.yaml", data)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run(
        [sys.executable, "-m", "swapsim", "run", str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: {path}: stations[0].bays: must be >= 1 (got 0)"
    assert proc.stdout == ""
    assert not (tmp_path / "results").exists()


# -- validate -------------------------------------------------------------------------------------------


def test_validate_ends_with_a_one_line_verdict(tmp_path) -> None:
    path = write(tmp_path / "s.yaml", small_scenario())
    result = invoke("validate", path, "--set", "fleet.robots=7")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{path}: valid (7 robots, 2 stations, 6 h)"]


def test_validate_verdict_states_the_horizon_in_days() -> None:
    result = invoke("validate", ROOT / "scenarios" / "factory.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("factory.yaml: valid (30 robots, 2 stations, 30 d)")


def test_validate_show_prints_the_resolved_scenario(tmp_path) -> None:
    path = write(tmp_path / "s.yaml", small_scenario())
    result = invoke("validate", path, "--set", "fleet.robots=7", "--show")
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"{path}: valid (7 robots, 2 stations, 6 h)"
    printed = yaml.safe_load(result.stdout)
    assert printed["fleet"]["robots"] == 7
    assert printed["stations"][0]["charger"]["cv_soc"] == 0.85  # defaults filled in
    assert printed["horizon"] == "6 h"
    assert scenario_from_dict(printed) == load_scenario(path, ["fleet.robots=7"])


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_every_shipped_scenario_validates(path: Path) -> None:
    result = invoke("validate", path, "--show")
    assert result.exit_code == 0, result.output
    assert scenario_from_dict(yaml.safe_load(result.stdout)) == load_scenario(path)
    assert f"{path}: valid (" in result.stderr


def test_there_are_four_shipped_scenarios() -> None:
    assert [p.stem for p in SCENARIOS] == ["airport", "factory", "hospital", "warehouse"]


# -- failed and interrupted runs ------------------------------------------------------------------------


@pytest.mark.parametrize("error", [RuntimeError("disk failed"), KeyboardInterrupt()])
def test_a_failed_run_leaves_no_results_directory(tmp_path, monkeypatch, error) -> None:
    # The failure strikes half-way through writing the results (after summary.json and the tables).
    import swapsim.results.files

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr(swapsim.results.files, "_write_battery_tables", broken)
    path = write(tmp_path / "s.yaml", small_scenario())
    out = tmp_path / "results" / "small"
    result = invoke("run", path, "--out", out)
    assert result.exit_code != 0
    assert not out.exists()
    assert list(out.parent.iterdir()) == [], "no hidden partial directory is left"


def test_a_figure_failure_keeps_the_complete_results_and_says_so(tmp_path, monkeypatch) -> None:
    # Figures are drawn from the results once they are written: a failing figure loses no result.
    import swapsim.output

    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(swapsim.output, "plot_run", broken)
    path = write(tmp_path / "s.yaml", small_scenario())
    out = tmp_path / "results" / "small"
    result = invoke("run", path, "--out", out)
    assert result.exit_code != 0
    assert json.loads((out / "summary.json").read_text())["fleet"]["robots"] > 0
    assert not list(out.glob("*.png"))


def test_a_failed_rerun_keeps_the_previous_results(tmp_path, monkeypatch) -> None:
    import swapsim.results.files

    path = write(tmp_path / "s.yaml", small_scenario())
    out = tmp_path / "res"
    assert invoke("run", path, "--out", out, "--no-figures").exit_code == 0
    before = (out / "summary.json").read_text()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(swapsim.results.files, "_write_battery_tables", broken)
    result = invoke("run", path, "--out", out, "--seed", "99")
    assert result.exit_code != 0
    assert (out / "summary.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res", "s.yaml"]
