"""``swapsim size`` on exact queues: the minimal configuration is known in closed form and the search
must return exactly it.

* Finite-source queue M/M/c//N (swapsim.analysis.validation.mmcn_scenario, exponential working times):
  search the swap positions c; the target on the mean wait (min) sits halfway (geometrically) between
  the exact waits of c* - 1 and c*, where c* is the least c whose exact wait (swapsim.analysis.queueing.mmcn)
  meets it. With and without screening by the closed-form estimate.
* Palm's spare-pack setting (stockout_scenario: a position per robot, a bay for every drained pack,
  exponential working times): search the charged packs S; the target on the share of swaps that find
  no green pack sits between Palm's P(Poisson(lambda D) >= S) of S* - 1 and S*.

Short horizons and few replications keep the runtime to seconds; the targets are far enough from the
exact values that the sequential test decides every configuration it simulates.
"""

from __future__ import annotations

import math

import pytest

from swapsim.analysis.queueing import mmcn
from swapsim.analysis.spare_packs import prob_no_ready_pack
from swapsim.analysis.validation.scenarios import TRIGGER, mmcn_scenario, stockout_scenario
from swapsim.experiments.sizing.search import run_size
from swapsim.experiments.sizing.space import Dimension, Target
from swapsim.experiments.sizing.spec import make_spec
from swapsim.model.pack import ChargeCurve


def _minimal(values: dict[int, float], target: float) -> int:
    return min(k for k, v in values.items() if v <= target)


@pytest.mark.parametrize(
    "robots,work_h,swap_h,k,screen",
    [
        (12, 2.0, 0.25, 2, False),  # exact waits 54.8, 5.96, 0.91, 0.13 min for c = 1..4: target between c=2 and 3
        (12, 2.0, 0.25, 2, True),
        (20, 3.0, 0.2, 3, False),  # target between c = 3 and 4
    ],
)
def test_mmcn_minimal_positions_are_exact(tmp_path, robots, work_h, swap_h, k, screen):
    exact = {c: 60.0 * mmcn(robots, c, work_h, swap_h).mean_wait for c in range(1, 7)}
    target = math.sqrt(exact[k] * exact[k + 1])
    c_star = _minimal(exact, target)
    assert c_star == k + 1
    sc = mmcn_scenario(robots, 1, work_h, swap_h, work="exponential", horizon_h=400.0, warmup_h=20.0)
    spec = make_spec(
        sc,
        "mmcn",
        [Dimension("stations[*].positions", 1, 6)],
        [Target("swaps.wait_min.mean", "<=", target)],
        n_min=5,
        n_max=20,
        screen=screen,
    )
    res = run_size(spec, tmp_path / "size", jobs=1)
    assert res.best is not None
    assert res.best.config.values == (c_star,)
    assert res.violations == []
    cheaper = [e for e in res.evaluated if e.config.values[0] < c_star]
    assert all(e.status in ("infeasible", "dominated", "screened") for e in cheaper)
    assert res.runs_total <= res.exhaustive_fixed_runs / 4


def test_palm_minimal_spare_packs_are_exact(tmp_path):
    robots, offered = 30, 3.0
    d_h = ChargeCurve(0.8, 0.85, 0.05).time_to_soc_h(TRIGGER, 1.0)
    swap_h = 0.05
    work_h = robots * d_h / offered - swap_h
    seen = robots / (work_h + swap_h) * (robots - 1) / robots  # the rate an arriving robot sees
    palm = {s: prob_no_ready_pack(s, seen, d_h) for s in range(3, 11)}
    target = math.sqrt(palm[6] * palm[7])  # 0.074 and 0.029: target 0.046
    s_star = _minimal(palm, target)
    assert s_star == 7
    sc = stockout_scenario(robots, 10, work_h, work="exponential", swap_h=swap_h, horizon_h=800.0, warmup_h=20.0)
    spec = make_spec(
        sc,
        "palm",
        [Dimension("stations[0].charged_packs", 3, 10)],
        [Target("swaps.stockout_share", "<=", target)],
        n_min=5,
        n_max=40,
    )
    res = run_size(spec, tmp_path / "size", jobs=1)
    assert res.best is not None
    assert res.best.config.values == (s_star,)
    assert res.violations == []


def test_pruned_search_agrees_with_the_exhaustive_one(tmp_path):
    """Ordering, screening, dominance and the stop rule change the runs spent, not the answer."""
    exact = {c: 60.0 * mmcn(12, c, 2.0, 0.25).mean_wait for c in range(1, 5)}
    sc = mmcn_scenario(12, 1, 2.0, 0.25, work="exponential", horizon_h=300.0, warmup_h=20.0)
    spec = make_spec(
        sc,
        "mmcn",
        [Dimension("stations[*].positions", 1, 4)],
        [Target("swaps.wait_min.mean", "<=", math.sqrt(exact[2] * exact[3]))],
        n_max=20,
    )
    pruned = run_size(spec, tmp_path / "a", jobs=1)
    full = run_size(spec, tmp_path / "b", jobs=1, exhaustive=True)
    assert pruned.best.config.values == full.best.config.values == (3,)
    assert pruned.runs_total < full.runs_total
    assert all(e.status in ("feasible", "infeasible", "undecided") for e in full.evaluated)
