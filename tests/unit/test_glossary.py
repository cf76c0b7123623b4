"""Every KPI the shipped scenarios produce has a reader's label (the glossary shared by CLI and report)."""

from __future__ import annotations

from pathlib import Path

import pytest

from swapsim.engine import simulate
from swapsim.metrics.glossary import KPI_LABELS, Label, kpi_label, label_for
from swapsim.results import flatten
from swapsim.scenario import load_scenario

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))
SHORT = ["horizon=2 d", "warmup=6 h"]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_kpi_of_a_shipped_scenario_has_a_label(path):
    kpis = flatten({k: v for k, v in simulate(load_scenario(path, SHORT), 1).kpis().items() if k != "manifest"})
    missing = [k for k in kpis if label_for(k) is None]
    assert not missing, f"{path.name}: KPIs without a label in swapsim/metrics/glossary.py: {missing}"


def test_plug_in_charging_kpis_have_labels():
    sc = load_scenario(SCENARIOS[0], [*SHORT, "strategy.kind=plug_in"])
    kpis = flatten({k: v for k, v in simulate(sc, 1).kpis().items() if k != "manifest"})
    assert any(k.startswith("charging.") for k in kpis)
    assert [k for k in kpis if label_for(k) is None] == []


def test_shares_say_what_they_are_a_share_of():
    for key, label in KPI_LABELS.items():
        if label.is_share:
            assert label.of, f"{key}: a share without its denominator"
    assert kpi_label("fleet.state_fraction.idle") == "idle (no work) (% of on-duty robot time)"
    assert kpi_label("fleet.off_duty_fraction").endswith("(% of all robot time)")


def test_station_keys_read_with_the_station_name():
    assert kpi_label("stations.hall-A.stockouts") == "hall-A: stock-outs (no green pack on arrival) (count)"
    assert kpi_label("stations.hall-A.stockouts", with_station=False) == "stock-outs (no green pack on arrival) (count)"
    assert kpi_label("no.such.key") == "no.such.key"
    assert str(Label("swaps", "count")) == "swaps (count)"
