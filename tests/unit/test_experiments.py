"""Unit tests for swapsim.experiments: designs, factor paths, seeds, executors, resume, failures,
the sequential procedure and the tables."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from swapsim import experiments as ex
from swapsim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[2]
FACTORY = ROOT / "scenarios" / "factory.yaml"
SHORT = ["horizon=12 h", "warmup=2 h", "fleet.robots=6"]


def small_sweep(replications: int = 3, **kw) -> ex.Sweep:
    factors = kw.pop("factors", {"fleet.robots": [4, 8], "stations[*].positions": [1, 2]})
    return ex.sweep_from_scenario(FACTORY, factors, overrides=SHORT, replications=replications, seed=11, **kw)


def table(path: Path, drop: tuple[str, ...] = ("wall_time_s",)) -> list[list[str]]:
    """A CSV's rows without the named columns (wall time differs between runs)."""
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    keep = [i for i, h in enumerate(rows[0]) if h not in drop]
    return [[r[i] for i in keep] for r in rows]


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The small sweep run in this process, uninterrupted."""
    out = tmp_path_factory.mktemp("ref") / "sweep"
    ex.run_sweep(small_sweep(), out, jobs=1)
    return out


# -- specification ----------------------------------------------------------------------------


def test_factorial_points_first_factor_slowest():
    sw = small_sweep()
    assert [p.values for p in sw.points] == [
        {"fleet.robots": 4, "stations[*].positions": 1},
        {"fleet.robots": 4, "stations[*].positions": 2},
        {"fleet.robots": 8, "stations[*].positions": 1},
        {"fleet.robots": 8, "stations[*].positions": 2},
    ]


def test_zip_design_pairs_values_and_needs_equal_lengths():
    sw = small_sweep(factors={"fleet.robots": [4, 8], "stations[0].bays": [14, 16]}, design="zip")
    assert [p.values for p in sw.points] == [
        {"fleet.robots": 4, "stations[0].bays": 14},
        {"fleet.robots": 8, "stations[0].bays": 16},
    ]
    with pytest.raises(ScenarioError, match="equal length"):
        small_sweep(factors={"fleet.robots": [4, 8], "stations[0].bays": [14]}, design="zip")


def test_wildcard_sets_every_station_and_index_sets_one():
    sw = small_sweep(factors={"stations[*].positions": [3], "stations[1].bays": [20]})
    stations = sw.points[0].scenario["stations"]
    assert [s["positions"] for s in stations] == [3, 3]
    base = load_scenario(FACTORY, SHORT)
    assert [s["bays"] for s in stations] == [base.stations[0].bays, 20]


def test_zip_validates_the_zipped_pairs_not_each_value_against_the_base():
    """factory.yaml has 16 bays and 13 charged packs per station: bays=6 alone is invalid there, but
    zipped with charged_packs=4 it is a valid point (issue 28)."""
    zipped = {"stations[*].bays": [6, 8], "stations[*].charged_packs": [4, 6]}
    sw = small_sweep(factors=zipped, design="zip")
    assert [[s["bays"], s["charged_packs"]] for s in sw.points[0].scenario["stations"]] == [[6, 4], [6, 4]]
    assert [[s["bays"], s["charged_packs"]] for s in sw.points[1].scenario["stations"]] == [[8, 6], [8, 6]]
    with pytest.raises(ScenarioError, match=r"bays=6"):  # factorial meets (6, 6): refused
        small_sweep(factors=zipped)
    with pytest.raises(ScenarioError, match=r"(?s)1 of 2 point\(s\) are not valid.*point 1 .*charged_packs: must be < bays"):
        small_sweep(factors={"stations[*].bays": [6, 8], "stations[*].charged_packs": [4, 9]}, design="zip")
    with pytest.raises(ScenarioError, match=r"fleet\.robot: unknown field"):
        small_sweep(factors={"fleet.robot": [4, 5], "fleet.robots": [4, 5]}, design="zip")


@pytest.mark.parametrize(
    "factors, message",
    [
        ({"fleet.robot": [4]}, r"with fleet\.robot=4: fleet\.robot: unknown field"),
        ({"fleet.robots": ["many"]}, r"with fleet\.robots=many: fleet\.robots: must be a whole number"),
        ({"fleet.robots": []}, r"factor fleet\.robots: needs at least one value"),
        ({"stations[5].bays": [3]}, r"factor stations\[5\]\.bays: stations\[5\]: index out of range"),
        ({"stations[*].bays": [5]}, r"not valid scenarios|charged_packs: must be < bays"),
        ({"seed": [1, 2]}, r"factor seed: the sweep sets each replication's seed"),
    ],
)
def test_bad_factors_are_one_clear_error(factors, message):
    with pytest.raises(ScenarioError, match=message):
        small_sweep(factors=factors)


def test_parse_vary_reads_yaml_values():
    assert ex.parse_vary("fleet.robots=20,40,60") == ("fleet.robots", [20, 40, 60])
    assert ex.parse_vary("horizon=3 d, 7 d") == ("horizon", ["3 d", "7 d"])
    path, values = ex.parse_vary(
        "stations[0].swap_duration={dist: fixed, value: 3 min},{dist: exponential, mean: 3 min}"
    )
    assert path == "stations[0].swap_duration" and values[1] == {"dist": "exponential", "mean": "3 min"}
    for bad in ("fleet.robots", "fleet.robots=", "fleet.robots=1,,2", "=1,2"):
        with pytest.raises(ScenarioError):
            ex.parse_vary(bad)


def test_target_ci_needs_a_known_kpi_and_three_replications():
    with pytest.raises(ScenarioError, match="did you mean fleet.utilisation"):
        small_sweep(target_ci={"fleet.utilisaton": 0.02})
    with pytest.raises(ScenarioError, match="must be >= 3 with a target"):
        small_sweep(replications=2, target_ci={"fleet.utilisation": 0.02})


# -- seeds ------------------------------------------------------------------------------------


def test_replication_seed_is_the_spawned_child_and_ignores_the_number_of_points():
    for r in range(5):
        child = np.random.SeedSequence(123).spawn(10)[r]
        assert ex.replication_seed(123, r) == int(child.generate_state(1, np.uint64)[0]) & (2**63 - 1)
    seeds = {ex.replication_seed(123, r) for r in range(1000)}
    assert len(seeds) == 1000
    one = small_sweep(factors={"fleet.robots": [4]})
    many = small_sweep(factors={"fleet.robots": [4, 6, 8, 10]})
    assert [one.seed_for(r) for r in range(3)] == [many.seed_for(r) for r in range(3)]


def test_common_random_numbers_every_point_uses_the_same_seeds(reference):
    rows = table(reference / "runs.csv")
    col = rows[0].index("seed"), rows[0].index("replication")
    seeds: dict[str, set[str]] = {}
    for r in rows[1:]:
        seeds.setdefault(r[col[1]], set()).add(r[col[0]])
    assert all(len(s) == 1 for s in seeds.values()) and len(seeds) == 3


# -- tables -----------------------------------------------------------------------------------


def test_tables_have_the_agreed_columns(reference):
    runs = table(reference / "runs.csv", drop=())
    head = runs[0]
    assert head[:5] == ["point", "fleet.robots", "stations[*].positions", "replication", "seed"]
    assert head[-1] == "wall_time_s"
    assert "fleet.utilisation" in head and "stations.hall-A.swaps" in head
    assert head.count("fleet.robots") == 1  # the KPI of the same name is the factor column
    assert len(runs) == 1 + 4 * 3
    assert [(int(r[0]), int(r[3])) for r in runs[1:]] == sorted((p, r) for p in range(4) for r in range(3))
    pts = table(reference / "points.csv", drop=())
    assert pts[0][:4] == ["point", "fleet.robots", "stations[*].positions", "n"]
    assert {"fleet.utilisation.mean", "fleet.utilisation.sd", "fleet.utilisation.ci95"} <= set(pts[0])
    meta = json.loads((reference / "sweep.json").read_text())
    assert meta["factors"] == {"fleet.robots": [4, 8], "stations[*].positions": [1, 2]}
    assert meta["design"] == "factorial" and meta["replications"] == 3 and meta["seed"] == 11


def test_points_statistics_match_the_runs(reference):
    runs = table(reference / "runs.csv")
    pts = table(reference / "points.csv")
    u = runs[0].index("fleet.utilisation")
    values = [float(r[u]) for r in runs[1:] if r[0] == "2"]
    mean, sd, half = ex.mean_ci(values)
    row = pts[3]
    assert float(row[pts[0].index("fleet.utilisation.mean")]) == pytest.approx(np.mean(values), rel=1e-12)
    assert float(row[pts[0].index("fleet.utilisation.sd")]) == pytest.approx(np.std(values, ddof=1), rel=1e-12)
    assert float(row[pts[0].index("fleet.utilisation.ci95")]) == pytest.approx(half, rel=1e-12)


def test_parquet_beside_the_csv_when_pyarrow_is_installed(reference):
    pq = pytest.importorskip("pyarrow.parquet")
    t = pq.read_table(reference / "runs.parquet")
    assert t.num_rows == 12 and "fleet.utilisation" in t.column_names


# -- executors --------------------------------------------------------------------------------


def test_two_local_processes_give_the_same_rows(reference, tmp_path):
    ex.run_sweep(small_sweep(), tmp_path / "j2", jobs=2)
    assert table(tmp_path / "j2" / "runs.csv") == table(reference / "runs.csv")
    assert table(tmp_path / "j2" / "points.csv") == table(reference / "points.csv")


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_rows(reference, tmp_path):
    pytest.importorskip("distributed")
    report = ex.run_sweep(small_sweep(), tmp_path / "dask", executor="dask", jobs=2)
    assert "Dask LocalCluster" in report.executor
    assert table(tmp_path / "dask" / "runs.csv") == table(reference / "runs.csv")
    assert table(tmp_path / "dask" / "points.csv") == table(reference / "points.csv")


# -- long jobs: interruption, resume, failures --------------------------------------------------


def test_resume_after_an_interruption_equals_an_uninterrupted_sweep(reference, tmp_path):
    out = tmp_path / "s"
    finished = []

    def stop_after_five(record):
        finished.append(record)
        if len(finished) == 5:
            raise KeyboardInterrupt

    with pytest.raises(ex.SweepInterrupted) as info:
        ex.run_sweep(small_sweep(), out, jobs=1, on_run=stop_after_five)
    assert info.value.finished == 5 and info.value.planned == 12
    assert len(list((out / "runs").glob("*.json"))) == 5
    assert not (out / "runs.csv").exists()
    with pytest.raises(ScenarioError, match="add --resume"):
        ex.run_sweep(small_sweep(), out, jobs=1)
    report = ex.run_sweep(small_sweep(), out, jobs=1, resume=True)
    assert (report.runs_resumed, report.runs_new) == (5, 7)
    assert table(out / "runs.csv") == table(reference / "runs.csv")
    assert table(out / "points.csv") == table(reference / "points.csv")


def test_resume_reruns_only_missing_runs_on_two_processes(reference, tmp_path):
    out = tmp_path / "s"
    shutil.copytree(reference, out)
    for name in ("0-1.json", "3-2.json", "2-0.json"):
        (out / "runs" / name).unlink()
    (out / "runs.csv").unlink()
    report = ex.run_sweep(small_sweep(), out, jobs=2, resume=True)
    assert (report.runs_resumed, report.runs_new) == (9, 3)
    assert table(out / "runs.csv") == table(reference / "runs.csv")


def test_resume_refuses_a_different_sweep(reference, tmp_path):
    out = tmp_path / "s"
    shutil.copytree(reference, out)
    other = small_sweep(factors={"fleet.robots": [4, 9], "stations[*].positions": [1, 2]})
    with pytest.raises(ScenarioError, match="holds a different sweep \\(factors differ\\)"):
        ex.run_sweep(other, out, jobs=1, resume=True)


def test_a_failing_run_is_reported_and_does_not_stop_the_others(reference, tmp_path, monkeypatch):
    import swapsim.engine

    real = swapsim.engine.simulate
    bad_seed = ex.replication_seed(11, 1)

    def flaky(scenario, seed=None, **kw):
        if seed == bad_seed and scenario.fleet.robots == 8:
            raise ZeroDivisionError("a model bug")
        return real(scenario, seed, **kw)

    monkeypatch.setattr(swapsim.engine, "simulate", flaky)
    messages = []
    report = ex.run_sweep(small_sweep(), tmp_path / "s", jobs=1, log=messages.append)
    assert [(f["point"], f["replication"]) for f in report.failures] == [(2, 1), (3, 1)]
    assert len(messages) == 2 and "fleet.robots=8" in messages[0] and "ZeroDivisionError: a model bug" in messages[0]
    fails = table(tmp_path / "s" / "failures.csv")
    assert fails[0] == ["point", "fleet.robots", "stations[*].positions", "replication", "seed", "error"]
    assert [r[0] for r in fails[1:]] == ["2", "3"]
    rows = table(tmp_path / "s" / "runs.csv")
    assert len(rows) == 1 + 10
    expected = [r for r in table(reference / "runs.csv") if not (r[0] in ("2", "3") and r[3] == "1")]
    assert rows == expected
    # Once the model is fixed, a resume runs only the failed ones.
    monkeypatch.setattr(swapsim.engine, "simulate", real)
    report = ex.run_sweep(small_sweep(), tmp_path / "s", jobs=1, resume=True)
    assert (report.runs_new, report.failures) == (2, [])
    assert not (tmp_path / "s" / "failures.csv").exists()
    assert table(tmp_path / "s" / "runs.csv") == table(reference / "runs.csv")


# -- sequential procedure ---------------------------------------------------------------------


@pytest.mark.slow
def test_target_ci_adds_replications_until_the_half_width_is_small(tmp_path):
    target = {"fleet.utilisation": 0.002}
    sw = small_sweep(factors={"fleet.robots": [4, 8]}, replications=3, target_ci=target, max_replications=40)
    report = ex.run_sweep(sw, tmp_path / "s", jobs=1)
    pts = table(tmp_path / "s" / "points.csv")
    head = pts[0]
    for row in pts[1:]:
        n = int(row[head.index("n")])
        mean = float(row[head.index("fleet.utilisation.mean")])
        half = float(row[head.index("fleet.utilisation.ci95")])
        assert n == report.replications[int(row[0])]
        if report.target_met[int(row[0])]:
            assert half <= 0.002 * mean and row[head.index("target_ci_met")] == "True"
        else:
            assert n == 40
    assert max(report.replications.values()) > 3  # 0.2 % is not reached with 3 replications of 12 h
    # A stopped sequential sweep resumes to the same result.
    finished = []

    def stop(record):
        finished.append(record)
        if len(finished) == 7:
            raise KeyboardInterrupt

    with pytest.raises(ex.SweepInterrupted):
        ex.run_sweep(sw, tmp_path / "t", jobs=1, on_run=stop)
    again = ex.run_sweep(sw, tmp_path / "t", jobs=1, resume=True)
    assert again.replications == report.replications
    assert table(tmp_path / "t" / "runs.csv") == table(tmp_path / "s" / "runs.csv")


def test_sweep_file_paths_are_relative_to_the_file(tmp_path):
    shutil.copy(FACTORY, tmp_path / "base.yaml")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "sweep.yaml").write_text(
        "base: ../base.yaml\nset: ['horizon=12 h', 'warmup=2 h']\nfactors:\n  fleet.robots: [4, 6]\n"
        "design: zip\nreplications: 2\nseed: 5\n"
    )
    sw = ex.load_sweep_file(tmp_path / "sub" / "sweep.yaml")
    assert (len(sw.points), sw.replications, sw.seed, sw.design) == (2, 2, 5, "zip")
    assert sw.base_scenario.horizon == 12
    sw2 = ex.load_sweep_file(tmp_path / "sub" / "sweep.yaml", replications=4, seed=None)
    assert sw2.replications == 4 and sw2.seed == 5
