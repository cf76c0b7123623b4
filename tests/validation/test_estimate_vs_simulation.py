"""`swapsim estimate` against long simulations of the shipped scenarios (issue 7's "done when").

Factory (30 days after a 1-day warm-up, 2 replications). The estimate's throughput figures come from an
energy balance that is exact in the long run, so they are held tightly:

* swaps per robot per day and grid energy per day: within 3 %;
* utilisation: within 3 percentage points;
* the swapping share: within 10 % (relative); the travelling share within 30 %: it depends on how
  ``shortest_wait`` splits robots between the near and the far hall, which the estimate approximates
  by overflow from the nearest station, while robots in the model also count those already on their
  way (the far hall gets more of them than the overflow predicts).

What is left over is the wait's share of the cycle and the charge of the packs handed out. Waits and
stock-outs are not held to a tight tolerance in the factory: its fleet synchronises into swap waves,
which a steady-state formula cannot see (docs/validation.md, section 6). The test holds them only to
the right order: the simulated mean wait must be within a factor of 5 of the estimate.

Hospital (14 days, 3 replications): its robots' phases stay spread, so its waits and stock-outs are
held as well: mean wait within 35 %, share of swaps with no green pack within a factor of 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from swapsim.analysis.validation import estimate_vs_simulation
from swapsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


def kpis(comp: dict) -> dict[str, tuple[float, float]]:
    return {k["kpi"]: (k["estimate"], k["sim_mean"]) for k in comp["kpis"]}


@pytest.fixture(scope="module")
def factory() -> dict:
    return kpis(estimate_vs_simulation(load_scenario(ROOT / "scenarios" / "factory.yaml"), replications=2))


@pytest.fixture(scope="module")
def hospital() -> dict:
    return kpis(estimate_vs_simulation(load_scenario(ROOT / "scenarios" / "hospital.yaml"), replications=3))


@pytest.mark.parametrize("kpi", ["swaps per robot per day", "grid energy (kWh/day)"])
def test_factory_throughput_within_3_percent(factory: dict, kpi: str) -> None:
    est, sim = factory[kpi]
    assert est == pytest.approx(sim, rel=0.03)


def test_factory_utilisation_within_3_points(factory: dict) -> None:
    est, sim = factory["utilisation (%)"]
    assert est == pytest.approx(sim, abs=3.0)


@pytest.mark.parametrize("kpi, rel", [("travelling (%)", 0.30), ("swapping (%)", 0.10)])
def test_factory_trip_shares(factory: dict, kpi: str, rel: float) -> None:
    est, sim = factory[kpi]
    assert est == pytest.approx(sim, rel=rel)


def test_factory_wait_right_order(factory: dict) -> None:
    est, sim = factory["mean wait (min)"]
    assert est / 5 <= sim <= est * 5


def test_hospital_waits_and_stockouts(hospital: dict) -> None:
    est, sim = hospital["mean wait (min)"]
    assert est == pytest.approx(sim, rel=0.35)
    est, sim = hospital["swaps with no green pack (%)"]
    assert sim / 2 <= est <= sim * 2
    est, sim = hospital["swaps per robot per day"]
    assert est == pytest.approx(sim, rel=0.02)
