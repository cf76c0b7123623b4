"""Unit tests: the test-suite caps SWAPSIM_MAX_HORIZON and SWAPSIM_MAX_REPLICATIONS (swapsim.scenario.shortening)."""

from __future__ import annotations

from pathlib import Path

import pytest

from swapsim.scenario import ScenarioError, load_scenario
from swapsim.scenario.shortening import cap_replications

FACTORY = Path(__file__).resolve().parents[2] / "scenarios" / "factory.yaml"


def test_unset_changes_nothing(monkeypatch):
    monkeypatch.delenv("SWAPSIM_MAX_HORIZON", raising=False)
    monkeypatch.delenv("SWAPSIM_MAX_REPLICATIONS", raising=False)
    sc = load_scenario(FACTORY)
    assert (sc.horizon, sc.warmup) == (720.0, 24.0)
    assert cap_replications(10) == 10


def test_horizon_cap_scales_the_warmup(monkeypatch, capsys):
    monkeypatch.setenv("SWAPSIM_MAX_HORIZON", "1 d")
    sc = load_scenario(FACTORY)
    assert sc.horizon == pytest.approx(24.0)
    assert sc.warmup == pytest.approx(24.0 * 24.0 / 720.0)  # the same share of the run
    assert "SWAPSIM_MAX_HORIZON" in capsys.readouterr().err
    assert load_scenario(FACTORY, ["horizon=6 h", "warmup=1 h"]).horizon == 6.0  # shorter: untouched


def test_replication_cap_keeps_the_floor(monkeypatch):
    monkeypatch.setenv("SWAPSIM_MAX_REPLICATIONS", "2")
    assert cap_replications(10) == 2
    assert cap_replications(1) == 1
    assert cap_replications(10, floor=3) == 3


@pytest.mark.parametrize(
    "var, value",
    [
        ("SWAPSIM_MAX_HORIZON", "soon"),
        ("SWAPSIM_MAX_HORIZON", "0 h"),
        ("SWAPSIM_MAX_REPLICATIONS", "two"),
        ("SWAPSIM_MAX_REPLICATIONS", "0"),
    ],
)
def test_bad_values_are_user_errors(monkeypatch, var, value):
    monkeypatch.setenv(var, value)
    with pytest.raises(ScenarioError, match=var):
        load_scenario(FACTORY) if var.endswith("HORIZON") else cap_replications(5)
