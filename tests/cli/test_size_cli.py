"""`swapsim size` on the command line: outputs, exit codes, messages, determinism across --jobs, resume."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from swapsim.analysis.validation.scenarios import mmcn_scenario
from swapsim.cli import cli
from swapsim.scenario import scenario_to_dict

pytestmark = pytest.mark.slow  # most tests run searches (about 60 s of CPU in all): part of `make test`
# and CI, left out of `make test-fast`

SEARCH = ["--search", "stations[*].positions=1..4"]
TARGET = ["--target", "swaps.wait_min.mean<=2.5"]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> str:
    sc = mmcn_scenario(12, 1, 2.0, 0.25, work="exponential", horizon_h=200.0, warmup_h=10.0)
    data = scenario_to_dict(sc)
    data["costs"] = {"energy_tariff": [{"start": "00:00", "per_kwh": 0.1}, {"start": "07:00", "per_kwh": 0.3}]}
    path = tmp_path_factory.mktemp("sc") / "mmcn.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def _table(out: Path) -> str:
    return (out / "size.csv").read_text()


QUIET_J1 = [*SEARCH, *TARGET, "-q", "--no-figures", "-j", "1"]
"""The search of the determinism and resume tests, in one process."""


@pytest.fixture(scope="module")
def searched_j1(scenario, tmp_path_factory) -> Path:
    """One search with ``QUIET_J1``, made once for the tests that read it (copy it before changing it)."""
    out = tmp_path_factory.mktemp("size-j1") / "j1"
    r = invoke("size", scenario, *QUIET_J1, "--out", str(out))
    assert r.exit_code == 0, r.output
    return out


@pytest.mark.slow  # a full search with figures and the horizon check (make test runs it)
def test_size_writes_its_outputs_and_answers(scenario, tmp_path):
    out = tmp_path / "a"
    r = invoke("size", scenario, *SEARCH, *TARGET, "--out", str(out), "-j", "1", "--no-screen")
    assert r.exit_code == 0, r.output
    assert "RECOMMENDED  stations[*].positions=3" in r.output
    for name in ("size.json", "size.csv", "size.png", "report.html"):
        assert (out / name).exists()
    from matplotlib.image import imread

    assert imread(out / "size.png").shape[1] <= 1280  # one panel per target (3 here), inside a screen
    page = (out / "report.html").read_text()
    assert "stations[*].positions = 3" in page and "Every configuration" in page and "data:image/png" in page
    (out / "report.html").unlink()
    rep = invoke("report", str(out))  # swapsim report DIR recognises a size directory
    assert rep.exit_code == 0, rep.output
    assert "Every configuration" in (out / "report.html").read_text()
    doc = json.loads((out / "size.json").read_text())
    assert doc["recommendation"]["values"] == {"stations[*].positions": 3}
    assert doc["runner_up"]["values"] == {"stations[*].positions": 4}
    assert doc["binding_targets"][0] == "swaps.wait_min.mean<=2.5"
    assert doc["question"]["guards"] == ["swaps.wait_min.p95<=10", "swaps.stockout_share<=0.05"]
    assert "(guard)" in r.output and "guard target(s) added" in r.output
    assert doc["horizon_check"]["decision_stands"] and doc["holds_at_longer_horizon"]
    assert doc["horizon_check"]["long_measured_span_h"] == pytest.approx(4 * 190.0)
    assert "horizon: the decision stands at 4x the horizon" in r.output
    assert doc["margin"]["runner_up_minus_best"] > 0
    assert set(doc["recommendation"]["costs"]) >= {
        "capital_per_year",
        "energy_per_year",
        "labour_per_year",
        "packs_per_year",
        "total_per_year",
        "per_productive_robot_hour",
    }
    assert doc["evidence"]["runs"] < doc["evidence"]["exhaustive_fixed_runs"]
    lines = _table(out).splitlines()
    assert len(lines) == 1 + 4
    assert "infeasible" in lines[1] and "fails swaps.wait_min.mean<=2.5" in lines[1]


@pytest.mark.slow
def test_same_seed_same_answer_for_any_jobs(scenario, searched_j1, tmp_path):
    a, b = searched_j1, tmp_path / "j2"
    assert invoke("size", scenario, *SEARCH, *TARGET, "--out", str(b), "-j", "2", "-q", "--no-figures").exit_code == 0
    assert _table(a) == _table(b)
    ja, jb = (json.loads((d / "size.json").read_text()) for d in (a, b))
    assert ja["recommendation"] == jb["recommendation"] and ja["margin"] == jb["margin"]


def test_resume_reuses_the_runs_and_a_full_directory_needs_it(scenario, searched_j1, tmp_path):
    out = tmp_path / "r"
    shutil.copytree(searched_j1, out, symlinks=True)
    again = invoke("size", scenario, *QUIET_J1, "--out", str(out))
    assert again.exit_code == 2 and "use --resume" in again.output
    resumed = invoke("size", scenario, *SEARCH, *TARGET, "--out", str(out), "-q", "--no-figures", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert json.loads((out / "size.json").read_text())["evidence"]["runs_new"] == 0
    other = invoke(
        "size", scenario, "--search", "stations[*].positions=1..3", *TARGET, "--out", str(out), "-q", "--resume"
    )
    assert other.exit_code == 2 and "holds another sizing" in other.output


def test_no_feasible_configuration_exits_1(scenario, tmp_path):
    r = invoke(
        "size",
        scenario,
        "--search",
        "stations[*].positions=1..2",
        *TARGET,
        "--out",
        str(tmp_path / "n"),
        "-j",
        "1",
        "--no-figures",
        "--no-screen",
    )
    assert r.exit_code == 1, r.output
    assert "NO FEASIBLE CONFIGURATION" in r.output


@pytest.mark.parametrize(
    "args,msg",
    [
        (["--search", "stations[*].positions=4..1", *TARGET], "the range is empty"),
        (["--search", "stations[*].positions=a..b", *TARGET], "PATH=LO..HI"),
        ([*SEARCH, "--target", "swaps.wait_min.mean<5"], "KPI<=VALUE"),
        ([*SEARCH, "--target", "swaps.wait_mins.mean<=5"], "did you mean swaps.wait_min.mean"),
        ([*SEARCH], "--target: give at least one"),
        (["--search", "stations[*].positons=1..2", *TARGET], "stations[*].positons"),
    ],
)
def test_bad_input_exits_2_with_a_message(scenario, tmp_path, args, msg):
    r = invoke("size", scenario, *args, "--out", str(tmp_path / "bad"), "-j", "1", "-q", "--no-figures")
    assert r.exit_code == 2, r.output
    assert msg in r.output


def test_an_answer_at_the_low_end_of_a_range_is_pointed_out(scenario, tmp_path):
    out = tmp_path / "edge"
    r = invoke(
        "size",
        scenario,
        "--search",
        "stations[*].positions=3..4",
        *TARGET,
        "--out",
        str(out),
        "-j",
        "1",
        "--no-figures",
    )
    assert r.exit_code == 0, r.output
    assert "stations[*].positions = 3 is the low end of its range" in r.output
    assert json.loads((out / "size.json").read_text())["evidence"]["at_range_edge"]


@pytest.mark.slow  # four searches (make test runs it)
def test_guards_are_added_unless_told_otherwise_and_a_user_target_replaces_one(scenario, tmp_path):
    r = invoke("size", scenario, *SEARCH, *TARGET, "--target", "swaps.wait_min.p95<=20", "--out",
               str(tmp_path / "g"), "-j", "1", "--no-figures", "--no-screen", "--max-replications", "10",
               "--horizon-check", "0")  # the question is what is checked, not the answer: no runs at 4x
    doc = json.loads((tmp_path / "g" / "size.json").read_text())
    assert doc["question"]["guards"] == ["swaps.stockout_share<=0.05"]
    assert "swaps.wait_min.p95<=20" in doc["question"]["targets"]
    assert "swaps.wait_min.p95<=10" not in doc["question"]["targets"]
    r = invoke("size", scenario, *SEARCH, *TARGET, "--no-guards", "--out", str(tmp_path / "n"), "-j", "1",
               "--no-figures", "--no-screen", "--max-replications", "10", "--horizon-check", "0")
    doc = json.loads((tmp_path / "n" / "size.json").read_text())
    assert doc["question"]["targets"] == ["swaps.wait_min.mean<=2.5"] and doc["question"]["guards"] == []
    assert "(guard)" not in r.output and "guard target(s) added" not in r.output


def test_an_answer_that_does_not_hold_at_the_longer_horizon_is_not_called_feasible(scenario, tmp_path):
    # swaps per run grow with the run length: about 1,000 in 190 h, 4,000 at 4x
    out = tmp_path / "h"
    r = invoke("size", scenario, *SEARCH, *TARGET, "--target", "swaps.count<=2000", "--out", str(out), "-j", "1",
               "--no-figures", "--no-screen", "--horizon-replications", "3")
    assert r.exit_code == 1, r.output
    # each answer in turn is rejected at 4x and the walk goes on; the last one is reported, not as feasible
    assert "horizon: rejected stations[*].positions=3: it misses a target at 4x the horizon" in r.output
    assert "NOT SHOWN FEASIBLE (changes with the horizon): stations[*].positions=4" in r.output
    assert "CHANGES WITH THE HORIZON" in r.output and "fails swaps.count<=2000" in r.output
    assert "feasible at 95%" not in r.output
    doc = json.loads((out / "size.json").read_text())
    assert doc["holds_at_longer_horizon"] is False and doc["horizon_check"]["replications"] == 3


@pytest.fixture(scope="module")
def two_stations(tmp_path_factory) -> str:
    """The M/M/c//N scenario with a second candidate station."""
    data = scenario_to_dict(mmcn_scenario(12, 1, 2.0, 0.25, work="exponential", horizon_h=200.0, warmup_h=10.0))
    second = dict(data["stations"][0], name="T")
    data["stations"].append(second)
    path = tmp_path_factory.mktemp("sc2") / "two.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def test_stations_are_a_search_dimension_priced_only_when_built(two_stations, tmp_path):
    out = tmp_path / "st"
    r = invoke("size", two_stations, "--search", "stations=1..2", "--search", "stations[*].positions=3..3", *TARGET,
               "--out", str(out), "-j", "1", "--no-figures", "--no-screen", "--horizon-check", "0",
               "--max-replications", "10", "--no-guards")
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "size.json").read_text())
    assert doc["recommendation"]["values"] == {"stations": 1, "stations[*].positions": 3}
    rows = {row["stations"]: row for row in csv.DictReader(io.StringIO(_table(out)))}
    one, two = (float(rows[k]["static_cost_per_year"]) for k in ("1", "2"))
    assert two > one  # the second station's capital counts only when it is built
    r = invoke("size", two_stations, "--search", "stations=1..3", *TARGET, "--out", str(tmp_path / "bad"), "-q")
    assert r.exit_code == 2
    assert "two.yaml: stations: --search stations=1..3" in r.output and "expected a range within 1..2 (got 3)" in r.output


def test_configurations_the_model_cannot_tell_apart_run_once(scenario, tmp_path):
    # 13 charged packs and one position: a 15th or 16th bay never holds a pack
    out = tmp_path / "eq"
    r = invoke("size", scenario, "--search", "stations[*].bays=14..16", *TARGET, "--out", str(out), "-j", "1",
               "--no-figures", "--no-screen", "--horizon-check", "0", "--max-replications", "10", "--no-guards")
    assert r.exit_code == 1, r.output  # one position: the wait target fails, whatever the bays
    doc = json.loads((out / "size.json").read_text())
    assert doc["evidence"]["configurations"]["equivalent"] == 2 and doc["evidence"]["equivalent_not_run"] == 2
    assert sorted(p.name.split("-")[0] for p in (out / "runs").iterdir()) == ["c0"] * len(list((out / "runs").iterdir()))
    assert "runs as #0 (stations[*].bays=14)" in _table(out)
    assert "2 configuration(s) not run" in r.output
