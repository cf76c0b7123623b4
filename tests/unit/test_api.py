"""Unit tests of the public Python API: lazy top-level names, RunResult.to_frames."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest

import swapsim
from swapsim.results import write_run


def test_import_swapsim_is_light():
    code = "import sys, swapsim; print(any(m in sys.modules for m in ('simpy', 'numpy', 'pydantic')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_public_names_resolve():
    assert callable(swapsim.load_scenario) and callable(swapsim.simulate)
    assert swapsim.RunResult.__name__ == "RunResult" and issubclass(swapsim.ScenarioError, Exception)
    with pytest.raises(AttributeError):
        swapsim.no_such_name  # noqa: B018


def test_to_frames_has_the_csv_columns(tmp_path):
    pytest.importorskip("pandas")
    sc = swapsim.load_scenario("scenarios/hospital.yaml", overrides=["horizon=2 d", "warmup=0 h"])
    result = swapsim.simulate(sc, seed=2)
    frames = result.to_frames()
    out = write_run(result, tmp_path / "run")
    for name in ("timeseries", "robots", "packs", "swap_waits", "health"):
        with open(out / f"{name}.csv", newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        assert list(frames[name].columns) == header, name
        assert len(frames[name]) == sum(1 for _ in open(out / f"{name}.csv", encoding="utf-8")) - 1, name
    kpis = frames["kpis"].set_index("kpi")["value"]
    assert kpis["fleet.utilisation"] == result.summary["fleet"]["utilisation"]
    assert kpis["manifest.seed"] == 2


def test_to_frames_kpi_values_are_one_type_and_monthly_keeps_its_columns() -> None:
    # kpis.value mixed str, int and float; monthly was a frame without columns on runs under a month
    pd = pytest.importorskip("pandas")
    from swapsim.metrics.monthly import MONTHLY_COLUMNS

    sc = swapsim.load_scenario("scenarios/hospital.yaml", overrides=["horizon=1 d", "warmup=0 h"])
    frames = swapsim.simulate(sc, seed=2, origin={"overrides": ["horizon=1 d", "warmup=0 h"]}).to_frames()
    kpis = frames["kpis"].set_index("kpi")
    assert str(kpis["value"].dtype) == "float64"
    assert pd.isna(kpis.loc["manifest.swapsim_version", "value"])
    assert kpis.loc["manifest.strategy", "text"] == "hot_swap"
    assert kpis.loc["manifest.overrides", "text"] == "horizon=1 d; warmup=0 h"
    assert kpis.loc["swaps.count", "value"] == float(kpis.loc["swaps.count", "value"])
    assert kpis["text"][kpis["value"].notna()].isna().all()
    monthly = frames["monthly"]
    assert len(monthly) == 0 and list(monthly.columns) == list(MONTHLY_COLUMNS)
