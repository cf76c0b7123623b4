"""Spare-pack stock-outs: the simulator against Palm's formula, M/D/S and the periodic count.

Compared quantity: the share of swaps that found no green pack when the robot reached its position
(arrival average). Configuration: swapsim.analysis.validation.stockout_scenario (as many positions as robots,
an empty bay for every robot, one charger per bay, fixed time to green D = 79.9 min, offered pack
load λD about 5). A robot that finds no green pack leaves its drained pack to charge at once, so the
packs charging are the drained packs of the last D hours: an M/D/infinity count.

* 100 robots with exponential working times (8 replications of 650 h): requests are close to
  Poisson, so Palm's P(Poisson(λD) >= S) (at the rate an arriving robot sees, λ (N - 1)/N) must lie
  inside the 99.9 % Student-t interval. The M/D/S queue (packs as servers: drained packs waiting
  for a bay) must be visibly too high at S = 6, close to λD.
* 12 regular robots (working time with a 15 % coefficient of variation; 8 replications of 850 h):
  the periodic (binomial) count must lie inside the 99.9 % interval widened by 0.01 absolute,
  because it ignores the robots held up by stock-outs. Palm must overstate the share at least twofold.
"""

from __future__ import annotations

import pytest

from swapsim.analysis.validation import OFFERED_PACK_LOAD, TRIGGER, stockout_point
from swapsim.model.pack import ChargeCurve

D_H = ChargeCurve(0.8, 0.85, 0.05).time_to_soc_h(TRIGGER, 1.0)
RATE = OFFERED_PACK_LOAD / D_H
LEVEL = 0.999


@pytest.fixture(scope="module")
def poisson_like() -> dict:
    return stockout_point(100, 6, 100 / RATE - 0.05, work="exponential", replications=8, horizon_h=650.0, level=LEVEL)


@pytest.fixture(scope="module")
def regular() -> dict:
    return stockout_point(12, 8, 12 / RATE - 0.05, work="jitter", replications=8, horizon_h=850.0, level=LEVEL)


def test_palm_matches_poisson_like_requests(poisson_like: dict) -> None:
    sim, hw = poisson_like["sim"]["mean"], poisson_like["sim"]["half_width"]
    assert abs(sim - poisson_like["palm_seen"]) <= hw, (sim, hw, poisson_like["palm_seen"])
    assert hw < 0.1  # narrow enough to tell Palm from M/D/S


def test_mds_is_too_high_when_drained_packs_charge_at_once(poisson_like: dict) -> None:
    assert poisson_like["mds_seen"] > poisson_like["sim"]["mean"] + poisson_like["sim"]["half_width"]


def test_periodic_count_matches_regular_robots(regular: dict) -> None:
    sim, hw = regular["sim"]["mean"], regular["sim"]["half_width"]
    assert abs(sim - regular["periodic"]) <= hw + 0.01, (sim, hw, regular["periodic"])
    assert regular["palm"] > 2 * sim
